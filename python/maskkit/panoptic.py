"""Panoptic segmentation: colour ids, formats, merges and PQ evaluation like panopticapi's.

A panoptic map paints every pixel with one segment id (0 = VOID); a segment table gives each id
its category. COCO stores the map as an RGB PNG, ``id = R + 256 G + 65536 B``
(:func:`rgb2id`, :func:`id2rgb`).
"""

from __future__ import annotations

from ._pan_errors import PanopticImageError, PanopticKeyError, PanopticZeroDivisionError
from ._pan_eval import Evaluator
from ._pan_pq import evaluate_cityscapes, pq_compute
from ._pan_rgb import MAX_ID, OFFSET, IdGenerator, id2rgb, rgb2id

__all__ = [
    "rgb2id", "id2rgb", "IdGenerator", "MAX_ID", "OFFSET",
    "Evaluator", "pq_compute", "evaluate_cityscapes", "PanopticImageError", "PanopticKeyError", "PanopticZeroDivisionError",
]
