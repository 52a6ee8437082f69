"""Fuzz the panoptic codecs, converters and validate of maskkit.panoptic.

Maps come in every dtype (floats with NaN, bool, object, complex among them) and byte order, in
hostile layouts, 0-sized, of the wrong rank, with values near 0, near a divisor, near 2**24 and
near the dtype's limits. An accepted call is checked against the defining formula (the codec's
equation on a native copy), against a round trip, or for the invariants of COCO panoptic form:
uint32 C-ordered ids, every non-zero id listed once with its pixel count and bbox.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import panoptic

from .harness import clean_call, fuzz, hostile_layouts, native_copy

DTYPES = ["u1", "<u2", ">u2", "<i2", "<i4", ">i4", "<u4", ">u8", "<i8", ">i8"]
ODD = ["?", "<f4", ">f8", "c8", "O", "U2"]
SPECIAL = [0, 1, 255, 256, 999, 1000, 1001, 65535, 65536, 2**24 - 1, 2**24, 2**31 - 1, 2**32 - 1, -1, -2]


@st.composite
def maps(draw: st.DrawFn, ndims: tuple = (2,), channels: tuple = (None,)) -> np.ndarray:
    """Integer-ish arrays of a few values, special values, or random ones, in any dtype."""
    ndim = draw(st.sampled_from(ndims + (1, 3)) if draw(st.integers(0, 9)) == 0 else st.sampled_from(ndims))
    shape = tuple(draw(st.integers(0, 7)) for _ in range(ndim))
    channel = draw(st.sampled_from(channels))
    if channel is not None and ndim == 3:
        shape = shape[:2] + (channel,)
    odd = draw(st.integers(0, 14)) == 0
    dtype = np.dtype(draw(st.sampled_from(ODD if odd else DTYPES)))
    kind = draw(st.sampled_from(["few", "special", "random"]))
    if kind == "few":
        values = np.asarray(draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 4))))
    elif kind == "special":
        values = np.asarray(draw(hnp.arrays(np.int64, shape, elements=st.sampled_from(SPECIAL))))
    else:
        seed = draw(st.integers(0, 2**32 - 1))
        values = np.random.default_rng(seed).integers(-(2**40), 2**40, shape)
    if dtype.kind == "f":
        out = values.astype(dtype)
        if out.size and draw(st.booleans()):
            out.flat[0] = np.nan
        return out
    if dtype.kind in "OU":
        return values.astype(dtype)
    if dtype.kind == "c":
        return values.astype(dtype)
    with np.errstate(over="ignore"):
        return values.astype(np.int64).astype(dtype)


def check_coco_form(id_map: np.ndarray, segments: List[Dict[str, Any]], shape: tuple) -> None:
    """The invariants of COCO panoptic form."""
    assert id_map.dtype == np.uint32 and id_map.flags.c_contiguous and id_map.shape == shape
    ids = [s["id"] for s in segments]
    assert len(set(ids)) == len(ids) and 0 not in ids
    present = set(np.unique(id_map).tolist()) - {0}
    assert present == set(ids)
    for segment in segments:
        mask = id_map == segment["id"]
        rows, cols = np.nonzero(mask)
        assert segment["area"] == int(mask.sum())
        assert segment["bbox"] == [int(cols.min()), int(rows.min()), int(cols.max() - cols.min() + 1), int(rows.max() - rows.min() + 1)]
        assert all(type(v) is int for v in [segment["id"], segment["area"], *segment["bbox"]])


divisors = st.sampled_from([1, 256, 1000, 0, -5, 2**62, 2**63, 1000.0, None, True])
voids = st.sampled_from([-1, None, 0, 255000, 2**70, "x"])


@fuzz
@given(data=st.data())
def test_fuzz_label_divisor(data: Any) -> None:
    semantic = data.draw(hostile_layouts(maps(ndims=(1, 2))))
    instance = data.draw(hostile_layouts(maps(ndims=(1, 2))))
    divisor, void = data.draw(divisors), data.draw(voids)
    dtype = data.draw(st.sampled_from([np.int32, np.int64, np.uint16, np.float32, "nonsense"]))
    encoded = clean_call(panoptic.encode_label_divisor, semantic, instance, divisor, void=void, dtype=dtype)
    if encoded is not None:
        sem, ins = native_copy(semantic).astype(np.int64), native_copy(instance).astype(np.int64)
        expected = np.where(sem == -1, void if void is not None else 0, sem * divisor + ins)
        assert encoded.flags.c_contiguous and np.array_equal(encoded, expected)
        back = panoptic.decode_label_divisor(encoded, divisor, void=void)
        real = sem != -1
        if void is None or not ((sem * divisor + ins)[real] == void).any():
            assert np.array_equal(back[0], sem) and np.array_equal(back[1], np.where(real, ins, 0))
    labels = data.draw(hostile_layouts(maps()))
    decoded = clean_call(panoptic.decode_label_divisor, labels, divisor, void=void)
    if decoded is not None:
        native = native_copy(labels).astype(np.int64)
        is_void = native == void if void is not None else np.zeros(native.shape, bool)
        assert np.array_equal(decoded[0], np.where(is_void, -1, native // divisor))
        assert np.array_equal(decoded[1], np.where(is_void, 0, native % divisor))
    result = clean_call(panoptic.from_label_divisor, labels, divisor, void=void)
    if result is not None:
        check_coco_form(*result, labels.shape)
        native = native_copy(labels).astype(np.int64)
        keep = native != void if void is not None else np.ones(native.shape, bool)
        assert np.array_equal(result[0], np.where(keep, native + 1, 0))
        for segment in result[1]:
            assert segment["category_id"] == (segment["id"] - 1) // divisor
        back = clean_call(panoptic.to_label_divisor, result[0], result[1], [], divisor, void=-1, dtype=np.int64)
        if back is not None:  # stuff everywhere: the instance part is 0, so equal where it was 0
            zero = native % divisor == 0
            assert np.array_equal(back[keep & zero], native[keep & zero])


@fuzz
@given(data=st.data())
def test_fuzz_to_label_divisor_and_two_channel(data: Any) -> None:
    id_map = data.draw(hostile_layouts(maps()))
    ids = np.unique(native_copy(id_map)).tolist() if id_map.dtype.kind in "iu" else [1]
    segments: Any = [{"id": i, "category_id": data.draw(st.sampled_from([1, 2, 300, -1]))} for i in ids if i != 0]
    if data.draw(st.integers(0, 5)) == 0:
        segments = data.draw(st.sampled_from([None, {"id": 1}, [{"id": 1.5, "category_id": 1}], [{"id": 1}], [5], segments * 2]))
    things = data.draw(st.sampled_from([[1], [], [1, 2], 1, None, ["a"]]))
    encoded = clean_call(panoptic.to_label_divisor, id_map, segments, things, data.draw(divisors))
    if encoded is not None:
        assert encoded.shape == id_map.shape and encoded.dtype == np.int32
    two = clean_call(panoptic.to_two_channel, id_map, segments, things)
    if two is not None:
        assert two.shape == id_map.shape + (2,) and two.dtype == np.uint8
        again = panoptic.from_two_channel(two)
        native = native_copy(id_map).astype(np.int64)
        pairs = np.unique(np.stack([native.ravel(), again[0].ravel().astype(np.int64)]), axis=1)
        assert len(set(pairs[0].tolist())) == pairs.shape[1]  # each segment stays in one piece
        stuff = [s["category_id"] for s in segments if s["category_id"] not in things and s["id"] in set(pairs[0].tolist())]
        if len(stuff) == len(set(stuff)):  # stuff has instance 0: two segments of one stuff category merge
            assert len(set(pairs[1].tolist())) == pairs.shape[1]
    image = data.draw(hostile_layouts(maps(ndims=(3,), channels=(2, 3, 1))))
    result = clean_call(panoptic.from_two_channel, image, void=data.draw(st.sampled_from([0, 5, -1, "v"])))
    if result is not None:
        check_coco_form(*result, image.shape[:2])
        native = native_copy(image).astype(np.int64)
        assert np.array_equal(result[0][result[0] != 0], (native[:, :, 0] * 1000 + native[:, :, 1])[result[0] != 0])


@fuzz
@given(data=st.data())
def test_fuzz_dataset_codecs(data: Any) -> None:
    values = data.draw(hostile_layouts(maps()))
    result = clean_call(panoptic.from_cityscapes_instance_ids, values, use_train_id=data.draw(st.booleans()))
    if result is not None:
        check_coco_form(*result, values.shape)
        native = native_copy(values).astype(np.int64)
        assert np.array_equal(result[0][result[0] != 0], native[result[0] != 0])
    result = clean_call(panoptic.from_vistas_instances, values, void_label=data.draw(st.sampled_from([65, None, 0, 256, -1])))
    if result is not None:
        check_coco_form(*result, values.shape)
    rgb = data.draw(hostile_layouts(maps(ndims=(3,), channels=(3, 4, 2))))
    divisor = data.draw(st.sampled_from([1000, 65536, 1, 0, 2**30]))
    labels = clean_call(panoptic.from_kitti_step, rgb, label_divisor=divisor)
    if labels is not None:
        native = native_copy(rgb).astype(np.int64)
        assert labels.dtype == np.int32 and labels.shape == rgb.shape[:2]
        back = clean_call(panoptic.to_kitti_step, labels, label_divisor=divisor)
        if back is not None:
            assert np.array_equal(back, native[:, :, :3])
    back = clean_call(panoptic.to_kitti_step, values, label_divisor=data.draw(st.sampled_from([1000, 256, 65537])))
    if back is not None:
        assert back.dtype == np.uint8 and back.shape == values.shape + (3,)


@fuzz
@given(data=st.data())
def test_fuzz_converters(data: Any) -> None:
    id_map = data.draw(hostile_layouts(maps()))
    ids = np.unique(native_copy(id_map)).tolist()[:6] if id_map.dtype.kind in "iu" and id_map.size else [1]
    segments: Any = [{"id": int(i), "category_id": data.draw(st.sampled_from([1, 7, 300])), "iscrowd": 0} for i in ids]
    segments += data.draw(st.lists(st.sampled_from([{"id": 3, "category_id": 1}, {"id": 2**24, "category_id": 1}, {"id": -1, "category_id": 1}, {"x": 1}, 7]), max_size=2))
    categories = data.draw(st.sampled_from([None, {1: {"isthing": 1}, 7: {"isthing": 0}, 300: {"isthing": 0}}, {1: {}}, 5]))
    flag = data.draw(st.booleans())
    semantic = clean_call(panoptic.panoptic_to_semantic, id_map, segments, categories, things_other=flag, wrap=data.draw(st.booleans()))
    if semantic is not None:
        assert semantic.dtype == np.uint8 and semantic.shape == id_map.shape and semantic.flags.c_contiguous
    records = clean_call(panoptic.panoptic_to_semantic_rles, id_map, segments, categories, things_other=flag)
    if records is not None:
        assert sum(r["area"] for r in records) >= 0 and all(type(r["segmentation"]["counts"]) is str for r in records)
    annotations = clean_call(panoptic.panoptic_to_detection, id_map, segments, categories, things_only=flag)
    if annotations is not None:
        native = native_copy(id_map).astype(np.int64)
        listed = [s for s in segments if not (flag and categories[s["category_id"]]["isthing"] != 1)]
        assert len(annotations) == len(listed)
        for annotation, segment in zip(annotations, listed):
            mask = panoptic_decode(annotation["segmentation"])
            assert np.array_equal(mask, native == segment["id"])
    semantic_map = data.draw(hostile_layouts(maps()))
    connectivity = data.draw(st.sampled_from([4, 8, 6, None, True]))
    result = clean_call(panoptic.semantic_to_instances, semantic_map, connectivity=connectivity, thing_ids=data.draw(st.sampled_from([None, [1], [], 3])))
    if result is not None:
        check_coco_form(*result, semantic_map.shape)


def panoptic_decode(rle: Dict[str, Any]) -> np.ndarray:
    from maskkit import rle as rle_api

    return rle_api.decode(rle_api.RleBatch.from_coco([{"size": rle["size"], "counts": rle["counts"].encode()}]))[0].astype(bool)


polygons = st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), max_size=10)


@fuzz
@given(data=st.data())
def test_fuzz_detection_to_panoptic(data: Any) -> None:
    height, width = data.draw(st.sampled_from([0, 1, 4, -1, 2**33, 3.0])), data.draw(st.sampled_from([0, 1, 5, -2]))
    annotations = []
    for k in range(data.draw(st.integers(0, 4))):
        form = data.draw(st.sampled_from(["poly", "rle", "counts", "none", "odd"]))
        if form == "poly":
            segmentation: Any = [data.draw(polygons)]
        elif form == "rle":
            segmentation = {"size": [height, width], "counts": data.draw(st.sampled_from(["", "0", "12", "!!", "1111"]))}
        elif form == "counts":
            segmentation = {"size": [height, width], "counts": data.draw(st.lists(st.integers(-1, 30), max_size=5))}
        elif form == "none":
            segmentation = None
        else:
            segmentation = data.draw(st.sampled_from([5, "x", [[1, 2]], {"size": [1]}]))
        annotations.append({"id": k, "category_id": data.draw(st.sampled_from([1, 7, 9, "1"])), "segmentation": segmentation})
    categories = {1: {"isthing": 1, "color": [9, 9, 9]}, 7: {"isthing": 0, "color": [1, 2, 3]}}
    result = clean_call(panoptic.detection_to_panoptic, annotations, height, width, categories)
    if result is not None:
        id_map, segments = result
        assert id_map.dtype == np.uint32 and id_map.shape == (height, width)
        assert len(segments) == len(annotations) and set(np.unique(id_map).tolist()) - {0} <= {s["id"] for s in segments}


@fuzz
@given(data=st.data())
def test_fuzz_validate(data: Any) -> None:
    source: Any = data.draw(hostile_layouts(maps(ndims=(2, 3), channels=(3, 2, None))))
    if data.draw(st.integers(0, 4)) == 0:
        source = [np.asarray(m).astype(bool) if m.dtype.kind in "iub" else m for m in (source if source.ndim == 3 else [source])]
    segments = data.draw(st.sampled_from([None, [], [{"id": 1, "category_id": 1, "area": 1, "bbox": [0, 0, 1, 1]}], [{"id": "1"}], {"id": 1}, [None], "x"]))
    categories = data.draw(st.sampled_from([None, [{"id": 1, "isthing": 0, "color": [1, 1, 1]}, {"id": 2, "isthing": 0, "color": [1, 1, 1]}], [5], 7, {1: 5}]))
    report = clean_call(panoptic.validate, source, segments, categories,
                        label_divisor=data.draw(st.sampled_from([None, 1000, 0, 1.5])),
                        max_void_fraction=data.draw(st.sampled_from([None, 0.5, "x"])))
    if report is not None:
        assert report.ok == (not any(f.severity == "error" for f in report.findings))
        report.to_json()


@fuzz
@given(data=st.data())
def test_fuzz_rgb(data: Any) -> None:
    image = data.draw(hostile_layouts(maps(ndims=(3,), channels=(3, 4, 2))))
    ids = clean_call(panoptic.rgb2id, image)
    if ids is not None and image.ndim == 3:
        native = native_copy(image).astype(np.int64)
        assert np.array_equal(ids, native[:, :, 0] + 256 * native[:, :, 1] + 65536 * native[:, :, 2])
    id_map = data.draw(hostile_layouts(maps(ndims=(1, 2))))
    rgb = clean_call(panoptic.id2rgb, id_map)
    if rgb is not None:
        assert rgb.dtype == np.uint8 and np.array_equal(panoptic.rgb2id(rgb.reshape((-1, 1, 3))).ravel(), native_copy(id_map).ravel().astype(np.int64))
