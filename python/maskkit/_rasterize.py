"""Polygon rasterization (the implementation behind :mod:`maskkit.polygon`).

The core (``cpp/src/polygon.cpp``) rasterizes each polygon with pycocotools' rule straight to
RLE; this module checks what callers pass, rasterizes each polygon, and merges the parts of
one object the way ``pycocotools.mask.merge`` does. It imports no façade module.

Input rules, the same for every function here:

* ``polygons`` is one flat sequence ``[x0, y0, x1, y1, ...]``, a list of them (a COCO
  ``segmentation`` list), or an (N, 2k) array of N polygons of k vertices.
* Each polygon needs at least 3 vertices and an even number of coordinates (``ValueError``):
  pycocotools' ``frPyObjects`` reads 4 values as a box and cannot take fewer, and drops an odd
  trailing value silently.
* Coordinates must be real numbers (``TypeError``); NaN, infinite or huge (> 1e14) ones raise
  ``ValueError`` (pycocotools has undefined behaviour or crashes on them).
* An empty list is an object with no parts: the empty mask.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Union

import numpy as np

from . import _core
from ._rle_batch import RleBatch, decode, merge
from ._validate import dimension, snippet

__all__ = ["RULES", "from_polygons", "to_rle", "to_mask"]

RULES = ("coco",)
"""The rasterization rules implemented, by the name ``rule=`` takes."""

Polygons = Union[Sequence[Sequence[float]], Sequence[float], np.ndarray]


def _check_rule(rule: Any) -> None:
    if not isinstance(rule, str) or rule not in RULES:
        raise ValueError(
            f"rule must be one of {', '.join(repr(r) for r in RULES)} (pycocotools' even-odd rule "
            f"on the 1/5-pixel grid), got {snippet(rule)}"
        )


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


def _empty_mask(h: int, w: int) -> RleBatch:
    if h * w > 0xFFFFFFFF:
        raise OverflowError(f"mask size {h} x {w} has h*w >= 2^32 pixels; RLE counts are uint32")
    return RleBatch._uniform(np.array([h * w], np.uint32), np.array([0, 1], np.int64), h, w)


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
    rule : {"coco"}
        Which pixels a polygon covers. ``"coco"``: pycocotools' rule, bit-exact with
        ``mask.merge(mask.frPyObjects(polygons, height, width))``. No other rule is
        implemented yet; any other name raises ``ValueError``.

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
        huge (> 1e14) coordinates; a negative height or width; an unknown rule.
    OverflowError
        ``height * width`` of 2**32 or more.

    Examples
    --------
    >>> from maskkit import polygon
    >>> polygon.to_rle([[1, 1, 6, 1, 3.5, 5], [0, 5, 2, 5, 2, 6, 0, 6]], 7, 8).to_coco()
    [{'size': [7, 8], 'counts': b'512010O132NN2O>'}]
    """
    _check_rule(rule)
    parts = from_polygons(polygons, height, width)
    if len(parts) == 0:
        return _empty_mask(int(height), int(width))
    if len(parts) == 1:  # most annotations: pycocotools' merge of one RLE copies it verbatim
        return parts
    return merge(parts)


def to_mask(polygons: Polygons, height: int, width: int, *, rule: str = "coco") -> np.ndarray:
    """Rasterize the parts of one object into an (H, W) uint8 mask.

    The same as ``rle.decode(to_rle(polygons, height, width, rule=rule))[0]``: with
    ``rule="coco"`` bit-exact with ``mask.decode(mask.merge(mask.frPyObjects(...)))``. The
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
    """
    mask: np.ndarray = decode(to_rle(polygons, height, width, rule=rule))[0]
    return mask
