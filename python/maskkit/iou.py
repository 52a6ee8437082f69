"""Batched overlap of masks and boxes: IoU matrices, intersections, areas, packed masks.

Masks are compared bit-packed (64 pixels per word), pair by pair only inside the overlap of
their boxes, with exact integer counts divided once in float64; RLEs compare with pycocotools'
own algorithm, bit for bit. Boundaries (:func:`mask_to_boundary`) and Boundary IoU
(:func:`boundary_iou`) are boundary-iou-api's, byte for byte. Inputs are numpy arrays (torch
CPU tensors through ``np.asarray`` without copies); outputs are C-ordered numpy arrays. Bad
input raises ``TypeError`` (wrong type), ``ValueError`` (wrong value or shape) or
``OverflowError`` (a size that cannot be represented), naming the rule and echoing the value.

Examples
--------
>>> import numpy as np
>>> from maskkit import iou
>>> masks = np.zeros((2, 8, 8), bool); masks[0, :4, :4] = True; masks[1, 2:6, 2:6] = True
>>> iou.mask_iou(masks, masks).round(4).tolist()
[[1.0, 0.1429], [0.1429, 1.0]]
"""

from __future__ import annotations

from . import _iou_boundary, _iou_boxes, _iou_masks, _iou_nms
from ._iou_boundary import boundary_iou, mask_to_boundary
from ._iou_boxes import box_iou
from ._iou_masks import BitMasks, mask_area, mask_intersection, mask_iou
from ._iou_nms import mask_nms, matrix_nms

__all__ = [
    "mask_iou", "mask_intersection", "mask_area", "BitMasks", "box_iou", "mask_nms", "matrix_nms", "boundary_iou",
    "mask_to_boundary",
]

__test__ = {
    name: getattr(module, name)
    for module in (_iou_masks, _iou_boxes, _iou_nms, _iou_boundary)
    for name in module.__all__
}
