"""Boundary PQ of maskkit.panoptic against a NumPy transcription of boundary-iou-api's panoptic
evaluation (``pq_compute_single_core`` with ``iou_type="boundary"``) on OpenCV boundaries, and
against vernier's ``boundary=True`` evaluation."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from types import ModuleType
from typing import Any, Dict, List

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PILImage

from maskkit import panoptic
from maskkit._bench.config import QUICK
from maskkit._bench.data import BenchData

from ..test_iou_boundary import reference_boundary
from .pq_reference import CATEGORIES, Image, images


def reference_boundary_counts(cv2: ModuleType, categories: List[Dict[str, Any]], pairs: List[Image], ratio: float) -> Dict[int, Dict[str, Any]]:
    """boundary-iou-api's per-category tp, fp, fn and IoU sum over ``pairs``, in its order.

    Per image and side, the id map is copied and segments_info walked in order: the segment's
    mask is where the copy has its id; the mask is painted with max(category id) + 1 and its
    boundary with the id again. Pairs of the two maps' histograms in ascending key order match
    on min(mask IoU, boundary IoU) > 0.5; false negatives and positives follow the masks.
    """
    inner = max(c["id"] for c in categories) + 1
    stats: Dict[int, Dict[str, Any]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "iou": 0.0})
    offset = np.uint64(256 * 256 * 256)

    def histogram(a: np.ndarray, b: np.ndarray) -> Dict[tuple[int, int], Any]:
        keys, counts = np.unique(a.astype(np.uint64) * offset + b.astype(np.uint64), return_counts=True)
        return {(int(k // offset), int(k % offset)): c for k, c in zip(keys, counts)}

    def walk(pan: np.ndarray, segments: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        out = pan.copy()
        walked = []
        for seg in segments:
            mask = (out == seg["id"]).astype(np.uint8)
            edge = reference_boundary(cv2, mask, ratio)
            out[mask > 0] = inner
            out[edge > 0] = seg["id"]
            seg["boundary_area"] = np.sum(edge > 0)
            walked.append(seg)
        return out, walked

    for gt, gt_segs, pred, pred_segs in pairs:
        gt_segs, pred_segs = copy.deepcopy(gt_segs), copy.deepcopy(pred_segs)
        pred_by = {s["id"]: s for s in pred_segs}
        for label, n in zip(*np.unique(pred, return_counts=True)):
            if label in pred_by:
                pred_by[label]["area"] = n
        gt_map, gt_segs = walk(gt, gt_segs)
        pred_map, pred_segs = walk(pred, pred_segs)
        gt_by = {s["id"]: s for s in gt_segs}
        pred_by = {s["id"]: s for s in pred_segs}
        masks, edges = histogram(gt, pred), histogram(gt_map, pred_map)
        gt_matched, pred_matched = set(), set()
        for (g, p), n in masks.items():
            if g not in gt_by or p not in pred_by or gt_by[g]["iscrowd"] == 1:
                continue
            if gt_by[g]["category_id"] != pred_by[p]["category_id"]:
                continue
            iou = n / (pred_by[p]["area"] + gt_by[g]["area"] - n - masks.get((0, p), 0))
            e = edges.get((g, p), 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                edge_iou = e / (pred_by[p]["boundary_area"] + gt_by[g]["boundary_area"] - e - edges.get((0, p), 0))
            iou = min(iou, edge_iou)
            if iou > 0.5:
                stats[gt_by[g]["category_id"]]["tp"] += 1
                stats[gt_by[g]["category_id"]]["iou"] += iou
                gt_matched.add(g)
                pred_matched.add(p)
        crowd = {}
        for g, info in gt_by.items():
            if g in gt_matched:
                continue
            if info["iscrowd"] == 1:
                crowd[info["category_id"]] = g
                continue
            stats[info["category_id"]]["fn"] += 1
        for p, info in pred_by.items():
            if p in pred_matched:
                continue
            ignored = masks.get((0, p), 0)
            if info["category_id"] in crowd:
                ignored += masks.get((crowd[info["category_id"]], p), 0)
            if ignored / info["area"] > 0.5:
                continue
            stats[info["category_id"]]["fp"] += 1
    return {c["id"]: {k: (float(v) if k == "iou" else int(v)) for k, v in stats[c["id"]].items()} for c in categories}


def evaluated(pairs: List[Image], ratio: float, mode: str = "strict", categories: Any = CATEGORIES) -> panoptic.Evaluator:
    ev = panoptic.Evaluator(categories, mode=mode, boundary=True, dilation_ratio=ratio)
    for gt, gt_segs, pred, pred_segs in pairs:
        ev.update(gt, gt_segs, pred, pred_segs)
    return ev


@given(pairs=st.lists(images(max_side=24), min_size=1, max_size=3), ratio=st.sampled_from([0.0, 0.02, 0.05, 0.1, 0.3]))
def test_boundary_pq_equals_boundary_iou_api(cv2: ModuleType, pairs: List[Image], ratio: float) -> None:
    assert evaluated(pairs, ratio).counts() == reference_boundary_counts(cv2, CATEGORIES, pairs, ratio)


@given(pairs=st.lists(images(max_side=20), min_size=1, max_size=2), seed=st.integers(0, 2**31))
def test_strict_quirks_repeated_ids_and_the_inner_id(cv2: ModuleType, pairs: List[Image], seed: int) -> None:
    # The inner id (max category id + 1 = 10) as a segment id takes in the inner pixels of the
    # segments walked before it; a repeated segment is walked twice.
    rng = np.random.default_rng(seed)
    quirky = []
    for gt, gt_segs, pred, pred_segs in pairs:
        gt, pred = gt.copy(), pred.copy()
        if gt_segs and rng.integers(0, 2):
            old = gt_segs[-1]["id"]
            gt[gt == old] = 10
            gt_segs = gt_segs[:-1] + [dict(gt_segs[-1], id=10)]
        if pred_segs and rng.integers(0, 2):
            pred_segs = pred_segs + [dict(pred_segs[0])]
        quirky.append((gt, gt_segs, pred, pred_segs))
    assert evaluated(quirky, 0.1).counts() == reference_boundary_counts(cv2, CATEGORIES, quirky, 0.1)


def square_crops(samples: Any, side: int) -> List[Image]:
    """The bench's images cut to their top-left side x side square, segments_info recounted."""

    def crop(ids: np.ndarray, segments: List[Dict[str, Any]]) -> tuple[np.ndarray, List[Dict[str, Any]]]:
        ids = np.ascontiguousarray(ids[:side, :side])
        present = set(np.unique(ids).tolist())
        kept = [dict({k: v for k, v in s.items() if k != "bbox"}, area=int((ids == s["id"]).sum())) for s in segments]
        return ids, [s for s in kept if s["id"] in present]

    return [crop(s.gt, s.gt_segments) + crop(s.pred, s.pred_segments) for s in samples]


def test_boundary_pq_on_larger_images_equals_the_reference(cv2: ModuleType) -> None:
    categories, samples = BenchData(QUICK).panoptic
    pairs = [(s.gt, s.gt_segments, s.pred, s.pred_segments) for s in samples]
    ev = evaluated(pairs, 0.02, categories=categories)
    assert ev.counts() == reference_boundary_counts(cv2, categories, pairs, 0.02)
    plain = panoptic.Evaluator(categories)
    for p in pairs:
        plain.update(*p)
    # Matching on min(mask IoU, boundary IoU) only removes matches and lowers their IoUs.
    for key, counts in ev.counts().items():
        assert counts["tp"] <= plain.counts()[key]["tp"] and counts["iou"] <= plain.counts()[key]["iou"]


@pytest.mark.parametrize("side", [64, 97, 120])
@pytest.mark.parametrize("ratio", [0.02, 0.05])
def test_boundary_pq_equals_vernier_on_square_images(side: int, ratio: float) -> None:
    # vernier 0.5.4 returns plain PQ for Boundary PQ of images that are not square (120 x 160
    # gives the mask PQ at every ratio), so it is compared on square crops, where it agrees
    # with boundary-iou-api's definition.
    vp = pytest.importorskip("vernier.panoptic", reason="vernier is a test reference for Boundary PQ")
    categories, samples = BenchData(QUICK).panoptic
    pairs = square_crops(samples, side)
    result = evaluated(pairs, ratio, categories=categories).compute()
    gt_segments = json.dumps({str(i): p[1] for i, p in enumerate(pairs)}).encode()
    pred_segments = json.dumps({str(i): p[3] for i, p in enumerate(pairs)}).encode()
    dataset = vp.Dataset.from_arrays({i: p[0] for i, p in enumerate(pairs)}, gt_segments, json.dumps(categories).encode())
    predictions = vp.Predictions.from_arrays({i: p[2] for i, p in enumerate(pairs)}, pred_segments)
    summary = vp.Evaluator(parity_mode="strict", boundary=True, dilation_ratio=ratio).evaluate(dataset, predictions, num_threads=1)
    for key in ("pq", "sq", "rq"):
        assert abs(result["All"][key] - getattr(summary, key)) <= 1e-12
        assert abs(result["Things"][key] - getattr(summary, f"{key}_things")) <= 1e-12
        assert abs(result["Stuff"][key] - getattr(summary, f"{key}_stuff")) <= 1e-12
    assert result["All"]["n"] == summary.n


@given(pairs=st.lists(images(max_side=20), min_size=1, max_size=3))
def test_corrected_mode_equals_strict_without_the_quirks(pairs: List[Image]) -> None:
    # Without crowds and with true areas the modes agree on PQ, and so on Boundary PQ, whose
    # inner id differs between them (strict: max category id + 1; corrected: a free id).
    plain = [
        (gt, [dict(s, iscrowd=0, area=int((gt == s["id"]).sum())) for s in gt_segs], pred, pred_segs)
        for gt, gt_segs, pred, pred_segs in pairs
    ]
    assert evaluated(plain, 0.05, mode="corrected").counts() == evaluated(plain, 0.05).counts()


def test_pq_compute_boundary_equals_the_evaluator(tmp_path: Any) -> None:
    categories, samples = BenchData(QUICK).panoptic
    gt_anns, pred_anns = [], []
    for side in ("gt", "pred"):
        (tmp_path / side).mkdir()
    for i, s in enumerate(samples):
        PILImage.fromarray(panoptic.id2rgb(s.gt)).save(tmp_path / "gt" / f"{i}.png")
        PILImage.fromarray(panoptic.id2rgb(s.pred)).save(tmp_path / "pred" / f"{i}.png")
        gt_anns.append({"image_id": i, "file_name": f"{i}.png", "segments_info": s.gt_segments})
        pred_anns.append({"image_id": i, "file_name": f"{i}.png", "segments_info": s.pred_segments})
    (tmp_path / "gt.json").write_text(json.dumps({"annotations": gt_anns, "categories": categories}))
    (tmp_path / "pred.json").write_text(json.dumps({"annotations": pred_anns}))
    pairs = [(s.gt, s.gt_segments, s.pred, s.pred_segments) for s in samples]
    want = evaluated(pairs, 0.03, categories=categories).compute()
    for threads in (1, 2):
        got = panoptic.pq_compute(str(tmp_path / "gt.json"), str(tmp_path / "pred.json"), boundary=True,
                                  dilation_ratio=0.03, num_threads=threads)
        assert got == want


def test_boundary_options_are_checked() -> None:
    with pytest.raises(ValueError, match="dilation_ratio must be finite and >= 0"):
        panoptic.Evaluator(CATEGORIES, boundary=True, dilation_ratio=float("nan"))
    with pytest.raises(TypeError, match="dilation_ratio must be a real number"):
        panoptic.Evaluator(CATEGORIES, boundary=True, dilation_ratio="0.02")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="boundary must be True or False"):
        panoptic.Evaluator(CATEGORIES, boundary=1)  # type: ignore[arg-type]
    a = panoptic.Evaluator(CATEGORIES, boundary=True)
    for other in (panoptic.Evaluator(CATEGORIES), panoptic.Evaluator(CATEGORIES, boundary=True, dilation_ratio=0.03)):
        with pytest.raises(ValueError, match="one boundary setting and dilation_ratio"):
            a.merge(other)
    gt = np.array([[1, 1, 0]], np.uint32)
    segs = [{"id": 1, "category_id": "x", "iscrowd": 0, "area": 2}]
    named = panoptic.Evaluator([{"id": "x", "isthing": 1}], boundary=True)
    with pytest.raises(TypeError, match="boundary PQ needs integer category ids"):
        named.update(gt, segs, gt, [{"id": 1, "category_id": "x"}])
    huge = panoptic.Evaluator([{"id": 2**24, "isthing": 1}], boundary=True)
    with pytest.raises(ValueError, match=r"max\(category ids\) \+ 1 must lie in 0..2\*\*24 - 1"):
        huge.update(gt, [dict(segs[0], category_id=2**24)], gt, [{"id": 1, "category_id": 2**24}])


def test_merged_boundary_evaluators_equal_one_pass() -> None:
    categories, samples = BenchData(QUICK).panoptic
    pairs = [(s.gt, s.gt_segments, s.pred, s.pred_segments) for s in samples]
    whole = evaluated(pairs, 0.02, categories=categories)
    parts = [evaluated(pairs[:2], 0.02, categories=categories), evaluated(pairs[2:], 0.02, categories=categories)]
    merged = parts[0].merge(parts[1])
    assert merged.counts() == whole.counts() and merged.compute() == whole.compute()
