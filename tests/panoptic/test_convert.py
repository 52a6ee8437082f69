"""Converters against transcriptions of panopticapi's converter scripts, and their file wrappers."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from maskkit import panoptic

from .formats_reference import (
    detection_annotations,
    flood_fill_labels,
    semantic_png,
    semantic_rles,
    two_channel_panoptic,
)

CATEGORIES = {
    1: {"id": 1, "name": "person", "isthing": 1, "color": [220, 20, 60]},
    2: {"id": 2, "name": "car", "isthing": 1, "color": [119, 11, 32]},
    7: {"id": 7, "name": "road", "isthing": 0, "color": [128, 64, 128]},
    300: {"id": 300, "name": "wide", "isthing": 0, "color": [70, 70, 70]},
}


@st.composite
def panoptic_images(draw, max_side=10):
    """An id map of a few random ids and a segments_info listing them (plus, maybe, extras)."""
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=max_side))
    palette = draw(st.lists(st.integers(1, panoptic.MAX_ID), min_size=1, max_size=5, unique=True))
    index = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, len(palette))))
    id_map = np.array([0] + palette, np.uint32)[index]
    listed = [int(i) for i in palette if (id_map == i).any()]
    listed += draw(st.lists(st.sampled_from(palette + [0]), max_size=2))  # absent, repeated or VOID ids
    segments = [{"id": i, "category_id": draw(st.sampled_from(sorted(CATEGORIES))), "iscrowd": 0} for i in listed]
    return id_map, segments


@pytest.mark.parametrize("things_other", [False, True])
@given(image=panoptic_images())
def test_semantic_png_equals_panopticapi(things_other, image):
    id_map, segments = image
    ours = panoptic.panoptic_to_semantic(id_map, segments, list(CATEGORIES.values()), things_other=things_other)
    assert ours.dtype == np.uint8 and ours.flags.c_contiguous
    np.testing.assert_array_equal(ours, semantic_png(id_map, segments, CATEGORIES, things_other))


def test_semantic_png_options():
    id_map = np.array([[0, 5]])
    segments = [{"id": 5, "category_id": 300}]
    with pytest.raises(OverflowError, match="300 does not fit dtype uint8"):
        panoptic.panoptic_to_semantic(id_map, segments, wrap=False)
    wide = panoptic.panoptic_to_semantic(id_map, segments, void=255, dtype=np.uint16)
    assert wide.dtype == np.uint16 and wide.tolist() == [[255, 300]]
    with pytest.raises(ValueError, match="needs categories"):
        panoptic.panoptic_to_semantic(id_map, segments, things_other=True)
    with pytest.raises(ValueError, match="not in categories"):
        panoptic.panoptic_to_semantic(id_map, segments, {1: CATEGORIES[1]}, things_other=True)
    with pytest.raises(TypeError, match="dtype"):
        panoptic.panoptic_to_semantic(id_map, segments, dtype=np.float32)


@pytest.mark.parametrize("things_other", [False, True])
@given(image=panoptic_images())
def test_semantic_rles_equal_panopticapi(pycocotools_mask, things_other, image):
    id_map, segments = image
    ours = panoptic.panoptic_to_semantic_rles(id_map, segments, CATEGORIES, things_other=things_other, image_id="a")
    assert ours == semantic_rles(id_map, segments, CATEGORIES, things_other, pycocotools_mask, "a")
    json.dumps(ours)


@pytest.mark.parametrize("things_only", [False, True])
@given(image=panoptic_images())
def test_detection_rles_equal_pycocotools_bytes(pycocotools_mask, things_only, image):
    id_map, segments = image
    ours = panoptic.panoptic_to_detection(id_map, segments, CATEGORIES, things_only=things_only, image_id=3)
    assert ours == detection_annotations(id_map, segments, CATEGORIES, things_only, pycocotools_mask, 3)
    assert all("id" in s for s in segments)  # the caller's segments are not changed


def test_detection_of_empty_and_zero_sized_maps(pycocotools_mask):
    for shape in [(0, 4), (3, 0), (2, 2)]:
        id_map = np.zeros(shape, np.uint32)
        ours = panoptic.panoptic_to_detection(id_map, [{"id": 5, "category_id": 1}])
        expected = pycocotools_mask.encode(np.asfortranarray(np.zeros(shape + (1,), np.uint8)))[0]
        assert ours[0]["segmentation"] == {"size": list(shape), "counts": expected["counts"].decode()}


def reference_detection_to_panoptic(mask_api, utils, anns, height, width, categories, seed):
    """detection2panoptic_coco_format on one image, with panopticapi's IdGenerator after np.random.seed."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        generator = utils.IdGenerator(categories)
        pan_format = np.zeros((height, width, 3), np.uint8)
        overlaps = np.zeros((height, width), np.uint32)
        segments = []
        for original in anns:
            ann = dict(original)
            segment_id, colour = generator.get_id_and_color(ann["category_id"])
            segm = ann["segmentation"]
            if isinstance(segm, list):
                rle = mask_api.merge(mask_api.frPyObjects(segm, height, width))
            elif isinstance(segm["counts"], list):
                rle = mask_api.frPyObjects(segm, height, width)
            else:
                rle = segm
            mask = mask_api.decode(rle)
            overlaps += mask
            pan_format[mask == 1] = colour
            ann.pop("segmentation")
            ann.pop("image_id")
            ann["id"] = segment_id
            segments.append(ann)
        if np.sum(overlaps > 1):
            raise ValueError("overlap")
        return pan_format, segments
    finally:
        np.random.set_state(state)


@st.composite
def detections(draw):
    height, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    cells = draw(hnp.arrays(np.int64, (height, width), elements=st.integers(0, 4)))
    anns = []
    for k in range(1, 5):
        mask = np.asfortranarray((cells == k).astype(np.uint8))
        if not mask.any() and draw(st.booleans()):
            continue
        form = draw(st.sampled_from(["compressed", "uncompressed", "polygon"]))
        if form == "polygon":
            x, y = draw(st.integers(0, width - 1)), draw(st.integers(0, height - 1))
            segmentation = [[x, y, x + 0.9, y, x + 0.9, y + 0.9, x, y + 0.9]]
        elif form == "uncompressed":
            flat = mask.ravel(order="F")
            edges = np.flatnonzero(np.diff(np.concatenate([[0], flat, [1 - flat[-1]]]))).tolist()
            counts = np.diff([0] + edges).tolist()
            segmentation = {"size": [height, width], "counts": counts}
        else:
            segmentation = {"size": [height, width], "counts": None}
        anns.append({"id": 10 + k, "image_id": 1, "category_id": draw(st.sampled_from([1, 2, 7])),
                     "segmentation": segmentation, "area": int(mask.sum()), "bbox": [0, 0, 1, 1], "iscrowd": 0})
    return anns, height, width, cells


@given(case=detections(), seed=st.integers(0, 2**32 - 1))
def test_detection_to_panoptic_equals_panopticapi(pycocotools_mask, panopticapi_utils, case, seed):
    anns, height, width, cells = case
    for ann in anns:
        if ann["segmentation"].__class__ is dict and ann["segmentation"]["counts"] is None:
            rle = pycocotools_mask.encode(np.asfortranarray((cells == ann["id"] - 10).astype(np.uint8)))
            ann["segmentation"] = {"size": rle["size"], "counts": rle["counts"].decode()}
    try:
        expected = reference_detection_to_panoptic(pycocotools_mask, panopticapi_utils, anns, height, width, CATEGORIES, seed)
    except ValueError:  # polygons may overlap other annotations: both must refuse the image
        with pytest.raises(ValueError, match="overlaps"):
            panoptic.detection_to_panoptic(anns, height, width, CATEGORIES, id_generator=panoptic.IdGenerator(CATEGORIES, seed=seed))
        return
    ids, segments = panoptic.detection_to_panoptic(anns, height, width, CATEGORIES, id_generator=panoptic.IdGenerator(CATEGORIES, seed=seed))
    np.testing.assert_array_equal(panoptic.id2rgb(ids), expected[0])
    assert segments == expected[1]
    assert all("segmentation" in a for a in anns)


def test_detection_to_panoptic_errors():
    box = {"size": [2, 2], "counts": "04"}
    anns = [{"id": 1, "category_id": 1, "segmentation": box}, {"id": 2, "category_id": 2, "segmentation": box}]
    with pytest.raises(ValueError, match="annotation 2 overlaps"):
        panoptic.detection_to_panoptic(anns, 2, 2, CATEGORIES)
    with pytest.raises(ValueError, match="category 9 is not in categories"):
        panoptic.detection_to_panoptic([{"category_id": 9, "segmentation": box}], 2, 2, CATEGORIES)
    with pytest.raises(ValueError, match="RLE size"):
        panoptic.detection_to_panoptic([{"category_id": 1, "segmentation": box}], 3, 2, CATEGORIES)
    with pytest.raises(ValueError, match="no 'segmentation'"):
        panoptic.detection_to_panoptic([{"category_id": 1}], 2, 2, CATEGORIES)
    with pytest.raises(TypeError, match="polygon list or an RLE"):
        panoptic.detection_to_panoptic([{"category_id": 1, "segmentation": 5}], 2, 2, CATEGORIES)
    with pytest.raises(TypeError, match="annotations"):
        panoptic.detection_to_panoptic({"category_id": 1}, 2, 2, CATEGORIES)
    with pytest.raises(ValueError, match=">= 0"):
        panoptic.detection_to_panoptic([], -1, 2, CATEGORIES)


@pytest.mark.parametrize("connectivity", [4, 8])
@given(image=hnp.arrays(np.int64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=9), elements=st.integers(0, 3)))
def test_semantic_to_instances_equals_a_flood_fill(connectivity, image):
    ids, segments = panoptic.semantic_to_instances(image, connectivity=connectivity)
    expected = flood_fill_labels(image, connectivity, background=0)
    assert ids.dtype == np.uint32
    np.testing.assert_array_equal(ids, expected)
    assert [s["id"] for s in segments] == list(range(1, int(expected.max()) + 1))
    for segment in segments:
        mask = ids == segment["id"]
        assert segment["category_id"] == int(image[mask][0]) and segment["area"] == int(mask.sum())


@given(image=hnp.arrays(np.int64, (6, 7), elements=st.integers(0, 3)))
def test_semantic_to_instances_keeps_stuff_whole(image):
    ids, segments = panoptic.semantic_to_instances(image, connectivity=4, thing_ids=[1])
    # stuff: one segment per category; things: one per component; numbered by first pixel
    for category in (2, 3):
        assert len(np.unique(ids[image == category])) <= 1
    things = flood_fill_labels(np.where(image == 1, 1, 0), 4, background=0)
    pairs = {(int(a), int(b)) for a, b in zip(ids[image == 1], things[image == 1])}
    assert len({a for a, _ in pairs}) == len(pairs) == int(things.max())
    first_pixels = [int(np.flatnonzero(ids.ravel() == s["id"])[0]) for s in segments]
    assert first_pixels == sorted(first_pixels) and [s["id"] for s in segments] == list(range(1, len(segments) + 1))


def test_semantic_to_instances_errors():
    with pytest.raises(ValueError, match="connectivity must be 4 or 8"):
        panoptic.semantic_to_instances(np.zeros((2, 2), int), connectivity=6)
    with pytest.raises(TypeError, match="integer dtype"):
        panoptic.semantic_to_instances(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="2-D"):
        panoptic.semantic_to_instances(np.zeros((2, 2, 2), int))
    with pytest.raises(OverflowError, match="64-bit"):
        panoptic.semantic_to_instances(np.array([[2**64 - 1]], ">u8"))


# ---- files -----------------------------------------------------------------------------------


def write_png(path, pixels):
    Image.fromarray(pixels).save(path)


def panoptic_dataset(tmp_path, n=3, seed=0):
    rng = np.random.default_rng(seed)
    folder = tmp_path / "pan"
    folder.mkdir()
    annotations, images = [], []
    for i in range(n):
        cells = rng.integers(0, 4, (6, 8))
        id_map = np.array([0, 7 + 256 * 3, 1000 + i, 300000], np.uint32)[cells]
        segments = [{"id": 7 + 256 * 3, "category_id": 7, "iscrowd": 0, "area": 1, "bbox": [0, 0, 1, 1]},
                    {"id": 1000 + i, "category_id": 1, "iscrowd": 0, "area": 1, "bbox": [0, 0, 1, 1]},
                    {"id": 300000, "category_id": 300, "iscrowd": 0, "area": 1, "bbox": [0, 0, 1, 1]}]
        write_png(folder / f"im{i}.png", panoptic.id2rgb(id_map))
        images.append({"id": i, "file_name": f"im{i}.jpg", "height": 6, "width": 8})
        annotations.append({"image_id": i, "file_name": f"im{i}.png", "segments_info": segments})
    data = {"images": images, "annotations": annotations, "categories": list(CATEGORIES.values())}
    (tmp_path / "pan.json").write_text(json.dumps(data))
    return data


def read_ids(path):
    return panoptic.rgb2id(np.asarray(Image.open(path)))


def numbered_records(tmp_path, data, per_image):
    """The reference's records of every image, then numbered from 0 as the scripts do."""
    records = []
    for annotation in data["annotations"]:
        records += per_image(read_ids(tmp_path / "pan" / annotation["file_name"]), annotation)
    for number, record in enumerate(records):
        record["id"] = number
    return records


def test_convert_panoptic_to_semantic_png_and_json(tmp_path, pycocotools_mask):
    data = panoptic_dataset(tmp_path)
    panoptic.convert_panoptic_to_semantic(str(tmp_path / "pan.json"), semantic_seg_folder=str(tmp_path / "sem"))
    for annotation in data["annotations"]:
        ids = read_ids(tmp_path / "pan" / annotation["file_name"])
        written = np.asarray(Image.open(tmp_path / "sem" / annotation["file_name"]))
        np.testing.assert_array_equal(written, semantic_png(ids, annotation["segments_info"], CATEGORIES, False))
    panoptic.convert_panoptic_to_semantic(str(tmp_path / "pan.json"), output_json_file=str(tmp_path / "sem.json"), things_other=True)
    out = json.loads((tmp_path / "sem.json").read_text())
    expected = numbered_records(tmp_path, data, lambda ids, a: semantic_rles(
        ids, a["segments_info"], CATEGORIES, True, pycocotools_mask, a["image_id"]))
    assert out["annotations"] == json.loads(json.dumps(expected))
    assert out["categories"][-1] == {"id": 183, "name": "other", "supercategory": "other"}
    assert all("color" not in c and "isthing" not in c for c in out["categories"])
    with pytest.raises(ValueError, match="exactly one"):
        panoptic.convert_panoptic_to_semantic(str(tmp_path / "pan.json"))


def test_convert_panoptic_to_detection(tmp_path, pycocotools_mask):
    data = panoptic_dataset(tmp_path)
    panoptic.convert_panoptic_to_detection(str(tmp_path / "pan.json"), str(tmp_path / "det.json"), things_only=True)
    out = json.loads((tmp_path / "det.json").read_text())
    expected = numbered_records(tmp_path, data, lambda ids, a: detection_annotations(
        ids, a["segments_info"], CATEGORIES, True, pycocotools_mask, a["image_id"]))
    assert out["annotations"] == expected
    assert [c["id"] for c in out["categories"]] == [1, 2]


def test_convert_detection_to_panoptic_round_trip(tmp_path):
    data = panoptic_dataset(tmp_path)
    panoptic.convert_panoptic_to_detection(str(tmp_path / "pan.json"), str(tmp_path / "det.json"))
    (tmp_path / "cats.json").write_text(json.dumps(list(CATEGORIES.values())))
    panoptic.convert_detection_to_panoptic(str(tmp_path / "det.json"), str(tmp_path / "back.json"), str(tmp_path / "cats.json"))
    back = json.loads((tmp_path / "back.json").read_text())
    for original, converted in zip(data["annotations"], back["annotations"]):
        before = read_ids(tmp_path / "pan" / original["file_name"])
        after = read_ids(tmp_path / "back" / converted["file_name"])
        pairs = np.unique(np.stack([before.ravel(), after.ravel()]), axis=1)
        assert len(set(pairs[0])) == len(set(pairs[1])) == pairs.shape[1]  # the same partition
        assert [s["category_id"] for s in converted["segments_info"]] == [s["category_id"] for s in original["segments_info"]]


def test_convert_two_channel_equals_panopticapi_after_seed(tmp_path, panopticapi_utils):
    rng = np.random.default_rng(5)
    (tmp_path / "src").mkdir()
    images = []
    originals = []
    for i in range(3):
        sem = rng.choice([0, 1, 2, 7], (5, 6))
        ins = np.where(np.isin(sem, [1, 2]), rng.integers(1, 4, (5, 6)), 0)
        original = np.stack([sem, ins, np.zeros_like(sem)], axis=2).astype(np.uint8)
        write_png(tmp_path / "src" / f"a{i}.png", original)
        images.append({"id": i, "file_name": f"a{i}.x.jpg"})  # cut at the first dot: a{i}.png
        originals.append(original)
    (tmp_path / "images.json").write_text(json.dumps({"images": images}))
    (tmp_path / "cats.json").write_text(json.dumps(list(CATEGORIES.values())))
    panoptic.convert_two_channel_to_panoptic(str(tmp_path / "src"), str(tmp_path / "images.json"),
                                             str(tmp_path / "out.json"), str(tmp_path / "cats.json"), seed=11)
    out = json.loads((tmp_path / "out.json").read_text())
    state = np.random.get_state()
    np.random.seed(11)
    try:
        expected = [two_channel_panoptic(o, CATEGORIES, panopticapi_utils.IdGenerator(CATEGORIES)) for o in originals]
    finally:
        np.random.set_state(state)
    for i, (pan_format, segments) in enumerate(expected):
        annotation = out["annotations"][i]
        assert annotation["file_name"] == f"a{i}.png" and annotation["image_id"] == i
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out" / f"a{i}.png")), pan_format)
        assert annotation["segments_info"] == segments


def test_a_failing_conversion_leaves_no_output(tmp_path):
    panoptic_dataset(tmp_path)
    os.remove(tmp_path / "pan" / "im2.png")
    with pytest.raises(FileNotFoundError, match="im2.png"):
        panoptic.convert_panoptic_to_semantic(str(tmp_path / "pan.json"), semantic_seg_folder=str(tmp_path / "sem"))
    assert not (tmp_path / "sem").exists()
    with pytest.raises(FileNotFoundError, match="im2.png"):
        panoptic.convert_panoptic_to_detection(str(tmp_path / "pan.json"), str(tmp_path / "det.json"))
    assert sorted(os.listdir(tmp_path)) == ["pan", "pan.json"]
    (tmp_path / "cats.json").write_text(json.dumps(list(CATEGORIES.values())))
    box = {"size": [2, 2], "counts": "04"}
    det = {"images": [{"id": 1, "file_name": "a.jpg", "height": 2, "width": 2}, {"id": 2, "file_name": "b.jpg", "height": 2, "width": 2}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": box},
                           {"id": 2, "image_id": 2, "category_id": 1, "segmentation": box},
                           {"id": 3, "image_id": 2, "category_id": 2, "segmentation": box}]}
    (tmp_path / "det.json").write_text(json.dumps(det))
    with pytest.raises(ValueError, match="image b.png: annotation 3 overlaps"):
        panoptic.convert_detection_to_panoptic(str(tmp_path / "det.json"), str(tmp_path / "out.json"), str(tmp_path / "cats.json"))
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.json").exists()
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".maskkit-")]


def test_malformed_inputs_name_the_problem(tmp_path):
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        panoptic.convert_panoptic_to_detection(str(tmp_path / "bad.json"), str(tmp_path / "o.json"))
    (tmp_path / "noann.json").write_text(json.dumps({"categories": []}))
    with pytest.raises(ValueError, match="'annotations'"):
        panoptic.convert_panoptic_to_detection(str(tmp_path / "noann.json"), str(tmp_path / "o.json"))
    folder = tmp_path / "gray"
    folder.mkdir()
    write_png(folder / "g.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "gray.json").write_text(json.dumps({"categories": [], "annotations": [{"image_id": 1, "file_name": "g.png", "segments_info": []}]}))
    with pytest.raises(ValueError, match="grayscale"):
        panoptic.convert_panoptic_to_detection(str(tmp_path / "gray.json"), str(tmp_path / "o.json"))
    (folder / "g.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot read .*g.png as an image"):
        panoptic.convert_panoptic_to_detection(str(tmp_path / "gray.json"), str(tmp_path / "o.json"))
    assert not (tmp_path / "o.json").exists()


def test_two_channel_stuff_values_of_one_category_merge_into_one_segment(panopticapi_utils):
    # stuff 7 with instance values 0 and 1: panopticapi gives both its colour, so the PNG has one
    # segment, which its JSON lists twice; ours lists it once
    original = np.array([[[7, 0, 0], [7, 1, 0], [1, 2, 0]]], np.uint8)
    state = np.random.get_state()
    np.random.seed(4)
    try:
        pan_format, segments = two_channel_panoptic(original, CATEGORIES, panopticapi_utils.IdGenerator(CATEGORIES))
    finally:
        np.random.set_state(state)
    assert [s["id"] for s in segments].count(panoptic.rgb2id((128, 64, 128))) == 2
    ids, ours = panoptic.from_two_channel(original, id_generator=panoptic.IdGenerator(CATEGORIES, seed=4))
    np.testing.assert_array_equal(panoptic.id2rgb(ids), pan_format)
    assert [(s["id"], s["category_id"]) for s in ours] == [(s["id"], s["category_id"]) for s in segments[:2]]
    assert ours[1]["area"] == 2
