"""Seeded, COCO-like inputs of every workload (numpy and maskkit only; nothing is downloaded).

Masks are unions of rotated ellipses and star polygons of COCO's size mix (many small, some
medium, a few large; some with holes, about one in six touching the border); polygon
annotations trace smooth irregular outlines with COCO's two-decimal coordinates; the
connected-components images are smooth noise thresholded to a density (three box filters per
axis approximate a Gaussian, so scipy is not needed). :class:`BenchData` builds each input on
first use and keeps it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from maskkit import coco as mk
from maskkit import rle

from .coco_annotations import coco_like_annotations
from .panoptic_data import PanopticSample, make_panoptic_dataset, write_panoptic_dataset
from .config import BenchConfig

__all__ = [
    "BenchData",
    "ann_to_rle",
    "coco_like_annotations",
    "make_blobs",
    "make_masks",
    "make_multilabel",
    "make_noise",
    "make_polygon_annotations",
    "polygons_to_rles",
    "smooth_field",
]


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
    >>> from maskkit._bench.data import make_masks
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
    >>> from maskkit._bench.data import make_polygon_annotations
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


def polygons_to_rles(module: Any, segms: Sequence[Any], height: int, width: int) -> list[dict[str, Any]]:
    """``COCO.annToRLE`` on polygon annotations: ``merge(frPyObjects(segm, h, w))`` each, with
    ``module`` pycocotools.mask or maskkit.coco."""
    return [module.merge(module.frPyObjects(s, height, width)) for s in segms]


def ann_to_rle(module: Any, ann: dict[str, Any]) -> dict[str, Any]:
    """``COCO.annToRLE``: polygons merged, uncompressed RLE compressed, compressed RLE as is."""
    segm, height, width = ann["segmentation"], ann["height"], ann["width"]
    if isinstance(segm, list):
        out: dict[str, Any] = module.merge(module.frPyObjects(segm, height, width))
    elif isinstance(segm["counts"], list):
        out = module.frPyObjects(segm, height, width)
    else:
        out = segm
    return out


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
    >>> from maskkit._bench.data import smooth_field
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
    >>> from maskkit._bench.data import make_blobs
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
    >>> from maskkit._bench.data import make_multilabel
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


@dataclass(frozen=True)
class PanopticFiles:
    """Where the panoptic workloads' PNGs and JSONs were written."""

    gt_json: str
    pred_json: str
    gt_folder: str
    pred_folder: str


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
        return polygons_to_rles(mk, self._iou_polygons[0], self.config.height, self.config.width)

    @cached_property
    def dt_rles(self) -> list[dict[str, Any]]:
        """Detection RLEs: the ground truths shifted and scaled, so most pairs overlap."""
        return polygons_to_rles(mk, self._iou_polygons[1], self.config.height, self.config.width)

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

    # -- real-shaped annotations and the RLE dialects ----------------------------------------
    @cached_property
    def real_annotations(self) -> list[dict[str, Any]]:
        """``n_real`` real-shaped COCO annotations (see :func:`coco_like_annotations`)."""
        return coco_like_annotations(self.config.n_real, self.config.seed + 20)

    @cached_property
    def real_rles(self) -> list[dict[str, Any]]:
        """The real-shaped annotations as RLE dicts (``COCO.annToRLE``, run with maskkit)."""
        return [ann_to_rle(mk, a) for a in self.real_annotations]

    @cached_property
    def uncompressed(self) -> list[dict[str, Any]]:
        """:attr:`masks_c` as COCO uncompressed RLE dicts (``counts`` lists of ints)."""
        return rle.to_uncompressed(self.batch)

    @cached_property
    def kaggle(self) -> list[str]:
        """:attr:`masks_c` as Kaggle ``EncodedPixels`` strings (column-major, 1-indexed)."""
        return rle.to_kaggle(self.batch, order="F")

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

    @cached_property
    def panoptic(self) -> tuple[list[dict[str, Any]], list[PanopticSample]]:
        """``(categories, samples)``: ``n_panoptic`` COCO-panoptic-like image pairs."""
        c = self.config
        return make_panoptic_dataset(c.n_panoptic, c.height, c.width, 20, c.seed + 20)

    @cached_property
    def panoptic_files(self) -> PanopticFiles:
        """:attr:`panoptic` written as COCO panoptic PNGs + JSONs to a temporary folder that is
        removed with this object."""
        folder = tempfile.mkdtemp(prefix="maskkit-bench-panoptic-")
        weakref.finalize(self, shutil.rmtree, folder, True)
        gt_json, pred_json = write_panoptic_dataset(folder, *self.panoptic)
        return PanopticFiles(gt_json, pred_json, gt_json[: -len(".json")], pred_json[: -len(".json")])
