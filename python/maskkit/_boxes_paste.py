"""Masks placed by boxes: detectron2's ``paste_masks_in_image`` and ultralytics' ``crop_mask``.

Pasting samples each small mask only on the pixels of its box's integer bounds, with torch's
``grid_sample`` arithmetic (bilinear, zero padding, ``align_corners=False``) in the masks' own
precision, so the thresholded bits are detectron2's; the rest of each image is never written.
Cropping keeps each mask inside its box with ultralytics' comparisons on the float box.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import _core
from ._validate import dimension, snippet

__all__ = ["paste_masks_in_image", "crop_masks"]


def _boxes(boxes: Any, n: int) -> np.ndarray:
    """(n, 4) boxes as C-contiguous native float32 or float64 (integers as float32, as torch
    promotes them against detectron2's float32 grid)."""
    arr = np.asarray(boxes)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"boxes must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape != (n, 4):
        raise ValueError(f"boxes must have shape ({n}, 4) (xyxy, one per mask), got shape {arr.shape}")
    dtype = np.float64 if arr.dtype.kind == "f" and arr.dtype.itemsize == 8 else np.float32
    return np.ascontiguousarray(arr, dtype=dtype)


def paste_masks_in_image(
    masks: Any, boxes: Any, image_shape: tuple[int, int], threshold: float = 0.5
) -> np.ndarray:
    """Paste (N, M, M) soft masks into (N, H, W) images at their boxes, thresholded.

    detectron2's ``paste_masks_in_image`` (``detectron2.layers.mask_ops``) on CPU, bit for
    bit: mask i is resampled on the pixel centres of ``[floor(x0) - 1, ceil(x1) + 1) x
    [floor(y0) - 1, ceil(y1) + 1)`` clipped to the image, with ``F.grid_sample``'s bilinear,
    zero-padded, ``align_corners=False`` sampling evaluated in the masks' precision, and every
    other pixel is 0.

    Parameters
    ----------
    masks : array_like, shape (N, Mh, Mw)
        float32 or float64 mask probabilities (detectron2 asks for square masks; any shape is
        sampled the same way); bool/uint8 masks are sampled as their float32 values, as
        detectron2's ``masks.float()``.
    boxes : array_like, shape (N, 4)
        xyxy boxes, float32 (detectron2's ``Boxes``) or float64; the sample grid is computed in
        their precision, as torch promotes it. Integers are taken as float32.
    image_shape : (int, int)
        The images' (H, W).
    threshold : float
        Pixels whose sampled value is ``>= threshold`` (compared in the masks' precision) are
        True. A negative threshold returns the samples times 255 as uint8 instead
        (detectron2's visualisation mode); the masks must then lie in [0, 1].

    Returns
    -------
    ndarray, shape (N, H, W)
        bool, or uint8 for a negative threshold. With N = 0 the result is uint8, as
        detectron2's.

    Notes
    -----
    Where detectron2 fails, this returns a defined result: a box whose bounds hold no pixel
    of the image (wholly outside it, or with x1 well below x0) gives an empty mask where
    torch's ``arange`` raises, and a zero-width box (whose samples are NaN) gives 0 in the
    uint8 mode.

    Raises
    ------
    TypeError
        Masks or boxes of a non-numeric dtype, a non-integer image size or a non-real
        threshold.
    ValueError
        Wrong shapes, non-finite boxes, masks outside [0, 1] with a negative threshold.
    OverflowError
        Image sizes of 2**32 or more.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import boxes
    >>> m = np.ones((1, 2, 2), np.float32)
    >>> boxes.paste_masks_in_image(m, np.array([[1.0, 1.0, 3.0, 3.0]], np.float32), (4, 5)).astype(int)
    array([[[0, 0, 0, 0, 0],
            [0, 1, 1, 0, 0],
            [0, 1, 1, 0, 0],
            [0, 0, 0, 0, 0]]])
    """
    arr = np.asarray(masks)
    if arr.dtype.kind not in "buf":
        raise TypeError(f"masks must be float32/float64 (or bool/uint8), got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.dtype != np.uint8:
        raise TypeError(f"integer masks must be uint8, got dtype {arr.dtype}")
    if arr.ndim != 3 or (arr.shape[0] and 0 in arr.shape[1:]):
        raise ValueError(f"masks must be 3-D (N, M, M) with M > 0, got shape {arr.shape}")
    dtype = np.float64 if arr.dtype.kind == "f" and arr.dtype.itemsize == 8 else np.float32
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2:
        raise TypeError(f"image_shape must be a (height, width) pair, got {snippet(image_shape)}")
    h, w = dimension(image_shape[0], "image_shape[0]"), dimension(image_shape[1], "image_shape[1]")
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a real number, got {type(threshold).__name__} {snippet(threshold)}")
    thr = float(threshold)
    if thr != thr:
        raise ValueError("threshold must not be NaN")
    n = arr.shape[0]
    box_arr = _boxes(boxes, n)
    if not np.isfinite(box_arr).all():
        raise ValueError(f"boxes must be finite, got {snippet(box_arr[~np.isfinite(box_arr).all(1)][:2].tolist())}")
    if n == 0:
        return np.zeros((0, h, w), np.uint8)
    if n * h * w > np.iinfo(np.intp).max:
        raise OverflowError(f"{n} images of {h} x {w} pixels cannot be one array")
    sample = np.ascontiguousarray(arr, dtype=dtype)
    scaled = thr < 0
    if scaled and sample.size and not ((sample >= 0) & (sample <= 1)).all():
        raise ValueError("with a negative threshold (the uint8 * 255 mode) the masks must lie in [0, 1]")
    out = np.zeros((n, h, w), np.uint8 if scaled else np.bool_)
    if out.size:
        _core.boxes_paste(sample, box_arr, out, thr, scaled)
    return out


def crop_masks(masks: Any, boxes: Any) -> np.ndarray:
    """Zero each mask outside its box: ultralytics' ``crop_mask``.

    Pixel (x, y) of mask i is kept when ``x >= x1 and x < x2 and y >= y1 and y < y2`` for
    box i, with x and y in the boxes' dtype and the comparisons ultralytics makes (so a NaN
    coordinate keeps nothing); the result is ``masks * inside`` in the masks' dtype.

    Parameters
    ----------
    masks : array_like, shape (N, H, W)
        bool, uint8, float32 or float64, any memory order.
    boxes : array_like, shape (N, 4)
        xyxy, float32 or float64 (integers are taken as float32).

    Returns
    -------
    ndarray, shape (N, H, W)
        A new C-ordered array of the masks' dtype. For float masks the product keeps IEEE
        signs: a negative value outside the box becomes -0.0 and NaN or inf become NaN, as
        torch's ``masks * inside``.

    Raises
    ------
    TypeError
        Masks of another dtype, non-numeric boxes.
    ValueError
        Wrong shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import boxes
    >>> m = np.ones((1, 3, 4), np.uint8)
    >>> boxes.crop_masks(m, [[0.5, 1.0, 3.0, 2.5]])
    array([[[0, 0, 0, 0],
            [0, 1, 1, 0],
            [0, 1, 1, 0]]], dtype=uint8)
    """
    arr = np.asarray(masks)
    if arr.dtype.newbyteorder("=") not in (np.bool_, np.uint8, np.float32, np.float64):
        raise TypeError(f"masks must have dtype bool, uint8, float32 or float64, got {arr.dtype}")
    if arr.ndim != 3:
        raise ValueError(f"masks must be 3-D (N, H, W), got shape {arr.shape}")
    if not arr.dtype.isnative or not arr.flags.aligned:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    box_arr = _boxes(boxes, arr.shape[0])
    result: np.ndarray = _core.boxes_crop(arr, box_arr)
    return result

