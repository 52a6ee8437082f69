"""Fuzz maskkit.iou.mask_nms and matrix_nms.

Mask stacks as fuzz_iou draws them (uint8/bool and refused dtypes, empty axes, widths around the
64-pixel words, values other than 0/1, hostile layouts, as arrays, BitMasks or RLEs); scores and
labels in every numeric dtype and byte order, with ties, NaN, inf and wrong lengths; thresholds,
metrics, kernels and counts in every combination, some malformed. An accepted call is checked
against the NumPy transcriptions of supervision and mmdet in maskkit._bench.nms_ports on the
masks as 0/1; the raw core is also fed orders that point outside the stack.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import _core, iou
from maskkit._bench import nms_ports

from .fuzz_iou import as_input, mask_stacks, sizes
from .harness import clean_call, fuzz, hostile_layouts, native_copy

NUMBERS = ["<f4", ">f4", "<f8", ">f8", "<f2", "i4", "u1", "?"]


@st.composite
def per_mask(draw: st.DrawFn, n: int, values: st.SearchStrategy[float]) -> Any:
    """One value per mask in some dtype, now and then of the wrong length, kind or shape."""
    form = draw(st.integers(0, 19))
    if form == 0:
        return ["a"] * n
    if form == 1:
        return np.zeros((n, 1))
    length = n + 1 if form == 2 else n
    arr = draw(hnp.arrays(np.float64, length, elements=values))
    dtype = draw(st.sampled_from(NUMBERS))
    with np.errstate(all="ignore"):
        return arr.astype(dtype)


@st.composite
def stacks_and_scores(draw: st.DrawFn, scores: list[float]) -> tuple[np.ndarray, Any]:
    """A hostile mask stack and scores for it drawn from ``scores``."""
    h, w = draw(sizes())
    masks = draw(hostile_layouts(mask_stacks(h, w)))
    return masks, draw(per_mask(len(masks), st.sampled_from(scores)))


def zero_one(masks: np.ndarray) -> np.ndarray:
    return (native_copy(masks) != 0).astype(np.uint8)


@fuzz
@given(data=st.data())
def test_fuzz_mask_nms(data: st.DataObject) -> None:
    masks, scores = data.draw(stacks_and_scores([0.1, 0.5, 0.5, 0.9, 3.0, -1.0, np.nan, np.inf]))
    n = len(masks)
    labels = None if data.draw(st.booleans()) else data.draw(per_mask(n, st.sampled_from([0.0, 1.0, 2.0, -1.0, np.nan])))
    threshold = data.draw(st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, -0.1, np.nan, "0.5", None]))
    metric = data.draw(st.sampled_from(["iou", "iou", "ios", "ioa", 0]))
    source = as_input(data.draw, masks)
    got = clean_call(iou.mask_nms, source, scores, iou_threshold=threshold, labels=labels, metric=metric)  # type: ignore[arg-type]
    if got is None:
        return
    assert got.dtype == np.int64 and got.ndim == 1
    order_scores = native_copy(np.asarray(scores))
    if order_scores.dtype.kind != "f":
        order_scores = order_scores.astype(np.float64)
    classes = None if labels is None else native_copy(np.asarray(labels)).astype(np.float64)
    keep = np.zeros(n, bool)
    keep[got] = True
    want = nms_ports.mask_non_max_suppression(zero_one(masks), order_scores, float(threshold), classes, str(metric))  # type: ignore[arg-type]
    assert np.array_equal(keep, want)


@fuzz
@given(data=st.data())
def test_fuzz_matrix_nms(data: st.DataObject) -> None:
    masks, scores = data.draw(stacks_and_scores([0.1, 0.5, 0.5, 0.9, 3.0, -1.0, 0.0, np.nan]))
    n = len(masks)
    labels = data.draw(per_mask(n, st.sampled_from([0.0, 1.0, 1.0, 2.0, np.inf])))
    area = None if data.draw(st.integers(0, 3)) else data.draw(per_mask(n, st.sampled_from([0.0, 1.0, 5.5, 100.0, np.nan])))
    options = dict(
        kernel=data.draw(st.sampled_from(["gaussian", "linear", "box"])),
        sigma=data.draw(st.sampled_from([2.0, 0.5, 0, -1.0, "2"])),
        filter_thr=data.draw(st.sampled_from([-1, 0.05, 0.5, 2.0])),
        nms_pre=data.draw(st.sampled_from([-1, 0, 1, 3, 2.0])),
        max_num=data.draw(st.sampled_from([-1, 0, 1, 3, None])),
    )
    got = clean_call(iou.matrix_nms, masks, labels, scores, mask_area=area, **options)  # type: ignore[arg-type]
    if got is None:
        return
    dense = zero_one(masks)
    want = nms_ports.mask_matrix_nms(dense, native_copy(np.asarray(labels)), native_copy(np.asarray(scores)),
                                     mask_area=None if area is None else native_copy(np.asarray(area)).astype(np.float32),
                                     **options)
    assert got[0].tobytes() == want[0].astype(np.float32).tobytes()
    assert np.array_equal(got[3], want[3])
    assert np.array_equal(got[1], want[1]) and got[1].dtype == np.asarray(labels).dtype
    assert np.array_equal(got[2] != 0, want[2] != 0) and got[2].dtype == masks.dtype


@fuzz
@given(data=st.data())
def test_fuzz_core_nms_with_lying_orders(data: st.DataObject) -> None:
    h, w = data.draw(sizes())
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32)))
    bits = iou.BitMasks.from_dense(rng.random((4, h, w)) < 0.4)
    order = np.array(data.draw(st.lists(st.integers(-3, 6), max_size=6)), np.int64)
    labels = data.draw(st.sampled_from([None, np.zeros(4, np.int64), np.zeros(3, np.int64)]))
    keep = clean_call(_core.iou_nms, bits._parts(), w, order, labels, 0.5, data.draw(st.integers(-1, 2)), False)
    if keep is not None:
        assert keep.shape == order.shape
    upper = clean_call(_core.iou_upper_intersections, bits._parts(), w, order)
    if upper is not None:
        assert upper.shape == (len(order), len(order)) and (upper <= h * w).all()
