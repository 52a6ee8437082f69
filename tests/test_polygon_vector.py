"""Mask -> polygon tracing, simplification and polygon checks (maskkit.polygon).

* pixel_edges: the COCO round trip is exact (pycocotools' own rasterizer) for hole-free masks,
  and the even-odd combination of every ring is exact for any mask;
* pixel_centers / simple: cv2.findContours' points, order and hierarchy, every mode;
* simplify: cv2.approxPolyDP point for point;
* checks: shapely's is_simple / is_ccw / area, and exact answers on near-degenerate input.
"""

from __future__ import annotations

from fractions import Fraction
from types import ModuleType
from typing import List

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import polygon

from .conftest import reference

MODES = {"external": 0, "list": 1, "ccomp": 2, "tree": 3}  # cv2.RETR_* values
METHODS = {"pixel_centers": 1, "simple": 2}  # cv2.CHAIN_APPROX_* values


@pytest.fixture(scope="session")
def shapely() -> ModuleType:
    """``shapely``."""
    return reference("shapely")


def masks(max_side: int = 24) -> st.SearchStrategy[np.ndarray]:
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shapes.flatmap(lambda s: hnp.arrays(np.uint8, s, elements=st.sampled_from([0, 1])))


def random_mask(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    return (rng.random((h, w)) < rng.random()).astype(np.uint8)


def background_reaches_border(m: np.ndarray) -> bool:
    """No holes: every background pixel 8-connects to the outside of the image."""
    from scipy import ndimage

    padded = np.pad(m == 0, 1, constant_values=True)
    labels, _ = ndimage.label(padded, structure=np.ones((3, 3)))
    return bool((labels[padded] == labels[0, 0]).all())


def rasterize_each(mask_module: ModuleType, rings: List[List[float]], h: int, w: int) -> np.ndarray:
    if not rings:
        return np.zeros((h, w, 0), np.uint8)
    return np.asarray(mask_module.decode(mask_module.frPyObjects(rings, h, w)))


# ---------------------------------------------------------------------------------- pixel edges


@given(masks())
def test_pixel_edges_even_odd_of_all_rings_is_the_mask(pycocotools_mask, m):
    rings = polygon.from_mask(m, mode="list")
    parts = rasterize_each(pycocotools_mask, rings, *m.shape)
    assert np.array_equal(np.bitwise_xor.reduce(parts, axis=2) if rings else np.zeros_like(m), m)


@given(masks())
def test_pixel_edges_coco_round_trip(pycocotools_mask, m):
    rings = polygon.from_mask(m)
    back = polygon.to_mask(rings, *m.shape)
    if background_reaches_border(m):
        assert np.array_equal(back, m)
        if rings:  # and exactly what pycocotools itself gives
            ref = pycocotools_mask.decode(pycocotools_mask.merge(pycocotools_mask.frPyObjects(rings, *m.shape)))
            assert np.array_equal(ref, m)
    else:  # holes come back filled, nothing else changes
        assert np.array_equal(back & m, m)
        holes = polygon.from_mask(m, mode="ccomp", hierarchy=True)
        assert (holes[1][:, 3] >= 0).any()


def test_pixel_edges_round_trip_many(pycocotools_mask):
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(400):
        h, w = rng.integers(1, 40, 2)
        m = random_mask(rng, int(h), int(w))
        if not background_reaches_border(m):
            continue
        checked += 1
        assert np.array_equal(polygon.to_mask(polygon.from_mask(m), int(h), int(w)), m)
    assert checked > 50


def test_diagonal_contacts_split_into_rings():
    # A diamond of four pixels touching at corners around a background pixel.
    m = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.uint8)
    rings = polygon.from_mask(m)
    assert rings == [
        [1.0, 0.0, 1.0, 1.0, 2.0, 1.0, 2.0, 0.0],
        [0.0, 1.0, 0.0, 2.0, 1.0, 2.0, 1.0, 1.0],
        [2.0, 1.0, 2.0, 2.0, 3.0, 2.0, 3.0, 1.0],
        [1.0, 2.0, 1.0, 3.0, 2.0, 3.0, 2.0, 2.0],
    ]
    assert np.array_equal(polygon.to_mask(rings, 3, 3), m)
    # A C shape closed by a diagonal contact: one ring that touches itself at a corner.
    c = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1]], np.uint8)
    (ring,) = polygon.from_mask(c)
    assert np.array_equal(polygon.to_mask([ring], 3, 3), c)


def test_pixel_edges_hierarchy_modes():
    m = np.zeros((9, 9), np.uint8)
    m[0:9, 0:9] = 1
    m[2:7, 2:7] = 0  # a hole
    m[4, 4] = 1  # an island in the hole
    rings, h = polygon.from_mask(m, mode="tree", hierarchy=True)
    assert len(rings) == 3
    assert h.tolist() == [[-1, -1, 1, -1], [-1, -1, 2, 0], [-1, -1, -1, 1]]
    rings, h = polygon.from_mask(m, mode="ccomp", hierarchy=True)
    assert h.tolist() == [[2, -1, 1, -1], [-1, -1, -1, 0], [-1, 0, -1, -1]]
    rings, h = polygon.from_mask(m, mode="list", hierarchy=True)
    assert h.tolist() == [[1, -1, -1, -1], [2, 0, -1, -1], [-1, 1, -1, -1]]
    rings, h = polygon.from_mask(m, mode="external", hierarchy=True)
    assert rings == [[0.0, 0.0, 0.0, 9.0, 9.0, 9.0, 9.0, 0.0]] and h.tolist() == [[-1, -1, -1, -1]]
    assert polygon.orientation(polygon.from_mask(m, mode="list")).tolist() == [1, -1, 1]


@given(masks(16))
def test_pixel_edges_hierarchy_is_consistent(m):
    rings, h = polygon.from_mask(m, mode="tree", hierarchy=True)
    assert h.shape == (len(rings), 4) and h.dtype == np.int32
    area = polygon.area(rings)
    orient = polygon.orientation(rings)
    depth = np.zeros(len(rings), int)
    for i, (nxt, prv, child, parent) in enumerate(h.tolist()):
        depth[i] = 0 if parent < 0 else depth[parent] + 1  # parents come first
        assert parent < i
        if nxt >= 0:
            assert h[nxt, 1] == i and h[nxt, 3] == parent
        if child >= 0:
            assert h[child, 3] == i
    # Outer rings (even depth) are counter-clockwise on screen, holes clockwise; the signed
    # areas add up to the pixel count.
    assert np.array_equal(orient, np.where(depth % 2 == 0, 1, -1))
    assert (area * orient).sum() == m.sum()


def test_offset_simplify_min_points():
    m = np.zeros((6, 6), np.uint8)
    m[1:5, 1:5] = 1
    m[0, 0] = 1
    assert polygon.from_mask(m, offset=(0.5, -1)) == [
        [0.5, -1.0, 0.5, 0.0, 1.5, 0.0, 1.5, -1.0],
        [1.5, 0.0, 1.5, 4.0, 5.5, 4.0, 5.5, 0.0],
    ]
    assert polygon.from_mask(m, min_points=5) == []
    staircase = np.tril(np.ones((8, 8), np.uint8))
    (full,) = polygon.from_mask(staircase)
    (simple,) = polygon.from_mask(staircase, simplify=1.0)
    assert len(simple) < len(full)
    assert simple == polygon.simplify(full, 1.0)


def test_mask_layouts_and_dtypes():
    rng = np.random.default_rng(3)
    m = random_mask(rng, 13, 17)
    want = polygon.from_mask(m, mode="tree", hierarchy=True)
    for variant in (m.astype(bool), np.asfortranarray(m), m[::-1, ::-1][::-1, ::-1], np.repeat(m, 2, axis=1)[:, ::2]):
        got = polygon.from_mask(variant, mode="tree", hierarchy=True)
        assert got[0] == want[0] and np.array_equal(got[1], want[1])
    readonly = m.copy()
    readonly.flags.writeable = False
    assert polygon.from_mask(readonly) == polygon.from_mask(m)
    assert polygon.from_mask(m * 7) == polygon.from_mask(m)  # non-zero is foreground
    for empty in (np.zeros((0, 5), np.uint8), np.zeros((5, 0), np.uint8), np.zeros((4, 4), bool)):
        rings, h = polygon.from_mask(empty, hierarchy=True)
        assert rings == [] and h.shape == (0, 4)


def test_from_mask_errors():
    m = np.ones((3, 3), np.uint8)
    with pytest.raises(TypeError, match="uint8 or bool"):
        polygon.from_mask(m.astype(np.float32))
    with pytest.raises(ValueError, match="2-D"):
        polygon.from_mask(m[None])
    with pytest.raises(ValueError, match="mode must be one of"):
        polygon.from_mask(m, mode="all")
    with pytest.raises(ValueError, match="method must be one of"):
        polygon.from_mask(m, method="tc89_kcos")
    with pytest.raises(ValueError, match="simplify must be >= 0"):
        polygon.from_mask(m, simplify=-1)
    with pytest.raises(ValueError, match="finite"):
        polygon.from_mask(m, simplify=float("nan"))
    with pytest.raises(TypeError, match="simplify must be a real number"):
        polygon.from_mask(m, simplify="1")
    with pytest.raises(ValueError, match="min_points must be >= 0"):
        polygon.from_mask(m, min_points=-1)
    with pytest.raises(TypeError, match="min_points must be an integer"):
        polygon.from_mask(m, min_points=2.5)
    with pytest.raises(ValueError, match="offset"):
        polygon.from_mask(m, offset=(1, 2, 3))
    with pytest.raises(ValueError, match="finite"):
        polygon.from_mask(m, offset=float("inf"))
    huge = np.broadcast_to(np.uint8(1), (50000, 50000))  # no memory behind it
    for method in ("pixel_edges", "simple"):
        with pytest.raises(OverflowError, match="below 2"):
            polygon.from_mask(huge, method=method)


# ---------------------------------------------------------------------------------- cv2 parity


def cv2_rings(cv2: ModuleType, m: np.ndarray, mode: str, method: str):
    contours, hierarchy = cv2.findContours(m, MODES[mode], METHODS[method])
    rings = [c.reshape(-1).astype(float).tolist() for c in contours]
    return rings, (hierarchy.reshape(-1, 4) if hierarchy is not None else np.zeros((0, 4), np.int32))


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("method", list(METHODS))
@given(m=masks(30))
def test_findcontours_parity(cv2, mode, method, m):
    rings, h = polygon.from_mask(m, mode=mode, method=method, min_points=0, hierarchy=True)
    want_rings, want_h = cv2_rings(cv2, m, mode, method)
    assert rings == want_rings
    assert np.array_equal(h, want_h)


@pytest.mark.parametrize("mode", list(MODES))
def test_findcontours_parity_many_contours(cv2, mode):
    # Over 127 borders: OpenCV's border numbers wrap and nesting is resolved by re-tracing.
    rng = np.random.default_rng(11)
    for _ in range(6):
        m = random_mask(rng, 120, 150)
        for method in METHODS:
            rings, h = polygon.from_mask(m, mode=mode, method=method, min_points=0, hierarchy=True)
            want_rings, want_h = cv2_rings(cv2, m, mode, method)
            assert len(rings) > 127 or mode == "external"
            assert rings == want_rings and np.array_equal(h, want_h)


def test_detectron2_style_converter(cv2):
    """detectron2 GenericMask.mask_to_polygons: RETR_CCOMP + NONE, >= 3 points, +0.5."""
    rng = np.random.default_rng(5)
    for _ in range(50):
        m = random_mask(rng, 20, 25)
        contours, _ = cv2.findContours(m.copy(), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
        want = [(c.reshape(-1) + 0.5).tolist() for c in contours if len(c) >= 3]
        assert polygon.from_mask(m, mode="ccomp", method="pixel_centers", offset=0.5) == want


def test_findcontours_simplify_is_approxpolydp(cv2):
    rng = np.random.default_rng(2)
    for _ in range(40):
        m = random_mask(rng, 30, 30)
        for eps in (0.5, 1.0, 2.5):
            contours, _ = cv2.findContours(m, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
            want = [cv2.approxPolyDP(c, eps, True).reshape(-1).astype(float).tolist() for c in contours]
            want = [r for r in want if len(r) >= 6]
            assert polygon.from_mask(m, mode="list", method="simple", simplify=eps) == want


# ---------------------------------------------------------------------------------- simplify


int_curves = st.lists(st.tuples(st.integers(-60, 60), st.integers(-60, 60)), min_size=1, max_size=40)
walks = st.lists(st.tuples(st.integers(-2, 2), st.integers(-2, 2)), min_size=1, max_size=60).map(
    lambda steps: [tuple(p) for p in np.cumsum(np.array(steps), axis=0).tolist()]
)
epsilons = st.sampled_from([0.0, 0.3, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0]) | st.floats(0, 20)


@given(st.one_of(int_curves, walks), epsilons, st.booleans())
def test_simplify_equals_approxpolydp(cv2, points, eps, closed):
    curve = np.array(points, np.int32).reshape(-1, 1, 2)
    try:
        want = cv2.approxPolyDP(curve, eps, closed)
    except cv2.error:  # a chord between two equal points fails OpenCV's assertion
        return
    got = polygon.simplify(curve.reshape(-1).tolist(), eps, closed=closed)
    assert got == want.reshape(-1).astype(float).tolist()


@given(st.lists(st.tuples(st.integers(-40, 40), st.integers(-40, 40)), min_size=2, max_size=30), epsilons)
def test_simplify_half_pixel_coordinates_match_float32(cv2, points, eps):
    curve = (np.array(points, np.float32) + np.float32(0.5)).reshape(-1, 1, 2)
    try:
        want = cv2.approxPolyDP(curve, eps, True)
    except cv2.error:
        return
    assert polygon.simplify(curve, eps) == want.reshape(-1).astype(float).tolist()


def test_simplify_inputs_and_errors():
    ring = [0, 0, 0, 4, 1, 4, 2, 4, 3, 4, 3, 0]
    want = polygon.simplify(ring, 0.5)
    assert polygon.simplify(np.array(ring).reshape(-1, 2), 0.5) == want
    assert polygon.simplify(tuple(ring), 0.5) == want
    assert polygon.simplify([], 1.0) == []
    assert polygon.simplify([3, 4], 1.0) == [3.0, 4.0]
    with pytest.raises(ValueError, match="x, y pairs"):
        polygon.simplify([0, 0, 1], 1.0)
    with pytest.raises(ValueError, match="finite"):
        polygon.simplify([0, 0, 1, float("nan")], 1.0)
    with pytest.raises(ValueError, match="epsilon"):
        polygon.simplify(ring, -0.1)
    with pytest.raises(ValueError, match="epsilon"):
        polygon.simplify(ring, float("inf"))
    with pytest.raises(TypeError, match="epsilon"):
        polygon.simplify(ring, "1")
    with pytest.raises(TypeError, match="real number"):
        polygon.simplify(["a", "b"], 1.0)
    with pytest.raises(TypeError, match="real numbers"):
        polygon.simplify(np.array(["a", "b"]), 1.0)
    with pytest.raises(ValueError, match="x, y pairs"):
        polygon.simplify(np.zeros((2, 3)), 1.0)
    with pytest.raises(TypeError, match="flat"):
        polygon.simplify("0 0 1 1", 1.0)


# ---------------------------------------------------------------------------------- checks


small_rings = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=3, max_size=9)


def distinct_after_dedup(points) -> int:
    kept = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    while len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return len(set(kept))


@given(small_rings, st.sampled_from([1.0, 0.1, 1e-7, 3.0e9]), st.integers(-8000, 8000).map(lambda v: v / 8))
def test_self_intersection_matches_shapely(shapely, points, scale, shift):
    coords = [(x * scale + shift, y * scale + shift) for x, y in points]
    if distinct_after_dedup(coords) < 3:
        return
    want = not shapely.LinearRing(coords).is_simple
    assert polygon.is_self_intersecting([[v for p in coords for v in p]]).tolist() == [want]


@given(small_rings)
def test_orientation_area_match_shapely(shapely, points):
    flat = [float(v) for p in points for v in p]
    ring = shapely.LinearRing(points) if distinct_after_dedup(points) >= 3 else None
    (area,) = polygon.area([flat]).tolist()
    (orient,) = polygon.orientation([flat]).tolist()
    (degenerate,) = polygon.is_degenerate([flat]).tolist()
    if ring is None:
        assert degenerate and orient == 0 and area == 0
        return
    signed = shapely.Polygon(points).exterior  # shoelace of the ring as given
    xs, ys = np.array(signed.coords).T
    shoelace = 0.5 * float(np.sum(xs[:-1] * ys[1:] - xs[1:] * ys[:-1]))
    assert area == pytest.approx(abs(shoelace))
    assert degenerate == (shoelace == 0)
    assert orient == (0 if shoelace == 0 else (1 if shoelace < 0 else -1))
    if shoelace != 0 and ring.is_simple:  # shapely's is_ccw of a crossing ring follows another rule
        assert orient == (-1 if ring.is_ccw else 1)  # is_ccw reads y up; ours is on screen


def exact_self_intersecting(coords) -> bool:
    """An O(n^2) oracle in rational arithmetic (consecutive duplicates removed first)."""
    pts = [(Fraction(x), Fraction(y)) for x, y in coords]
    pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
    while len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    n = len(pts)
    if n < 3:
        return False

    def orient(a, b, c):
        d = (a[0] - c[0]) * (b[1] - c[1]) - (a[1] - c[1]) * (b[0] - c[0])
        return (d > 0) - (d < 0)

    def within(p, q, r):
        return min(p[0], r[0]) <= q[0] <= max(p[0], r[0]) and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])

    def meet(p1, p2, q1, q2):
        o1, o2, o3, o4 = orient(p1, p2, q1), orient(p1, p2, q2), orient(q1, q2, p1), orient(q1, q2, p2)
        if o1 * o2 < 0 and o3 * o4 < 0:
            return True
        return any(o == 0 and within(a, b, c) for o, a, b, c in
                   ((o1, p1, q1, p2), (o2, p1, q2, p2), (o3, q1, p1, q2), (o4, q1, p2, q2)))

    for i in range(n):
        a, b, c = pts[i], pts[(i + 1) % n], pts[(i + 2) % n]
        if orient(a, b, c) == 0 and ((c[0] - b[0]) * (a[0] - b[0]) + (c[1] - b[1]) * (a[1] - b[1])) > 0:
            return True
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            if meet(pts[i], pts[(i + 1) % n], pts[j], pts[(j + 1) % n]):
                return True
    return False


near_line = st.lists(
    st.tuples(st.integers(0, 6), st.integers(-3, 3)), min_size=3, max_size=8
).map(lambda ps: [(0.1 * i + 0.7, 0.1 * i + 0.7 + k * 2.0**-52) for i, k in ps])


@given(st.one_of(near_line, small_rings.map(lambda ps: [(x / 3, y / 7) for x, y in ps])))
def test_self_intersection_is_exact(points):
    # Vertices within a few ulps of one line: rounding in a plain double evaluation flips
    # orientation signs; the answer must be the exact one.
    flat = [v for p in points for v in p]
    assert polygon.is_self_intersecting([flat]).tolist() == [exact_self_intersecting(points)]


def test_self_intersection_big_polygon():
    # A 20000-vertex star: the x-sweep keeps this fast; one extra edge crossing is found.
    k = 20000
    angles = np.linspace(0, 2 * np.pi, k, endpoint=False)
    radius = 100 + 10 * np.cos(angles * 37)
    ring = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    assert polygon.is_self_intersecting([ring.ravel()]).tolist() == [False]
    crossed = ring.copy()
    crossed[[10, 11]] = crossed[[11, 10]]
    assert polygon.is_self_intersecting([crossed.ravel()]).tolist() == [True]


def test_checks_on_from_mask_rings():
    rng = np.random.default_rng(4)
    m = random_mask(rng, 20, 20)
    rings = polygon.from_mask(m, mode="list")
    assert not polygon.outside_image(rings, 20, 20).any()
    assert polygon.outside_image([[v - 0.5 for v in rings[0]]], 20, 20).tolist() == [True]
    assert not polygon.is_degenerate(rings).any()


def test_check_inputs_and_errors():
    square = [0, 0, 2, 0, 2, 2, 0, 2]
    assert polygon.area(square).tolist() == [4.0]  # one flat polygon
    assert polygon.area(np.array([square, square], np.float32)).tolist() == [4.0, 4.0]
    assert polygon.area([]).tolist() == []
    assert polygon.is_degenerate([[0, 0], [], [0, 0, 1, 1, 0, 0]]).tolist() == [True, True, True]
    assert polygon.area([square + [0, 0]]).tolist() == [4.0]  # repeated closing vertex
    assert polygon.outside_image([[0, 0, 3, 0, 3, 2]], 2, 3).tolist() == [False]
    assert polygon.outside_image([[0, 0, 3.5, 0, 3, 2]], 2, 3).tolist() == [True]
    with pytest.raises(ValueError, match="even number"):
        polygon.area([[0, 0, 1]])
    for bad in (float("nan"), float("inf"), 1e15, 1e-200):
        with pytest.raises(ValueError, match="coordinates must be finite"):
            polygon.is_self_intersecting([[0, 0, 1, 0, bad, 1]])
    with pytest.raises(TypeError):
        polygon.area([["a", 0, 1, 0, 1, 1]])
    with pytest.raises(TypeError, match="polygons must be"):
        polygon.area("0 0 1 1")
    with pytest.raises(TypeError, match="polygon 0 must be"):
        polygon.area([{"x": 1}])
    with pytest.raises(TypeError, match="real numbers"):
        polygon.area(np.array([["a"] * 6]))
    with pytest.raises(TypeError, match="height must be an integer"):
        polygon.outside_image([square], 2.5, 3)
    with pytest.raises(ValueError, match="width must be >= 0"):
        polygon.outside_image([square], 2, -3)


def test_torch_masks():
    torch = pytest.importorskip("torch", reason="torch is not a dependency; the CPU tensor path is tested where it is installed")
    rng = np.random.default_rng(9)
    m = random_mask(rng, 12, 15)
    want = polygon.from_mask(m, mode="tree", method="simple", min_points=0)
    for tensor in (torch.from_numpy(m), torch.from_numpy(m.astype(bool)), torch.from_numpy(m).t().contiguous().t()):
        assert polygon.from_mask(tensor, mode="tree", method="simple", min_points=0) == want


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize(
    "points",
    [
        [5.0, -11.5, 9.5, 884.2075992437913, 9.5, 884.2075992437913, 7.0, 1e300],
        [0.0, 0.0, 1e300, 0.0, 5.0, 5.0, -1e300, 1e300, 3.0, 1.0],
        [1e300, -1e300, -1e300, 1e300, 0.0, 0.0, 1e300, 1e300],
    ],
)
def test_simplify_of_coordinates_whose_squares_overflow_ends(points, closed):
    # found by fuzzing: chord lengths of inf made the split threshold NaN, and the chains were
    # split at a stale point forever, writing past the kept points
    for eps in (0.0, 1.0):
        out = polygon.simplify(points, eps, closed=closed)
        assert len(out) % 2 == 0 and 0 < len(out) <= len(points)
        assert set(zip(out[0::2], out[1::2])) <= set(zip(points[0::2], points[1::2]))
