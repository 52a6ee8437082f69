"""Input policy shared by the wrappers: exact dtypes, no lossy casts, messages that echo values."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["host_array", "mask_array", "dimension", "snippet"]

# DLPack device types whose memory the CPU reads: kDLCPU, kDLCUDAHost (pinned), kDLROCMHost
_HOST_DEVICES = (1, 3, 11)


def host_array(value: Any, name: str = "input") -> np.ndarray:
    """``value`` as a numpy array over the same memory: numpy arrays as they are, torch CPU
    tensors and other ``__array__`` / buffer-protocol objects through ``np.asarray``, objects
    that only speak DLPack through ``np.from_dlpack``. Nothing is copied; a tensor on an
    accelerator raises ``TypeError`` (move it to the CPU first).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((2, 3), np.uint8)
    >>> host_array(a) is a
    True
    >>> class OnlyDLPack:                      # what a DLPack-only tensor library hands over
    ...     def __init__(self, a): self.a = a
    ...     def __dlpack__(self, **kwargs): return self.a.__dlpack__(**kwargs)
    ...     def __dlpack_device__(self): return self.a.__dlpack_device__()
    >>> np.shares_memory(host_array(OnlyDLPack(a)), a)
    True
    """
    if isinstance(value, np.ndarray):
        return value
    device = getattr(value, "__dlpack_device__", None)
    if device is not None:
        kind, index = device()
        if int(kind) not in _HOST_DEVICES:
            where = getattr(value, "device", f"DLPack device type {int(kind)}, index {int(index)}")
            raise TypeError(f"{name} lives on {where}; maskkit reads host memory: move it to the CPU first (e.g. tensor.cpu())")
        if not hasattr(value, "__array__") and not hasattr(value, "__array_interface__"):
            return np.from_dlpack(value)
    try:
        return np.asarray(value)
    except RuntimeError as exc:  # torch refuses tensors that require grad: say what to do
        raise TypeError(f"{name} cannot be read without a copy ({exc}); pass tensor.detach()") from None


def mask_array(masks: Any, name: str = "masks") -> np.ndarray:
    """Return ``masks`` as a uint8/bool ndarray without copying.

    Float and wider integer masks are refused rather than cast: a cast would either binarize
    (changing what pycocotools would encode) or wrap, and neither is what the caller asked.
    """
    arr = host_array(masks, name)
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
