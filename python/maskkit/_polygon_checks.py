"""Polygon checks (the implementation behind :mod:`maskkit.polygon`'s predicates).

Every function takes the polygons of a COCO ``segmentation`` list (flat ``[x0, y0, x1, y1,
...]`` sequences, one flat sequence, or an (N, 2k) array) and returns one value per polygon,
as a numpy array. A polygon is closed implicitly; a repeated closing vertex, and repeated
consecutive vertices, are ignored. Coordinates are in image axes: x to the right, y down.

The core (``cpp/src/polygon_checks.cpp``) decides self-intersection with exact orientation
predicates (a floating-point filter, then an exact expansion of the determinant), so the
answer does not depend on rounding. Area and orientation come from the shoelace sum in double.
This module imports no façade.
"""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np

from . import _core
from ._validate import dimension, snippet

__all__ = ["area", "orientation", "is_degenerate", "is_self_intersecting", "outside_image"]


def _items(polygons: Any) -> List[Any]:
    if isinstance(polygons, np.ndarray):
        if polygons.dtype.kind not in "iuf":
            raise TypeError(f"polygon coordinates must be real numbers, got dtype {polygons.dtype}")
        if polygons.ndim == 1:
            return [polygons]
        if polygons.ndim == 2:
            return list(polygons)
        raise ValueError(f"a polygon array must be (2k,) or (N, 2k), got shape {polygons.shape}")
    if not isinstance(polygons, (list, tuple)):
        raise TypeError(
            f"polygons must be a list of flat [x0, y0, x1, y1, ...] sequences or an (N, 2k) array, "
            f"got {type(polygons).__name__} {snippet(polygons)}"
        )
    if polygons and isinstance(polygons[0], (int, float, np.number)) and not isinstance(polygons[0], (bool, np.bool_)):
        return [polygons]
    items = list(polygons)
    for i, polygon in enumerate(items):
        if isinstance(polygon, (str, bytes, bytearray, dict)) or not isinstance(polygon, (list, tuple, np.ndarray)):
            raise TypeError(
                f"polygon {i} must be a flat sequence [x0, y0, x1, y1, ...] of numbers, "
                f"got {type(polygon).__name__} {snippet(polygon)}"
            )
        if isinstance(polygon, np.ndarray) and polygon.dtype.kind not in "iuf":
            raise TypeError(f"polygon {i} coordinates must be real numbers, got dtype {polygon.dtype}")
    return items


def _facts(polygons: Any, crossings: bool, height: float = 0.0, width: float = 0.0) -> Tuple[np.ndarray, ...]:
    return _core.polygon_facts(_items(polygons), height, width, crossings)


def area(polygons: Any) -> np.ndarray:
    """Area of each polygon by the shoelace formula, float64 (``cv2.contourArea``, unsigned).

    A self-intersecting polygon gives the absolute value of its signed sum (a figure eight's
    lobes cancel), as ``cv2.contourArea`` and ``shapely.Polygon(...).area`` of a valid ring do.
    For the area pycocotools would rasterize, use ``maskkit.rle.area`` of ``to_rle``.

    Raises
    ------
    TypeError
        Polygons or coordinates that are not numbers.
    ValueError
        An odd number of coordinates; NaN, infinite or huge (> 1e14) coordinates, or tiny ones
        (0 < |v| < 1e-100).

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.area([[0, 0, 4, 0, 4, 3], [0, 0, 2, 0, 2, 2, 0, 2]]).tolist()
    [6.0, 4.0]
    """
    return _facts(polygons, False)[0]


def orientation(polygons: Any) -> np.ndarray:
    """Winding of each polygon as seen on screen (y down): +1 counter-clockwise, -1 clockwise, 0 degenerate.

    int8. A ring listed (0, 0), (0, 1), (1, 1), (1, 0) goes down, right, up: counter-clockwise
    on screen, +1 (it is clockwise in y-up axes, so ``shapely.LinearRing(...).is_ccw`` is
    False). Outer rings of :func:`maskkit.polygon.from_mask` and of ``cv2.findContours`` are +1,
    their holes -1. The sign is that of the shoelace sum in double; degenerate polygons
    (:func:`is_degenerate`) give 0.

    Raises
    ------
    TypeError, ValueError
        As :func:`area`.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.orientation([[0, 0, 0, 1, 1, 1, 1, 0], [0, 0, 1, 0, 1, 1, 0, 1], [0, 0, 1, 1, 2, 2]]).tolist()
    [1, -1, 0]
    """
    return _facts(polygons, False)[1]


def is_degenerate(polygons: Any) -> np.ndarray:
    """Whether each polygon has fewer than 3 distinct vertices or zero signed area (bool).

    Zero signed area includes collinear vertices and shapes whose lobes cancel exactly (a
    symmetric figure eight); pycocotools rasterizes such figures to few or no pixels.

    Raises
    ------
    TypeError, ValueError
        As :func:`area`.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.is_degenerate([[0, 0, 1, 1, 2, 2], [0, 0, 5, 5], [0, 0, 2, 0, 2, 2]]).tolist()
    [True, True, False]
    """
    return _facts(polygons, False)[2]


def is_self_intersecting(polygons: Any) -> np.ndarray:
    """Whether the boundary of each polygon meets itself anywhere but at consecutive edges' shared vertex (bool).

    Crossings, a vertex touching another edge, a ring passing twice through one point and an
    edge folding back over its predecessor all count, as in ``not
    shapely.LinearRing(ring).is_simple``. Exact: the orientation tests are evaluated without
    rounding error. Edges are compared in a sweep over x (each edge only with the edges whose
    x-range overlaps its own), so the cost is near-linear for ordinary outlines and quadratic
    only when most edges share an x-range. Polygons with fewer than 3 distinct vertices are
    reported False (see :func:`is_degenerate`).

    Raises
    ------
    TypeError, ValueError
        As :func:`area`.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.is_self_intersecting([[0, 0, 2, 2, 2, 0, 0, 2], [0, 0, 2, 0, 2, 2, 0, 2]]).tolist()
    [True, False]
    """
    return _facts(polygons, True)[3]


def outside_image(polygons: Any, height: int, width: int) -> np.ndarray:
    """Whether any vertex of each polygon lies outside ``[0, width] x [0, height]`` (bool).

    The bounds are inclusive: a vertex on the image's right or bottom edge (x = width, as a
    pixel-edge outline of the last column has) is inside. pycocotools clips such polygons; the
    parts outside are lost.

    Raises
    ------
    TypeError, ValueError
        As :func:`area`; a height or width that is not a non-negative integer.
    OverflowError
        A height or width of 2**32 or more.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.outside_image([[0, 0, 4, 0, 4, 3], [-1, 0, 2, 0, 2, 2]], 3, 4).tolist()
    [False, True]
    """
    h, w = dimension(height, "height"), dimension(width, "width")
    return _facts(polygons, False, float(h), float(w))[4]
