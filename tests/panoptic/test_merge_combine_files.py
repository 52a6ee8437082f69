"""combine (files) and ``maskkit combine``: byte parity with panopticapi's combine_predictions on one core."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib

import numpy as np
import pytest

from maskkit import panoptic, rle
from maskkit._cli import main

from .test_merge_combine import CATEGORIES, predictions


def write_inputs(folder, seed):
    """Result files for a few images: instances (one below the threshold), stuff, a thing in the semantic file."""
    images, inst, sem = [], [], []
    for image_id, h, w, masks, scores, cats, stuff, stuff_cats in predictions(seed, 4):
        images.append({"id": image_id, "file_name": f"{image_id:06d}.jpg", "height": h, "width": w})
        for r, s, c in zip(rle.encode(masks).to_coco() if len(masks) else [], scores, cats):
            inst.append({"image_id": image_id, "category_id": int(c), "score": float(s),
                         "segmentation": {"size": r["size"], "counts": r["counts"].decode()}})
        for r, c in zip(rle.encode(stuff).to_coco() if len(stuff) else [], stuff_cats):
            sem.append({"image_id": image_id, "category_id": int(c),
                        "segmentation": {"size": r["size"], "counts": r["counts"].decode()}})
        if len(masks):  # a thing category in the semantic results is ignored
            sem.append({"image_id": image_id, "category_id": 1, "segmentation": inst[-1]["segmentation"]})
    paths = {}
    for name, obj in [("sem", sem), ("inst", inst), ("images", {"images": images, "info": {"x": 1}}),
                      ("cats", list(CATEGORIES.values()))]:
        paths[name] = os.path.join(folder, f"{name}.json")
        with open(paths[name], "w") as handle:
            json.dump(obj, handle)
    return paths


def read_outputs(folder):
    return {path.name: path.read_bytes() for path in sorted(pathlib.Path(folder).iterdir())}


# panopticapi never closes its multiprocessing pool
@pytest.mark.filterwarnings("ignore:unclosed running multiprocessing pool:ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_files_equal_panopticapi_on_one_core(panopticapi_combine, monkeypatch, tmp_path, seed):
    paths = write_inputs(str(tmp_path), seed)
    monkeypatch.setattr(panopticapi_combine.multiprocessing, "cpu_count", lambda: 1)
    np.random.seed(seed)  # the one worker is forked with this state
    with contextlib.redirect_stdout(io.StringIO()):
        panopticapi_combine.combine_predictions(
            paths["sem"], paths["inst"], paths["images"], paths["cats"], str(tmp_path / "ref"),
            str(tmp_path / "ref.json"), 0.5, 0.5, 20,
        )
    panoptic.combine(paths["sem"], paths["inst"], paths["images"], paths["cats"], str(tmp_path / "ours"),
                     str(tmp_path / "ours.json"), 0.5, 0.5, 20, seed=seed)
    assert read_outputs(tmp_path / "ours") == read_outputs(tmp_path / "ref")
    assert (tmp_path / "ours.json").read_bytes() == (tmp_path / "ref.json").read_bytes()


def test_cli_writes_the_same_files(tmp_path):
    paths = write_inputs(str(tmp_path), 5)
    common = ["--semseg_json_file", paths["sem"], "--instseg_json_file", paths["inst"], "--images_json_file",
              paths["images"], "--categories_json_file", paths["cats"], "--seed", "5", "--stuff_area_limit", "3"]
    assert main(["combine", *common, "--panoptic_json_file", str(tmp_path / "cli.json")]) == 0
    panoptic.combine(paths["sem"], paths["inst"], paths["images"], paths["cats"], None, str(tmp_path / "api.json"),
                     stuff_area_limit=3, seed=5)
    assert read_outputs(tmp_path / "cli") == read_outputs(tmp_path / "api")
    assert json.loads((tmp_path / "cli.json").read_text()) == json.loads((tmp_path / "api.json").read_text())


def test_an_error_leaves_no_files(tmp_path, capsys):
    paths = write_inputs(str(tmp_path), 3)
    images = json.loads(pathlib.Path(paths["images"]).read_text())
    images["images"][-1]["height"] += 1  # the last image's RLEs no longer fit it
    with open(paths["images"], "w") as handle:
        json.dump(images, handle)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ValueError, match="image 3: every mask and RLE must have the image's size"):
        panoptic.combine(paths["sem"], paths["inst"], paths["images"], paths["cats"], None, str(tmp_path / "pan.json"))
    assert sorted(os.listdir(tmp_path)) == before
    args = ["combine", "--semseg_json_file", paths["sem"], "--instseg_json_file", paths["inst"],
            "--images_json_file", paths["images"], "--categories_json_file", paths["cats"],
            "--panoptic_json_file", str(tmp_path / "pan.json")]
    assert main(args) == 1
    assert "image 3" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize(
    "edit, text",
    [
        (("sem", [{"image_id": 0, "category_id": 99, "segmentation": {"size": [1, 1], "counts": "1"}}]), "category_id 99"),
        (("inst", [{"image_id": 0, "category_id": 1, "segmentation": {"size": [1, 1], "counts": "01"}}]), "no 'score'"),
        (("inst", {"not": "a list"}), "JSON list"),
        (("images", {"images": [{"id": 0}]}), "'height'"),
        (("cats", {"1": {}}), "list of categories"),
    ],
)
def test_malformed_inputs(tmp_path, edit, text):
    paths = write_inputs(str(tmp_path), 0)
    with open(paths[edit[0]], "w") as handle:
        json.dump(edit[1], handle)
    with pytest.raises(ValueError, match=__import__("re").escape(text)):
        panoptic.combine(paths["sem"], paths["inst"], paths["images"], paths["cats"], None, str(tmp_path / "p.json"))
    assert not (tmp_path / "p").exists() and not (tmp_path / "p.json").exists()
