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

from . import _boxes_masks
from ._boxes_masks import mask_stats, masks_to_boxes

__all__ = ["masks_to_boxes", "mask_stats"]

__test__ = {name: getattr(_boxes_masks, name) for name in _boxes_masks.__all__}
