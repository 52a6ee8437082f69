"""Fuzz maskkit.rle: encode/decode in every layout and memory order, the measures, merge, IoU,
boxes, RleBatch construction, COCO dicts, indexing and pickling, and every dialect codec.

Valid inputs are checked against pycocotools (the same bytes, areas, boxes, IoUs) or against a
round trip (decode of encode is the identity, a codec's decode of its encode is the batch);
hostile inputs must raise ValueError, TypeError or OverflowError with a message.
"""

from __future__ import annotations

import base64
import pickle
import warnings
import zlib
from typing import Any, List

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import rle
from maskkit.rle import RleBatch

from .harness import clean_call, fuzz, hostile_layouts, native_copy

# pycocotools' decode warns under numpy 2 (its own __array__ call).
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def coco() -> Any:
    from pycocotools import mask

    return mask


def coco_decode(objs: Any) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.asarray(coco().decode(objs))


def reference_encode(stack_nhw: np.ndarray) -> List[dict]:
    """pycocotools.mask.encode of an (N, H, W) stack."""
    return coco().encode(np.asfortranarray(np.moveaxis(stack_nhw, 0, -1)))  # type: ignore[no-any-return]


def binary_stacks(max_n: int = 4, max_side: int = 12) -> st.SearchStrategy[np.ndarray]:
    shapes = st.tuples(st.integers(0, max_n), st.integers(0, max_side), st.integers(0, max_side))
    return st.one_of(
        hnp.arrays(np.uint8, shapes, elements=st.sampled_from([0, 1])),
        hnp.arrays(np.bool_, shapes),
        hnp.arrays(np.uint8, shapes),  # any byte value: every change of value starts a run
    )


def batches(max_n: int = 4, max_side: int = 12) -> st.SearchStrategy[RleBatch]:
    return binary_stacks(max_n, max_side).map(rle.encode)


def nonempty_stacks(max_n: int = 4, max_side: int = 12) -> st.SearchStrategy[np.ndarray]:
    shapes = st.tuples(st.integers(1, max_n), st.integers(1, max_side), st.integers(1, max_side))
    return hnp.arrays(np.uint8, shapes, elements=st.sampled_from([0, 1]))


hostile_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True), st.text(max_size=4),
    st.binary(max_size=4), st.just([]), st.just({}), st.just(2**32), st.just(-1),
)


# --------------------------------------------------------------------------------------------
# encode / decode
# --------------------------------------------------------------------------------------------
@fuzz
@given(data=st.data())
def test_fuzz_encode(data: st.DataObject) -> None:
    stack = data.draw(hostile_layouts(binary_stacks(), keep_shape=False))
    layout = data.draw(st.sampled_from(["NHW", "HWN", "bad"]))
    two_d = data.draw(st.booleans())
    masks = stack[0] if two_d and stack.shape[0] else stack
    batch = clean_call(rle.encode, masks, layout=layout)
    if batch is None:
        assert layout == "bad" or masks.ndim not in (2, 3)
        return
    assert layout != "bad"
    plain = native_copy(masks)
    nhw = plain[None] if plain.ndim == 2 else (plain if layout == "NHW" else np.moveaxis(plain, -1, 0))
    assert batch.to_coco() == reference_encode(nhw)
    if len(batch) and nhw.shape[1] * nhw.shape[2] and plain.max(initial=0) <= 1:
        assert np.array_equal(rle.decode(batch), nhw)
        hwn = rle.decode(batch, layout="HWN")
        assert hwn.flags.f_contiguous and np.array_equal(hwn, np.moveaxis(nhw, 0, -1))


@fuzz
@given(data=st.data())
def test_fuzz_decode(data: st.DataObject) -> None:
    """Arbitrary (also non-canonical, short and over-long) counts of one size."""
    n = data.draw(st.integers(0, 4))
    h, w = data.draw(st.integers(0, 8)), data.draw(st.integers(0, 8))
    parts = [data.draw(st.lists(st.integers(0, 2 * h * w + 2), max_size=8)) for _ in range(n)]
    offsets = np.cumsum([0] + [len(p) for p in parts])
    batch = RleBatch(sum(parts, []), offsets, [[h, w]] * n)
    layout = data.draw(st.sampled_from(["NHW", "HWN"]))
    out = clean_call(rle.decode, batch, layout=layout)
    sums = [sum(p) for p in parts]
    if out is None:
        assert n == 0 or any(s > h * w for s in sums)
        return
    assert all(s <= h * w for s in sums) and out.dtype == np.uint8
    nhw = out if layout == "NHW" else np.moveaxis(out, -1, 0)
    for i, counts in enumerate(parts):
        flat = np.zeros(h * w, np.uint8)
        at = 0
        for j, c in enumerate(counts):
            flat[at : at + c] = j % 2
            at += c
        assert np.array_equal(nhw[i], flat.reshape(w, h).T)
        if sums[i] == h * w and h * w:
            assert np.array_equal(nhw[i], coco_decode(batch[i].to_coco())[:, :, 0])


@fuzz
@given(value=st.one_of(hostile_scalars, st.lists(hostile_scalars, max_size=3), st.dictionaries(st.text(max_size=5), hostile_scalars, max_size=3)))
def test_fuzz_decode_not_a_batch(value: Any) -> None:
    for function in (rle.decode, rle.area, rle.to_bbox, rle.merge):
        clean_call(function, value)
    clean_call(rle.iou, value, value)


# --------------------------------------------------------------------------------------------
# measures, merge, IoU
# --------------------------------------------------------------------------------------------
@fuzz
@given(masks=nonempty_stacks(), data=st.data())
def test_fuzz_area_bbox_merge_iou(masks: np.ndarray, data: st.DataObject) -> None:
    batch = rle.encode(masks)
    objs = reference_encode(masks)
    P = coco()
    assert rle.area(batch).tolist() == P.area(objs).tolist()
    assert np.array_equal(rle.to_bbox(batch), P.toBbox(objs))
    for intersect in (False, True):
        assert rle.merge(batch, intersect=intersect).to_coco() == [P.merge(objs, intersect=intersect)]
    crowd = data.draw(st.one_of(st.none(), st.lists(st.integers(0, 1), min_size=len(objs), max_size=len(objs)), hostile_scalars))
    got = clean_call(rle.iou, batch, batch, crowd)
    if got is None:
        assert crowd is not None and not (isinstance(crowd, list) and len(crowd) == len(objs))
        return
    expected = P.iou(objs, objs, [0] * len(objs) if crowd is None else crowd)
    assert np.array_equal(got, np.asarray(expected).reshape(len(objs), len(objs)))


@fuzz
@given(data=st.data())
def test_fuzz_measures_of_noncanonical_counts(data: st.DataObject) -> None:
    """Zero-length runs and counts summing to h*w: pycocotools' exact results."""
    h, w = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    n = data.draw(st.integers(1, 3))
    parts = []
    for _ in range(n):
        cuts = sorted(data.draw(st.lists(st.integers(0, h * w), max_size=6)))
        bounds = [0] + cuts + [h * w]
        parts.append([b - a for a, b in zip(bounds, bounds[1:])])
    batch = RleBatch(sum(parts, []), np.cumsum([0] + [len(p) for p in parts]), [[h, w]] * n)
    objs = batch.to_coco()
    P = coco()
    assert rle.area(batch).tolist() == P.area(objs).tolist()
    assert np.array_equal(rle.to_bbox(batch), P.toBbox(objs))
    canonical = all(c > 0 for p in parts for c in p[1:])
    for intersect in (False, True):
        # rleMerge stops a sweep once both current runs are empty, so zero-length runs can leave
        # a partial result whose sum differs from the next RLE's, where it then loops forever:
        # maskkit raises ValueError there.
        merged = clean_call(rle.merge, batch, intersect=intersect)
        if merged is None:
            assert not canonical
            continue
        # rleMerge allocates h*w + 1 counts for its result, which zero-length runs can exceed
        # (a heap overflow in pycocotools): compare only where its buffer holds the result.
        if merged.counts.size <= h * w + 1 and batch.counts.size <= h * w + 1:
            assert merged.to_coco() == [P.merge(objs, intersect=intersect)]
        if canonical:
            dense = rle.decode(batch)
            expected = np.bitwise_and.reduce(dense) if intersect else np.bitwise_or.reduce(dense)
            assert np.array_equal(rle.decode(merged)[0], expected)
    assert np.array_equal(rle.iou(batch, batch), np.asarray(P.iou(objs, objs, [0] * n)).reshape(n, n))


@fuzz
@given(data=st.data())
def test_fuzz_merge_mixed_sizes(data: st.DataObject) -> None:
    batch = rle.concatenate([data.draw(batches(2, 5)) for _ in range(data.draw(st.integers(0, 3)))])
    result = clean_call(rle.merge, batch, intersect=data.draw(st.booleans()))
    if result is None:
        assert len(batch) == 0 or len(np.unique(batch.sizes, axis=0)) > 1
    else:
        assert len(result) == 1 and result.sizes.tolist() == batch.sizes[:1].tolist()


# --------------------------------------------------------------------------------------------
# boxes
# --------------------------------------------------------------------------------------------
coordinates = st.one_of(
    st.floats(-20, 40, allow_nan=False), st.integers(-20, 40), st.sampled_from([np.nan, np.inf, -np.inf, 1e15, -1e15, 1e13])
)


@fuzz
@given(data=st.data())
def test_fuzz_from_bbox(data: st.DataObject) -> None:
    n = data.draw(st.integers(0, 4))
    boxes = data.draw(st.one_of(
        st.lists(st.lists(coordinates, min_size=4, max_size=4), min_size=n, max_size=n),
        st.lists(st.lists(coordinates, min_size=0, max_size=6), max_size=3),
        hostile_scalars,
    ))
    h = data.draw(st.one_of(st.integers(0, 30), hostile_scalars))
    w = data.draw(st.one_of(st.integers(0, 30), hostile_scalars))
    out = clean_call(rle.from_bbox, boxes, h, w)
    if out is None:
        return
    arr = np.asarray(boxes, np.float64).reshape(-1, 4)
    assert np.isfinite(arr).all() and np.abs(arr).max(initial=0) <= 1e14
    # pycocotools' rleToString writes no NUL after a count that takes 6 characters (its buffer
    # is 6 per count), which its strlen then reads past: compare only masks below 2^24 pixels
    if h and w and int(h) * int(w) < 2**24 and np.abs(arr).max(initial=0) < 1e6:
        assert out.to_coco() == coco().frPyObjects(arr, h, w)


# --------------------------------------------------------------------------------------------
# RleBatch construction, COCO dicts, indexing, pickling
# --------------------------------------------------------------------------------------------
int_lists = st.lists(st.integers(-3, 2**33), max_size=6)
arrays_of_any_dtype = st.one_of(
    hnp.arrays(st.sampled_from([np.int8, np.uint16, np.int64, np.uint64, np.float64, np.bool_, np.uint32]), st.integers(0, 5)),
    hnp.arrays(np.int64, st.tuples(st.integers(0, 3), st.integers(0, 3))),
)
batch_parts = st.one_of(int_lists, arrays_of_any_dtype, hostile_scalars, st.lists(st.lists(st.integers(0, 5), max_size=3), max_size=3))


@fuzz
@given(counts=batch_parts, offsets=batch_parts, sizes=batch_parts)
def test_fuzz_batch_construction(counts: Any, offsets: Any, sizes: Any) -> None:
    before = [(a.copy(), a.flags.writeable) for a in (counts, offsets, sizes) if isinstance(a, np.ndarray)]
    batch = clean_call(RleBatch, counts, offsets, sizes)
    after = [a for a in (counts, offsets, sizes) if isinstance(a, np.ndarray)]
    for (copy, writeable), a in zip(before, after):
        assert a.flags.writeable == writeable and np.array_equal(copy, a, equal_nan=True)
    if batch is None:
        return
    assert batch.counts.dtype == np.uint32 and batch.offsets.dtype == np.int64 and batch.sizes.dtype == np.int64
    assert batch.offsets[0] == 0 and batch.offsets[-1] == batch.counts.size and np.all(np.diff(batch.offsets) >= 0)
    assert batch.sizes.shape == (len(batch), 2)
    assert np.array_equal(batch.counts, np.asarray(counts).reshape(-1))
    assert pickle.loads(pickle.dumps(batch)) == batch
    assert RleBatch.from_coco(batch.to_coco()) == batch


rle_dict_values = st.one_of(
    st.lists(st.integers(0, 40), max_size=6), st.binary(max_size=8), st.text(max_size=8), hostile_scalars,
    st.lists(hostile_scalars, max_size=3),
)
sizes_values = st.one_of(st.lists(st.integers(-2, 8), min_size=2, max_size=2), st.lists(hostile_scalars, max_size=3), hostile_scalars)


@fuzz
@given(data=st.data())
def test_fuzz_from_coco(data: st.DataObject) -> None:
    valid = data.draw(batches(3, 6))
    objs: List[Any] = list(valid.to_coco())
    for _ in range(data.draw(st.integers(0, 2))):
        objs.insert(
            data.draw(st.integers(0, len(objs))),
            data.draw(st.one_of(
                st.fixed_dictionaries({"size": sizes_values, "counts": rle_dict_values}),
                st.dictionaries(st.sampled_from(["size", "counts", "x"]), rle_dict_values, max_size=2),
                hostile_scalars,
            )),
        )
    single = data.draw(st.booleans()) and len(objs) == 1 and isinstance(objs[0], dict)
    batch = clean_call(RleBatch.from_coco, objs[0] if single else objs)
    if batch is None:
        return
    assert len(batch) == len(objs)
    for i, obj in enumerate(objs):
        counts = obj["counts"]
        if isinstance(counts, list):  # verbatim, and pycocotools compresses it the same way
            assert batch.counts_of(i).tolist() == counts
            assert batch[i].to_coco()[0] == coco().frPyObjects(obj, *obj["size"])
        elif isinstance(counts, (bytes, str)) and counts:
            # Re-encoding a parsed string gives back the string when it was canonical.
            again = batch[i].to_coco()[0]["counts"]
            if obj in valid.to_coco():
                assert again == obj["counts"]


@fuzz
@given(batch=batches(5, 4), data=st.data())
def test_fuzz_indexing_and_pickling(batch: RleBatch, data: st.DataObject) -> None:
    n = len(batch)
    index = data.draw(st.one_of(
        st.integers(-n - 2, n + 2), st.slices(max(n, 1)), st.lists(st.integers(-n - 1, n), max_size=4),
        hnp.arrays(np.bool_, st.integers(0, n + 1)), hnp.arrays(np.int64, st.integers(0, 3), elements=st.integers(-n - 1, n)),
        hostile_scalars, st.just(np.array([[0]])), st.just(np.array([0.5])),
    ))
    try:
        picked = clean_call(batch.__getitem__, index)
    except IndexError:  # the sequence protocol: an index out of range
        positions = [int(i) for i in np.atleast_1d(np.asarray(index, dtype=object))]
        assert any(not -n <= i < n for i in positions)
        return
    if picked is None:
        return
    objs = batch.to_coco()
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
        assert picked.to_coco() == [objs[index]]
    else:
        rows = np.arange(n)[index] if not (isinstance(index, np.ndarray) and index.dtype == np.bool_) else np.flatnonzero(index)
        assert picked.to_coco() == [objs[i] for i in np.atleast_1d(rows)]
    assert pickle.loads(pickle.dumps(picked)) == picked
    assert [b.to_coco()[0] for b in picked] == picked.to_coco()


# --------------------------------------------------------------------------------------------
# dialect codecs
# --------------------------------------------------------------------------------------------
def kaggle_reference(mask: np.ndarray, order: str) -> str:
    flat = (mask.T if order == "F" else mask).reshape(-1)
    padded = np.concatenate([[0], flat, [0]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = edges[0::2], edges[1::2]
    return " ".join(f"{s + 1} {e - s}" for s, e in zip(starts, ends))


@fuzz
@given(masks=binary_stacks(4, 9).filter(lambda m: m.max(initial=0) <= 1), order=st.sampled_from(["F", "C"]))
def test_fuzz_dialect_round_trips(masks: np.ndarray, order: str) -> None:
    masks = masks.astype(np.uint8)
    n, h, w = masks.shape
    batch = rle.encode(masks)
    assert rle.from_uncompressed(rle.to_uncompressed(batch)) == batch
    assert rle.from_sam(rle.to_sam(batch)) == batch
    assert rle.from_nuimages(rle.to_nuimages(batch)) == batch
    assert rle.from_openimages(rle.to_openimages(batch), h, w).to_coco() == batch.to_coco()
    texts = clean_call(rle.to_kaggle, batch, order=order)
    assert texts == [kaggle_reference(m, order) for m in masks]
    assert rle.from_kaggle(texts, h, w, order=order) == batch
    for d, obj in zip(rle.to_nuimages(batch), reference_encode(masks)):
        assert base64.b64decode(d["counts"]) == obj["counts"]
    for text, obj in zip(rle.to_openimages(batch), reference_encode(masks)):
        assert zlib.decompress(base64.b64decode(text)) == obj["counts"]


@fuzz
@given(data=st.data())
def test_fuzz_dialect_noncanonical_counts(data: st.DataObject) -> None:
    h, w = data.draw(st.integers(0, 5)), data.draw(st.integers(0, 5))
    n = data.draw(st.integers(1, 3))
    parts = [data.draw(st.lists(st.integers(0, h * w + 1), max_size=6)) for _ in range(n)]
    batch = RleBatch(sum(parts, []), np.cumsum([0] + [len(p) for p in parts]), [[h, w]] * n)
    sums_ok = all(sum(p) <= h * w for p in parts)
    order = data.draw(st.sampled_from(["F", "C"]))
    for function in (rle.to_sam, lambda b: rle.to_kaggle(b, order=order)):
        out = clean_call(function, batch)
        assert (out is not None) == sums_ok
    if sums_ok and h * w:
        dense = rle.decode(batch)
        canonical = rle.encode(dense)
        assert rle.from_sam(rle.to_sam(batch)) == canonical
        assert rle.from_kaggle(rle.to_kaggle(batch, order=order), h, w, order=order) == canonical


kaggle_texts = st.one_of(
    st.text(alphabet="0123456789 \t\n-+.,a", max_size=16), st.text(max_size=6), st.binary(max_size=8), st.none(),
    st.floats(allow_nan=True), st.lists(st.integers(1, 20), max_size=6).map(lambda v: " ".join(map(str, v))),
)


@fuzz
@given(data=st.data())
def test_fuzz_from_kaggle(data: st.DataObject) -> None:
    strings = data.draw(st.one_of(kaggle_texts, st.lists(kaggle_texts, max_size=3), hostile_scalars))
    h = data.draw(st.one_of(st.integers(0, 6), hostile_scalars))
    w = data.draw(st.one_of(st.integers(0, 6), hostile_scalars))
    order = data.draw(st.sampled_from(["F", "C", "X"]))
    batch = clean_call(rle.from_kaggle, strings, h, w, order=order)
    if batch is None:
        return
    assert order in "FC" and batch.sizes.tolist() == [[h, w]] * len(batch)
    assert rle.to_sam(batch) == rle.to_uncompressed(batch)  # canonical counts
    # Reading back what it writes gives the same batch (runs merged, whitespace normalized).
    assert rle.from_kaggle(rle.to_kaggle(batch, order=order), h, w, order=order) == batch


@fuzz
@given(data=st.data())
def test_fuzz_from_base64_dialects(data: st.DataObject) -> None:
    h, w = data.draw(st.integers(0, 6)), data.draw(st.integers(0, 6))
    raw = data.draw(st.one_of(st.binary(max_size=10), st.text(alphabet="0123456789:;<=>?@ABCDEFGHIJKLMNOo", max_size=10).map(str.encode)))
    text = data.draw(st.one_of(
        st.just(base64.b64encode(raw).decode()), st.just(base64.b64encode(zlib.compress(raw, 9)).decode()),
        st.text(max_size=12), st.binary(max_size=12), hostile_scalars,
    ))
    nu = clean_call(rle.from_nuimages, {"size": [h, w], "counts": text})
    if nu is not None:
        assert len(nu) == 1 and rle.from_nuimages(rle.to_nuimages(nu)) == nu
    oi = clean_call(rle.from_openimages, text, h, w)
    if oi is not None:
        assert len(oi) == (1 if isinstance(text, (str, bytes)) else len(text))
        assert rle.from_openimages(rle.to_openimages(oi), h, w) == oi


@fuzz
@given(objs=st.one_of(
    st.lists(st.fixed_dictionaries({"size": sizes_values, "counts": rle_dict_values}), max_size=3),
    st.fixed_dictionaries({"size": sizes_values, "counts": rle_dict_values}),
    hostile_scalars,
))
def test_fuzz_from_uncompressed_and_sam(objs: Any) -> None:
    for reader in (rle.from_uncompressed, rle.from_sam):
        batch = clean_call(reader, objs)
        if batch is None:
            continue
        items = [objs] if isinstance(objs, dict) else objs
        assert [batch.counts_of(i).tolist() for i in range(len(batch))] == [list(o["counts"]) for o in items]
        assert rle.to_uncompressed(batch) == [{"size": list(o["size"]), "counts": list(o["counts"])} for o in items]
