"""panopticapi's pq_compute_single_core on in-memory images, and the strategies that draw them."""

from __future__ import annotations

import contextlib
import copy
import io
from types import ModuleType, SimpleNamespace
from typing import Any, Dict, List, Tuple

import numpy as np
from hypothesis import strategies as st

from maskkit import panoptic
from maskkit._bench.workloads_panoptic import panopticapi_results

Image = Tuple[np.ndarray, List[Dict[str, Any]], np.ndarray, List[Dict[str, Any]]]

CATEGORIES = [
    {"id": 1, "name": "person", "isthing": 1},
    {"id": 3, "name": "car", "isthing": 1},
    {"id": 7, "name": "road", "isthing": 0},
    {"id": 9, "name": "sky", "isthing": 0},
]


def reference_stat(evaluation: ModuleType, categories: List[Dict[str, Any]], images: List[Image]) -> Any:
    """panopticapi's PQStat over ``images`` (id maps + segments_info), one core, in order."""
    store: Dict[str, np.ndarray] = {}
    pairs = []
    for i, (gt, gt_segs, pred, pred_segs) in enumerate(images):
        store[f"gt/{i}.png"] = panoptic.id2rgb(gt)
        store[f"pred/{i}.png"] = panoptic.id2rgb(pred)
        pairs.append((
            {"image_id": i, "file_name": f"{i}.png", "segments_info": copy.deepcopy(gt_segs)},
            {"image_id": i, "file_name": f"{i}.png", "segments_info": copy.deepcopy(pred_segs)},
        ))
    fake_pil = SimpleNamespace(open=lambda path: store[path])
    saved = evaluation.Image
    evaluation.Image = fake_pil
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return evaluation.pq_compute_single_core(0, pairs, "gt", "pred", {c["id"]: c for c in categories})
    finally:
        evaluation.Image = saved


def reference_results(evaluation: ModuleType, categories: List[Dict[str, Any]], images: List[Image]) -> Dict[str, Any]:
    """panopticapi's pq_compute result dict for ``images``."""
    stat = reference_stat(evaluation, categories, images)
    return panopticapi_results(evaluation, {c["id"]: c for c in categories}, stat)


def segments_of(ids: np.ndarray, categories: Dict[int, int], crowd: Dict[int, int]) -> List[Dict[str, Any]]:
    """segments_info listing every non-zero id of ``ids`` with its category, crowd flag and area."""
    values, counts = np.unique(ids, return_counts=True)
    return [
        {"id": int(v), "category_id": categories[int(v)], "iscrowd": crowd.get(int(v), 0), "area": int(n)}
        for v, n in zip(values, counts) if v != 0
    ]


@st.composite
def images(draw: Any, max_side: int = 16) -> Image:
    """A ground-truth/prediction pair: rectangles of random ids painted over VOID, a prediction
    that shifts, relabels and repaints the ground truth, categories that mostly agree."""
    h = draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side))
    cat_ids = [c["id"] for c in CATEGORIES]

    def painted(n: int) -> np.ndarray:
        out = np.zeros((h, w), np.uint32)
        for _ in range(n):
            y0, x0 = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
            y1, x1 = draw(st.integers(y0 + 1, h)), draw(st.integers(x0 + 1, w))
            out[y0:y1, x0:x1] = draw(st.sampled_from([1, 2, 3, 255, 256, 65536, 0xFE0000, 4242]))
        return out

    gt = painted(draw(st.integers(0, 6)))
    kind = draw(st.sampled_from(["shift", "repaint", "same"]))
    if kind == "same":
        pred = gt.copy()
    elif kind == "shift":
        dy, dx = draw(st.integers(-2, 2)), draw(st.integers(-2, 2))
        pred = np.roll(gt, (dy, dx), axis=(0, 1))
        pred[draw(st.integers(0, h - 1)), :] = draw(st.sampled_from([0, 17, 1]))
    else:
        pred = painted(draw(st.integers(0, 6)))
    relabel = draw(st.booleans())
    if relabel:
        pred = np.where(pred == 0, 0, pred + 100000).astype(np.uint32)
    gt_cats = {int(v): draw(st.sampled_from(cat_ids)) for v in np.unique(gt) if v}
    pred_cats = {
        int(v): gt_cats.get(int(v) - (100000 if relabel else 0), draw(st.sampled_from(cat_ids)))
        if draw(st.integers(0, 4)) else draw(st.sampled_from(cat_ids))
        for v in np.unique(pred) if v
    }
    crowd = {v: 1 for v in gt_cats if draw(st.integers(0, 5)) == 0}
    gt_segs = segments_of(gt, gt_cats, crowd)
    pred_segs = [{"id": s["id"], "category_id": s["category_id"]} for s in segments_of(pred, pred_cats, {})]
    if draw(st.integers(0, 9)) == 0 and gt_segs:  # a wrong JSON area (panopticapi trusts it)
        gt_segs[0]["area"] = max(1, gt_segs[0]["area"] // 2)
    if draw(st.booleans()):
        gt_segs = draw(st.permutations(gt_segs))
        pred_segs = draw(st.permutations(pred_segs))
    return gt, list(gt_segs), pred, list(pred_segs)


def reference_files(evaluation: ModuleType, gt_json: str, pred_json: str) -> Dict[str, Any]:
    """panopticapi's pq_compute result on JSON + PNG folders, through pq_compute_single_core (its
    multi-core pq_compute leaks a process pool; one core is also its deterministic sum order)."""
    import json

    with open(gt_json) as f:
        gt = json.load(f)
    with open(pred_json) as f:
        pred = json.load(f)
    categories = {c["id"]: c for c in gt["categories"]}
    by_image = {a["image_id"]: a for a in pred["annotations"]}
    pairs = [(a, by_image[a["image_id"]]) for a in gt["annotations"]]
    with contextlib.redirect_stdout(io.StringIO()):
        stat = evaluation.pq_compute_single_core(0, pairs, gt_json[:-5], pred_json[:-5], categories)
    return panopticapi_results(evaluation, categories, stat)
