"""Fuzz maskkit.iou and maskkit.boxes.

Mask stacks come in uint8/bool (and now and then a refused dtype), with empty axes, widths
around the 64-pixel word boundaries, values other than 0/1 and hostile layouts (negative, zero
and large strides, Fortran order, read-only views), as arrays, BitMasks or RLEs; box arrays in
every float width and byte order with NaN, inf, huge and degenerate coordinates; options in
every combination, some malformed. An accepted call is checked against plain integer NumPy
(masks) or the NumPy transcriptions of the references in the tests (boxes); the raw core is
also fed packed stacks whose boxes lie about the words.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import _core, boxes, iou, rle

from ..test_boxes import REFERENCES as BOX_CONVENTIONS
from ..test_iou_boxes import REFERENCES as BOX_MEASURES
from ..test_iou_boxes import torch_ciou
from .harness import clean_call, fuzz, hostile_layouts, native_copy

MASK_DTYPES = ["u1", "?"]
ODD_DTYPES = ["i1", "<u2", "f4", "O"]


@st.composite
def mask_stacks(draw: st.DrawFn, h: int, w: int) -> np.ndarray:
    dtype = draw(st.sampled_from(MASK_DTYPES + ODD_DTYPES if draw(st.integers(0, 15)) == 0 else MASK_DTYPES))
    n = draw(st.integers(0, 4))
    values = draw(hnp.arrays(np.uint8, (n, h, w), elements=st.sampled_from([0, 0, 0, 1, 1, 7, 255])))
    if draw(st.booleans()):  # one dense rectangle, so boxes overlap in ranges of words
        y0, x0 = draw(st.integers(0, h)), draw(st.integers(0, w))
        values[:, y0 : draw(st.integers(y0, h)), x0 : draw(st.integers(x0, w))] = 1
    return values.astype(dtype) if dtype != "O" else values.astype(object)


@st.composite
def sizes(draw: st.DrawFn) -> tuple[int, int]:
    return draw(st.integers(0, 9)), draw(st.sampled_from([0, 1, 7, 63, 64, 65, 127, 130, 200]))


def oracle(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    fa = (native_copy(a).reshape(len(a), -1) != 0).astype(np.int64) if a.size else np.zeros((len(a), 0), np.int64)
    fb = (native_copy(b).reshape(len(b), -1) != 0).astype(np.int64) if b.size else np.zeros((len(b), 0), np.int64)
    if fa.shape[1] != fb.shape[1]:
        fa, fb = fa[:, :0], fb[:, :0]
    return fa @ fb.T, fa.sum(1), fb.sum(1)


def as_input(draw: st.DrawFn, masks: np.ndarray) -> Any:
    form = draw(st.sampled_from(["array", "array", "bits", "rle", "coco"]))
    if form == "bits" and masks.dtype in (np.uint8, np.bool_):
        return iou.BitMasks.from_dense(masks)
    if form in ("rle", "coco") and masks.dtype in (np.uint8, np.bool_) and len(masks):
        batch = rle.encode((np.ascontiguousarray(masks) != 0).astype(np.uint8))
        return batch if form == "rle" else batch.to_coco()
    return masks


@fuzz
@given(data=st.data())
def test_fuzz_mask_iou(data: st.DataObject) -> None:
    h, w = data.draw(sizes())
    a = data.draw(hostile_layouts(mask_stacks(h, w)))
    same = data.draw(st.integers(0, 5)) > 0
    b = data.draw(hostile_layouts(mask_stacks(h, w) if same else mask_stacks(*data.draw(sizes()))))
    metric = data.draw(st.sampled_from(["iou", "iou", "ios", "ioa", "dice", 3]))
    empty = data.draw(st.sampled_from([0.0, 1.0, float("nan"), -1, "x", None]))
    crowd = data.draw(st.sampled_from([None, None, "valid", "short", "float"]))
    flags: Any = None
    if crowd == "valid":
        flags = data.draw(hnp.arrays(np.int64, len(b), elements=st.integers(0, 2)))
    elif crowd == "short":
        flags = [1] * (len(b) + 1)
    elif crowd == "float":
        flags = np.full(len(b), 0.5)
    inputs = (data.draw(st.sampled_from(["a", "input"])), data.draw(st.sampled_from(["b", "input"])))
    left = as_input(data.draw, a) if inputs[0] == "input" else a
    right = as_input(data.draw, b) if inputs[1] == "input" else b
    got = clean_call(iou.mask_iou, left, right, iscrowd=flags, metric=metric, empty=empty)  # type: ignore[arg-type]
    inter = clean_call(iou.mask_intersection, left, right)
    if got is None or a.shape[1:] != b.shape[1:]:
        return
    want_inter, area_a, area_b = oracle(a, b)
    if inter is not None:
        assert np.array_equal(inter, want_inter)
    assert got.shape == (len(a), len(b)) and got.dtype == np.float64 and got.flags.c_contiguous
    i = want_inter.astype(np.float64)
    fa, fb = area_a.astype(np.float64)[:, None], area_b.astype(np.float64)[None, :]
    if metric == "iou":
        denom = fa + fb - i
        if flags is not None:
            denom = np.where(np.asarray(flags)[None, :] != 0, fa + 0 * i, denom)
    elif metric == "ios":
        denom = np.minimum(fa, fb) + 0 * i
    else:
        denom = fb + 0 * i
    want = np.full(i.shape, float(empty), np.float64)  # type: ignore[arg-type]
    np.divide(i, denom, out=want, where=denom != 0)
    assert np.array_equal(got, want, equal_nan=True)


@fuzz
@given(data=st.data())
def test_fuzz_bitmasks(data: st.DataObject) -> None:
    h, w = data.draw(sizes())
    m = data.draw(hostile_layouts(mask_stacks(h, w)))
    bits = clean_call(iou.BitMasks.from_dense, m)
    if bits is not None:
        dense = native_copy(m) != 0
        assert np.array_equal(bits.to_dense(), dense)
        assert np.array_equal(bits.area, dense.sum((1, 2)))
        assert pickle.loads(pickle.dumps(bits)) == bits
        assert np.array_equal(iou.mask_area(bits), iou.mask_area(m))
    # words from anywhere: padding bits set, wrong shapes and dtypes
    wpr = (w + 63) // 64
    shape = data.draw(st.sampled_from([(2, h, wpr), (1, h, wpr + 1), (h, wpr), (0, h, wpr)]))
    words = np.random.default_rng(data.draw(st.integers(0, 2**32))).integers(0, 2**63, shape, dtype=np.uint64)
    dtype = data.draw(st.sampled_from(["<u8", "<u8", ">u8", "i8", "f8"]))
    width = data.draw(st.sampled_from([w, w, -1, 2**40, 1.5]))
    restored = clean_call(iou.BitMasks, words.astype(dtype), width)  # type: ignore[arg-type]
    if restored is not None:
        assert restored.to_dense().shape == (shape[0], h, width)


@fuzz
@given(data=st.data())
def test_fuzz_core_intersections_with_lying_boxes(data: st.DataObject) -> None:
    h, w = data.draw(sizes())
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32)))
    a = iou.BitMasks.from_dense(rng.random((3, h, w)) < 0.3)
    lies = rng.integers(-2**62, 2**62, (3, 4), dtype=np.int64)
    areas = rng.integers(0, 2**63, 3, dtype=np.uint64)
    parts = (a.words, lies if data.draw(st.booleans()) else a._boxes, areas)
    out = clean_call(_core.iou_intersections, parts, w, a._parts(), data.draw(st.sampled_from([w, w + 1, -3])))
    if out is not None:
        assert out.shape == (3, 3) and (out <= h * w).all()


FLOATS = ["<f2", "<f4", ">f4", "<f8", ">f8"]


@st.composite
def box_arrays(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(0, 5))
    cols = draw(st.sampled_from([4, 4, 4, 3]))
    coords = st.integers(-8, 8).map(float) | st.floats(-1e6, 1e6, width=32) | st.sampled_from(
        [np.nan, np.inf, -np.inf, 1e30, -1e300, 2.0**61]
    )
    values = draw(hnp.arrays(np.float64, (n, cols), elements=coords))
    if cols == 4 and draw(st.booleans()):  # ordered corners, the references' intended input
        values = np.concatenate([np.minimum(values[:, :2], values[:, 2:]), np.maximum(values[:, :2], values[:, 2:])], 1)
    dtype = draw(st.sampled_from(FLOATS + ["i4", "?", "O"] if draw(st.integers(0, 9)) == 0 else FLOATS))
    with np.errstate(all="ignore"):
        return values.astype(dtype)


@fuzz
@given(data=st.data())
def test_fuzz_box_iou(data: st.DataObject) -> None:
    a = data.draw(hostile_layouts(box_arrays()))
    b = data.draw(hostile_layouts(box_arrays()))
    fmt = data.draw(st.sampled_from(["xyxy", "xyxy", "xywh", "cxcywh"]))
    kind = data.draw(st.sampled_from(["iou", "giou", "diou", "ciou", "ioa", "siou"]))
    flags = data.draw(st.sampled_from([None, None, [0] * len(b), [1] * (len(b) + 1)]))
    got = clean_call(iou.box_iou, a, b, fmt=fmt, kind=kind, iscrowd=flags)  # type: ignore[arg-type]
    if got is None:
        return
    pa, pb = native_copy(a), native_copy(b)
    if fmt == "xywh" and kind == "iou":
        assert got.dtype == np.float64 and got.shape == (len(a), len(b))
        return
    dtype = np.result_type(pa.dtype if pa.dtype.kind == "f" else np.float64, pb.dtype if pb.dtype.kind == "f" else np.float64)
    dtype = np.promote_types(dtype, np.float32)
    pa, pb = pa.astype(dtype), pb.astype(dtype)
    if fmt == "xywh":
        pa = np.concatenate([pa[:, :2], pa[:, :2] + pa[:, 2:]], 1)
        pb = np.concatenate([pb[:, :2], pb[:, :2] + pb[:, 2:]], 1)
    with np.errstate(all="ignore"):
        if kind == "ciou":
            want = torch_ciou(pa, pb)
            eps = 8 * np.finfo(dtype).eps
            assert np.allclose(got, want, rtol=eps, atol=eps, equal_nan=True)
        else:
            assert np.array_equal(got, BOX_MEASURES[kind](pa, pb), equal_nan=True)


@fuzz
@given(data=st.data())
def test_fuzz_masks_to_boxes_and_stats(data: st.DataObject) -> None:
    h, w = data.draw(sizes())
    m = data.draw(hostile_layouts(mask_stacks(h, w)))
    if data.draw(st.booleans()):
        m = m[:, None]
    convention = data.draw(st.sampled_from(["torchvision", "sam", "sam2", "detectron2", "yolo"]))
    empty = data.draw(st.sampled_from([None, None, "zeros", "sam2", "raise", "nan"]))
    got = clean_call(boxes.masks_to_boxes, m, convention=convention, empty=empty)  # type: ignore[arg-type]
    if got is not None and empty is None:
        assert np.array_equal(got, BOX_CONVENTIONS[convention](native_copy(m)))
    stats = clean_call(boxes.mask_stats, m)
    if stats is not None:
        dense = native_copy(m) != 0
        assert np.array_equal(stats["area"], dense.reshape(len(dense), -1).sum(1) if dense.size else np.zeros(len(dense)))
