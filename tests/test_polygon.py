"""Polygon rasterization (maskkit.polygon, rle.from_polygons, coco.frPyObjects) against pycocotools, bit for bit.

The default run checks a few thousand random polygons per SIMD target; ``-m slow`` runs the
full sweep of the compatibility checklist (100k+ polygons including the FMA-sensitive set).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import maskkit.coco as M
from maskkit import polygon, rle

from .limits import run_limited


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


def check(P, count: int, seed: int, max_side: int) -> None:
    rnd = random.Random(seed)
    for i in range(count):
        h, w = rnd.randint(1, max_side), rnd.randint(1, max_side)
        polys = [random_polygon(rnd, h, w, (i + j) % 4) for j in range(rnd.randint(1, 3))]
        assert M.frPyObjects(polys, h, w) == P.frPyObjects(polys, h, w), (h, w, polys)


def check_fma_set(P, count: int) -> None:
    """The checklist's FMA-sensitive set: random.Random(1), h, w in [1, 300], k in [3, 12]."""
    rnd = random.Random(1)
    for i in range(count):
        h, w, k = rnd.randint(1, 300), rnd.randint(1, 300), rnd.randint(3, 12)
        poly = [rnd.uniform(-3, w + 3) if j % 2 == 0 else rnd.uniform(-3, h + 3) for j in range(2 * k)]
        if i % 2:
            poly = [round(v, 1) for v in poly]
        assert M.frPyObjects([poly], h, w) == P.frPyObjects([poly], h, w), (h, w, poly)


def test_random_polygons(simd_target, pycocotools_mask):
    check(pycocotools_mask, 1500, seed=11, max_side=300)


def test_fma_sensitive_set_sample(pycocotools_mask):
    check_fma_set(pycocotools_mask, 5000)


def test_large_images(pycocotools_mask):
    check(pycocotools_mask, 40, seed=12, max_side=2000)


def test_coordinates_pycocotools_still_handles(pycocotools_mask):
    P = pycocotools_mask
    rnd = random.Random(3)
    for _ in range(20):
        poly = [rnd.uniform(-2e6, 2e6) for _ in range(8)]  # |5x| < 2**31, far outside the image
        assert M.frPyObjects([poly], 50, 60) == P.frPyObjects([poly], 50, 60)


def test_rle_from_polygons_equals_coco(pycocotools_cmask):
    PK = pycocotools_cmask
    rnd = random.Random(4)
    polys = [random_polygon(rnd, 40, 50, j % 4) for j in range(30)]
    assert rle.from_polygons(polys, 40, 50).to_coco() == PK.frPoly(polys, 40, 50)


@pytest.mark.slow
def test_100k_random_polygons(pycocotools_mask):
    check(pycocotools_mask, 60_000, seed=21, max_side=300)
    check(pycocotools_mask, 500, seed=22, max_side=2000)


@pytest.mark.slow
def test_200k_fma_sensitive_set(pycocotools_mask):
    check_fma_set(pycocotools_mask, 200_000)


# --------------------------------------------------------------------------------------------
# maskkit.polygon: one object (its parts merged), as pycocotools frPyObjects + merge (+ decode)
# --------------------------------------------------------------------------------------------
def reference_object(P, polys, h, w):
    merged = P.merge(P.frPyObjects(polys, h, w))
    return merged, P.decode(merged)


def test_to_rle_and_to_mask_match_pycocotools(pycocotools_mask):
    rnd = random.Random(31)
    for i in range(400):
        h, w = rnd.randint(1, 120), rnd.randint(1, 120)
        polys = [random_polygon(rnd, h, w, (i + j) % 4) for j in range(rnd.randint(1, 4))]
        merged, dense = reference_object(pycocotools_mask, polys, h, w)
        assert polygon.to_rle(polys, h, w).to_coco() == [merged], (h, w, polys)
        mask = polygon.to_mask(polys, h, w)
        assert mask.shape == (h, w) and mask.dtype == np.uint8 and np.array_equal(mask, dense)


def test_array_and_single_polygon_inputs(pycocotools_mask):
    polys = np.array([[1, 1, 6, 1, 3.5, 5], [0, 0, 2, 0, 2, 3.5]], np.float32)
    as_lists = polys.astype(np.float64).tolist()
    merged, dense = reference_object(pycocotools_mask, as_lists, 7, 8)
    assert polygon.to_rle(polys, 7, 8).to_coco() == [merged]
    assert polygon.to_rle(np.asfortranarray(polys), 7, 8).to_coco() == [merged]
    assert polygon.to_rle([tuple(p) for p in as_lists], 7, 8).to_coco() == [merged]
    assert polygon.to_rle(np.arange(6, dtype=np.int32), 7, 8) == polygon.to_rle([[0, 1, 2, 3, 4, 5]], 7, 8)
    assert np.array_equal(polygon.to_mask(as_lists[0], 7, 8), reference_object(pycocotools_mask, as_lists[:1], 7, 8)[1])


def test_from_polygons_is_one_rle_per_polygon_of_the_same_rasterizer():
    polys = [[1, 1, 6, 1, 3.5, 5], [0, 0, 2, 0, 2, 3.5]]
    each = rle.from_polygons(polys, 7, 8)
    assert len(each) == 2 and rle.merge(each) == polygon.to_rle(polys, 7, 8)


def test_empty_object_is_the_empty_mask():
    assert polygon.to_rle([], 3, 4).counts.tolist() == [12]
    assert polygon.to_rle(np.zeros((0, 6)), 3, 4).counts.tolist() == [12]
    assert not polygon.to_mask([], 3, 4).any() and polygon.to_mask([], 3, 4).shape == (3, 4)
    assert polygon.to_rle([], 0, 4).counts.tolist() == [0]


def test_far_and_huge_coordinates_cost_nothing(pycocotools_mask):
    polys = [[-1e6, -1e6, 1e6, -1e6, 1e6, 1e6, -1e6, 1e6]]
    merged, dense = reference_object(pycocotools_mask, polys, 30, 40)
    assert polygon.to_rle(polys, 30, 40).to_coco() == [merged]
    assert polygon.to_mask([[-1e14, -1e14, 1e14, -1e14, 1e14, 1e14]], 4, 4).shape == (4, 4)


def test_rules_offered_and_unknown_rules_rejected():
    assert polygon.RULES == ("coco", "center", "opencv")
    for rule in ("COCO", "centre", "", None, 1):
        with pytest.raises(ValueError, match=r"rule must be one of 'coco' \(.*\), 'center' \(.*\), 'opencv' \(.*\), got"):
            polygon.to_rle([[0, 0, 1, 0, 1, 1]], 2, 2, rule=rule)
        with pytest.raises(ValueError, match=r"rule must be one of 'coco'"):
            polygon.to_mask([[0, 0, 1, 0, 1, 1]], 2, 2, rule=rule)


TRI = [0, 0, 2, 0, 2, 2]
POLYGON_HOSTILE = [
    ("nan", lambda f: f([[np.nan, 0, 2, 0, 2, 2]], 3, 3), ValueError),
    ("inf", lambda f: f([[0, 0, np.inf, 0, 2, 2]], 3, 3), ValueError),
    ("minus-inf", lambda f: f([[0, 0, 2, -np.inf, 2, 2]], 3, 3), ValueError),
    ("huge", lambda f: f([[0, 0, 1e15, 0, 2, 2]], 3, 3), ValueError),
    ("nan-array", lambda f: f(np.array([[0, 0, 2, 0, np.nan, 2]]), 3, 3), ValueError),
    ("odd-length", lambda f: f([[0, 0, 2, 0, 2, 2, 1]], 3, 3), ValueError),
    ("two-points", lambda f: f([[0, 0, 2, 2]], 3, 3), ValueError),
    ("one-point", lambda f: f([[0, 0]], 3, 3), ValueError),
    ("empty-polygon", lambda f: f([[]], 3, 3), ValueError),
    ("second-too-short", lambda f: f([TRI, [0, 0, 1, 1]], 3, 3), ValueError),
    ("array-odd-columns", lambda f: f(np.zeros((2, 7)), 3, 3), ValueError),
    ("array-3d", lambda f: f(np.zeros((1, 3, 2)), 3, 3), ValueError),
    ("array-bool", lambda f: f(np.ones((1, 6), bool), 3, 3), TypeError),
    ("array-object", lambda f: f(np.array([[None] * 6]), 3, 3), TypeError),
    ("nested-points", lambda f: f([[[0, 0], [2, 0], [2, 2]]], 3, 3), ValueError),
    ("str-coordinate", lambda f: f([["a", 0, 2, 0, 2, 2]], 3, 3), TypeError),
    ("none-coordinate", lambda f: f([[None, 0, 2, 0, 2, 2]], 3, 3), TypeError),
    ("str-polygon", lambda f: f(["abcdef"], 3, 3), TypeError),
    ("none-polygon", lambda f: f([None], 3, 3), TypeError),
    ("dict-polygon", lambda f: f([{"a": 1}], 3, 3), TypeError),
    ("none", lambda f: f(None, 3, 3), TypeError),
    ("str", lambda f: f("abc", 3, 3), TypeError),
    ("dict", lambda f: f({}, 3, 3), TypeError),
    ("int", lambda f: f(5, 3, 3), TypeError),
    ("float-height", lambda f: f([TRI], 3.0, 3), TypeError),
    ("none-width", lambda f: f([TRI], 3, None), TypeError),
    ("negative-height", lambda f: f([TRI], -1, 3), ValueError),
    ("huge-width", lambda f: f([TRI], 3, 2**32), OverflowError),
    ("pixels-past-uint32", lambda f: f([TRI], 2**16, 2**16), OverflowError),
    ("empty-past-uint32", lambda f: f([], 2**16, 2**16), OverflowError),
]


@pytest.mark.parametrize("func", [polygon.to_rle, polygon.to_mask, rle.from_polygons], ids=["to_rle", "to_mask", "from_polygons"])
@pytest.mark.parametrize("call,exc", [h[1:] for h in POLYGON_HOSTILE], ids=[h[0] for h in POLYGON_HOSTILE])
def test_polygon_hostile_inputs_raise(func, call, exc):
    if func is rle.from_polygons and call is POLYGON_HOSTILE[-1][1]:
        assert len(rle.from_polygons([], 2**16, 2**16)) == 0  # no polygon, no RLE, no size limit hit
        return
    with pytest.raises(exc) as info:
        call(func)
    assert str(info.value)


def test_polygon_messages_echo_the_value():
    with pytest.raises(ValueError, match=r"polygon 1 must have an even number of coordinates, at least 6 .* got 4: \[0, 0, 1, 1\]"):
        polygon.to_rle([TRI, [0, 0, 1, 1]], 3, 3)
    with pytest.raises(ValueError, match=r"polygon coordinate nan at index 0 is not a finite number"):
        polygon.to_rle([[np.nan, 0, 2, 0, 2, 2]], 3, 3)
    with pytest.raises(TypeError, match=r"polygons must be a list .* got str 'abc'"):
        polygon.to_rle("abc", 3, 3)


# --------------------------------------------------------------------------------------------
# memory bounded by the edges and the output, not the image width
# --------------------------------------------------------------------------------------------
def test_polygons_with_many_crossings_match_pycocotools(pycocotools_mask):
    # Zigzags across the width: millions of crossing slots, walked in column windows.
    rnd = random.Random(5)
    for i in range(12):
        h, w, k = rnd.randint(1, 60), rnd.randint(500, 3000), rnd.randint(200, 1500)
        poly = []
        for j in range(k):
            poly += [rnd.uniform(-5, w + 5) if j % 2 else rnd.uniform(-5, 5), rnd.uniform(-3, h + 3)]
        if i % 2:
            poly = [round(v, 1) for v in poly]
        assert M.frPyObjects([poly], h, w) == pycocotools_mask.frPyObjects([poly], h, w), (h, w)


def test_very_wide_polygons_match_pycocotools(pycocotools_mask):
    for w in (2**19, 2**21):
        for poly in ([0, 0, w, 0, w, 1, 0, 1], [0.3, 0.2, w - 3.7, 0.9, w / 2, 2.4, 7, 2.6]):
            assert M.frPyObjects([poly], 3, w) == pycocotools_mask.frPyObjects([poly], 3, w), (w, poly)


def test_wide_polygon_memory_is_bounded_by_the_output():
    # A per-column buffer for 2**26 columns takes 1.5 GiB; the result is 2 counts.
    result = run_limited(
        """
        import maskkit.coco as M
        from maskkit import polygon
        wide = M.frPyObjects([[0, 0, 2**26, 0, 2**26, 1, 0, 1]], 1, 2**26)
        tall = M.frPyObjects([[0, 0, 1, 0, 1, 2**26, 0, 2**26]], 2**26, 1)
        mask = polygon.to_rle([[0, 0, 2**26, 0, 2**26, 1, 0, 1]], 1, 2**26)
        report(wide=wide[0]["counts"].decode(), tall=tall[0]["counts"].decode(), counts=mask.counts.tolist())
        """,
        address_space_gib=1.0,
        env={"MASKKIT_NUM_THREADS": "1"},
    )
    assert result == {"wide": "0PPPPP2", "tall": "0PPPPP2", "counts": [0, 2**26]}
