"""Polygon rasterization (the implementation behind :mod:`maskkit.polygon`).

The core rasterizes one object (the union of its parts) in one call: with pycocotools' rule
straight to RLE (``cpp/src/polygon.cpp``, merged as ``pycocotools.mask.merge`` does) or to a
dense mask from the crossings (``polygon_object.cpp``), with the centre rule of GDAL
(``polygon_center.cpp``) or with cv2.fillPoly's (``polygon_opencv.cpp``). This module checks
what callers pass: the common call (a list of lists and int sizes) goes to the core directly,
anything the core rejects is checked here to name the problem. It imports no façade module.

Input rules, the same for every function here:

* ``polygons`` is one flat sequence ``[x0, y0, x1, y1, ...]``, a list of them (a COCO
  ``segmentation`` list), or an (N, 2k) array of N polygons of k vertices.
* Each polygon needs at least 3 vertices and an even number of coordinates (``ValueError``):
  pycocotools' ``frPyObjects`` reads 4 values as a box and cannot take fewer, and drops an odd
  trailing value silently.
* Coordinates must be real numbers (``TypeError``); NaN, infinite or huge (> 1e14) ones raise
  ``ValueError`` (pycocotools has undefined behaviour or crashes on them), and so do, with
  ``rule="opencv"``, those outside (-2**30, 2**30) (OpenCV's int32 fixed point overflows).
* An empty list is an object with no parts: the empty mask.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Union

import numpy as np

from . import _core
from ._rle_batch import RleBatch
from ._validate import dimension, snippet

__all__ = ["RULES", "from_polygons", "to_rle", "to_mask"]

RULES = ("coco", "center", "opencv")
"""The rasterization rules implemented, by the name ``rule=`` takes."""

_RULE_CODES = {"coco": 0, "center": 1, "opencv": 2}
_RULE_NOTES = {
    "coco": "pycocotools' even-odd rule on the 1/5-pixel grid",
    "center": "pixel centres inside, GDAL's tie rule",
    "opencv": "cv2.fillPoly of the int32-truncated parts",
}

Polygons = Union[Sequence[Sequence[float]], Sequence[float], np.ndarray]


def _rule_code(rule: Any) -> int:
    code = _RULE_CODES.get(rule) if isinstance(rule, str) else None
    if code is None:
        names = ", ".join(f"{r!r} ({_RULE_NOTES[r]})" for r in RULES)
        raise ValueError(f"rule must be one of {names}, got {snippet(rule)}")
    return code


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _polygon_list(polygons: Any) -> List[Any]:
    """The polygons as a list of flat coordinate sequences, each checked for its length."""
    if isinstance(polygons, np.ndarray):
        if polygons.dtype.kind not in "iuf":
            raise TypeError(f"polygon coordinates must be real numbers, got dtype {polygons.dtype}")
        if polygons.ndim == 1:
            items: List[Any] = [polygons]
        elif polygons.ndim == 2:
            items = list(polygons)
        else:
            raise ValueError(f"a polygon array must be (2k,) or (N, 2k), got shape {polygons.shape}")
    elif isinstance(polygons, (list, tuple)):
        items = [polygons] if polygons and _is_number(polygons[0]) else list(polygons)
    else:
        raise TypeError(
            f"polygons must be a list of flat [x0, y0, x1, y1, ...] sequences or an (N, 2k) array, "
            f"got {type(polygons).__name__} {snippet(polygons)}"
        )
    for i, polygon in enumerate(items):
        if isinstance(polygon, (str, bytes, bytearray, dict)) or not isinstance(polygon, (Sequence, np.ndarray)):
            raise TypeError(
                f"polygon {i} must be a flat sequence [x0, y0, x1, y1, ...] of numbers, "
                f"got {type(polygon).__name__} {snippet(polygon)}"
            )
        n = len(polygon)
        if n % 2 or n < 6:
            raise ValueError(
                f"polygon {i} must have an even number of coordinates, at least 6 (3 vertices), "
                f"got {n}: {snippet(polygon)}"
            )
    return items


def from_polygons(polygons: Polygons, height: int, width: int) -> RleBatch:
    """One RLE per polygon, each rasterized on its own (``pycocotools.mask.frPyObjects``).

    The input rules are those of this module; merge the result with
    :func:`maskkit.rle.merge` to get COCO's mask of a multi-part annotation (which is what
    :func:`to_rle` returns).

    Examples
    --------
    >>> from maskkit import rle
    >>> rle.from_polygons([[1, 1, 6, 1, 3.5, 5]], 7, 8).to_coco()
    [{'size': [7, 8], 'counts': b'8161O2NN2O>'}]
    """
    h, w = dimension(height, "height"), dimension(width, "width")
    counts, offsets = _core.polygons_to_rle(_polygon_list(polygons), h, w)
    return RleBatch._uniform(counts, offsets, h, w)


def to_rle(polygons: Polygons, height: int, width: int, *, rule: str = "coco") -> RleBatch:
    """Rasterize the parts of one object into a single RLE.

    Parameters
    ----------
    polygons : sequence of sequences of float, sequence of float, or ndarray
        The object's parts: a list of flat ``[x0, y0, x1, y1, ...]`` sequences (a COCO
        ``segmentation`` list), one such sequence, or an (N, 2k) array. Each part needs at
        least 3 vertices and an even number of coordinates. An empty list gives the empty mask.
    height, width : int
        The image size; ``height * width`` must be below 2**32 (COCO counts are uint32).
    rule : {"coco", "center", "opencv"}
        Which pixels a polygon covers (pixel (X, Y) covers [X, X+1) x [Y, Y+1)):

        * ``"coco"``: pycocotools' rule, bit-exact with
          ``mask.merge(mask.frPyObjects(polygons, height, width))``: the vertices rounded to
          1/5 pixel, a pixel on when its centre is inside (even-odd), the parts unioned.
        * ``"center"``: the exact centre test: pixel (X, Y) is on when (X + .5, Y + .5) is
          inside the part by the even-odd rule, the parts unioned. Centres exactly on an edge
          or a vertex follow GDAL's rule, so the result equals
          ``rasterio.features.rasterize`` (``all_touched=False``) of each part as a polygon:
          on row Y, an edge from (x1, y1) to (x2, y2) with y1 < y2 counts when
          y1 <= Y + .5 < y2 and crosses at ``x = (Y + .5 - y1) * (x2 - x1) / (y2 - y1) + x1``
          (in double precision, in that order); the columns from ``floor(x_left + .5)`` to
          ``floor(x_right + .5) - 1`` between paired crossings are on. A horizontal edge from
          x_start to x_end exactly on row Y's centre line adds the columns
          ``floor(x_end + .5)`` to ``floor(x_start + .5) - 1`` when x_start > x_end once the
          ring is turned clockwise by OGR's orientation test (``OGRLineString::isClockwise``).
        * ``"opencv"``: ``cv2.fillPoly(mask, [np.asarray(p).reshape(-1, 2).astype(np.int32)
          for p in polygons], 1)``, bit for bit: coordinates truncated toward zero, pixel
          centres at integer coordinates, the 8-connected outline always drawn, and all parts
          in one call, so overlapping parts combine even-odd (a part inside another cuts a
          hole, unlike COCO). This is how ultralytics' ``polygon2mask`` and supervision's
          ``polygon_to_mask`` call it. Coordinates must lie within (-2**30, 2**30).

        Any other name raises ``ValueError``.

    Returns
    -------
    RleBatch
        A batch of one RLE of size ``(height, width)``.

    Raises
    ------
    TypeError
        Polygons or coordinates that are not numbers; a non-integer height or width.
    ValueError
        A polygon with an odd number of coordinates or fewer than 3 vertices; NaN, infinite or
        huge (> 1e14; with ``"opencv"``, outside (-2**30, 2**30)) coordinates; a negative
        height or width; an unknown rule.
    OverflowError
        ``height * width`` of 2**32 or more.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.to_rle([[1, 1, 6, 1, 3.5, 5], [0, 5, 2, 5, 2, 6, 0, 6]], 7, 8).to_coco()
    [{'size': [7, 8], 'counts': b'512010O132NN2O>'}]

    A square with a square inside it: COCO and "center" union the parts, OpenCV's single call
    cuts a hole (and draws the outlines).

    >>> square, inner = [0, 0, 6, 0, 6, 4, 0, 4], [2, 1, 4, 1, 4, 3, 2, 3]
    >>> polygon.to_rle([square, inner], 5, 7, rule="center").counts.tolist()
    [0, 4, 1, 4, 1, 4, 1, 4, 1, 4, 1, 4, 6]
    >>> polygon.to_rle([square, inner], 5, 7, rule="opencv").counts.tolist()
    [0, 17, 1, 17]
    """
    code = _RULE_CODES.get(rule, -1) if type(rule) is str else -1
    if code < 0:
        code = _rule_code(rule)  # raises, naming the rules
    if type(polygons) is list and type(height) is int and type(width) is int:
        try:  # the common call, checked in one core call; anything it rejects is checked below
            counts, offsets, sizes = _core.polygon_object_rle(polygons, height, width, code)
        except (TypeError, ValueError, OverflowError):
            pass
        else:
            return RleBatch._frozen(counts, offsets, sizes)
    h, w = dimension(height, "height"), dimension(width, "width")
    return RleBatch._frozen(*_core.polygon_object_rle(_polygon_list(polygons), h, w, code))


def to_mask(polygons: Polygons, height: int, width: int, *, rule: str = "coco") -> np.ndarray:
    """Rasterize the parts of one object into an (H, W) uint8 mask.

    The same as ``rle.decode(to_rle(polygons, height, width, rule=rule))[0]``: with
    ``rule="coco"`` bit-exact with ``mask.decode(mask.merge(mask.frPyObjects(...)))``, with
    ``"center"`` equal to ``rasterio.features.rasterize`` of the parts and with ``"opencv"`` to
    ``cv2.fillPoly`` of their int32-truncated vertices (see :func:`to_rle`). The mask is painted
    straight from the polygon crossings, touching only the rows the object covers. The
    parameters and errors are those of :func:`to_rle`.

    Returns
    -------
    ndarray of uint8, shape (height, width)
        1 inside the object, 0 outside; C-ordered.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.to_mask([0, 0, 3, 0, 3, 2, 0, 2], 3, 4)   # a pixel is in when its centre is
    array([[1, 1, 1, 0],
           [1, 1, 1, 0],
           [0, 0, 0, 0]], dtype=uint8)

    Edges through pixel centres: pycocotools' 1/5-pixel grid, GDAL's tie rule (a centre on a
    top or right edge is in, on a bottom or left edge out) and OpenCV's drawn outline differ.

    >>> half = [0.5, 0.5, 5.5, 0.5, 5.5, 3.5, 0.5, 3.5]
    >>> polygon.to_mask(half, 5, 7)
    array([[0, 0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 0]], dtype=uint8)
    >>> polygon.to_mask(half, 5, 7, rule="center")
    array([[0, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0]], dtype=uint8)
    >>> polygon.to_mask(half, 5, 7, rule="opencv")
    array([[1, 1, 1, 1, 1, 1, 0],
           [1, 1, 1, 1, 1, 1, 0],
           [1, 1, 1, 1, 1, 1, 0],
           [1, 1, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 0]], dtype=uint8)
    """
    code = _RULE_CODES.get(rule, -1) if type(rule) is str else -1
    if code < 0:
        code = _rule_code(rule)  # raises, naming the rules
    if type(polygons) is list and type(height) is int and type(width) is int:
        try:  # the common call, checked in one core call; anything it rejects is checked below
            mask: np.ndarray = _core.polygon_object_mask(polygons, height, width, code)
        except (TypeError, ValueError, OverflowError):
            pass
        else:
            return mask
    h, w = dimension(height, "height"), dimension(width, "width")
    items = _polygon_list(polygons)
    return _core.polygon_object_mask(items, h, w, code)
