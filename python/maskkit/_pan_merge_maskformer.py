"""Mask2Former / MaskFormer ``panoptic_inference``: mask classification to a panoptic map.

Class probabilities are a softmax over the C + 1 logits of each query (the last is
"no object"), computed in double and rounded to float32; a query is kept when its best class is
not "no object" and its probability is above ``object_mask_threshold`` (compared in float32,
as torch compares a float32 tensor with a Python float). The per-pixel argmax over the kept
queries of ``score * sigmoid(logit)`` (ties: the lower query, as ``torch.argmax``) and the
query-order filter run in the core (``cpp/src/panoptic_merge_maskformer.cpp``), which streams
over the queries and never holds the Q x H x W probabilities.

Exactness: the float32 sigmoid is ``1 / (1 + exp(-x))`` evaluated in double and rounded once,
so results are reproducible across platforms and equal the NumPy transcription of the
algorithm. torch computes the sigmoid and the softmax in float32 with its own vectorised exp,
whose last bit can differ; a pixel whose two best products are within an ulp, or whose
probability lies within an ulp of 0.5, may then be decided differently than by torch.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

from . import _core
from ._cc_args import size_threshold
from ._validate import host_array

__all__ = ["panoptic_inference", "class_scores"]


def class_scores(mask_cls: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``softmax(mask_cls, -1).max(-1)`` as float32 scores and int64 labels (first maximum)."""
    logits = mask_cls.astype(np.float64)
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs = (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)
    return probs.max(axis=-1), probs.argmax(axis=-1).astype(np.int64)


def panoptic_inference(
    mask_cls: Any,
    mask_pred: Any,
    thing_ids: Sequence[int],
    object_mask_threshold: float = 0.8,
    overlap_threshold: float = 0.8,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """Mask2Former's panoptic merge of one image's query outputs.

    Each pixel goes to the kept query with the largest ``score * sigmoid(mask logit)``; then, in
    query order (not score order), a query whose pixels with probability ``>= 0.5`` among its
    argmax pixels are none, or whose argmax area over its ``>= 0.5`` area is below
    ``overlap_threshold``, is dropped (its pixels stay 0, VOID); a stuff query of a class
    already kept paints with that segment's id; every other query makes segment 1, 2, 3, ...

    Parameters
    ----------
    mask_cls : array_like of float, shape (Q, C + 1)
        Class logits; the last column is "no object".
    mask_pred : array_like of float32, shape (Q, H, W)
        Mask logits at output resolution (torch CPU tensors through ``np.asarray``).
    thing_ids : sequence of int
        Contiguous ids of the thing classes (``thing_dataset_id_to_contiguous_id.values()``).
    object_mask_threshold, overlap_threshold : float
        Mask2Former's COCO defaults 0.8 and 0.8.

    Returns
    -------
    panoptic_seg : numpy.ndarray of int32, shape (H, W)
    segments_info : list of dict
        ``{"id", "isthing", "category_id"}`` per segment.

    Raises
    ------
    TypeError
        Non-float logits; ValueError: shapes that disagree, NaN logits or thresholds.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> cls = np.array([[5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0]])   # C = 2; query 2 is "no object"
    >>> pred = np.full((3, 2, 3), -9, np.float32)
    >>> pred[0, :, :2] = 4; pred[1, :, 1:] = 3
    >>> pan, segs = panoptic.panoptic_inference(cls, pred, thing_ids=[0])
    >>> pan                      # query 1 keeps 2 of its 4 pixels: 0.5 < 0.8, dropped (VOID)
    array([[1, 1, 0],
           [1, 1, 0]], dtype=int32)
    >>> panoptic.panoptic_inference(cls, pred, thing_ids=[0], overlap_threshold=0.5)[1]
    [{'id': 1, 'isthing': True, 'category_id': 0}, {'id': 2, 'isthing': False, 'category_id': 1}]
    """
    cls = host_array(mask_cls, "mask_cls")
    pred = host_array(mask_pred, "mask_pred")
    if cls.dtype.kind != "f" or pred.dtype.kind != "f":
        raise TypeError(f"mask_cls and mask_pred must be float logits, got {cls.dtype} and {pred.dtype}")
    if pred.dtype.itemsize != 4:
        raise TypeError(f"mask_pred must be float32 (the merge computes in float32 as torch does), got {pred.dtype}")
    if cls.ndim != 2 or cls.shape[1] < 1:
        raise ValueError(f"mask_cls must be (Q, C + 1), got shape {cls.shape}")
    if pred.ndim != 3 or pred.shape[0] != cls.shape[0]:
        raise ValueError(f"mask_pred must be (Q, H, W) with Q = {cls.shape[0]}, got shape {pred.shape}")
    if np.isnan(cls).any():
        raise ValueError("mask_cls must not contain NaN")
    object_limit = np.float32(size_threshold(object_mask_threshold, "object_mask_threshold"))
    overlap = float(size_threshold(overlap_threshold, "overlap_threshold"))
    things = np.asarray(list(thing_ids), np.int64) if not isinstance(thing_ids, np.ndarray) else thing_ids
    num_classes = cls.shape[1] - 1
    scores, labels = class_scores(cls)
    keep = (labels != num_classes) & (scores > object_limit)
    h, w = pred.shape[1:]
    if not keep.any():
        return np.zeros((h, w), np.int32), []
    kept = np.flatnonzero(keep)
    isthing = np.isin(labels[kept], things)
    pan, ids, thing_flags, categories = _core.pan_mask_classification_merge(
        np.ascontiguousarray(pred, np.float32), kept.astype(np.uint64), scores[kept], labels[kept], isthing.view(np.uint8),
        overlap,
    )
    segments = [
        {"id": int(i), "isthing": bool(t), "category_id": int(c)}
        for i, t, c in zip(ids.tolist(), thing_flags.tolist(), categories.tolist())
    ]
    return pan, segments
