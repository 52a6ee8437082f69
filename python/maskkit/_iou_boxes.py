"""Pairwise box overlaps: torchvision's IoU/GIoU/DIoU/CIoU, detectron2's IoA, pycocotools' bbox IoU.

Every measure runs in C++ in one pass over the pairs, with the reference's operations in its
order and precision (float32 boxes in float32, float64 in float64, as torch computes them), so
the values are the reference's bit for bit. ``fmt="xywh"`` with ``kind="iou"`` is pycocotools'
``bbIou`` (float64; touching boxes give 0; crowd flags divide by the first box's area).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _core
from ._rle_batch import _crowd_flags
from ._validate import snippet

__all__ = ["box_iou"]

BoxFormat = Literal["xyxy", "xywh"]
BoxKind = Literal["iou", "giou", "diou", "ciou", "ioa"]
_KINDS = ("iou", "giou", "diou", "ciou", "ioa")
_FORMATS = ("xyxy", "xywh")
# Beyond these magnitudes the squared differences of the distance measures overflow to inf
# (float32: 2**61 squared is below its 2**128 limit).
_LIMITS = {np.dtype(np.float32): 2.0**60, np.dtype(np.float64): 2.0**500}


def _boxes(boxes: Any, name: str) -> np.ndarray:
    arr = np.asarray(boxes)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "f" and arr.dtype.itemsize in (2, 4, 8):
        # any byte order; float16 computes in float32 (torchvision's _upcast)
        arr = arr.astype(np.float64 if arr.dtype.itemsize == 8 else np.float32, copy=False)
    else:
        raise TypeError(f"{name} must be float16/32/64 or integer coordinates, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got shape {arr.shape}")
    finite = np.isfinite(arr)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        raise ValueError(f"{name} must be finite, got {arr[row, col]} at [{row}, {col}]")
    return arr


def _check_magnitude(arr: np.ndarray, name: str) -> None:
    limit = _LIMITS[arr.dtype]
    if arr.size and np.abs(arr).max() > limit:
        raise OverflowError(
            f"{name} coordinates must be at most {limit:g} in magnitude for {arr.dtype}, got {np.abs(arr).max():g}"
        )


def _choice(value: Any, options: tuple[str, ...], name: str) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {snippet(value)}")
    return value


def box_iou(
    a: Any, b: Any, *, fmt: BoxFormat = "xyxy", kind: BoxKind = "iou", iscrowd: Any = None
) -> npt.NDArray[np.floating[Any]]:
    """Pairwise overlap of two sets of boxes, (len(a), len(b)).

    Parameters
    ----------
    a, b : array_like, shape (N, 4) and (M, 4)
        Box coordinates: float32 and float64 are computed in their own precision (mixed
        inputs in float64, as torch promotes them), float16 in float32 (torchvision's
        ``_upcast``), integers in float64.
    fmt : {"xyxy", "xywh"}
        Corners ``[x0, y0, x1, y1]`` or COCO's ``[x, y, w, h]``.
    kind : {"iou", "giou", "diou", "ciou", "ioa"}
        ``torchvision.ops.box_iou``, ``generalized_box_iou``, ``distance_box_iou``,
        ``complete_box_iou`` (eps 1e-7), or detectron2's ``pairwise_ioa`` (intersection over
        the area of ``b``, 0 where the intersection is 0).
    iscrowd : sequence of bool or int, optional
        With ``fmt="xywh"`` only. ``fmt="xywh", kind="iou"`` is ``pycocotools.mask.iou`` on
        boxes bit for bit (float64; a crowd column is intersection over the area of ``a``).

    Returns
    -------
    ndarray, shape (len(a), len(b))
        In the computing dtype. As in torchvision, a pair whose union is 0 gives NaN; other
        boxes with x1 < x0 keep the formula's (negative-area) values.

    Raises
    ------
    TypeError
        Coordinates that are not numbers.
    ValueError
        A shape other than (N, 4), NaN or infinite coordinates, an unknown ``fmt`` or
        ``kind``, ``iscrowd`` without ``fmt="xywh", kind="iou"`` or of the wrong length.
    OverflowError
        Coordinates so large that the measure overflows (beyond 2**60 in float32).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> a = np.array([[0, 0, 2, 2]], np.float32)
    >>> b = np.array([[1, 1, 3, 3], [4, 4, 5, 5]], np.float32)
    >>> iou.box_iou(a, b).tolist()
    [[0.1428571492433548, 0.0]]
    >>> iou.box_iou(a.astype(np.float64), b, kind="giou").round(4).tolist()  # float64 now
    [[-0.0794, -0.8]]
    >>> iou.box_iou([[0, 0, 2, 2]], [[1, 1, 2, 2]], fmt="xywh", iscrowd=[1]).tolist()
    [[0.25]]
    """
    fmt_name = _choice(fmt, _FORMATS, "fmt")
    kind_name = _choice(kind, _KINDS, "kind")
    pa, pb = _boxes(a, "a"), _boxes(b, "b")
    if iscrowd is not None and (fmt_name, kind_name) != ("xywh", "iou"):
        raise ValueError(f"iscrowd applies to fmt='xywh', kind='iou' (pycocotools) only, got fmt={fmt_name!r}, kind={kind_name!r}")
    if fmt_name == "xywh" and kind_name == "iou":
        crowd = _crowd_flags(iscrowd, len(pb))
        da = np.ascontiguousarray(pa, np.float64)
        db = np.ascontiguousarray(pb, np.float64)
        return np.ascontiguousarray(_core.box_iou(da, db, crowd))
    dtype = np.result_type(pa, pb)
    pa = np.ascontiguousarray(pa, dtype)
    pb = np.ascontiguousarray(pb, dtype)
    if fmt_name == "xywh":  # torchvision's box_convert: x1 = x + w, y1 = y + h
        pa = np.concatenate([pa[:, :2], pa[:, :2] + pa[:, 2:]], axis=1)
        pb = np.concatenate([pb[:, :2], pb[:, :2] + pb[:, 2:]], axis=1)
    _check_magnitude(pa, "a")
    _check_magnitude(pb, "b")
    out: npt.NDArray[np.floating[Any]] = _core.iou_box_overlaps(pa, pb, _KINDS.index(kind_name))
    return out
