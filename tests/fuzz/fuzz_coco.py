"""Fuzz maskkit.coco and maskkit.coco._mask: structured inputs, results compared byte for byte
with pycocotools where pycocotools itself is well defined for them, and with oracles (decode of
encode is the mask, area and box of the decoded mask, parse of the string is the counts).

pycocotools is optional here (these run outside pytest, without its fixtures): without it the
oracles still run. Inputs are kept inside what pycocotools handles before they are handed to
it: counts sums equal to h*w (it reads uninitialized memory or loops forever otherwise), counts
below 2**24 (longer strings overflow its buffer), polygon coordinates of moderate size.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable, Optional

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import maskkit.coco as M
from maskkit.coco import _mask as MK

from .harness import clean_call, fuzz, hostile_layouts, native_copy


def _reference() -> Optional[ModuleType]:
    try:
        return importlib.import_module("pycocotools.mask")
    except ImportError:
        return None


P = _reference()


# ---- shared strategies ---------------------------------------------------------------------------
sizes = st.tuples(st.integers(0, 9), st.integers(0, 9))
binary_masks = hnp.arrays(np.uint8, st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 3)), elements=st.sampled_from([0, 1]))
byte_masks = hnp.arrays(np.uint8, st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 3)))
other_arrays = hnp.arrays(
    st.sampled_from([np.bool_, np.int8, np.int64, np.float32, np.float64, np.dtype(">u2"), np.object_]),
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
)
size_values = st.one_of(
    st.integers(0, 12), st.integers(-(2**65), 2**65), st.just(2**32 - 1), st.floats(allow_nan=True), st.none(), st.text(max_size=2),
    st.just(np.int64(5)), st.just(np.float32(3.0)), st.booleans(),
)
counts_strings = st.one_of(
    st.binary(max_size=12),
    st.text(alphabet=[chr(c) for c in range(48, 112)], max_size=12).map(lambda s: s.encode()),
    st.text(alphabet=[chr(c) for c in range(48, 112)], max_size=12),
    st.text(max_size=6),
)


def sum_counts(counts: list[int], h: int, w: int) -> list[int]:
    """``counts`` trimmed or extended so they sum to h*w (what pycocotools needs)."""
    out, left = [], h * w
    for c in counts:
        c = min(c, left)
        out.append(c)
        left -= c
    out.append(left)
    return out


@st.composite
def valid_rles(draw: st.DrawFn, h: Optional[int] = None, w: Optional[int] = None) -> dict[str, Any]:
    """A compressed RLE pycocotools is defined for: canonical (from a mask) or not (zero-length
    runs, from uncompressed counts), as bytes or str."""
    h = draw(st.integers(0, 9)) if h is None else h
    w = draw(st.integers(0, 9)) if w is None else w
    if draw(st.booleans()):
        mask = draw(hnp.arrays(np.uint8, (h, w), elements=st.sampled_from([0, 1])))
        rle: dict[str, Any] = M.encode(np.asfortranarray(mask))
    else:
        counts = sum_counts(draw(st.lists(st.integers(0, 6), max_size=10)), h, w)
        rle = M.frPyObjects({"size": [h, w], "counts": counts}, h, w)
    if draw(st.booleans()):
        rle = {"size": rle["size"], "counts": rle["counts"].decode()}
    return rle


@st.composite
def hostile_rles(draw: st.DrawFn) -> Any:
    """RLE objects that break one rule each: keys, key types, size values, malformed strings."""
    kind = draw(st.sampled_from(["string", "size", "keys", "counts_type", "not_dict"]))
    if kind == "string":
        return {"size": [draw(st.integers(0, 6)), draw(st.integers(0, 6))], "counts": draw(counts_strings)}
    if kind == "size":
        size = draw(st.one_of(st.lists(size_values, max_size=3), size_values, st.tuples(size_values, size_values)))
        return {"size": size, "counts": draw(counts_strings)}
    if kind == "keys":
        return draw(st.dictionaries(st.sampled_from(["size", "counts", "x"]), st.one_of(st.just([2, 2]), st.just(b"4")), max_size=3))
    if kind == "counts_type":
        counts = draw(st.one_of(st.none(), st.integers(), st.lists(st.integers(-2, 5), max_size=3), st.just(bytearray(b"4")), st.just(np.bytes_(b"4"))))
        return {"size": [2, 2], "counts": counts}
    return draw(st.one_of(st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=3), st.just(np.zeros((2, 2)))))


rle_lists = st.one_of(
    st.lists(valid_rles(), max_size=4),
    st.lists(st.one_of(valid_rles(), hostile_rles()), max_size=4),
    st.tuples(valid_rles()),
    hostile_rles(),
)


def same_objects(a: Any, b: Any) -> bool:
    """RLE dicts (or lists of them) equal with key order, int sizes and bytes counts."""
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same_objects(x, y) for x, y in zip(a, b))
    return type(b) is dict and list(a) == list(b) and a == b and all(type(v) is int for v in a["size"]) and type(a["counts"]) is bytes


def same_array(a: Any, b: Any) -> bool:
    return (
        isinstance(a, np.ndarray)
        and a.dtype == b.dtype
        and a.shape == b.shape
        and a.flags.f_contiguous == b.flags.f_contiguous
        and np.array_equal(a, b, equal_nan=True)
    )


def counts_of(rle: dict[str, Any]) -> list[int]:
    counts: list[int] = MK._frString([rle])[0].tolist()
    return counts


def pycocotools_defined(rles: Any) -> bool:
    """Whether pycocotools reads these RLE objects without undefined behaviour."""
    if type(rles) is not list:
        return False
    for r in rles:
        if type(r) is not dict or set(r) != {"size", "counts"} or type(r["counts"]) not in (bytes, str):
            return False
        size = r["size"]
        if type(size) is not list or len(size) != 2 or not all(type(v) is int and 0 <= v < 64 for v in size):
            return False
        try:
            counts = counts_of(r)
        except (ValueError, TypeError, OverflowError):
            return False
        if sum(counts) != size[0] * size[1] or any(c >= 2**24 for c in counts):
            return False
        if "\x00" in (r["counts"].decode("latin-1") if type(r["counts"]) is bytes else r["counts"]):
            return False
    return True


def mask_of(rle: dict[str, Any]) -> np.ndarray:
    """The mask of an RLE whose counts sum to h*w, in Python (the oracle)."""
    h, w = rle["size"]
    flat = np.zeros(h * w, np.uint8)
    position, value = 0, 0
    for c in counts_of(rle):
        flat[position : position + c] = value
        position += c
        value ^= 1
    return flat.reshape((w, h)).T


# ---- encode --------------------------------------------------------------------------------------
@fuzz
@given(data=st.data())
def test_fuzz_encode(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["2d", "3d", "other"]))
    if kind == "other":
        array = data.draw(hostile_layouts(other_arrays, keep_shape=False))
        clean_call(M.encode, array)
        return
    mask = data.draw(hostile_layouts(st.one_of(binary_masks, byte_masks), keep_shape=False))
    if kind == "2d":
        mask = mask[:, :, 0] if mask.shape[2] else np.zeros(mask.shape[:2], mask.dtype)
    result = clean_call(M.encode, mask)
    if result is None:
        return
    expected_input = np.asfortranarray(native_copy(mask))
    rles = [result] if kind == "2d" else result
    for k, rle in enumerate(rles):
        plane = expected_input if kind == "2d" else expected_input[:, :, k]
        assert counts_of(rle) == counts_of(M.encode(np.asfortranarray(plane)))
        if np.isin(plane, [0, 1]).all():
            assert np.array_equal(mask_of(rle), plane)
    if P is not None:
        assert same_objects(result, P.encode(expected_input))


@fuzz
@given(mask=hostile_layouts(st.one_of(binary_masks, byte_masks, other_arrays), keep_shape=False))
def test_fuzz_mask_encode(mask: np.ndarray) -> None:
    result = clean_call(MK.encode, mask)
    if result is None:
        return
    if P is not None:
        assert same_objects(result, P._mask.encode(np.asfortranarray(native_copy(mask))))


# ---- decode, area, toBbox ------------------------------------------------------------------------
def decoded_bytes(rles: Any) -> int:
    """The bytes decode would allocate for these objects, as far as their sizes can be read: a
    mask of 2**32 x 5 pixels is a legal request that no harness can afford to fill."""
    listed = rles if type(rles) in (list, tuple) else [rles]
    try:
        h, w = (int(v) for v in list(listed[0]["size"])[:2])  # pycocotools reads the first two
        return max(h, 0) * max(w, 0) * len(listed)
    except Exception:
        return 0


@fuzz
@given(data=st.data())
def test_fuzz_decode(data: st.DataObject) -> None:
    h, w = data.draw(sizes)
    rles = data.draw(st.one_of(st.lists(valid_rles(h, w), min_size=1, max_size=3), rle_lists, valid_rles(h, w)))
    if decoded_bytes(rles) > 2**24:
        return
    result = clean_call(M.decode, rles)
    if result is None:
        return
    listed = rles if type(rles) is list else [rles]
    if pycocotools_defined(listed) and len({tuple(r["size"]) for r in listed}) == 1:
        stack = result if type(rles) is list else result[:, :, None]
        for k, rle in enumerate(listed):
            assert np.array_equal(stack[:, :, k], mask_of(rle))
        if P is not None:
            assert same_array(result, P.decode(rles))


@fuzz
@given(rles=st.one_of(st.lists(valid_rles(), min_size=1, max_size=3), rle_lists))
def test_fuzz_mask_decode(rles: Any) -> None:
    if decoded_bytes(rles) > 2**24:
        return
    result = clean_call(MK.decode, rles)
    if result is None:
        return
    if pycocotools_defined(rles) and rles and len({tuple(r["size"]) for r in rles}) == 1 and P is not None:
        assert same_array(result, P._mask.decode(rles))


def check_area(result: Any, rles: Any) -> None:
    listed = rles if type(rles) is list else [rles]
    if not pycocotools_defined(listed):
        return
    areas = np.atleast_1d(result)
    assert areas.tolist() == [int(mask_of(r).sum()) for r in listed]
    if P is not None:
        expected = P.area(rles)
        assert type(result) is type(expected) and np.array_equal(result, expected)


def check_bbox(result: Any, rles: Any) -> None:
    listed = rles if type(rles) is list else [rles]
    if not pycocotools_defined(listed):
        return
    for rle, box in zip(listed, np.atleast_2d(result)):
        mask = mask_of(rle)
        if mask.any() and all(c > 0 for c in counts_of(rle)[1:]):  # zero-length runs: pycocotools' quirk
            ys, xs = np.nonzero(mask)
            assert box.tolist() == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
    if P is not None and all(r["size"][0] > 0 or not mask_of(r).any() for r in listed):
        assert same_array(result, P.toBbox(rles))


def measure_harness(name: str, function: Callable[[Any], Any], check: Callable[[Any, Any], None], inputs: Any) -> Any:
    """The harness ``name`` of an RLE measure: call it, then check the result."""

    def harness(rles: Any) -> None:
        result = clean_call(function, rles)
        if result is not None:
            check(result, rles)

    harness.__name__ = harness.__qualname__ = name
    return fuzz(given(rles=inputs)(harness))


# maskkit.coco takes one dict too; maskkit.coco._mask only lists.
test_fuzz_area = measure_harness("test_fuzz_area", M.area, check_area, st.one_of(rle_lists, valid_rles()))
test_fuzz_mask_area = measure_harness("test_fuzz_mask_area", MK.area, check_area, rle_lists)
test_fuzz_toBbox = measure_harness("test_fuzz_toBbox", M.toBbox, check_bbox, st.one_of(rle_lists, valid_rles()))
test_fuzz_mask_toBbox = measure_harness("test_fuzz_mask_toBbox", MK.toBbox, check_bbox, rle_lists)


# ---- merge, iou ----------------------------------------------------------------------------------
intersect_values = st.one_of(st.integers(-3, 3), st.integers(-(2**40), 2**40), st.floats(allow_nan=True), st.none(), st.booleans(), st.text(max_size=1))


@fuzz
@given(data=st.data())
def test_fuzz_merge(data: st.DataObject) -> None:
    assert M.merge is MK.merge
    h, w = data.draw(sizes)
    rles = data.draw(st.one_of(st.lists(valid_rles(h, w), max_size=4), rle_lists))
    intersect = data.draw(intersect_values)
    result = clean_call(M.merge, rles, intersect)
    if result is None:
        return
    if pycocotools_defined(rles) and len({tuple(r["size"]) for r in rles}) == 1 and type(intersect) is int:
        if rles and all(c > 0 for r in rles for c in counts_of(r)[1:]):  # zero-length runs: pycocotools' sweep quirk
            masks = [mask_of(r) for r in rles]
            combined = np.logical_and.reduce(masks) if intersect else np.logical_or.reduce(masks)
            assert np.array_equal(mask_of(result), combined)
        rh, rw = rles[0]["size"] if rles else (0, 0)
        lengths = [len(counts_of(r)) for r in rles]
        # its scratch buffer holds h*w+1 runs, and it reads the first count of every RLE
        if P is not None and sum(lengths) <= rh * rw + 1 and (len(rles) < 2 or min(lengths) > 0):
            assert same_objects(result, P.merge(rles, intersect))


crowd_flags = st.one_of(st.lists(st.integers(0, 1), max_size=4), st.lists(st.integers(-2, 300), max_size=3), st.none(), st.text(max_size=2), st.lists(st.lists(st.integers(0, 1), max_size=2), max_size=2))
box_inputs = st.one_of(
    hnp.arrays(np.float64, st.tuples(st.integers(0, 3), st.integers(3, 5)), elements=st.floats(-5, 20, allow_nan=False)),
    st.lists(st.lists(st.floats(-5, 20, allow_nan=False), min_size=4, max_size=4), max_size=3),
    hnp.arrays(np.float64, st.integers(0, 5)),
)


def assert_same_iou(result: Any, expected: Any) -> None:
    if isinstance(expected, list):
        assert type(result) is list and result == expected
    else:
        assert same_array(result, expected)


@fuzz
@given(data=st.data())
def test_fuzz_iou(data: st.DataObject) -> None:
    assert M.iou is MK.iou
    if data.draw(st.booleans()):
        h, w = data.draw(sizes)
        dt = data.draw(st.one_of(st.lists(valid_rles(h, w), max_size=3), rle_lists, box_inputs))
        gt = data.draw(st.one_of(st.lists(valid_rles(h, w), max_size=3), rle_lists, box_inputs))
    else:
        dt, gt = data.draw(box_inputs), data.draw(box_inputs)
    n = len(gt) if hasattr(gt, "__len__") else 0
    crowd = data.draw(st.one_of(st.lists(st.integers(0, 1), min_size=n, max_size=n), crowd_flags))
    result = clean_call(M.iou, dt, gt, crowd)
    if result is None or P is None:
        return
    rle_input = type(dt) is list and all(type(r) is dict for r in dt) and type(gt) is list and all(type(r) is dict for r in gt)
    runs_positive = rle_input and all(c > 0 for r in dt + gt if pycocotools_defined([r]) for c in counts_of(r)[1:])
    if rle_input and runs_positive and pycocotools_defined(dt) and pycocotools_defined(gt) and type(crowd) is list and all(c in (0, 1) for c in crowd):
        # zero-length runs inside: see test_coco.py::test_iou_zero_length_runs_stop_the_sweep
        assert_same_iou(result, P.iou(dt, gt, crowd))
    elif type(dt) is np.ndarray and type(gt) is np.ndarray and dt.ndim == gt.ndim == 2 and type(crowd) is list and all(c in (0, 1) for c in crowd):
        assert_same_iou(result, P.iou(np.ascontiguousarray(dt), np.ascontiguousarray(gt), crowd))


# ---- frPyObjects, frBbox, frPoly, frUncompressedRLE ----------------------------------------------
coordinates = st.one_of(st.floats(-20, 40, allow_nan=False).map(lambda v: round(v, 2)), st.integers(-20, 40))
hostile_coordinates = st.one_of(coordinates, st.floats(allow_nan=True, allow_infinity=True), st.just(1e15), st.none(), st.text(max_size=1))
polygons = st.lists(st.lists(coordinates, min_size=6, max_size=16), min_size=1, max_size=3)
hostile_polygons = st.one_of(
    st.lists(st.lists(hostile_coordinates, max_size=10), max_size=3),
    st.lists(hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.object_]), hnp.array_shapes(max_dims=2, max_side=8)), max_size=2),
    st.lists(st.tuples(coordinates, coordinates, coordinates, coordinates, coordinates, coordinates), max_size=2),
)
small_sizes = st.integers(0, 40)
uncompressed = st.builds(
    lambda h, w, counts: {"size": [h, w], "counts": sum_counts(counts, h, w)}, st.integers(0, 9), st.integers(0, 9), st.lists(st.integers(0, 2**24 - 1), max_size=8)
)
hostile_uncompressed = st.builds(
    lambda size, counts: {"size": size, "counts": counts},
    st.one_of(st.lists(size_values, max_size=3), size_values),
    st.one_of(st.lists(st.one_of(st.integers(-5, 2**33), st.floats(allow_nan=True), st.text(max_size=2), st.none()), max_size=4), st.binary(max_size=4), st.none()),
)


def check_polygons(result: list[dict[str, Any]], polys: Any, h: Any, w: Any) -> None:
    """Against pycocotools' frPoly, for polygons it reads within bounds (three or more points) on
    an image of at least one pixel (on a 1 x 0 image it writes a run of 1)."""
    if P is not None and type(h) is int and type(w) is int and 0 < h * w < 2**16 and all(len(p) >= 6 for p in polys):
        assert same_objects(result, P._mask.frPoly(polys, h, w))


@fuzz
@given(data=st.data())
def test_fuzz_frPyObjects(data: st.DataObject) -> None:
    assert M.frPyObjects is MK.frPyObjects
    kind = data.draw(st.sampled_from(["polygons", "boxes", "uncompressed", "hostile"]))
    h, w = data.draw(st.one_of(st.tuples(small_sizes, small_sizes), st.tuples(size_values, size_values)))
    obj: Any
    if kind == "polygons":
        obj = data.draw(polygons)
    elif kind == "boxes":
        obj = data.draw(hostile_layouts(hnp.arrays(np.float64, st.tuples(st.integers(0, 3), st.just(4)), elements=st.floats(-5, 30, allow_nan=False))))
    elif kind == "uncompressed":
        obj = data.draw(st.one_of(uncompressed, st.lists(uncompressed, min_size=1, max_size=3)))
    else:
        obj = data.draw(st.one_of(hostile_polygons, hostile_uncompressed, st.lists(hostile_uncompressed, max_size=2), rle_lists, st.none()))
    result = clean_call(M.frPyObjects, obj, h, w)
    if result is None or P is None or kind == "hostile" or type(h) is not int or type(w) is not int:
        return
    if kind == "boxes":
        if 0 < h * w < 2**16:  # on a 1 x 0 image it writes a run of 1; counts >= 2**24 overflow its string
            assert same_objects(result, P.frPyObjects(np.ascontiguousarray(native_copy(obj)), h, w))
    elif kind == "polygons":
        check_polygons(result, obj, h, w)
    else:
        assert same_objects(result, P.frPyObjects(obj, h, w))
        listed = result if type(result) is list else [result]
        given_counts = [o["counts"] for o in (obj if type(obj) is list else [obj])]
        assert [counts_of(r) for r in listed] == given_counts


@fuzz
@given(
    bb=st.one_of(
        hostile_layouts(hnp.arrays(np.float64, st.tuples(st.integers(0, 3), st.integers(0, 5)), elements=st.floats(allow_nan=True, allow_infinity=True)), keep_shape=False),
        other_arrays,
        st.lists(st.floats(), max_size=4),
    ),
    h=st.one_of(small_sizes, size_values),
    w=st.one_of(small_sizes, size_values),
)
def test_fuzz_frBbox(bb: Any, h: Any, w: Any) -> None:
    result = clean_call(MK.frBbox, bb, h, w)
    if result is None:
        return
    assert len(result) == bb.shape[0]
    finite = np.isfinite(bb).all() and (np.abs(bb) < 100).all()
    if P is not None and finite and type(h) is int and type(w) is int and 0 < h * w < 2**16 and bb.shape[0]:
        assert same_objects(result, P._mask.frBbox(np.ascontiguousarray(native_copy(bb)), h, w))


@fuzz
@given(poly=st.one_of(polygons, hostile_polygons), h=st.one_of(small_sizes, size_values), w=st.one_of(small_sizes, size_values))
def test_fuzz_frPoly(poly: Any, h: Any, w: Any) -> None:
    result = clean_call(MK.frPoly, poly, h, w)
    if result is None:
        return
    assert len(result) == len(poly)
    for rle in result:
        assert sum(counts_of(rle)) == rle["size"][0] * rle["size"][1]
    if poly and all(type(p) is list and all(type(v) in (int, float) and abs(v) <= 40 for v in p) for p in poly):
        check_polygons(result, poly, h, w)  # pycocotools raises IndexError for no polygons


@fuzz
@given(objs=st.one_of(st.lists(uncompressed, max_size=3), st.lists(hostile_uncompressed, max_size=3), rle_lists), h=size_values, w=size_values)
def test_fuzz_frUncompressedRLE(objs: Any, h: Any, w: Any) -> None:
    result = clean_call(MK.frUncompressedRLE, objs, h, w)
    if result is None:
        return
    for rle, obj in zip(result, objs):
        assert counts_of(rle) == np.array(obj["counts"], dtype=np.uint32).tolist()
    reference_safe = all(type(o) is dict and type(o.get("counts")) is list and o["counts"] and all(type(c) is int and 0 <= c < 2**24 for c in o["counts"]) for o in objs)
    if P is not None and reference_safe and type(h) is int and type(w) is int and 0 <= h and 0 <= w:
        assert same_objects(result, P._mask.frUncompressedRLE(objs, h, w))


# ---- _toString, _frString ------------------------------------------------------------------------
@fuzz
@given(data=st.data())
def test_fuzz_toString(data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 3))
    lengths = data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    counts = np.array(data.draw(st.lists(st.integers(0, 2**32 - 1), min_size=sum(lengths), max_size=sum(lengths))), np.uint32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    sizes_array = np.array(data.draw(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)), min_size=n, max_size=n)), np.int64).reshape(n, 2)
    if data.draw(st.booleans()):  # one array broken: dtype, shape, order or values
        which = data.draw(st.integers(0, 2))
        broken = [counts, offsets, sizes_array][which]
        broken = data.draw(st.sampled_from([broken.astype(np.float64), broken[::-1], broken.reshape(-1), -broken.astype(np.int64), broken.astype(np.int64) + 2**40]))
        arrays = [counts, offsets, sizes_array]
        arrays[which] = broken
        clean_call(MK._toString, tuple(arrays))
        return
    result = clean_call(MK._toString, (counts, offsets, sizes_array))
    assert result is not None
    parsed_counts, parsed_offsets, parsed_sizes = MK._frString(result)
    assert np.array_equal(parsed_counts, counts) and np.array_equal(parsed_offsets, offsets)
    assert np.array_equal(parsed_sizes, sizes_array)


@fuzz
@given(rles=st.one_of(rle_lists, st.lists(hostile_rles(), max_size=3)))
def test_fuzz_frString(rles: Any) -> None:
    result = clean_call(MK._frString, rles)
    if result is None:
        return
    counts, offsets, sizes_array = result
    assert counts.dtype == np.uint32 and offsets[0] == 0 and offsets[-1] == counts.size
    assert np.all(np.diff(offsets) >= 0) and sizes_array.shape == (offsets.size - 1, 2)
    rebuilt = MK._toString(result)
    for rle, again in zip(rles if type(rles) in (list, tuple) else list(rles), rebuilt):
        assert counts_of(again) == counts_of(rle)
