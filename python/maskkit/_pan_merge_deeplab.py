"""Panoptic-DeepLab post-processing: centers, pixel grouping and the semantic + instance merge.

detectron2's ``projects/Panoptic-DeepLab/.../post_processing.py`` and the original repository's
``instance_post_processing.py`` with their tie rules written down: NMS keeps every maximum of a
plateau, a pixel with two nearest centers takes the lower index, a majority vote tie takes the
smaller label (``torch.mode`` on the CPU; on CUDA it may not), and instances are numbered per
class in ascending instance id. The core never builds the K x H x W distance tensor.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._cc_args import size_threshold
from ._validate import snippet

__all__ = [
    "find_instance_center",
    "group_pixels",
    "get_instance_segmentation",
    "merge_semantic_and_instance",
    "get_panoptic_segmentation",
]

_VARIANTS = {"detectron2": 0, "original": 1}


def _squeezed(value: Any, name: str, ndim: int) -> np.ndarray:
    """``value`` with leading axes of length 1 dropped down to ``ndim`` axes (torch's [1, ...] batches)."""
    arr = np.asarray(value)
    while arr.ndim > ndim and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes (after leading axes of length 1), got shape {arr.shape}")
    return arr


def _int_option(value: Any, name: str, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {snippet(value)}")
    if int(value) < low:
        raise ValueError(f"{name} must be >= {low}, got {int(value)}")
    return int(value)


def _labels(value: Any, name: str) -> np.ndarray:
    arr = _squeezed(value, name, 2)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer label map, got dtype {arr.dtype}")
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) > 2**63 - 1:
        raise OverflowError(f"{name} values must be below 2**63, got {int(arr.max())}")
    return np.ascontiguousarray(arr, np.int64)


def _thing_ids(thing_ids: Any) -> np.ndarray:
    arr = np.asarray(list(thing_ids) if not isinstance(thing_ids, np.ndarray) else thing_ids)
    if arr.size == 0:
        return np.zeros(0, np.int64)
    if arr.ndim != 1 or arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(f"thing_ids must be a sequence of integers, got {snippet(thing_ids)}")
    return np.ascontiguousarray(arr, np.int64)


def find_instance_center(
    center_heatmap: Any,
    threshold: float = 0.1,
    nms_kernel: int = 3,
    top_k: Optional[int] = None,
    *,
    variant: str = "detectron2",
) -> np.ndarray:
    """Instance centers of a center heatmap: thresholded, max-pool NMS, then the top-k rule.

    A score survives when it is above ``threshold`` (float32 comparison, as ``F.threshold``)
    and equal to the maximum of its ``nms_kernel`` window (every maximum of a plateau survives).
    ``top_k`` then keeps, with ``variant="detectron2"``, the survivors strictly above
    ``max(k-th best score, 0)`` (so ties at the k-th score, and the k-th itself, are dropped);
    with ``variant="original"``, all positive survivors if there are fewer than ``top_k``, else
    those strictly above the k-th best (the spec's reading of the original repository, whose
    code takes that k-th value from the flattened coordinates instead of the scores).

    Parameters
    ----------
    center_heatmap : array_like of float32, shape (H, W) (or with leading axes of length 1)
    threshold : float
    nms_kernel : int
        Odd window size.
    top_k : int, optional
        None keeps every positive survivor. detectron2's rule needs ``top_k <= H * W``.
    variant : {"detectron2", "original"}

    Returns
    -------
    numpy.ndarray of int64, shape (K, 2)
        ``(y, x)`` in row-major order.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> hm = np.zeros((3, 5), np.float32); hm[1, 1] = 0.9; hm[1, 3] = 0.5; hm[0, 4] = 0.5
    >>> panoptic.find_instance_center(hm, nms_kernel=3).tolist()
    [[0, 4], [1, 1], [1, 3]]
    >>> panoptic.find_instance_center(hm, nms_kernel=3, top_k=2).tolist()
    [[1, 1]]
    >>> panoptic.find_instance_center(hm, nms_kernel=3, top_k=2, variant="original").tolist()
    [[1, 1]]
    """
    heatmap = _squeezed(center_heatmap, "center_heatmap", 2)
    if heatmap.dtype.kind != "f" or heatmap.dtype.itemsize != 4:
        raise TypeError(f"center_heatmap must be float32 (the network's output dtype), got {heatmap.dtype}")
    if variant not in _VARIANTS:
        raise ValueError(f"variant must be 'detectron2' or 'original', got {snippet(variant)}")
    kernel = _int_option(nms_kernel, "nms_kernel", 1)
    k = 0 if top_k is None else _int_option(top_k, "top_k", 1)
    limit = float(size_threshold(threshold, "threshold"))
    centers: np.ndarray = _core.pan_find_instance_centers(
        np.ascontiguousarray(heatmap, np.float32), limit, kernel, k, _VARIANTS[variant]
    )
    return centers.reshape(-1, 2)


def group_pixels(centers: Any, offsets: Any) -> np.ndarray:
    """Instance id of each pixel: 1 + the index of the center nearest to where its offset points.

    Pixel ``(y, x)`` votes for ``(y + dy, x + dx)``; distances are ``sqrt(ddy**2 + ddx**2)`` in
    the offsets' precision (float32 or float64, as torch computes them), and equal distances go
    to the lower center index (``torch.argmin``). Memory is O(H W), not O(K H W). With no
    centers every id is 0 (``get_instance_segmentation``'s rule).

    Parameters
    ----------
    centers : array_like of int, shape (K, 2)
        ``(y, x)``, as :func:`find_instance_center` returns them.
    offsets : array_like of float32 or float64, shape (2, H, W) (or (1, 2, H, W))
        ``(dy, dx)`` planes.

    Returns
    -------
    numpy.ndarray of int64, shape (H, W)

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> panoptic.group_pixels([[0, 0], [0, 3]], np.zeros((2, 1, 4), np.float32)).tolist()
    [[1, 1, 2, 2]]
    """
    offs = _squeezed(offsets, "offsets", 3)
    if offs.shape[0] != 2:
        raise ValueError(f"offsets must be (2, H, W) with (dy, dx) planes, got shape {offs.shape}")
    if offs.dtype.kind != "f" or offs.dtype.itemsize not in (4, 8):
        raise TypeError(f"offsets must be float32 or float64, got {offs.dtype}")
    if np.isnan(offs).any():
        raise ValueError("offsets must not be NaN")
    ctr = np.asarray(centers)
    if ctr.size == 0:
        return np.zeros(offs.shape[1:], np.int64)
    if ctr.ndim != 2 or ctr.shape[1] != 2:
        raise ValueError(f"centers must be (K, 2) as (y, x), got shape {ctr.shape}")
    if ctr.dtype == np.bool_ or ctr.dtype.kind not in "iu":
        raise TypeError(f"centers must be integers, got dtype {ctr.dtype}")
    if ctr.dtype == np.uint64 and int(ctr.max()) > 2**63 - 1:
        raise OverflowError(f"centers must be below 2**63, got {int(ctr.max())}")
    native = np.float32 if offs.dtype.itemsize == 4 else np.float64
    ids: np.ndarray = _core.pan_group_pixels(np.ascontiguousarray(ctr, np.int64), np.ascontiguousarray(offs, native))
    return ids.astype(np.int64)


def _thing_mask(value: Any, shape: Tuple[int, ...]) -> np.ndarray:
    arr = _squeezed(value, "thing_seg", 2)
    if arr.shape != shape:
        raise ValueError(f"thing_seg must have the semantic map's shape {shape}, got {arr.shape}")
    if arr.dtype == np.bool_:
        return np.ascontiguousarray(arr).view(np.uint8)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"thing_seg must be a bool or integer mask, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr > 0).view(np.uint8)


def get_instance_segmentation(
    sem_seg: Any,
    center_heatmap: Any,
    offsets: Any,
    thing_ids: Sequence[int],
    threshold: float = 0.1,
    nms_kernel: int = 3,
    top_k: Optional[int] = None,
    thing_seg: Any = None,
    *,
    variant: str = "detectron2",
) -> Tuple[np.ndarray, np.ndarray]:
    """Class-agnostic instance ids: :func:`group_pixels` on the thing pixels, 0 elsewhere.

    Thing pixels are ``thing_seg > 0`` when given (a foreground mask), else the pixels whose
    semantic label is in ``thing_ids``.

    Parameters
    ----------
    sem_seg : array_like of int, shape (H, W)
        Semantic labels (leading axes of length 1 are dropped).
    center_heatmap, offsets
        As in :func:`find_instance_center` and :func:`group_pixels`.
    thing_ids : sequence of int
    threshold, nms_kernel, top_k, variant
        As in :func:`find_instance_center`.
    thing_seg : array_like of bool or int, shape (H, W), optional

    Returns
    -------
    ins_seg : numpy.ndarray of int64, shape (H, W)
    centers : numpy.ndarray of int64, shape (K, 2)

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> sem = np.array([[1, 1, 0, 2]]); hm = np.array([[0.9, 0, 0, 0.8]], np.float32)
    >>> ins, ctr = panoptic.get_instance_segmentation(sem, hm, np.zeros((2, 1, 4), np.float32), [1, 2])
    >>> ins.tolist(), ctr.tolist()
    ([[1, 1, 0, 2]], [[0, 0], [0, 3]])
    """
    sem = _labels(sem_seg, "sem_seg")
    things = _thing_ids(thing_ids)
    mask = np.isin(sem, things) if thing_seg is None else _thing_mask(thing_seg, sem.shape).view(np.bool_)
    centers = find_instance_center(center_heatmap, threshold, nms_kernel, top_k, variant=variant)
    ids = group_pixels(centers, offsets)
    if ids.shape != sem.shape:
        raise ValueError(f"offsets must have the semantic map's size {sem.shape}, got {ids.shape}")
    ids[~mask] = 0
    return ids, centers


def merge_semantic_and_instance(
    sem_seg: Any,
    ins_seg: Any,
    thing_ids: Sequence[int],
    label_divisor: int = 1000,
    stuff_area: float = 2048,
    void_label: int = -1,
    thing_seg: Any = None,
) -> np.ndarray:
    """Panoptic-DeepLab's merge: ``class * label_divisor + instance`` per pixel.

    Each instance id ``> 0`` (ascending) takes the majority semantic label of its thing pixels
    (``ins > 0`` and, given ``thing_seg``, ``thing_seg > 0``, else semantic label in
    ``thing_ids``), ties to the smaller label, and the next number 1, 2, ... of that class.
    A stuff class (not in ``thing_ids``) keeps its instance-free pixels when they number at
    least ``stuff_area``, as ``class * label_divisor``; every other pixel is ``void_label``
    (detectron2: -1; the original: ``ignore_label * label_divisor``). Both repositories give the
    same map when no ``thing_seg`` is given; with one, this is detectron2's rule.

    Parameters
    ----------
    sem_seg, ins_seg : array_like of int, shape (H, W)
        Semantic labels and class-agnostic instance ids (``>= 0``; 0 = no instance).
    thing_ids : sequence of int
    label_divisor : int
        ``>= 1``; detectron2 uses 1000, the original repository 256 for COCO.
    stuff_area : float
    void_label : int
    thing_seg : array_like of bool or int, shape (H, W), optional

    Returns
    -------
    numpy.ndarray of int64, shape (H, W)

    Raises
    ------
    ValueError
        Negative instance ids, shapes that differ. OverflowError: an id beyond int64.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> sem = np.array([[1, 1, 2, 5, 5]]); ins = np.array([[1, 1, 1, 0, 0]])
    >>> panoptic.merge_semantic_and_instance(sem, ins, [1, 2], stuff_area=2).tolist()
    [[1001, 1001, 1001, 5000, 5000]]
    """
    sem = _labels(sem_seg, "sem_seg")
    ins = _labels(ins_seg, "ins_seg")
    if ins.shape != sem.shape:
        raise ValueError(f"ins_seg must have the shape of sem_seg {sem.shape}, got {ins.shape}")
    divisor = _int_option(label_divisor, "label_divisor", 1)
    void = _int_option(void_label, "void_label", -(2**63))
    area = float(size_threshold(stuff_area, "stuff_area"))
    mask = None if thing_seg is None else _thing_mask(thing_seg, sem.shape)
    pan: np.ndarray = _core.pan_merge_semantic_and_instance(sem, ins, mask, divisor, _thing_ids(thing_ids), area, void)
    return pan


def get_panoptic_segmentation(
    sem_seg: Any,
    center_heatmap: Any,
    offsets: Any,
    thing_ids: Sequence[int],
    label_divisor: int = 1000,
    stuff_area: float = 2048,
    void_label: int = -1,
    threshold: float = 0.1,
    nms_kernel: int = 7,
    top_k: Optional[int] = 200,
    foreground_mask: Any = None,
    *,
    variant: str = "detectron2",
) -> Tuple[np.ndarray, np.ndarray]:
    """Panoptic-DeepLab end to end from a semantic label map: ``(panoptic (H, W) int64, centers)``.

    :func:`get_instance_segmentation` then :func:`merge_semantic_and_instance`, with
    detectron2's defaults (Cityscapes: ``stuff_area=2048``, ``nms_kernel=7``, ``top_k=200``).

    Parameters
    ----------
    sem_seg : array_like of int, shape (H, W)
        The semantic argmax (take it from the logits first).
    center_heatmap, offsets, thing_ids, label_divisor, stuff_area, void_label, threshold, nms_kernel, top_k, variant
        As in the steps.
    foreground_mask : array_like of bool or int, shape (H, W), optional
        Thing pixels, instead of ``sem_seg`` in ``thing_ids``.

    Returns
    -------
    panoptic : numpy.ndarray of int64, shape (H, W)
    centers : numpy.ndarray of int64, shape (K, 2)

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> sem = np.array([[1, 1, 0, 2]]); hm = np.array([[0.9, 0, 0, 0.8]], np.float32)
    >>> pan, _ = panoptic.get_panoptic_segmentation(sem, hm, np.zeros((2, 1, 4), np.float32),
    ...     [1, 2], stuff_area=1, nms_kernel=3, top_k=None)
    >>> pan.tolist()
    [[1001, 1001, 0, 2001]]
    """
    sem = _labels(sem_seg, "sem_seg")
    ins, centers = get_instance_segmentation(
        sem, center_heatmap, offsets, thing_ids, threshold, nms_kernel, top_k, foreground_mask, variant=variant
    )
    pan = merge_semantic_and_instance(sem, ins, thing_ids, label_divisor, stuff_area, void_label, foreground_mask)
    return pan, centers
