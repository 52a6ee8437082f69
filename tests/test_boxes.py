"""maskkit.boxes against NumPy transcriptions of torchvision's, SAM's, SAM2's and detectron2's
mask-to-box functions, and mask_stats against integer sums (and cv2.moments)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import boxes
from maskkit._bench.workloads_iou import torchvision_masks_to_boxes as torchvision_boxes


def sam_boxes(masks: np.ndarray) -> np.ndarray:
    """segment_anything.utils.amg.batched_mask_to_box."""
    if masks.size == 0:
        return np.zeros(masks.shape[:-2] + (4,), np.float32)
    shape = masks.shape
    h, w = shape[-2:]
    flat = masks.reshape((-1, h, w)) != 0
    in_height = flat.max(-1)
    coords = in_height * np.arange(h)[None, :]
    bottom = coords.max(-1)
    top = (coords + h * ~in_height).min(-1)
    in_width = flat.max(-2)
    coords = in_width * np.arange(w)[None, :]
    right = coords.max(-1)
    left = (coords + w * ~in_width).min(-1)
    empty = (right < left) | (bottom < top)
    out = np.stack([left, top, right, bottom], -1) * ~empty[:, None]
    return out.reshape(shape[:-2] + (4,)).astype(np.int64)


def sam2_boxes(masks: np.ndarray) -> np.ndarray:
    """sam2.utils.misc.mask_to_box, for (..., H, W)."""
    h, w = masks.shape[-2:]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.int32), np.arange(h, dtype=np.int32), indexing="xy")
    m = masks != 0
    flat = lambda a: a.reshape(a.shape[:-2] + (h * w,))  # noqa: E731
    min_x = flat(np.where(m, gx, np.int32(w))).min(-1)
    max_x = flat(np.where(m, gx, np.int32(-1))).max(-1)
    min_y = flat(np.where(m, gy, np.int32(h))).min(-1)
    max_y = flat(np.where(m, gy, np.int32(-1))).max(-1)
    return np.stack((min_x, min_y, max_x, max_y), -1).astype(np.int32)


def detectron2_boxes(masks: np.ndarray) -> np.ndarray:
    """detectron2.structures.masks.BitMasks.get_bounding_boxes."""
    out = np.zeros((masks.shape[0], 4), np.float32)
    x_any, y_any = (masks != 0).any(1), (masks != 0).any(2)
    for i in range(masks.shape[0]):
        x, y = np.nonzero(x_any[i])[0], np.nonzero(y_any[i])[0]
        if len(x) and len(y):
            out[i] = [x[0], y[0], x[-1] + 1, y[-1] + 1]
    return out


REFERENCES = {"torchvision": torchvision_boxes, "sam": sam_boxes, "sam2": sam2_boxes, "detectron2": detectron2_boxes}

sparse = st.integers(0, 20).map(lambda v: np.uint8(v if v > 17 else 0))
stacks = st.tuples(st.integers(0, 4), st.integers(0, 12), st.integers(0, 75)).flatmap(
    lambda s: hnp.arrays(np.uint8, s, elements=sparse)
)


@pytest.mark.parametrize("convention", sorted(REFERENCES))
@given(masks=stacks)
def test_conventions_equal_references(convention: str, masks: np.ndarray) -> None:
    if convention == "sam2" and masks.shape[1] * masks.shape[2] == 0:
        with pytest.raises(ValueError, match="need masks with pixels"):
            boxes.masks_to_boxes(masks, convention="sam2")
        return
    got = boxes.masks_to_boxes(masks, convention=convention)  # type: ignore[arg-type]
    want = REFERENCES[convention](masks)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)
    # layouts read in place give the same boxes
    assert np.array_equal(boxes.masks_to_boxes(np.asfortranarray(masks), convention=convention), want)  # type: ignore[arg-type]
    assert np.array_equal(boxes.masks_to_boxes(masks.astype(bool), convention=convention), want)  # type: ignore[arg-type]


def test_flipped_views() -> None:
    rng = np.random.default_rng(0)
    masks = rng.random((5, 30, 90)) < 0.01
    view = masks[::-1, ::-1, ::-2]
    assert np.array_equal(boxes.masks_to_boxes(view), torchvision_boxes(np.ascontiguousarray(view)))


def test_leading_dimensions_for_sam() -> None:
    rng = np.random.default_rng(1)
    masks = rng.random((2, 3, 9, 8)) < 0.05
    assert np.array_equal(boxes.masks_to_boxes(masks, convention="sam"), sam_boxes(masks))
    assert np.array_equal(boxes.masks_to_boxes(masks, convention="sam2"), sam2_boxes(masks))
    assert boxes.masks_to_boxes(masks[0, 0], convention="sam").shape == (4,)


def test_empty_options_and_dtype() -> None:
    masks = np.zeros((2, 3, 4), bool)
    masks[1, 2, 3] = True
    with pytest.raises(ValueError, match="mask 0 is empty"):
        boxes.masks_to_boxes(masks, empty="raise")
    assert boxes.masks_to_boxes(masks, empty="sam2").tolist() == [[4, 3, -1, -1], [3, 2, 3, 2]]
    assert boxes.masks_to_boxes(masks, convention="sam2", empty="zeros").tolist() == [[0, 0, 0, 0], [3, 2, 3, 2]]
    assert boxes.masks_to_boxes(masks, dtype=np.int16).dtype == np.int16


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: boxes.masks_to_boxes(np.zeros((2, 2), bool)), ValueError, "3-D"),
        (lambda: boxes.masks_to_boxes(np.zeros(3, bool), convention="sam"), ValueError, "at least 2"),
        (lambda: boxes.masks_to_boxes(np.zeros((1, 2, 2), np.float32)), TypeError, "dtype uint8 or bool"),
        (lambda: boxes.masks_to_boxes(np.zeros((1, 2, 2), bool), convention="yolo"), ValueError, "convention must"),  # type: ignore[arg-type]
        (lambda: boxes.masks_to_boxes(np.zeros((1, 2, 2), bool), empty="nan"), ValueError, "empty must"),  # type: ignore[arg-type]
        (lambda: boxes.mask_stats(np.zeros((1, 1, 2, 2), bool)), ValueError, "got shape"),
        (lambda: boxes.mask_stats(np.zeros((1, 2, 2), np.int32)), TypeError, "dtype uint8 or bool"),
    ],
)
def test_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


@given(masks=stacks)
def test_stats_equal_integer_sums(masks: np.ndarray) -> None:
    s = boxes.mask_stats(masks)
    fg = masks != 0
    ys, xs = np.indices(masks.shape[1:], dtype=np.int64)
    sums = [lambda m: m.sum(), lambda m: (xs * m).sum(), lambda m: (ys * m).sum(), lambda m: (xs * xs * m).sum(),
            lambda m: (xs * ys * m).sum(), lambda m: (ys * ys * m).sum()]
    want = np.array([[f(m) for f in sums] for m in fg.astype(np.int64)], np.float64).reshape(-1, 6)
    assert np.array_equal(s["moments"], want)
    assert np.array_equal(s["area"], fg.sum((1, 2)))
    assert np.array_equal(s["bbox"], boxes.masks_to_boxes(masks, convention="sam").reshape(-1, 4))
    with np.errstate(invalid="ignore", divide="ignore"):
        assert np.array_equal(s["centroid"], want[:, 1:3] / want[:, :1], equal_nan=True)


def test_stats_equal_cv2_moments(cv2: ModuleType) -> None:
    rng = np.random.default_rng(4)
    masks = (rng.random((3, 50, 70)) < 0.2).astype(np.uint8)
    s = boxes.mask_stats(masks)
    for i, m in enumerate(masks):
        ref = cv2.moments(m, binaryImage=True)
        assert s["moments"][i].tolist() == [ref[k] for k in ("m00", "m10", "m01", "m20", "m11", "m02")]


def test_thread_counts_agree(num_threads: int) -> None:
    rng = np.random.default_rng(2)
    masks = rng.random((40, 20, 33)) < 0.02
    assert np.array_equal(boxes.masks_to_boxes(masks), torchvision_boxes(masks))
    assert np.array_equal(boxes.mask_stats(masks)["area"], masks.sum((1, 2)))


def test_every_simd_target_agrees(simd_target: str) -> None:
    rng = np.random.default_rng(6)
    masks = np.zeros((30, 20, 300), np.uint8)
    for i, m in enumerate(masks):  # single pixels put the edges at every offset of a 64-byte step
        m[rng.integers(0, 20, 2), rng.integers(0, 300, 2)] = 1 + i
    masks[0] = 0
    for convention, reference in REFERENCES.items():
        assert np.array_equal(boxes.masks_to_boxes(masks, convention=convention), reference(masks))  # type: ignore[arg-type]
