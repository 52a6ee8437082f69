"""Polygon rasterization: COCO ``segmentation`` polygons to masks and RLEs.

A polygon is a flat coordinate list ``[x0, y0, x1, y1, ...]`` in pixels (x to the right, y
down, pixel (X, Y) centred at (X, Y)); an object is a list of such polygons (its parts).
:func:`to_rle` and :func:`to_mask` rasterize one object, by default with pycocotools' rule,
bit-exact with ``mask.merge(mask.frPyObjects(polygons, h, w))``; ``rule="center"`` is the exact
pixel-centre test of rasterio/GDAL and ``rule="opencv"`` is ``cv2.fillPoly`` of the truncated
vertices. The work and memory do not grow with coordinates outside the image. :func:`maskkit.rle.from_polygons` gives one RLE per polygon
instead.

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

from ._rasterize import RULES, to_mask, to_rle

__all__ = ["to_mask", "to_rle", "RULES"]
