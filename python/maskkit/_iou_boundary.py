"""Mask boundaries and Boundary IoU (Cheng et al., 2021), as boundary-iou-api computes them.

boundary-iou-api's ``mask_to_boundary`` pads a mask with one row and column of zeros, erodes it
with a 3 x 3 square ``d`` times (``cv2.erode``) and subtracts the eroded mask from the mask, where
``d = max(1, int(round(dilation_ratio * sqrt(H**2 + W**2))))``. The core computes the same bytes
as ``mask - min over the (2d + 1) x (2d + 1) square`` (the outside of the image counting as 0),
separably and only inside each mask's box (see ``cpp/src/iou_boundary.cpp``). Boundary IoU is the
IoU of two such boundaries, each of which lies inside its mask: the core packs the boundaries
straight into the bits of :class:`maskkit._iou_masks.BitMasks`, whose intersection kernels
count them.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core
from ._iou_masks import BitMasks, dense_stack, intersections, overlap_ratios
from ._validate import mask_array, snippet

__all__ = ["boundary_iou", "checked_ratio", "dilation_pixels", "mask_to_boundary"]


def checked_ratio(dilation_ratio: Any) -> float:
    """``dilation_ratio`` as a float; TypeError for a non-number, ValueError for NaN, infinity or
    a negative value."""
    if isinstance(dilation_ratio, (bool, np.bool_)) or not isinstance(dilation_ratio, numbers.Real):
        raise TypeError(
            f"dilation_ratio must be a real number, got {type(dilation_ratio).__name__} {snippet(dilation_ratio)}"
        )
    ratio = float(dilation_ratio)
    if not math.isfinite(ratio) or ratio < 0.0:
        raise ValueError(f"dilation_ratio must be finite and >= 0, got {snippet(dilation_ratio)}")
    return ratio


def dilation_pixels(height: int, width: int, dilation_ratio: float = 0.02) -> int:
    """The erosion radius ``d`` boundary-iou-api uses for an image of ``height x width``.

    ``max(1, int(round(dilation_ratio * sqrt(height**2 + width**2))))`` in float64, with
    Python's round half to even; radii of at least ``max(height, width)`` erode everything and
    are returned as ``max(height, width)`` (``d`` past that changes nothing).

    Raises
    ------
    TypeError
        ``dilation_ratio`` not a real number.
    ValueError
        ``dilation_ratio`` NaN, infinite or negative.

    Examples
    --------
    >>> from maskkit._iou_boundary import dilation_pixels
    >>> dilation_pixels(480, 640), dilation_pixels(768, 1024), dilation_pixels(5, 5, 0.0)
    (16, 26, 1)
    """
    ratio = checked_ratio(dilation_ratio)
    cap = max(int(height), int(width), 1)
    value = ratio * math.sqrt(float(int(height) ** 2 + int(width) ** 2))
    if value >= cap:
        return cap
    return max(1, int(round(value)))


def mask_to_boundary(masks: Any, dilation_ratio: float = 0.02) -> npt.NDArray[np.uint8]:
    """Boundaries of masks: the pixels of each mask within ``d`` pixels of its outside.

    Replaces boundary-iou-api's ``boundary_iou.utils.mask_to_boundary`` (used by its Boundary
    AP and Boundary PQ evaluations) byte for byte, for one mask or a stack of them.

    Parameters
    ----------
    masks : array_like of uint8 or bool, shape (H, W) or (N, H, W)
        In any memory order and strides (torch CPU tensors through ``np.asarray``), read in
        place. Pixels outside the image count as background, so a mask touching the image
        border has a boundary along it.
    dilation_ratio : float
        The radius as a fraction of the image diagonal: ``d = max(1, int(round(dilation_ratio *
        sqrt(H**2 + W**2))))`` pixels (16 for 480 x 640 at the default 0.02).

    Returns
    -------
    ndarray of uint8, the shape of ``masks``, C-ordered
        ``mask - erode(mask)`` with the erosion by the ``(2d + 1) x (2d + 1)`` square (which is
        what 3 x 3 erosions iterated ``d`` times give): the mask's own values (0/1 for bool
        masks) on its boundary, 0 elsewhere.

    Raises
    ------
    TypeError
        ``masks`` not uint8/bool, ``dilation_ratio`` not a real number.
    ValueError
        ``masks`` not 2-D or 3-D, ``dilation_ratio`` NaN, infinite or negative.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> mask = np.zeros((7, 7), np.uint8); mask[1:6, 1:6] = 1
    >>> iou.mask_to_boundary(mask, dilation_ratio=0.1)
    array([[0, 0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 1, 0, 0, 0, 1, 0],
           [0, 1, 0, 0, 0, 1, 0],
           [0, 1, 0, 0, 0, 1, 0],
           [0, 1, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0, 0]], dtype=uint8)
    """
    arr = mask_array(masks, "masks")
    stack = dense_stack(arr, "masks")
    out = _core.iou_mask_boundaries(stack, dilation_pixels(stack.shape[1], stack.shape[2], dilation_ratio), False)
    return out[0] if arr.ndim == 2 else out




def boundary_iou(a: Any, b: Any, *, dilation_ratio: float = 0.02) -> npt.NDArray[np.float64]:
    """Pairwise Boundary IoU of two sets of masks, float64 (len(a), len(b)).

    The IoU of the boundaries of :func:`mask_to_boundary` of the masks' foregrounds (each
    boundary inside its own mask, so this is "boundary of a, within a" against "boundary of b,
    within b"), as boundary-iou-api computes it with ``pycocotools.mask.iou`` on the boundaries'
    RLEs. Two empty boundaries give 0.0, as
    there. Boundary AP and Boundary PQ match on ``min(mask IoU, boundary IoU)``; this function
    is the second term.

    Parameters
    ----------
    a, b : array_like of uint8 or bool, shape (N, H, W) or (H, W)
        Masks of one height and width, any memory order; non-zero is foreground.
    dilation_ratio : float
        As in :func:`mask_to_boundary`.

    Raises
    ------
    TypeError
        Masks not uint8/bool, ``dilation_ratio`` not a real number.
    ValueError
        A wrong shape, masks of different sizes, ``dilation_ratio`` NaN, infinite or negative.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> a = np.zeros((1, 20, 20), np.uint8); a[0, 2:12, 2:12] = 1
    >>> b = np.zeros((2, 20, 20), np.uint8); b[0, 3:13, 2:12] = 1; b[1] = a[0]
    >>> iou.boundary_iou(a, b, dilation_ratio=0.05).round(4).tolist()
    [[0.3333, 1.0]]
    """
    ratio = checked_ratio(dilation_ratio)
    sa = dense_stack(a, "a")
    sb = dense_stack(b, "b")
    if sa.shape[1:] != sb.shape[1:]:
        raise ValueError(f"masks must have the same height and width, got {sa.shape[1:]} and {sb.shape[1:]}")
    d = dilation_pixels(sa.shape[1], sa.shape[2], ratio)
    pa = BitMasks._from_parts(_core.iou_pack_boundaries(sa, d), sa.shape[2])
    pb = pa if b is a else BitMasks._from_parts(_core.iou_pack_boundaries(sb, d), sb.shape[2])
    return overlap_ratios(intersections(pa, pb), pa._areas, pb._areas, "iou", None, 0.0)
