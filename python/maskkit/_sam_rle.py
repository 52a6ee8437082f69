"""SAM's RLE helpers: ``mask_to_rle_pytorch``, ``rle_to_mask``, ``area_from_rle`` and
``coco_encode_rle``, on maskkit's RLE encoder, decoder and SAM/COCO codecs."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np

from ._coco_dicts import int_counts, rle_dict
from ._dialects import from_sam, to_sam
from ._rle_batch import decode, encode
from ._sam_tensors import as_array
from ._validate import mask_array
from .coco import _mask

__all__ = ["mask_to_rle_pytorch", "rle_to_mask", "area_from_rle", "coco_encode_rle"]


def mask_to_rle_pytorch(tensor: Any) -> List[Dict[str, Any]]:
    """Uncompressed column-major RLE of each mask of a (B, H, W) stack.

    Replaces ``segment_anything.utils.amg.mask_to_rle_pytorch`` (SAM2's is the same): the
    C-ordered stack is run-length encoded in column-major order without a transpose, and no
    per-mask filtering of change points.

    Parameters
    ----------
    tensor : torch.Tensor or ndarray of bool (or uint8), shape (B, H, W)
        Any memory order; a CPU tensor is read without a copy.

    Returns
    -------
    list of dict
        ``{"size": [h, w], "counts": [int, ...]}`` per mask: the first count is the run of 0s
        (0 when the first pixel, column-major, is set), as SAM gives them. Like SAM's XOR of
        neighbours, every change of value starts a run in uint8 masks.

    Notes
    -----
    SAM raises ``IndexError`` for masks with ``H * W == 0``; here they give ``counts [0]``
    (pycocotools' RLE of an empty image).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import sam
    >>> m = np.zeros((1, 2, 3), bool); m[0, :, 1] = True
    >>> sam.mask_to_rle_pytorch(m)
    [{'size': [2, 3], 'counts': [2, 2, 2]}]
    """
    arr, _ = as_array(tensor, "tensor")
    arr = mask_array(arr, "tensor")
    if arr.ndim != 3:
        raise ValueError(f"tensor must be 3-D (B, H, W), got shape {arr.shape}")
    return to_sam(encode(arr))


def rle_to_mask(rle: Dict[str, Any]) -> np.ndarray:
    """Decode one uncompressed RLE to a bool (H, W) mask.

    Replaces ``segment_anything.utils.amg.rle_to_mask``. Like SAM's, the result is
    Fortran-ordered (column-major memory, not C-contiguous): SAM returns the transpose of a
    (W, H) array; here it is a view of the (H, W, 1) column-major decoding.

    Parameters
    ----------
    rle : dict
        ``{"size": [h, w], "counts": [int, ...]}``.

    Returns
    -------
    ndarray of bool, shape (h, w), Fortran-ordered

    Notes
    -----
    Divergences for malformed counts: SAM leaves the pixels past a short sum uninitialized
    (``np.empty``); here they are False. SAM ignores the runs past ``h * w``; here counts that
    sum past ``h * w`` raise ``ValueError``.

    Examples
    --------
    >>> from maskkit import sam
    >>> m = sam.rle_to_mask({"size": [2, 3], "counts": [2, 2, 2]})
    >>> m.astype(int).tolist(), m.flags.f_contiguous
    ([[0, 1, 0], [0, 1, 0]], True)
    """
    if not isinstance(rle, dict):
        raise TypeError(f"rle must be a dict with 'size' and 'counts', got {type(rle).__name__}")
    columns: np.ndarray = decode(from_sam([rle]), layout="HWN")[:, :, 0]
    return columns.view(np.bool_)


def area_from_rle(rle: Dict[str, Any]) -> int:
    """Foreground pixel count of an uncompressed RLE (the sum of its odd-position counts).

    Replaces ``segment_anything.utils.amg.area_from_rle``; counts are checked (non-negative
    integers below 2**32) and summed exactly.

    Examples
    --------
    >>> from maskkit import sam
    >>> sam.area_from_rle({"size": [2, 3], "counts": [2, 2, 2]})
    2
    """
    _, _, counts = rle_dict(rle, 0, "SAM")
    return int(int_counts(counts, 0, "SAM")[1::2].sum(dtype=np.uint64))


def coco_encode_rle(uncompressed_rle: Dict[str, Any]) -> Dict[str, Any]:
    """Compress an uncompressed RLE to COCO's string form, with ``counts`` as ``str``.

    Replaces ``segment_anything.utils.amg.coco_encode_rle``: pycocotools' ``frPyObjects`` of
    the dict (here maskkit.coco's, byte for byte), its counts decoded from UTF-8 so that the
    dict serializes to JSON.

    Examples
    --------
    >>> from maskkit import sam
    >>> sam.coco_encode_rle({"size": [2, 3], "counts": [2, 2, 2]})
    {'size': [2, 3], 'counts': '222'}
    """
    h, w, _ = rle_dict(uncompressed_rle, 0, "SAM")
    compressed: Dict[str, Any] = _mask.frPyObjects(uncompressed_rle, h, w)
    compressed["counts"] = compressed["counts"].decode("utf-8")
    return compressed
