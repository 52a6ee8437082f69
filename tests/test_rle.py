"""maskkit.rle: the batch API, against pycocotools on the same masks."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import rle

P = pytest.importorskip("pycocotools.mask")

stacks = hnp.arrays(
    np.uint8, st.tuples(st.integers(1, 4), st.integers(0, 30), st.integers(0, 30)), elements=st.sampled_from([0, 1])
)


def reference(masks_nhw):
    return P.encode(np.asfortranarray(np.moveaxis(masks_nhw, 0, -1)))


@given(stacks, st.sampled_from(["C", "F", "reversed", "torch-permuted"]))
def test_encode_any_memory_order(simd_target, masks, order):
    if order == "C":
        view = np.ascontiguousarray(masks)
    elif order == "F":
        view = np.asfortranarray(masks)
    elif order == "reversed":
        view = masks[:, ::-1, ::-1].copy()[:, ::-1, ::-1]
    else:  # (N, W, H) C-ordered storage seen as (N, H, W), like tensor.permute(0, 2, 1)
        view = np.ascontiguousarray(masks.transpose(0, 2, 1)).transpose(0, 2, 1)
    batch = rle.encode(view)
    assert batch.to_coco() == reference(masks)
    assert np.array_equal(rle.decode(batch), masks)
    hwn = rle.decode(batch, layout="HWN")
    assert hwn.flags.f_contiguous and np.array_equal(hwn, np.moveaxis(masks, 0, -1))
    assert rle.encode(hwn, layout="HWN") == batch


def test_single_mask_and_bool():
    m = np.zeros((5, 4), bool)
    m[1:4, 2] = True
    batch = rle.encode(m)
    assert len(batch) == 1 and batch.sizes.tolist() == [[5, 4]]
    assert batch.to_coco() == [P.encode(np.asfortranarray(m.astype(np.uint8)))]


@given(stacks)
def test_measures_match_pycocotools(masks):
    batch = rle.encode(masks)
    objs = reference(masks)
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


def test_from_coco_mixed_dialects():
    compressed = P.encode(np.asfortranarray(np.eye(4, dtype=np.uint8)))
    batch = rle.RleBatch.from_coco([compressed, {"size": [4, 4], "counts": [0, 1, 4, 1, 4, 1, 4, 1]}])
    assert batch.to_coco()[1] == P.frPyObjects({"size": [4, 4], "counts": [0, 1, 4, 1, 4, 1, 4, 1]}, 4, 4)
    assert batch[0].to_coco() == [compressed]


def test_empty_batch():
    batch = rle.encode(np.zeros((0, 3, 4), np.uint8))
    assert len(batch) == 0 and batch.to_coco() == []
    assert rle.decode(batch).shape == (0, 0, 0)
    assert rle.area(batch).tolist() == []
    assert rle.to_bbox(batch).shape == (0, 4)
    assert rle.merge(batch).to_coco() == [{"size": [0, 0], "counts": b""}]


def test_from_bbox_extended_inputs():
    boxes = [[0, 0, 2, 2], [1.5, 0.5, 2, 3]]
    expected = P.frPyObjects(np.array(boxes, np.float64), 5, 6)
    assert rle.from_bbox(boxes, 5, 6).to_coco() == expected
    assert rle.from_bbox(np.array(boxes, np.int32)[:1], 5, 6).to_coco() == expected[:1]
    assert rle.from_bbox(np.asfortranarray(np.array(boxes, np.float32)), 5, 6).to_coco() == P.frPyObjects(
        np.array(boxes, np.float32).astype(np.float64), 5, 6
    )
    assert rle.from_bbox([0, 0, 2, 2], 5, 6).to_coco() == expected[:1]


def test_from_polygons_extended_inputs():
    tri = [1.0, 1.0, 6.0, 1.0, 3.5, 5.0]
    expected = P.frPyObjects([tri], 7, 8)
    assert rle.from_polygons(tri, 7, 8).to_coco() == expected
    assert rle.from_polygons([np.array(tri, np.float32)], 7, 8).to_coco() == P.frPyObjects([np.array(tri, np.float32)], 7, 8)
    assert rle.from_polygons([tuple(tri)], 7, 8).to_coco() == expected
    square4 = [0, 0, 4, 4]  # two points: pycocotools' frPyObjects raises TypeError on it
    from pycocotools import _mask as PK

    assert rle.from_polygons([square4], 5, 5).to_coco() == PK.frPoly([square4], 5, 5)
