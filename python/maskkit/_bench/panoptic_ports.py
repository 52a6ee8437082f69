"""NumPy transcriptions of the framework merges (panopticapi combine, detectron2 Panoptic FPN,
Panoptic-DeepLab, Mask2Former), line for line, as the oracles of the tests and the timing
references of ``maskkit bench``.

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


def find_instance_center(hm: np.ndarray, threshold: float, nms_kernel: int, top_k: Any, variant: str) -> np.ndarray:
    """§2.3 find_instance_center on an (H, W) float32 heatmap."""
    if hm.size == 0:
        return np.zeros((0, 2), np.int64)
    hm = np.where(hm > np.float32(threshold), hm, np.float32(-1)).astype(np.float32)
    pad = (nms_kernel - 1) // 2
    padded = np.pad(hm, pad, constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (nms_kernel, nms_kernel))
    pooled = windows.max(axis=(2, 3))
    hm = np.where(hm == pooled, hm, np.float32(-1))
    if top_k is None:
        cutoff = 0.0
    elif variant == "detectron2":
        kth = np.sort(hm.ravel())[::-1][top_k - 1]
        cutoff = max(float(kth), 0.0)
    else:
        if int((hm > 0).sum()) < top_k:
            cutoff = 0.0
        else:
            cutoff = float(np.sort(hm.ravel())[::-1][top_k - 1])
    return np.argwhere(hm > np.float32(cutoff)).astype(np.int64)


def group_pixels(centers: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """§2.3 group_pixels with the K x H x W distance tensor, in the offsets' dtype."""
    dtype = offsets.dtype.type
    h, w = offsets.shape[1:]
    y = np.arange(h, dtype=dtype)[:, None] + offsets[0]
    x = np.arange(w, dtype=dtype)[None, :] + offsets[1]
    cy = centers[:, 0].astype(dtype)[:, None, None]
    cx = centers[:, 1].astype(dtype)[:, None, None]
    ddy, ddx = cy - y[None], cx - x[None]
    distance = np.sqrt(ddy * ddy + ddx * ddx)
    nearest: np.ndarray = np.argmin(distance, axis=0).astype(np.int64) + 1  # argmin: first minimum, the lowest index
    return nearest


def merge_semantic_and_instance(
    sem: np.ndarray, ins: np.ndarray, thing_ids: Sequence[int], label_divisor: int, stuff_area: float,
    void_label: int, thing_seg: Any = None,
) -> np.ndarray:
    """§2.3 merge_semantic_and_instance (detectron2's form; thing_seg None: sem in thing_ids)."""
    if thing_seg is None:
        thing_seg = np.isin(sem, list(thing_ids))
    pan = np.full(sem.shape, void_label, np.int64)
    is_thing = (ins > 0) & (thing_seg > 0)
    counter: Dict[int, int] = {}
    for ins_id in np.unique(ins).tolist():
        if ins_id == 0:
            continue
        m = (ins == ins_id) & is_thing
        if not m.any():
            continue
        labels, counts = np.unique(sem[m], return_counts=True)
        c = int(labels[np.argmax(counts)])  # unique is ascending: the first maximum is the smallest label
        counter[c] = counter.get(c, 0) + 1
        pan[m] = c * label_divisor + counter[c]
    for c in np.unique(sem).tolist():
        if c in thing_ids:
            continue
        m = (sem == c) & (ins == 0)
        if m.sum() >= stuff_area:
            pan[m] = c * label_divisor
    return pan


def mask2former_panoptic_inference(
    mask_cls: np.ndarray, mask_pred: np.ndarray, thing_ids: Sequence[int], object_mask_threshold: float,
    overlap_threshold: float,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """§2.4 panoptic_inference; softmax and sigmoid in double, rounded to float32 (the library's rule)."""
    x = mask_cls.astype(np.float64)
    e = np.exp(x - x.max(-1, keepdims=True))
    probs = (e / e.sum(-1, keepdims=True)).astype(np.float32)
    scores, labels = probs.max(-1), probs.argmax(-1)
    num_classes = mask_cls.shape[1] - 1
    keep = (labels != num_classes) & (scores > np.float32(object_mask_threshold))
    h, w = mask_pred.shape[1:]
    pan = np.zeros((h, w), np.int32)
    segs: List[Dict[str, Any]] = []
    if not keep.any():
        return pan, segs
    s, c = scores[keep], labels[keep]
    with np.errstate(over="ignore"):  # a very negative logit: exp overflows to inf, the sigmoid is 0
        p = (1.0 / (1.0 + np.exp(-mask_pred[keep].astype(np.float64)))).astype(np.float32)
    ids = np.argmax(s[:, None, None] * p, axis=0)  # float32 products; the first maximum wins
    next_id = 0
    stuff_mem: Dict[int, int] = {}
    for k in range(len(c)):
        isthing = int(c[k]) in thing_ids
        a_arg = int((ids == k).sum())
        a_orig = int((p[k] >= 0.5).sum())
        m = (ids == k) & (p[k] >= 0.5)
        if a_arg > 0 and a_orig > 0 and m.sum() > 0:
            if a_arg / a_orig < overlap_threshold:
                continue
            if not isthing:
                if int(c[k]) in stuff_mem:
                    pan[m] = stuff_mem[int(c[k])]
                    continue
                stuff_mem[int(c[k])] = next_id + 1
            next_id += 1
            pan[m] = next_id
            segs.append({"id": next_id, "isthing": isthing, "category_id": int(c[k])})
    return pan, segs
