"""Fuzz maskkit.sam.

Logits in every float width and byte order (and now and then a refused dtype) with NaN, inf,
signed zeros and values on the thresholds, thresholds of any kind; masks in uint8/bool with
values other than 0/1, empty axes and hostile layouts; RLE dicts with short, long, negative,
float and huge counts; boxes of any length and dtype. An accepted call is checked against the
NumPy transcriptions of amg.py in the tests (SAM's cv2 formulation and pycocotools where they
are installed).
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import sam
from maskkit._bench.workloads_sam import sam_mask_to_rle_numpy, sam_remove_small_regions_cv2

from ..test_boxes import sam_boxes
from ..test_sam import box_xywh_reference, rle_to_mask_reference, stability_reference
from .harness import clean_call, fuzz, hostile_layouts, native_copy


def _optional(module: str) -> Optional[Any]:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


CV2 = _optional("cv2")
PYCOCOTOOLS = _optional("pycocotools.mask")

LOGIT_DTYPES = ["<f2", ">f2", "<f4", ">f4", "<f8", ">f8"]
ODD_DTYPES = ["i4", "?", "u1", "O", "c8"]
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, float("nan"), float("inf"), -float("inf"), 65504.0, 1e-8]


@st.composite
def logit_stacks(draw: st.DrawFn) -> np.ndarray:
    lead = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    shape = lead + (draw(st.integers(0, 6)), draw(st.sampled_from([0, 1, 7, 15, 16, 17, 33, 64, 70])))
    odd = draw(st.integers(0, 12)) == 0
    values = draw(hnp.arrays(np.float64, shape, elements=st.floats(-3, 3) | st.sampled_from(SPECIAL)))
    dtype = draw(st.sampled_from(ODD_DTYPES if odd else LOGIT_DTYPES))
    if dtype == "O":
        return values.astype(object)
    with np.errstate(invalid="ignore", over="ignore"):
        return values.astype(dtype)


THRESHOLDS = st.one_of(
    st.floats(-3, 3, allow_nan=False),
    st.sampled_from([0.0, float("nan"), float("inf"), 1 + 2**-11 + 2**-40, 1e300, 10**400]),
    st.integers(-5, 5),
    st.sampled_from([None, "0", True, np.float32(0.25), np.int64(1)]),
)


@fuzz
@given(data=st.data())
def test_fuzz_calculate_stability_score(data: st.DataObject) -> None:
    logits = data.draw(hostile_layouts(logit_stacks()))
    t, o = data.draw(THRESHOLDS), data.draw(THRESHOLDS)
    got = clean_call(sam.calculate_stability_score, logits, t, o)
    if got is None:
        return
    native = native_copy(logits)
    assert np.array_equal(got, stability_reference(native, t, o), equal_nan=True)
    assert got.dtype == np.float32 and got.shape == logits.shape[:-2]


@st.composite
def masks(draw: st.DrawFn, ndim: int) -> np.ndarray:
    shape = tuple(draw(st.integers(0, 3)) for _ in range(ndim - 2)) + (draw(st.integers(0, 20)), draw(st.integers(0, 40)))
    values = draw(hnp.arrays(np.uint8, shape, elements=st.sampled_from([0, 0, 1, 1, 1, 2, 255])))
    kind = draw(st.sampled_from(["?", "?", "u1", "u1", "i2", "f4"]))
    return values.astype(kind) if kind != "?" else values != 0


@fuzz
@given(data=st.data())
def test_fuzz_remove_small_regions(data: st.DataObject) -> None:
    mask = data.draw(hostile_layouts(masks(data.draw(st.sampled_from([2, 2, 2, 3])))))
    thresh = data.draw(st.one_of(st.integers(-3, 40), st.floats(-3, 40), st.sampled_from([float("nan"), "9", None, 10**30])))
    mode = data.draw(st.sampled_from(["holes", "islands", "holes", "islands", "hole", 1]))
    result = clean_call(sam.remove_small_regions, mask, thresh, mode)
    if result is None:
        return
    got, changed = result
    if not changed:
        assert got is mask
    else:
        assert got.dtype == np.bool_ and got.shape == mask.shape and got.flags.c_contiguous
    if CV2 is not None and mask.size:
        want, want_changed = sam_remove_small_regions_cv2(CV2, native_copy(mask), thresh, mode)
        assert changed == want_changed and np.array_equal(got, want)


@fuzz
@given(data=st.data())
def test_fuzz_mask_to_rle_pytorch(data: st.DataObject) -> None:
    stack = data.draw(hostile_layouts(masks(data.draw(st.sampled_from([3, 3, 3, 2, 4]))), keep_shape=False))
    got = clean_call(sam.mask_to_rle_pytorch, stack)
    if got is None:
        return
    native = native_copy(stack)
    if native.shape[1] * native.shape[2]:
        assert got == sam_mask_to_rle_numpy(native)
    else:
        assert all(r["counts"] == [0] for r in got) and len(got) == len(native)


COUNT_ITEMS = st.one_of(st.integers(0, 30), st.sampled_from([-1, 2**32, 2**70, 1.5, True, None, "3"]))


@st.composite
def rle_dicts(draw: st.DrawFn) -> Any:
    h, w = draw(st.integers(0, 9)), draw(st.integers(0, 9))
    if draw(st.integers(0, 3)) == 0:  # counts that are not a partition of h * w
        counts: Any = draw(st.lists(COUNT_ITEMS, max_size=8))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, h * w), max_size=6)))
        bounds = [0] + cuts + [h * w]
        counts = [b - a for a, b in zip(bounds, bounds[1:])]
    size: Any = draw(st.sampled_from([[h, w], [h, w], (h, w), [h], [h, -w - 1], [float(h), w], [2**33, w]]))
    form = draw(st.sampled_from(["dict", "dict", "dict", "no_counts", "no_size", "list", "ndarray", "string"]))
    if form == "ndarray":
        return {"size": size, "counts": np.asarray([c for c in counts if type(c) is int and abs(c) < 2**62], np.int64)}
    if form == "string":
        return {"size": size, "counts": "".join(chr(48 + (c % 60)) for c in counts if isinstance(c, int))}
    if form == "no_counts":
        return {"size": size}
    if form == "no_size":
        return {"counts": counts}
    if form == "list":
        return [{"size": size, "counts": counts}]
    return {"size": size, "counts": counts}


def _partition(rle: Any) -> bool:
    """Whether ``rle`` holds plain non-negative int counts that sum to h * w."""
    counts = list(rle["counts"])
    h, w = rle["size"]
    return all(type(c) is int or isinstance(c, np.integer) for c in counts) and sum(int(c) for c in counts) == h * w


@fuzz
@given(rle=rle_dicts())
def test_fuzz_rle_to_mask(rle: Any) -> None:
    got = clean_call(sam.rle_to_mask, rle)
    if got is None:
        return
    assert got.dtype == np.bool_ and got.shape == tuple(rle["size"])
    if _partition(rle):
        assert np.array_equal(got, rle_to_mask_reference(rle))


@fuzz
@given(rle=rle_dicts())
def test_fuzz_area_from_rle(rle: Any) -> None:
    got = clean_call(sam.area_from_rle, rle)
    if got is not None:
        assert type(got) is int and got == sum(int(c) for c in list(rle["counts"])[1::2])


@fuzz
@given(rle=rle_dicts())
def test_fuzz_coco_encode_rle(rle: Any) -> None:
    got = clean_call(sam.coco_encode_rle, rle)
    if got is None:
        return
    assert isinstance(got["counts"], str)
    if PYCOCOTOOLS is not None and _partition(rle):
        want = PYCOCOTOOLS.frPyObjects(rle, *rle["size"])
        assert got == {"size": want["size"], "counts": want["counts"].decode("utf-8")}


@fuzz
@given(data=st.data())
def test_fuzz_batched_mask_to_box(data: st.DataObject) -> None:
    stack = data.draw(hostile_layouts(masks(data.draw(st.sampled_from([2, 3, 4])))))
    got = clean_call(sam.batched_mask_to_box, stack)
    if got is None:
        return
    want = sam_boxes(native_copy(stack))
    assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)


@fuzz
@given(data=st.data())
def test_fuzz_box_xyxy_to_xywh(data: st.DataObject) -> None:
    size = data.draw(st.integers(0, 6))
    values = data.draw(st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-100, 100), min_size=size, max_size=size))
    form = data.draw(st.sampled_from(["list", "f4", ">f8", "i4", "tuple", "scalar", "2d"]))
    box: Any = values
    if form in ("f4", ">f8", "i4"):
        with np.errstate(invalid="ignore", over="ignore"):
            box = np.array([v if np.isfinite(v) else 0 for v in values] if form == "i4" else values, dtype=np.float64).astype(form)
    elif form == "tuple":
        box = tuple(values)
    elif form == "scalar":
        box = 3.0
    elif form == "2d":
        box = np.zeros((size, 2))
    before = copy_of(box)
    with np.errstate(invalid="ignore", over="ignore"):
        got = clean_call(sam.box_xyxy_to_xywh, box)
        if got is None:
            return
        want = box_xywh_reference(box)
    assert type(got) is type(want)
    assert np.array_equal(np.asarray(got), np.asarray(want), equal_nan=True)
    assert np.array_equal(np.asarray(box), np.asarray(before), equal_nan=True)  # the input is not changed


def copy_of(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value if isinstance(value, (tuple, float)) else list(value)
