"""Argument rules shared by the cc functions; each message names the rule and echoes the value."""

from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

__all__ = ["flag", "label_dtype", "output", "size_threshold", "writeable_target"]


def flag(value: Any, name: str) -> bool:
    """A yes/no option: a bool (or numpy bool); 0 and 1 are refused, they are not answers."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def label_dtype(dtype: Any) -> Optional[np.dtype]:
    """The integer dtype asked for labels (None: the smallest unsigned one that holds n)."""
    if dtype is None:
        return None
    try:
        wanted: np.dtype[Any] = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be an integer dtype, got {dtype!r} ({exc})") from None
    if wanted.kind not in "iu":
        raise TypeError(f"dtype must be an integer dtype, got {wanted}")
    return wanted


def writeable_target(out: Any, shape: Tuple[int, ...], name: str) -> np.ndarray:
    """``out`` checked as an ndarray of ``shape`` that can be written, with no element twice."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{name} must have the image's shape {shape}, got {out.shape}")
    if not out.flags.writeable:
        raise ValueError(f"{name} must be writeable, got a read-only array")
    if any(stride == 0 and side > 1 for stride, side in zip(out.strides, out.shape)):
        raise ValueError(f"{name} must not hold an element twice, got strides {out.strides} for shape {out.shape}")
    return out


def output(out: Any, shape: Tuple[int, ...]) -> np.ndarray:
    """``out=`` of the labelers: a writeable integer array of the image's shape."""
    target = writeable_target(out, shape, "out")
    if target.dtype.kind not in "iu":
        raise TypeError(f"out must have an integer dtype, got {target.dtype}")
    return target


def size_threshold(value: Any, name: str) -> float:
    """A component size to compare with: a real number (not a bool, not NaN)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if math.isnan(float(value)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value) if isinstance(value, (float, np.floating)) else int(value)
