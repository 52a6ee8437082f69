"""Connected components: maskkit.cc next to OpenCV, cc3d, scipy.ndimage and scikit-image.

Each workload is timed against the first installed reference of its kind (OpenCV for 2-D
binary images, cc3d for multilabel and 3-D, OpenCV WithStats or cc3d + statistics for
measures); :func:`cc_references` lists every reference of a workload (the benchmark groups
time them all). Results are compared as labelings (:func:`maskkit._bench.compare.compare_labelings`).
:data:`OPTION_WORKLOADS` are periodic boundaries and continuous values (``delta``) next to
cc3d, the one tool that has them (benchmarks only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any, Callable

import numpy as np

import maskkit

from .compare import Labeling, labeling_comparer
from .data import BenchData
from .references import References, distribution
from .timing import FRESH_FLOOR, label_floors, split_fresh_copy
from .workload import Variant, Workload

__all__ = ["OPTION_WORKLOADS", "WORKLOADS", "CCReference", "cc_input", "cc_references", "maskkit_labeling"]

DOMAIN = "cc"


def maskkit_labeling(result: Any) -> Labeling:
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

    def bind(self, refs: References, image: Callable[[], np.ndarray]) -> Callable[[], Any] | None:
        """The timed call on ``image()``, or ``None`` when the package is not installed."""
        call = self.call
        return refs.bind(self.package, lambda module: call(module, image()))


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







def _label_variant(image: Callable[[], np.ndarray], connectivity: int, multilabel: bool = False) -> Variant:
    return Variant(
        "label",
        lambda: maskkit.cc.label(image(), connectivity, multilabel=multilabel),
        maskkit_labeling,
        FRESH_FLOOR,
    )


def _label_out_variant(image: Callable[[], np.ndarray], connectivity: int) -> Variant:
    buffer: dict[str, np.ndarray] = {}

    def run() -> tuple[np.ndarray, int]:
        if "out" not in buffer:
            buffer["out"] = np.ones(image().shape, np.uint32)
        return maskkit.cc.label(image(), connectivity, out=buffer["out"])

    return Variant("label out=u32", run, maskkit_labeling, "copyto u32")


def _first_available(
    candidates: Sequence[CCReference], refs: References, image: Callable[[], np.ndarray]
) -> tuple[CCReference, Callable[[], Any]] | None:
    """The first reference whose package imports, with its timed call."""
    for reference in candidates:
        call = reference.bind(refs, image)
        if call is not None:
            return reference, call
    return None


def _cc_workload(
    key: str,
    label: str,
    description: str,
    image: Callable[[], np.ndarray],
    variants: tuple[Variant, ...],
    refs: References,
) -> Workload:
    """A cc workload timed against its first available row reference (see :func:`cc_references`)."""
    candidates = [r for r in cc_references(key) if r.row]
    chosen = _first_available(candidates, refs, image)
    packages = ", ".join(dict.fromkeys(distribution(r.package) for r in candidates))
    missing = refs.note(candidates[0].package) if not refs.enabled else f"{packages} not installed"
    return Workload(
        key=key,
        label=label,
        description=description,
        reference=None if chosen is None else chosen[1],
        variants=variants,
        compare=labeling_comparer(candidates[0].normalize if chosen is None else chosen[0].normalize),
        reference_name="-" if chosen is None else chosen[0].name,
        domain=DOMAIN,
        floors=label_floors(image),
        split_floor=split_fresh_copy(image, lambda: maskkit_labeling(variants[0].run()).labels),
        missing_note=missing,
    )


def _cc_blobs(d: BenchData, refs: References) -> Workload:
    s = d.config.cc_side
    image = partial(cc_input, d, "cc_blobs")
    return _cc_workload(
        "cc_blobs", "cc blobs",
        f"{s}x{s} uint8 blobs (sigma-4 smooth noise, 40% set), 8-conn; out=u32 reuses a uint32 buffer",
        image, (_label_variant(image, 8), _label_out_variant(image, 8)), refs,
    )


def _cc_noise(d: BenchData, refs: References) -> Workload:
    s = d.config.cc_side
    image = partial(cc_input, d, "cc_noise")
    return _cc_workload(
        "cc_noise", "cc noise", f"{s}x{s} uint8 uniform noise, 50% set, 8-conn",
        image, (_label_variant(image, 8),), refs,
    )


def _cc_coco(d: BenchData, refs: References) -> Workload:
    c = d.config
    image = partial(cc_input, d, "cc_coco")
    return _cc_workload(
        "cc_coco", "cc COCO mask",
        f"one {c.height}x{c.width} object mask (sigma-20 smooth noise, 20% set), 8-conn, Python call included",
        image, (_label_variant(image, 8),), refs,
    )


def _cc_multilabel(d: BenchData, refs: References) -> Workload:
    s = d.config.cc_multi_side
    image = partial(cc_input, d, "cc_multilabel")
    return _cc_workload(
        "cc_multilabel", "cc multilabel",
        f"{s}x{s} uint8 map of 20 touching classes + 35% background, 8-conn, multilabel=True",
        image, (_label_variant(image, 8, multilabel=True),), refs,
    )


def _cc_3d(d: BenchData, refs: References) -> Workload:
    s = d.config.cc_volume_side
    image = partial(cc_input, d, "cc_3d")
    return _cc_workload(
        "cc_3d", "cc 3D 26-conn",
        f"{s}^3 uint8 blobs (sigma-2 smooth noise, 30% set), 26-conn; out=u32 reuses a uint32 buffer",
        image, (_label_variant(image, 26), _label_out_variant(image, 26)), refs,
    )


def _cc_3d6(d: BenchData, refs: References) -> Workload:
    s = d.config.cc_volume_side
    image = partial(cc_input, d, "cc_3d6")
    return _cc_workload(
        "cc_3d6", "cc 3D 6-conn", f"the same {s}^3 blobs, 6-conn",
        image, (_label_variant(image, 6),), refs,
    )


def _cc_stats(d: BenchData, refs: References) -> Workload:
    s = d.config.cc_side
    image = partial(cc_input, d, "cc_stats")
    variant = Variant(
        "label_stats", lambda: maskkit.cc.label_stats(image(), 8), maskkit_labeling, FRESH_FLOOR
    )
    return _cc_workload(
        "cc_stats", "cc label+stats",
        f"the {s}x{s} blobs, 8-conn: labels + area, bbox, centroid (cv2 WithStats / cc3d.statistics)",
        image, (variant,), refs,
    )


WORKLOADS = (_cc_blobs, _cc_noise, _cc_coco, _cc_multilabel, _cc_3d, _cc_3d6, _cc_stats)


# Periodic boundaries and continuous values, next to cc3d (the benchmarks' option groups).
def _grey_image(data: BenchData) -> np.ndarray:
    """A grey image for ``delta``: a random walk along each row of a ``cc_side / 2`` square, so
    neighbouring values are close and components are long streaks."""
    side = data.config.cc_side // 2
    rng = np.random.default_rng(data.config.seed + 7)
    return (np.cumsum(rng.integers(-2, 3, (side, side)), axis=1) % 200).astype(np.uint8)


def _grey_volume(data: BenchData) -> np.ndarray:
    """The 3-D blobs made grey: ``7 * blob + z`` (uint8), for ``delta`` in 3-D."""
    volume = cc_input(data, "cc_3d")
    return volume * np.uint8(7) + np.arange(volume.shape[0], dtype=np.uint8)[:, None, None]


def _partition(labels: np.ndarray) -> Labeling:
    """A label image compared as a partition only (cc3d does not promise raster order here)."""
    return Labeling(labels, int(labels.max()) if labels.size else 0, False)


def _option(
    key: str, label: str, image: Callable[[BenchData], np.ndarray], ours: dict[str, Any], theirs: dict[str, Any]
) -> Callable[[BenchData, References], Workload]:
    """``cc.label(image, **ours)`` next to ``cc3d.connected_components(image, **theirs)``."""

    def build(d: BenchData, refs: References) -> Workload:
        cache: dict[str, np.ndarray] = {}

        def img() -> np.ndarray:
            if "image" not in cache:
                cache["image"] = image(d)
            return cache["image"]

        return Workload(
            key=key,
            label=label,
            description=f"cc.label(image, {ours}) vs cc3d.connected_components(image, {theirs})",
            reference=refs.bind("cc3d", lambda cc3d: cc3d.connected_components(img(), **theirs)),
            variants=(Variant("label", lambda: maskkit.cc.label(img(), **ours)[0], _partition),),
            compare=labeling_comparer(_partition),
            reference_name="cc3d",
            domain=DOMAIN,
            missing_note=refs.note("cc3d"),
        )

    return build


OPTION_WORKLOADS = (
    _option("periodic_blobs", "periodic blobs 8-conn", partial(cc_input, key="cc_blobs"),
            {"connectivity": 8, "periodic": True}, {"connectivity": 8, "periodic_boundary": True}),
    _option("periodic_3d6", "periodic 3D 6-conn", partial(cc_input, key="cc_3d"),
            {"connectivity": 6, "periodic": True}, {"connectivity": 6, "periodic_boundary": True}),
    _option("delta_grey", "delta grey 4-conn", _grey_image,
            {"connectivity": 4, "delta": 2}, {"connectivity": 4, "delta": 2}),
    _option("delta_grey3d", "delta grey 3D 26-conn", _grey_volume,
            {"connectivity": 26, "delta": 3}, {"connectivity": 26, "delta": 3}),
)
