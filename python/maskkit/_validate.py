"""Input policy shared by the wrappers: exact dtypes, no lossy casts, messages that echo values."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["mask_array", "dimension", "snippet"]


def mask_array(masks: Any, name: str = "masks") -> np.ndarray:
    """Return ``masks`` as a uint8/bool ndarray without copying.

    Float and wider integer masks are refused rather than cast: a cast would either binarize
    (changing what pycocotools would encode) or wrap, and neither is what the caller asked.
    """
    arr = np.asarray(masks)
    if arr.dtype != np.uint8 and arr.dtype != np.bool_:
        raise TypeError(
            f"{name} must have dtype uint8 or bool, got {arr.dtype}; "
            f"binarize explicitly, e.g. (x > 0.5).astype(np.uint8)"
        )
    return arr


def dimension(value: Any, name: str) -> int:
    """An image height or width: a non-negative integer below 2**32."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    number = int(value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number}")
    if number > 0xFFFFFFFF:
        raise OverflowError(f"{name} must be at most 2**32 - 1, got {number}")
    return number


def snippet(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters, for echoing a received value in a message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
