"""maskkit.rle: the batch API, against pycocotools on the same masks."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import rle


stacks = hnp.arrays(
    np.uint8, st.tuples(st.integers(1, 4), st.integers(0, 30), st.integers(0, 30)), elements=st.sampled_from([0, 1])
)


def reference(P, masks_nhw):
    return P.encode(np.asfortranarray(np.moveaxis(masks_nhw, 0, -1)))


@given(stacks, st.sampled_from(["C", "F", "reversed", "torch-permuted"]))
def test_encode_any_memory_order(simd_target, pycocotools_mask, masks, order):
    if order == "C":
        view = np.ascontiguousarray(masks)
    elif order == "F":
        view = np.asfortranarray(masks)
    elif order == "reversed":
        view = masks[:, ::-1, ::-1].copy()[:, ::-1, ::-1]
    else:  # (N, W, H) C-ordered storage seen as (N, H, W), like tensor.permute(0, 2, 1)
        view = np.ascontiguousarray(masks.transpose(0, 2, 1)).transpose(0, 2, 1)
    batch = rle.encode(view)
    assert batch.to_coco() == reference(pycocotools_mask, masks)
    assert np.array_equal(rle.decode(batch), masks)
    hwn = rle.decode(batch, layout="HWN")
    assert hwn.flags.f_contiguous and np.array_equal(hwn, np.moveaxis(masks, 0, -1))
    assert rle.encode(hwn, layout="HWN") == batch


def test_single_mask_and_bool(pycocotools_mask):
    P = pycocotools_mask
    m = np.zeros((5, 4), bool)
    m[1:4, 2] = True
    batch = rle.encode(m)
    assert len(batch) == 1 and batch.sizes.tolist() == [[5, 4]]
    assert batch.to_coco() == [P.encode(np.asfortranarray(m.astype(np.uint8)))]


@given(stacks)
def test_measures_match_pycocotools(pycocotools_mask, masks):
    P = pycocotools_mask
    batch = rle.encode(masks)
    objs = reference(P, masks)
    assert rle.area(batch).tolist() == P.area(objs).tolist()
    assert np.array_equal(rle.to_bbox(batch), P.toBbox(objs))
    for intersect in (False, True):
        assert rle.merge(batch, intersect=intersect).to_coco() == [P.merge(objs, intersect=intersect)]
    crowd = [i % 2 for i in range(len(objs))]
    got = rle.iou(batch, batch, crowd)
    assert got.flags.c_contiguous and np.array_equal(got, P.iou(objs, objs, crowd))


def test_area_is_exact_beyond_uint32():
    batch = rle.RleBatch([0, 2**32 - 1, 0, 5, 0], [0, 5], [[2**16, 2**16 + 1]])
    assert rle.area(batch).tolist() == [2**32 + 4]


def test_batch_container_protocol():
    masks = np.random.default_rng(0).integers(0, 2, (5, 6, 7), dtype=np.uint8)
    batch = rle.encode(masks)
    assert len(batch) == 5
    assert batch[2].to_coco() == [batch.to_coco()[2]]
    assert batch[-1] == batch[4]
    assert batch[1:4].to_coco() == batch.to_coco()[1:4]
    assert batch[[4, 0]].to_coco() == [batch.to_coco()[4], batch.to_coco()[0]]
    assert [b.to_coco()[0] for b in batch] == batch.to_coco()
    assert pickle.loads(pickle.dumps(batch)) == batch
    assert rle.RleBatch.from_coco(batch.to_coco()) == batch
    assert rle.RleBatch.from_coco(batch.to_coco()[0]) == batch[0]
    assert rle.concatenate([batch[:2], batch[2:]]) == batch
    assert "RleBatch(n=5, 6x7" in repr(batch)
    with pytest.raises(IndexError):
        batch[5]
    assert not batch.counts.flags.writeable


def test_from_coco_mixed_dialects(pycocotools_mask):
    P = pycocotools_mask
    compressed = P.encode(np.asfortranarray(np.eye(4, dtype=np.uint8)))
    batch = rle.RleBatch.from_coco([compressed, {"size": [4, 4], "counts": [0, 1, 4, 1, 4, 1, 4, 1]}])
    assert batch.to_coco()[1] == P.frPyObjects({"size": [4, 4], "counts": [0, 1, 4, 1, 4, 1, 4, 1]}, 4, 4)
    assert batch[0].to_coco() == [compressed]


def test_empty_batch():
    batch = rle.encode(np.zeros((0, 3, 4), np.uint8))
    assert len(batch) == 0 and batch.to_coco() == []
    assert rle.area(batch).tolist() == []
    assert rle.to_bbox(batch).shape == (0, 4)
    # No RLE, so no height and width: decode and merge cannot give a sized result.
    with pytest.raises(ValueError, match="no height and width"):
        rle.decode(batch)
    with pytest.raises(ValueError, match="no height and width"):
        rle.merge(batch)


def test_from_bbox_extended_inputs(pycocotools_mask):
    P = pycocotools_mask
    boxes = [[0, 0, 2, 2], [1.5, 0.5, 2, 3]]
    expected = P.frPyObjects(np.array(boxes, np.float64), 5, 6)
    assert rle.from_bbox(boxes, 5, 6).to_coco() == expected
    assert rle.from_bbox(np.array(boxes, np.int32)[:1], 5, 6).to_coco() == expected[:1]
    assert rle.from_bbox(np.asfortranarray(np.array(boxes, np.float32)), 5, 6).to_coco() == P.frPyObjects(
        np.array(boxes, np.float32).astype(np.float64), 5, 6
    )
    assert rle.from_bbox([0, 0, 2, 2], 5, 6).to_coco() == expected[:1]


def test_from_polygons_extended_inputs(pycocotools_mask):
    P = pycocotools_mask
    tri = [1.0, 1.0, 6.0, 1.0, 3.5, 5.0]
    expected = P.frPyObjects([tri], 7, 8)
    assert rle.from_polygons(tri, 7, 8).to_coco() == expected
    assert rle.from_polygons([np.array(tri, np.float32)], 7, 8).to_coco() == P.frPyObjects([np.array(tri, np.float32)], 7, 8)
    assert rle.from_polygons([tuple(tri)], 7, 8).to_coco() == expected
    with pytest.raises(ValueError, match=r"polygon 0 must have .* at least 6 .* got 4"):
        rle.from_polygons([[0, 0, 4, 4]], 5, 5)  # pycocotools reads 4 values as a box


GOOD = rle.RleBatch([1, 2, 1], [0, 3], [[2, 2]])

HOSTILE = [
    ("decode-str", lambda: rle.decode("x"), TypeError),
    ("decode-none", lambda: rle.decode(None), TypeError),
    ("decode-empty-list", lambda: rle.decode([]), ValueError),
    ("decode-bad-layout", lambda: rle.decode(GOOD, layout="X"), ValueError),
    ("decode-layout-list", lambda: rle.decode(GOOD, layout=[]), ValueError),
    ("decode-oversum", lambda: rle.decode(rle.RleBatch([5], [0, 1], [[2, 2]])), ValueError),
    ("decode-mixed-sizes", lambda: rle.decode(rle.RleBatch([4, 9], [0, 1, 2], [[2, 2], [3, 3]])), ValueError),
    ("decode-too-big", lambda: rle.decode(rle.RleBatch([], [0, 0], [[2**32 - 1, 2**32 - 1]])), ValueError),
    ("area-none", lambda: rle.area(None), TypeError),
    ("area-ints", lambda: rle.area([1, 2]), TypeError),
    ("to-bbox-none", lambda: rle.to_bbox(None), TypeError),
    ("merge-empty-list", lambda: rle.merge([]), ValueError),
    ("merge-none", lambda: rle.merge(None), TypeError),
    ("merge-mixed-sizes", lambda: rle.merge(rle.RleBatch([4, 9], [0, 1, 2], [[2, 2], [3, 3]])), ValueError),
    ("iou-none", lambda: rle.iou(None, GOOD), TypeError),
    ("iou-crowd-str", lambda: rle.iou(GOOD, GOOD, "a"), TypeError),
    ("iou-crowd-float", lambda: rle.iou(GOOD, GOOD, [0.5]), TypeError),
    ("iou-crowd-length", lambda: rle.iou(GOOD, GOOD, [1, 0]), ValueError),
    ("iou-crowd-2d", lambda: rle.iou(GOOD, GOOD, [[1]]), ValueError),
    ("from-coco-size-one", lambda: rle.RleBatch.from_coco([{"size": [2], "counts": b"12"}]), ValueError),
    ("from-coco-size-one-list", lambda: rle.RleBatch.from_coco([{"size": [2], "counts": [1, 2]}]), ValueError),
    ("from-coco-no-size", lambda: rle.RleBatch.from_coco([{"counts": b"1"}]), ValueError),
    ("from-coco-no-counts", lambda: rle.RleBatch.from_coco([{"size": [1, 1]}]), ValueError),
    ("from-coco-none", lambda: rle.RleBatch.from_coco(None), TypeError),
    ("from-coco-none-item", lambda: rle.RleBatch.from_coco([None]), TypeError),
    ("from-coco-str", lambda: rle.RleBatch.from_coco("abc"), TypeError),
    ("from-coco-counts-int", lambda: rle.RleBatch.from_coco([{"size": [2, 2], "counts": 5}]), TypeError),
    ("from-coco-counts-dict", lambda: rle.RleBatch.from_coco([{"size": [2, 2], "counts": {}}]), TypeError),
    ("from-coco-counts-none", lambda: rle.RleBatch.from_coco([{"size": [2, 2], "counts": None}]), TypeError),
    ("from-coco-counts-float", lambda: rle.RleBatch.from_coco([{"size": [2, 2], "counts": [1.5]}]), TypeError),
    ("from-coco-size-float", lambda: rle.RleBatch.from_coco([{"size": [2.0, 2], "counts": b"4"}]), TypeError),
    ("from-coco-size-nan", lambda: rle.RleBatch.from_coco([{"size": [float("nan"), 2], "counts": b"4"}]), TypeError),
    ("from-coco-size-negative", lambda: rle.RleBatch.from_coco([{"size": [-2, 2], "counts": b"4"}]), ValueError),
    ("from-coco-size-huge", lambda: rle.RleBatch.from_coco([{"size": [2**40, 2], "counts": b"4"}]), OverflowError),
    ("from-coco-size-str", lambda: rle.RleBatch.from_coco([{"size": "ab", "counts": b"4"}]), TypeError),
    ("from-coco-size-none", lambda: rle.RleBatch.from_coco([{"size": None, "counts": b"4"}]), TypeError),
    ("from-coco-bad-char", lambda: rle.RleBatch.from_coco([{"size": [2, 2], "counts": b"\xff"}]), ValueError),
    ("from-coco-non-ascii", lambda: rle.RleBatch.from_coco([{"size": [2, 2], "counts": "\u00e9"}]), ValueError),
    ("from-coco-unfinished", lambda: rle.RleBatch.from_coco([{"size": [2, 2], "counts": b"1\\"}]), ValueError),
    ("init-none", lambda: rle.RleBatch(None, None, None), TypeError),
    ("init-str-counts", lambda: rle.RleBatch("ab", [0, 1], [[1, 1]]), TypeError),
    ("init-float-counts", lambda: rle.RleBatch([1.5], [0, 1], [[1, 1]]), TypeError),
    ("init-bool-counts", lambda: rle.RleBatch([True], [0, 1], [[1, 1]]), TypeError),
    ("init-float-offsets", lambda: rle.RleBatch([1], [0.0, 1.5], [[1, 1]]), TypeError),
    ("init-str-offsets", lambda: rle.RleBatch([1], "ab", [[1, 1]]), TypeError),
    ("init-float-sizes", lambda: rle.RleBatch([1], [0, 1], [[1.5, 1]]), TypeError),
    ("init-nan-sizes", lambda: rle.RleBatch([1], [0, 1], [[np.nan, 1]]), TypeError),
    ("init-object-sizes", lambda: rle.RleBatch([1], [0, 1], [[None, 1]]), TypeError),
    ("init-sizes-shape", lambda: rle.RleBatch([1], [0, 1], [[1, 1, 1]]), ValueError),
    ("init-sizes-rows", lambda: rle.RleBatch([1], [0, 1], [[1, 1], [1, 1]]), ValueError),
    ("init-negative-size", lambda: rle.RleBatch([1], [0, 1], [[-1, 1]]), ValueError),
    ("init-huge-size", lambda: rle.RleBatch([1], [0, 1], [[2**32, 1]]), OverflowError),
    ("init-counts-2d", lambda: rle.RleBatch([[1]], [0, 1], [[1, 1]]), ValueError),
    ("init-offsets-2d", lambda: rle.RleBatch([1], [[0, 1]], [[1, 1]]), ValueError),
    ("init-offsets-empty", lambda: rle.RleBatch([], [], []), ValueError),
    ("init-offsets-mismatch", lambda: rle.RleBatch([1, 2], [0, 1], [[1, 1]]), ValueError),
    ("init-negative-counts", lambda: rle.RleBatch([-1], [0, 1], [[1, 1]]), ValueError),
    ("init-huge-counts", lambda: rle.RleBatch([2**40], [0, 1], [[1, 1]]), ValueError),
    ("init-huger-counts", lambda: rle.RleBatch([2**70], [0, 1], [[1, 1]]), ValueError),
    ("init-huge-offsets", lambda: rle.RleBatch([1], [0, 2**70], [[1, 1]]), ValueError),
    ("init-ragged", lambda: rle.RleBatch([[1], [1, 2]], [0, 1], [[1, 1]]), ValueError),
    ("encode-none", lambda: rle.encode(None), TypeError),
    ("encode-float", lambda: rle.encode(np.zeros((2, 2))), TypeError),
    ("encode-4d", lambda: rle.encode(np.zeros((1, 1, 1, 1), np.uint8)), ValueError),
    ("encode-1d", lambda: rle.encode(np.zeros(3, np.uint8)), ValueError),
    ("encode-bad-layout", lambda: rle.encode(np.zeros((2, 2), np.uint8), layout="Q"), ValueError),
    ("bbox-none", lambda: rle.from_bbox(None, 2, 2), TypeError),
    ("bbox-str", lambda: rle.from_bbox("abcd", 2, 2), TypeError),
    ("bbox-nan", lambda: rle.from_bbox([np.nan, 0, 1, 1], 2, 2), ValueError),
    ("bbox-ragged", lambda: rle.from_bbox([[0, 0, 1], [1]], 2, 2), ValueError),
    ("bbox-3d", lambda: rle.from_bbox(np.zeros((1, 1, 4)), 2, 2), ValueError),
    ("bbox-float-height", lambda: rle.from_bbox([0, 0, 1, 1], 2.0, 2), TypeError),
    ("bbox-negative-height", lambda: rle.from_bbox([0, 0, 1, 1], -2, 2), ValueError),
    ("bbox-huge", lambda: rle.from_bbox([0, 0, 1, 1], 2**31, 2**31), OverflowError),
    ("getitem-str", lambda: GOOD["a"], TypeError),
    ("getitem-float", lambda: GOOD[1.5], TypeError),
    ("getitem-none", lambda: GOOD[None], TypeError),
    ("getitem-float-array", lambda: GOOD[np.array([0.0])], TypeError),
    ("getitem-2d", lambda: GOOD[np.array([[0]])], ValueError),
    ("getitem-bool-length", lambda: GOOD[np.array([True, False])], ValueError),
    ("counts-of-str", lambda: GOOD.counts_of("a"), TypeError),
    ("concatenate-none", lambda: rle.concatenate(None), TypeError),
    ("concatenate-none-item", lambda: rle.concatenate([None]), TypeError),
]


@pytest.mark.parametrize("call,exc", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_inputs_raise(call, exc):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value)


def test_messages_name_the_rule_and_echo_the_value():
    with pytest.raises(TypeError, match=r"decode expects a maskkit.rle.RleBatch or COCO RLE dicts, got str 'x'"):
        rle.decode("x")
    with pytest.raises(ValueError, match=r"COCO RLE 0: 'size' must be \[height, width\], got \[2\]"):
        rle.RleBatch.from_coco([{"size": [2], "counts": b"12"}])
    with pytest.raises(ValueError, match=r"COCO RLE 1: malformed"):
        rle.RleBatch.from_coco([{"size": [1, 1], "counts": b"1"}, {"size": [1, 1], "counts": b"\x7f"}])
    with pytest.raises(TypeError, match=r"offsets must be integers, got dtype float64 \(\[0.0, 1.5\]\)"):
        rle.RleBatch([1], [0.0, 1.5], [[1, 1]])
    with pytest.raises(ValueError, match=r"counts must be integers that fit in 64 bits, got 1180591620717411303424"):
        rle.RleBatch([2**70], [0, 1], [[1, 1]])


def test_out_of_range_index_is_index_error():
    # The sequence protocol: iteration and negative indices rely on IndexError.
    with pytest.raises(IndexError, match="index 5 is out of range for a batch of 1"):
        GOOD[5]
    with pytest.raises(IndexError):
        GOOD[[0, 5]]
    with pytest.raises(IndexError):
        GOOD.counts_of(9)
    assert GOOD[np.array([True])] == GOOD and GOOD[-1] == GOOD and len(GOOD[[]]) == 0


def test_functions_take_coco_dicts():
    objs = [{"size": [2, 2], "counts": b"121"}, {"size": [2, 2], "counts": [0, 4]}]
    batch = rle.RleBatch.from_coco(objs)
    assert rle.area(objs).tolist() == rle.area(batch).tolist() == [2, 4]
    assert np.array_equal(rle.decode(objs), rle.decode(batch))
    assert rle.merge(objs) == rle.merge(batch)


def test_constructor_leaves_the_callers_arrays_alone():
    counts = np.array([1, 2, 1], np.uint32)
    offsets = np.array([0, 3], np.int64)
    sizes = np.array([[2, 2]], np.int64)
    batch = rle.RleBatch(counts, offsets, sizes)
    assert counts.flags.writeable and offsets.flags.writeable and sizes.flags.writeable
    counts[0] = 4  # the batch holds its own copy
    assert batch.counts.tolist() == [1, 2, 1] and not batch.counts.flags.writeable
    frozen = counts.copy()
    frozen.flags.writeable = False
    rle.RleBatch(frozen, offsets, sizes)
    assert not frozen.flags.writeable and offsets.flags.writeable


def test_constructor_leaves_the_callers_empty_arrays_writeable():
    # found by the RleBatch fuzz harness: numpy says an empty array shares no memory, even with
    # itself, so the caller's empty counts were frozen in place
    counts, offsets, sizes = np.array([], np.uint32), np.array([0], np.int64), np.empty((0, 2), np.int64)
    rle.RleBatch(counts, offsets, sizes)
    assert counts.flags.writeable and offsets.flags.writeable and sizes.flags.writeable


def test_pickle_round_trip_of_every_shape():
    for batch in (GOOD, rle.empty(), rle.RleBatch([], [0, 0], [[0, 0]])):
        assert pickle.loads(pickle.dumps(batch)) == batch


@pytest.mark.parametrize("module", ["maskkit._rle_batch", "maskkit._coco_dicts", "maskkit._rasterize", "maskkit.polygon"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_iou_of_quirky_counts_is_pycocotools_sweep(pycocotools_mask):
    # rleIou stops its sweep once both current runs are empty: at zero-length runs met on both
    # sides at once, or when two remainders of 2**31 or more wrap their uint32 sum to 0.
    cases = [
        rle.RleBatch([0, 0, 0, 1], [0, 4], [[1, 1]]),
        rle.RleBatch([0, 0, 0, 1, 2, 0, 0, 3], [0, 4, 8], [[2, 3], [2, 3]]),
        rle.RleBatch([1, 0, 0, 2, 3, 0, 2, 0, 1], [0, 4, 9], [[2, 3], [2, 3]]),
        rle.RleBatch([0, 2**31, 2**31, 0, 2**31, 2**31], [0, 3, 6], [[2**16, 2**16 + 1]] * 2),
        rle.RleBatch([0, 2**31 + 7, 2**31 - 7, 3, 2**31 - 3, 2**31], [0, 3, 6], [[2**16, 2**16 + 1]] * 2),
    ]
    for batch in cases:
        objs = batch.to_coco()
        for crowd in ([0] * len(objs), [1] * len(objs)):
            expected = np.asarray(pycocotools_mask.iou(objs, objs, crowd)).reshape(len(objs), len(objs))
            assert np.array_equal(rle.iou(batch, batch, crowd), expected), (batch.counts.tolist(), crowd)
