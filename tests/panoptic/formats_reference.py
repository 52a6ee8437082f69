"""NumPy transcriptions of the reference converters' per-segment loops (slow, obviously right).

Each follows the quoted behaviour of one reference script pixel mask by pixel mask, so the
vectorised codecs and converters can be compared with it value for value.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List

import numpy as np


def bbox_of(mask: np.ndarray) -> List[int]:
    """``[x, y, w, h]`` as createPanopticImgs computes it: nonzero columns and rows of the mask."""
    cols = np.nonzero(mask.sum(axis=0))[0]
    rows = np.nonzero(mask.sum(axis=1))[0]
    return [int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]


def cityscapes_panoptic(original: np.ndarray, labels: Dict[int, Any], use_train_id: bool) -> tuple:
    """createPanopticImgs on one instanceIds image; ``labels[id] = (trainId, hasInstances, ignoreInEval)``."""
    pan_format = np.zeros(original.shape + (3,), np.uint8)
    segments = []
    for segment_id in np.unique(original):
        segment_id = int(segment_id)
        if segment_id < 1000:
            semantic, crowd = segment_id, 1
        else:
            semantic, crowd = segment_id // 1000, 0
        train_id, has_instances, ignored = labels[semantic]
        if ignored:
            continue
        if not has_instances:
            crowd = 0
        mask = original == segment_id
        pan_format[mask] = [segment_id % 256, segment_id // 256, segment_id // 256 // 256]
        segments.append(
            {
                "id": segment_id,
                "category_id": train_id if use_train_id else semantic,
                "area": int(mask.sum()),
                "bbox": bbox_of(mask),
                "iscrowd": crowd,
            }
        )
    return pan_format, segments


def two_channel_panoptic(original: np.ndarray, categories: Dict[int, Any], id_generator: Any, void: int = 0) -> tuple:
    """2channels2panoptic_coco_format on one image: the RGB PNG and its segments_info."""
    pan = 1000 * original[:, :, 0].astype(np.uint32) + original[:, :, 1]
    pan_format = np.zeros(original.shape[:2] + (3,), np.uint8)
    segments = []
    for value in np.unique(pan):
        semantic = int(value) // 1000
        if semantic == void:
            continue
        if semantic not in categories:
            raise KeyError(semantic)
        segment_id, colour = id_generator.get_id_and_color(semantic)
        pan_format[pan == value] = colour
        segments.append({"id": int(segment_id), "category_id": semantic})
    return pan_format, segments


def semantic_png(pan: np.ndarray, segments: List[Dict[str, Any]], categories: Dict[int, Any], things_other: bool) -> np.ndarray:
    """panoptic2semantic_segmentation's PNG mode, with NumPy 1's wrap of category ids above 255."""
    semantic = np.zeros(pan.shape, np.uint8)
    for segment in segments:
        category = segment["category_id"]
        if things_other and categories[category]["isthing"] == 1:
            category = 183
        semantic[pan == segment["id"]] = category % 256
    return semantic


def semantic_rles(pan: np.ndarray, segments: List[Dict[str, Any]], categories: Dict[int, Any], things_other: bool, mask_api: Any, image_id: Any) -> list:
    """panoptic2semantic_segmentation's JSON mode on one image, counts decoded to str."""
    per_category = defaultdict(list)
    for segment in segments:
        category = segment["category_id"]
        if things_other and categories[category]["isthing"] == 1:
            category = 183
        rle = mask_api.encode(np.asfortranarray((pan == segment["id"]).astype(np.uint8)))
        rle["counts"] = rle["counts"].decode("utf8")
        per_category[category].append(rle)
    records = []
    for category, rles in per_category.items():
        rle = rles[0] if len(rles) == 1 else mask_api.merge(rles)
        if isinstance(rle["counts"], bytes):
            rle["counts"] = rle["counts"].decode("utf8")  # the reference dumps bytes and fails
        records.append(
            {
                "image_id": image_id,
                "category_id": category,
                "segmentation": rle,
                "area": int(mask_api.area(rle)),
                "bbox": list(mask_api.toBbox(rle)),
                "iscrowd": 0,
            }
        )
    return records


def detection_annotations(pan: np.ndarray, segments: List[Dict[str, Any]], categories: Dict[int, Any], things_only: bool, mask_api: Any, image_id: Any) -> list:
    """panoptic2detection_coco_format on one image (before the ids are numbered)."""
    annotations = []
    for original in segments:
        segment = dict(original)
        if things_only and categories[segment["category_id"]]["isthing"] != 1:
            continue
        mask = np.expand_dims((pan == segment["id"]).astype(np.uint8), axis=2)
        segment.pop("id")
        segment["image_id"] = image_id
        rle = mask_api.encode(np.asfortranarray(mask))[0]
        rle["counts"] = rle["counts"].decode("utf8")
        segment["segmentation"] = rle
        annotations.append(segment)
    return annotations


def flood_fill_labels(image: np.ndarray, connectivity: int, background: Any) -> np.ndarray:
    """Components of equal values, numbered 1.. by first pixel in row-major order (breadth-first fill)."""
    height, width = image.shape
    labels = np.zeros(image.shape, np.int64)
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if connectivity == 8:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    count = 0
    for y in range(height):
        for x in range(width):
            if labels[y, x] or (background is not None and image[y, x] == background):
                continue
            count += 1
            labels[y, x] = count
            queue = [(y, x)]
            while queue:
                cy, cx = queue.pop()
                for dy, dx in steps:
                    ny, nx = cy + dy, cx + dx
                    if 0 <= ny < height and 0 <= nx < width and not labels[ny, nx] and image[ny, nx] == image[y, x]:
                        labels[ny, nx] = count
                        queue.append((ny, nx))
    return labels
