"""Fuzz maskkit.iou.mask_to_boundary and boundary_iou.

Masks come as (H, W) or (N, H, W) stacks in uint8/bool (now and then a refused dtype or rank),
with empty axes, widths around the 64-pixel words, values other than 0/1, boxes that touch the
border and hostile layouts; ratios from 0 through radii larger than the image, with NaN, inf,
negative and non-numeric ones. An accepted call is checked against a NumPy oracle: the minimum
over the (2d + 1)^2 square (zero padding), taken along rows and then columns with
``sliding_window_view``, subtracted from the mask; boundary IoU against integer counts of the
oracle's boundaries.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib.stride_tricks import sliding_window_view

from maskkit import _core, iou

from .harness import clean_call, fuzz, hostile_layouts, native_copy

RATIOS = st.one_of(
    st.sampled_from([0.0, 0.02, 0.02, 0.1, 0.3, 1.0, 1e300, -0.02, math.nan, math.inf, "0.02", None, True]),
    st.floats(0.0, 0.7),
)


@st.composite
def masks(draw: st.DrawFn) -> np.ndarray:
    h = draw(st.integers(0, 40))
    w = draw(st.sampled_from([0, 1, 5, 31, 63, 64, 65, 129]))
    n = draw(st.integers(0, 3))
    values = np.zeros((n, h, w), np.uint8)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    grey = draw(st.integers(0, 5)) == 0
    for plane in values:
        for _ in range(int(rng.integers(0, 4))):
            y0, x0 = int(rng.integers(0, h + 1)), int(rng.integers(0, w + 1))
            y1, x1 = int(rng.integers(y0, h + 1)), int(rng.integers(x0, w + 1))
            plane[y0:y1, x0:x1] = rng.integers(1, 256) if grey else 1
        plane[rng.random((h, w)) < rng.uniform(0, 0.1)] = 0
    if draw(st.booleans()) and n:
        values = values[0]
    elif draw(st.integers(0, 19)) == 0:
        values = draw(st.sampled_from([np.ones((), np.uint8), values.reshape(-1), values[None]]))
    dtype = draw(st.sampled_from(["u1", "u1", "?"] + (["i1", ">u2", "f4"] if draw(st.integers(0, 9)) == 0 else [])))
    return values.astype(dtype)


def oracle_boundary(mask: np.ndarray, d: int) -> np.ndarray:
    """mask - (the minimum over the (2d + 1)^2 square around each pixel, the outside as 0)."""
    m = mask.astype(np.uint8)
    side = 2 * d + 1
    padded = np.pad(m, d)
    rows = sliding_window_view(padded, side, axis=1).min(-1)
    return m - sliding_window_view(rows, side, axis=0).min(-1)


def reference_d(h: int, w: int, ratio: float) -> int:
    value = ratio * math.sqrt(h * h + w * w)
    return max(h, w, 1) if value >= max(h, w, 1) else max(1, int(round(value)))


def oracle_stack(stack: np.ndarray, ratio: float) -> np.ndarray:
    d = reference_d(stack.shape[1], stack.shape[2], ratio)
    if stack.size == 0:
        return np.zeros(stack.shape, np.uint8)
    return np.stack([oracle_boundary(m, d) for m in stack])


@fuzz
@given(data=st.data())
def test_fuzz_mask_to_boundary(data: st.DataObject) -> None:
    m = data.draw(hostile_layouts(masks(), keep_shape=False))
    ratio: Any = data.draw(RATIOS)
    got = clean_call(iou.mask_to_boundary, m, ratio)
    if got is None:
        return
    plain = native_copy(m).astype(np.uint8)
    stack = plain[None] if plain.ndim == 2 else plain
    want = oracle_stack(stack, float(ratio))
    assert got.dtype == np.uint8 and got.flags.c_contiguous and got.shape == m.shape
    assert np.array_equal(got, want[0] if plain.ndim == 2 else want)


@fuzz
@given(data=st.data())
def test_fuzz_boundary_iou(data: st.DataObject) -> None:
    a = data.draw(hostile_layouts(masks()))
    b = a if data.draw(st.integers(0, 4)) == 0 else data.draw(hostile_layouts(masks()))
    ratio: Any = data.draw(RATIOS)
    got = clean_call(iou.boundary_iou, a, b, dilation_ratio=ratio)
    if got is None:
        return

    def flat(x: np.ndarray) -> np.ndarray:
        plain = (native_copy(x) != 0).astype(np.uint8)
        stack = plain[None] if plain.ndim == 2 else plain
        return oracle_stack(stack, float(ratio)).reshape(len(stack), stack.shape[1] * stack.shape[2]).astype(np.int64)

    fa, fb = flat(a), flat(b)
    inter = fa @ fb.T
    union = fa.sum(1)[:, None] + fb.sum(1)[None, :] - inter
    want = np.divide(inter, union, out=np.zeros(inter.shape), where=union != 0)
    assert got.dtype == np.float64 and np.array_equal(got, want)


@fuzz
@given(data=st.data())
def test_fuzz_core_boundaries_any_radius(data: st.DataObject) -> None:
    m = data.draw(hostile_layouts(hnp.arrays(np.uint8, (2, data.draw(st.integers(0, 12)), 65), elements=st.sampled_from([0, 1, 1, 9]))))
    d = data.draw(st.sampled_from([-1, 0, 1, 2, 5, 40, 2**62, 2**63 - 1]))
    got = clean_call(_core.iou_mask_boundaries, m, d, data.draw(st.booleans()))
    if got is not None:
        assert got.shape == m.shape and (got <= np.asarray(m)).all()
    packed = clean_call(_core.iou_pack_boundaries, m, d)
    if packed is not None:
        binary = _core.iou_mask_boundaries(m, d, True)
        assert np.array_equal(_core.iou_unpack(packed[0], m.shape[2]), binary)
        assert np.array_equal(packed[2], binary.reshape(len(binary), -1).sum(1))
