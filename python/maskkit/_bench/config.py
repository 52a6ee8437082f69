"""Sizes of the generated data and how long each measurement runs: :data:`FULL` and :data:`QUICK`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FULL", "QUICK", "BenchConfig"]


@dataclass(frozen=True)
class BenchConfig:
    """Sizes of the generated data and how long each measurement runs.

    Parameters
    ----------
    n_masks, height, width
        The mask stack of the encode/decode and dialect workloads: ``n_masks`` masks of
        ``height x width``.
    n_polygons
        COCO polygon annotations rasterized by the ``frPyObjects`` workload.
    n_polygon_masks
        Of those, the annotations rasterized to dense masks by ``polygon to mask``.
    n_real
        Real-shaped COCO annotations (about 7 per 480x640 image) of the ``(real)`` workloads.
    n_iou
        Detections and ground truths of the ``iou`` workload (an ``n_iou x n_iou`` matrix).
    n_area
        RLEs of the ``area+toBbox`` workload.
    n_merge
        Merges (of 2 or 3 RLEs each) in the ``merge`` workload.
    target_s
        Seconds each measurement aims to run (the repeat count is derived from a warm-up).
    min_repeats, max_repeats
        Bounds on the number of timed runs whose median is reported.
    cc_side
        Side of the square 2-D binary images of the connected-components workloads
        (``cc_blobs``, ``cc_noise``, ``cc_stats``); the COCO-like ``cc_coco`` mask is
        ``height x width``.
    cc_multi_side
        Side of the square multilabel image of ``cc_multilabel``.
    cc_volume_side
        Side of the cubic volume of ``cc_3d`` and ``cc_3d6``.
    n_panoptic
        Image pairs (``height x width``) of the panoptic-quality workloads.
    seed
        Seed of every generator.
    """

    n_masks: int = 100
    height: int = 480
    width: int = 640
    n_polygons: int = 500
    n_polygon_masks: int = 100
    n_real: int = 2000
    n_iou: int = 300
    n_area: int = 1000
    n_merge: int = 300
    target_s: float = 0.8
    min_repeats: int = 7
    max_repeats: int = 300
    cc_side: int = 4096
    cc_multi_side: int = 2048
    cc_volume_side: int = 256
    n_panoptic: int = 40
    seed: int = 0


FULL = BenchConfig()
QUICK = BenchConfig(
    n_masks=10,
    height=120,
    width=160,
    n_polygons=40,
    n_polygon_masks=10,
    n_real=60,
    n_iou=30,
    n_area=100,
    n_merge=30,
    target_s=0.01,
    min_repeats=3,
    max_repeats=20,
    cc_side=256,
    cc_multi_side=128,
    cc_volume_side=32,
    n_panoptic=3,
)
