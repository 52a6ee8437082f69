"""Polygon rasterization: COCO polygon annotations to RLE dicts and to dense masks, next to
pycocotools (``merge(frPyObjects(segm, h, w))``, as ``COCO.annToRLE``; ``decode`` of that, as
``COCO.annToMask``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit import coco as mk
from maskkit import rle

from .compare import compare_arrays, compare_lists, compare_rle_lists
from .data import BenchData, polygons_to_rles
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS"]

DOMAIN = "polygon"


def _from_polygons(segms: list[list[list[float]]], height: int, width: int) -> list[dict[str, Any]]:
    """maskkit.rle's rasterizer: every part of every annotation in one call, then the parts of
    each multi-part annotation merged (pycocotools' merge of one RLE is that RLE)."""
    parts = rle.from_polygons([p for s in segms for p in s], height, width).to_coco()
    out, start = [], 0
    for s in segms:
        out.append(parts[start] if len(s) == 1 else mk.merge(parts[start : start + len(s)]))
        start += len(s)
    return out


def _frpyobjects(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="frpyobjects",
        label="frPyObjects",
        description=(
            f"{c.n_polygons} COCO polygon annotations on {c.height}x{c.width} (1-3 parts, "
            f"10-120 vertices): merge(frPyObjects(segm, h, w)) each, as COCO.annToRLE"
        ),
        reference=refs.bind("pycocotools.mask", lambda pc: polygons_to_rles(pc, d.polygons, c.height, c.width)),
        variants=(
            Variant("coco", lambda: polygons_to_rles(mk, d.polygons, c.height, c.width)),
            Variant("rle.from_polygons (batch)", lambda: _from_polygons(d.polygons, c.height, c.width)),
        ),
        compare=compare_rle_lists,
        domain=DOMAIN,
        missing_note=refs.note("pycocotools"),
    )


def _annotations_to_masks(module: Any, segms: list[list[list[float]]], height: int, width: int) -> list[np.ndarray]:
    """``COCO.annToMask``: ``decode(merge(frPyObjects(segm, h, w)))`` each, (H, W) Fortran order."""
    return [module.decode(module.merge(module.frPyObjects(s, height, width))) for s in segms]


def _to_mask(d: BenchData, refs: References) -> Workload:
    c = d.config
    n = c.n_polygon_masks

    def segms() -> list[list[list[float]]]:
        return d.polygons[:n]

    return Workload(
        key="polygon_to_mask",
        label="polygon to mask",
        description=(
            f"the first {n} of those annotations to dense {c.height}x{c.width} masks: "
            "decode(merge(frPyObjects(segm, h, w))) each, as COCO.annToMask"
        ),
        reference=refs.bind("pycocotools.mask", lambda pc: _annotations_to_masks(pc, segms(), c.height, c.width)),
        variants=(Variant("coco", lambda: _annotations_to_masks(mk, segms(), c.height, c.width)),),
        compare=compare_lists(compare_arrays),
        domain=DOMAIN,
        missing_note=refs.note("pycocotools"),
    )


WORKLOADS = (_frpyobjects, _to_mask)
