"""Torch tensors in and out for the SAM drop-ins, without importing torch.

A tensor can only exist once torch is imported, so ``torch`` is looked up in ``sys.modules``
rather than imported: code that never passes a tensor never loads torch. CPU tensors are read
in place (``Tensor.numpy()`` shares the memory); results go back with ``torch.from_numpy``,
which shares it too.
"""

from __future__ import annotations

import sys
from typing import Any, Tuple

import numpy as np

__all__ = ["is_tensor", "as_array", "like_input"]


def is_tensor(value: Any) -> bool:
    """Whether ``value`` is a ``torch.Tensor`` (False whenever torch was never imported)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def as_array(value: Any, name: str) -> Tuple[np.ndarray, bool]:
    """``value`` as an ndarray sharing its memory, and whether it was a tensor.

    CPU tensors are detached and viewed in place; tensors on another device (or of a dtype
    numpy has no type for, such as bfloat16) raise ``TypeError``.
    """
    if not is_tensor(value):
        return np.asarray(value), False
    if value.device.type != "cpu":
        raise TypeError(f"{name} must be a CPU tensor, got a tensor on {value.device}; call .cpu() first")
    tensor = value.detach().resolve_conj().resolve_neg()
    try:
        return tensor.numpy(), True
    except TypeError as exc:
        raise TypeError(f"{name} has dtype {tensor.dtype}, which has no numpy equivalent ({exc})") from None


def like_input(result: np.ndarray, was_tensor: bool) -> Any:
    """``result`` as a CPU tensor sharing its memory when the input was a tensor, else as is."""
    if not was_tensor:
        return result
    torch = sys.modules["torch"]
    return torch.from_numpy(result if result.flags.c_contiguous else result.copy())
