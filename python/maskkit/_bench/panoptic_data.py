"""Seeded COCO-panoptic-like ground truth and predictions, as arrays or as PNG + JSON folders.

Each ground-truth image is a Voronoi partition of ``segments`` seeds with one-pixel VOID seams
between cells, its cells drawn from a 133-category taxonomy (80 things, 53 stuff, COCO's
category ids) with about 3.4 % crowd segments. A prediction moves every seed by up to
``jitter`` pixels (so cells overlap their ground truth partly), flips 15 % of categories, drops
5 % of segments to VOID and merges one cell into its neighbour: matches, misses and false
positives of every kind, with PQ near 0.5 at the defaults.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PanopticSample", "coco_panoptic_categories", "make_panoptic_sample", "make_panoptic_dataset", "write_panoptic_dataset"]

# COCO panoptic's category ids: 80 things in 1..90 with its gaps, 53 stuff in 92..200.
_THING_IDS = [i for i in range(1, 91) if i not in (12, 26, 29, 30, 45, 66, 68, 69, 71, 83)]
_STUFF_IDS = [92, 93, 95, 100, 107, 109, 112, 118, 119, 122, 125, 128, 130, 133, 138, 141, 144, 145, 147, 148,
              149, 151, 154, 155, 156, 159, 161, 166, 168, 171, 175, 176, 177, 178, 180, 181, 184, 185, 186, 187,
              188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200]


def coco_panoptic_categories(seed: int = 0) -> list[dict[str, Any]]:
    """133 categories with COCO panoptic's ids, ``isthing`` flags and distinct colours."""
    rng = np.random.default_rng(seed)
    colours: set[tuple[int, int, int]] = {(0, 0, 0)}
    categories = []
    for cid in _THING_IDS + _STUFF_IDS:
        while True:
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            if colour not in colours:
                break
        colours.add(colour)  # type: ignore[arg-type]
        categories.append(
            {"id": cid, "name": f"c{cid}", "supercategory": "s", "isthing": int(cid < 91), "color": list(colour)}
        )
    return categories


@dataclass
class PanopticSample:
    """One image: ground-truth and predicted id maps with their segments_info lists."""

    gt: np.ndarray
    gt_segments: list[dict[str, Any]]
    pred: np.ndarray
    pred_segments: list[dict[str, Any]]


def _voronoi(seeds: np.ndarray, height: int, width: int) -> np.ndarray:
    """Cell index of each pixel, -1 on the seams (pixels whose right or lower neighbour differs)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    best = np.full((height, width), np.inf, np.float32)
    cells = np.zeros((height, width), np.int32)
    for k, (y, x) in enumerate(seeds):
        d = (yy - np.float32(y)) ** 2 + (xx - np.float32(x)) ** 2
        closer = d < best
        best[closer] = d[closer]
        cells[closer] = k
    seam = np.zeros((height, width), bool)
    seam[:, :-1] |= cells[:, :-1] != cells[:, 1:]
    seam[:-1, :] |= cells[:-1, :] != cells[1:, :]
    cells[seam] = -1
    return cells


def _segments(ids: np.ndarray, table: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """segments_info of an id map: ``(id, category, iscrowd)`` per listed segment that has pixels."""
    out = []
    for seg_id, category, crowd in table:
        rows, cols = np.nonzero(ids == seg_id)
        if rows.size == 0:
            continue
        y0, x0 = int(rows.min()), int(cols.min())
        out.append({
            "id": int(seg_id), "category_id": int(category), "iscrowd": int(crowd), "area": int(rows.size),
            "bbox": [x0, y0, int(cols.max()) - x0 + 1, int(rows.max()) - y0 + 1],
        })
    return out


def make_panoptic_sample(
    rng: np.random.Generator,
    categories: list[dict[str, Any]],
    height: int = 480,
    width: int = 640,
    segments: int = 20,
    jitter: float = 25.0,
) -> PanopticSample:
    """One seeded ground-truth / prediction pair (see the module docstring)."""
    seeds = np.stack([rng.uniform(0, height, segments), rng.uniform(0, width, segments)], axis=1)
    cats = rng.choice(len(categories), segments)
    crowd = rng.random(segments) < 0.034
    gt_ids = rng.choice(np.arange(1, 1 << 24), segments, replace=False)
    cells = _voronoi(seeds, height, width)
    gt = np.where(cells >= 0, gt_ids[np.maximum(cells, 0)], 0).astype(np.uint32)
    gt_table = [(int(gt_ids[k]), categories[cats[k]]["id"], int(crowd[k])) for k in range(segments)]

    moved = np.clip(seeds + rng.uniform(-jitter, jitter, seeds.shape), 0, [height - 1, width - 1])
    pred_cats = np.where(rng.random(segments) < 0.15, rng.choice(len(categories), segments), cats)
    pred_ids = rng.choice(np.arange(1, 1 << 24), segments, replace=False)
    dropped = rng.random(segments) < 0.05
    pred_cells = _voronoi(moved, height, width)
    merged = int(rng.integers(segments))  # one cell joins its neighbour: an oversized prediction
    pred_cells[pred_cells == merged] = (merged + 1) % segments
    keep = (pred_cells >= 0) & ~dropped[np.maximum(pred_cells, 0)]
    pred = np.where(keep, pred_ids[np.maximum(pred_cells, 0)], 0).astype(np.uint32)
    pred_table = [(int(pred_ids[k]), categories[pred_cats[k]]["id"], 0) for k in range(segments)]
    return PanopticSample(gt, _segments(gt, gt_table), pred, _segments(pred, pred_table))


def make_panoptic_dataset(
    n_images: int, height: int = 480, width: int = 640, segments: int = 20, seed: int = 0
) -> tuple[list[dict[str, Any]], list[PanopticSample]]:
    """``(categories, samples)`` of ``n_images`` seeded images."""
    categories = coco_panoptic_categories(seed)
    rng = np.random.default_rng(seed)
    return categories, [make_panoptic_sample(rng, categories, height, width, segments) for _ in range(n_images)]


def write_panoptic_dataset(
    folder: str, categories: list[dict[str, Any]], samples: list[PanopticSample]
) -> tuple[str, str]:
    """Write ``folder/gt.json`` + ``folder/gt/*.png`` and ``folder/pred.json`` + ``folder/pred/*.png``
    in COCO panoptic form (RGB PNGs, ``id = R + 256 G + 65536 B``); returns the two JSON paths."""
    from PIL import Image

    from maskkit._pan_rgb import id2rgb

    paths = []
    for side in ("gt", "pred"):
        os.makedirs(os.path.join(folder, side), exist_ok=True)
        images, annotations = [], []
        for index, sample in enumerate(samples):
            ids = sample.gt if side == "gt" else sample.pred
            name = f"{index:012d}.png"
            Image.fromarray(id2rgb(ids)).save(os.path.join(folder, side, name))  # type: ignore[arg-type]
            images.append({"id": index, "file_name": f"{index:012d}.jpg", "height": ids.shape[0], "width": ids.shape[1]})
            segs = sample.gt_segments if side == "gt" else sample.pred_segments
            annotations.append({"image_id": index, "file_name": name, "segments_info": segs})
        path = os.path.join(folder, f"{side}.json")
        with open(path, "w") as f:
            json.dump({"images": images, "annotations": annotations, "categories": categories}, f)
        paths.append(path)
    return paths[0], paths[1]
