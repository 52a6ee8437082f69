"""Golden values recorded from pycocotools 2.0.11 (tests/data/make_golden.py): they pin the COCO
formats even where pycocotools is not installed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import maskkit.coco as M

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_coco.json").read_text())


def rle(size, counts):
    return {"size": list(size), "counts": counts.encode()}


@pytest.mark.parametrize("case", GOLDEN["encode"])
def test_encode(case):
    m = np.array(case["mask"], np.uint8)
    assert M.encode(m)["counts"].decode() == case["rle"]
    assert np.array_equal(M.decode(rle(m.shape, case["rle"])), m)


@pytest.mark.parametrize("case", GOLDEN["frPoly"])
def test_polygon(case):
    assert M.frPyObjects([case["polygon"]], case["h"], case["w"])[0]["counts"].decode() == case["rle"]


@pytest.mark.parametrize("case", GOLDEN["frBbox"])
def test_box(case):
    got = M.frPyObjects(np.array([case["box"]]), case["h"], case["w"])[0]["counts"].decode()
    assert got == case["rle"]


@pytest.mark.parametrize("case", GOLDEN["merge"])
def test_merge(case):
    rles = [rle(case["size"], c) for c in case["rles"]]
    assert M.merge(rles, intersect=case["intersect"])["counts"].decode() == case["rle"]


@pytest.mark.parametrize("case", GOLDEN["toBbox"])
def test_bbox(case):
    assert M.toBbox([rle(case["size"], c) for c in case["rles"]]).tolist() == case["bbox"]


@pytest.mark.parametrize("case", GOLDEN["iou"])
def test_iou(case):
    dt = [rle(case["size"], c) for c in case["dt"]]
    gt = [rle(case["size"], c) for c in case["gt"]]
    got = M.iou(dt, gt, case["iscrowd"])
    assert [[v.hex() for v in row] for row in got.tolist()] == case["iou_hex"]
