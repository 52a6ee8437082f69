"""maskkit.iou.mask_nms (supervision) and matrix_nms (mmdet), against transcriptions of both.

supervision's mask NMS is NumPy: its float32 matmul IoU and greedy loop are transcribed in
maskkit._bench.nms_ports. mmdet's mask_matrix_nms is torch: it is transcribed there in NumPy
float32 with mmdet's operations in mmdet's order (the bit-for-bit oracle), and here with torch
itself, run where torch is installed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maskkit import iou
from maskkit._bench.nms_ports import mask_matrix_nms as matrix_nms_numpy
from maskkit._bench.nms_ports import mask_non_max_suppression as supervision_nms


def as_flags(kept: np.ndarray, n: int) -> np.ndarray:
    flags = np.zeros(n, bool)
    flags[kept] = True
    return flags


# ---------------------------------------------------------------- torch formulation

def matrix_nms_torch(torch: ModuleType, masks: np.ndarray, labels: np.ndarray, scores: np.ndarray,
                     kernel: str = "gaussian", sigma: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """mmdet's formulation in torch (no filter, nms_pre or max_num): (scores, keep_inds)."""
    m, lab, sc = torch.from_numpy(masks), torch.from_numpy(labels), torch.from_numpy(scores.astype(np.float32))
    area = m.sum((1, 2)).float()
    sc, sort_inds = torch.sort(sc, descending=True, stable=True)
    m, area, lab = m[sort_inds], area[sort_inds], lab[sort_inds]
    n = len(lab)
    flat = m.reshape(n, -1).float()
    inter = torch.mm(flat, flat.transpose(1, 0))
    ea = area.expand(n, n)
    iou_m = (inter / (ea + ea.transpose(1, 0) - inter)).triu(diagonal=1)
    el = lab.expand(n, n)
    lm = (el == el.transpose(1, 0)).triu(diagonal=1)
    comp, _ = (iou_m * lm).max(0)
    comp = comp.expand(n, n).transpose(1, 0)
    d = iou_m * lm
    if kernel == "gaussian":
        coef, _ = (torch.exp(-1 * sigma * (d ** 2)) / torch.exp(-1 * sigma * (comp ** 2))).min(0)
    else:
        coef, _ = ((1 - d) / (1 - comp)).min(0)
    sc = sc * coef
    sc, order = torch.sort(sc, descending=True, stable=True)
    return sc.numpy(), sort_inds[order].numpy()


# ---------------------------------------------------------------- data

def instances(rng: np.random.Generator, n: int, h: int, w: int, empty: bool = False) -> np.ndarray:
    """Overlapping blobs (rectangles and discs around a few centres), so NMS has work to do."""
    masks = np.zeros((n, h, w), bool)
    yy, xx = np.mgrid[:h, :w]
    centres = rng.uniform(0, 1, (max(1, n // 4), 2)) * (h, w)
    for i in range(n):
        if empty and rng.random() < 0.15:
            continue
        cy, cx = centres[rng.integers(len(centres))] + rng.normal(0, 3, 2)
        r = rng.uniform(2, max(3, min(h, w) / 3))
        if rng.random() < 0.5:
            masks[i] = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        else:
            masks[i] = (abs(yy - cy) < r) & (abs(xx - cx) < r * rng.uniform(0.5, 1.5))
    return masks


def identical(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------- mask_nms

@pytest.mark.parametrize("metric", ["iou", "ios"])
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("with_labels", [False, True])
def test_mask_nms_equals_supervision(metric: str, threshold: float, with_labels: bool) -> None:
    rng = np.random.default_rng(3)
    masks = instances(rng, 60, 48, 64, empty=True)
    scores = rng.random(60)
    scores[5:9] = scores[4]  # ties, ordered as NumPy's argsort orders them
    labels = rng.integers(0, 3, 60) if with_labels else None
    kept = iou.mask_nms(masks, scores, iou_threshold=threshold, labels=labels, metric=metric)  # type: ignore[arg-type]
    assert kept.dtype == np.int64
    order = np.argsort(scores)[::-1]
    assert np.array_equal(kept, order[np.isin(order, kept)])  # highest score first
    assert np.array_equal(as_flags(kept, 60), supervision_nms(masks, scores, threshold, labels, metric))


@given(st.data())
def test_mask_nms_property(data: st.DataObject) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n = data.draw(st.integers(0, 12))
    h, w = data.draw(st.integers(1, 20)), data.draw(st.integers(1, 90))
    masks = instances(rng, n, h, w, empty=True)
    scores = np.round(rng.random(n), data.draw(st.integers(1, 3))).astype(data.draw(st.sampled_from([np.float32, np.float64])))
    labels = rng.integers(0, 2, n) if data.draw(st.booleans()) else None
    threshold = data.draw(st.sampled_from([0.0, 0.1, 0.5, 0.75, 1.0]))
    metric = data.draw(st.sampled_from(["iou", "ios"]))
    kept = iou.mask_nms(masks, scores, iou_threshold=threshold, labels=labels, metric=metric)
    assert np.array_equal(as_flags(kept, n), supervision_nms(masks, scores, threshold, labels, metric))


def test_mask_nms_inputs() -> None:
    rng = np.random.default_rng(4)
    masks = instances(rng, 20, 30, 70)
    scores = rng.random(20)
    want = iou.mask_nms(masks, scores)
    assert np.array_equal(iou.mask_nms(np.asfortranarray(masks), scores), want)
    assert np.array_equal(iou.mask_nms(masks.astype(np.uint8)[:, ::-1][:, ::-1], scores), want)
    assert np.array_equal(iou.mask_nms(iou.BitMasks.from_dense(masks), list(scores)), want)
    assert np.array_equal(iou.mask_nms(masks, scores, labels=np.full(20, 2.5)), want)
    assert iou.mask_nms(np.zeros((0, 3, 3), bool), []).tolist() == []
    # labels compare by equality: floats, ints and negative values alike
    labels = rng.integers(-2, 2, 20)
    assert np.array_equal(iou.mask_nms(masks, scores, labels=labels),
                          iou.mask_nms(masks, scores, labels=labels.astype(np.float32)))


def test_mask_nms_threads_and_targets(simd_target: str, num_threads: int) -> None:
    rng = np.random.default_rng(8)
    masks = instances(rng, 50, 40, 130, empty=True)
    scores = rng.random(50)
    assert np.array_equal(as_flags(iou.mask_nms(masks, scores, iou_threshold=0.2), 50),
                          supervision_nms(masks, scores, 0.2, None))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(iou_threshold=1.5), ValueError),
        (dict(iou_threshold=-0.1), ValueError),
        (dict(iou_threshold=float("nan")), ValueError),
        (dict(iou_threshold="0.5"), TypeError),
        (dict(metric="ioa"), ValueError),
        (dict(labels=[0, 1]), ValueError),
        (dict(labels=["a", "b", "c"]), TypeError),
        (dict(labels=[0.0, float("nan"), 1.0]), ValueError),
    ],
)
def test_mask_nms_errors(kwargs: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        iou.mask_nms(np.zeros((3, 4, 4), bool), [0.1, 0.2, 0.3], **kwargs)


@pytest.mark.parametrize(
    "masks, scores, error",
    [
        (np.zeros((3, 4, 4), np.float32), [0.1, 0.2, 0.3], TypeError),
        (np.zeros((3, 4, 4), bool), [0.1, 0.2], ValueError),
        (np.zeros((3, 4, 4), bool), [0.1, float("inf"), 0.3], ValueError),
        (np.zeros((3, 4, 4), bool), ["a", "b", "c"], TypeError),
        (np.zeros((3, 4, 4), bool), [[0.1, 0.2, 0.3]], ValueError),
    ],
)
def test_mask_nms_bad_inputs(masks: np.ndarray, scores: Any, error: type) -> None:
    with pytest.raises(error):
        iou.mask_nms(masks, scores)


# ---------------------------------------------------------------- matrix_nms

def check_matrix(masks: np.ndarray, labels: np.ndarray, scores: np.ndarray, **kwargs: Any) -> None:
    got = iou.matrix_nms(masks, labels, scores, **kwargs)
    want = matrix_nms_numpy(masks, labels, scores, **kwargs)
    assert identical(got[0], want[0].astype(np.float32)), (got[0], want[0])
    assert identical(got[1], want[1])
    assert identical(got[2], want[2])
    assert identical(got[3], want[3].astype(np.int64))


@pytest.mark.parametrize("kernel", ["gaussian", "linear"])
@pytest.mark.parametrize("sigma", [2.0, 0.5])
@pytest.mark.parametrize("options", [{}, dict(filter_thr=0.05), dict(nms_pre=30, max_num=12), dict(filter_thr=0.9)])
def test_matrix_nms_equals_mmdet_transcription(kernel: str, sigma: float, options: dict[str, Any]) -> None:
    rng = np.random.default_rng(12)
    masks = instances(rng, 50, 40, 56)
    labels = rng.integers(0, 3, 50)
    scores = rng.random(50).astype(np.float32)
    check_matrix(masks, labels, scores, kernel=kernel, sigma=sigma, **options)


def test_matrix_nms_empty_masks_and_areas() -> None:
    rng = np.random.default_rng(13)
    masks = instances(rng, 30, 20, 24, empty=True)  # 0/0 IoUs give NaN scores, as in mmdet
    masks[3] = masks[4] = False
    labels = rng.integers(0, 2, 30)
    scores = rng.random(30).astype(np.float32)
    check_matrix(masks, labels, scores)
    check_matrix(masks, labels, scores, kernel="linear", filter_thr=0.1)
    area = masks.sum((1, 2)).astype(np.float32) + np.float32(0.5)
    check_matrix(masks, labels, scores, mask_area=area)
    check_matrix(masks.astype(np.uint8), labels.astype(np.int32), scores)
    check_matrix(masks[:0], labels[:0], scores[:0])


@given(st.data())
def test_matrix_nms_property(data: st.DataObject) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n = data.draw(st.integers(1, 14))
    masks = instances(rng, n, data.draw(st.integers(1, 16)), data.draw(st.integers(1, 80)), empty=True)
    labels = rng.integers(0, data.draw(st.integers(1, 3)), n)
    scores = np.round(rng.random(n), data.draw(st.integers(1, 4))).astype(np.float32)
    kwargs = dict(kernel=data.draw(st.sampled_from(["gaussian", "linear"])),
                  filter_thr=data.draw(st.sampled_from([-1, 0.1, 0.5])),
                  nms_pre=data.draw(st.integers(-1, 16)), max_num=data.draw(st.integers(-1, 16)))
    check_matrix(masks, labels, scores, **kwargs)


@pytest.mark.parametrize("kernel", ["gaussian", "linear"])
def test_matrix_nms_equals_torch(kernel: str) -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed (not a test dependency); the NumPy transcription still runs")
    rng = np.random.default_rng(21)
    masks = instances(rng, 80, 50, 70)
    labels = rng.integers(0, 3, 80)
    scores = rng.random(80).astype(np.float32)
    got_scores, _, _, got_inds = iou.matrix_nms(masks, labels, scores, kernel=kernel)  # type: ignore[arg-type]
    want_scores, want_inds = matrix_nms_torch(torch, masks, labels, scores, kernel)
    assert np.array_equal(got_inds, want_inds)
    # torch's exp (SLEEF) and NumPy's may round a decay one unit in the last place apart
    np.testing.assert_array_max_ulp(got_scores, want_scores, maxulp=0 if kernel == "linear" else 2)


def test_matrix_nms_threads_and_targets(simd_target: str, num_threads: int) -> None:
    rng = np.random.default_rng(22)
    masks = instances(rng, 40, 30, 100)
    check_matrix(masks, rng.integers(0, 2, 40), rng.random(40).astype(np.float32))


@pytest.mark.parametrize(
    "args, kwargs, error",
    [
        ((np.zeros((2, 3, 3), np.float32), [0, 0], [0.1, 0.2]), {}, TypeError),
        ((np.zeros((3, 3), bool), [0, 0], [0.1, 0.2]), {}, ValueError),
        ((np.zeros((2, 3, 3), bool), [0], [0.1, 0.2]), {}, ValueError),
        ((np.zeros((2, 3, 3), bool), [0, 0], [0.1, np.nan]), {}, ValueError),
        ((np.zeros((2, 3, 3), bool), [0, 0], [0.1, 0.2]), dict(kernel="box"), ValueError),
        ((np.zeros((2, 3, 3), bool), [0, 0], [0.1, 0.2]), dict(sigma="2"), TypeError),
        ((np.zeros((2, 3, 3), bool), [0, 0], [0.1, 0.2]), dict(nms_pre=2.5), TypeError),
        ((np.zeros((2, 3, 3), bool), [0, 0], [0.1, 0.2]), dict(max_num=True), TypeError),
        ((np.zeros((2, 3, 3), bool), [0, 0], [0.1, 0.2]), dict(mask_area=[1.0]), ValueError),
        ((np.zeros((2, 3, 3), bool), [0, 0], [0.1, 0.2]), dict(filter_thr=float("nan")), ValueError),
    ],
)
def test_matrix_nms_errors(args: tuple[Any, ...], kwargs: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        iou.matrix_nms(*args, **kwargs)
