"""Drop-ins for Segment Anything's mask helpers (``segment_anything/utils/amg.py``, identical
in SAM2's ``sam2/utils/amg.py``), with the same values, dtypes, shapes and container types.

- :func:`calculate_stability_score` replaces ``calculate_stability_score`` (one fused C++
  count pass, SAM's int16/int32 sums, bit-exact float32 scores).
- :func:`remove_small_regions` replaces ``remove_small_regions`` (maskkit's 8-connected
  labeling instead of ``cv2.connectedComponentsWithStats``; the same masks and flags).
- :func:`mask_to_rle_pytorch` replaces ``mask_to_rle_pytorch`` (column-major runs of C-ordered
  stacks, no transpose, no per-mask loop over change points).
- :func:`rle_to_mask` replaces ``rle_to_mask``; :func:`area_from_rle` replaces
  ``area_from_rle``; :func:`coco_encode_rle` replaces ``coco_encode_rle`` (pycocotools'
  ``frPyObjects`` bytes).
- :func:`batched_mask_to_box` replaces ``batched_mask_to_box``; :func:`box_xyxy_to_xywh`
  replaces ``box_xyxy_to_xywh``.

Torch tensors in give torch tensors out where SAM returns tensors (CPU tensors, read without
copies; torch is never imported by maskkit itself); numpy arrays give numpy arrays. Bad input
raises ``TypeError`` (wrong type) or ``ValueError`` (wrong value or shape), naming the rule
and echoing the value.

Examples
--------
>>> import numpy as np
>>> from maskkit import sam
>>> m = np.zeros((1, 3, 3), bool); m[0, 1, 1:] = True
>>> sam.mask_to_rle_pytorch(m)
[{'size': [3, 3], 'counts': [4, 1, 2, 1, 1]}]
>>> sam.batched_mask_to_box(m).tolist()
[[1, 1, 2, 1]]
"""

from __future__ import annotations

from . import _sam_boxes, _sam_regions, _sam_rle, _sam_stability
from ._sam_boxes import batched_mask_to_box, box_xyxy_to_xywh
from ._sam_regions import remove_small_regions
from ._sam_rle import area_from_rle, coco_encode_rle, mask_to_rle_pytorch, rle_to_mask
from ._sam_stability import calculate_stability_score

__all__ = [
    "calculate_stability_score",
    "remove_small_regions",
    "mask_to_rle_pytorch",
    "rle_to_mask",
    "area_from_rle",
    "coco_encode_rle",
    "batched_mask_to_box",
    "box_xyxy_to_xywh",
]

__test__ = {
    name: getattr(module, name)
    for module in (_sam_boxes, _sam_regions, _sam_rle, _sam_stability)
    for name in module.__all__
}
