"""maskkit.iou and maskkit.boxes next to the formulations they replace, on the bench's
C-ordered (N, H, W) mask stack and a second seeded stack of the same size.

pycocotools must encode C-ordered masks through a Fortran-ordered copy before its ``iou``;
the matmul formulation (supervision, ultralytics) multiplies float32 copies
(``a.reshape(N, -1).astype(np.float32) @ b.reshape(M, -1).T``), whose BLAS uses the threads
its environment allows (``OPENBLAS_NUM_THREADS=1`` for a single-thread comparison);
torchvision's ``masks_to_boxes`` is its loop over masks with ``nonzero`` transcribed to
NumPy (torchvision has no CPU wheel in the bench extra). The NMS and paste rows time the NumPy
transcriptions of :mod:`maskkit._bench.nms_ports` (supervision's mask NMS as it is; mmdet's
Matrix NMS and detectron2's paste in place of their torch code, which the bench extra lacks) on
clusters of overlapping detections. boundary-iou-api's ``mask_to_boundary`` is its OpenCV
formulation per mask (``copyMakeBorder``, ``erode`` with a
3 x 3 square ``d`` times, crop, subtract), and its Boundary IoU encodes every boundary with
pycocotools (``encode`` of a Fortran copy, as its annotation helpers do) before ``iou``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit import boxes, iou

from . import nms_ports
from .compare import compare_arrays, compare_lists, compare_sequences
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


_CLUSTERS: dict[tuple[int, int, int], np.ndarray] = {}


def _clusters(n: int, h: int, w: int) -> np.ndarray:
    """n detections of h x w: each of n // 4 seeded masks four times, shifted by up to 4 pixels
    (the overlapping candidates NMS sorts out)."""
    key = (n, h, w)
    if key not in _CLUSTERS:
        base = make_masks(max(1, n // 4), h, w, seed=11)
        rng = np.random.default_rng(12)
        out = np.zeros((n, h, w), np.uint8)
        for i in range(n):
            dy, dx = (int(v) for v in rng.integers(-4, 5, 2))
            src = base[i % len(base)]
            out[i, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = src[
                max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
            ]
        _CLUSTERS[key] = out
    return _CLUSTERS[key]


def _flags(kept: np.ndarray, n: int) -> np.ndarray:
    flags = np.zeros(n, bool)
    flags[kept] = True
    return flags


def _mask_nms(d: BenchData, refs: References) -> Workload:
    c = d.config
    masks = _clusters(2 * c.n_masks, c.height, c.width)
    rng = np.random.default_rng(13)
    n = len(masks)
    scores, labels = rng.random(n), rng.integers(0, 3, n)
    return Workload(
        key="mask_nms",
        label="mask_nms",
        description=f"{n} overlapping {c.height}x{c.width} detections, 3 labels, IoU > 0.5; supervision's "
        "mask_non_max_suppression (float32 matmul IoU + greedy loop, no resize)",
        reference=refs.bind("numpy", lambda np_: nms_ports.mask_non_max_suppression(masks, scores, 0.5, labels)),
        variants=(Variant("iou.mask_nms", lambda: iou.mask_nms(masks, scores, labels=labels), lambda k: _flags(k, n)),),
        reference_name="supervision NMS",
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=masks.nbytes,
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


def _matrix_nms(d: BenchData, refs: References) -> Workload:
    c = d.config
    masks = _clusters(5 * c.n_masks, c.height * 5 // 12, c.width * 21 // 40)
    rng = np.random.default_rng(14)
    n = len(masks)
    scores, labels = rng.random(n).astype(np.float32), rng.integers(0, 3, n)
    return Workload(
        key="matrix_nms",
        label="matrix_nms",
        description=f"{n} overlapping {masks.shape[1]}x{masks.shape[2]} masks (SOLOv2's nms_pre=500 at 1/4 "
        "resolution), 3 labels, gaussian; mmdet's mask_matrix_nms in NumPy float32 (matmul of the flattened masks)",
        reference=refs.bind("numpy", lambda np_: nms_ports.mask_matrix_nms(masks, labels, scores)),
        variants=(Variant("iou.matrix_nms", lambda: iou.matrix_nms(masks, labels, scores)),),
        reference_name="mmdet (NumPy)",
        domain=DOMAIN,
        compare=compare_sequences(compare_arrays, compare_arrays, compare_arrays, compare_arrays),
        nbytes=masks.nbytes,
        batched=True,
    )


def _paste(d: BenchData, refs: References) -> Workload:
    c = d.config
    n, h, w = c.n_masks, c.height, c.width
    rng = np.random.default_rng(15)
    soft = rng.random((n, 28, 28)).astype(np.float32)
    soft[soft < 0.3] = 0
    size = rng.uniform(0.02, 0.4, (n, 2)) * (w, h)
    corner = rng.uniform(-0.05, 1.0, (n, 2)) * (w, h)
    box = np.concatenate([corner, corner + size], 1).astype(np.float32)
    return Workload(
        key="paste_masks",
        label="paste_masks_in_image",
        description=f"{n} 28x28 float32 masks into {h}x{w}; detectron2's CPU paste (per-box grid_sample) "
        "transcribed to NumPy float32",
        reference=refs.bind("numpy", lambda np_: nms_ports.paste_masks_in_image(soft, box, h, w)),
        variants=(Variant("boxes.paste_masks_in_image", lambda: boxes.paste_masks_in_image(soft, box, (h, w))),),
        reference_name="detectron2 (NumPy)",
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=n * h * w,
        batched=True,
    )


WORKLOADS = (
    _mask_iou, _mask_intersection, _masks_to_boxes, _mask_nms, _matrix_nms, _paste, _mask_to_boundary, _boundary_iou,
)
