"""Instance + semantic combines: panopticapi's (one image, or files) and detectron2's Panoptic FPN.

``combine_semantic_and_instance_predictions.py`` (paper §7 plus a stuff-area filter) is a
first-wins painting (:mod:`maskkit._pan_merge`): instances by descending score (a stable sort,
so equal scores keep input order) with the rule "drop when more than ``overlap_thr`` of the
FULL mask is already taken", then the stuff masks in input order with the rule "drop when
fewer than ``stuff_area_limit`` pixels are left". panopticapi tests each instance against the
union of the instances kept before it; that union is exactly the painted area, so the occluded
fraction is the same number. Ids are drawn from one IdGenerator in the order segments are made,
as panopticapi's worker does, so the same seed gives the same colours.

detectron2's variant is the same painting with sequential ids, and stuff taken from one argmax
label map: each label (ascending, 0 excepted) is a layer, cut into runs in one pass over the map.
"""

from __future__ import annotations

import importlib
import math
import os
from collections import defaultdict
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
from ._pan_files import Outputs, read_json
from ._pan_rgb import IdGenerator, id2rgb
from ._rle_batch import RleBatch, concatenate, encode
from ._validate import dimension, snippet

__all__ = ["combine_image", "combine", "combine_semantic_and_instance_outputs"]

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


def _rle_pair(instance_masks: Any, stuff_masks: Any) -> Optional[Tuple[RleBatch, int, int]]:
    """Instances and stuff as one RleBatch, with their counts, when both are lists of COCO RLE
    dicts (one parse, no concatenation: the common call); None otherwise, and when the parse
    fails (parsing them apart then names the culprit)."""
    if type(instance_masks) is not list or type(stuff_masks) is not list:
        return None
    given = [v for v in (instance_masks, stuff_masks) if v]
    if not given or not all(type(v[0]) is dict for v in given):
        return None
    try:
        batch = RleBatch.from_coco(instance_masks + stuff_masks)
    except (TypeError, ValueError):
        return None
    return batch, len(instance_masks), len(stuff_masks)


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
    pair = _rle_pair(instance_masks, stuff_masks)
    if pair is not None:
        inputs: List[LayerInput] = [pair[0]]
        n_inst, n_stuff = pair[1], pair[2]
    else:
        inputs = [layer_input(instance_masks, "instance_masks"), layer_input(stuff_masks, "stuff_masks")]
        n_inst, n_stuff = _count(inputs[0]), _count(inputs[1])
    scores = _per_input(instance_scores, n_inst, "instance_scores", "f")
    inst_cats = _per_input(instance_categories, n_inst, "instance_categories", "i")
    stuff_cats = _per_input(stuff_categories, n_stuff, "stuff_categories", "i")
    confidence = real_threshold(confidence_thr, "confidence_thr")
    overlap = real_threshold(overlap_thr, "overlap_thr")
    stuff_limit = real_threshold(stuff_area_limit, "stuff_area_limit")
    h, w = _size(inputs, height, width)
    masks, rles = (None, pair[0]) if pair is not None else _one_source(inputs[0], inputs[1])

    confident = np.flatnonzero(~(scores < confidence))
    ranked = confident[descending_order(scores[confident])]
    n_ranked = ranked.size
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


def _by_image(results: Any, what: str) -> Dict[Any, List[Dict[str, Any]]]:
    if not isinstance(results, list):
        raise ValueError(f"{what} must be a JSON list of results, got {type(results).__name__}")
    grouped: Dict[Any, List[Dict[str, Any]]] = defaultdict(list)
    for i, result in enumerate(results):
        if not isinstance(result, dict) or not {"image_id", "category_id", "segmentation"} <= result.keys():
            raise ValueError(f"{what} result {i} needs 'image_id', 'category_id' and 'segmentation', got {snippet(result)}")
        grouped[result["image_id"]].append(result)
    return grouped


def _category(categories: Dict[Any, Any], category_id: Any, what: str) -> Dict[str, Any]:
    try:
        entry: Dict[str, Any] = categories[category_id]
    except (KeyError, TypeError):
        raise ValueError(f"{what} has category_id {snippet(category_id)}, which is not in the categories file") from None
    return entry


def _combine_one(img: Dict[str, Any], inst: List[Dict[str, Any]], sem: List[Dict[str, Any]], ids: IdGenerator,
                 confidence_thr: float, overlap_thr: float, stuff_area_limit: float) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    where = f"image {snippet(img.get('id'))}"
    for i, r in enumerate(inst):
        if "score" not in r:
            raise ValueError(f"instance result {i} of {where} has no 'score': {snippet(r)}")
    try:
        return combine_image(
            [r["segmentation"] for r in inst], [r["score"] for r in inst], [r["category_id"] for r in inst],
            [s["segmentation"] for s in sem], [s["category_id"] for s in sem], id_generator=ids,
            confidence_thr=confidence_thr, overlap_thr=overlap_thr, stuff_area_limit=stuff_area_limit,
            height=img["height"], width=img["width"],
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise type(exc)(f"{where}: {exc}") from None


def combine(
    semseg_json_file: Any,
    instseg_json_file: Any,
    images_json_file: Any,
    categories_json_file: Any,
    segmentations_folder: Any,
    panoptic_json_file: Any,
    confidence_thr: float = 0.5,
    overlap_thr: float = 0.5,
    stuff_area_limit: float = 64 * 64,
    *,
    seed: Optional[Union[int, np.random.RandomState]] = None,
    progress: bool = False,
) -> None:
    """panopticapi's ``combine_predictions``: instance + semantic result files to COCO panoptic.

    Reads COCO instance results (RLE, ``score``), COCO-stuff semantic results (RLE per category;
    thing categories are ignored), the images and the categories; combines each image with
    :func:`combine_image` and writes one PNG per image (``file_name`` with ``.jpg`` replaced by
    ``.png``) and the panoptic JSON (the images file with ``annotations`` and ``categories``).
    One IdGenerator serves all images in the images file's order: the result equals
    panopticapi's on one core (its ids also depend on how many cores it splits the images over)
    after ``np.random.seed(seed)``. Files are written under temporary names and renamed at the
    end, so an error leaves no partial output.

    Parameters
    ----------
    semseg_json_file, instseg_json_file, images_json_file, categories_json_file : path
        panopticapi's inputs (``categories_json_file`` is a list of categories).
    segmentations_folder : path or None
        Where the PNGs go; None: ``panoptic_json_file`` without its extension. Created if missing.
    panoptic_json_file : path
    confidence_thr, overlap_thr, stuff_area_limit : float
        As in :func:`combine_image`.
    seed : int or numpy.random.RandomState, optional
        The random source of thing colours (see :class:`IdGenerator`).
    progress : bool
        Show a progress bar when tqdm is installed.

    Raises
    ------
    ValueError, TypeError, OverflowError
        Malformed JSON or results (naming the image), unknown categories, RLE sizes that differ
        from the image's.

    Examples
    --------
    >>> import json, os, tempfile
    >>> from maskkit import panoptic, rle
    >>> import numpy as np
    >>> d = tempfile.mkdtemp()
    >>> def put(name, obj):
    ...     with open(os.path.join(d, name), "w") as f:
    ...         json.dump(obj, f)
    >>> mask = np.zeros((4, 4), np.uint8); mask[:2] = 1
    >>> seg = rle.encode(mask).to_coco()[0]; seg["counts"] = seg["counts"].decode()
    >>> put("inst.json", [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": seg}])
    >>> put("sem.json", [])
    >>> put("images.json", {"images": [{"id": 1, "file_name": "a.jpg", "height": 4, "width": 4}]})
    >>> put("cats.json", [{"id": 1, "isthing": 1, "color": [220, 20, 60], "name": "person"}])
    >>> p = lambda name: os.path.join(d, name)
    >>> panoptic.combine(p("sem.json"), p("inst.json"), p("images.json"), p("cats.json"), None,
    ...                  p("pan.json"), seed=0)
    >>> with open(p("pan.json")) as f:
    ...     json.load(f)["annotations"]
    [{'image_id': 1, 'file_name': 'a.png', 'segments_info': [{'id': 3937500, 'category_id': 1}]}]
    >>> sorted(os.listdir(p("pan")))
    ['a.png']
    """
    confidence = real_threshold(confidence_thr, "confidence_thr")
    sem_results = read_json(semseg_json_file, "semseg_json_file")
    inst_results = read_json(instseg_json_file, "instseg_json_file")
    images_d = read_json(images_json_file, "images_json_file")
    categories_list = read_json(categories_json_file, "categories_json_file")
    if not isinstance(images_d, dict) or not isinstance(images_d.get("images"), list):
        raise ValueError(f"images_json_file must hold a dict with an 'images' list, got {snippet(images_d)}")
    if not isinstance(categories_list, list) or not all(isinstance(c, dict) and "id" in c for c in categories_list):
        raise ValueError(f"categories_json_file must hold a list of categories with 'id', got {snippet(categories_list)}")
    img_id2img = {}
    for img in images_d["images"]:
        if not isinstance(img, dict) or not {"id", "file_name", "height", "width"} <= img.keys():
            raise ValueError(f"each image needs 'id', 'file_name', 'height' and 'width', got {snippet(img)}")
        img_id2img[img["id"]] = img
    categories = {c["id"]: c for c in categories_list}
    ids = IdGenerator(categories, seed=seed)
    inst_by_image = _by_image(inst_results, "instseg_json_file")
    sem_by_image = defaultdict(list)
    for image_id, sems in _by_image(sem_results, "semseg_json_file").items():
        sem_by_image[image_id] = [s for s in sems if _category(categories, s["category_id"], "a semantic result")["isthing"] != 1]
    if segmentations_folder is None:
        segmentations_folder = str(panoptic_json_file).rsplit(".", 1)[0]
    images = list(img_id2img)
    if progress:
        try:
            bar = importlib.import_module("tqdm")
        except ImportError:
            pass
        else:
            images = bar.tqdm(images, desc="combine", unit="image")
    with Outputs() as outputs:
        outputs.folder(segmentations_folder)
        panoptic_json = []
        for img_id in images:
            img = img_id2img[img_id]
            pan, segments = _combine_one(img, inst_by_image[img_id], sem_by_image[img_id], ids, confidence,
                                         overlap_thr, stuff_area_limit)
            annotation: Dict[str, Any] = {}
            try:
                annotation["image_id"] = int(img_id)
            except (TypeError, ValueError):
                annotation["image_id"] = img_id
            annotation["file_name"] = str(img["file_name"]).replace(".jpg", ".png")
            annotation["segments_info"] = segments
            panoptic_json.append(annotation)
            outputs.png(os.path.join(segmentations_folder, annotation["file_name"]), np.asarray(id2rgb(pan)))
        coco_d = dict(images_d)  # panopticapi reloads the file; its content is the same
        coco_d["annotations"] = panoptic_json
        coco_d["categories"] = list(categories.values())
        outputs.json(str(panoptic_json_file), coco_d)  # json.dump's default format, as panopticapi's save_json


def _label_map(semantic: Any, name: str) -> np.ndarray:
    arr = np.asarray(semantic)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer label map (the argmax of the logits), got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (H, W), got shape {arr.shape}")
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) > 2**63 - 1:
        raise OverflowError(f"{name} labels must be below 2**63, got {int(arr.max())}")
    return np.ascontiguousarray(arr, np.int64)


def combine_semantic_and_instance_outputs(
    instance_masks: Any,
    instance_scores: Any,
    instance_classes: Any,
    semantic_results: Any,
    overlap_threshold: float = 0.5,
    stuff_area_thresh: float = 4096,
    instances_score_thresh: float = 0.5,
) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """detectron2's Panoptic FPN combine (``panoptic_fpn.combine_semantic_and_instance_outputs``).

    Instances by descending score while ``score >= instances_score_thresh``: an empty one is
    skipped, one with ``intersection / area > overlap_threshold`` (pixels already taken over its
    full area) is dropped, the others paint their free pixels. Then each semantic label in
    ascending order except 0 (detectron2's merged "things" class) paints its free pixels when
    there are at least ``stuff_area_thresh`` of them. Ids are 1, 2, 3, ... in that order.

    Equal scores are taken in input order (a stable sort). detectron2 uses ``torch.argsort``,
    which is not stable, so for tied scores its order (and the result) may differ from run to
    run or device to device; with distinct scores both agree pixel for pixel.

    Parameters
    ----------
    instance_masks : array_like of bool or uint8, shape (N, H, W)
        ``instances.pred_masks`` (torch CPU tensors work through ``np.asarray``).
    instance_scores : array_like of real, shape (N,)
        ``instances.scores``; compared with the threshold as doubles, as ``.item()`` does.
    instance_classes : array_like of int, shape (N,)
        ``instances.pred_classes``.
    semantic_results : array_like of int, shape (H, W)
        The argmax of the semantic logits (contiguous ids; 0 = things).
    overlap_threshold, stuff_area_thresh, instances_score_thresh : float
        detectron2's ``MODEL.PANOPTIC_FPN.COMBINE`` defaults 0.5, 4096 and 0.5.

    Returns
    -------
    panoptic_seg : numpy.ndarray of int32, shape (H, W)
    segments_info : list of dict
        Things ``{"id", "isthing": True, "score", "category_id", "instance_id"}``, then stuff
        ``{"id", "isthing": False, "category_id", "area"}``, as detectron2 gives them.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit import panoptic
    >>> masks = np.zeros((1, 2, 3), bool); masks[0, :, 0] = True
    >>> sem = np.array([[0, 2, 2], [0, 2, 3]])
    >>> pan, segs = panoptic.combine_semantic_and_instance_outputs(
    ...     masks, [0.9], [4], sem, stuff_area_thresh=2)
    >>> pan
    array([[1, 2, 2],
           [1, 2, 0]], dtype=int32)
    >>> segs[1]
    {'id': 2, 'isthing': False, 'category_id': 2, 'area': 3}
    """
    stack = stack_masks(instance_masks, "instance_masks")
    n, h, w = stack.shape
    scores = _per_input(instance_scores, n, "instance_scores", "f")
    classes = _per_input(instance_classes, n, "instance_classes", "i")
    sem = _label_map(semantic_results, "semantic_results")
    if sem.shape != (h, w):
        raise ValueError(f"semantic_results must have the masks' size {(h, w)}, got shape {sem.shape}")
    overlap = real_threshold(overlap_threshold, "overlap_threshold")
    stuff_limit = real_threshold(stuff_area_thresh, "stuff_area_thresh")
    score_limit = real_threshold(instances_score_thresh, "instances_score_thresh")
    wide_scores = scores.astype(np.float64)  # .item() makes doubles: compare as doubles, not in float32
    confident = np.flatnonzero(~(wide_scores < score_limit))
    ranked = confident[descending_order(wide_scores[confident])]
    k = ranked.size
    layers = Layers(
        np.full(k, SOURCE_MASK, np.uint8), ranked.astype(np.uint64), np.ones(k, np.uint64), np.full(k, overlap),
        np.zeros(k), np.full(k, -1, np.int64),
    )
    painting = paint(h, w, layers, masks=stack, labels=sem, label_rule=(0, math.inf, stuff_limit, False),
                     label_skip=np.zeros(1, np.int64))
    segments: List[Dict[str, Any]] = []
    for s, (source, layer, area) in enumerate(zip(painting.source.tolist(), painting.layer.tolist(), painting.area.tolist())):
        if source == SOURCE_MASK:
            segments.append({"id": s + 1, "isthing": True, "score": float(wide_scores[layer]),
                             "category_id": int(classes[layer]), "instance_id": int(layer)})
        else:
            segments.append({"id": s + 1, "isthing": False, "category_id": int(layer), "area": int(area)})
    return painting.painted.view(np.int32), segments
