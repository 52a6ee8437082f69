"""The pycocotools.mask API: maskkit.coco (and maskkit.rle where it computes the same) next to
pycocotools on the same RLE dicts, masks and annotations.

The ``(real)`` workloads run on annotations shaped like COCO's (see
:func:`maskkit._bench.coco_annotations.coco_like_annotations`): what ``COCO.annToRLE`` and ``COCO.loadRes``
do for each annotation of a dataset.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit import coco as mk
from maskkit import rle

from .compare import compare_area_bbox_each, compare_arrays, compare_rle_lists, compare_sequences
from .data import BenchData, ann_to_rle
from .references import References
from .workload import Variant, Workload
from .workloads_rle import to_coco

__all__ = ["WORKLOADS"]

DOMAIN = "coco"


def _encode_f(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="encode_f",
        label="encode F",
        description=f"{c.n_masks} masks {c.height}x{c.width}, (H,W,N) Fortran order -> RLE dicts",
        reference=refs.bind("pycocotools.mask", lambda pc: pc.encode(d.masks_f)),
        variants=(
            Variant("coco.encode", lambda: mk.encode(d.masks_f)),
            Variant("rle.encode HWN", lambda: rle.encode(d.masks_f, layout="HWN"), to_coco),
        ),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_rle_lists,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


def _decode(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="decode",
        label="decode",
        description="RLE dicts of those masks -> (H,W,N) Fortran-ordered uint8",
        reference=refs.bind("pycocotools.mask", lambda pc: pc.decode(d.rles)),
        variants=(
            Variant("coco.decode", lambda: mk.decode(d.rles)),
        ),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


def _iou(d: BenchData, refs: References) -> Workload:
    c = d.config
    n = c.n_iou

    def batches() -> tuple[rle.RleBatch, rle.RleBatch]:
        return rle.RleBatch.from_coco(d.dt_rles[:n]), rle.RleBatch.from_coco(d.gt_rles[:n])

    pre: dict[str, tuple[rle.RleBatch, rle.RleBatch]] = {}

    def batch_iou() -> np.ndarray:
        if "b" not in pre:
            pre["b"] = batches()
        return rle.iou(pre["b"][0], pre["b"][1], d.iscrowd)

    return Workload(
        key="iou",
        label="iou",
        description=f"{n}x{n} RLE dicts {c.height}x{c.width} (overlapping objects), ~10% crowd",
        reference=refs.bind("pycocotools.mask", lambda pc: pc.iou(d.dt_rles[:n], d.gt_rles[:n], d.iscrowd)),
        variants=(
            Variant("coco.iou", lambda: mk.iou(d.dt_rles[:n], d.gt_rles[:n], d.iscrowd)),
            Variant("rle.iou (batch)", batch_iou, np.asfortranarray),
        ),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_arrays,
    )


# pycocotools 2.0.11 builds area()'s result with ``np.array((n,), dtype=np.uint8)``, which
# raises OverflowError on numpy >= 2 for lists of 256 RLEs or more: both sides get chunks.
_AREA_CHUNK = 250


def _area_bbox(module: Any, rles: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """``area(chunk)`` and ``toBbox(chunk)`` over chunks of :data:`_AREA_CHUNK` RLE dicts."""
    chunks = [rles[i : i + _AREA_CHUNK] for i in range(0, len(rles), _AREA_CHUNK)]
    areas = [module.area(chunk) for chunk in chunks]
    boxes = [module.toBbox(chunk) for chunk in chunks]
    return np.concatenate(areas), np.concatenate(boxes)


def _area_bbox_each(module: Any, rles: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """``area(rle)``, ``toBbox(rle)`` per annotation, as ``COCO.loadRes`` does."""
    return [(module.area(r), module.toBbox(r)) for r in rles]


def _area_tobbox(d: BenchData, refs: References) -> Workload:
    c = d.config
    pre: dict[str, rle.RleBatch] = {}

    def batch_area_bbox() -> tuple[np.ndarray, np.ndarray]:
        if "b" not in pre:
            pre["b"] = rle.RleBatch.from_coco(d.area_rles)
        return rle.area(pre["b"]), rle.to_bbox(pre["b"])

    def as_coco(result: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return result[0].astype(np.uint32), result[1]

    return Workload(
        key="area_tobbox",
        label="area+toBbox",
        description=(
            f"area(rles); toBbox(rles) on {c.n_area} RLE dicts {c.height}x{c.width}, in lists of "
            f"{_AREA_CHUNK} (pycocotools' area() raises OverflowError for > 255 on numpy >= 2); "
            f"'(batch)' = one pre-parsed RleBatch"
        ),
        reference=refs.bind("pycocotools.mask", lambda pc: _area_bbox(pc, d.area_rles)),
        variants=(
            Variant("coco", lambda: _area_bbox(mk, d.area_rles)),
            Variant("rle (batch)", batch_area_bbox, as_coco),
        ),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_sequences(compare_arrays, compare_arrays),
    )


def _area_tobbox_each(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="area_tobbox_each",
        label="area+toBbox each",
        description=f"area(rle); toBbox(rle) per RLE dict, as COCO.loadRes, on the same {c.n_area} RLEs",
        reference=refs.bind("pycocotools.mask", lambda pc: _area_bbox_each(pc, d.area_rles)),
        variants=(Variant("coco", lambda: _area_bbox_each(mk, d.area_rles)),),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_area_bbox_each,
    )


def _merge_all(module: Any, groups: list[tuple[list[dict[str, Any]], int]]) -> list[dict[str, Any]]:
    return [module.merge(g, intersect=flag) for g, flag in groups]


def _merge(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="merge",
        label="merge",
        description=f"{c.n_merge} merges of 2-3 overlapping RLE dicts (every 5th an intersection)",
        reference=refs.bind("pycocotools.mask", lambda pc: _merge_all(pc, d.merge_groups)),
        variants=(Variant("coco.merge", lambda: _merge_all(mk, d.merge_groups)),),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_rle_lists,
    )


def _real_ann_to_rle(d: BenchData, refs: References) -> Workload:
    n = d.config.n_real
    return Workload(
        key="real_ann_to_rle",
        label="frPyObjects+merge (real)",
        description=(
            f"COCO.annToRLE on {n} annotations shaped like COCO val's (its image sizes, ~7 per image; "
            "86% one polygon of ~21 points, 13% 2-4 polygons, 1% crowd uncompressed RLE): "
            "merge(frPyObjects(segm, h, w)) each"
        ),
        reference=refs.bind("pycocotools.mask", lambda pc: [ann_to_rle(pc, a) for a in d.real_annotations]),
        variants=(Variant("coco", lambda: [ann_to_rle(mk, a) for a in d.real_annotations]),),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_rle_lists,
    )


def _real_area_tobbox(d: BenchData, refs: References) -> Workload:
    n = d.config.n_real
    return Workload(
        key="real_area_tobbox",
        label="area+toBbox (real)",
        description=f"area(rles); toBbox(rles) on the RLE dicts of those {n} annotations, in lists of {_AREA_CHUNK}",
        reference=refs.bind("pycocotools.mask", lambda pc: _area_bbox(pc, d.real_rles)),
        variants=(Variant("coco", lambda: _area_bbox(mk, d.real_rles)),),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_sequences(compare_arrays, compare_arrays),
    )


WORKLOADS = (
    _encode_f,
    _decode,
    _iou,
    _area_tobbox,
    _area_tobbox_each,
    _merge,
    _real_ann_to_rle,
    _real_area_tobbox,
)
