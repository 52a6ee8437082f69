"""maskkit.polygon's rules beyond the COCO one: "center" against rasterio (GDAL) and shapely,
ties included; "opencv" against cv2.fillPoly, bit for bit; and the dense COCO path against the
decoded RLE.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maskkit import polygon, rle

from .limits import run_limited
from .test_polygon import random_polygon


# --------------------------------------------------------------------------------------------
# references
# --------------------------------------------------------------------------------------------
def rasterio_object(features, parts, h, w):
    """rasterio.features.rasterize of each part as a GeoJSON polygon (closed as shapely does)."""
    from affine import Affine

    shapes = []
    for xy in parts:
        pts = [(float(x), float(y)) for x, y in zip(xy[0::2], xy[1::2])]
        if pts[0] != pts[-1]:
            pts.append(pts[0])
        shapes.append(({"type": "Polygon", "coordinates": [pts]}, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NotGeoreferencedWarning for the identity transform
        return features.rasterize(shapes, out_shape=(h, w), transform=Affine.identity(), all_touched=False, dtype=np.uint8)


def cv2_object(cv2, parts, h, w):
    """One cv2.fillPoly call with all parts, vertices truncated by astype(np.int32)."""
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.asarray(p, np.float64).reshape(-1, 2).astype(np.int32) for p in parts], 1)
    return mask


def grid_polygon(rnd: random.Random, h: int, w: int, grid: int, k: int, margin: int = 3) -> list[float]:
    """k vertices on a 1/grid lattice: half-integer grids put vertices and edges on pixel centres."""
    return [
        rnd.randint(-margin * grid, (w + margin) * grid) / grid if j % 2 == 0 else rnd.randint(-margin * grid, (h + margin) * grid) / grid
        for j in range(2 * k)
    ]


def object_strategy(coordinate: st.SearchStrategy[float], max_coordinates: int) -> st.SearchStrategy[list[list[float]]]:
    """One to three parts of 3 or more vertices."""
    part = st.lists(coordinate, min_size=6, max_size=max_coordinates).filter(lambda p: len(p) % 2 == 0)
    return st.lists(part, min_size=1, max_size=3)


def random_object(rnd: random.Random, h: int, w: int) -> list[list[float]]:
    parts = []
    for _ in range(rnd.randint(1, 3)):
        style = rnd.randint(0, 5)
        if style < 4:
            parts.append(random_polygon(rnd, h, w, style))
        else:
            parts.append(grid_polygon(rnd, h, w, rnd.choice([1, 2, 4]), rnd.randint(3, 9)))
    return parts


# --------------------------------------------------------------------------------------------
# rule="center"
# --------------------------------------------------------------------------------------------
def test_center_matches_rasterio_on_lattice_polygons(rasterio_features):
    # Integer and half-integer vertices: many centres exactly on edges and vertices.
    rnd = random.Random(41)
    for i in range(2500):
        h, w = rnd.randint(1, 14), rnd.randint(1, 14)
        parts = [grid_polygon(rnd, h, w, rnd.choice([1, 2, 4, 10]), rnd.randint(3, 8)) for _ in range(rnd.randint(1, 3))]
        got = polygon.to_mask(parts, h, w, rule="center")
        assert np.array_equal(got, rasterio_object(rasterio_features, parts, h, w)), (h, w, parts)


def test_center_matches_rasterio_on_random_objects(rasterio_features):
    rnd = random.Random(42)
    for i in range(400):
        h, w = rnd.randint(1, 120), rnd.randint(1, 120)
        parts = random_object(rnd, h, w)
        got = polygon.to_mask(parts, h, w, rule="center")
        assert np.array_equal(got, rasterio_object(rasterio_features, parts, h, w)), (h, w, parts)
        assert polygon.to_rle(parts, h, w, rule="center") == rle.encode(got[None])


TIES = [
    # edges through pixel centres, in both orientations: the ring is turned clockwise first
    [0.5, 0.5, 3.5, 0.5, 3.5, 2.5, 0.5, 2.5],
    [0.5, 0.5, 0.5, 2.5, 3.5, 2.5, 3.5, 0.5],
    # a horizontal top edge and a horizontal bottom edge on centre lines, vertices on centres
    [1.5, 0.5, 2.5, 0.5, 3.5, 2.5, 0.5, 2.5],
    [0.5, 0.5, 3.5, 0.5, 2.5, 2.5, 1.5, 2.5],
    # vertices on centres, diagonal edges through centres
    [2.5, 0.5, 4.5, 2.5, 2.5, 4.5, 0.5, 2.5],
    [2.5, 4.5, 4.5, 2.5, 2.5, 0.5, 0.5, 2.5],
    # a bow tie (self-intersecting at a centre) and a collinear ring
    [0.5, 0.5, 4.5, 4.5, 4.5, 0.5, 0.5, 4.5],
    [0.5, 1.5, 2.5, 1.5, 4.5, 1.5],
    # a repeated vertex as the lowest point, and an explicitly closed ring
    [1.5, 0.5, 1.5, 0.5, 4.5, 3.5, 0.5, 3.5],
    [0.5, 0.5, 3.5, 0.5, 3.5, 3.5, 0.5, 0.5],
]


@pytest.mark.parametrize("ring", TIES, ids=[f"tie{i}" for i in range(len(TIES))])
def test_center_tie_rule_is_gdals(rasterio_features, ring):
    for h, w in ((5, 5), (6, 7), (3, 2)):
        for dx, dy in ((0, 0), (1, 0), (0, 1), (-1, -1)):
            shifted = [v + (dx if j % 2 == 0 else dy) for j, v in enumerate(ring)]
            got = polygon.to_mask([shifted], h, w, rule="center")
            assert np.array_equal(got, rasterio_object(rasterio_features, [shifted], h, w)), (h, w, shifted)


def test_center_is_orientation_independent_and_the_exact_centre_test(shapely):
    # Simple star polygons with random float vertices (no centre on an edge): the result is
    # shapely's contains_xy at the centres, whatever the vertex order.
    rnd = random.Random(43)
    for i in range(200):
        h, w = rnd.randint(1, 80), rnd.randint(1, 80)
        ring = random_polygon(rnd, h, w, 3)
        pts = list(zip(ring[0::2], ring[1::2]))
        geometry = shapely.Polygon(pts)
        if not geometry.is_valid:
            continue
        ys, xs = np.mgrid[0:h, 0:w]
        expected = shapely.contains_xy(geometry, xs + 0.5, ys + 0.5).astype(np.uint8)
        got = polygon.to_mask([ring], h, w, rule="center")
        assert np.array_equal(got, expected), (h, w, ring)
        reversed_ring = [v for p in pts[::-1] for v in p]
        assert np.array_equal(polygon.to_mask([reversed_ring], h, w, rule="center"), got)


def test_center_parts_are_unioned_and_even_odd_within_a_part():
    square, inner = [0, 0, 6, 0, 6, 4, 0, 4], [2, 1, 4, 1, 4, 3, 2, 3]
    union = polygon.to_mask([square, inner], 4, 6, rule="center")
    assert union.all()
    # one ring that goes around twice in opposite directions: even-odd cuts the inner square
    loop = square + [0, 0, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 0, 0]
    cut = polygon.to_mask([loop], 4, 6, rule="center")
    assert cut.sum() == 24 - 4 and not cut[1:3, 2:4].any()


@given(data=st.data())
def test_center_property_matches_rasterio(data, rasterio_features):
    h, w = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 12))
    coordinate = st.one_of(
        st.integers(-6, 2 * max(h, w) + 6).map(lambda v: v / 2),
        st.floats(-3, max(h, w) + 3, allow_nan=False),
    )
    parts = data.draw(object_strategy(coordinate, 16))
    got = polygon.to_mask(parts, h, w, rule="center")
    assert np.array_equal(got, rasterio_object(rasterio_features, parts, h, w))


# --------------------------------------------------------------------------------------------
# rule="opencv"
# --------------------------------------------------------------------------------------------
def test_opencv_matches_cv2_fillpoly(cv2):
    rnd = random.Random(51)
    for i in range(3000):
        h, w = rnd.randint(1, 16), rnd.randint(1, 16)
        spread = rnd.choice([0.5, 3, 10, 50, 1000])
        parts = []
        for _ in range(rnd.randint(1, 3)):
            k = rnd.randint(3, 8)
            parts.append([rnd.uniform(-spread, w + spread) if j % 2 == 0 else rnd.uniform(-spread, h + spread) for j in range(2 * k)])
        got = polygon.to_mask(parts, h, w, rule="opencv")
        assert np.array_equal(got, cv2_object(cv2, parts, h, w)), (h, w, parts)


def test_opencv_matches_cv2_on_large_and_degenerate_polygons(cv2):
    rnd = random.Random(52)
    for i in range(600):
        h, w = rnd.randint(1, 200), rnd.randint(1, 200)
        spread = rnd.choice([0, 3, 1e4, 1e5, 3e5])
        parts = []
        for _ in range(rnd.randint(1, 3)):
            pts = [(rnd.uniform(-spread, w + spread), rnd.uniform(-spread, h + spread)) for _ in range(rnd.randint(3, 30))]
            if rnd.random() < 0.3:
                pts = [(float(round(x)), float(round(y))) for x, y in pts]
            if rnd.random() < 0.2:
                j = rnd.randrange(len(pts))
                pts.insert(j, pts[j])  # a zero-length edge
            if rnd.random() < 0.1:
                pts = [(x, pts[0][1]) for x, _ in pts]  # every vertex on one row
            if rnd.random() < 0.1:
                pts = pts + pts[::-1]  # there and back: zero area
            parts.append([v for p in pts for v in p])
        got = polygon.to_mask(parts, h, w, rule="opencv")
        assert np.array_equal(got, cv2_object(cv2, parts, h, w)), (h, w, spread)
        assert polygon.to_rle(parts, h, w, rule="opencv") == rle.encode(got[None])


def test_opencv_truncates_toward_zero_and_cuts_holes(cv2):
    # -0.9 truncates to 0 (not floor's -1); the inner part is cut out of the outer one.
    ring = [-0.9, -0.9, 3.9, -0.9, 3.9, 2.9, -0.9, 2.9]
    assert np.array_equal(polygon.to_mask([ring], 5, 6, rule="opencv"), cv2_object(cv2, [ring], 5, 6))
    outer, inner = [0, 0, 9, 0, 9, 9, 0, 9], [3, 3, 6, 3, 6, 6, 3, 6]
    got = polygon.to_mask([outer, inner], 10, 10, rule="opencv")
    assert np.array_equal(got, cv2_object(cv2, [outer, inner], 10, 10))
    assert not got[4:6, 4:6].any() and got[3, 3:7].all()


@given(data=st.data())
def test_opencv_property_matches_cv2(data, cv2):
    h, w = data.draw(st.integers(1, 20)), data.draw(st.integers(1, 20))
    side = max(h, w) + 4
    coordinate = st.one_of(st.floats(-side, 2 * side, allow_nan=False), st.integers(-side, 2 * side).map(float), st.floats(-1e4, 1e4))
    parts = data.draw(object_strategy(coordinate, 20))
    assert np.array_equal(polygon.to_mask(parts, h, w, rule="opencv"), cv2_object(cv2, parts, h, w))


def test_opencv_coordinate_range():
    with pytest.raises(ValueError, match=r"polygon 0 coordinate 2 is outside \(-2\*\*30, 2\*\*30\)"):
        polygon.to_mask([[0, 0, 2.0**30, 0, 1, 1]], 3, 3, rule="opencv")
    with pytest.raises(ValueError, match=r"outside \(-2\*\*30, 2\*\*30\)"):
        polygon.to_rle([[0, 0, 1, 0, 1, -1.5e9]], 3, 3, rule="opencv")
    far = 2.0**30 - 1
    assert polygon.to_mask([[-far, -far, far, -far, far, far, -far, far]], 3, 4, rule="opencv").all()


# --------------------------------------------------------------------------------------------
# every rule
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", polygon.RULES)
def test_rules_bound_the_work_by_the_image_and_handle_empty_images(rule):
    huge = 1e9 if rule == "opencv" else 1e14
    cover = [[-huge, -huge, huge, -huge, huge, huge, -huge, huge]]
    assert polygon.to_mask(cover, 6, 5, rule=rule).all()
    assert polygon.to_rle(cover, 6, 5, rule=rule).counts.tolist() == [0, 30]
    for h, w in ((0, 5), (4, 0), (0, 0)):
        assert polygon.to_mask(cover, h, w, rule=rule).shape == (h, w)
        assert polygon.to_rle(cover, h, w, rule=rule).counts.tolist() == [0]
    assert polygon.to_rle([], 3, 4, rule=rule).counts.tolist() == [12]
    with pytest.raises(ValueError, match="not a finite number"):
        polygon.to_mask([[0, 0, np.nan, 0, 1, 1]], 3, 3, rule=rule)
    with pytest.raises(ValueError, match="is outside"):
        polygon.to_rle([[0, 0, 1e15, 0, 1, 1]], 3, 3, rule=rule)
    with pytest.raises(OverflowError):
        polygon.to_mask([[0, 0, 1, 0, 1, 1]], 2**16, 2**16, rule=rule)


@pytest.mark.parametrize("rule", polygon.RULES)
def test_rule_inputs_in_every_form_agree(rule):
    parts = [[1.2, 1.7, 6.1, 1.1, 3.5, 5.5], [0, 0, 2, 0, 2, 3.5]]
    expected = polygon.to_mask(parts, 7, 8, rule=rule)
    arr = np.array(parts, np.float64)
    assert np.array_equal(polygon.to_mask(arr, 7, 8, rule=rule), expected)
    assert np.array_equal(polygon.to_mask(np.asfortranarray(arr)[:, ::-1][:, ::-1], 7, 8, rule=rule), expected)
    assert np.array_equal(polygon.to_mask([tuple(p) for p in parts], np.int64(7), 8, rule=rule), expected)
    assert polygon.to_rle(arr, 7, 8, rule=rule) == rle.encode(expected[None])


# --------------------------------------------------------------------------------------------
# rule="coco": the dense mask painted from the crossings equals the decoded RLE
# --------------------------------------------------------------------------------------------
def test_coco_dense_path_equals_decoded_rle():
    rnd = random.Random(61)
    for i in range(600):
        h, w = rnd.randint(1, 150), rnd.randint(1, 150)
        parts = random_object(rnd, h, w)
        if i % 5 == 0:  # parts reaching the bottom: runs that continue into the next column
            parts.append([-2, h - 3.3, w + 2, h - 1.2, w + 2, h + 4, -2, h + 4])
        if i % 7 == 0:  # a part covering the whole image
            parts.append([-5, -5, w + 5, -5, w + 5, h + 5, -5, h + 5])
        got = polygon.to_mask(parts, h, w)
        assert np.array_equal(got, rle.decode(polygon.to_rle(parts, h, w))[0]), (h, w, parts)


def test_bad_input_raises_before_the_mask_is_allocated():
    # A 59109 x 65536 mask is 3.6 GiB: the checks come first, so a bad polygon is a ValueError,
    # never a MemoryError under a 1 GiB address-space limit.
    result = run_limited(
        """
        from maskkit import polygon
        errors = []
        for rule in polygon.RULES:
            for polys in ([[]], [[0, 0, 1, 0, float("nan"), 1]], [[0, 0, 1, 0]]):
                try:
                    polygon.to_mask(polys, 59109, 65536, rule=rule)
                except ValueError as error:
                    errors.append(type(error).__name__)
        report(errors=errors)
        """,
        address_space_gib=1.0,
    )
    assert result == {"errors": ["ValueError"] * 9}
