"""Drop-in for ``pycocotools._mask``: the same functions, inputs, outputs and bytes.

Functions take and return COCO RLE dicts ``{'size': [h, w], 'counts': bytes}`` exactly as
pycocotools 2.0.11 does. Where pycocotools crashes, hangs or returns uninitialized memory,
these raise a clear exception instead; where it accepts only Fortran-ordered or C-contiguous
input by accident of implementation, these read any memory order and give the answer
pycocotools gives for the equivalent valid input. Each such divergence is listed in the
function's docstring (and in the README).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ._errors import RleAssertionError, RleIndexError

__all__ = [
    "encode",
    "decode",
    "merge",
    "area",
    "iou",
    "toBbox",
    "frBbox",
    "frPoly",
    "frUncompressedRLE",
    "frPyObjects",
    "_toString",
    "_frString",
]

_FLOAT64 = np.dtype(np.float64)


def _frString(rleObjs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse COCO compressed RLE objects into ``(counts, offsets, sizes)`` arrays.

    ``counts`` must be exactly ``str`` or ``bytes`` (``TypeError: Expected bytes, got ...``
    otherwise, as in pycocotools). Divergence: a character outside ``'0'..'o'`` or a string
    that ends inside a number raises ``ValueError``; pycocotools decodes such strings into
    garbage (or reads past the buffer).
    """
    return _core.coco_parse(rleObjs)


def _toString(rles: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[dict[str, Any]]:
    """Build COCO compressed RLE dicts from ``(counts, offsets, sizes)`` arrays."""
    counts, offsets, sizes = rles
    return _core.coco_build(counts, offsets, sizes)


def encode(mask: np.ndarray) -> list[dict[str, Any]]:
    """Encode an (H, W, N) uint8 (or bool) array into N RLE dicts.

    Divergence (superset): any memory order is accepted, not only Fortran order; the result
    equals ``pycocotools._mask.encode(np.asfortranarray(mask))``. As in pycocotools, values
    other than 0/1 are not binarized.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit.coco import _mask
    >>> _mask.encode(np.ones((2, 3, 1), np.uint8))
    [{'size': [2, 3], 'counts': b'06'}]
    """
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"Argument 'mask' has incorrect type (expected numpy.ndarray, got {type(mask).__name__})")
    if mask.dtype != np.uint8 and mask.dtype != np.bool_:
        raise ValueError(f"Buffer dtype mismatch, expected 'uint8_t' but got '{mask.dtype}'")
    if mask.ndim != 3:
        raise ValueError(f"Buffer has wrong number of dimensions (expected 3, got {mask.ndim})")
    return _core.coco_encode(np.moveaxis(mask, -1, 0))


def decode(rleObjs: Any) -> np.ndarray:
    """Decode a list of RLE dicts into a Fortran-ordered (H, W, N) uint8 array.

    Divergences: an empty list raises ``ValueError`` (pycocotools reads an RLE that does not
    exist); RLEs of different sizes raise ``ValueError`` (pycocotools uses the first size and
    leaves uninitialized bytes, or raises when a later one is larger); counts that sum past
    ``h*w`` raise ``ValueError("Invalid RLE mask representation...")`` per RLE; a short sum
    leaves the tail 0 (pycocotools leaves it uninitialized).
    """
    return _core.coco_decode(rleObjs)


def merge(rleObjs: Any, intersect: Any = 0) -> dict[str, Any]:
    """Union (or, for a non-zero ``intersect``, intersection) of RLE dicts, as one dict.

    Byte-identical to pycocotools, including zero-length runs that survive the sweep, a
    single RLE parsed and encoded again (its counts bytes object itself is returned when that
    gives the same bytes) and ``{'size': [0, 0], 'counts': b''}`` for an empty list or RLEs
    of different sizes. ``intersect`` is converted like a C ``int`` (floats truncate; ``None``
    raises ``TypeError``, values beyond 32 bits ``OverflowError``). Divergence: RLEs whose
    counts sum to different totals raise ``ValueError`` (pycocotools loops forever).

    Examples
    --------
    >>> from maskkit.coco import _mask
    >>> a, b = {"size": [2, 2], "counts": b"13"}, {"size": [2, 2], "counts": b"04"}
    >>> _mask.merge([a, b]), _mask.merge([a, b], intersect=1)
    ({'size': [2, 2], 'counts': b'04'}, {'size': [2, 2], 'counts': b'13'})
    """
    return _core.coco_merge(rleObjs, intersect)


def area(rleObjs: Any) -> np.ndarray:
    """Foreground area of each RLE as uint32 (wrapping at 2**32, as pycocotools does)."""
    return _core.coco_area(rleObjs)


def toBbox(rleObjs: Any) -> np.ndarray:
    """Bounding boxes ``[x, y, w, h]`` of RLE dicts, float64 (N, 4).

    Divergence: an RLE of height 0 with a foreground run raises ``ValueError`` (pycocotools
    divides by zero and the process dies).
    """
    return _core.coco_to_bbox(rleObjs)


class _Boxes:
    """Marker for preprocessed box input (pycocotools turns boxes into float64 arrays)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


class _Rles:
    """Marker for RLE-dict input (checked, kept as the caller's objects)."""

    __slots__ = ("objs",)

    def __init__(self, objs: list[Any]) -> None:
        self.objs = objs


def _preproc(objs: Any) -> Any:
    if len(objs) == 0:
        return objs
    if type(objs) is np.ndarray:
        if len(objs.shape) == 1:
            objs = objs.reshape((objs[0], 1))  # as pycocotools: 1-D box arrays never work
        if not len(objs.shape) == 2 or not objs.shape[1] == 4:
            raise ValueError("numpy ndarray input is only for *bounding boxes* and should have Nx4 dimension")
        # Divergence: pycocotools keeps the memory order here and then reads the buffer as
        # C-ordered, so Fortran-ordered boxes give wrong IoUs; a C-ordered copy is correct.
        return _Boxes(np.ascontiguousarray(objs, dtype=np.double))
    if type(objs) is list:
        isbox = all((len(obj) == 4) and (type(obj) is list or type(obj) is np.ndarray) for obj in objs)
        isrle = all(type(obj) is dict for obj in objs)
        if isbox:
            arr = np.array(objs, dtype=np.double)
            if len(arr.shape) == 1:
                arr = arr.reshape((1, arr.shape[0]))
            return _Boxes(np.ascontiguousarray(arr))
        if isrle:
            _frString(objs)  # parse now: malformed RLEs raise before the later checks, as in pycocotools
            return _Rles(objs)
        raise ValueError("list input can be bounding box (Nx4) or RLEs ([RLE])")
    raise ValueError(
        "unrecognized type.  The following type: RLEs (rle), np.ndarray (box), and list (box) are supported."
    )


def _count(objs: Any) -> int:
    if isinstance(objs, _Boxes):
        return int(objs.array.shape[0])
    if isinstance(objs, _Rles):
        return len(objs.objs)
    return 0


def iou(dt: Any, gt: Any, pyiscrowd: Any) -> Any:
    """IoU between detections and ground truths: RLE dicts or [x, y, w, h] boxes.

    Returns a Fortran-ordered float64 (len(dt), len(gt)) array, bit-identical to pycocotools,
    or ``[]`` when either side is empty. For a crowd ground truth the IoU is
    ``|dt ∩ gt| / |dt|``. Checks run in pycocotools' order with its exception classes, except
    that its bare ``Exception`` becomes ``ValueError`` (a subclass, so ``except Exception``
    still catches it). Divergence: Fortran-ordered box arrays give correct values.

    Examples
    --------
    >>> from maskkit.coco import _mask
    >>> _mask.iou([[0, 0, 4, 4]], [[2, 2, 4, 4]], [0]).round(6)
    array([[0.142857]])
    """
    iscrowd = np.array(pyiscrowd, dtype=np.uint8)
    if iscrowd.ndim != 1:
        raise ValueError(f"Buffer has wrong number of dimensions (expected 1, got {iscrowd.ndim})")
    dt = _preproc(dt)
    gt = _preproc(gt)
    m = _count(dt)
    n = _count(gt)
    if len(iscrowd) != n:
        raise RleAssertionError(
            f"iou(iscrowd=) must have the same length as gt: {n} ground truths, got {len(iscrowd)} flags {pyiscrowd!r}"
        )
    if m == 0 or n == 0:
        return []
    if type(dt) is not type(gt):
        raise ValueError("The dt and gt should have the same data type, either RLEs, list or np.ndarray")
    crowd = np.ascontiguousarray(iscrowd)
    if isinstance(dt, _Boxes):
        return _core.box_iou(dt.array, gt.array, crowd)
    return _core.coco_iou(dt.objs, gt.objs, crowd)


def frBbox(bb: np.ndarray, h: Any, w: Any) -> list[dict[str, Any]]:
    """Rasterize an (N, 4) float64 array of ``[x, y, w, h]`` boxes into RLE dicts.

    Divergences: any memory order is read correctly (pycocotools reads the buffer as
    C-ordered whatever the strides), and an (N, K) array with K != 4 raises ``ValueError``
    (pycocotools reads the wrong elements).
    """
    if type(bb) is np.ndarray and bb.dtype is _FLOAT64 and bb.ndim == 2 and bb.shape[1] == 4:
        return _core.coco_fr_bbox(bb, h, w)  # the common case, checked first; C++ reads any strides
    if not isinstance(bb, np.ndarray):
        raise TypeError(f"Argument 'bb' has incorrect type (expected numpy.ndarray, got {type(bb).__name__})")
    if bb.dtype != np.double:
        raise ValueError(f"Buffer dtype mismatch, expected 'double_t' but got '{bb.dtype}'")
    if bb.ndim != 2:
        raise ValueError(f"Buffer has wrong number of dimensions (expected 2, got {bb.ndim})")
    if bb.shape[0] and bb.shape[1] != 4:
        raise ValueError(f"boxes must have 4 columns [x, y, w, h], got shape {bb.shape}")
    return _core.coco_fr_bbox(np.ascontiguousarray(bb).reshape(-1, 4), h, w)


def frPoly(poly: Any, h: Any, w: Any) -> list[dict[str, Any]]:
    """Rasterize polygons (flat ``[x0, y0, x1, y1, ...]`` sequences) into RLE dicts.

    Bit-identical to pycocotools' even-odd rule on the 1/5-pixel grid. Divergences: NaN,
    infinite or huge (> 1e14) coordinates raise ``ValueError`` (pycocotools crashes or
    allocates gigabytes), far-away coordinates cost no extra time or memory, and an empty
    list gives ``[]`` (pycocotools raises ``IndexError``).
    """
    return _core.coco_fr_poly(poly, h, w)


def frUncompressedRLE(ucRles: Any, h: Any, w: Any) -> list[dict[str, Any]]:
    """Compress uncompressed RLEs (``counts`` as a list of ints); ``h``/``w`` are unused.

    Counts are converted like pycocotools (``np.array(counts, dtype=np.uint32)``: floats
    truncate, negatives raise ``OverflowError`` on numpy >= 2) and kept as given.
    """
    return _core.coco_fr_uncompressed(ucRles, h, w)


def frPyObjects(pyobj: Any, h: Any, w: Any) -> Any:
    """Convert boxes, polygons or uncompressed RLEs to compressed RLE dicts.

    Dispatches exactly like pycocotools 2.0.11: an ndarray is boxes; a list whose first
    element has 4 values is boxes (which, as in pycocotools, raises ``TypeError`` because only
    an ndarray is accepted); more than 4 values is polygons; a list of dicts with
    ``counts``/``size`` is uncompressed RLEs; a single such dict returns a single dict (its
    own size wins over ``h``, ``w``). Anything else raises ``ValueError('input type is not
    supported.')`` (pycocotools raises a bare ``Exception``).

    Examples
    --------
    >>> from maskkit.coco import _mask
    >>> _mask.frPyObjects([[1.0, 1.0, 6.0, 1.0, 3.5, 5.0]], 7, 8)
    [{'size': [7, 8], 'counts': b'8161O2NN2O>'}]
    """
    if type(pyobj) is np.ndarray:
        return frBbox(pyobj, h, w)
    if type(pyobj) is list and not pyobj:
        raise RleIndexError("frPyObjects needs at least one polygon, box or RLE, got [] (pycocotools raises IndexError)")
    if type(pyobj) is list and len(pyobj[0]) == 4:
        return frBbox(pyobj, h, w)  # type: ignore[arg-type]
    if type(pyobj) is list and len(pyobj[0]) > 4:
        return _core.coco_fr_poly(pyobj, h, w)  # frPoly, one call less
    if type(pyobj) is list and type(pyobj[0]) is dict and "counts" in pyobj[0] and "size" in pyobj[0]:
        return _core.coco_fr_uncompressed(pyobj, h, w)
    if type(pyobj) is dict and "counts" in pyobj and "size" in pyobj:
        return _core.coco_fr_uncompressed([pyobj], h, w)[0]
    raise ValueError("input type is not supported.")
