"""Fuzz maskkit.boxes.paste_masks_in_image and crop_masks.

Soft masks in float16/32/64, uint8 and bool (and refused dtypes) with NaN, inf, negative and
above-one values, empty axes and hostile layouts; boxes as fuzz_iou draws them (every float width
and byte order, NaN, inf, huge and inverted coordinates, wrong shapes); image sizes and
thresholds valid and malformed. An accepted call is checked against the NumPy transcriptions of
detectron2 and ultralytics in maskkit._bench.nms_ports, on the inputs converted as the functions
document.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import boxes
from maskkit._bench import nms_ports

from .fuzz_iou import box_arrays
from .harness import clean_call, fuzz, hostile_layouts, native_copy

SOFT_DTYPES = ["<f4", ">f4", "<f8", ">f8", "u1", "?"]
ODD_DTYPES = ["<f2", "i4", "c8", "O"]


@st.composite
def soft_masks(draw: st.DrawFn, n: int) -> np.ndarray:
    shape = (n, draw(st.integers(0, 6)), draw(st.integers(0, 6)))
    values = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, 1.0, -0.5, 2.0, np.nan, np.inf])
    arr = draw(hnp.arrays(np.float64, shape, elements=values))
    dtype = draw(st.sampled_from(SOFT_DTYPES + ODD_DTYPES if draw(st.integers(0, 9)) == 0 else SOFT_DTYPES))
    with np.errstate(all="ignore"):
        return arr.astype(dtype) if dtype != "O" else arr.astype(object)


@st.composite
def boxes_and_masks(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Hostile boxes and masks, one mask per box but now and then one too many."""
    b = draw(hostile_layouts(box_arrays()))
    n = len(b) if draw(st.integers(0, 9)) else len(b) + 1
    return b, draw(hostile_layouts(soft_masks(n)))


def float_boxes(b: np.ndarray) -> np.ndarray:
    native = native_copy(b)
    return native.astype(np.float64 if native.dtype == np.float64 else np.float32)


@fuzz
@given(data=st.data())
def test_fuzz_paste_masks_in_image(data: st.DataObject) -> None:
    b, masks = data.draw(boxes_and_masks())
    shape: Any = data.draw(st.sampled_from([(12, 9), (5, 30), (1, 1), (0, 7), (9,), (-1, 4), (2**32, 1), (3, 2.5)]))
    threshold = data.draw(st.sampled_from([0.5, 0.5, 0.0, 1.0, 0.3, -1.0, np.nan, "x"]))
    got = clean_call(boxes.paste_masks_in_image, masks, b, shape, threshold)
    if got is None:
        return
    m = native_copy(masks)
    m = m.astype(np.float64 if m.dtype == np.float64 else np.float32)
    want = nms_ports.paste_masks_in_image(m, float_boxes(b), shape[0], shape[1], threshold)
    assert got.dtype == want.dtype and np.array_equal(got, want)


@fuzz
@given(data=st.data())
def test_fuzz_crop_masks(data: st.DataObject) -> None:
    b, masks = data.draw(boxes_and_masks())
    got = clean_call(boxes.crop_masks, masks, b)
    if got is None:
        return
    want = nms_ports.crop_mask(native_copy(masks), float_boxes(b))
    assert got.dtype == masks.dtype.newbyteorder("=") and got.tobytes() == want.tobytes()
