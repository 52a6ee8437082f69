"""maskkit.iou and maskkit.boxes next to the formulations they replace, on the bench's
C-ordered (N, H, W) mask stack and a second seeded stack of the same size.

pycocotools must encode C-ordered masks through a Fortran-ordered copy before its ``iou``;
the matmul formulation (supervision, ultralytics) multiplies float32 copies
(``a.reshape(N, -1).astype(np.float32) @ b.reshape(M, -1).T``), whose BLAS uses the threads
its environment allows (``OPENBLAS_NUM_THREADS=1`` for a single-thread comparison);
torchvision's ``masks_to_boxes`` is its loop over masks with ``nonzero`` transcribed to
NumPy (torchvision has no CPU wheel in the bench extra). boundary-iou-api's
``mask_to_boundary`` is its OpenCV formulation per mask (``copyMakeBorder``, ``erode`` with a
3 x 3 square ``d`` times, crop, subtract), and its Boundary IoU encodes every boundary with
pycocotools (``encode`` of a Fortran copy, as its annotation helpers do) before ``iou``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit import boxes, iou

from .compare import compare_arrays, compare_lists
from .data import BenchData, make_masks
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS", "boundary_iou_api_boundary", "torchvision_masks_to_boxes"]

DOMAIN = "iou"
_SECOND: dict[tuple[int, int, int], np.ndarray] = {}


def _second_stack(d: BenchData) -> np.ndarray:
    c = d.config
    key = (c.n_masks, c.height, c.width)
    if key not in _SECOND:
        _SECOND[key] = make_masks(*key, seed=7)
    return _SECOND[key]


def torchvision_masks_to_boxes(masks: np.ndarray) -> np.ndarray:
    """``torchvision.ops.masks_to_boxes`` in NumPy: one ``nonzero`` per mask, inclusive ends,
    float32, zeros for an empty mask."""
    if masks.size == 0:
        return np.zeros((0, 4), np.float32)
    out = np.zeros((masks.shape[0], 4), np.float32)
    for index, mask in enumerate(masks):
        y, x = np.nonzero(mask != 0)
        if len(x):
            out[index] = [x.min(), y.min(), x.max(), y.max()]
    return out


def _coco_iou(pc: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dt = pc.encode(np.asfortranarray(a.transpose(1, 2, 0)))
    gt = pc.encode(np.asfortranarray(b.transpose(1, 2, 0)))
    return np.ascontiguousarray(pc.iou(dt, gt, [0] * len(gt)))


def _mask_iou(d: BenchData, refs: References) -> Workload:
    a, b = d.masks_c, _second_stack(d)
    return Workload(
        key="mask_iou",
        label="mask_iou dense",
        description=f"{len(a)} x {len(b)} C-ordered masks; pycocotools: encode both (Fortran copies) + iou",
        reference=refs.bind("pycocotools.mask", lambda pc: _coco_iou(pc, a, b)),
        variants=(
            Variant("iou.mask_iou", lambda: iou.mask_iou(a, b)),
            Variant("mask_iou(BitMasks)", lambda: iou.mask_iou(iou.BitMasks.from_dense(a), iou.BitMasks.from_dense(b))),
        ),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=a.nbytes + b.nbytes,
        batched=True,
    )


def _mask_intersection(d: BenchData, refs: References) -> Workload:
    a, b = d.masks_c, _second_stack(d)
    flat_a, flat_b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return Workload(
        key="mask_matmul",
        label="intersections",
        description="the same pairs; reference: a.reshape(N,-1).astype(float32) @ b.reshape(M,-1).T (numpy BLAS)",
        reference=refs.bind("numpy", lambda np_: flat_a.astype(np_.float32) @ flat_b.T),
        variants=(Variant("iou.mask_intersection", lambda: iou.mask_intersection(a, b), lambda r: r.astype(np.float32)),),
        reference_name="numpy matmul",
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=a.nbytes + b.nbytes,
        batched=True,
    )


def _masks_to_boxes(d: BenchData, refs: References) -> Workload:
    a = d.masks_c
    return Workload(
        key="masks_to_boxes",
        label="masks_to_boxes",
        description=f"{len(a)} C-ordered masks; torchvision's loop (nonzero per mask) transcribed to NumPy",
        reference=refs.bind("numpy", lambda np_: torchvision_masks_to_boxes(a)),
        variants=(Variant("boxes.masks_to_boxes", lambda: boxes.masks_to_boxes(a)),),
        reference_name="torchvision loop",
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=a.nbytes,
        batched=True,
    )


def boundary_iou_api_boundary(cv2: Any, mask: np.ndarray, dilation_ratio: float = 0.02) -> np.ndarray:
    """boundary-iou-api's ``mask_to_boundary`` of one uint8 mask: a zero border of one pixel,
    ``d`` erosions by the 3 x 3 square (``d`` from the diagonal, at least 1), cropped back and
    subtracted from the mask."""
    h, w = mask.shape
    d = max(1, int(round(dilation_ratio * np.sqrt(h**2 + w**2))))
    padded = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    eroded: np.ndarray = cv2.erode(padded, np.ones((3, 3), np.uint8), iterations=d)
    boundary: np.ndarray = mask - eroded[1 : h + 1, 1 : w + 1]
    return boundary


def _mask_to_boundary(d: BenchData, refs: References) -> Workload:
    a = d.masks_c
    return Workload(
        key="mask_to_boundary",
        label="mask_to_boundary",
        description=f"{len(a)} C-ordered masks, dilation_ratio 0.02 (d = 16 at 480 x 640); boundary-iou-api's "
        "cv2 formulation per mask",
        reference=refs.bind("cv2", lambda cv2: [boundary_iou_api_boundary(cv2, m) for m in a]),
        variants=(Variant("iou.mask_to_boundary", lambda: iou.mask_to_boundary(a), list),),
        reference_name="boundary-iou-api",
        missing_note=refs.note("cv2"),
        domain=DOMAIN,
        compare=compare_lists(compare_arrays),
        nbytes=2 * a.nbytes,
        batched=True,
    )


def _boundary_iou_api(cv2: Any, pc: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    def rles(masks: np.ndarray) -> list[Any]:
        return [
            pc.encode(np.array(boundary_iou_api_boundary(cv2, m)[:, :, None], order="F", dtype="uint8"))[0]
            for m in masks
        ]

    dt, gt = rles(a), rles(b)
    return np.ascontiguousarray(pc.iou(dt, gt, [0] * len(gt)))


def _boundary_iou(d: BenchData, refs: References) -> Workload:
    a, b = d.masks_c, _second_stack(d)
    cv2, pc = refs.get("cv2"), refs.get("pycocotools.mask")
    return Workload(
        key="boundary_iou",
        label="boundary_iou",
        description=f"{len(a)} x {len(b)} C-ordered masks; boundary-iou-api: cv2 boundary per mask, "
        "pycocotools encode + iou",
        reference=None if cv2 is None or pc is None else (lambda: _boundary_iou_api(cv2, pc, a, b)),
        variants=(Variant("iou.boundary_iou", lambda: iou.boundary_iou(a, b)),),
        reference_name="boundary-iou-api",
        missing_note=refs.note("cv2" if cv2 is None else "pycocotools"),
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=a.nbytes + b.nbytes,
        batched=True,
    )


WORKLOADS = (_mask_iou, _mask_intersection, _masks_to_boxes, _mask_to_boundary, _boundary_iou)
