"""Polygon vectorization: masks to COCO polygons next to the detectron2-style converter
(``cv2.findContours(m, RETR_CCOMP, CHAIN_APPROX_NONE)``, contours of 3 points or more, +0.5,
each made a COCO list), and Ramer-Douglas-Peucker simplification next to ``cv2.approxPolyDP``.

The converter's polygons pass through boundary pixel centres, so pycocotools' rule gives back
only part of each mask; :func:`maskkit.polygon.from_mask`'s pixel-edge rings give back exactly
the mask (holes filled: COCO polygons cannot cut holes). The ``from_mask`` row checks that
round trip for every mask before timing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, List

import numpy as np

from maskkit import cc, polygon

from .compare import short
from .data import BenchData
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS"]

DOMAIN = "polygon"
EPSILON = 1.0


def _detectron2_polygons(cv2: Any, mask: np.ndarray) -> List[List[float]]:
    """detectron2 ``GenericMask.mask_to_polygons`` (RETR_CCOMP, every boundary pixel, at least 3
    points, shifted by half a pixel), each polygon then listed as a COCO ``segmentation`` part."""
    contours, _ = cv2.findContours(mask.astype("uint8"), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    flat = [c.flatten() for c in contours]
    return [(c + 0.5).tolist() for c in flat if len(c) >= 6]


def _filled(mask: np.ndarray) -> np.ndarray:
    """The mask with its holes (background 8-components away from the border) filled."""
    padded = np.pad(mask == 0, 1, constant_values=True)
    labels, _ = cc.label(padded.view(np.uint8), 8)
    filled: np.ndarray = (labels[1:-1, 1:-1] != labels[0, 0]).astype(np.uint8)
    return filled


def _from_mask(d: BenchData, refs: References) -> Workload:
    c = d.config

    @lru_cache(maxsize=1)
    def filled() -> List[np.ndarray]:
        return [_filled(m) for m in d.masks_c]

    def exact(rings: Any, i: int) -> bool:
        return bool(np.array_equal(polygon.to_mask(rings, c.height, c.width), filled()[i]))

    def compare(got: Any, expected: Any) -> str | None:
        # Equal polygons (the cv2 variant and the reference), or one side that gives back the
        # mask exactly (the pixel-edge variant). Every variant is also compared with the
        # reference, so the cv2 variant is held to cv2's polygons.
        if len(got) != len(expected):
            return f"lengths differ: {len(got)} vs {len(expected)}"
        for i, (a, b) in enumerate(zip(got, expected)):
            if a != b and not exact(a, i) and not exact(b, i):
                return f"mask {i}: the polygons differ and neither gives back the mask: {short(a)} vs {short(b)}"
        return None

    return Workload(
        key="from_mask",
        label="from_mask",
        description=(
            f"{c.n_masks} masks {c.height}x{c.width} to COCO polygon lists: detectron2's "
            f"mask_to_polygons (cv2.findContours CCOMP/NONE, +0.5) vs polygon.from_mask "
            f"(pixel edges, checked to give back every mask exactly, holes filled, under pycocotools' "
            f"rule, which cv2's polygons do not; the cv2 variant gives cv2's polygons exactly)"
        ),
        reference=refs.bind("cv2", lambda cv: [_detectron2_polygons(cv, m) for m in d.masks_c]),
        variants=(
            Variant("polygon.from_mask", lambda: [polygon.from_mask(m) for m in d.masks_c]),
            Variant(
                "from_mask cv2",
                lambda: [polygon.from_mask(m, mode="ccomp", method="pixel_centers", offset=0.5) for m in d.masks_c],
            ),
        ),
        compare=compare,
        reference_name="cv2",
        domain=DOMAIN,
        missing_note=refs.note("cv2"),
    )


def _simplify(d: BenchData, refs: References) -> Workload:
    c = d.config

    @lru_cache(maxsize=1)
    def rings() -> List[List[float]]:
        # cv2.findContours(m, RETR_LIST, CHAIN_APPROX_SIMPLE)'s contours, as from_mask gives them.
        return [r for m in d.masks_c for r in polygon.from_mask(m, mode="list", method="simple", min_points=0)]

    @lru_cache(maxsize=1)
    def curves() -> List[np.ndarray]:
        return [np.array(r, np.int32).reshape(-1, 1, 2) for r in rings()]

    def flat(ring: Any) -> List[float]:
        return ring.reshape(-1).astype(float).tolist() if isinstance(ring, np.ndarray) else list(ring)

    def compare(got: Any, expected: Any) -> str | None:
        if len(got) != len(expected):
            return f"lengths differ: {len(got)} vs {len(expected)}"
        for i, (a, b) in enumerate(zip(got, expected)):
            if flat(a) != flat(b):
                return f"ring {i}: {short(flat(a))} != {short(flat(b))}"
        return None

    return Workload(
        key="simplify",
        label="simplify",
        description=(
            f"the cv2.findContours (LIST, SIMPLE) contours of the {c.n_masks} masks, simplified "
            f"with epsilon {EPSILON}: cv2.approxPolyDP(contour, eps, True) each vs polygon.simplify"
        ),
        reference=refs.bind("cv2", lambda cv: [cv.approxPolyDP(k, EPSILON, True) for k in curves()]),
        variants=(Variant("polygon.simplify", lambda: [polygon.simplify(r, EPSILON) for r in rings()]),),
        compare=compare,
        reference_name="cv2",
        domain=DOMAIN,
        missing_note=refs.note("cv2"),
    )


WORKLOADS = (_from_mask, _simplify)
