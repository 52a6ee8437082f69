"""merge_layers: first-wins painting of ordered layers, the engine under the panoptic merges.

Layers are painted top first, each on the pixels no layer above it took, by one call into the
core (``cpp/src/panoptic_merge.cpp``); segment ids are then drawn in the order the segments were
made, so a seeded :class:`~maskkit._pan_rgb.IdGenerator` gives the same ids as panopticapi's
scripts do, and the core writes the id map. :func:`paint` is that sequence for the other merges
(panopticapi's combine, detectron2's), which differ only in their layers and rules.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._cc_args import flag, size_threshold
from ._pan_rgb import IdGenerator
from ._rle_batch import RleBatch
from ._validate import mask_array, snippet

__all__ = ["merge_layers", "descending_order", "paint", "id_map", "stack_masks", "Layers", "Painting", "real_threshold"]

SOURCE_MASK, SOURCE_RLE = 0, 1
_NO_LABELS = np.zeros(0, np.int64)


class Layers(NamedTuple):
    """Explicit layers, top first, as the core takes them (see ``pan_paint_layers``)."""

    source: np.ndarray  # uint8: SOURCE_MASK or SOURCE_RLE
    which: np.ndarray  # uint64, index into masks or rles
    min_area: np.ndarray  # uint64
    max_occluded: np.ndarray  # float64
    min_visible: np.ndarray  # float64
    fuse_group: np.ndarray  # int64, -1 = own segment


class Painting(NamedTuple):
    painted: np.ndarray  # uint32, (H, W) or, column-major, (W, H); segment k painted as k + 1
    column_major: bool
    source: np.ndarray  # uint8 per segment (2 = label layer)
    layer: np.ndarray  # int64 per segment: its first layer's mask/RLE index, or label value
    area: np.ndarray  # uint64 per segment
    bbox: np.ndarray  # int64 (S, 4): x, y, w, h


def real_threshold(value: Any, name: str) -> float:
    """A threshold compared with a ratio or an area: a real number, not NaN (inf is allowed)."""
    return float(size_threshold(value, name))


def descending_order(z: np.ndarray) -> np.ndarray:
    """Indices by descending ``z``, equal values keeping input order (lower index first).

    Done without negating ``z`` (which wraps unsigned integers): a stable ascending sort of the
    reversed array, reversed back.
    """
    n = z.shape[0]
    order: np.ndarray = (n - 1 - np.argsort(z[::-1], kind="stable")[::-1]).astype(np.int64)
    return order


def paint(
    height: int,
    width: int,
    layers: Layers,
    *,
    masks: Optional[np.ndarray] = None,
    rles: Optional[RleBatch] = None,
    labels: Optional[np.ndarray] = None,
    label_rule: Tuple[int, float, float, bool] = (1, math.inf, 0.0, False),
    label_skip: np.ndarray = _NO_LABELS,
) -> Painting:
    """One first-wins painting; RLE layers make it column-major (the RLEs' order)."""
    column_major = rles is not None and len(rles) > 0
    result = _core.pan_paint_layers(
        height,
        width,
        masks,
        None if rles is None else rles.counts,
        None if rles is None else rles.offsets,
        None if rles is None else rles.sizes,
        labels,
        *layers,
        label_rule,
        label_skip,
        column_major,
    )
    return Painting(result[0], column_major, *result[1:])


def id_map(painting: Painting, height: int, width: int, ids: Sequence[int]) -> np.ndarray:
    """The (H, W) uint32 map with segment k painted as ``ids[k]``."""
    table = np.zeros(len(ids) + 1, np.uint32)
    table[1:] = ids
    if not painting.column_major and np.array_equal(table, np.arange(table.size)):
        return painting.painted  # already numbered 1..S in row-major order
    return _core.pan_write_segment_ids(painting.painted, height, width, painting.column_major, table)


def stack_masks(masks: Any, name: str = "masks") -> np.ndarray:
    """(N, H, W) uint8 masks, a view of an array (any strides) or a stack of a list of (H, W)."""
    if isinstance(masks, (list, tuple)):
        if not masks:
            raise ValueError(f"{name} is an empty list: pass an (0, H, W) array to give the image size")
        planes = [mask_array(m, f"{name}[{i}]") for i, m in enumerate(masks)]
        for i, plane in enumerate(planes):
            if plane.ndim != 2 or plane.shape != planes[0].shape:
                raise ValueError(
                    f"{name}[{i}] must be 2-D with the shape of {name}[0] {planes[0].shape}, got shape {plane.shape}"
                )
        return np.stack([p.view(np.uint8) for p in planes])
    arr = mask_array(masks, name)
    if arr.ndim != 3:
        raise ValueError(f"{name} must be (N, H, W) or a list of (H, W) masks, got shape {arr.shape}")
    return arr.view(np.uint8) if arr.dtype == np.bool_ else arr


def _per_layer(values: Any, n: int, name: str, dtype: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0 and arr.dtype == np.float64:  # [] comes as float64
        arr = arr.astype(dtype)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have one value per layer ({n}), got shape {arr.shape}")
    if arr.dtype == np.bool_ or arr.dtype.kind not in ("iu" if dtype is np.int64 else "iuf"):
        raise TypeError(f"{name} must hold {'integers' if dtype is np.int64 else 'numbers'}, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN, got {snippet(arr.tolist())}")
    return arr


def _layer_order(n: int, z: Any, order: Any) -> np.ndarray:
    if z is not None and order is not None:
        raise ValueError("give z or order, not both")
    if order is not None:
        perm = _per_layer(order, n, "order", np.int64)
        if n and not np.array_equal(np.sort(perm), np.arange(n)):
            raise ValueError(f"order must be a permutation of 0..{n - 1}, got {snippet(perm.tolist())}")
        return perm.astype(np.int64)
    if z is None:
        return np.arange(n, dtype=np.int64)
    return descending_order(_per_layer(z, n, "z", np.float64))


def merge_layers(
    masks: Any,
    categories: Any,
    *,
    z: Any = None,
    order: Any = None,
    isthing: Any = True,
    overlap_thr: float = 1.0,
    min_area: Any = 0,
    min_visible: Any = 0,
    fuse_stuff: bool = False,
    id_generator: Optional[IdGenerator] = None,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """Paint layers top first into a panoptic id map; each pixel belongs to the top layer on it.

    Layer ``i`` is kept when, in this order: it is not empty and ``|mask_i| >= min_area``; its
    occluded fraction ``(|mask_i| - |visible_i|) / |mask_i|`` (pixels taken by layers above) is
    not above ``overlap_thr`` (strict ``>`` drops, as panopticapi and detectron2 do); and its
    visible area ``|visible_i| >= min_visible`` (panopticapi's ``stuff_area_limit``). A kept
    layer paints its visible pixels. Cost: one pass over each layer's pixels.

    Parameters
    ----------
    masks : array_like of bool or uint8, shape (N, H, W), or list of (H, W) masks
        Layer masks; nonzero is inside. Any memory order and strides (torch CPU tensors too).
    categories : array_like of int, shape (N,)
        Category id of each layer.
    z : array_like of real, shape (N,), optional
        Depth: higher ``z`` is on top; equal ``z`` puts the lower input index on top.
    order : array_like of int, shape (N,), optional
        Instead of ``z``: the layer indices, top first. Neither: input order, first on top.
    isthing : bool or array_like of bool, shape (N,)
        Whether each layer is a thing; only stuff layers are fused.
    overlap_thr : float
        Largest occluded fraction a kept layer may have (1.0 keeps all).
    min_area, min_visible : real or array_like of real, shape (N,)
        Smallest full and smallest visible area of a kept layer.
    fuse_stuff : bool
        Kept stuff layers of one category share one segment (the first one's id, areas summed).
    id_generator : IdGenerator, optional
        Draws each new segment's id, in painting order (seeded ``"color"`` mode: panopticapi's
        colours). None: ids 1, 2, 3, ... in painting order.

    Returns
    -------
    id_map : numpy.ndarray of uint32, shape (H, W)
        Segment ids, 0 for VOID.
    segments_info : list of dict
        Per segment, in painting order: ``id``, ``category_id``, ``isthing``, ``area`` (visible
        pixels) and ``bbox`` ``[x, y, w, h]`` of its pixels.

    Raises
    ------
    TypeError
        Masks not bool/uint8; non-integer categories; non-numeric z or thresholds.
    ValueError
        Shapes that disagree; ``order`` not a permutation; NaN in z or a threshold; both z and
        order; an empty list of masks.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> masks = np.zeros((2, 2, 4), bool)
    >>> masks[0, :, :3] = True          # a large layer, below
    >>> masks[1, :, 2:] = True          # a small one, on top
    >>> pan, segs = panoptic.merge_layers(masks, [7, 9], z=[0.0, 1.0])
    >>> pan
    array([[2, 2, 1, 1],
           [2, 2, 1, 1]], dtype=uint32)
    >>> [(s["id"], s["category_id"], s["area"], s["bbox"]) for s in segs]
    [(1, 9, 4, [2, 0, 2, 2]), (2, 7, 4, [0, 0, 2, 2])]
    >>> panoptic.merge_layers(masks, [7, 9], z=[0.0, 1.0], overlap_thr=0.25)[1][1:]
    []
    """
    stack = stack_masks(masks)
    n, height, width = stack.shape
    cats = _per_layer(categories, n, "categories", np.int64)
    things = np.asarray(isthing)
    if things.dtype != np.bool_:
        raise TypeError(f"isthing must be a bool or bools, got dtype {things.dtype}")
    things = np.broadcast_to(things, (n,)) if things.ndim == 0 else things
    if things.shape != (n,):
        raise ValueError(f"isthing must be a bool or have one value per layer ({n}), got shape {things.shape}")
    top_first = _layer_order(n, z, order)
    overlap = real_threshold(overlap_thr, "overlap_thr")
    areas = _per_layer(min_area, n, "min_area", np.float64)
    fuse = flag(fuse_stuff, "fuse_stuff")
    if id_generator is not None and not isinstance(id_generator, IdGenerator):
        raise TypeError(f"id_generator must be a maskkit.panoptic.IdGenerator or None, got {snippet(id_generator)}")
    # stuff of one category fuses into one group, numbered from 0 (-1 is the core's "alone", so
    # the category ids themselves, which may be negative, cannot serve)
    groups = np.where(things | (not fuse), -1, np.unique(cats, return_inverse=True)[1].reshape(n)).astype(np.int64)
    # areas are integers: |mask| >= a holds exactly when |mask| >= ceil(a); never below 1 (empty layers are dropped)
    ceiled = np.clip(np.ceil(areas.astype(np.float64)), 1, 2.0**63)
    layers = Layers(
        np.full(n, SOURCE_MASK, np.uint8),
        top_first.astype(np.uint64),
        ceiled.astype(np.uint64)[top_first],
        np.full(n, overlap, np.float64),
        _per_layer(min_visible, n, "min_visible", np.float64).astype(np.float64)[top_first],
        groups[top_first],
    )
    painting = paint(height, width, layers, masks=stack)
    segment_cats = cats[painting.layer]
    if id_generator is None:
        ids = list(range(1, len(painting.layer) + 1))
    else:
        ids = [id_generator.get_id(int(c)) for c in segment_cats]
    segments = [
        {
            "id": ids[k],
            "category_id": int(segment_cats[k]),
            "isthing": bool(things[painting.layer[k]]),
            "area": int(painting.area[k]),
            "bbox": painting.bbox[k].tolist(),
        }
        for k in range(len(ids))
    ]
    return id_map(painting, height, width, ids), segments
