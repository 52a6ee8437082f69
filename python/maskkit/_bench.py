"""Benchmark engine behind ``maskkit bench`` and ``benchmarks/``.

Every workload runs maskkit next to the reference it replaces (``pycocotools.mask``) on the
same seeded, COCO-like data. Before anything is timed, maskkit's result is compared with the
reference's (bytes and arrays exactly equal) and with its own result at the other thread
count. Times are medians of repeated ``time.perf_counter`` runs with the garbage collector
paused, at one thread and at all cores. Ratios are ``reference time / maskkit time``; they are
measured, never assumed.

Only numpy and maskkit are needed: the data are generated here, and when pycocotools is not
installed its rows say so and maskkit's times still print.

Examples
--------
>>> from maskkit import _bench
>>> rows = _bench.run_bench(quick=True, workloads=["area+toBbox"])  # doctest: +SKIP
>>> rows[0]["label"], rows[0]["parity"]  # doctest: +SKIP
('area+toBbox', 'equal')
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import math
import os
import platform
import re
import time
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
from types import ModuleType
from typing import Any, Callable

import numpy as np

import maskkit
from maskkit import coco as mk
from maskkit import rle

__all__ = [
    "FULL",
    "QUICK",
    "REFERENCE_DISABLED",
    "REFERENCE_MISSING",
    "BenchConfig",
    "BenchData",
    "CCReference",
    "Labeling",
    "ParityError",
    "Timed",
    "Timing",
    "Variant",
    "Workload",
    "build_cc_workloads",
    "build_workloads",
    "cc_input",
    "cc_references",
    "compare_area_bbox_each",
    "compare_arrays",
    "compare_labelings",
    "compare_rle_lists",
    "compare_rles",
    "compare_sequences",
    "format_report",
    "load_cc_module",
    "load_reference",
    "make_blobs",
    "make_masks",
    "make_multilabel",
    "make_noise",
    "make_polygon_annotations",
    "measure",
    "measure_interleaved",
    "measure_memory",
    "normalize_workload_names",
    "run_bench",
    "run_report",
    "smooth_field",
    "workload_keys",
]

REFERENCE_MISSING = "pycocotools not installed: reference skipped"
REFERENCE_DISABLED = "pycocotools not used (use_reference=False / --no-reference): reference skipped"
_PYCOCOTOOLS_NUMPY2_WARNING = "__array__ implementation doesn't accept a copy keyword"

Row = dict[str, Any]


# ----------------------------------------------------------------------------------------------
# configuration
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BenchConfig:
    """Sizes of the generated data and how long each measurement runs.

    Parameters
    ----------
    n_masks, height, width
        The mask stack of the encode/decode workloads: ``n_masks`` masks of ``height x width``.
    n_polygons
        COCO polygon annotations rasterized by the ``frPyObjects`` workload.
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
    seed
        Seed of every generator.
    """

    n_masks: int = 100
    height: int = 480
    width: int = 640
    n_polygons: int = 500
    n_iou: int = 300
    n_area: int = 1000
    n_merge: int = 300
    target_s: float = 0.8
    min_repeats: int = 7
    max_repeats: int = 300
    cc_side: int = 4096
    cc_multi_side: int = 2048
    cc_volume_side: int = 256
    seed: int = 0


FULL = BenchConfig()
QUICK = BenchConfig(
    n_masks=10,
    height=120,
    width=160,
    n_polygons=40,
    n_iou=30,
    n_area=100,
    n_merge=30,
    target_s=0.01,
    min_repeats=3,
    max_repeats=20,
    cc_side=256,
    cc_multi_side=128,
    cc_volume_side=32,
)


class ParityError(AssertionError):
    """maskkit's result differs from the reference's (or between thread counts)."""


# ----------------------------------------------------------------------------------------------
# data generators (numpy only)
# ----------------------------------------------------------------------------------------------
def _radius(rng: np.random.Generator, height: int, width: int) -> float:
    """A COCO-like object scale: many small objects, some medium, a few large."""
    side = min(height, width)
    kind = rng.choice(3, p=[0.4, 0.4, 0.2])
    low, high = [(0.01, 0.05), (0.05, 0.19), (0.19, 0.55)][kind]
    return float(rng.uniform(low, high) * side)


def _center(rng: np.random.Generator, height: int, width: int, r: float) -> tuple[float, float]:
    """A blob center that keeps a blob of radius ``r`` inside the image, except that about one
    blob in six is moved onto a border so it touches or crosses it."""
    cy = rng.uniform(min(r, height / 2), max(height - r, height / 2))
    cx = rng.uniform(min(r, width / 2), max(width - r, width / 2))
    if rng.random() < 0.15:
        if rng.random() < 0.5:
            cy = float(rng.choice([0.0, height - 1.0]))
        else:
            cx = float(rng.choice([0.0, width - 1.0]))
    return float(cy), float(cx)


def _window(cy: float, cx: float, r: float, height: int, width: int) -> tuple[slice, slice]:
    y0, y1 = max(int(cy - r) - 1, 0), min(int(cy + r) + 2, height)
    x0, x1 = max(int(cx - r) - 1, 0), min(int(cx + r) + 2, width)
    return slice(y0, max(y0, y1)), slice(x0, max(x0, x1))


def _ellipse(
    shape: tuple[int, int], rng: np.random.Generator, cy: float, cx: float, r: float
) -> tuple[tuple[slice, slice], np.ndarray]:
    """A rotated ellipse of major radius ``r``: (window, boolean mask inside the window)."""
    ys, xs = _window(cy, cx, r, *shape)
    a, b = r, r * float(rng.uniform(0.3, 1.0))
    theta = float(rng.uniform(0.0, math.pi))
    yy, xx = np.mgrid[ys, xs]
    dy, dx = yy - cy, xx - cx
    u = dx * math.cos(theta) + dy * math.sin(theta)
    v = -dx * math.sin(theta) + dy * math.cos(theta)
    return (ys, xs), (u / a) ** 2 + (v / b) ** 2 <= 1.0


def _star_vertices(rng: np.random.Generator, cy: float, cx: float, r: float, k: int) -> np.ndarray:
    """``k`` vertices (x, y) of a star-shaped polygon of radius about ``r`` around the center."""
    angles = np.sort(rng.uniform(0.0, 2.0 * math.pi, k))
    radii = r * rng.uniform(0.45, 1.0, k)
    return np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)


def _polygon(
    shape: tuple[int, int], rng: np.random.Generator, cy: float, cx: float, r: float
) -> tuple[tuple[slice, slice], np.ndarray]:
    """A random star polygon filled with the even-odd rule at pixel centers."""
    ys, xs = _window(cy, cx, r, *shape)
    verts = _star_vertices(rng, cy, cx, r, int(rng.integers(5, 17)))
    yy, xx = np.mgrid[ys, xs]
    px, py = xx + 0.5, yy + 0.5
    inside = np.zeros(px.shape, bool)
    for (x0, y0), (x1, y1) in zip(verts, np.roll(verts, -1, axis=0)):
        if y0 == y1:
            continue
        crosses = (y0 <= py) != (y1 <= py)
        x_at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (px < x_at)
    return (ys, xs), inside


def _draw_blob(mask: np.ndarray, rng: np.random.Generator) -> None:
    """OR one ellipse or polygon (sometimes with an elliptic hole) into ``mask``."""
    height, width = mask.shape
    r = max(_radius(rng, height, width), 1.5)
    cy, cx = _center(rng, height, width, r)
    draw = _ellipse if rng.random() < 0.5 else _polygon
    (ys, xs), inside = draw((height, width), rng, cy, cx, r)
    mask[ys, xs] |= inside.astype(np.uint8)
    if r > 8 and rng.random() < 0.15:
        (hy, hx), hole = _ellipse((height, width), rng, cy, cx, r * float(rng.uniform(0.2, 0.45)))
        mask[hy, hx] &= ~hole.astype(np.uint8) & 1


def make_masks(n: int, height: int, width: int, seed: int = 0) -> np.ndarray:
    """Seeded COCO-like binary masks.

    Each mask holds one to three blobs (rotated ellipses or star polygons, small to large,
    some with holes, about one in six touching or crossing the image border).

    Parameters
    ----------
    n, height, width
        Number and size of the masks.
    seed
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    numpy.ndarray
        ``(n, height, width)`` uint8 of 0/1, C-ordered.

    Examples
    --------
    >>> from maskkit._bench import make_masks
    >>> m = make_masks(3, 48, 64, seed=1)
    >>> m.shape, m.dtype.name, bool(m.max() == 1)
    ((3, 48, 64), 'uint8', True)
    """
    rng = np.random.default_rng(seed)
    out = np.zeros((n, height, width), np.uint8)
    for i in range(n):
        while True:
            for _ in range(int(rng.integers(1, 4))):
                _draw_blob(out[i], rng)
            if out[i].any():
                break
    return out


def _outline_vertices(rng: np.random.Generator, cy: float, cx: float, r: float, k: int) -> np.ndarray:
    """``k`` vertices (x, y) tracing a smooth, irregular, object-like outline of radius ~``r``."""
    theta = (np.arange(k) + rng.uniform(-0.3, 0.3, k)) * (2.0 * math.pi / k)
    radius = np.ones(k)
    for harmonic in (1, 2, 3, 5):
        radius += rng.uniform(0.0, 0.3 / harmonic) * np.cos(harmonic * theta + rng.uniform(0, 2 * math.pi))
    radius = r * np.clip(radius + rng.normal(0.0, 0.03, k), 0.2, None)
    aspect, tilt = float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.0, math.pi))
    u, v = radius * np.cos(theta), aspect * radius * np.sin(theta)
    x = cx + u * math.cos(tilt) - v * math.sin(tilt)
    y = cy + u * math.sin(tilt) + v * math.cos(tilt)
    return np.stack([x, y], axis=1)


def _coco_part(rng: np.random.Generator, cy: float, cx: float, r: float, height: int, width: int) -> list[float]:
    """One polygon part as COCO stores it: flat ``[x0, y0, ...]`` floats with two decimals."""
    k = int(rng.integers(10, 121))
    verts = _outline_vertices(rng, cy, cx, r, k)
    verts[:, 0] = np.clip(verts[:, 0], 0.0, width)
    verts[:, 1] = np.clip(verts[:, 1], 0.0, height)
    return [float(v) for v in np.round(verts, 2).ravel()]


def make_polygon_annotations(n: int, height: int, width: int, seed: int = 0) -> list[list[list[float]]]:
    """Seeded COCO polygon ``segmentation`` lists.

    Each annotation has one to three parts (weights 70/20/10 %), each part 10 to 120
    vertices, coordinates as COCO stores them (floats rounded to 2 decimals, inside
    ``[0, width] x [0, height]``).

    Examples
    --------
    >>> from maskkit._bench import make_polygon_annotations
    >>> segs = make_polygon_annotations(2, 480, 640, seed=3)
    >>> len(segs), all(len(p) >= 20 and len(p) % 2 == 0 for s in segs for p in s)
    (2, True)
    """
    rng = np.random.default_rng(seed)
    annotations = []
    for _ in range(n):
        parts = int(rng.choice([1, 2, 3], p=[0.7, 0.2, 0.1]))
        cy, cx = rng.uniform(0.0, height), rng.uniform(0.0, width)
        r = max(_radius(rng, height, width), 3.0)
        segm = []
        for p in range(parts):
            oy, ox = (0.0, 0.0) if p == 0 else rng.normal(0.0, r, 2)
            segm.append(_coco_part(rng, cy + oy, cx + ox, r / (1 + p), height, width))
        annotations.append(segm)
    return annotations


def _jitter(segm: list[list[float]], rng: np.random.Generator, height: int, width: int) -> list[list[float]]:
    """A detection-like copy of an annotation: shifted and scaled about its first vertex."""
    scale = float(rng.uniform(0.8, 1.2))
    shift = rng.normal(0.0, 6.0, 2)
    out = []
    for part in segm:
        xy = np.asarray(part).reshape(-1, 2)
        xy = (xy - xy[0]) * scale + xy[0] + shift
        xy[:, 0] = np.clip(xy[:, 0], 0.0, width)
        xy[:, 1] = np.clip(xy[:, 1], 0.0, height)
        out.append([float(v) for v in np.round(xy, 2).ravel()])
    return out


def _polygons_to_rles(segms: Sequence[list[list[float]]], height: int, width: int) -> list[dict[str, Any]]:
    """``COCO.annToRLE`` for polygon annotations (run with maskkit; parity is its own workload)."""
    return [mk.merge(mk.frPyObjects(s, height, width)) for s in segms]


# Smooth random fields for the connected-components inputs (numpy only): white noise blurred
# by three box filters per axis, which approximates a Gaussian of the given sigma (Kovesi's
# widths). The research note's inputs use scipy.ndimage.gaussian_filter; these have the same
# statistics (object scale, density) without needing scipy.
def _box_widths(sigma: float, passes: int = 3) -> list[int]:
    """Odd box widths whose ``passes`` successive box filters have standard deviation ~``sigma``."""
    ideal = math.sqrt(12.0 * sigma * sigma / passes + 1.0)
    low = int(ideal)
    low -= 1 if low % 2 == 0 else 0
    low = max(low, 1)
    high = low + 2
    m = round((12.0 * sigma * sigma - passes * low * low - 4 * passes * low - 3 * passes) / (-4.0 * low - 4.0))
    return [low if i < m else high for i in range(passes)]


def _box_filter(a: np.ndarray, width: int, axis: int) -> np.ndarray:
    """Mean over a centered window of odd ``width`` along ``axis``, borders reflected."""
    r = width // 2
    n = a.shape[axis]
    pad = [(0, 0)] * a.ndim
    pad[axis] = (r + 1, r)
    c = np.pad(a, pad, mode="reflect")
    if axis == a.ndim - 1:
        c = np.cumsum(c, axis=axis, dtype=np.float32)
    else:  # numpy's strided cumsum along an outer axis is slow: add whole slices instead
        v = np.moveaxis(c, axis, 0)
        for i in range(1, v.shape[0]):
            v[i] += v[i - 1]
    hi = [slice(None)] * a.ndim
    lo = [slice(None)] * a.ndim
    hi[axis], lo[axis] = slice(width, width + n), slice(0, n)
    out = c[tuple(hi)]
    out -= c[tuple(lo)]
    out *= np.float32(1.0 / width)
    return out


def smooth_field(shape: tuple[int, ...], sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian-like smoothed white noise (float32) of ``shape``.

    Parameters
    ----------
    shape
        Output shape (any number of axes).
    sigma
        Blur scale in pixels (three box filters per axis; borders reflected).
    rng
        Source of the white noise.

    Examples
    --------
    >>> import numpy as np
    >>> from maskkit._bench import smooth_field
    >>> f = smooth_field((64, 80), 3.0, np.random.default_rng(0))
    >>> f.shape, f.dtype.name
    ((64, 80), 'float32')
    """
    field = rng.standard_normal(shape, dtype=np.float32)
    for width in _box_widths(sigma):
        for axis in range(field.ndim):
            if field.shape[axis] > width // 2 + 1:  # reflect padding needs a longer axis
                field = _box_filter(field, width, axis)
    return field


def make_blobs(shape: tuple[int, ...], sigma: float, density: float, seed: int = 0) -> np.ndarray:
    """Seeded binary blobs: a smooth field thresholded so that ``density`` of the pixels are set.

    The research note's inputs: 4096² ``sigma=4, density=0.4`` ("blobs"), 480×640
    ``sigma=20, density=0.2`` (a COCO-like object mask), 256³ ``sigma=2, density=0.3``.

    Returns
    -------
    numpy.ndarray
        uint8 0/1 of ``shape``, C-ordered.

    Examples
    --------
    >>> from maskkit._bench import make_blobs
    >>> b = make_blobs((64, 64), 2.0, 0.4, seed=1)
    >>> b.dtype.name, abs(float(b.mean()) - 0.4) < 0.01
    ('uint8', True)
    """
    field = smooth_field(shape, sigma, np.random.default_rng(seed))
    blobs: np.ndarray = (field > np.percentile(field, 100.0 * (1.0 - density))).astype(np.uint8)
    return blobs


def make_noise(shape: tuple[int, ...], density: float = 0.5, seed: int = 0) -> np.ndarray:
    """Seeded uniform noise: each pixel set with probability ``density`` (uint8 0/1)."""
    return (np.random.default_rng(seed).random(shape) < density).astype(np.uint8)


def _interpolation_matrix(n_out: int, n_in: int) -> np.ndarray:
    """``(n_out, n_in)`` float32 matrix of linear interpolation (pixel centers aligned)."""
    x = np.clip((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0, n_in - 1.0)
    lo = np.minimum(x.astype(np.intp), max(n_in - 2, 0))
    w = (x - lo).astype(np.float32)
    r = np.zeros((n_out, n_in), np.float32)
    rows = np.arange(n_out)
    r[rows, lo] = 1.0 - w
    r[rows, np.minimum(lo + 1, n_in - 1)] += w
    return r


def make_multilabel(side: int, classes: int = 20, background: float = 0.35, seed: int = 0) -> np.ndarray:
    """Seeded ``side x side`` class map: touching regions of ``classes`` values and a background.

    Each pixel takes the class whose smooth field (sigma 2 on a ``side/32`` grid, linearly
    upsampled) is highest; the ``background`` fraction where another smooth field (sigma 8)
    is lowest is set to 0. This is the research note's "multi" input.

    Returns
    -------
    numpy.ndarray
        uint8 in ``0..classes``, C-ordered.

    Examples
    --------
    >>> from maskkit._bench import make_multilabel
    >>> m = make_multilabel(128, classes=5, seed=1)
    >>> m.dtype.name, int(m.max()) <= 5, abs(float((m == 0).mean()) - 0.35) < 0.01
    ('uint8', True, True)
    """
    rng = np.random.default_rng(seed)
    grid = max(side // 32, 4)
    up = _interpolation_matrix(side, grid)
    best = np.full((side, side), -np.inf, np.float32)
    out = np.zeros((side, side), np.uint8)
    for k in range(1, classes + 1):
        field = up @ smooth_field((grid, grid), 2.0, rng) @ up.T
        out[field > best] = k
        np.maximum(best, field, out=best)
    bg = smooth_field((side, side), 8.0, rng)
    out[bg < np.percentile(bg, 100.0 * background)] = 0
    return out


class BenchData:
    """The generated inputs of one configuration, each built on first use and then kept.

    Parameters
    ----------
    config : BenchConfig
        Sizes and seed.
    """

    def __init__(self, config: BenchConfig) -> None:
        self.config = config

    @cached_property
    def masks_c(self) -> np.ndarray:
        """(N, H, W) C-ordered uint8 masks."""
        c = self.config
        return make_masks(c.n_masks, c.height, c.width, c.seed)

    @cached_property
    def masks_f(self) -> np.ndarray:
        """The same masks as pycocotools takes them: (H, W, N), Fortran order."""
        return np.asfortranarray(self.masks_c.transpose(1, 2, 0))

    @cached_property
    def rles(self) -> list[dict[str, Any]]:
        """COCO RLE dicts of :attr:`masks_c`."""
        return mk.encode(self.masks_f)  # type: ignore[no-any-return]

    @cached_property
    def batch(self) -> rle.RleBatch:
        """:attr:`rles` as a :class:`maskkit.rle.RleBatch` (parsed once, outside the timing)."""
        return rle.RleBatch.from_coco(self.rles)

    @cached_property
    def polygons(self) -> list[list[list[float]]]:
        """COCO polygon annotations for ``frPyObjects``."""
        c = self.config
        return make_polygon_annotations(c.n_polygons, c.height, c.width, c.seed + 1)

    @cached_property
    def _iou_polygons(self) -> tuple[list[list[list[float]]], list[list[list[float]]]]:
        c = self.config
        gt = make_polygon_annotations(max(c.n_iou, c.n_area, c.n_merge), c.height, c.width, c.seed + 2)
        rng = np.random.default_rng(c.seed + 3)
        dt = [_jitter(s, rng, c.height, c.width) for s in gt]
        return gt, dt

    @cached_property
    def gt_rles(self) -> list[dict[str, Any]]:
        """Ground-truth RLEs (rasterized annotations) for ``iou``, ``area+toBbox``, ``merge``."""
        return _polygons_to_rles(self._iou_polygons[0], self.config.height, self.config.width)

    @cached_property
    def dt_rles(self) -> list[dict[str, Any]]:
        """Detection RLEs: the ground truths shifted and scaled, so most pairs overlap."""
        return _polygons_to_rles(self._iou_polygons[1], self.config.height, self.config.width)

    @cached_property
    def iscrowd(self) -> list[int]:
        """About one ground truth in ten is a crowd region."""
        rng = np.random.default_rng(self.config.seed + 4)
        return [int(v) for v in rng.random(self.config.n_iou) < 0.1]

    @cached_property
    def area_rles(self) -> list[dict[str, Any]]:
        """RLEs of the ``area+toBbox`` workload."""
        pool = self.gt_rles + self.dt_rles
        return [pool[i % len(pool)] for i in range(self.config.n_area)]

    @cached_property
    def merge_groups(self) -> list[tuple[list[dict[str, Any]], int]]:
        """``(rles, intersect)`` pairs: a ground truth, its detection, sometimes a third RLE."""
        c = self.config
        rng = np.random.default_rng(c.seed + 5)
        gt, dt = self.gt_rles, self.dt_rles
        groups = []
        for i in range(c.n_merge):
            group = [gt[i], dt[i]]
            if rng.random() < 0.5:
                group.append(gt[int(rng.integers(len(gt)))])
            groups.append((group, int(i % 5 == 4)))
        return groups

    # -- connected components (sizes from cc_side, cc_multi_side, cc_volume_side) -------------
    @cached_property
    def cc_blobs(self) -> np.ndarray:
        """``cc_side``² uint8 blobs (sigma 4, 40 % set): the research note's "blobs"."""
        c = self.config
        return make_blobs((c.cc_side, c.cc_side), 4.0, 0.4, c.seed + 10)

    @cached_property
    def cc_noise(self) -> np.ndarray:
        """``cc_side``² uint8 uniform noise, 50 % set."""
        c = self.config
        return make_noise((c.cc_side, c.cc_side), 0.5, c.seed + 11)

    @cached_property
    def cc_coco(self) -> np.ndarray:
        """One ``height x width`` object mask (sigma 20, 20 % set): the note's "COCO" input."""
        c = self.config
        return make_blobs((c.height, c.width), 20.0, 0.2, c.seed + 12)

    @cached_property
    def cc_multi(self) -> np.ndarray:
        """``cc_multi_side``² uint8 class map, 20 touching classes and 35 % background."""
        c = self.config
        return make_multilabel(c.cc_multi_side, 20, 0.35, c.seed + 13)

    @cached_property
    def cc_blobs3d(self) -> np.ndarray:
        """``cc_volume_side``³ uint8 blobs (sigma 2, 30 % set): the note's "blobs3d"."""
        c = self.config
        side = c.cc_volume_side
        return make_blobs((side, side, side), 2.0, 0.3, c.seed + 14)


# ----------------------------------------------------------------------------------------------
# result comparison
# ----------------------------------------------------------------------------------------------
def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare_rle_lists(got: Any, expected: Any) -> str | None:
    """``None`` if two lists of RLE dicts are equal (sizes and counts bytes), else the first
    difference."""
    if not isinstance(got, list) or not isinstance(expected, list):
        return f"types differ: {type(got).__name__} vs {type(expected).__name__}"
    if len(got) != len(expected):
        return f"lengths differ: {len(got)} vs {len(expected)}"
    for i, (a, b) in enumerate(zip(got, expected)):
        if a != b or type(a["counts"]) is not type(b["counts"]):
            return f"item {i}: maskkit {_short(a)} != pycocotools {_short(b)}"
    return None


def compare_rles(got: Any, expected: Any) -> str | None:
    """Like :func:`compare_rle_lists` for one RLE dict."""
    return compare_rle_lists([got], [expected])


def compare_arrays(got: Any, expected: Any) -> str | None:
    """``None`` if two arrays have the same dtype, shape, memory order and bytes."""
    if not isinstance(got, np.ndarray) or not isinstance(expected, np.ndarray):
        return f"types differ: {type(got).__name__} vs {type(expected).__name__}"
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return f"dtype/shape differ: {got.dtype}{got.shape} vs {expected.dtype}{expected.shape}"
    for flag in ("F_CONTIGUOUS", "C_CONTIGUOUS"):
        if got.flags[flag] != expected.flags[flag]:
            return f"memory order differs: {flag} {got.flags[flag]} vs {expected.flags[flag]}"
    a = np.ascontiguousarray(got).view(np.uint8).reshape(got.shape + (-1,)) if got.size else got
    b = np.ascontiguousarray(expected).view(np.uint8).reshape(got.shape + (-1,)) if got.size else expected
    if not np.array_equal(a, b):
        index = tuple(int(i) for i in np.argwhere((a != b).reshape(got.shape + (-1,)).any(axis=-1))[0])
        return f"first difference at {index}: maskkit {got[index]!r} != pycocotools {expected[index]!r}"
    return None


def compare_sequences(*comparers: Callable[[Any, Any], str | None]) -> Callable[[Any, Any], str | None]:
    """A comparer for tuples whose items are compared by ``comparers`` in turn."""

    def compare(got: Any, expected: Any) -> str | None:
        for i, (cmp, a, b) in enumerate(zip(comparers, got, expected)):
            message = cmp(a, b)
            if message is not None:
                return f"output {i}: {message}"
        return None

    return compare


# ----------------------------------------------------------------------------------------------
# workloads
# ----------------------------------------------------------------------------------------------
def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Variant:
    """One maskkit implementation of a workload.

    Attributes
    ----------
    name
        Short name shown in the table, e.g. ``"coco.encode"``.
    run
        The timed call.
    to_reference
        Converts ``run``'s output to the reference's form for the parity check (not timed).
    floor
        Name of the workload's memory floor (see :attr:`Workload.floors`) this variant's time
        is compared with, or ``None``.
    """

    name: str
    run: Callable[[], Any]
    to_reference: Callable[[Any], Any] = _same
    floor: str | None = None


@dataclass(frozen=True)
class Workload:
    """A reference call, the maskkit variants that replace it, and how results compare.

    Attributes
    ----------
    key
        Identifier for ``--workloads`` (e.g. ``"encode_f"``).
    label
        Name shown in the table (e.g. ``"encode F"``).
    description
        The data and calls, in words.
    reference
        The reference call, or ``None`` when pycocotools is not installed.
    variants
        maskkit calls computing the same result.
    compare
        ``compare(maskkit_result, reference_result)`` is ``None`` when equal, else a message.
    nbytes
        Mask bytes read or written (for bandwidth figures), 0 when not meaningful.
    batched
        Whether the scaling line reports this workload.
    reference_name
        Name of the reference shown in the table and in parity messages.
    family
        ``"coco"`` (the pycocotools table) or ``"cc"`` (the connected-components table).
    floors
        ``(name, call)`` memory floors timed at one thread next to the workload, e.g.
        allocating and filling the label image (printed beside the cc table).
    split_floor
        ``split_floor(threads)`` writes the workload's fresh output with its rows split over
        ``threads`` threads; timed at 1 and N threads among the variants' runs, its scaling is
        how far writing fresh memory scales on this machine at that moment.
    missing_note
        Why there is no reference when :attr:`reference` is ``None``.
    """

    key: str
    label: str
    description: str
    reference: Callable[[], Any] | None
    variants: tuple[Variant, ...]
    compare: Callable[[Any, Any], str | None]
    nbytes: int = 0
    batched: bool = False
    reference_name: str = "pycocotools"
    family: str = "coco"
    floors: tuple[tuple[str, Callable[[], Any]], ...] = ()
    split_floor: Callable[[int], Any] | None = None
    missing_note: str = "no reference"


def _to_coco(batch: rle.RleBatch) -> list[dict[str, Any]]:
    return batch.to_coco()


def _encode_f(d: BenchData, pc: ModuleType | None) -> Workload:
    c = d.config
    return Workload(
        key="encode_f",
        label="encode F",
        description=f"{c.n_masks} masks {c.height}x{c.width}, (H,W,N) Fortran order -> RLE dicts",
        reference=None if pc is None else (lambda: pc.encode(d.masks_f)),
        variants=(
            Variant("coco.encode", lambda: mk.encode(d.masks_f)),
            Variant("rle.encode HWN", lambda: rle.encode(d.masks_f, layout="HWN"), _to_coco),
        ),
        compare=compare_rle_lists,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


def _encode_c(d: BenchData, pc: ModuleType | None) -> Workload:
    c = d.config
    return Workload(
        key="encode_c",
        label="encode C",
        description=(
            "the same masks as (N,H,W) C order; pycocotools needs "
            "encode(np.asfortranarray(masks.transpose(1,2,0))), copy included"
        ),
        reference=None if pc is None else (lambda: pc.encode(np.asfortranarray(d.masks_c.transpose(1, 2, 0)))),
        variants=(
            Variant("rle.encode", lambda: rle.encode(d.masks_c), _to_coco),
            Variant("coco.encode moveaxis", lambda: mk.encode(np.moveaxis(d.masks_c, 0, -1))),
        ),
        compare=compare_rle_lists,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


def _decode(d: BenchData, pc: ModuleType | None) -> Workload:
    c = d.config
    return Workload(
        key="decode",
        label="decode",
        description="RLE dicts of those masks -> (H,W,N) Fortran-ordered uint8",
        reference=None if pc is None else (lambda: pc.decode(d.rles)),
        variants=(
            Variant("coco.decode", lambda: mk.decode(d.rles)),
            Variant("rle.decode HWN (batch)", lambda: rle.decode(d.batch, layout="HWN")),
        ),
        compare=compare_arrays,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


def _decode_c(d: BenchData, pc: ModuleType | None) -> Workload:
    c = d.config
    return Workload(
        key="decode_c",
        label="decode C",
        description=(
            "the same RLEs -> (N,H,W) C order; pycocotools: "
            "np.ascontiguousarray(decode(rles).transpose(2,0,1)); '(batch)' = pre-parsed RleBatch"
        ),
        reference=(None if pc is None else (lambda: np.ascontiguousarray(pc.decode(d.rles).transpose(2, 0, 1)))),
        variants=(
            Variant("rle.decode (batch)", lambda: rle.decode(d.batch)),
            Variant("rle.decode(from_coco)", lambda: rle.decode(rle.RleBatch.from_coco(d.rles))),
        ),
        compare=compare_arrays,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


def _ann_to_rles(module: Any, segms: Sequence[Any], height: int, width: int) -> list[dict[str, Any]]:
    """``COCO.annToRLE`` on polygon annotations: ``merge(frPyObjects(segm, h, w))`` each."""
    return [module.merge(module.frPyObjects(s, height, width)) for s in segms]


def _frpyobjects(d: BenchData, pc: ModuleType | None) -> Workload:
    c = d.config
    return Workload(
        key="frpyobjects",
        label="frPyObjects",
        description=(
            f"{c.n_polygons} COCO polygon annotations on {c.height}x{c.width} (1-3 parts, "
            f"10-120 vertices): merge(frPyObjects(segm, h, w)) each, as COCO.annToRLE"
        ),
        reference=None if pc is None else (lambda: _ann_to_rles(pc, d.polygons, c.height, c.width)),
        variants=(Variant("coco", lambda: _ann_to_rles(mk, d.polygons, c.height, c.width)),),
        compare=compare_rle_lists,
    )


def _iou(d: BenchData, pc: ModuleType | None) -> Workload:
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
        reference=None if pc is None else (lambda: pc.iou(d.dt_rles[:n], d.gt_rles[:n], d.iscrowd)),
        variants=(
            Variant("coco.iou", lambda: mk.iou(d.dt_rles[:n], d.gt_rles[:n], d.iscrowd)),
            Variant("rle.iou (batch)", batch_iou, np.asfortranarray),
        ),
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


def compare_area_bbox_each(got: Any, expected: Any) -> str | None:
    """``None`` if two lists of ``(np.uint32 area, (4,) float64 box)`` pairs are identical."""
    if len(got) != len(expected):
        return f"lengths differ: {len(got)} vs {len(expected)}"
    for i, ((area_a, box_a), (area_b, box_b)) in enumerate(zip(got, expected)):
        if type(area_a) is not type(area_b) or area_a != area_b:
            return f"item {i}: area {area_a!r} ({type(area_a).__name__}) != {area_b!r} ({type(area_b).__name__})"
        message = compare_arrays(box_a, box_b)
        if message is not None:
            return f"item {i}: box {message}"
    return None


def _area_tobbox(d: BenchData, pc: ModuleType | None) -> Workload:
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
        reference=None if pc is None else (lambda: _area_bbox(pc, d.area_rles)),
        variants=(
            Variant("coco", lambda: _area_bbox(mk, d.area_rles)),
            Variant("rle (batch)", batch_area_bbox, as_coco),
        ),
        compare=compare_sequences(compare_arrays, compare_arrays),
    )


def _area_tobbox_each(d: BenchData, pc: ModuleType | None) -> Workload:
    c = d.config
    return Workload(
        key="area_tobbox_each",
        label="area+toBbox each",
        description=f"area(rle); toBbox(rle) per RLE dict, as COCO.loadRes, on the same {c.n_area} RLEs",
        reference=None if pc is None else (lambda: _area_bbox_each(pc, d.area_rles)),
        variants=(Variant("coco", lambda: _area_bbox_each(mk, d.area_rles)),),
        compare=compare_area_bbox_each,
    )


def _merge_all(module: Any, groups: list[tuple[list[dict[str, Any]], int]]) -> list[dict[str, Any]]:
    return [module.merge(g, intersect=flag) for g, flag in groups]


def _merge(d: BenchData, pc: ModuleType | None) -> Workload:
    c = d.config
    return Workload(
        key="merge",
        label="merge",
        description=f"{c.n_merge} merges of 2-3 overlapping RLE dicts (every 5th an intersection)",
        reference=None if pc is None else (lambda: _merge_all(pc, d.merge_groups)),
        variants=(Variant("coco.merge", lambda: _merge_all(mk, d.merge_groups)),),
        compare=compare_rle_lists,
    )


# ----------------------------------------------------------------------------------------------
# connected components: maskkit.cc next to OpenCV, cc3d, scipy.ndimage and scikit-image
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Labeling:
    """A labeling in comparable form: labels ``1..n`` (0 = background) and optional measures.

    Attributes
    ----------
    labels
        Label image (any integer dtype).
    n
        Number of components.
    raster
        Whether the numbering is raster order (scipy's); two raster labelings of the same
        partition must be bit-identical, others are compared as partitions only.
    area, bbox, centroid
        Per label ``1..n`` (row ``i`` = label ``i + 1``): pixel count, ``[mins..., maxes...]``
        with exclusive ends, and center of mass in axis order; ``None`` when not computed.
    """

    labels: np.ndarray
    n: int
    raster: bool = True
    area: np.ndarray | None = None
    bbox: np.ndarray | None = None
    centroid: np.ndarray | None = None


def _where(flat_index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat_index, shape))


def _label_mapping(got: Labeling, expected: Labeling) -> tuple[np.ndarray | None, str | None]:
    """``mapping[maskkit label] = reference label`` if the two are the same partition."""
    a, b, n, shape = got.labels.reshape(-1), expected.labels.reshape(-1), got.n, got.labels.shape
    differs = np.flatnonzero((a != 0) != (b != 0))
    if differs.size:
        return None, f"background differs at {_where(int(differs[0]), shape)}"
    if a.size and (int(a.max()) > n or int(b.max()) > n):
        return None, f"labels exceed n={n}: max maskkit {int(a.max())}, reference {int(b.max())}"
    mapping = np.zeros(n + 1, np.int64)
    mapping[a] = b
    split = np.flatnonzero(mapping[a] != b)
    if split.size:
        i = int(split[0])
        return None, f"maskkit component {int(a[i])} spans two reference components (at {_where(i, shape)})"
    counts = np.bincount(mapping[1:], minlength=n + 1)
    if n and (counts[0] or np.any(counts[1:] != 1)):
        bad = int(np.flatnonzero(counts[1:] != 1)[0]) + 1 if np.any(counts[1:] != 1) else 0
        return None, f"reference component {bad} is covered by {int(counts[bad])} maskkit components"
    return mapping, None


def _compare_measures(got: Labeling, expected: Labeling, mapping: np.ndarray) -> str | None:
    """Area, bounding box and centroid of each maskkit component vs its reference component."""
    order = mapping[1:] - 1
    checks: list[tuple[str, np.ndarray | None, np.ndarray | None]] = [
        ("area", got.area, expected.area),
        ("bbox", got.bbox, expected.bbox),
        ("centroid", got.centroid, expected.centroid),
    ]
    for name, mine, theirs in checks:
        if mine is None or theirs is None:
            continue
        theirs = np.asarray(theirs)[order]
        if name == "centroid":  # one division each side, possibly in another order of sums
            same = np.isclose(mine, theirs, rtol=1e-9, atol=1e-9)
        else:
            same = np.equal(mine, theirs)
        bad = np.flatnonzero(~same.reshape(len(order), -1).all(axis=1)) if len(order) else np.zeros(0, np.intp)
        if len(bad):
            i = int(bad[0])
            return f"{name} of component {i + 1}: maskkit {mine[i].tolist()} != reference {theirs[i].tolist()}"
    return None


def compare_labelings(got: Labeling, expected: Labeling) -> str | None:
    """``None`` if two labelings are the same partition with the same measures, else why not.

    When both are numbered in raster order the label values must also be identical.
    """
    if got.labels.shape != expected.labels.shape:
        return f"shapes differ: {got.labels.shape} vs {expected.labels.shape}"
    if got.n != expected.n:
        return f"component counts differ: maskkit {got.n} vs reference {expected.n}"
    mapping, message = _label_mapping(got, expected)
    if mapping is None:
        return message
    if got.raster and expected.raster and not np.array_equal(got.labels, expected.labels):
        i = int(np.flatnonzero(got.labels.reshape(-1) != expected.labels.reshape(-1))[0])
        return (
            f"same partition but numbered differently at {_where(i, got.labels.shape)}: maskkit "
            f"{int(got.labels.reshape(-1)[i])} vs reference {int(expected.labels.reshape(-1)[i])}"
        )
    return _compare_measures(got, expected, mapping)


def _labeling_comparer(normalize: Callable[[Any], Labeling]) -> Callable[[Any, Any], str | None]:
    """A workload comparer: reference results are normalized, maskkit's are :class:`Labeling`."""

    def as_labeling(value: Any) -> Labeling:
        return value if isinstance(value, Labeling) else normalize(value)

    def compare(got: Any, expected: Any) -> str | None:
        return compare_labelings(as_labeling(got), as_labeling(expected))

    return compare


def _maskkit_labeling(result: Any) -> Labeling:
    """maskkit's ``(labels, n)`` or :class:`maskkit.cc.Components` as a :class:`Labeling`."""
    if hasattr(result, "area"):
        return Labeling(result.labels, int(result.n), True, result.area, result.bbox, result.centroid)
    labels, n = result
    return Labeling(labels, int(n))


def _pair_labeling(raster: bool) -> Callable[[Any], Labeling]:
    """Normalizer of a ``(labels, n)`` result (scipy, cc3d ``return_N=True``, skimage ``return_num``)."""
    return lambda r: Labeling(r[0], int(r[1]), raster)


def _cv2_labeling(raster: bool) -> Callable[[Any], Labeling]:
    """Normalizer of OpenCV's ``(count including background, labels)``."""
    return lambda r: Labeling(r[1], int(r[0]) - 1, raster)


def _cv2_stats_labeling(r: Any) -> Labeling:
    """OpenCV's ``(count, labels, stats [x, y, w, h, area], centroids (x, y))``; row 0 = background."""
    count, labels, stats, centroids = r
    s = stats[1:].astype(np.int64)
    bbox = np.stack([s[:, 1], s[:, 0], s[:, 1] + s[:, 3], s[:, 0] + s[:, 2]], axis=1)
    return Labeling(labels, int(count) - 1, False, s[:, 4], bbox, centroids[1:, ::-1])


def _cc3d_stats_labeling(r: Any) -> Labeling:
    """``(labels, N, cc3d.statistics(labels))``; row 0 of the statistics = background."""
    labels, n, stats = r
    boxes = stats["bounding_boxes"][1 : n + 1]
    bbox = np.array([[s.start for s in b] + [s.stop for s in b] for b in boxes], np.int64).reshape(n, -1)
    area = np.asarray(stats["voxel_counts"][1 : n + 1], np.int64)
    return Labeling(labels, int(n), True, area, bbox, np.asarray(stats["centroids"][1 : n + 1]))


@dataclass(frozen=True)
class CCReference:
    """A reference labeling call for one connected-components workload.

    Attributes
    ----------
    name
        Shown in tables, e.g. ``"cv2 Spaghetti"``.
    package
        Module imported to run it (``"cv2"``, ``"cc3d"``, ``"scipy.ndimage"``, ``"skimage.measure"``).
    call
        ``call(module, image)``: the timed call, returning the tool's own result.
    normalize
        Its result as a :class:`Labeling` (untimed).
    row
        Whether ``maskkit bench`` may use it as the workload's reference (the first available
        such reference, in order, is used).
    """

    name: str
    package: str
    call: Callable[[ModuleType, np.ndarray], Any]
    normalize: Callable[[Any], Labeling]
    row: bool = False

    def bind(self, image: Callable[[], np.ndarray]) -> Callable[[], Any] | None:
        """The timed call on ``image()``, or ``None`` when the package is not installed."""
        module = load_cc_module(self.package)
        if module is None:
            return None
        call = self.call
        return lambda: call(module, image())


_CC_MODULES: dict[str, ModuleType | None] = {}


def load_cc_module(name: str) -> ModuleType | None:
    """Import a connected-components reference once (``None`` if missing); OpenCV gets 1 thread."""
    if name not in _CC_MODULES:
        try:
            module: ModuleType | None = importlib.import_module(name)
        except ImportError:
            module = None
        if module is not None and name == "cv2":
            module.setNumThreads(1)
        _CC_MODULES[name] = module
    return _CC_MODULES[name]


_HOPS = {4: 1, 8: 2, 6: 1, 18: 2, 26: 3}


def _structure(ndim: int, connectivity: int) -> np.ndarray:
    """scipy's ``generate_binary_structure(ndim, hops)`` without scipy."""
    hops = np.sum(np.abs(np.indices((3,) * ndim) - 1), axis=0)
    structure: np.ndarray = hops <= _HOPS[connectivity]
    return structure


def _per_class(label_one: Callable[[np.ndarray], tuple[np.ndarray, int]], image: np.ndarray) -> tuple[np.ndarray, int]:
    """The usual multilabel loop over a binary labeler: ``image == v`` per class, offset, merge."""
    out = np.zeros(image.shape, np.int32)
    total = 0
    for value in range(1, int(image.max()) + 1):
        labels, n = label_one(image == value)
        inside = labels > 0
        out[inside] = labels[inside] + total
        total += n
    return out, total


def _cv2_one(cv2: Any, algorithm: str) -> Callable[[np.ndarray], tuple[np.ndarray, int]]:
    def one(mask: np.ndarray) -> tuple[np.ndarray, int]:
        count, labels = cv2.connectedComponentsWithAlgorithm(mask.view(np.uint8), 8, cv2.CV_32S, getattr(cv2, algorithm))
        return labels, count - 1

    return one


def _cv2_label(algorithm: str, raster: bool, row: bool = False) -> CCReference:
    name = algorithm.replace("CCL_", "").title().replace("Sauf", "SAUF").replace("Bbdt", "BBDT")
    return CCReference(
        f"cv2 {name}",
        "cv2",
        lambda cv2, img: cv2.connectedComponentsWithAlgorithm(img, 8, cv2.CV_32S, getattr(cv2, algorithm)),
        _cv2_labeling(raster),
        row,
    )


def _cc3d_label(connectivity: int, binary: bool = False, raster: bool = True, row: bool = False) -> CCReference:
    return CCReference(
        "cc3d binary_image" if binary else "cc3d",
        "cc3d",
        lambda m, img: m.connected_components(img, connectivity=connectivity, return_N=True, binary_image=binary),
        _pair_labeling(raster),
        row,
    )


def _scipy_label(connectivity: int, row: bool = False) -> CCReference:
    return CCReference(
        "scipy.ndimage.label",
        "scipy.ndimage",
        lambda m, img: m.label(img, structure=_structure(img.ndim, connectivity)),
        _pair_labeling(True),
        row,
    )


def _skimage_label(connectivity: int, row: bool = False) -> CCReference:
    return CCReference(
        "skimage.measure.label",
        "skimage.measure",
        lambda m, img: m.label(img, connectivity=_HOPS[connectivity], return_num=True),
        _pair_labeling(True),
        row,
    )


def _binary_2d_references() -> tuple[CCReference, ...]:
    """8-connected 2-D binary: OpenCV's three algorithms, cc3d, scipy, scikit-image (uint8 input).

    Raster order (research note §3.3): SAUF, cc3d's default path, scipy and scikit-image are
    bit-exact with scipy; BBDT, Spaghetti and cc3d ``binary_image`` are the same partition only.
    """
    return (
        _cv2_label("CCL_SPAGHETTI", False, row=True),
        _cv2_label("CCL_BBDT", False),
        _cv2_label("CCL_SAUF", True),
        _cc3d_label(8, row=True),
        _cc3d_label(8, binary=True, raster=False),
        _scipy_label(8, row=True),
        _skimage_label(8),
    )


def _multilabel_references() -> tuple[CCReference, ...]:
    """20-class 2-D image: cc3d and scikit-image natively, OpenCV and scipy in a per-class loop."""
    return (
        _cc3d_label(8, row=True),
        _skimage_label(8, row=True),
        CCReference(
            "cv2 Spaghetti per-class loop",
            "cv2",
            lambda cv2, img: _per_class(_cv2_one(cv2, "CCL_SPAGHETTI"), img),
            _pair_labeling(False),
        ),
        CCReference(
            "scipy.ndimage.label per-class loop",
            "scipy.ndimage",
            lambda m, img: _per_class(lambda mask: m.label(mask, structure=_structure(2, 8)), img),
            _pair_labeling(False),
        ),
    )


def _volume_references(connectivity: int) -> tuple[CCReference, ...]:
    """3-D binary: cc3d (both paths raster-ordered in 3-D), scipy, scikit-image."""
    return (
        _cc3d_label(connectivity, row=True),
        _cc3d_label(connectivity, binary=True),
        _scipy_label(connectivity, row=True),
        _skimage_label(connectivity),
    )


def _cc3d_with_statistics(m: Any, img: np.ndarray) -> tuple[np.ndarray, int, dict[str, Any]]:
    labels, n = m.connected_components(img, connectivity=8, return_N=True)
    return labels, n, m.statistics(labels)


def _stats_references() -> tuple[CCReference, ...]:
    """Labels plus area, bounding box and centroid: OpenCV WithStats, cc3d + ``cc3d.statistics``."""
    return (
        CCReference(
            "cv2 WithStats",
            "cv2",
            lambda cv2, img: cv2.connectedComponentsWithStats(img, connectivity=8, ltype=cv2.CV_32S),
            _cv2_stats_labeling,
            True,
        ),
        CCReference("cc3d + statistics", "cc3d", _cc3d_with_statistics, _cc3d_stats_labeling, True),
    )


def cc_references(key: str) -> tuple[CCReference, ...]:
    """Every reference call of connected-components workload ``key`` (the benchmark groups)."""
    return {
        "cc_blobs": _binary_2d_references,
        "cc_noise": _binary_2d_references,
        "cc_coco": _binary_2d_references,
        "cc_multilabel": _multilabel_references,
        "cc_3d": lambda: _volume_references(26),
        "cc_3d6": lambda: _volume_references(6),
        "cc_stats": _stats_references,
    }[key]()


_CC_INPUTS = {
    "cc_blobs": "cc_blobs",
    "cc_noise": "cc_noise",
    "cc_coco": "cc_coco",
    "cc_multilabel": "cc_multi",
    "cc_3d": "cc_blobs3d",
    "cc_3d6": "cc_blobs3d",
    "cc_stats": "cc_blobs",
}


def cc_input(data: BenchData, key: str) -> np.ndarray:
    """The input image of connected-components workload ``key`` (generated on first use)."""
    return getattr(data, _CC_INPUTS[key])  # type: ignore[no-any-return]


_FRESH_FLOOR = "astype u32"  # the floor of variants that return a new label image


def _cc_floors(image: Callable[[], np.ndarray]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """Memory floors of a labeling pass over ``image()`` (same bytes read and written)."""
    buffer: dict[str, np.ndarray] = {}

    def copyto() -> None:
        if "u32" not in buffer:
            buffer["u32"] = np.ones(image().shape, np.uint32)  # touched: no page faults when timed
        np.copyto(buffer["u32"], image())

    return (
        (_FRESH_FLOOR, lambda: image().astype(np.uint32)),
        ("alloc+fill u32", lambda: np.empty(image().shape, np.uint32).fill(1)),
        ("copyto u32", copyto),
    )


_COPY_POOLS: dict[int, ThreadPoolExecutor] = {}


def _fresh_array_on_huge_pages(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A new array starting on a 2 MiB boundary, as maskkit places its large results (so its
    pages are faulted in the same way)."""
    nbytes = math.prod(shape) * dtype.itemsize
    raw = np.empty(nbytes + (2 << 20), np.uint8)
    start = -raw.ctypes.data % (2 << 20)
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def _split_fresh_copy(image: Callable[[], np.ndarray], labels: Callable[[], np.ndarray]) -> Callable[[int], Any]:
    """The fresh-output floor at a thread count: ``image()`` copied into a new array of the
    dtype of ``labels()`` (found on the first call), its rows split evenly over the threads.
    numpy copies without the GIL; the calling thread copies the first share, as maskkit's
    calling thread works too. Each thread faults in the fresh pages it writes, so this scales
    as far as the machine's page faults and memory bandwidth let writing a label image scale.
    Images under 2**20 pixels are copied by one thread, as maskkit labels them with one."""
    dtype: list[np.dtype] = []

    def run(threads: int) -> np.ndarray:
        src = image()
        if not dtype:
            dtype.append(labels().dtype)
        out = _fresh_array_on_huge_pages(src.shape, dtype[0])
        threads = threads if src.size >= 1 << 20 else 1
        rows_in, rows_out = src.reshape(-1, src.shape[-1]), out.reshape(-1, src.shape[-1])
        cut = [len(rows_in) * i // threads for i in range(threads + 1)]
        futures = []
        if threads > 1:
            pool = _COPY_POOLS.setdefault(threads, ThreadPoolExecutor(threads - 1))
            futures = [pool.submit(np.copyto, rows_out[a:b], rows_in[a:b]) for a, b in zip(cut[1:-1], cut[2:])]
        np.copyto(rows_out[: cut[1]], rows_in[: cut[1]])
        for future in futures:
            future.result()
        return out

    return run


def _label_variant(image: Callable[[], np.ndarray], connectivity: int, multilabel: bool = False) -> Variant:
    return Variant(
        "label",
        lambda: maskkit.cc.label(image(), connectivity, multilabel=multilabel),
        _maskkit_labeling,
        _FRESH_FLOOR,
    )


def _label_out_variant(image: Callable[[], np.ndarray], connectivity: int) -> Variant:
    buffer: dict[str, np.ndarray] = {}

    def run() -> tuple[np.ndarray, int]:
        if "out" not in buffer:
            buffer["out"] = np.ones(image().shape, np.uint32)
        return maskkit.cc.label(image(), connectivity, out=buffer["out"])

    return Variant("label out=u32", run, _maskkit_labeling, "copyto u32")


def _first_available(
    candidates: Sequence[CCReference], image: Callable[[], np.ndarray]
) -> tuple[CCReference, Callable[[], Any]] | None:
    """The first reference whose package imports, with its timed call."""
    for reference in candidates:
        call = reference.bind(image)
        if call is not None:
            return reference, call
    return None


def _cc_workload(
    key: str,
    label: str,
    description: str,
    image: Callable[[], np.ndarray],
    variants: tuple[Variant, ...],
    use_references: bool,
) -> Workload:
    """A cc workload timed against its first available row reference (see :func:`cc_references`)."""
    candidates = [r for r in cc_references(key) if r.row]
    chosen = _first_available(candidates, image) if use_references else None
    packages = ", ".join(dict.fromkeys(r.package.split(".")[0] for r in candidates))
    missing = "references disabled" if not use_references else f"{packages} not installed"
    return Workload(
        key=key,
        label=label,
        description=description,
        reference=None if chosen is None else chosen[1],
        variants=variants,
        compare=_labeling_comparer(candidates[0].normalize if chosen is None else chosen[0].normalize),
        reference_name="-" if chosen is None else chosen[0].name,
        family="cc",
        floors=_cc_floors(image),
        split_floor=_split_fresh_copy(image, lambda: _maskkit_labeling(variants[0].run()).labels),
        missing_note=missing,
    )


def _cc_blobs(d: BenchData, refs: bool) -> Workload:
    s = d.config.cc_side
    image = partial(cc_input, d, "cc_blobs")
    return _cc_workload(
        "cc_blobs", "cc blobs",
        f"{s}x{s} uint8 blobs (sigma-4 smooth noise, 40% set), 8-conn; out=u32 reuses a uint32 buffer",
        image, (_label_variant(image, 8), _label_out_variant(image, 8)), refs,
    )


def _cc_noise(d: BenchData, refs: bool) -> Workload:
    s = d.config.cc_side
    image = partial(cc_input, d, "cc_noise")
    return _cc_workload(
        "cc_noise", "cc noise", f"{s}x{s} uint8 uniform noise, 50% set, 8-conn",
        image, (_label_variant(image, 8),), refs,
    )


def _cc_coco(d: BenchData, refs: bool) -> Workload:
    c = d.config
    image = partial(cc_input, d, "cc_coco")
    return _cc_workload(
        "cc_coco", "cc COCO mask",
        f"one {c.height}x{c.width} object mask (sigma-20 smooth noise, 20% set), 8-conn, Python call included",
        image, (_label_variant(image, 8),), refs,
    )


def _cc_multilabel(d: BenchData, refs: bool) -> Workload:
    s = d.config.cc_multi_side
    image = partial(cc_input, d, "cc_multilabel")
    return _cc_workload(
        "cc_multilabel", "cc multilabel",
        f"{s}x{s} uint8 map of 20 touching classes + 35% background, 8-conn, multilabel=True",
        image, (_label_variant(image, 8, multilabel=True),), refs,
    )


def _cc_3d(d: BenchData, refs: bool) -> Workload:
    s = d.config.cc_volume_side
    image = partial(cc_input, d, "cc_3d")
    return _cc_workload(
        "cc_3d", "cc 3D 26-conn",
        f"{s}^3 uint8 blobs (sigma-2 smooth noise, 30% set), 26-conn; out=u32 reuses a uint32 buffer",
        image, (_label_variant(image, 26), _label_out_variant(image, 26)), refs,
    )


def _cc_3d6(d: BenchData, refs: bool) -> Workload:
    s = d.config.cc_volume_side
    image = partial(cc_input, d, "cc_3d6")
    return _cc_workload(
        "cc_3d6", "cc 3D 6-conn", f"the same {s}^3 blobs, 6-conn",
        image, (_label_variant(image, 6),), refs,
    )


def _cc_stats(d: BenchData, refs: bool) -> Workload:
    s = d.config.cc_side
    image = partial(cc_input, d, "cc_stats")
    variant = Variant(
        "label_stats", lambda: maskkit.cc.label_stats(image(), 8), _maskkit_labeling, _FRESH_FLOOR
    )
    return _cc_workload(
        "cc_stats", "cc label+stats",
        f"the {s}x{s} blobs, 8-conn: labels + area, bbox, centroid (cv2 WithStats / cc3d.statistics)",
        image, (variant,), refs,
    )


_CC_BUILDERS: tuple[Callable[[BenchData, bool], Workload], ...] = (
    _cc_blobs,
    _cc_noise,
    _cc_coco,
    _cc_multilabel,
    _cc_3d,
    _cc_3d6,
    _cc_stats,
)


_BUILDERS: tuple[Callable[[BenchData, ModuleType | None], Workload], ...] = (
    _encode_f,
    _encode_c,
    _decode,
    _decode_c,
    _frpyobjects,
    _iou,
    _area_tobbox,
    _area_tobbox_each,
    _merge,
)


def _squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def workload_keys() -> list[tuple[str, str]]:
    """``(key, label)`` of every workload, in table order (no data is generated, nothing imported)."""
    data = BenchData(QUICK)
    coco = [b(data, None) for b in _BUILDERS]
    cc = [b(data, False) for b in _CC_BUILDERS]
    return [(w.key, w.label) for w in coco + cc]


def normalize_workload_names(names: Iterable[str] | None) -> list[str] | None:
    """Map user-given workload names (keys or labels, any case/spacing) to keys.

    Raises
    ------
    ValueError
        For a name that matches no workload; the message lists the valid ones.
    """
    if names is None:
        return None
    known = {}
    for key, label in workload_keys():
        known[_squash(key)] = key
        known[_squash(label)] = key
    keys = []
    for name in names:
        if not name.strip():
            continue
        if _squash(name) not in known:
            valid = ", ".join(k for k, _ in workload_keys())
            raise ValueError(f"unknown workload {name!r}; choose from: {valid}")
        key = known[_squash(name)]
        if key not in keys:
            keys.append(key)
    return keys


def build_workloads(data: BenchData, reference: ModuleType | None, keys: Sequence[str] | None = None) -> list[Workload]:
    """The pycocotools workloads (all, or those in ``keys``) over ``data``; inputs are generated lazily.

    The connected-components workloads are built by :func:`build_cc_workloads`.
    """
    selected = normalize_workload_names(keys)
    workloads = [b(data, reference) for b in _BUILDERS]
    return [w for w in workloads if selected is None or w.key in selected]


def build_cc_workloads(data: BenchData, keys: Sequence[str] | None = None, *, use_references: bool = True) -> list[Workload]:
    """The connected-components workloads (all, or those in ``keys``) over ``data``.

    Each is timed against the first installed reference of its kind (OpenCV for 2-D binary
    images, cc3d for multilabel and 3-D, OpenCV WithStats or cc3d + statistics for measures;
    see :func:`cc_references`); without one (or with ``use_references=False``) maskkit is
    timed alone. Inputs are generated lazily.
    """
    selected = normalize_workload_names(keys)
    workloads = [b(data, use_references) for b in _CC_BUILDERS]
    return [w for w in workloads if selected is None or w.key in selected]


def load_reference() -> ModuleType | None:
    """``pycocotools.mask`` if it is installed, else ``None``."""
    try:
        return importlib.import_module("pycocotools.mask")
    except ImportError:
        return None


# ----------------------------------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    """Median and minimum of ``repeats`` timed runs, in seconds."""

    median_s: float
    min_s: float
    repeats: int


@dataclass(frozen=True)
class Timed:
    """A call to time and what to do before each batch of its runs (e.g. set the threads)."""

    run: Callable[[], Any]
    prepare: Callable[[], None] = lambda: None


def _repeats(seconds: float, config: BenchConfig) -> int:
    wanted = math.ceil(config.target_s / max(seconds, 1e-7))
    return int(min(max(wanted, config.min_repeats), config.max_repeats))


def measure_interleaved(calls: Sequence[Timed], config: BenchConfig, rounds: int = 4) -> list[Timing]:
    """Median wall time of each call, its runs spread over ``rounds`` interleaved rounds.

    Each call runs once to warm up; its repeat count is chosen to fill ``config.target_s``.
    The calls then take turns, round after round, so a change of machine load during the
    measurement affects all of them alike. The garbage collector is paused, as in ``timeit``.
    """
    plans = []
    for call in calls:
        call.prepare()
        start = time.perf_counter()
        call.run()
        plans.append(_repeats(time.perf_counter() - start, config))
    samples: list[list[float]] = [[] for _ in calls]
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for r in range(rounds):
            for call, repeats, times in zip(calls, plans, samples):
                call.prepare()
                for _ in range(repeats * (r + 1) // rounds - repeats * r // rounds):
                    start = time.perf_counter()
                    call.run()
                    times.append(time.perf_counter() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    return [Timing(float(np.median(t)), float(min(t)), len(t)) for t in samples]


def measure(fn: Callable[[], Any], config: BenchConfig) -> Timing:
    """Median wall time of ``fn()`` (see :func:`measure_interleaved`)."""
    return measure_interleaved([Timed(fn)], config, rounds=1)[0]


def measure_memory(src: np.ndarray, config: BenchConfig) -> tuple[Timing, Timing]:
    """Single-thread memory baselines on the bytes of ``src``, timed interleaved.

    Returns
    -------
    memcpy, alloc_fill
        ``np.copyto(dst, src)`` into a same-layout, already-touched buffer; and
        ``np.empty(...).fill(1)``: allocate and write every byte, as a decode must.
    """
    dst = np.empty_like(src, order="K")
    dst[...] = 1  # touch the pages once so the copy does not pay for page faults
    memcpy = Timed(lambda: np.copyto(dst, src))
    alloc_fill = Timed(lambda: np.empty(src.shape, np.uint8, order="F").fill(1))
    first, second = measure_interleaved([memcpy, alloc_fill], config)
    return first, second


# ----------------------------------------------------------------------------------------------
# running
# ----------------------------------------------------------------------------------------------
def _check(workload: Workload, variant: Variant, got: Any, expected: Any, what: str) -> str:
    message = workload.compare(variant.to_reference(got), expected)
    if message is None:
        return "equal"
    return f"MISMATCH ({what}) {workload.label} [{variant.name}]: {message}"


def _set_threads(n: int) -> Callable[[], None]:
    return lambda: maskkit.set_num_threads(n)


def _parity(workload: Workload, variant: Variant, expected: Any, threads: int, strict: bool) -> str:
    """Compare the variant's result with the reference's, and its ``threads``-thread result
    with its 1-thread result (untimed)."""
    maskkit.set_num_threads(1)
    one = variant.run()
    parity = "equal" if expected is None else _check(workload, variant, one, expected, f"vs {workload.reference_name}")
    maskkit.set_num_threads(threads)
    own = workload.compare(variant.to_reference(variant.run()), variant.to_reference(one))
    if own is not None:
        parity = f"MISMATCH ({threads} threads vs 1) {workload.label} [{variant.name}]: {own}"
    if strict and parity.startswith("MISMATCH"):
        raise ParityError(parity)
    if expected is None and own is None:
        parity = f"not compared (no reference); {threads}-thread result equals 1-thread"
    return parity


def _timings(
    workload: Workload, threads: int, config: BenchConfig
) -> tuple[Timing | None, list[tuple[Timing, Timing]], tuple[Timing, Timing] | None]:
    """Interleaved timings: the reference's, each variant's at 1 and ``threads`` threads, and
    the workload's split floor at 1 and ``threads`` threads (``None`` without one)."""
    calls = [] if workload.reference is None else [Timed(workload.reference, _set_threads(1))]
    for variant in workload.variants:
        calls.append(Timed(variant.run, _set_threads(1)))
        if threads != 1:
            calls.append(Timed(variant.run, _set_threads(threads)))
    split = workload.split_floor if threads != 1 and workload.variants else None
    if split is not None:
        calls += [Timed(partial(split, 1)), Timed(partial(split, threads))]
    timings = measure_interleaved(calls, config)
    reference = None if workload.reference is None else timings.pop(0)
    step = 1 if threads == 1 else 2
    pairs = [(timings[i], timings[i + step - 1]) for i in range(0, len(timings), step)]
    split_pair = pairs.pop() if split is not None else None
    return reference, pairs, split_pair


def _floor_timings(workload: Workload, config: BenchConfig) -> dict[str, Timing]:
    """The workload's memory floors at one thread (a quarter of the time budget: they are steady)."""
    if not workload.floors:
        return {}
    short = dataclasses.replace(config, target_s=config.target_s / 4)
    timings = measure_interleaved([Timed(call) for _, call in workload.floors], short)
    return {name: t for (name, _), t in zip(workload.floors, timings)}


def _ms(t: Timing | None) -> float | None:
    return None if t is None else t.median_s * 1e3


def _ratio(reference: Timing | None, ours: Timing) -> float | None:
    return None if reference is None else reference.median_s / ours.median_s


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_short(str(exc), 300)}"


def _safe_parity(workload: Workload, variant: Variant, expected: Any, threads: int, strict: bool, note: str) -> str:
    """:func:`_parity`, with an exception raised by maskkit recorded as an ``ERROR`` row."""
    try:
        parity = _parity(workload, variant, expected, threads, strict)
    except ParityError:
        raise
    except Exception as exc:
        message = f"ERROR {workload.label} [{variant.name}]: maskkit raised {_error(exc)}"
        if strict:
            raise ParityError(message) from exc
        return message
    return parity.replace("(no reference)", f"({note})") if expected is None else parity


def _floor_fields(variant: Variant, floors: dict[str, Timing], t1: Timing | None) -> Row:
    """The workload's floors (ms), the one this variant is compared with, and 1T time / floor."""
    floor = floors.get(variant.floor) if variant.floor is not None else None
    return {
        "floors_ms": {name: t.median_s * 1e3 for name, t in floors.items()},
        "floor": variant.floor if floor is not None else None,
        "floor_ms": _ms(floor),
        "over_floor_1t": None if floor is None or t1 is None else t1.median_s / floor.median_s,
    }


def _row(
    workload: Workload,
    variant: Variant,
    parity: str,
    reference: Timing | None,
    timings: tuple[Timing, Timing] | None,
    threads: int,
    floors: dict[str, Timing] | None = None,
    split_floor: tuple[Timing, Timing] | None = None,
) -> Row:
    t1, tn = timings if timings is not None else (None, None)
    return {
        "family": workload.family,
        "reference_name": workload.reference_name if reference is not None else None,
        "workload": workload.key,
        "label": workload.label,
        "variant": variant.name,
        "description": workload.description,
        "reference_ms": _ms(reference),
        "maskkit_1t_ms": _ms(t1),
        "maskkit_nt_ms": _ms(tn),
        "ratio_1t": None if t1 is None else _ratio(reference, t1),
        "ratio_nt": None if tn is None else _ratio(reference, tn),
        "scaling": None if t1 is None or tn is None else t1.median_s / tn.median_s,
        "threads_nt": threads,
        "parity": parity,
        "checked": parity == "equal",
        "repeats": {
            "reference": None if reference is None else reference.repeats,
            "maskkit_1t": None if t1 is None else t1.repeats,
            "maskkit_nt": None if tn is None else tn.repeats,
        },
        "min_ms": {
            "reference": None if reference is None else reference.min_s * 1e3,
            "maskkit_1t": None if t1 is None else t1.min_s * 1e3,
            "maskkit_nt": None if tn is None else tn.min_s * 1e3,
        },
        "nbytes": workload.nbytes,
        "batched": workload.batched,
        **_floor_fields(variant, floors or {}, t1),
        **_split_floor_fields(variant, split_floor),
    }


def _split_floor_fields(variant: Variant, split_floor: tuple[Timing, Timing] | None) -> Row:
    """The split floor's times at 1 and N threads and its scaling, for variants whose output is
    fresh memory (``None`` for the others)."""
    if split_floor is None or variant.floor != _FRESH_FLOOR:
        return {"split_floor_ms": None, "split_floor_scaling": None}
    one, many = split_floor
    return {"split_floor_ms": [_ms(one), _ms(many)], "split_floor_scaling": one.median_s / many.median_s}


def _rows_of(workload: Workload, threads: int, config: BenchConfig, strict: bool) -> list[Row]:
    """Parity checks (untimed), then interleaved timings, as one row per variant."""
    expected, note = None, workload.missing_note
    if workload.reference is not None:
        try:
            expected = workload.reference()
        except Exception as exc:  # the reference fails on this input: time maskkit alone
            if strict:
                raise
            note = f"{workload.reference_name} raised {_error(exc)}"
            workload = dataclasses.replace(workload, reference=None)
    parities = [_safe_parity(workload, v, expected, threads, strict, note) for v in workload.variants]
    del expected  # large label images: do not keep them alive while timing
    working = tuple(v for v, p in zip(workload.variants, parities) if not p.startswith("ERROR"))
    ref_timing, pairs, split = _timings(dataclasses.replace(workload, variants=working), threads, config)
    floors = _floor_timings(workload, config)
    timed = {v.name: pair for v, pair in zip(working, pairs)}
    return [
        _row(workload, v, p, ref_timing, timed.get(v.name), threads, floors, split)
        for v, p in zip(workload.variants, parities)
    ]


def _environment(threads: int, reference: ModuleType | None) -> dict[str, Any]:
    """Versions, SIMD target and thread counts (``pycocotools`` is ``None`` when not used)."""
    try:
        from importlib.metadata import version

        ref_version: str | None = version("pycocotools") if reference is not None else None
    except Exception:  # pragma: no cover - metadata missing on an odd install
        ref_version = getattr(reference, "__version__", "unknown") if reference is not None else None
    info = maskkit.simd_info()
    return {
        "maskkit": maskkit.__version__,
        "simd_active": info["active"],
        "simd_available": info["available"],
        "threads_1": 1,
        "threads_nt": threads,
        "cpu_count": os.cpu_count(),
        "default_threads": maskkit.get_num_threads(),
        "numpy": np.__version__,
        "pycocotools": ref_version,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
    }


def _cc_versions(rows: list[Row]) -> dict[str, str]:
    """Versions of the connected-components references that were timed."""
    from importlib.metadata import PackageNotFoundError, version

    dists = {"cv2": "opencv-python-headless", "cc3d": "connected-components-3d", "scipy": "scipy", "skimage": "scikit-image"}
    used = {name.split()[0].split(".")[0] for r in rows if r["family"] == "cc" and (name := r["reference_name"])}
    out = {}
    for module in sorted(used & dists.keys()):
        loaded = _CC_MODULES.get(module) or _CC_MODULES.get(f"{module}.ndimage") or _CC_MODULES.get(f"{module}.measure")
        try:
            out[module] = version(dists[module])
        except PackageNotFoundError:
            out[module] = str(getattr(loaded, "__version__", "unknown"))
    return out


_BANDWIDTH_WORKLOADS = ("encode_f", "decode")


def _bandwidth(memory: tuple[Timing, Timing] | None, nbytes: int, rows: list[Row]) -> dict[str, Any] | None:
    """memcpy and alloc+fill GB/s on the encode F bytes, and the fractions encode F / decode reach.

    memcpy reads and writes every byte; encode only reads the masks and decode only writes
    them (into freshly allocated memory, like alloc+fill), so a fraction above 1 is possible.
    """
    if memory is None:
        return None
    copy, fill = memory
    gbs = nbytes / copy.median_s / 1e9
    fill_gbs = nbytes / fill.median_s / 1e9
    result: dict[str, Any] = {
        "bytes": nbytes,
        "memcpy_ms": copy.median_s * 1e3,
        "memcpy_gbs": gbs,
        "alloc_fill_ms": fill.median_s * 1e3,
        "alloc_fill_gbs": fill_gbs,
        "rows": [],
    }
    for row in rows:
        if row["workload"] not in _BANDWIDTH_WORKLOADS:
            continue
        for tag in ("1t", "nt"):
            if row[f"maskkit_{tag}_ms"] is None:
                continue
            rate = row["nbytes"] / (row[f"maskkit_{tag}_ms"] / 1e3) / 1e9
            result["rows"].append(
                {
                    "label": row["label"],
                    "variant": row["variant"],
                    "threads": 1 if tag == "1t" else row["threads_nt"],
                    "gbs": rate,
                    "fraction_of_memcpy": rate / gbs,
                    "fraction_of_alloc_fill": rate / fill_gbs if row["workload"] == "decode" else None,
                }
            )
    return result


def _run_workloads(
    workloads: Sequence[Workload],
    data: BenchData,
    threads: int,
    config: BenchConfig,
    strict: bool,
    progress: Callable[[str], None] | None,
) -> tuple[list[Row], tuple[Timing, Timing] | None]:
    """Rows of every workload, and the memory baselines when a bandwidth workload is among them."""
    rows: list[Row] = []
    memory: tuple[Timing, Timing] | None = None
    for workload in workloads:
        if progress is not None:
            progress(workload.label)
        if memory is None and workload.key in _BANDWIDTH_WORKLOADS:
            maskkit.set_num_threads(1)
            memory = measure_memory(data.masks_f, config)  # next to the timings it is compared with
        rows.extend(_rows_of(workload, threads, config, strict))
    return rows, memory


def run_report(
    quick: bool = False,
    threads: int | None = None,
    workloads: Sequence[str] | None = None,
    *,
    config: BenchConfig | None = None,
    use_reference: bool = True,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return everything measured.

    Parameters
    ----------
    quick
        Use :data:`QUICK` (small data, few repeats) instead of :data:`FULL`.
    threads
        Thread count of the "NT" columns; default ``os.cpu_count()``.
    workloads
        Keys or labels of the workloads to run; default all.
    config
        Overrides ``quick``.
    use_reference
        ``False`` runs as if pycocotools were not installed.
    strict
        Raise :class:`ParityError` at the first mismatch instead of recording it.
    progress
        Called with a short message before each workload.

    Returns
    -------
    dict
        ``environment`` (versions, SIMD target, thread counts), ``rows`` (one dict per
        workload variant, see :func:`run_bench`), ``bandwidth`` (memcpy and alloc+fill GB/s
        and the fractions encode F / decode reach, or ``None``), ``reference_missing``, ``reference_note`` (why
        the reference was skipped, or ``None``) and ``mismatches`` (the ``parity`` of every
        row whose result differed, ``"MISMATCH ..."``, or where maskkit raised, ``"ERROR ..."``).
    """
    cfg = config if config is not None else (QUICK if quick else FULL)
    nt = int(threads) if threads is not None else (os.cpu_count() or 1)
    if nt < 1:
        raise ValueError(f"threads must be >= 1, got {nt}")
    reference = load_reference() if use_reference else None
    data = BenchData(cfg)
    previous = maskkit.get_num_threads()
    try:
        with warnings.catch_warnings():
            # pycocotools' decode warns on every call under numpy >= 2 (its __array__ lacks copy=).
            warnings.filterwarnings("ignore", message=_PYCOCOTOOLS_NUMPY2_WARNING, category=DeprecationWarning)
            selected = build_workloads(data, reference, workloads)
            selected += build_cc_workloads(data, workloads, use_references=use_reference)
            rows, memory = _run_workloads(selected, data, nt, cfg, strict, progress)
    finally:
        maskkit.set_num_threads(previous)
    bandwidth = _bandwidth(memory, data.masks_f.nbytes if memory is not None else 0, rows)
    return {
        "environment": {**_environment(nt, reference), "cc_references": _cc_versions(rows)},
        "config": cfg.__dict__.copy(),
        "rows": rows,
        "bandwidth": bandwidth,
        "reference_missing": reference is None,
        "reference_note": None if reference is not None else REFERENCE_MISSING if use_reference else REFERENCE_DISABLED,
        "mismatches": [r["parity"] for r in rows if r["parity"].startswith(("MISMATCH", "ERROR"))],
    }


def run_bench(
    quick: bool = False,
    threads: int | None = None,
    workloads: Sequence[str] | None = None,
    *,
    use_reference: bool = True,
    strict: bool = False,
) -> list[Row]:
    """Run the benchmark and return one dict per workload variant.

    Each dict has ``workload`` (key), ``label``, ``variant``, ``description``,
    ``reference_ms`` (``None`` without pycocotools), ``maskkit_1t_ms``, ``maskkit_nt_ms``,
    ``ratio_1t`` and ``ratio_nt`` (reference / maskkit, ``None`` without pycocotools),
    ``scaling`` (1-thread / N-thread time), ``threads_nt``, ``parity`` (``"equal"``, a
    ``"not compared ..."`` note, or a ``"MISMATCH ..."`` description), ``checked`` (``True``
    when the result was compared with pycocotools and equal), ``repeats``, ``min_ms``,
    ``nbytes``, ``batched``, the memory floors (``floors_ms``, ``floor``, ``floor_ms``,
    ``over_floor_1t``) and, for cc variants that return a new label image at N > 1 threads,
    ``split_floor_ms`` (a fresh copy at 1 and N threads) and ``split_floor_scaling``.
    """
    report = run_report(quick, threads, workloads, use_reference=use_reference, strict=strict)
    rows: list[Row] = report["rows"]
    return rows


# ----------------------------------------------------------------------------------------------
# formatting
# ----------------------------------------------------------------------------------------------
_COLUMNS = ("workload", "pycocotools ms", "maskkit 1T ms", "ratio 1T", "maskkit NT ms", "ratio NT")


def _fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.2f}" if value < 1000 else f"{value:.0f}"


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _grid(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> list[str]:
    """Header, rule and rows: first column left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = [v.rjust(w) for v, w in zip(values[1:], widths[1:])]
        return " | ".join([first, *rest])

    return [line(columns), "-+-".join("-" * w for w in widths), *(line(c) for c in cells)]


_CC_COLUMNS = (
    "cc workload",
    "reference",
    "ref ms",
    "maskkit 1T ms",
    "ratio 1T",
    "maskkit NT ms",
    "ratio NT",
    "floor",
    "floor ms",
    "1T/floor",
)


def _cc_table(rows: list[Row]) -> list[str]:
    """The connected-components rows: reference, maskkit, ratios, and the memory floor beside."""
    cells = [
        (
            f"{r['label']} [{r['variant']}]",
            r["reference_name"] or "skipped",
            _fmt_ms(r["reference_ms"]),
            _fmt_ms(r["maskkit_1t_ms"]),
            _fmt_ratio(r["ratio_1t"]),
            _fmt_ms(r["maskkit_nt_ms"]),
            _fmt_ratio(r["ratio_nt"]),
            r["floor"] or "-",
            _fmt_ms(r["floor_ms"]),
            _fmt_ratio(r["over_floor_1t"]),
        )
        for r in rows
    ]
    return _grid(_CC_COLUMNS, cells)


def _cc_section(rows: list[Row], env: dict[str, Any]) -> list[str]:
    """The cc table, its floors per workload, and how to read it."""
    versions = ", ".join(f"{k} {v}" for k, v in env.get("cc_references", {}).items()) or "none installed"
    out = [
        f"connected components (maskkit.cc; references at 1 thread, OpenCV setNumThreads(1); {versions})",
        "ratio = reference ms / maskkit ms; 1T/floor = maskkit 1T ms / floor ms (numpy, 1 thread, same pixels)",
        "",
        *_cc_table(rows),
        "",
        (
            "floors (numpy, 1 thread): astype u32 = input.astype(uint32) (fresh output, the floor of label()); "
            "alloc+fill u32 = np.empty(shape, uint32).fill(1); copyto u32 = np.copyto(reused uint32, input) "
            "(floor of out=)"
        ),
    ]
    seen = set()
    for r in rows:
        if r["workload"] not in seen and r["floors_ms"]:
            seen.add(r["workload"])
            floors = ", ".join(f"{name} {_fmt_ms(ms)} ms" for name, ms in r["floors_ms"].items())
            out.append(f"  {r['label']}: {floors}")
    split = [r for r in rows if r.get("split_floor_scaling") is not None]
    if split:
        nt = split[0]["threads_nt"]
        out.append(
            f"scaling, 1T ms / {nt}T ms, beside that of a fresh copy (np.copyto of the input into a new array of "
            f"the labels' dtype, rows split over {nt} threads, timed among the runs above): how far writing a new "
            "array scales on this machine now (its pages are fresh unless malloc recycles freed memory)"
        )
        for r in split:
            one, many = r["split_floor_ms"]
            out.append(
                f"  {r['label']} [{r['variant']}]: maskkit {_fmt_ratio(r['scaling'])}, fresh copy "
                f"{_fmt_ratio(r['split_floor_scaling'])} ({_fmt_ms(one)} -> {_fmt_ms(many)} ms)"
            )
    return out


def _table(rows: list[Row]) -> list[str]:
    cells = [
        (
            f"{r['label']} [{r['variant']}]",
            _fmt_ms(r["reference_ms"]) if r["reference_ms"] is not None else "skipped",
            _fmt_ms(r["maskkit_1t_ms"]),
            _fmt_ratio(r["ratio_1t"]),
            _fmt_ms(r["maskkit_nt_ms"]),
            _fmt_ratio(r["ratio_nt"]),
        )
        for r in rows
    ]
    return _grid(_COLUMNS, cells)


def format_report(report: dict[str, Any]) -> str:
    """The plain-text table and summary lines of a :func:`run_report` result."""
    env = report["environment"]
    rows: list[Row] = report["rows"]
    coco_rows = [r for r in rows if r.get("family", "coco") == "coco"]
    cc_rows = [r for r in rows if r.get("family") == "cc"]
    nt = env["threads_nt"]
    out = [
        f"maskkit bench: maskkit {env['maskkit']}, SIMD {env['simd_active']} "
        f"(available: {', '.join(env['simd_available'])}), threads 1 (1T) and {nt} (NT), "
        f"os.cpu_count()={env['cpu_count']}",
        f"numpy {env['numpy']}, pycocotools {env['pycocotools'] or 'not used'}, "
        f"Python {env['python']}, {env['platform']}",
        "times: median of repeated runs; ratio = reference ms / maskkit ms (higher is faster)"
        + ("; the reference is pycocotools" if coco_rows else ""),
        "",
    ]
    if coco_rows or not cc_rows:
        if report["reference_note"]:
            out += [report["reference_note"] + " (maskkit times only)", ""]
        out += _table(coco_rows)
        out.append("")
    if cc_rows:
        out += _cc_section(cc_rows, env)
        out.append("")
    bandwidth = report["bandwidth"]
    if bandwidth is not None:
        out.append(
            f"memory, 1 thread, {bandwidth['bytes'] / 1e6:.1f} MB (the encode F stack): memcpy (np.copyto) "
            f"{bandwidth['memcpy_gbs']:.2f} GB/s ({bandwidth['memcpy_ms']:.3f} ms), alloc+fill "
            f"(np.empty().fill) {bandwidth['alloc_fill_gbs']:.2f} GB/s ({bandwidth['alloc_fill_ms']:.3f} ms)"
        )
        out.append("  mask bytes / time (memcpy reads and writes each byte; encode reads, decode writes):")
        for b in bandwidth["rows"]:
            fill = b["fraction_of_alloc_fill"]
            out.append(
                f"  {b['label']} [{b['variant']}] {b['threads']}T: {b['gbs']:.2f} GB/s "
                f"= {100 * b['fraction_of_memcpy']:.0f}% of memcpy"
                + ("" if fill is None else f", {100 * fill:.0f}% of alloc+fill")
            )
    scaled = [r for r in rows if r["batched"] and r["scaling"] is not None]
    if scaled:
        out.append(f"scaling (1T time / {nt}T time):")
        out += [f"  {r['label']} [{r['variant']}]: {r['scaling']:.2f}x" for r in scaled]
    checked = sum(1 for r in rows if r["checked"])
    if checked or report["mismatches"]:
        out.append(
            f"parity: {checked}/{len(rows)} rows equal to their reference (pycocotools: identical bytes; "
            "cc: same partition, n and measures, identical labels where both are raster-ordered; compared before timing)"
        )
    else:
        out.append("parity: not compared (no reference ran)")
    out += [f"  {m}" for m in report["mismatches"]]
    noted = cc_rows if report["reference_note"] else rows
    notes = {r["parity"] for r in noted if r["parity"] != "equal"} - set(report["mismatches"])
    out += [f"  {n}" for n in sorted(notes)]
    out.append("")
    out.append("workloads:")
    seen = set()
    for r in rows:
        if r["workload"] not in seen:
            seen.add(r["workload"])
            out.append(f"  {r['label']} ({r['workload']}): {r['description']}")
    return "\n".join(out)
