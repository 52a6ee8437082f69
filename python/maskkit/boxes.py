"""Boxes and statistics of binary masks: ``masks_to_boxes`` with the torchvision, SAM, SAM2
and detectron2 conventions as keywords, and ``mask_stats`` (area, box, centroid, moments).

Inputs are numpy arrays (torch CPU tensors through ``np.asarray`` without copies); outputs are
C-ordered numpy arrays. Bad input raises ``TypeError`` (wrong type) or ``ValueError`` (wrong
value or shape), naming the rule and echoing the value.

Examples
--------
>>> import numpy as np
>>> from maskkit import boxes
>>> m = np.zeros((1, 4, 4), bool); m[0, 1:3, 1:2] = True
>>> boxes.masks_to_boxes(m, convention="sam").tolist()
[[1, 1, 1, 2]]
"""

from __future__ import annotations

from . import _boxes_masks, _boxes_paste
from ._boxes_masks import mask_stats, masks_to_boxes
from ._boxes_paste import crop_masks, paste_masks_in_image

__all__ = ["masks_to_boxes", "mask_stats", "paste_masks_in_image", "crop_masks"]

__test__ = {name: getattr(module, name) for module in (_boxes_masks, _boxes_paste) for name in module.__all__}
