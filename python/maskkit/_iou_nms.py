"""Mask non-maximum suppression: greedy :func:`mask_nms` and SOLOv2's :func:`matrix_nms`.

Both count intersections on bit-packed masks (popcount of a AND b inside the overlap of the two
boxes; disjoint pairs cost nothing), so the counts are exact integers. Greedy NMS only counts the
pairs it needs: a kept mask against the later masks still kept. Matrix NMS needs the upper
triangle of all pairs; its decay is then mmdet's float32 expressions, in mmdet's order, on those
counts.
"""

from __future__ import annotations

import numbers
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _core
from ._iou_masks import MaskInput, _packed
from ._validate import mask_array, snippet

__all__ = ["mask_nms", "matrix_nms"]

_NMS_METRICS = ("iou", "ios")
_KERNELS = ("gaussian", "linear")


def _real(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {snippet(value)}")
    number = float(value)
    if number != number:
        raise ValueError(f"{name} must not be NaN, got {snippet(value)}")
    return number


def _whole(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {snippet(value)}")
    return int(value)


def _vector(values: Any, n: int, name: str) -> np.ndarray:
    """``values`` as a 1-D real numeric array of length ``n`` (no copy when it already is one)."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) (one value per mask), got shape {arr.shape}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got {snippet(arr[~np.isfinite(arr)][:3].tolist())}")
    return arr


def _label_codes(labels: Any, n: int) -> npt.NDArray[np.int64]:
    """One int64 code per mask; equal codes exactly where the labels compare equal."""
    arr = _vector(labels, n, "labels")
    codes = np.unique(arr, return_inverse=True)[1]
    return np.ascontiguousarray(codes.reshape(-1), dtype=np.int64)


def _descending(values: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
    """Indices that sort ``values`` from the largest, NaN first (torch's descending order), ties
    in index order."""
    nan = np.isnan(values)
    key = np.where(nan, np.float32(0), -values)
    return np.lexsort((key, ~nan)).astype(np.int64)


def mask_nms(
    masks: MaskInput,
    scores: Any,
    *,
    iou_threshold: float = 0.5,
    labels: Any = None,
    metric: Literal["iou", "ios"] = "iou",
) -> npt.NDArray[np.int64]:
    """Greedy non-maximum suppression of masks; the indices kept, from the highest score.

    Walking the masks from the highest score, each mask still kept suppresses every later mask
    of its label whose overlap with it is greater than ``iou_threshold``. This is supervision's
    ``mask_non_max_suppression`` (``sv.mask_non_max_suppression(predictions, masks)`` with the
    scores in column 4 and the labels in column 5), whose current releases compare the masks at
    full resolution, as here (older releases resized them to ``mask_dimension`` first; that step
    is not offered).

    Parameters
    ----------
    masks : array_like, BitMasks, RleBatch or list of COCO RLE dicts
        (N, H, W) uint8/bool masks in any memory order (non-zero is foreground), as
        :func:`mask_iou` takes them.
    scores : array_like, shape (N,)
        Finite real scores. The order is ``np.argsort(scores)[::-1]``, supervision's, so tied
        scores come out as NumPy orders them.
    iou_threshold : float
        In [0, 1]; a mask is suppressed when its overlap is strictly greater.
    labels : array_like, shape (N,), optional
        Class of each mask; masks of different labels never suppress each other. ``None``
        treats all masks as one class.
    metric : {"iou", "ios"}
        Intersection over union, or over the smaller area (supervision's ``OverlapMetric``).
        Overlaps are supervision's values: the exact counts divided in float32 (float64 for masks
        of more than 2**24 pixels), 0 where the denominator is 0.

    Returns
    -------
    ndarray of int64
        The indices of the kept masks, highest score first. ``keep = np.zeros(N, bool);
        keep[result] = True`` is supervision's boolean result.

    Raises
    ------
    TypeError
        Masks of another dtype than uint8/bool, non-numeric scores or labels.
    ValueError
        A threshold outside [0, 1], an unknown metric, scores or labels of the wrong shape or
        not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> masks = np.zeros((3, 8, 8), bool)
    >>> masks[0, :4, :4] = True; masks[1, :4, :3] = True; masks[2, 4:, 4:] = True
    >>> iou.mask_nms(masks, [0.8, 0.9, 0.7], iou_threshold=0.5).tolist()
    [1, 2]
    >>> iou.mask_nms(masks, [0.8, 0.9, 0.7], labels=[0, 1, 0]).tolist()
    [1, 0, 2]
    """
    threshold = _real(iou_threshold, "iou_threshold")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"iou_threshold must be in [0, 1] (supervision's rule), got {snippet(iou_threshold)}")
    if not isinstance(metric, str) or metric not in _NMS_METRICS:
        raise ValueError(f"metric must be one of {_NMS_METRICS}, got {snippet(metric)}")
    bits = _packed(masks, "mask_nms")
    n = len(bits)
    score_arr = _vector(scores, n, "scores")
    # sorted as a native contiguous array of the scores' own float type, as supervision sorts them
    native = score_arr.dtype.newbyteorder("=") if score_arr.dtype.kind == "f" else np.dtype(np.float64)
    score_arr = np.ascontiguousarray(score_arr, dtype=native)
    codes = None if labels is None else _label_codes(labels, n)
    order = np.ascontiguousarray(np.argsort(score_arr)[::-1], dtype=np.int64)
    wide = bits.height * bits.width > 2**24
    keep = _core.iou_nms(bits._parts(), bits.width, order, codes, threshold, _NMS_METRICS.index(metric), wide)
    return order[keep.view(np.bool_)]


def matrix_nms(
    masks: Any,
    labels: Any,
    scores: Any,
    *,
    kernel: Literal["gaussian", "linear"] = "gaussian",
    sigma: float = 2.0,
    filter_thr: float = -1,
    nms_pre: int = -1,
    max_num: int = -1,
    mask_area: Any = None,
) -> tuple[npt.NDArray[np.float32], np.ndarray, np.ndarray, npt.NDArray[np.int64]]:
    """Matrix NMS (SOLOv2): decay every score by its overlaps with higher-scored masks of its label.

    mmdet's ``mask_matrix_nms``, with its arguments and results. The masks are sorted by
    score (the first ``nms_pre`` kept); for mask j the decay is the minimum over the masks i
    before it of ``f(iou_ij) / f(c_i)``, where ``c_i`` is the largest IoU of mask i with a mask
    before it of its label and ``f(x) = exp(-sigma x**2)`` (gaussian) or ``1 - x`` (linear);
    pairs of other labels count with IoU 0. The decayed scores are filtered by ``filter_thr``,
    sorted again and cut to ``max_num``.

    The intersections are exact integer counts (mmdet's float32 matmul gives the same counts
    for masks of up to 2**24 pixels); everything after them is float32 in mmdet's order of
    operations, so the scores equal a NumPy float32 transcription of mmdet bit for bit (torch's
    own ``exp`` may round some decays one unit in the last place differently). Tied scores are
    sorted stably (torch's ``sort`` leaves their order unspecified).

    Parameters
    ----------
    masks : array_like, shape (N, H, W)
        uint8/bool masks in any memory order; non-zero is foreground.
    labels : array_like, shape (N,)
        Class of each mask (compared for equality).
    scores : array_like, shape (N,)
        Finite scores, used as float32.
    kernel : {"gaussian", "linear"}
    sigma : float
        The gaussian kernel's sigma.
    filter_thr : float
        When > 0, the masks whose decayed score is below it (in float32) are dropped.
    nms_pre : int
        When > 0, only the ``nms_pre`` highest scored masks take part.
    max_num : int
        When > 0, at most ``max_num`` masks are returned.
    mask_area : array_like, shape (N,), optional
        The masks' areas (used as float32); by default the counted foreground pixels.

    Returns
    -------
    scores : ndarray of float32
        The decayed scores, highest first.
    labels : ndarray
        Their labels (the input's dtype).
    masks : ndarray
        Their masks (the input's dtype), shape (K, H, W).
    keep_inds : ndarray of int64
        Their indices in the input.

    Raises
    ------
    TypeError
        Masks of another dtype than uint8/bool, non-numeric labels, scores or areas.
    ValueError
        Wrong shapes, non-finite scores, labels or areas, an unknown kernel.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import iou
    >>> masks = np.zeros((3, 8, 8), bool)
    >>> masks[0, :4, :4] = True; masks[1, :4, :2] = True; masks[2, 4:, 4:] = True
    >>> scores, labels, kept, keep_inds = iou.matrix_nms(masks, np.array([0, 0, 0]), np.array([0.9, 0.8, 0.7]))
    >>> scores.astype(float).round(4).tolist(), keep_inds.tolist()
    ([0.9, 0.7, 0.4852], [0, 2, 1])
    """
    if not isinstance(kernel, str) or kernel not in _KERNELS:
        raise ValueError(f"kernel must be one of {_KERNELS}, got {snippet(kernel)}")
    sigma_value = _real(sigma, "sigma")
    filter_value = _real(filter_thr, "filter_thr")
    pre = _whole(nms_pre, "nms_pre")
    most = _whole(max_num, "max_num")
    stack = mask_array(masks, "masks")
    if stack.ndim != 3:
        raise ValueError(f"masks must be 3-D (N, H, W), got shape {stack.shape}")
    n = stack.shape[0]
    label_arr = _vector(labels, n, "labels")
    codes = _label_codes(label_arr, n)
    score_arr = _vector(scores, n, "scores").astype(np.float32)
    area_arr = None if mask_area is None else _vector(mask_area, n, "mask_area").astype(np.float32)
    if n == 0:
        return (np.zeros(0, np.float32), label_arr[:0].copy(), stack[:0].copy(), np.zeros(0, np.int64))
    bits = _packed(stack, "matrix_nms")
    area = bits._areas.astype(np.float32) if area_arr is None else area_arr

    order = _descending(score_arr)
    if 0 < pre < n:
        order = order[:pre]
    order = np.ascontiguousarray(order)
    sorted_scores = score_arr[order]
    coef = _decay(_core.iou_upper_intersections(bits._parts(), bits.width, order), area[order], codes[order],
                  kernel, sigma_value)
    decayed = sorted_scores * coef
    keep_inds = order
    if filter_value > 0:
        passed = decayed >= np.float32(filter_value)
        if not passed.any():
            return (np.zeros(0, np.float32), label_arr[:0].copy(), stack[:0].copy(), np.zeros(0, np.int64))
        keep_inds, decayed = keep_inds[passed], decayed[passed]
    second = _descending(decayed)
    if 0 < most < len(second):
        second = second[:most]
    keep_inds = keep_inds[second]
    return decayed[second], label_arr[keep_inds], stack[keep_inds], keep_inds


def _decay(
    inter_counts: np.ndarray, area: npt.NDArray[np.float32], codes: np.ndarray, kernel: str, sigma: float
) -> npt.NDArray[np.float32]:
    """mmdet's decay coefficients from the upper-triangle counts, in its float32 operations."""
    inter = inter_counts.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        iou = np.triu(inter / ((area[None, :] + area[:, None]) - inter), 1)
        same = np.triu(codes[None, :] == codes[:, None], 1)
        decay_iou = iou * same
        compensate = decay_iou.max(0)[:, None]
        if kernel == "gaussian":
            ratio = np.exp(-1 * sigma * decay_iou**2) / np.exp(-1 * sigma * compensate**2)
        else:
            ratio = (1 - decay_iou) / (1 - compensate)
        coef: npt.NDArray[np.float32] = ratio.min(0)
    return coef

