"""Ramer-Douglas-Peucker simplification (the implementation behind :func:`maskkit.polygon.simplify`).

The core (``cpp/src/polygon_simplify.cpp``) follows OpenCV's ``approxPolyDP`` step for step:
for a closed curve the split starts at the point farthest from point 0 (refined twice), the
distance of a point to a chord is to the segment (to its nearer end beyond the chord's ends),
ties keep the first farthest point, and a final pass removes points lying within
``epsilon / sqrt(2)`` of their neighbours' oblique chord. Arithmetic is in double, in OpenCV's
order: on integer points (cv2's ``int32`` path) the result is OpenCV's exactly. This module
imports no façade.
"""

from __future__ import annotations

from typing import Any, List

import numpy as np

from . import _core
from ._validate import snippet

__all__ = ["simplify"]


def _coordinates(polygon: Any) -> Any:
    """A flat list or tuple as it is (the core reads its items), arrays as flat float64."""
    if type(polygon) in (list, tuple) and (not polygon or type(polygon[0]) in (float, int)):
        return polygon  # the common case, checked item by item in the core
    if isinstance(polygon, (list, tuple)) and (not polygon or not isinstance(polygon[0], (list, tuple, np.ndarray))):
        return polygon
    if not isinstance(polygon, (list, tuple, np.ndarray)):
        raise TypeError(
            f"polygon must be a flat [x0, y0, x1, y1, ...] sequence or a (k, 2) array, "
            f"got {type(polygon).__name__} {snippet(polygon)}"
        )
    arr = np.asarray(polygon)
    if arr.size and (arr.dtype.kind not in "iuf"):
        raise TypeError(f"polygon coordinates must be real numbers, got dtype {arr.dtype}: {snippet(polygon)}")
    if arr.ndim >= 2 and arr.shape[-1] == 2 and all(extent == 1 for extent in arr.shape[1:-1]):
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(f"polygon must be a flat sequence of x, y pairs or a (k, 2) array, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def simplify(polygon: Any, epsilon: float, *, closed: bool = True) -> List[float]:
    """Simplify a polygon with Ramer-Douglas-Peucker, as ``cv2.approxPolyDP(curve, epsilon, closed)``.

    Parameters
    ----------
    polygon : sequence of float or ndarray
        A flat ``[x0, y0, x1, y1, ...]`` sequence (a COCO polygon), a ``(k, 2)`` array or a cv2
        contour ``(k, 1, 2)``.
    epsilon : float
        The tolerance in pixels: a chord replaces the points between its ends when none lies
        farther than epsilon from it. Finite and >= 0 (below 1e30, OpenCV's bound).
    closed : bool
        A closed ring (COCO polygons are) or an open polyline.

    Returns
    -------
    list of float
        The kept points, flat, in the input's order (a subset of the input points; for a closed
        ring it starts where OpenCV's does, at one end of its first split).

    Notes
    -----
    Equal to ``cv2.approxPolyDP`` point for point on integer coordinates (what
    ``cv2.findContours`` gives it) and on float32 points of the half-pixel grid (tested);
    cv2 rounds some intermediate values of other float32 contours to float32, while this
    function works in double throughout, so near-ties there can go the other way. Where cv2 fails an assertion on a chord between two equal points, the chord's
    start point is kept. ``shapely.simplify(geom, tolerance, preserve_topology=False)`` (GEOS's
    Douglas-Peucker) uses the same tolerance, a distance to the kept segment, but splits a ring
    at its first vertex (which it keeps) instead of at a far-apart pair, and has no clean-up
    pass, so the points it keeps often differ; neither guards against self-intersections (use
    :func:`is_self_intersecting` to check).

    Raises
    ------
    TypeError
        Non-numeric polygons or epsilon.
    ValueError
        An odd number of coordinates; NaN or infinite coordinates; a negative, NaN, infinite or
        too large epsilon.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.simplify([0, 0, 0, 4, 1, 4, 2, 4, 3, 4, 3, 0], 0.5)
    [0.0, 0.0, 0.0, 4.0, 3.0, 4.0, 3.0, 0.0]
    """
    xy = _coordinates(polygon)
    if type(epsilon) is not float:
        if isinstance(epsilon, (bool, np.bool_)) or not isinstance(epsilon, (int, float, np.integer, np.floating)):
            raise TypeError(f"epsilon must be a real number, got {type(epsilon).__name__} {snippet(epsilon)}")
        epsilon = float(epsilon)
    if not (0 <= epsilon < 1e30):
        raise ValueError(f"epsilon must be a finite number >= 0 (below 1e30), got {epsilon}")
    return _core.simplify_polygon(xy, epsilon, bool(closed))
