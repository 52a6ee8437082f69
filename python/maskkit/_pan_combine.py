"""panopticapi's combine of instance and semantic predictions: one image (arrays), or files.

``combine_semantic_and_instance_predictions.py`` (paper §7 plus a stuff-area filter) is a
first-wins painting (:mod:`maskkit._pan_merge`): instances by descending score (a stable sort,
so equal scores keep input order) with the rule "drop when more than ``overlap_thr`` of the
FULL mask is already taken", then the stuff masks in input order with the rule "drop when
fewer than ``stuff_area_limit`` pixels are left". panopticapi tests each instance against the
union of the instances kept before it; that union is exactly the painted area, so the occluded
fraction is the same number. Ids are drawn from one IdGenerator in the order segments are made,
as panopticapi's worker does, so the same seed gives the same colours.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Set, Tuple, Union

import numpy as np

from ._pan_merge import (
    SOURCE_MASK,
    SOURCE_RLE,
    Layers,
    descending_order,
    id_map,
    paint,
    real_threshold,
    stack_masks,
)
from ._pan_rgb import IdGenerator
from ._rle_batch import RleBatch, concatenate, encode
from ._validate import dimension, snippet

__all__ = ["combine_image"]

LayerInput = Union[np.ndarray, RleBatch, None]


def layer_input(value: Any, name: str) -> LayerInput:
    """Masks ((N, H, W) array or list of (H, W)) or RLEs (RleBatch or COCO RLE dicts); None if empty."""
    if isinstance(value, RleBatch):
        return value if len(value) else None
    if isinstance(value, (list, tuple)):
        if not value:
            return None
        if isinstance(value[0], dict):
            return RleBatch.from_coco(list(value))
    if isinstance(value, dict):
        raise TypeError(f"{name} must be a list of COCO RLE dicts, an RleBatch or masks, got one dict {snippet(value)}")
    stack = stack_masks(value, name)
    return stack if stack.shape[0] else None


def _size(inputs: List[LayerInput], height: Optional[int], width: Optional[int]) -> Tuple[int, int]:
    sizes: Set[Tuple[int, ...]] = set()
    for item in inputs:
        if isinstance(item, RleBatch):
            sizes.update(map(tuple, item.sizes.tolist()))
        elif item is not None:
            sizes.add(item.shape[1:])
    if height is not None or width is not None:
        if height is None or width is None:
            raise ValueError("give both height and width, or neither")
        sizes.add((dimension(height, "height"), dimension(width, "width")))
    if not sizes:
        raise ValueError("combine_image needs height and width when there are no instances and no stuff")
    if len(sizes) > 1:
        raise ValueError(f"every mask and RLE must have the image's size (height, width), got sizes {sorted(sizes)}")
    h, w = sizes.pop()
    return int(h), int(w)


def _per_input(values: Any, n: int, name: str, kind: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0:
        arr = arr.reshape(0).astype(np.float64 if kind == "f" else np.int64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have one value per mask ({n}), got shape {arr.shape}")
    if arr.dtype == np.bool_ or arr.dtype.kind not in ("iuf" if kind == "f" else "iu"):
        raise TypeError(f"{name} must hold {'numbers' if kind == 'f' else 'integers'}, got dtype {arr.dtype}")
    if kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN, got {snippet(arr.tolist())}")
    return arr


def _count(item: LayerInput) -> int:
    return 0 if item is None else (len(item) if isinstance(item, RleBatch) else item.shape[0])


def _one_source(instances: LayerInput, stuff: LayerInput) -> Tuple[Optional[np.ndarray], Optional[RleBatch]]:
    """The layers as one mask stack or one RLE batch (instances first, then stuff)."""
    present = [item for item in (instances, stuff) if item is not None]
    if not present:
        return None, None
    arrays = [item for item in present if isinstance(item, np.ndarray)]
    if len(arrays) == len(present):
        return (arrays[0] if len(arrays) == 1 else np.concatenate(arrays)), None
    batches = [item if isinstance(item, RleBatch) else encode(item) for item in present]
    return None, batches[0] if len(batches) == 1 else concatenate(batches)


def combine_image(
    instance_masks: Any,
    instance_scores: Any,
    instance_categories: Any,
    stuff_masks: Any,
    stuff_categories: Any,
    *,
    id_generator: IdGenerator,
    confidence_thr: float = 0.5,
    overlap_thr: float = 0.5,
    stuff_area_limit: float = 64 * 64,
    height: Optional[int] = None,
    width: Optional[int] = None,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """Combine one image's instance and stuff predictions exactly like panopticapi's combine.

    Instances with ``score < confidence_thr`` are dropped; the others are taken by descending
    score (equal scores: input order). An instance is skipped when it is empty or when
    ``intersection / area > overlap_thr``, where ``area`` is its full mask and ``intersection``
    its pixels already taken; otherwise it paints its free pixels (it is listed even if none are
    left, which only ``overlap_thr >= 1`` allows). Stuff masks follow in input order and are
    kept when at least ``stuff_area_limit`` of their pixels are still free. Several stuff masks
    of one category give several segments (with one id, the category colour, in ``"color"``
    mode).

    Parameters
    ----------
    instance_masks, stuff_masks : masks or RLEs
        ``(N, H, W)`` bool/uint8 masks (or a list of ``(H, W)``), a list of COCO RLE dicts, or a
        :class:`maskkit.rle.RleBatch`. ``[]`` for none.
    instance_scores : array_like of real, shape (N,)
    instance_categories, stuff_categories : array_like of int
    id_generator : IdGenerator
        Draws the id of each new segment; share one across images to reproduce panopticapi's
        file-level ids (``IdGenerator(categories, seed=s)`` equals ``np.random.seed(s)``).
    confidence_thr, overlap_thr, stuff_area_limit : float
        panopticapi's defaults 0.5, 0.5 and 64 * 64.
    height, width : int, optional
        The image size; needed only when there are no masks at all.

    Returns
    -------
    id_map : numpy.ndarray of uint32, shape (H, W)
    segments_info : list of dict
        ``{"id", "category_id"}`` per segment in the order they were made, as panopticapi lists
        them.

    Raises
    ------
    TypeError, ValueError
        Wrong dtypes, counts that do not match the masks, masks of different sizes, NaN scores
        or thresholds, unknown categories (from the id generator).

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> cats = [{"id": 1, "isthing": 1, "color": [220, 20, 60]},
    ...         {"id": 5, "isthing": 0, "color": [128, 64, 128]}]
    >>> inst = np.zeros((2, 4, 4), bool)
    >>> inst[0, :2, :2] = True
    >>> inst[1, :2, 1:3] = True         # half under the first one: kept (0.5 is not > 0.5)
    >>> stuff = np.ones((1, 4, 4), bool)
    >>> pan, segs = panoptic.combine_image(inst, [0.9, 0.8], [1, 1], stuff, [5],
    ...     id_generator=panoptic.IdGenerator(cats, seed=0), stuff_area_limit=8)
    >>> [s["category_id"] for s in segs]
    [1, 1, 5]
    >>> int((pan == segs[2]["id"]).sum())
    10
    """
    if not isinstance(id_generator, IdGenerator):
        raise TypeError(f"id_generator must be a maskkit.panoptic.IdGenerator, got {snippet(id_generator)}")
    instances = layer_input(instance_masks, "instance_masks")
    stuff = layer_input(stuff_masks, "stuff_masks")
    n_inst, n_stuff = _count(instances), _count(stuff)
    scores = _per_input(instance_scores, n_inst, "instance_scores", "f")
    inst_cats = _per_input(instance_categories, n_inst, "instance_categories", "i")
    stuff_cats = _per_input(stuff_categories, n_stuff, "stuff_categories", "i")
    confidence = real_threshold(confidence_thr, "confidence_thr")
    overlap = real_threshold(overlap_thr, "overlap_thr")
    stuff_limit = real_threshold(stuff_area_limit, "stuff_area_limit")
    h, w = _size([instances, stuff], height, width)

    confident = np.flatnonzero(~(scores < confidence))
    ranked = confident[descending_order(scores[confident])]
    n_ranked = ranked.size
    masks, rles = _one_source(instances, stuff)
    source = SOURCE_RLE if rles is not None else SOURCE_MASK
    # an instance is dropped when empty or more than overlap_thr occluded; stuff is never
    # tested for occlusion (inf), kept when empty only if stuff_area_limit <= 0
    layers = Layers(
        np.full(n_ranked + n_stuff, source, np.uint8),
        np.concatenate([ranked, n_inst + np.arange(n_stuff)]).astype(np.uint64),
        np.concatenate([np.ones(n_ranked), np.zeros(n_stuff)]).astype(np.uint64),
        np.concatenate([np.full(n_ranked, overlap), np.full(n_stuff, math.inf)]),
        np.concatenate([np.zeros(n_ranked), np.full(n_stuff, stuff_limit)]),
        np.full(n_ranked + n_stuff, -1, np.int64),
    )
    painting = paint(h, w, layers, masks=masks, rles=rles)
    all_cats = np.concatenate([inst_cats.astype(np.int64), stuff_cats.astype(np.int64)])
    segment_cats = [int(c) for c in all_cats[painting.layer]]
    ids = [id_generator.get_id(c) for c in segment_cats]
    segments = [{"id": i, "category_id": c} for i, c in zip(ids, segment_cats)]
    return id_map(painting, h, w, ids), segments
