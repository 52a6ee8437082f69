"""Polygons: COCO ``segmentation`` polygons to masks and RLEs, masks to polygons, checks.

A polygon is a flat coordinate list ``[x0, y0, x1, y1, ...]`` in pixels (x to the right, y
down, pixel (X, Y) centred at (X, Y)); an object is a list of such polygons (its parts).
:func:`to_rle` and :func:`to_mask` rasterize one object, by default with pycocotools' rule,
bit-exact with ``mask.merge(mask.frPyObjects(polygons, h, w))``; ``rule="center"`` is the exact
pixel-centre test of rasterio/GDAL and ``rule="opencv"`` is ``cv2.fillPoly`` of the truncated
vertices. The work and memory do not grow with coordinates outside the image. :func:`maskkit.rle.from_polygons` gives one RLE per polygon
instead.

:func:`from_mask` traces a mask's boundaries: along pixel edges (``method="pixel_edges"``, the
default, whose polygons give back the mask exactly under pycocotools' rule) or, point for point,
as ``cv2.findContours`` does. :func:`simplify` is ``cv2.approxPolyDP``. :func:`area`,
:func:`orientation`, :func:`is_degenerate`, :func:`is_self_intersecting` and
:func:`outside_image` return one value per polygon.

Examples
--------
>>> from maskkit import polygon
>>> polygon.to_mask([[0, 0, 3, 0, 3, 2, 0, 2]], 3, 4)
array([[1, 1, 1, 0],
       [1, 1, 1, 0],
       [0, 0, 0, 0]], dtype=uint8)
>>> polygon.to_rle([[0, 0, 3, 0, 3, 2, 0, 2]], 3, 4).counts.tolist()   # column-major runs
[0, 2, 1, 2, 1, 2, 4]
>>> polygon.RULES
('coco', 'center', 'opencv')
>>> polygon.to_mask([[0, 0, 3, 0, 3, 2, 0, 2]], 3, 4, rule="opencv")   # cv2.fillPoly's outline
array([[1, 1, 1, 1],
       [1, 1, 1, 1],
       [1, 1, 1, 1]], dtype=uint8)
"""

from __future__ import annotations

from . import _polygon_checks, _polygon_simplify, _polygon_trace
from ._polygon_checks import area, is_degenerate, is_self_intersecting, orientation, outside_image
from ._polygon_simplify import simplify
from ._polygon_trace import METHODS, MODES, from_mask
from ._rasterize import RULES, to_mask, to_rle

__all__ = [
    "to_mask", "to_rle", "RULES", "from_mask", "MODES", "METHODS", "simplify",
    "area", "orientation", "is_degenerate", "is_self_intersecting", "outside_image",
]

__test__ = {
    name: getattr(module, name)
    for module in (_polygon_trace, _polygon_simplify, _polygon_checks)
    for name in module.__all__
    if callable(getattr(module, name))
}
