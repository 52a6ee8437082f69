"""Boxes and statistics of binary masks, with the conventions of the functions they replace.

The C++ core finds each mask's inclusive box reading only the rows above the box and the
columns outside the box found so far; the conventions then differ only in the final values:

- ``"torchvision"``: ``torchvision.ops.masks_to_boxes``; inclusive ends, float32, an empty
  mask gives zeros.
- ``"sam"``: SAM's ``batched_mask_to_box``; inclusive, int64, zeros.
- ``"sam2"``: SAM2's ``mask_to_box``; inclusive, int32, ``[w, h, -1, -1]``.
- ``"detectron2"``: detectron2's ``BitMasks.get_bounding_boxes``; exclusive ends (last + 1),
  float32, zeros.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

import numpy as np
import numpy.typing as npt

from . import _core
from ._validate import mask_array, snippet

__all__ = ["masks_to_boxes", "mask_stats"]

Convention = Literal["torchvision", "sam", "sam2", "detectron2"]
Empty = Literal["zeros", "raise", "sam2"]
_CONVENTIONS = ("torchvision", "sam", "sam2", "detectron2")
_EMPTY = ("zeros", "raise", "sam2")
_DTYPES = {"torchvision": np.float32, "sam": np.int64, "sam2": np.int32, "detectron2": np.float32}


def _choice(value: Any, options: tuple[str, ...], name: str) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {snippet(value)}")
    return value


def _stack(masks: Any, convention: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """A 3-D (N, H, W) view and the leading shape the result keeps."""
    arr = mask_array(masks)
    if convention in ("torchvision", "detectron2"):
        if arr.ndim != 3:
            raise ValueError(f"masks must be 3-D (N, H, W) for convention={convention!r}, got shape {arr.shape}")
        return arr, arr.shape[:1]
    if arr.ndim < 2:
        raise ValueError(f"masks must be (..., H, W) with at least 2 dimensions, got shape {arr.shape}")
    lead = arr.shape[:-2]
    return arr.reshape((int(np.prod(lead, dtype=np.int64)),) + arr.shape[-2:]), lead


def masks_to_boxes(
    masks: Any,
    *,
    convention: Convention = "torchvision",
    empty: Optional[Empty] = None,
    dtype: Any = None,
) -> npt.NDArray[Any]:
    """Bounding boxes ``[x0, y0, x1, y1]`` of binary masks, as the replaced function gives them.

    Parameters
    ----------
    masks : array_like of bool or uint8
        (N, H, W) for ``"torchvision"`` and ``"detectron2"``; (..., H, W) for ``"sam"`` and
        ``"sam2"`` (the result keeps the leading dimensions). Non-zero pixels are foreground;
        any memory order; torch CPU tensors through ``np.asarray`` without a copy.
    convention : {"torchvision", "sam", "sam2", "detectron2"}
        Inclusive ends (x1 is the last column) except ``"detectron2"`` (x1 = last + 1), and
        the dtypes of the table in this module's documentation.
    empty : {"zeros", "raise", "sam2"}, optional
        What an empty mask gives: ``[0, 0, 0, 0]``, a ``ValueError`` (torchvision before
        0.22), or ``[w, h, -1, -1]`` (SAM2). Default: the convention's own.
    dtype : numpy dtype, optional
        Cast the result (default: the convention's dtype).

    Returns
    -------
    ndarray, shape (N, 4) or (..., 4)
        torchvision returns ``(0, 4)`` for any input with no pixels (also N > 0 masks of
        0 x 0) and SAM a float32 array of zeros, as they do; SAM2 raises on 0-pixel masks
        (torch's min of an empty dimension), as ``ValueError``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import boxes
    >>> m = np.zeros((2, 4, 5), bool); m[0, 1:3, 2:4] = True
    >>> boxes.masks_to_boxes(m)
    array([[2., 1., 3., 2.],
           [0., 0., 0., 0.]], dtype=float32)
    >>> boxes.masks_to_boxes(m, convention="detectron2")[0].tolist()
    [2.0, 1.0, 4.0, 3.0]
    >>> boxes.masks_to_boxes(m[:, None], convention="sam2")[:, 0].tolist()
    [[2, 1, 3, 2], [5, 4, -1, -1]]
    """
    name = _choice(convention, _CONVENTIONS, "convention")
    rule = _choice("sam2" if name == "sam2" else "zeros", _EMPTY, "empty") if empty is None else _choice(
        empty, _EMPTY, "empty"
    )
    stack, lead = _stack(masks, name)
    n, h, w = stack.shape
    out_dtype = np.dtype(_DTYPES[name] if dtype is None else dtype)
    if stack.size == 0 and name == "torchvision":
        return np.zeros((0, 4), out_dtype)
    if stack.size == 0 and name == "sam":
        return np.zeros(lead + (4,), np.float32 if dtype is None else out_dtype)
    if h * w == 0 and name == "sam2":
        raise ValueError(f"sam2 boxes need masks with pixels (torch's min of an empty dimension), got shape {(h, w)}")
    found = _core.mask_boxes(stack)
    blank = found[:, 0] < 0
    if blank.any():
        if rule == "raise":
            raise ValueError(f"masks_to_boxes: mask {int(np.argmax(blank))} is empty (empty='raise')")
        found[blank] = [w, h, -1, -1] if rule == "sam2" else 0
    if name == "detectron2":
        found[~blank, 2:] += 1
    return found.reshape(lead + (4,)).astype(out_dtype)


def mask_stats(masks: Any) -> dict[str, npt.NDArray[Any]]:
    """Area, box, centroid and raw moments of each mask in one call.

    Parameters
    ----------
    masks : array_like of bool or uint8, shape (N, H, W) or (H, W)
        Non-zero pixels are foreground; any memory order.

    Returns
    -------
    dict
        ``"area"`` int64 (N,); ``"bbox"`` int64 (N, 4) inclusive ``[x0, y0, x1, y1]``, zeros
        for an empty mask (SAM's convention); ``"centroid"`` float64 (N, 2) ``(x, y)`` with
        pixel centres at integer coordinates (``cv2.moments``' ``m10/m00, m01/m00``), NaN for an
        empty mask; ``"moments"`` float64 (N, 6) ``m00, m10, m01, m20, m11, m02`` (sums of
        ``x**p * y**q`` over the foreground, the raw moments of
        ``cv2.moments(mask, binaryImage=True)``), exact integers rounded once.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import boxes
    >>> m = np.zeros((1, 3, 4), np.uint8); m[0, 1, 1:4] = 1
    >>> s = boxes.mask_stats(m)
    >>> s["area"].tolist(), s["bbox"].tolist(), s["centroid"].tolist()
    ([3], [[1, 1, 3, 1]], [[2.0, 1.0]])
    >>> s["moments"].tolist()
    [[3.0, 6.0, 3.0, 14.0, 6.0, 3.0]]
    """
    arr = mask_array(masks)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(f"masks must be 2-D (H, W) or 3-D (N, H, W), got shape {arr.shape}")
    found, area, moments = _core.mask_moments(arr)
    found[found[:, 0] < 0] = 0
    centroid = np.full((len(area), 2), np.nan)
    has = area > 0
    centroid[has] = moments[has, 1:3] / moments[has, :1]
    return {"area": area, "bbox": found, "centroid": centroid, "moments": moments}
