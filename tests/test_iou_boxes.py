"""maskkit.iou.box_iou against NumPy transcriptions of torchvision's and detectron2's formulas
(evaluated in the boxes' own precision, as torch does) and against pycocotools' bbox IoU."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import iou


def area(b: np.ndarray) -> np.ndarray:
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def inter_union(b1: np.ndarray, b2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torchvision.ops.boxes._box_inter_union."""
    lt = np.maximum(b1[:, None, :2], b2[:, :2])
    rb = np.minimum(b1[:, None, 2:], b2[:, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter, area(b1)[:, None] + area(b2) - inter


def enclosing(b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    lti = np.minimum(b1[:, None, :2], b2[:, :2])
    rbi = np.maximum(b1[:, None, 2:], b2[:, 2:])
    return np.clip(rbi - lti, 0, None)


def torch_iou(b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    inter, union = inter_union(b1, b2)
    with np.errstate(all="ignore"):
        return inter / union


def torch_giou(b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    inter, union = inter_union(b1, b2)
    whi = enclosing(b1, b2)
    areai = whi[:, :, 0] * whi[:, :, 1]
    with np.errstate(all="ignore"):
        return inter / union - (areai - union) / areai


def torch_diou_iou(b1: np.ndarray, b2: np.ndarray, eps: float = 1e-7) -> tuple[np.ndarray, np.ndarray]:
    """torchvision.ops.boxes._box_diou_iou."""
    iou_ = torch_iou(b1, b2)
    whi = enclosing(b1, b2)
    diag = (whi[:, :, 0] ** 2) + (whi[:, :, 1] ** 2) + b1.dtype.type(eps)
    two = b1.dtype.type(2)
    x_p, y_p = (b1[:, 0] + b1[:, 2]) / two, (b1[:, 1] + b1[:, 3]) / two
    x_g, y_g = (b2[:, 0] + b2[:, 2]) / two, (b2[:, 1] + b2[:, 3]) / two
    centers = ((x_p[:, None] - x_g[None, :]) ** 2) + ((y_p[:, None] - y_g[None, :]) ** 2)
    with np.errstate(all="ignore"):
        return iou_ - centers / diag, iou_


def torch_ciou(b1: np.ndarray, b2: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    diou, iou_ = torch_diou_iou(b1, b2, eps)
    t = b1.dtype.type
    w_pred, h_pred = b1[:, None, 2] - b1[:, None, 0], b1[:, None, 3] - b1[:, None, 1]
    w_gt, h_gt = b2[:, 2] - b2[:, 0], b2[:, 3] - b2[:, 1]
    with np.errstate(all="ignore"):
        v = t(4 / (np.pi**2)) * ((np.arctan(w_pred / h_pred) - np.arctan(w_gt / h_gt)) ** 2)
        alpha = v / (1 - iou_ + v + t(eps))
        return diou - alpha * v


def detectron2_ioa(b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """detectron2.structures.boxes.pairwise_ioa."""
    wh = np.clip(np.minimum(b1[:, None, 2:], b2[:, 2:]) - np.maximum(b1[:, None, :2], b2[:, :2]), 0, None)
    inter = wh[:, :, 0] * wh[:, :, 1]
    with np.errstate(all="ignore"):
        return np.where(inter > 0, inter / area(b2), 0).astype(b1.dtype)


REFERENCES = {"iou": torch_iou, "giou": torch_giou, "diou": lambda a, b: torch_diou_iou(a, b)[0],
              "ioa": detectron2_ioa}


def box_arrays(dtype: Any) -> st.SearchStrategy[np.ndarray]:
    coords = st.integers(-40, 40).map(lambda v: v / 4) | st.floats(-1e4, 1e4, width=32)
    return st.integers(0, 6).flatmap(lambda n: hnp.arrays(dtype, (n, 4), elements=coords))


def corners(boxes: np.ndarray) -> np.ndarray:
    """Ordered corners, with some degenerate (zero-area) boxes left in."""
    lo, hi = np.minimum(boxes[:, :2], boxes[:, 2:]), np.maximum(boxes[:, :2], boxes[:, 2:])
    return np.concatenate([lo, hi], axis=1)


@pytest.mark.parametrize("kind", sorted(REFERENCES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_measures_equal_references_bit_for_bit(kind: str, dtype: Any, data: st.DataObject) -> None:
    a = corners(data.draw(box_arrays(dtype)))
    b = corners(data.draw(box_arrays(dtype)))
    got = iou.box_iou(a, b, kind=kind)  # type: ignore[arg-type]
    want = REFERENCES[kind](a, b)
    assert got.dtype == dtype and got.shape == (len(a), len(b))
    assert np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_complete_iou_equals_reference(dtype: Any, data: st.DataObject) -> None:
    a = corners(data.draw(box_arrays(dtype)))
    b = corners(data.draw(box_arrays(dtype)))
    got = iou.box_iou(a, b, kind="ciou")
    want = torch_ciou(a, b)
    # atan is the one operation whose last bit may differ between math libraries
    assert np.allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=4 * np.finfo(dtype).eps, equal_nan=True)


def test_degenerate_boxes_follow_torchvision() -> None:
    point = np.array([[1.0, 1.0, 1.0, 1.0]])
    assert np.isnan(iou.box_iou(point, point)).all()
    assert iou.box_iou(point, point, kind="ioa").tolist() == [[0.0]]


def test_mixed_and_integer_dtypes_promote_like_torch() -> None:
    a32 = np.array([[0, 0, 3, 3]], np.float32)
    b64 = np.array([[1, 1, 2, 2]], np.float64)
    assert iou.box_iou(a32, b64).dtype == np.float64
    assert iou.box_iou(a32.astype(np.float16), a32).dtype == np.float32
    assert iou.box_iou(np.array([[0, 0, 3, 3]]), b64).tolist() == [[1 / 9]]


@given(data=st.data())
def test_xywh_is_pycocotools_bbox_iou(data: st.DataObject, pycocotools_mask: ModuleType) -> None:
    a = data.draw(box_arrays(np.float64))
    b = data.draw(box_arrays(np.float64))
    a[:, 2:], b[:, 2:] = np.abs(a[:, 2:]), np.abs(b[:, 2:])
    crowd = data.draw(hnp.arrays(np.uint8, len(b), elements=st.integers(0, 1)))
    got = iou.box_iou(a, b, fmt="xywh", iscrowd=crowd)
    if len(a) and len(b):
        assert np.array_equal(got, pycocotools_mask.iou(a, b, crowd))
    else:
        assert got.shape == (len(a), len(b))
    assert np.array_equal(iou.box_iou(a, b, fmt="xywh"), iou.box_iou(a, b, fmt="xywh", iscrowd=np.zeros(len(b), np.uint8)))


def test_xywh_other_kinds_convert_like_box_convert() -> None:
    a = np.array([[0, 0, 2, 2], [1, 0, 3, 1]], np.float32)
    b = np.array([[1, 1, 2, 2]], np.float32)
    to_xyxy = lambda x: np.concatenate([x[:, :2], x[:, :2] + x[:, 2:]], axis=1)  # noqa: E731
    assert np.array_equal(iou.box_iou(a, b, fmt="xywh", kind="giou"), torch_giou(to_xyxy(a), to_xyxy(b)))


def test_non_contiguous_and_byte_swapped_boxes() -> None:
    a = np.array([[0, 0, 4, 4], [1, 1, 2, 2]], ">f8")
    b = np.asfortranarray(np.array([[0, 0, 2, 2], [2, 2, 6, 6]], np.float64))[::-1]
    want = torch_iou(a.astype(np.float64), np.ascontiguousarray(b))
    assert np.array_equal(iou.box_iou(a, b), want)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: iou.box_iou([[0, 0, 1, np.nan]], [[0, 0, 1, 1]]), ValueError, r"must be finite, got nan at \[0, 3\]"),
        (lambda: iou.box_iou([[0, 0, 1, 1]], [[0, 0, np.inf, 1]]), ValueError, "must be finite"),
        (lambda: iou.box_iou([[0, 0, 1, 1]], [[0, 0, 1e300, 1]]), OverflowError, "at most"),
        (lambda: iou.box_iou(np.array([[0, 0, 1, 3e19]], np.float32), np.ones((1, 4), np.float32)), OverflowError, "float32"),
        (lambda: iou.box_iou([[0, 0, 1]], [[0, 0, 1, 1]]), ValueError, r"shape \(N, 4\)"),
        (lambda: iou.box_iou([[True] * 4], [[0, 0, 1, 1]]), TypeError, "dtype bool"),
        (lambda: iou.box_iou([["a"] * 4], [[0, 0, 1, 1]]), TypeError, "float16/32/64 or integer"),
        (lambda: iou.box_iou([[0, 0, 1, 1]], [[0, 0, 1, 1]], kind="siou"), ValueError, "kind must be"),  # type: ignore[arg-type]
        (lambda: iou.box_iou([[0, 0, 1, 1]], [[0, 0, 1, 1]], fmt="cxcywh"), ValueError, "fmt must be"),  # type: ignore[arg-type]
        (lambda: iou.box_iou([[0, 0, 1, 1]], [[0, 0, 1, 1]], iscrowd=[1]), ValueError, "iscrowd applies"),
        (lambda: iou.box_iou([[0, 0, 1, 1]], [[0, 0, 1, 1]], fmt="xywh", iscrowd=[1, 0]), ValueError, "one flag per"),
    ],
)
def test_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_thread_counts_agree(num_threads: int) -> None:
    rng = np.random.default_rng(3)
    a = corners(rng.uniform(0, 100, (300, 4)))
    b = corners(rng.uniform(0, 100, (200, 4)))
    assert np.array_equal(iou.box_iou(a, b, kind="diou"), torch_diou_iou(a, b)[0])
