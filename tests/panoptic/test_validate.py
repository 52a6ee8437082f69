"""validate: each kind of finding, on one image and on a dataset, and the report's forms."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from maskkit import panoptic

CATEGORIES = [
    {"id": 1, "isthing": 1, "color": [220, 20, 60]},
    {"id": 7, "isthing": 0, "color": [128, 64, 128]},
]


def kinds(report):
    return sorted(report.counts())


def consistent(id_map, category=1):
    _, segments = panoptic.from_label_divisor(id_map.astype(np.int64) - 1, void=-1)
    for segment in segments:
        segment["category_id"] = category
    return segments


@given(id_map=hnp.arrays(np.uint32, (5, 6), elements=st.integers(0, 4)))
def test_a_consistent_image_is_ok(id_map):
    report = panoptic.validate(id_map, consistent(id_map), CATEGORIES)
    assert report.ok and report.findings == []
    assert report.images[0]["void_fraction"] == pytest.approx(float((id_map == 0).mean()))
    rgb = panoptic.validate(panoptic.id2rgb(id_map), consistent(id_map), CATEGORIES)
    assert rgb.ok


def test_each_segment_finding():
    ids = np.array([[0, 5, 5], [9, 9, 12]])
    segments = [
        {"id": 5, "category_id": 1, "area": 3, "bbox": [1, 0, 2, 1]},   # area wrong
        {"id": 9, "category_id": 1, "area": 2, "bbox": [0, 0, 2, 1]},   # bbox wrong
        {"id": 9, "category_id": 1},                                     # listed twice
        {"id": 0, "category_id": 7},                                     # VOID listed
        {"id": 44, "category_id": 1, "area": 0},                         # no pixel, area 0
        {"id": 2**24, "category_id": 1},                                 # out of range
        {"id": 12, "category_id": 3},                                    # unknown category
        {"category_id": 1},                                              # no id
    ]
    report = panoptic.validate(ids, segments, CATEGORIES, image="img")
    assert report.counts() == {
        "area_mismatch": 1, "bbox_mismatch": 1, "duplicate_id": 1, "void_listed": 1, "empty_segment": 1,
        "missing_in_png": 2, "id_out_of_range": 1, "unknown_category": 1, "malformed": 1,
    }
    assert not report.ok
    assert {f.image for f in report.findings} == {"img"}
    assert [f.segment for f in report.findings if f.kind == "area_mismatch"] == [5]
    assert report.images == [{"image": "img", "height": 2, "width": 3, "segments": 8, "void_fraction": 1 / 6}]


def test_unlisted_ids_and_out_of_range_maps():
    report = panoptic.validate(np.array([[3, 4]]), [{"id": 3, "category_id": 1}])
    assert [(f.kind, f.segment) for f in report.findings] == [("missing_in_json", 4)]
    report = panoptic.validate(np.array([[3, 2**24, -1]]), [])
    assert kinds(report) == ["id_out_of_range"] and "16777216" in report.findings[0].detail
    assert kinds(panoptic.validate(np.zeros((2, 2)), [])) == ["malformed"]
    assert kinds(panoptic.validate(np.zeros((2, 2, 3), np.uint16), [])) == ["malformed"]


def test_label_divisor_overflow_is_found():
    # a 256th instance of category 1 with divisor 256 reads as category 2
    ids = np.array([[1 * 256 + 255, 2 * 256 + 0]])
    segments = [{"id": 511, "category_id": 1}, {"id": 512, "category_id": 1}]
    report = panoptic.validate(ids, segments, label_divisor=256)
    assert [(f.kind, f.segment) for f in report.findings] == [("divisor_overflow", 512)]


def test_equal_stuff_colours_are_found():
    cats = CATEGORIES + [{"id": 8, "isthing": 0, "color": [128, 64, 128]}]
    report = panoptic.validate(np.zeros((1, 1), int), [], cats)
    assert kinds(report) == ["equal_stuff_colors"] and "7 and 8" in report.findings[0].detail


def test_layers_overlap_and_empty_layers():
    a = np.zeros((3, 3), bool)
    a[0, :2] = True
    b = np.zeros((3, 3), bool)
    b[0, 1:] = True
    c = np.zeros((3, 3), bool)
    report = panoptic.validate([a, b, c], [{"id": 4, "category_id": 1, "area": 2}, {"id": 6, "category_id": 7, "area": 2}, {"id": 8, "category_id": 7}], CATEGORIES)
    assert report.counts() == {"overlap": 1, "empty_segment": 1, "missing_in_png": 1}
    assert report.findings[0].detail == "layers 0 and 1 share 1 pixels"
    assert report.images[0]["void_fraction"] == pytest.approx(6 / 9)
    assert panoptic.validate(np.stack([a, ~a])).ok
    assert kinds(panoptic.validate([a, np.zeros((2, 2), bool)])) == ["malformed"]
    assert kinds(panoptic.validate(np.full((2, 3, 3), 2, np.uint8).tolist())) == ["malformed"]


def test_void_fraction_threshold():
    ids = np.array([[0, 0, 0, 1]])
    segments = [{"id": 1, "category_id": 1}]
    assert panoptic.validate(ids, segments, max_void_fraction=0.8).ok
    report = panoptic.validate(ids, segments, max_void_fraction=0.5)
    assert kinds(report) == ["void_fraction"] and report.ok  # a warning


def test_report_forms():
    report = panoptic.validate(np.array([[3]]), [], image=7)
    data = report.to_dict()
    assert data["ok"] is False and data["counts"] == {"missing_in_json": 1}
    assert data["findings"][0] == {"kind": "missing_in_json", "severity": "error", "image": 7, "segment": 3,
                                   "detail": "id 3 has 1 pixels but is not listed"}
    assert json.loads(report.to_json()) == data
    with pytest.raises(TypeError, match="label_divisor"):
        panoptic.validate(np.array([[3]]), [], label_divisor=0)
    with pytest.raises(TypeError, match="max_void_fraction"):
        panoptic.validate(np.array([[3]]), [], max_void_fraction="0.5")


def test_a_dataset(tmp_path):
    folder = tmp_path / "gt"
    folder.mkdir()
    good = np.array([[0, 5], [5, 9]], np.uint32)
    Image.fromarray(panoptic.id2rgb(good)).save(folder / "a.png")
    Image.fromarray(panoptic.id2rgb(good)).save(folder / "b.png")
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(folder / "gray.png")
    segments = [{"id": 5, "category_id": 1, "area": 2, "bbox": [0, 0, 2, 2]}, {"id": 9, "category_id": 7, "area": 1, "bbox": [1, 1, 1, 1]}]
    data = {
        "images": [{"id": 1, "height": 2, "width": 2}, {"id": 2, "height": 3, "width": 2}, {"id": 3}, {"id": 4}, {"id": 5}],
        "annotations": [
            {"image_id": 1, "file_name": "a.png", "segments_info": segments},
            {"image_id": 2, "file_name": "b.png", "segments_info": segments},   # wrong size in images
            {"image_id": 3, "file_name": "missing.png", "segments_info": []},
            {"image_id": 1, "file_name": "a.png", "segments_info": segments},   # a second annotation
            {"image_id": 4, "file_name": "gray.png", "segments_info": []},
            {"image_id": 9},
        ],
        "categories": CATEGORIES,
    }
    (tmp_path / "gt.json").write_text(json.dumps(data))
    report = panoptic.validate(str(tmp_path / "gt.json"))
    assert report.counts() == {"shape_mismatch": 1, "missing_png": 1, "duplicate_image": 1, "malformed": 2, "missing_annotation": 1}
    assert [f.image for f in report.findings if f.kind == "missing_annotation"] == [5]
    assert len(report.images) == 3
    assert panoptic.validate(tmp_path / "gt.json", folder=str(folder)).counts() == report.counts()
    (tmp_path / "bad.json").write_text("[")
    assert kinds(panoptic.validate(str(tmp_path / "bad.json"))) == ["malformed"]
    assert kinds(panoptic.validate(str(tmp_path / "nothing.json"))) == ["malformed"]
