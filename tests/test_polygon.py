"""Polygon rasterization against pycocotools' frPoly, bit for bit.

The default run checks a few thousand random polygons per SIMD target; ``-m slow`` runs the
full sweep of the compatibility checklist (100k+ polygons including the FMA-sensitive set).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import maskkit.coco as M
from maskkit import rle

P = pytest.importorskip("pycocotools.mask")
from pycocotools import _mask as PK  # noqa: E402


def random_polygon(rnd: random.Random, h: int, w: int, style: int) -> list[float]:
    k = rnd.randint(3, 50)
    if style == 0:  # uniform floats, partly outside the image
        pts = [(rnd.uniform(-5, w + 5), rnd.uniform(-5, h + 5)) for _ in range(k)]
    elif style == 1:  # half-pixel grid
        pts = [(rnd.randint(-10, 2 * w + 10) / 2, rnd.randint(-10, 2 * h + 10) / 2) for _ in range(k)]
    elif style == 2:  # 0.1 grid with duplicates and collinear runs
        pts = [(round(rnd.uniform(-5, w + 5), 1), round(rnd.uniform(-5, h + 5), 1)) for _ in range(k)]
        for _ in range(rnd.randint(0, 3)):
            i = rnd.randrange(len(pts))
            pts.insert(i, pts[i])
        if len(pts) > 2 and rnd.random() < 0.5:
            (x0, y0), (x1, y1) = pts[0], pts[1]
            pts.insert(1, ((x0 + x1) / 2, (y0 + y1) / 2))
    else:  # star-shaped, cw or ccw, like real annotations
        cx, cy, r = rnd.uniform(0, w), rnd.uniform(0, h), rnd.uniform(0.5, max(h, w) / 2)
        angles = sorted(rnd.uniform(0, 6.283) for _ in range(k))
        if rnd.random() < 0.5:
            angles.reverse()
        pts = [(cx + r * rnd.uniform(0.3, 1) * np.cos(a), cy + r * rnd.uniform(0.3, 1) * np.sin(a)) for a in angles]
    return [float(v) for p in pts for v in p]


def check(count: int, seed: int, max_side: int) -> None:
    rnd = random.Random(seed)
    for i in range(count):
        h, w = rnd.randint(1, max_side), rnd.randint(1, max_side)
        polys = [random_polygon(rnd, h, w, (i + j) % 4) for j in range(rnd.randint(1, 3))]
        assert M.frPyObjects(polys, h, w) == P.frPyObjects(polys, h, w), (h, w, polys)


def check_fma_set(count: int) -> None:
    """The checklist's FMA-sensitive set: random.Random(1), h, w in [1, 300], k in [3, 12]."""
    rnd = random.Random(1)
    for i in range(count):
        h, w, k = rnd.randint(1, 300), rnd.randint(1, 300), rnd.randint(3, 12)
        poly = [rnd.uniform(-3, w + 3) if j % 2 == 0 else rnd.uniform(-3, h + 3) for j in range(2 * k)]
        if i % 2:
            poly = [round(v, 1) for v in poly]
        assert M.frPyObjects([poly], h, w) == P.frPyObjects([poly], h, w), (h, w, poly)


def test_random_polygons(simd_target):
    check(1500, seed=11, max_side=300)


def test_fma_sensitive_set_sample():
    check_fma_set(5000)


def test_large_images():
    check(40, seed=12, max_side=2000)


def test_coordinates_pycocotools_still_handles():
    rnd = random.Random(3)
    for _ in range(20):
        poly = [rnd.uniform(-2e6, 2e6) for _ in range(8)]  # |5x| < 2**31, far outside the image
        assert M.frPyObjects([poly], 50, 60) == P.frPyObjects([poly], 50, 60)


def test_rle_from_polygons_equals_coco():
    rnd = random.Random(4)
    polys = [random_polygon(rnd, 40, 50, j % 4) for j in range(30)]
    assert rle.from_polygons(polys, 40, 50).to_coco() == PK.frPoly(polys, 40, 50)


@pytest.mark.slow
def test_100k_random_polygons():
    check(60_000, seed=21, max_side=300)
    check(500, seed=22, max_side=2000)


@pytest.mark.slow
def test_200k_fma_sensitive_set():
    check_fma_set(200_000)
