"""NumPy transcriptions of the merge algorithms of panoptic_spec.md §2, line for line, as oracles.

They are written for clarity, not speed: each loops over layers on full-size boolean masks.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

import numpy as np


def bbox_of(mask: np.ndarray) -> List[int]:
    """COCO box ``[x, y, w, h]`` of a mask's pixels (zeros when empty)."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return [0, 0, 0, 0]
    return [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]


def merge_layers(
    masks: np.ndarray,
    categories: Sequence[int],
    z: Sequence[float],
    isthing: Sequence[bool],
    overlap_thr: float,
    min_area: float,
    min_visible: float,
    fuse_stuff: bool,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """§2.5 with sequential ids: stable sort by -z, first wins on free pixels."""
    n = len(categories)
    order = sorted(range(n), key=lambda i: -z[i])  # Python's sort is stable: equal z, lower index first
    pan = np.zeros(masks.shape[1:], np.uint32)
    segs: List[Dict[str, Any]] = []
    fused: Dict[int, Dict[str, Any]] = {}
    for i in order:
        mask = masks[i].astype(bool)
        a = int(mask.sum())
        if a == 0 or a < min_area:
            continue
        vis = mask & (pan == 0)
        if (a - int(vis.sum())) / a > overlap_thr:
            continue
        if int(vis.sum()) < min_visible:
            continue
        if fuse_stuff and not isthing[i] and categories[i] in fused:
            seg = fused[categories[i]]
        else:
            seg = {"id": len(segs) + 1, "category_id": categories[i], "isthing": bool(isthing[i])}
            segs.append(seg)
            if fuse_stuff and not isthing[i]:
                fused[categories[i]] = seg
        pan[vis] = seg["id"]
    for seg in segs:
        seg["area"] = int((pan == seg["id"]).sum())
        seg["bbox"] = bbox_of(pan == seg["id"])
    return pan, segs


def detectron2_combine(
    masks: np.ndarray,
    scores: np.ndarray,
    classes: np.ndarray,
    sem: np.ndarray,
    overlap_threshold: float,
    stuff_area_thresh: float,
    instances_score_thresh: float,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """§2.2, with the stable sort (lower index first for equal scores) that the spec pins."""
    pan = np.zeros(sem.shape, np.int32)
    next_id = 0
    segs: List[Dict[str, Any]] = []
    for i in sorted(range(len(scores)), key=lambda j: -float(scores[j])):
        if float(scores[i]) < instances_score_thresh:
            break
        m = masks[i].astype(bool)
        a = int(m.sum())
        if a == 0:
            continue
        inter = int((m & (pan > 0)).sum())
        if inter / a > overlap_threshold:
            continue
        if inter > 0:
            m &= pan == 0
        next_id += 1
        pan[m] = next_id
        segs.append({"id": next_id, "isthing": True, "score": float(scores[i]), "category_id": int(classes[i]),
                     "instance_id": i})
    for lab in np.unique(sem).tolist():
        if lab == 0:
            continue
        m = (sem == lab) & (pan == 0)
        a = int(m.sum())
        if a < stuff_area_thresh:
            continue
        next_id += 1
        pan[m] = next_id
        segs.append({"id": next_id, "isthing": False, "category_id": lab, "area": a})
    return pan, segs
