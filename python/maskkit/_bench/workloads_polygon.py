"""Polygon rasterization: COCO polygon annotations to RLE dicts and to dense masks, next to
pycocotools (``merge(frPyObjects(segm, h, w))``, as ``COCO.annToRLE``; ``decode`` of that, as
``COCO.annToMask``), and to masks by the pixel-centre rule next to rasterio (GDAL) and by
OpenCV's rule next to ``cv2.fillPoly``."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from maskkit import coco as mk
from maskkit import polygon

from .compare import compare_arrays, compare_lists, compare_rle_lists
from .data import BenchData, polygons_to_rles
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS"]

DOMAIN = "polygon"


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
            Variant(
                "polygon.to_rle",
                lambda: [polygon.to_rle(s, c.height, c.width) for s in d.polygons],
                to_reference=lambda batches: [b.to_coco()[0] for b in batches],
            ),
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
        variants=(
            Variant("coco", lambda: _annotations_to_masks(mk, segms(), c.height, c.width)),
            Variant(
                "polygon.to_mask",
                lambda: [polygon.to_mask(s, c.height, c.width) for s in segms()],
                to_reference=lambda masks: [np.asfortranarray(m) for m in masks],  # C-ordered by design
            ),
        ),
        compare=compare_lists(compare_arrays),
        domain=DOMAIN,
        missing_note=refs.note("pycocotools"),
    )


def _rasterio_masks(features: Any, segms: list[list[list[float]]], height: int, width: int) -> list[np.ndarray]:
    """``rasterio.features.rasterize`` of each annotation's parts, identity transform."""
    import warnings

    from affine import Affine

    masks = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NotGeoreferencedWarning
        for segm in segms:
            shapes = []
            for part in segm:
                ring = list(zip(part[0::2], part[1::2]))
                shapes.append(({"type": "Polygon", "coordinates": [ring + ring[:1]]}, 1))
            masks.append(features.rasterize(shapes, out_shape=(height, width), transform=Affine.identity(), dtype=np.uint8))
    return masks


def _rule_workload(
    d: BenchData, refs: References, rule: str, what: str, module: str, reference_name: str,
    masks_of: Callable[[Any, list[list[list[float]]], int, int], list[np.ndarray]],
) -> Workload:
    """The first ``n_polygon_masks`` annotations to dense masks by ``rule``, next to the tool
    whose rule it is (``masks_of(module, segms, h, w)``)."""
    c = d.config
    n = c.n_polygon_masks
    return Workload(
        key=f"polygon_{rule}",
        label=f"polygon to mask, {'centre' if rule == 'center' else 'OpenCV'} rule",
        description=f"the first {n} annotations to dense {c.height}x{c.width} masks by {what}",
        reference=refs.bind(module, lambda m: masks_of(m, d.polygons[:n], c.height, c.width)),
        variants=(Variant("polygon.to_mask", lambda: [polygon.to_mask(s, c.height, c.width, rule=rule) for s in d.polygons[:n]]),),
        compare=compare_lists(compare_arrays),
        reference_name=reference_name,
        domain=DOMAIN,
        missing_note=refs.note(module.split(".")[0]),
    )


def _center(d: BenchData, refs: References) -> Workload:
    return _rule_workload(
        d, refs, "center", "the pixel-centre rule: rasterio.features.rasterize of the parts (GDAL), identity transform",
        "rasterio.features", "rasterio", _rasterio_masks,
    )


def _fillpoly_masks(cv2: Any, segms: list[list[list[float]]], height: int, width: int) -> list[np.ndarray]:
    """ultralytics' ``polygon2mask``: the parts truncated to int32, one ``cv2.fillPoly`` call."""
    masks = []
    for segm in segms:
        mask = np.zeros((height, width), np.uint8)
        cv2.fillPoly(mask, [np.asarray(p).reshape(-1, 2).astype(np.int32) for p in segm], 1)
        masks.append(mask)
    return masks


def _opencv(d: BenchData, refs: References) -> Workload:
    return _rule_workload(
        d, refs, "opencv",
        "OpenCV's rule: cv2.fillPoly of the parts' int32-truncated vertices in one call (ultralytics' polygon2mask)",
        "cv2", "cv2.fillPoly", _fillpoly_masks,
    )


WORKLOADS = (_frpyobjects, _to_mask, _center, _opencv)
