"""``pq_compute`` over a COCO panoptic ground-truth and prediction (JSON + PNG folders).

Images are evaluated on a thread pool (reading a file, inflating and the fused core call all
release the GIL) and added to one :class:`~maskkit._pan_eval.Evaluator` in ground-truth order,
so results are bit-identical for any thread count. At most a few images per thread are in
flight: memory does not grow with the dataset.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from . import _core
from ._pan_eval import Evaluator
from ._pan_files import Outputs, read_json
from ._pan_png import id_source, pillow_source
from ._validate import snippet

__all__ = ["pq_compute", "evaluate_cityscapes", "load_pairs"]


def _load_json(path: Any, side: str) -> Dict[str, Any]:
    data = read_json(path, f"{side} JSON")
    if not isinstance(data, dict):
        raise ValueError(f"{side} JSON {path} must hold an object, got {type(data).__name__}")
    return data


def _annotations(data: Dict[str, Any], side: str, path: Any) -> List[Dict[str, Any]]:
    annotations = data.get("annotations")
    if not isinstance(annotations, list) or not all(isinstance(a, dict) for a in annotations):
        raise ValueError(f"{side} JSON {path} needs an 'annotations' list of objects")
    for a in annotations:
        if "image_id" not in a or "file_name" not in a or "segments_info" not in a:
            raise ValueError(f"{side} annotation {snippet(a)} needs 'image_id', 'file_name' and 'segments_info'")
    return annotations


def load_pairs(
    gt_json_file: Any, pred_json_file: Any, gt_folder: Optional[str], pred_folder: Optional[str]
) -> Tuple[List[Dict[str, Any]], List[Tuple[Dict[str, Any], Dict[str, Any]]], str, str]:
    """``(categories, [(gt annotation, pred annotation)], gt_folder, pred_folder)`` as panopticapi
    pairs them: every ground-truth annotation in order with the last prediction of its image."""
    gt_json = _load_json(gt_json_file, "ground-truth")
    pred_json = _load_json(pred_json_file, "prediction")
    # panopticapi's default folders: the JSON path with every '.json' removed
    gt_folder = str(gt_json_file).replace(".json", "") if gt_folder is None else gt_folder
    pred_folder = str(pred_json_file).replace(".json", "") if pred_folder is None else pred_folder
    for folder, side in ((gt_folder, "ground truth"), (pred_folder, "prediction")):
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"folder {folder} with the {side} segmentations does not exist")
    categories = gt_json.get("categories")
    if not isinstance(categories, list):
        raise ValueError(f"ground-truth JSON {gt_json_file} needs a 'categories' list")
    predictions = {a["image_id"]: a for a in _annotations(pred_json, "prediction", pred_json_file)}
    pairs = []
    for gt_ann in _annotations(gt_json, "ground-truth", gt_json_file):
        image_id = gt_ann["image_id"]
        if image_id not in predictions:
            raise ValueError(f"no prediction for the image with id {image_id!r}")
        pairs.append((gt_ann, predictions[image_id]))
    return categories, pairs, gt_folder, pred_folder


def _read(folder: str, name: Any) -> bytes:
    if not isinstance(name, str):
        raise TypeError(f"file_name must be a string, got {snippet(name)}")
    with open(os.path.join(folder, name), "rb") as f:
        return f.read()


def pq_compute(
    gt_json_file: Any,
    pred_json_file: Any,
    gt_folder: Optional[str] = None,
    pred_folder: Optional[str] = None,
    *,
    mode: str = "strict",
    num_threads: Optional[int] = None,
    progress: Optional[Callable[[int, int], None]] = None,
    boundary: bool = False,
    dilation_ratio: float = 0.02,
) -> Dict[str, Any]:
    """Panoptic quality of COCO panoptic predictions: panopticapi's ``pq_compute``, bit for bit.

    Parameters
    ----------
    gt_json_file, pred_json_file : str or path
        COCO panoptic JSONs (``annotations`` with ``image_id``, ``file_name``,
        ``segments_info``; the ground truth's ``categories``).
    gt_folder, pred_folder : str, optional
        The PNG folders; by default the JSON path without ``.json`` (panopticapi's rule).
    mode : {"strict", "corrected"}
        See :class:`Evaluator`.
    num_threads : int, optional
        Threads reading and evaluating images (default: ``maskkit.get_num_threads()``); the
        result does not depend on it.
    progress : callable, optional
        Called as ``progress(done, total)`` after each image.
    boundary, dilation_ratio
        Boundary PQ, as boundary-iou-api's ``pq_compute(..., iou_type="boundary",
        dilation_ratio)`` computes it (see :class:`Evaluator`); its PNGs are decoded by Pillow.

    Returns
    -------
    dict
        ``{"All": {"pq", "sq", "rq", "n"}, "per_class": {category_id: {"pq", "sq", "rq"}},
        "Things": {...}, "Stuff": {...}}``, as panopticapi returns (nothing is printed).

    Raises
    ------
    KeyError
        (:class:`PanopticKeyError`) Segments the PNG and the JSON disagree on, as panopticapi.
    ValueError
        A ground-truth image without prediction, malformed JSON, maps of different shapes.
    FileNotFoundError
        A missing folder or PNG.

    Examples
    --------
    >>> import json, os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from maskkit import panoptic
    >>> root = tempfile.mkdtemp()
    >>> for side, ids in (("gt", [[1, 1, 2, 2]]), ("pred", [[9, 9, 9, 2]])):
    ...     os.makedirs(os.path.join(root, side))
    ...     rgb = panoptic.id2rgb(np.array(ids, np.uint32))
    ...     Image.fromarray(rgb).save(os.path.join(root, side, "a.png"))
    >>> cats = [{"id": 1, "isthing": 1}, {"id": 2, "isthing": 0}]
    >>> gt = {"annotations": [{"image_id": 0, "file_name": "a.png", "segments_info": [
    ...     {"id": 1, "category_id": 1, "iscrowd": 0, "area": 2},
    ...     {"id": 2, "category_id": 2, "iscrowd": 0, "area": 2}]}], "categories": cats}
    >>> pred = {"annotations": [{"image_id": 0, "file_name": "a.png", "segments_info": [
    ...     {"id": 9, "category_id": 1}, {"id": 2, "category_id": 2}]}]}
    >>> for side, data in (("gt", gt), ("pred", pred)):
    ...     with open(os.path.join(root, side + ".json"), "w") as f:
    ...         json.dump(data, f)
    >>> result = panoptic.pq_compute(os.path.join(root, "gt.json"), os.path.join(root, "pred.json"))
    >>> result["All"]
    {'pq': 0.3333333333333333, 'sq': 0.3333333333333333, 'rq': 0.5, 'n': 2}
    """
    categories, pairs, gt_folder, pred_folder = load_pairs(gt_json_file, pred_json_file, gt_folder, pred_folder)
    evaluator = Evaluator(categories, mode=mode, boundary=boundary, dilation_ratio=dilation_ratio)
    decode = pillow_source if boundary else id_source
    threads = _core.num_threads() if num_threads is None else num_threads
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"num_threads must be a positive integer, got {snippet(num_threads)}")

    def evaluate(pair: Tuple[Dict[str, Any], Dict[str, Any]]) -> Tuple[Any, ...]:
        gt_ann, pred_ann = pair
        gt = decode(_read(gt_folder, gt_ann["file_name"]), gt_ann["file_name"])
        pred = decode(_read(pred_folder, pred_ann["file_name"]), pred_ann["file_name"])
        return evaluator.match_sources(
            gt, gt_ann["segments_info"], pred, pred_ann["segments_info"], image_id=gt_ann["image_id"]
        )

    total = len(pairs)
    if threads == 1:
        for done, pair in enumerate(pairs, 1):
            evaluator.add_image(evaluate(pair))
            if progress is not None:
                progress(done, total)
    else:
        with ThreadPoolExecutor(threads) as pool:
            window: Deque["Future[Tuple[Any, ...]]"] = deque()
            upcoming = iter(pairs)
            done = 0
            try:
                for pair in upcoming:
                    window.append(pool.submit(evaluate, pair))
                    if len(window) >= 4 * threads:
                        evaluator.add_image(window.popleft().result())
                        done += 1
                        if progress is not None:
                            progress(done, total)
                while window:
                    evaluator.add_image(window.popleft().result())
                    done += 1
                    if progress is not None:
                        progress(done, total)
            finally:
                for future in window:
                    future.cancel()
    return evaluator.compute()


def evaluate_cityscapes(
    gt_json_file: Any,
    gt_folder: Optional[str],
    pred_json_file: Any,
    pred_folder: Optional[str],
    results_file: Optional[str] = "resultPanopticSemanticLabeling.json",
    *,
    mode: str = "strict",
    num_threads: Optional[int] = None,
) -> Dict[str, Any]:
    """Cityscapes panoptic evaluation: cityscapesScripts' ``evaluatePanoptic``.

    Its metric is panopticapi's (:func:`pq_compute`, same results); it differs in its arguments'
    order, its default folders (the JSON path without its extension) and in writing the result
    dict to ``results_file`` (sorted keys, indent 4; ``None`` writes nothing).

    Examples
    --------
    >>> from maskkit import panoptic
    >>> panoptic.evaluate_cityscapes  # doctest: +ELLIPSIS
    <function evaluate_cityscapes at ...>
    """
    gt_folder = os.path.splitext(str(gt_json_file))[0] if gt_folder is None else gt_folder
    pred_folder = os.path.splitext(str(pred_json_file))[0] if pred_folder is None else pred_folder
    results = pq_compute(gt_json_file, pred_json_file, gt_folder, pred_folder, mode=mode, num_threads=num_threads)
    if results_file is not None:
        document = {**results, "per_class": {str(k): v for k, v in results["per_class"].items()}}
        with Outputs() as outputs:
            outputs.json(results_file, document, sort_keys=True, indent=4)
    return results
