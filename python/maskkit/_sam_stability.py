"""SAM's ``calculate_stability_score``: one C++ pass counts both thresholds of every mask."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._sam_tensors import as_array, like_input
from ._validate import snippet

__all__ = ["calculate_stability_score"]

_LOGIT_TYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _real(value: Any, name: str) -> Any:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {snippet(value)}")
    return value


def _logit_stack(logits: np.ndarray) -> np.ndarray:
    """(N, H, W) in place when the strides allow it, in native byte order, aligned."""
    if logits.dtype.newbyteorder("=") not in _LOGIT_TYPES:
        raise TypeError(
            f"masks must hold float logits (float16, float32 or float64), got dtype {logits.dtype}; "
            "SAM thresholds the mask decoder's float logits"
        )
    if logits.ndim < 2:
        raise ValueError(f"masks must have shape (..., H, W) with at least 2 dimensions, got shape {logits.shape}")
    if not logits.dtype.isnative:
        logits = logits.astype(logits.dtype.newbyteorder("="))
    if not logits.flags.aligned or any(s % logits.itemsize for s in logits.strides):
        logits = np.ascontiguousarray(logits)
    n = int(np.prod(logits.shape[:-2], dtype=np.int64))
    return logits.reshape((n,) + logits.shape[-2:])


def calculate_stability_score(masks: Any, mask_threshold: float, threshold_offset: float) -> Any:
    """Stability score of mask logits: the IoU of the masks thresholded high and low.

    Replaces ``segment_anything.utils.amg.calculate_stability_score`` (SAM2's is the same
    function). One pass over the logits counts the values above ``mask_threshold +
    threshold_offset`` and above ``mask_threshold - threshold_offset`` per mask in integers,
    then divides once; the scores equal SAM's bit for bit.

    Parameters
    ----------
    masks : array_like or torch.Tensor, shape (..., H, W)
        float16, float32 or float64 logits, any memory order (read in place); a CPU tensor is
        read without a copy.
    mask_threshold, threshold_offset : float
        As in SAM. The thresholds are rounded to the logits' dtype as torch rounds a Python
        float for the comparison (to float32 first, then to float16 for half logits).

    Returns
    -------
    ndarray or torch.Tensor of float32, shape (...)
        A tensor when ``masks`` is one. A mask with no value above the low threshold gives
        NaN (0/0), as in SAM; a negative offset can give values above 1 or inf, as in SAM.

    Notes
    -----
    Like SAM, the counts are summed per row in int16 and over the rows in int32, so a row with
    more than 32767 values above a threshold wraps exactly as SAM's does. SAM's NaN logits
    are above no threshold; so are they here. Divergences: integer or bool ``masks`` (which
    torch would compare as float32) and bfloat16 tensors raise ``TypeError``.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import sam
    >>> logits = np.array([[[-2.0, 0.5], [1.5, 3.0]]], np.float32)
    >>> sam.calculate_stability_score(logits, 0.0, 1.0)   # 2 above 1.0, 3 above -1.0
    array([0.6666667], dtype=float32)
    """
    arr, was_tensor = as_array(masks, "masks")
    low = _real(mask_threshold, "mask_threshold") - _real(threshold_offset, "threshold_offset")
    high = mask_threshold + threshold_offset
    stack = _logit_stack(arr)
    scores = _core.sam_stability(stack, float(high), float(low)).reshape(arr.shape[:-2])
    return like_input(scores, was_tensor)
