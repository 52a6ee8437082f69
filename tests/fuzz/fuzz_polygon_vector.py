"""Fuzz maskkit.polygon's vectorization and checks: from_mask, simplify, area, orientation,
is_degenerate, is_self_intersecting, outside_image.

Masks come in uint8/bool (now and then a refused dtype or rank), with empty axes, values other
than 0/1 and hostile layouts; options in every combination, some malformed. Accepted traces are
checked by rasterizing every ring with pycocotools' rule: the even-odd combination gives the
mask back (pixel edges), and the cv2 methods are compared with cv2.findContours. Polygons for
simplify and the checks carry NaN, infinite, huge, tiny and repeated coordinates, odd lengths
and wrong types; accepted calls are checked against plain NumPy (area, outside) and cv2
(simplify on integer points).
"""

from __future__ import annotations

import warnings
from typing import Any, List

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import polygon

from .harness import clean_call, fuzz, hostile_layouts, native_copy

MODES = ["external", "list", "ccomp", "tree"]
METHODS = ["pixel_edges", "pixel_centers", "simple"]
CV2_MODES = {"external": 0, "list": 1, "ccomp": 2, "tree": 3}
CV2_METHODS = {"pixel_centers": 1, "simple": 2}


@st.composite
def masks(draw: st.DrawFn) -> Any:
    h = draw(st.sampled_from([0, 1, 2, 5, 9, 17, 33]))
    w = draw(st.sampled_from([0, 1, 3, 8, 9, 16, 31, 40]))
    m = draw(hnp.arrays(np.uint8, (h, w), elements=st.sampled_from([0, 0, 1, 1, 1, 7, 255])))
    odd = draw(st.integers(0, 15))
    if odd == 0:
        return m.astype(draw(st.sampled_from(["i1", "<u2", "f4", "O"])))
    if odd == 1:
        return m[None]
    if odd == 2:
        return m.tolist()
    return m.astype(bool) if draw(st.booleans()) else m


def rasterize_each(rings: List[List[float]], h: int, w: int) -> np.ndarray:
    from pycocotools import mask

    if not rings:
        return np.zeros((h, w, 0), np.uint8)
    return np.asarray(mask.decode(mask.frPyObjects(rings, h, w)))


@fuzz
@given(data=st.data())
def test_fuzz_from_mask(data: st.DataObject) -> None:
    raw = data.draw(masks())
    m = data.draw(hostile_layouts(st.just(raw))) if isinstance(raw, np.ndarray) else raw
    mode = data.draw(st.sampled_from(MODES + ["all", 3]))
    method = data.draw(st.sampled_from(METHODS + ["tc89_kcos", None]))
    offset = data.draw(st.sampled_from([0.0, 0.5, (0.5, -1), (1, 2, 3), float("nan"), "x"]))
    eps = data.draw(st.sampled_from([0.0, 0.0, 1.0, 2.5, -1.0, float("inf"), "1"]))
    min_points = data.draw(st.sampled_from([0, 3, 3, 5, -1, 2.5, 2**70]))
    result = clean_call(polygon.from_mask, m, mode=mode, method=method, offset=offset, simplify=eps,
                        min_points=min_points, hierarchy=True)
    if result is None:
        return
    rings, nesting = result
    assert nesting.shape == (len(rings), 4) and nesting.dtype == np.int32
    assert all(len(r) % 2 == 0 and len(r) >= 2 * min(min_points, 10**9) for r in rings)
    plain = (native_copy(m) != 0).astype(np.uint8)
    h, w = plain.shape
    dx, dy = (offset, offset) if isinstance(offset, float) else offset
    unshifted = [[v - (dx if i % 2 == 0 else dy) for i, v in enumerate(r)] for r in rings]
    if method == "pixel_edges" and eps == 0.0 and min_points in (0, 3) and mode == "list" and h and w:
        parts = rasterize_each(unshifted, h, w)
        combined = np.bitwise_xor.reduce(parts, axis=2) if rings else np.zeros((h, w), np.uint8)
        assert np.array_equal(combined, plain)
    if method in CV2_METHODS and eps == 0.0 and min_points == 0 and h and w:
        import cv2

        contours, hierarchy = cv2.findContours(plain, CV2_MODES[mode], CV2_METHODS[method])
        assert unshifted == [c.reshape(-1).astype(float).tolist() for c in contours]
        assert np.array_equal(nesting, hierarchy.reshape(-1, 4) if hierarchy is not None else nesting[:0])


def coordinates() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-20, 20),
        st.integers(-40, 40).map(lambda v: v / 2),
        st.floats(-1e3, 1e3, allow_nan=False),
        st.sampled_from([np.nan, np.inf, -np.inf, 1e14, -1e14, 1e15, 1e-200, 5e-324, 0.0, -0.0, 1e300]),
    )


@st.composite
def polygons(draw: st.DrawFn) -> Any:
    k = draw(st.integers(0, 12))
    flat: List[Any] = [draw(coordinates()) for _ in range(2 * k)]
    if flat and draw(st.integers(0, 3)) == 0:  # repeated vertices
        i = 2 * draw(st.integers(0, k - 1))
        flat[i + 2 : i + 2] = flat[i : i + 2]
    if draw(st.integers(0, 9)) == 0:
        flat.append(1.0)  # odd length
    if draw(st.integers(0, 19)) == 0:
        flat.insert(0, draw(st.sampled_from(["a", None, [1, 2], True])))
    form = draw(st.sampled_from(["list", "list", "tuple", "array"]))
    if form == "tuple":
        return tuple(flat)
    if form == "array":
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return np.array(flat, dtype=draw(st.sampled_from(["<f8", ">f8", "f4", "i4", "O"])))
        except (TypeError, ValueError, OverflowError):
            return flat
    return flat


@fuzz
@given(polygon_=polygons(), eps=st.sampled_from([0.0, 0.5, 1.0, 3.0, -1.0, float("nan"), 1e30, "1"]),
       closed=st.booleans())
def test_fuzz_simplify(polygon_: Any, eps: Any, closed: bool) -> None:
    out = clean_call(polygon.simplify, polygon_, eps, closed=closed)
    if out is None:
        return
    xy = np.asarray(polygon_, dtype=np.float64).reshape(-1)
    assert len(out) <= len(xy) and len(out) % 2 == 0
    pairs = set(zip(xy[0::2].tolist(), xy[1::2].tolist()))
    assert set(zip(out[0::2], out[1::2])) <= pairs  # a subset of the input points
    if len(xy) and (xy == np.round(xy)).all() and (np.abs(xy) < 2**20).all():
        import cv2

        try:
            want = cv2.approxPolyDP(xy.astype(np.int32).reshape(-1, 1, 2), float(eps), closed)
        except cv2.error:
            return
        assert out == want.reshape(-1).astype(float).tolist()


@fuzz
@given(data=st.data())
def test_fuzz_checks(data: st.DataObject) -> None:
    items = data.draw(st.lists(polygons(), max_size=4))
    form = data.draw(st.sampled_from(["list", "list", "single", "bad"]))
    arg: Any = items
    if form == "single":
        arg = items[0] if items else []
    elif form == "bad":
        arg = data.draw(st.sampled_from(["0 0 1 1", {"a": 1}, 3, None, [[{"x": 1}]]]))
    h = data.draw(st.sampled_from([0, 3, 10, -1, 2.5, 2**32]))
    w = data.draw(st.sampled_from([0, 4, 10, -1, 2**33]))
    for check in (polygon.area, polygon.orientation, polygon.is_degenerate, polygon.is_self_intersecting):
        out = clean_call(check, arg)
        if out is None:
            continue
        assert out.ndim == 1
        if check is polygon.area:
            assert (out >= 0).all() and np.isfinite(out).all()
        if check is polygon.orientation:
            assert set(out.tolist()) <= {-1, 0, 1}
    outside = clean_call(polygon.outside_image, arg, h, w)
    if outside is not None and form == "list":
        for flag, item in zip(outside.tolist(), items):
            xy = np.asarray(item, np.float64).reshape(-1)
            x, y = xy[0::2], xy[1::2]
            assert flag == bool((x < 0).any() or (y < 0).any() or (x > w).any() or (y > h).any())
