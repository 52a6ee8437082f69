"""maskkit: fast, bit-exact segmentation-mask processing.

Submodules
----------
maskkit.coco
    Drop-in for ``pycocotools.mask`` (and ``maskkit.coco._mask`` for ``pycocotools._mask``).
maskkit.rle
    Batch-native COCO RLE: :class:`maskkit.rle.RleBatch`, encode/decode/area/bbox/merge/iou,
    and codecs for the other RLE dialects.
maskkit.polygon
    Polygon rasterization: ``to_mask`` and ``to_rle`` with pycocotools' rule.
maskkit.cc
    Connected components numbered like scipy.ndimage / scikit-image, with statistics and
    clean-ups.
maskkit.panoptic
    Panoptic colour ids, formats, merges and PQ evaluation, equal to panopticapi's.
maskkit.iou
    Batched mask and box IoU (pycocotools-exact on RLEs) on bit-packed masks.
maskkit.boxes
    Mask bounding boxes (torchvision, SAM, SAM2, detectron2 conventions) and statistics.
maskkit.sam
    Drop-ins for Segment Anything's ``amg.py`` mask helpers (SAM and SAM2).

Runtime controls
----------------
:func:`simd_info` reports the SIMD targets; ``MASKKIT_SIMD=scalar|avx2|avx512`` forces one.
:func:`set_num_threads` (or ``MASKKIT_NUM_THREADS``) sets the threads batched calls use.
"""

from __future__ import annotations

from typing import Dict, List, Union

try:
    from . import _core
except ImportError as exc:  # pragma: no cover - only on a broken install
    raise ImportError(
        "maskkit's compiled module _core is missing; reinstall with `pip install maskkit` "
        "(or `pip install .` from a source checkout)"
    ) from exc

from . import boxes, cc, coco, iou, panoptic, polygon, rle, sam

# MASKKIT_NUM_THREADS is read here, at import, so that a value that is not a thread count is
# refused with a ValueError naming it instead of being ignored or surfacing in a later call.
_core.num_threads()

__version__ = "0.1.0"
__all__ = ["boxes", "cc", "coco", "iou", "panoptic", "polygon", "rle", "sam", "simd_info", "set_num_threads", "get_num_threads", "__version__"]


def simd_info() -> Dict[str, Union[str, List[str]]]:
    """The SIMD target in use and the ones this CPU supports.

    Examples
    --------
    >>> import maskkit
    >>> info = maskkit.simd_info()
    >>> info["active"] in info["available"]
    True
    """
    return {"active": _core.simd_active(), "available": list(_core.simd_targets())}


def set_num_threads(n: int) -> None:
    """Set how many threads batched calls may use (``1 <= n <= 1024``).

    Results are bit-identical for any thread count. Lowering the count keeps the worker
    threads already started (those not needed sleep), so switching back and forth is cheap.
    If the system refuses to start that many threads, calls run on the ones it started.

    Examples
    --------
    >>> import maskkit
    >>> previous = maskkit.get_num_threads()
    >>> maskkit.set_num_threads(2)
    >>> maskkit.get_num_threads()
    2
    >>> maskkit.set_num_threads(previous)
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__} {n!r}")
    if not 1 <= n <= _core.max_threads:
        raise ValueError(f"n must be from 1 to {_core.max_threads}, got {n}")
    _core.set_num_threads(n)


def get_num_threads() -> int:
    """The number of threads batched calls may use."""
    return int(_core.num_threads())
