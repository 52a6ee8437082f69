"""Boundary PQ (Cheng et al., 2021) terms of one image, as boundary-iou-api's panoptic evaluation
(``boundary_iou/coco_panoptic_api/evaluation.py``) computes them.

For each side, boundary-iou-api copies the id map and walks its ``segments_info`` in list order:
the segment's mask is the copy's pixels equal to its id, its boundary is
:func:`maskkit._iou_boundary.mask_to_boundary` of that mask (the radius from the image's
diagonal), the mask's pixels are painted with ``BOUNDARY_ID = max(category ids) + 1`` and then
its boundary's pixels with the id again; the boundary's pixel count is the segment's boundary
area. The pair histogram of the two boundary maps gives each pair's boundary intersection and
each prediction's boundary pixels on VOID; a pair then matches when ``min(mask IoU, boundary
IoU) > 0.5`` and adds that minimum (cpp/src/panoptic_match.cpp). False negatives and positives
are decided on the masks as in PQ.

Strict mode keeps the walk as it is, so its quirks stay: a segment listed twice is walked twice
(the second time its mask is only its first boundary), and a segment whose id equals
``BOUNDARY_ID`` takes in the inner pixels of the segments walked before it. Corrected mode
refuses repeated ids already, and paints inner pixels with an id that no listed segment has.
The core walks each segment inside the box of its id, which gives the bytes of the full-image
computation (outside the box the mask is empty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Dict, List, Tuple

import numpy as np

from . import _core
from ._iou_boundary import dilation_pixels
from ._pan_png import IdSource, array_source

__all__ = ["boundary_marker", "boundary_terms", "source_ids"]

_MAX_ID = (1 << 24) - 1


def boundary_marker(categories: Sequence[Any], listed: Sequence[Any], strict: bool) -> int:
    """The id that inner pixels are painted with: boundary-iou-api's ``max(category ids) + 1``
    (strict), or the smallest positive id that no listed segment has (corrected).

    Raises
    ------
    TypeError
        Strict mode with category ids that are not integers.
    ValueError
        Strict mode with a category id of 2**24 - 1 or more (its marker is no 24-bit id).
    """
    if not strict:
        taken = {int(i) for i in listed}
        marker = 1
        while marker in taken:
            marker += 1
        return marker
    for key in categories:
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
            raise TypeError(f"boundary PQ needs integer category ids (its inner id is their maximum + 1), got {key!r}")
    if not len(categories):
        raise ValueError("boundary PQ needs at least one category (its inner id is their maximum + 1)")
    marker = int(max(int(k) for k in categories)) + 1
    if not 0 <= marker <= _MAX_ID:
        raise ValueError(f"boundary PQ's inner id max(category ids) + 1 must lie in 0..2**24 - 1, got {marker}")
    return marker


def source_ids(source: IdSource, name: str) -> np.ndarray:
    """The (H, W) uint32 id map of an id-array or colour-image source.

    Raises
    ------
    ValueError
        A source of still-filtered PNG scanlines (decode such files with Pillow first).
    """
    kind, buffer, height, width = source[0], source[1], source[2], source[3]
    if kind == 0:
        return np.asarray(buffer, np.uint32).reshape(height, width)
    if kind == 1:
        rgb = np.asarray(buffer, np.uint8).reshape(height, width, source[5]).astype(np.uint32)
        return rgb[:, :, 0] + 256 * rgb[:, :, 1] + 65536 * rgb[:, :, 2]
    raise ValueError(f"{name}: boundary PQ needs a decoded id map or colour image, got PNG scanlines")


def boundary_map(ids: np.ndarray, segment_ids: Sequence[int], marker: int, d: int) -> Tuple[np.ndarray, Dict[int, int]]:
    """boundary-iou-api's boundary map of one side (walked by the core, see
    cpp/src/panoptic_boundary.cpp), and the boundary area of each id (the last walk of an id
    wins, as its dict of segments keeps the last entry)."""
    segments = np.array(segment_ids, np.int64).reshape(len(segment_ids))
    out, areas = _core.pan_boundary_map(np.ascontiguousarray(ids, np.uint32), segments, marker, d)
    return out, {int(seg): int(area) for seg, area in zip(segments, areas)}


def _listed(segments: Sequence[Mapping[str, Any]]) -> List[int]:
    return [int(s["id"]) for s in segments]


def boundary_terms(
    gt: IdSource,
    gt_segments: Sequence[Mapping[str, Any]],
    gt_ids: np.ndarray,
    pred: IdSource,
    pred_segments: Sequence[Mapping[str, Any]],
    pred_ids: np.ndarray,
    categories: Sequence[Any],
    dilation_ratio: float,
    strict: bool,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(keys, counts, gt areas, pred areas)`` for ``_core.panoptic_pq_image_boundary``: the
    pair histogram of the boundary maps and the boundary areas of the table rows ``gt_ids`` and
    ``pred_ids`` (the segments' dict order)."""
    gt_map = source_ids(gt, "ground truth")
    pred_map = source_ids(pred, "prediction")
    gt_list, pred_list = _listed(gt_segments), _listed(pred_segments)
    marker = boundary_marker(categories, gt_list + pred_list, strict)
    d = dilation_pixels(gt_map.shape[0], gt_map.shape[1], dilation_ratio)
    gt_bmap, gt_area = boundary_map(gt_map, gt_list, marker, d)
    pred_bmap, pred_area = boundary_map(pred_map, pred_list, marker, d)
    keys, counts = _core.panoptic_pairs(array_source(gt_bmap, "gt"), array_source(pred_bmap, "pred"))
    gt_rows = np.array([gt_area.get(int(i), 0) for i in gt_ids], np.uint64)
    pred_rows = np.array([pred_area.get(int(i), 0) for i in pred_ids], np.uint64)
    return keys, counts, gt_rows, pred_rows
