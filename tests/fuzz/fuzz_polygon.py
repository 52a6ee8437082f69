"""Fuzz maskkit.polygon (to_rle, to_mask) and rle.from_polygons: NaN, infinite, huge, negative
and far-away coordinates, degenerate rings (repeated, collinear, zero-area), odd lengths and
wrong types. Valid objects are compared with pycocotools' ``merge(frPyObjects(...))``; with
rule="center" with rasterio.features.rasterize and with rule="opencv" with cv2.fillPoly.
"""

from __future__ import annotations

import warnings
from typing import Any, List

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import polygon, rle

from .harness import clean_call, fuzz, hostile_layouts, native_copy

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

# pycocotools handles |5v| < 2**31 without overflow (beyond, maskkit continues exactly and
# pycocotools does not), but its time and memory grow with the coordinates: polygons are compared
# with it only inside this bound (tests/test_polygon.py compares far ones).
COMPARABLE = 2e4


def coco() -> Any:
    from pycocotools import mask

    return mask


def reference(polys: List[List[float]], h: int, w: int) -> Any:
    P = coco()
    merged = P.merge(P.frPyObjects(polys, h, w))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return merged, np.asarray(P.decode(merged))


def values(h: int, w: int) -> st.SearchStrategy[float]:
    side = max(h, w) + 5
    return st.one_of(
        st.floats(-5, side, allow_nan=False),
        st.integers(-5, side).map(float),
        st.integers(-10, 2 * side).map(lambda v: v / 2),
        st.floats(-1e7, 1e7, allow_nan=False),
        st.sampled_from([np.nan, np.inf, -np.inf, 1e14, -1e14, 1e15, 4e8, -4e8, 0.1, -0.1, 2.5, 2.4999999999999996]),
    )


@st.composite
def rings(draw: st.DrawFn, h: int, w: int) -> List[float]:
    """A polygon, often degenerate: repeated vertices, collinear runs, zero area."""
    k = draw(st.integers(0, 12))
    points = [(draw(values(h, w)), draw(values(h, w))) for _ in range(k)]
    for _ in range(draw(st.integers(0, 2))):
        if points:
            i = draw(st.integers(0, len(points) - 1))
            points.insert(i, points[i])  # a repeated vertex: a zero-length edge
    if len(points) >= 2 and draw(st.booleans()):
        (x0, y0), (x1, y1) = points[0], points[1]
        points.insert(1, ((x0 + x1) / 2, (y0 + y1) / 2))  # collinear
    if points and draw(st.booleans()):
        points = points + points[::-1]  # there and back: zero area
    flat = [v for p in points for v in p]
    if draw(st.integers(0, 9)) == 0 and flat:
        flat.pop()  # odd length
    return flat


def comparable(polys: List[List[float]]) -> bool:
    return all(np.isfinite(p).all() and np.abs(p).max(initial=0) < COMPARABLE for p in map(np.asarray, polys))


def valid(polys: List[List[float]]) -> bool:
    return all(len(p) % 2 == 0 and len(p) >= 6 for p in polys) and all(
        np.isfinite(p).all() and np.abs(p).max(initial=0) <= 1e14 for p in map(np.asarray, polys)
    )


@fuzz
@given(data=st.data())
def test_fuzz_to_rle_and_to_mask(data: st.DataObject) -> None:
    h, w = data.draw(st.integers(0, 40)), data.draw(st.integers(0, 40))
    polys = data.draw(st.lists(rings(h, w), max_size=3))
    got = clean_call(polygon.to_rle, polys, h, w)
    mask = clean_call(polygon.to_mask, polys, h, w)
    assert (got is None) == (mask is None)
    if got is None:
        assert not valid(polys)
        return
    assert valid(polys) and len(got) == 1 and got.sizes.tolist() == [[h, w]]
    assert mask.shape == (h, w) and mask.dtype == np.uint8
    assert np.array_equal(mask, rle.decode(got)[0])
    each = rle.from_polygons(polys, h, w)
    assert len(each) == len(polys)
    if polys:
        assert rle.merge(each) == got
    if polys and h and w and comparable(polys):
        merged, dense = reference(polys, h, w)
        assert got.to_coco() == [merged], (h, w, polys)
        assert np.array_equal(mask, dense)


@fuzz
@given(data=st.data())
def test_fuzz_polygon_arrays(data: st.DataObject) -> None:
    h, w = data.draw(st.integers(1, 30)), data.draw(st.integers(1, 30))
    dtype = data.draw(st.sampled_from([np.float64, np.float32, np.int32, np.int64, np.uint8, np.bool_, np.float16]))
    elements = st.integers(0, min(max(h, w) + 3, 250)) if np.dtype(dtype).kind in "iub" else st.floats(-3, max(h, w) + 3, width=16 if dtype == np.float16 else 32)
    if dtype == np.bool_:
        elements = st.booleans()
    shape = st.one_of(st.tuples(st.integers(0, 3), st.integers(0, 10)), st.tuples(st.integers(0, 10)), st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)))
    arr = data.draw(hostile_layouts(hnp.arrays(dtype, shape, elements=elements), keep_shape=False))
    got = clean_call(polygon.to_rle, arr, h, w)
    if got is None:
        return
    plain = native_copy(arr).astype(np.float64)
    rows = [plain] if plain.ndim == 1 else list(plain)
    assert arr.dtype != np.bool_ and plain.ndim in (1, 2)
    assert all(r.size % 2 == 0 and r.size >= 6 for r in rows)
    assert got == polygon.to_rle([r.tolist() for r in rows], h, w)
    if rows:
        merged, _ = reference([r.tolist() for r in rows], h, w)
        assert got.to_coco() == [merged]


# rasterio and cv2 walk every row between a polygon's extremes; they are compared with only
# inside this bound (maskkit's own work does not depend on it).
RULE_COMPARABLE = 1e4


def rule_valid(polys: List[List[float]], rule: str) -> bool:
    bound = 2.0**30 if rule == "opencv" else 1e14
    return all(len(p) % 2 == 0 and len(p) >= 6 for p in polys) and all(
        np.isfinite(p).all() and (np.abs(p).max(initial=0) < bound if rule == "opencv" else np.abs(p).max(initial=0) <= bound)
        for p in map(np.asarray, polys)
    )


def rule_reference(rule: str, polys: List[List[float]], h: int, w: int) -> Any:
    if rule == "center":
        import rasterio.features
        from affine import Affine

        shapes = []
        for xy in polys:
            pts = [(float(x), float(y)) for x, y in zip(xy[0::2], xy[1::2])]
            shapes.append(({"type": "Polygon", "coordinates": [pts if pts[0] == pts[-1] else pts + pts[:1]]}, 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return rasterio.features.rasterize(shapes, out_shape=(h, w), transform=Affine.identity(), dtype=np.uint8)
    import cv2

    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.asarray(p, np.float64).reshape(-1, 2).astype(np.int32) for p in polys], 1)
    return mask


@fuzz
@given(data=st.data(), rule=st.sampled_from(["center", "opencv"]))
def test_fuzz_center_and_opencv_rules(data: st.DataObject, rule: str) -> None:
    h, w = data.draw(st.integers(0, 40)), data.draw(st.integers(0, 40))
    polys = data.draw(st.lists(rings(h, w), max_size=3))
    got = clean_call(polygon.to_rle, polys, h, w, rule=rule)
    mask = clean_call(polygon.to_mask, polys, h, w, rule=rule)
    assert (got is None) == (mask is None)
    if got is None:
        assert not rule_valid(polys, rule)
        return
    assert rule_valid(polys, rule) and len(got) == 1 and got.sizes.tolist() == [[h, w]]
    assert mask.shape == (h, w) and mask.dtype == np.uint8 and mask.flags.c_contiguous
    assert got == rle.encode(mask[None])
    assert set(np.unique(mask).tolist()) <= {0, 1}
    if polys and h and w and all(np.abs(p).max(initial=0) < RULE_COMPARABLE for p in map(np.asarray, polys)):
        assert np.array_equal(mask, rule_reference(rule, polys, h, w)), (rule, h, w, polys)


hostile = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True), st.text(max_size=4),
    st.binary(max_size=4), st.just({}), st.just([[]]), st.just([None] * 6), st.just([["1"] * 6]),
    st.lists(st.one_of(st.none(), st.text(max_size=2), st.floats(), st.lists(st.floats(), max_size=7)), max_size=3),
)


@fuzz
@given(polys=hostile, h=st.one_of(st.integers(-2, 40), hostile, st.just(2**32), st.just(2**16)), w=st.one_of(st.integers(-2, 40), hostile, st.just(2**16)), rule=st.sampled_from(["coco", "center", "opencv", None, ""]))
def test_fuzz_hostile_arguments(polys: Any, h: Any, w: Any, rule: Any) -> None:
    for call in (lambda: polygon.to_rle(polys, h, w, rule=rule), lambda: polygon.to_mask(polys, h, w, rule=rule), lambda: rle.from_polygons(polys, h, w)):
        result = clean_call(call)
        if result is not None and isinstance(result, np.ndarray):
            assert rule in polygon.RULES and result.shape == (h, w)
        elif result is not None and call is not None:
            assert result.sizes.tolist() == [[h, w]] * len(result)
