"""Seeded annotations shaped like COCO val's instance annotations (numpy only).

The shapes follow the statistics of ``instances_val2017.json``: about 7 annotations per image;
images of COCO's common sizes (480x640, 640x480, 427x640, ...); about 85 % of the
annotations are one polygon, 12 % two to four polygons (occluded objects), 1 % ``iscrowd``
regions stored as uncompressed RLE (``counts`` a list of ints); polygons average about 21
vertices (42 coordinates), drawn as irregular, object-like outlines whose sizes follow COCO's
small / medium / large split, coordinates stored as floats with two decimals.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["coco_like_annotations"]

# (height, width) of COCO val images, most frequent first, with their approximate shares.
_IMAGE_SIZES = ((480, 640), (427, 640), (640, 480), (424, 640), (640, 427), (500, 375), (375, 500), (512, 640))
_IMAGE_WEIGHTS = (0.30, 0.18, 0.12, 0.10, 0.08, 0.08, 0.07, 0.07)


def _object_radius(rng: np.random.Generator) -> float:
    """A radius giving COCO's area split: ~41 % small (< 32^2), ~34 % medium, ~25 % large."""
    kind = rng.choice(3, p=[0.41, 0.34, 0.25])
    low, high = ((2.5, 18.0), (18.0, 55.0), (55.0, 190.0))[kind]
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def _vertex_count(rng: np.random.Generator, radius: float) -> int:
    """Vertices of one polygon: mean ~21, more for larger outlines, at least 3."""
    mean = 11.0 + 5.5 * math.log1p(radius / 4.0)
    return max(3, int(rng.poisson(mean)))


def _outline(rng: np.random.Generator, cx: float, cy: float, r: float, k: int, height: int, width: int) -> list[float]:
    """A perturbed, tilted ellipse of ``k`` vertices, clipped to the image, two decimals."""
    theta = (np.arange(k) + rng.uniform(-0.35, 0.35, k)) * (2.0 * math.pi / k)
    radius = np.ones(k)
    for harmonic in (2, 3, 5):
        radius += rng.uniform(0.0, 0.25 / harmonic) * np.cos(harmonic * theta + rng.uniform(0.0, 2.0 * math.pi))
    radius = r * np.clip(radius + rng.normal(0.0, 0.04, k), 0.15, None)
    aspect, tilt = float(rng.uniform(0.35, 1.0)), float(rng.uniform(0.0, math.pi))
    u, v = radius * np.cos(theta), aspect * radius * np.sin(theta)
    x = np.clip(cx + u * math.cos(tilt) - v * math.sin(tilt), 0.0, width - 0.01)
    y = np.clip(cy + u * math.sin(tilt) + v * math.cos(tilt), 0.0, height - 0.01)
    xy = np.round(np.stack([x, y], axis=1), 2).ravel()
    return [float(c) for c in xy]


def _crowd_counts(rng: np.random.Generator, cx: float, cy: float, r: float, height: int, width: int) -> list[int]:
    """Uncompressed COCO counts (column-major runs, first run background) of a blobby region."""
    yy, xx = np.mgrid[:height, :width]
    inside = np.zeros((height, width), bool)
    for _ in range(int(rng.integers(2, 6))):
        ox, oy = rng.normal(0.0, r / 2, 2)
        rx, ry = r * rng.uniform(0.3, 0.8), r * rng.uniform(0.3, 0.8)
        inside |= ((xx - cx - ox) / rx) ** 2 + ((yy - cy - oy) / ry) ** 2 < 1.0
    flat = inside.ravel(order="F")
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    runs: list[int] = np.diff(bounds).tolist()
    return ([0] + runs) if flat[0] else runs


def coco_like_annotations(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` seeded annotations shaped like COCO val's (see the module docstring).

    Parameters
    ----------
    n : int
        Number of annotations; images get about 7 each.
    seed : int
        Seed of ``numpy.random.default_rng``: the same ``(n, seed)`` gives the same list.

    Returns
    -------
    list of dict
        COCO annotation dicts with keys ``image_id``, ``height``, ``width`` (of the image, which
        COCO keeps in ``images``), ``iscrowd`` and ``segmentation``: a list of flat
        ``[x0, y0, x1, y1, ...]`` polygons, or for a crowd region ``{'counts': [int, ...],
        'size': [height, width]}``.

    Examples
    --------
    >>> from maskkit._bench.coco_annotations import coco_like_annotations
    >>> anns = coco_like_annotations(50, seed=0)
    >>> len(anns), sorted(anns[0])
    (50, ['height', 'image_id', 'iscrowd', 'segmentation', 'width'])
    >>> all(len(p) % 2 == 0 and len(p) >= 6 for a in anns if not a["iscrowd"] for p in a["segmentation"])
    True
    """
    rng = np.random.default_rng(seed)
    annotations: list[dict[str, Any]] = []
    image_id = 0
    while len(annotations) < n:
        image_id += 1
        height, width = _IMAGE_SIZES[int(rng.choice(len(_IMAGE_SIZES), p=_IMAGE_WEIGHTS))]
        for _ in range(min(n - len(annotations), 1 + int(rng.poisson(6.0)))):
            r = _object_radius(rng)
            cx, cy = float(rng.uniform(0.0, width)), float(rng.uniform(0.0, height))
            kind = rng.random()
            segmentation: Any
            if kind < 0.01:
                segmentation = {"counts": _crowd_counts(rng, cx, cy, 2.0 * r, height, width), "size": [height, width]}
            else:
                parts = 1 if kind < 0.87 else int(rng.integers(2, 5))
                segmentation = []
                for p in range(parts):
                    dx, dy = (0.0, 0.0) if p == 0 else tuple(rng.normal(0.0, r, 2))
                    part_r = r if p == 0 else r * float(rng.uniform(0.2, 0.6))
                    k = _vertex_count(rng, part_r)
                    segmentation.append(_outline(rng, cx + dx, cy + dy, part_r, k, height, width))
            annotations.append(
                {"image_id": image_id, "height": height, "width": width, "iscrowd": int(kind < 0.01), "segmentation": segmentation}
            )
    return annotations
