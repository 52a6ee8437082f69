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
from dataclasses import dataclass
from functools import cached_property
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
    "ParityError",
    "Timed",
    "Timing",
    "Variant",
    "Workload",
    "build_workloads",
    "compare_area_bbox_each",
    "compare_arrays",
    "compare_rle_lists",
    "compare_rles",
    "compare_sequences",
    "format_report",
    "load_reference",
    "make_masks",
    "make_polygon_annotations",
    "measure",
    "measure_interleaved",
    "measure_memory",
    "normalize_workload_names",
    "run_bench",
    "run_report",
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
    """

    name: str
    run: Callable[[], Any]
    to_reference: Callable[[Any], Any] = _same


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
    """

    key: str
    label: str
    description: str
    reference: Callable[[], Any] | None
    variants: tuple[Variant, ...]
    compare: Callable[[Any, Any], str | None]
    nbytes: int = 0
    batched: bool = False


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
    """``(key, label)`` of every workload, in table order (no data is generated)."""
    data = BenchData(QUICK)
    return [(w.key, w.label) for w in (b(data, None) for b in _BUILDERS)]


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
    """The workloads (all, or those in ``keys``) over ``data``; inputs are generated lazily."""
    selected = normalize_workload_names(keys)
    workloads = [b(data, reference) for b in _BUILDERS]
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
    parity = "equal" if expected is None else _check(workload, variant, one, expected, "vs pycocotools")
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
) -> tuple[Timing | None, list[tuple[Timing, Timing]]]:
    """Interleaved timings: the reference's, and each variant's at 1 and ``threads`` threads."""
    calls = [] if workload.reference is None else [Timed(workload.reference, _set_threads(1))]
    for variant in workload.variants:
        calls.append(Timed(variant.run, _set_threads(1)))
        if threads != 1:
            calls.append(Timed(variant.run, _set_threads(threads)))
    timings = measure_interleaved(calls, config)
    reference = None if workload.reference is None else timings.pop(0)
    step = 1 if threads == 1 else 2
    pairs = [(timings[i], timings[i + step - 1]) for i in range(0, len(timings), step)]
    return reference, pairs


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


def _row(
    workload: Workload,
    variant: Variant,
    parity: str,
    reference: Timing | None,
    timings: tuple[Timing, Timing] | None,
    threads: int,
) -> Row:
    t1, tn = timings if timings is not None else (None, None)
    return {
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
    }


def _rows_of(workload: Workload, threads: int, config: BenchConfig, strict: bool) -> list[Row]:
    """Parity checks (untimed), then interleaved timings, as one row per variant."""
    expected, note = None, "no reference"
    if workload.reference is not None:
        try:
            expected = workload.reference()
        except Exception as exc:  # the reference fails on this input: time maskkit alone
            if strict:
                raise
            note = f"pycocotools raised {_error(exc)}"
            workload = dataclasses.replace(workload, reference=None)
    parities = [_safe_parity(workload, v, expected, threads, strict, note) for v in workload.variants]
    working = tuple(v for v, p in zip(workload.variants, parities) if not p.startswith("ERROR"))
    ref_timing, pairs = _timings(dataclasses.replace(workload, variants=working), threads, config)
    timed = {v.name: pair for v, pair in zip(working, pairs)}
    return [_row(workload, v, p, ref_timing, timed.get(v.name), threads) for v, p in zip(workload.variants, parities)]


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
            rows, memory = _run_workloads(build_workloads(data, reference, workloads), data, nt, cfg, strict, progress)
    finally:
        maskkit.set_num_threads(previous)
    bandwidth = _bandwidth(memory, data.masks_f.nbytes if memory is not None else 0, rows)
    return {
        "environment": _environment(nt, reference),
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
    ``nbytes`` and ``batched``.
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
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(_COLUMNS)]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = [v.rjust(w) for v, w in zip(values[1:], widths[1:])]
        return " | ".join([first, *rest])

    return [line(_COLUMNS), "-+-".join("-" * w for w in widths), *(line(c) for c in cells)]


def format_report(report: dict[str, Any]) -> str:
    """The plain-text table and summary lines of a :func:`run_report` result."""
    env = report["environment"]
    rows: list[Row] = report["rows"]
    nt = env["threads_nt"]
    out = [
        f"maskkit bench: maskkit {env['maskkit']}, SIMD {env['simd_active']} "
        f"(available: {', '.join(env['simd_available'])}), threads 1 (1T) and {nt} (NT), "
        f"os.cpu_count()={env['cpu_count']}",
        f"numpy {env['numpy']}, pycocotools {env['pycocotools'] or 'not used'}, "
        f"Python {env['python']}, {env['platform']}",
        "times: median of repeated runs; ratio = pycocotools ms / maskkit ms (higher is faster)",
        "",
    ]
    if report["reference_note"]:
        out += [report["reference_note"] + " (maskkit times only)", ""]
    out += _table(rows)
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
        out.append(f"parity: {checked}/{len(rows)} rows equal to pycocotools (compared before timing)")
    else:
        out.append("parity: not compared (no reference ran)")
    out += [f"  {m}" for m in report["mismatches"]]
    if not report["reference_note"]:
        notes = {r["parity"] for r in rows if r["parity"] != "equal"} - set(report["mismatches"])
        out += [f"  {n}" for n in sorted(notes)]
    out.append("")
    out.append("workloads:")
    seen = set()
    for r in rows:
        if r["workload"] not in seen:
            seen.add(r["workload"])
            out.append(f"  {r['label']} ({r['workload']}): {r['description']}")
    return "\n".join(out)
