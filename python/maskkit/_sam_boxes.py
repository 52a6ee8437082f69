"""SAM's box helpers: ``batched_mask_to_box`` (on maskkit's mask boxes) and ``box_xyxy_to_xywh``."""

from __future__ import annotations

import copy
from typing import Any

from ._boxes_masks import masks_to_boxes
from ._sam_tensors import as_array, like_input

__all__ = ["batched_mask_to_box", "box_xyxy_to_xywh"]


def batched_mask_to_box(masks: Any) -> Any:
    """Inclusive ``[x0, y0, x1, y1]`` boxes of masks of shape (..., H, W), as SAM gives them.

    Replaces ``segment_anything.utils.amg.batched_mask_to_box`` (SAM2's is the same): int64
    boxes of shape (..., 4), ``[0, 0, 0, 0]`` for an empty mask, and a float32 array of zeros
    when the input has no elements; this is ``maskkit.boxes.masks_to_boxes(masks,
    convention="sam")``, returned as a tensor when ``masks`` is one.

    Parameters
    ----------
    masks : torch.Tensor or ndarray of bool (or uint8), shape (..., H, W)
        Any memory order; a CPU tensor is read without a copy. Non-zero is foreground (SAM's
        arithmetic is only meaningful for bool masks).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import sam
    >>> m = np.zeros((2, 4, 5), bool); m[0, 1:3, 2:4] = True
    >>> sam.batched_mask_to_box(m).tolist()
    [[2, 1, 3, 2], [0, 0, 0, 0]]
    """
    arr, was_tensor = as_array(masks, "masks")
    return like_input(masks_to_boxes(arr, convention="sam"), was_tensor)


def box_xyxy_to_xywh(box_xyxy: Any) -> Any:
    """One box ``[x0, y0, x1, y1]`` as ``[x0, y0, x1 - x0, y1 - y0]``, in a deep copy.

    Replaces ``segment_anything.utils.amg.box_xyxy_to_xywh``: the input (a tensor, an array
    or a list) is deep-copied and keeps its type and dtype (integer boxes stay integers).

    Examples
    --------
    >>> from maskkit import sam
    >>> sam.box_xyxy_to_xywh([2, 1, 3, 2])
    [2, 1, 1, 1]
    """
    try:
        size = len(box_xyxy)
    except TypeError:
        raise TypeError(f"box_xyxy must be a box of 4 values, got {type(box_xyxy).__name__}") from None
    if size < 4:
        raise ValueError(f"box_xyxy must hold [x0, y0, x1, y1], got {size} values")
    box = copy.deepcopy(box_xyxy)
    x0, y0, x1, y1 = box[0], box[1], box[2], box[3]
    box[2], box[3] = x1 - x0, y1 - y0
    return box
