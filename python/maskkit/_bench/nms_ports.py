"""NumPy transcriptions of the mask NMS and paste references, as the oracles of the tests and
the timing references of ``maskkit bench``: supervision's ``mask_non_max_suppression`` (full
resolution), mmdet's ``mask_matrix_nms`` (float32, its operations in its order), detectron2's CPU
``paste_masks_in_image`` (torch's ``grid_sample`` arithmetic, in the masks' precision) and
ultralytics' ``crop_mask``.

They follow the references' tensor formulations for clarity, not speed.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

__all__ = [
    "crop_mask",
    "grid_sample",
    "mask_matrix_nms",
    "mask_non_max_suppression",
    "paste_bounds",
    "paste_masks_in_image",
    "supervision_mask_ious",
]


def supervision_mask_ious(masks: np.ndarray, metric: str) -> np.ndarray:
    """supervision's mask_iou_batch(masks, masks): float32 (float64 past 2**24 pixels) matmul."""
    pixels = masks.shape[1] * masks.shape[2]
    dtype = np.float32 if pixels <= 2**24 else np.float64
    flat: np.ndarray = masks.reshape(len(masks), pixels).astype(dtype)
    inter = np.matmul(flat, flat.T)
    area = flat.sum(1)
    if metric == "iou":
        denom = area[:, None] + area - inter
    else:
        denom = np.minimum(area[:, None], area)
    out: np.ndarray = np.nan_to_num(np.divide(inter, denom, out=np.zeros_like(inter, dtype=float), where=denom != 0))
    return out


def mask_non_max_suppression(masks: np.ndarray, scores: np.ndarray, threshold: float, labels: Optional[np.ndarray],
                    metric: str = "iou") -> np.ndarray:
    """supervision's mask_non_max_suppression (full resolution): the boolean keep vector."""
    n = len(masks)
    categories = np.zeros(n) if labels is None else np.asarray(labels, float)
    order = scores.argsort()[::-1]
    masks, categories = masks[order], categories[order]
    ious = supervision_mask_ious(masks, metric)
    keep = np.ones(n, bool)
    for row in range(n):
        if keep[row]:
            hit = (ious[row] > threshold) & (categories[row] == categories)
            keep[row + 1:] = np.where(hit[row + 1:], False, keep[row + 1:])
    result: np.ndarray = keep[order.argsort()]
    return result


def _sort_desc(x: np.ndarray) -> np.ndarray:
    """torch.sort(descending=True) with ties in index order, NaN first."""
    nan = np.isnan(x)
    return np.lexsort((np.where(nan, np.float32(0), -x), ~nan))


def mask_matrix_nms(masks: np.ndarray, labels: np.ndarray, scores: np.ndarray, filter_thr: float = -1,
                     nms_pre: int = -1, max_num: int = -1, kernel: str = "gaussian", sigma: float = 2.0,
                     mask_area: Optional[np.ndarray] = None) -> tuple[np.ndarray, ...]:
    """mmdet's mask_matrix_nms line by line in NumPy float32."""
    if len(labels) == 0:
        return np.zeros(0, np.float32), labels[:0], masks[:0], np.zeros(0, np.int64)
    scores = scores.astype(np.float32)
    if mask_area is None:
        mask_area = masks.sum((1, 2)).astype(np.float32)
    sort_inds = _sort_desc(scores)
    scores = scores[sort_inds]
    keep_inds = sort_inds
    if 0 < nms_pre < len(sort_inds):
        sort_inds, keep_inds, scores = sort_inds[:nms_pre], keep_inds[:nms_pre], scores[:nms_pre]
    masks, mask_area, labels = masks[sort_inds], mask_area[sort_inds], labels[sort_inds]
    n = len(labels)
    flat = masks.reshape(n, -1).astype(np.float32)
    inter = flat @ flat.T
    expanded_area = np.broadcast_to(mask_area, (n, n))
    with np.errstate(all="ignore"):
        iou_matrix = np.triu(inter / (expanded_area + expanded_area.T - inter), 1)
        expanded_labels = np.broadcast_to(labels, (n, n))
        label_matrix = np.triu(expanded_labels == expanded_labels.T, 1)
        compensate = (iou_matrix * label_matrix).max(0)
        compensate = np.broadcast_to(compensate, (n, n)).T
        decay_iou = iou_matrix * label_matrix
        if kernel == "gaussian":
            decay_matrix = np.exp(-1 * sigma * (decay_iou ** 2))
            compensate_matrix = np.exp(-1 * sigma * (compensate ** 2))
            coefficient = (decay_matrix / compensate_matrix).min(0)
        else:
            coefficient = ((1 - decay_iou) / (1 - compensate)).min(0)
    scores = scores * coefficient
    if filter_thr > 0:
        keep = scores >= np.float32(filter_thr)
        keep_inds = keep_inds[keep]
        if not keep.any():
            return np.zeros(0, np.float32), labels[:0], masks[:0], np.zeros(0, np.int64)
        masks, scores, labels = masks[keep], scores[keep], labels[keep]
    order = _sort_desc(scores)
    scores, keep_inds = scores[order], keep_inds[order]
    if 0 < max_num < len(order):
        order, keep_inds, scores = order[:max_num], keep_inds[:max_num], scores[:max_num]
    return scores, labels[order], masks[order], keep_inds


def _floor_index(v: np.ndarray) -> np.ndarray:
    """The int32 (int64 for float64) that x86's truncating conversion gives a floored value;
    the minimum integer for NaN and out-of-range values."""
    bits = 32 if v.dtype == np.float32 else 64
    lo = -(2.0 ** (bits - 1))
    ok = (v >= lo) & (v < -lo)
    return np.where(ok, np.where(ok, v, 0), lo).astype(np.int64)


def grid_sample(mask: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """torch's CPU bilinear grid_sample (zeros padding, align_corners=False) of one (Mh, Mw) mask
    on the separable grid gx (w,) x gy (h,), in the mask's dtype."""
    t = mask.dtype.type
    mh, mw = mask.shape

    def terms(g: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        x = (g + t(1)) * (t(size) / t(2)) - t(0.5)
        fl = np.floor(x)
        near = x - fl
        far = t(1) - near
        i = _floor_index(fl)
        return i, near, far, (i > -1) & (i < size), (i + 1 > -1) & (i + 1 < size)

    with np.errstate(all="ignore"):
        ix, wx, ex, x_lo, x_hi = terms(gx, mw)
        iy, ny, sy, y_lo, y_hi = terms(gy, mh)

    def corner(rows: np.ndarray, rows_ok: np.ndarray, cols: np.ndarray, cols_ok: np.ndarray) -> np.ndarray:
        ok = rows_ok[:, None] & cols_ok[None, :]
        r = np.clip(rows, 0, mh - 1)[:, None]
        c = np.clip(cols, 0, mw - 1)[None, :]
        picked: np.ndarray = np.where(ok, mask[r, c], t(0))
        return picked

    v_nw, v_ne = corner(iy, y_lo, ix, x_lo), corner(iy, y_lo, ix + 1, x_hi)
    v_sw, v_se = corner(iy + 1, y_hi, ix, x_lo), corner(iy + 1, y_hi, ix + 1, x_hi)
    w_nw, w_ne = sy[:, None] * ex[None, :], sy[:, None] * wx[None, :]
    w_sw, w_se = ny[:, None] * ex[None, :], ny[:, None] * wx[None, :]
    with np.errstate(all="ignore"):
        out: np.ndarray = v_nw * w_nw + v_ne * w_ne + v_sw * w_sw + v_se * w_se
    return out


def paste_bounds(lo: Any, hi: Any, size: int) -> tuple[int, int]:
    a = max(float(np.floor(lo)) - 1, 0.0)
    b = min(float(np.ceil(hi)) + 1, float(size))
    return int(a), int(b)


def paste_masks_in_image(masks: np.ndarray, boxes: np.ndarray, h: int, w: int, threshold: float = 0.5) -> np.ndarray:
    """detectron2's CPU paste_masks_in_image: one mask at a time, sampled on its box's bounds."""
    n = len(masks)
    if n == 0:
        return np.zeros((0, h, w), np.uint8)
    t, b = masks.dtype.type, boxes.dtype.type
    out: np.ndarray = np.zeros((n, h, w), np.bool_ if threshold >= 0 else np.uint8)
    for i in range(n):
        x0, y0, x1, y1 = boxes[i]
        xa, xb = paste_bounds(x0, x1, w)
        ya, yb = paste_bounds(y0, y1, h)
        if xb <= xa or yb <= ya:
            continue
        with np.errstate(all="ignore"):
            gx = (((np.arange(xa, xb, dtype=np.float32) + np.float32(0.5)).astype(b) - x0) / (x1 - x0)) * b(2) - b(1)
            gy = (((np.arange(ya, yb, dtype=np.float32) + np.float32(0.5)).astype(b) - y0) / (y1 - y0)) * b(2) - b(1)
        v = grid_sample(masks[i], gx.astype(t), gy.astype(t))
        with np.errstate(all="ignore"):
            if threshold >= 0:
                out[i, ya:yb, xa:xb] = v >= t(threshold)
            else:
                p = v * t(255)
                out[i, ya:yb, xa:xb] = np.where(p >= 0, np.minimum(np.where(p >= 0, p, 0), 255), 0).astype(np.uint8)
    return out


def crop_mask(masks: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """ultralytics' crop_mask: masks * (r >= x1) * (r < x2) * (c >= y1) * (c < y2)."""
    _, h, w = masks.shape
    x1, y1, x2, y2 = (boxes[:, k, None, None] for k in range(4))
    r = np.arange(w, dtype=boxes.dtype)[None, None, :]
    c = np.arange(h, dtype=boxes.dtype)[None, :, None]
    inside = (r >= x1) & (r < x2) & (c >= y1) & (c < y2)
    cropped: np.ndarray
    if masks.dtype == np.bool_:
        cropped = masks & inside
    else:
        with np.errstate(all="ignore"):
            cropped = masks * inside.astype(masks.dtype)
    return cropped
