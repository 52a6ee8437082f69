"""Drop-in replacement for ``pycocotools.mask``.

Replace ``from pycocotools import mask as maskUtils`` with
``from maskkit.coco import mask as maskUtils`` (or ``import maskkit.coco as maskUtils``):
the functions take the same arguments and return the same dicts, arrays and bytes.

Examples
--------
>>> import numpy as np
>>> import maskkit.coco as mask
>>> m = np.zeros((4, 3), np.uint8); m[1:3, 1:] = 1
>>> rle = mask.encode(m)          # C-ordered input is fine (pycocotools wants Fortran order)
>>> rle
{'size': [4, 3], 'counts': b'5220O'}
>>> int(mask.area(rle)), mask.toBbox(rle).tolist()
(4, [1.0, 1.0, 2.0, 2.0])
"""

from __future__ import annotations

import sys as _sys
from typing import Any

import numpy as np

from .. import _core
from . import _mask
from ._errors import RleAssertionError, RleAttributeError, RleIndexError, RleKeyError

__all__ = [
    "encode",
    "decode",
    "area",
    "toBbox",
    "iou",
    "merge",
    "frPyObjects",
    "mask",
    "_mask",
    "RleAssertionError",
    "RleAttributeError",
    "RleIndexError",
    "RleKeyError",
]

iou = _mask.iou
merge = _mask.merge
frPyObjects = _mask.frPyObjects


def encode(bimask: np.ndarray) -> Any:
    """Encode an (H, W) mask to one RLE dict, or an (H, W, N) stack to a list of them.

    Divergences: any memory order is accepted (pycocotools requires Fortran order), and an
    array of another ndim raises ``ValueError`` (pycocotools silently returns ``None``).
    """
    if not hasattr(bimask, "shape"):
        raise RleAttributeError(f"encode needs a numpy array: '{type(bimask).__name__}' object has no attribute 'shape'")
    if len(bimask.shape) == 3:
        return _mask.encode(np.asarray(bimask))
    if len(bimask.shape) == 2:
        return _mask.encode(np.asarray(bimask)[:, :, None])[0]
    raise ValueError(f"encode needs an (H, W) or (H, W, N) array, got shape {bimask.shape}")


def decode(rleObjs: Any) -> np.ndarray:
    """Decode a list of RLE dicts to (H, W, N) uint8 (Fortran order), or one dict to (H, W)."""
    if type(rleObjs) is list:
        return _mask.decode(rleObjs)
    return _mask.decode([rleObjs])[:, :, 0]


def area(rleObjs: Any) -> Any:
    """Areas as a uint32 array for a list, or one ``np.uint32`` for a dict."""
    if type(rleObjs) is list:
        return _core.coco_area(rleObjs)
    return _core.coco_area([rleObjs])[0]


def toBbox(rleObjs: Any) -> np.ndarray:
    """``[x, y, w, h]`` boxes: (N, 4) float64 for a list, (4,) for a dict."""
    if type(rleObjs) is list:
        return _core.coco_to_bbox(rleObjs)
    box: np.ndarray = _core.coco_to_bbox([rleObjs])[0]
    return box


# ``from maskkit.coco import mask`` mirrors ``from pycocotools import mask``.
mask = _sys.modules[__name__]
