"""maskkit convert / maskkit validate, run through maskkit._cli.main in temporary folders."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from maskkit import _cli, panoptic

from .test_convert import CATEGORIES, panoptic_dataset


def test_convert_panoptic2semantic_and_panoptic2detection(tmp_path):
    data = panoptic_dataset(tmp_path)
    pan_json = str(tmp_path / "pan.json")
    assert _cli.main(["convert", "panoptic2semantic", "--input_json_file", pan_json, "--semantic_seg_folder", str(tmp_path / "sem")]) == 0
    first = data["annotations"][0]
    ids = panoptic.rgb2id(np.asarray(Image.open(tmp_path / "pan" / first["file_name"])))
    expected = panoptic.panoptic_to_semantic(ids, first["segments_info"])
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "sem" / first["file_name"])), expected)
    assert _cli.main(["convert", "panoptic2detection", "--input_json_file", pan_json, "--output_json_file", str(tmp_path / "det.json"), "--things_only"]) == 0
    det = json.loads((tmp_path / "det.json").read_text())
    assert [a["id"] for a in det["annotations"]] == list(range(3)) and {a["category_id"] for a in det["annotations"]} == {1}


def test_convert_detection2panoptic_and_2channels2panoptic(tmp_path):
    panoptic_dataset(tmp_path)
    (tmp_path / "cats.json").write_text(json.dumps(list(CATEGORIES.values())))
    assert _cli.main(["convert", "panoptic2detection", "--input_json_file", str(tmp_path / "pan.json"), "--output_json_file", str(tmp_path / "det.json")]) == 0
    args = ["convert", "detection2panoptic", "--input_json_file", str(tmp_path / "det.json"), "--output_json_file",
            str(tmp_path / "back.json"), "--categories_json_file", str(tmp_path / "cats.json"), "--seed", "3"]
    assert _cli.main(args) == 0
    assert panoptic.validate(str(tmp_path / "back.json")).counts().keys() <= {"area_mismatch", "bbox_mismatch"}
    (tmp_path / "src").mkdir()
    Image.fromarray(np.array([[[1, 1, 0], [7, 0, 0]]], np.uint8)).save(tmp_path / "src" / "x.png")
    (tmp_path / "images.json").write_text(json.dumps({"images": [{"id": 1, "file_name": "x.jpg"}]}))
    args = ["convert", "2channels2panoptic", "--source_folder", str(tmp_path / "src"), "--images_json_file", str(tmp_path / "images.json"),
            "--categories_json_file", str(tmp_path / "cats.json"), "--predictions_json_file", str(tmp_path / "pred.json"), "-v", "0"]
    assert _cli.main(args) == 0
    pred = json.loads((tmp_path / "pred.json").read_text())
    assert [s["category_id"] for s in pred["annotations"][0]["segments_info"]] == [1, 7]
    assert panoptic.validate(str(tmp_path / "pred.json")).ok


def test_convert_failures_exit_1_and_leave_nothing(tmp_path, capsys):
    panoptic_dataset(tmp_path)
    (tmp_path / "pan" / "im1.png").unlink()
    out = tmp_path / "det.json"
    assert _cli.main(["convert", "panoptic2detection", "--input_json_file", str(tmp_path / "pan.json"), "--output_json_file", str(out)]) == 1
    assert "maskkit convert panoptic2detection: no PNG file" in capsys.readouterr().err and not out.exists()
    assert _cli.main(["convert", "panoptic2semantic", "--input_json_file", str(tmp_path / "pan.json")]) == 1
    assert "exactly one" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        _cli.main(["convert", "panoptic2detection", "--input_json_file", "x.json"])
    assert exit_info.value.code == 2


def test_validate_prints_findings_and_json(tmp_path, capsys):
    data = panoptic_dataset(tmp_path)
    assert _cli.main(["validate", "--input_json_file", str(tmp_path / "pan.json")]) == 1  # the dataset's areas are all 1
    text = capsys.readouterr().out
    assert "error area_mismatch: image 0 segment 775:" in text and text.rstrip().endswith("warnings")
    for annotation in data["annotations"]:
        ids = panoptic.rgb2id(np.asarray(Image.open(tmp_path / "pan" / annotation["file_name"])))
        for segment in annotation["segments_info"]:
            segment["area"] = int((ids == segment["id"]).sum())
            del segment["bbox"]
    (tmp_path / "pan.json").write_text(json.dumps(data))
    (tmp_path / "cats.json").write_text(json.dumps(list(CATEGORIES.values())))
    args = ["validate", "--input_json_file", str(tmp_path / "pan.json"), "--categories_json_file", str(tmp_path / "cats.json"), "--json"]
    assert _cli.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and len(report["images"]) == 3
    (tmp_path / "bad.json").write_text("{")
    assert _cli.main(["validate", "--input_json_file", str(tmp_path / "pan.json"), "--categories_json_file", str(tmp_path / "bad.json")]) == 1
    assert "not valid JSON" in capsys.readouterr().err
