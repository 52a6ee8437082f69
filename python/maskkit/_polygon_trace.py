"""Mask to polygons (the implementation behind :func:`maskkit.polygon.from_mask`).

Two families of tracers live in the core:

* ``method="pixel_edges"`` (``cpp/src/polygon_trace.cpp``) follows the cracks between
  foreground and background pixels, so every vertex is a pixel corner, at integer COCO
  coordinates (pixel ``(X, Y)`` covers ``[X, X+1) x [Y, Y+1)``). pycocotools rasterizes a
  vertex ``v`` at ``round(5 v) / 5`` and fills the pixels whose centre ``(X + 0.5, Y + 0.5)``
  is inside by the even-odd rule; integer corners are exact on that grid and no centre lies on
  a crack, so each ring rasterizes to exactly the pixels it encloses. Pixels touching only at a
  corner are split into separate rings (4-connected foreground, 8-connected background), which
  is what keeps the union of the outer rings equal to the mask: an 8-connected ring through a
  corner contact would enclose a background pixel that the contact cuts off.
* ``method="pixel_centers"`` / ``"simple"`` (``cpp/src/polygon_contours.cpp``) are
  ``cv2.findContours`` with ``CHAIN_APPROX_NONE`` / ``CHAIN_APPROX_SIMPLE``: Suzuki-Abe border
  following through boundary pixel centres, with OpenCV's point order, contour order and
  hierarchy.

This module imports no façade.
"""

from __future__ import annotations

import math
from typing import Any, List, Literal, Sequence, Tuple, Union, overload

import numpy as np

from . import _core
from ._validate import mask_array, snippet

__all__ = ["MODES", "METHODS", "from_mask"]

MODES = ("external", "ccomp", "tree", "list")
"""Which rings :func:`from_mask` returns (``cv2.RETR_*``)."""

METHODS = ("pixel_edges", "pixel_centers", "simple")
"""How :func:`from_mask` places vertices."""

Offset = Union[float, Tuple[float, float], Sequence[float]]


def _real(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {snippet(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def _offset(offset: Any) -> Tuple[float, float]:
    if isinstance(offset, (list, tuple, np.ndarray)):
        if len(offset) != 2:
            raise ValueError(f"offset must be a number or an (dx, dy) pair, got {snippet(offset)}")
        return _real(offset[0], "offset dx"), _real(offset[1], "offset dy")
    value = _real(offset, "offset")
    return value, value


def _choice(value: Any, name: str, allowed: Tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}, got {snippet(value)}")
    return value


@overload
def from_mask(
    mask: Any, *, mode: str = ..., method: str = ..., offset: Offset = ..., simplify: float = ...,
    min_points: int = ..., hierarchy: Literal[False] = ...,
) -> List[List[float]]: ...


@overload
def from_mask(
    mask: Any, *, mode: str = ..., method: str = ..., offset: Offset = ..., simplify: float = ...,
    min_points: int = ..., hierarchy: Literal[True],
) -> Tuple[List[List[float]], np.ndarray]: ...


def from_mask(
    mask: Any,
    *,
    mode: str = "external",
    method: str = "pixel_edges",
    offset: Offset = 0.0,
    simplify: float = 0.0,
    min_points: int = 3,
    hierarchy: bool = False,
) -> Union[List[List[float]], Tuple[List[List[float]], np.ndarray]]:
    """Trace the boundaries of a 2-D mask as COCO polygons.

    Replaces the ``cv2.findContours``-based converters (detectron2
    ``GenericMask.mask_to_polygons``, mmdet ``bitmap_to_polygon``, supervision
    ``mask_to_polygons``, ultralytics ``masks2segments``) and pixel-edge polygonizers
    (``rasterio.features.shapes``).

    Parameters
    ----------
    mask : array_like of bool or uint8, shape (H, W)
        Non-zero is foreground. Any memory order or strides (torch CPU tensors through
        ``np.asarray``).
    mode : {"external", "ccomp", "tree", "list"}
        Which rings, as ``cv2.RETR_*``: ``"external"`` the outer boundaries of the components no
        hole encloses; ``"list"`` every ring, unnested; ``"ccomp"`` outer boundaries at the top
        level, each hole a child of its component; ``"tree"`` the full nesting (components in
        holes are children of the hole).
    method : {"pixel_edges", "pixel_centers", "simple"}
        ``"pixel_edges"``: rings along the pixel edges, vertices at pixel corners (integer COCO
        coordinates), only where the boundary turns. Pixels touching only at a corner belong to
        separate rings. ``to_mask(from_mask(m), h, w)`` (pycocotools' rule) equals ``m`` bit for
        bit for every mask without holes, that is, whenever every background pixel reaches the
        image border through background pixels, diagonal steps included. With holes it gives
        ``m`` with its holes filled: COCO unions the parts and cannot cut holes. The
        even-odd combination of all rings of ``mode="list"``, each rasterized on its own, is
        ``m`` exactly in every case. Outer rings run counter-clockwise on screen (y down),
        holes clockwise; each starts at the top-left corner of its topmost, leftmost pixel, and
        rings come in raster order of those starts.
        ``"pixel_centers"`` / ``"simple"``: ``cv2.findContours(m, RETR_*, CHAIN_APPROX_NONE /
        CHAIN_APPROX_SIMPLE)`` exactly (points through boundary pixel centres, 8-connected
        foreground, OpenCV's order of points and contours and its hierarchy). Their polygons
        lose about half of the boundary pixels under COCO's rule.
    offset : float or (float, float)
        Added to every x (first value) and y (second). For ``"pixel_edges"`` the default 0 is
        the exact placement: integer corners are exact on pycocotools' 1/5-pixel grid (``5 v``
        rounds to itself) and no pixel centre lies on an edge, so no rounding or tie can move a
        pixel; any other offset shifts the rings off the pixels. detectron2 adds 0.5 to cv2's
        points (``method="pixel_centers", offset=0.5``).
    simplify : float
        When > 0, each ring goes through :func:`maskkit.polygon.simplify` with this epsilon
        (``cv2.approxPolyDP(ring, simplify, closed=True)`` on the integer points), before the
        offset is added. Simplified rings no longer round-trip exactly.
    min_points : int
        Rings with fewer points (after simplification) are dropped, as the converters above drop
        contours with fewer than 3 points; a dropped ring's children move to its nearest kept
        ancestor. ``0`` keeps every ring (cv2's own output).
    hierarchy : bool
        Also return the nesting as an ``(n, 4)`` int32 array of ``[next, previous,
        first_child, parent]`` ring indices, ``-1`` for none (``cv2.findContours``' layout).

    Returns
    -------
    list of list of float, or (list of list of float, ndarray)
        One flat ``[x0, y0, x1, y1, ...]`` list per ring (a COCO ``segmentation``), and the
        hierarchy when asked.

    Raises
    ------
    TypeError
        A mask that is not bool/uint8; a non-numeric offset or simplify; a non-integer
        min_points.
    ValueError
        A mask that is not 2-D; an unknown mode or method; a negative, NaN or infinite
        simplify; a negative min_points; a non-finite offset.
    OverflowError
        A mask with ``(H + 2) * (W + 2) >= 2**31`` (ring numbers are 32-bit, as OpenCV's).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import polygon
    >>> m = np.zeros((4, 5), np.uint8); m[1:3, 1:4] = 1; m[3, 4] = 1
    >>> polygon.from_mask(m)
    [[1.0, 1.0, 1.0, 3.0, 4.0, 3.0, 4.0, 1.0], [4.0, 3.0, 4.0, 4.0, 5.0, 4.0, 5.0, 3.0]]
    >>> bool((polygon.to_mask(polygon.from_mask(m), 4, 5) == m).all())
    True
    >>> polygon.from_mask(m, method="simple", offset=0.5, min_points=0)
    [[1.5, 1.5, 1.5, 2.5, 3.5, 2.5, 4.5, 3.5, 3.5, 2.5, 3.5, 1.5]]
    >>> rings, nesting = polygon.from_mask(np.pad(np.zeros((1, 1), bool), 1, constant_values=True),
    ...                                    mode="ccomp", hierarchy=True)
    >>> rings
    [[0.0, 0.0, 0.0, 3.0, 3.0, 3.0, 3.0, 0.0], [1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0]]
    >>> nesting.tolist()
    [[-1, -1, 1, -1], [-1, -1, -1, 0]]
    """
    arr = mask_array(mask, "mask")
    if arr.ndim != 2:
        raise ValueError(f"mask must be 2-D (H, W), got shape {arr.shape}")
    _choice(mode, "mode", MODES)
    _choice(method, "method", METHODS)
    dx, dy = _offset(offset)
    eps = _real(simplify, "simplify")
    if eps < 0:
        raise ValueError(f"simplify must be >= 0, got {eps}")
    if isinstance(min_points, (bool, np.bool_)) or not isinstance(min_points, (int, np.integer)):
        raise TypeError(f"min_points must be an integer, got {type(min_points).__name__} {snippet(min_points)}")
    if min_points < 0:
        raise ValueError(f"min_points must be >= 0, got {min_points}")
    rings, nesting = _core.trace_rings(arr, mode, method, eps, int(min(min_points, 2**62)), dx, dy)
    if hierarchy:
        return rings, nesting
    return rings
