"""Panoptic merges: maskkit.panoptic next to panopticapi's combine and the framework merges' NumPy ports.

``pan_combine`` runs panopticapi's ``combine_to_panoptic_single_core`` on COCO-sized images
(about 20 instance RLEs and a dozen stuff RLEs each, one IdGenerator for all, as its worker
has) with the PNG output stubbed out (``id2rgb`` and PIL: the id map is kept as it is), next to
:func:`maskkit.panoptic.combine_image`: the per-image work without writing the PNG. The detectron2, Panoptic-DeepLab
and Mask2Former merges run at 1024 x 2048 next to the NumPy transcriptions of their algorithms
in :mod:`maskkit._bench.panoptic_ports`. Results are compared exactly: the maps and the segment lists.
"""

from __future__ import annotations

import contextlib
import io
from types import ModuleType
from typing import Any, Callable

import numpy as np

from maskkit import panoptic, rle

from .data import BenchData, make_masks
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS", "combine_images"]

DOMAIN = "panoptic"
PORTS = "maskkit._bench.panoptic_ports"
PORTS_NOTE = "the NumPy ports (maskkit._bench.panoptic_ports) did not import"
N_IMAGES = 8
THINGS = {i: {"id": i, "isthing": 1, "color": [40 + 9 * i, 200 - 7 * i, 60 + 5 * i]} for i in range(1, 21)}
STUFF = {100 + i: {"id": 100 + i, "isthing": 0, "color": [30 + 17 * i, 90 + 11 * i, 240 - 13 * i]} for i in range(12)}
CATEGORIES = {**THINGS, **STUFF}


def _cached(build: Callable[[], Any]) -> Callable[[], Any]:
    cache: list[Any] = []

    def get() -> Any:
        if not cache:
            cache.append(build())
        return cache[0]

    return get


def _strings(rles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RLE dicts as result JSON holds them (counts as str)."""
    return [{"size": r["size"], "counts": r["counts"].decode()} for r in rles]


def _blocks(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int], values: np.ndarray) -> np.ndarray:
    """A label map of ``cells`` rectangles of random ``values``, cropped to ``shape``."""
    grid = rng.choice(values, cells)
    tile = (-(-shape[0] // cells[0]), -(-shape[1] // cells[1]))
    return np.kron(grid, np.ones(tile, grid.dtype))[: shape[0], : shape[1]]


def combine_images(data: BenchData) -> list[dict[str, Any]]:
    """``N_IMAGES`` images: instance RLEs with scores (some tied), categories and stuff RLEs."""
    c = data.config
    rng = np.random.default_rng(c.seed + 31)
    images = []
    for i in range(N_IMAGES):
        masks = make_masks(20, c.height, c.width, seed=c.seed + 100 + i)
        stuff_map = _blocks(rng, (c.height, c.width), (6, 8), np.array(sorted(STUFF)))
        labels = np.unique(stuff_map)
        stuff = np.stack([stuff_map == v for v in labels])
        images.append({
            "id": i, "height": c.height, "width": c.width, "file_name": f"{i}.jpg",
            "inst": _strings(rle.encode(masks).to_coco()),
            "scores": np.round(rng.uniform(0.3, 1.0, 20), 2).tolist(),
            "cats": rng.integers(1, 21, 20).tolist(),
            "stuff": _strings(rle.encode(stuff).to_coco()),
            "stuff_cats": labels.tolist(),
        })
    return images


class _NoPng:
    """Stands in for id2rgb and PIL.Image in panopticapi's module: keeps the id maps, writes nothing."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def id2rgb(self, pan: np.ndarray) -> np.ndarray:
        return pan

    def fromarray(self, array: np.ndarray) -> "_NoPng":
        self.arrays.append(array)
        return self

    def save(self, path: str) -> None:
        pass


def _panopticapi_combine(module: ModuleType, images: list[dict[str, Any]]) -> list[Any]:
    img_id2img = {im["id"]: {k: im[k] for k in ("id", "height", "width", "file_name")} for im in images}
    inst_by_image, sem_by_image = {}, {}
    for im in images:
        anns = [{"segmentation": s, "score": p, "category_id": k} for s, p, k in zip(im["inst"], im["scores"], im["cats"])]
        inst_by_image[im["id"]] = sorted((a for a in anns if not a["score"] < 0.5), key=lambda a: -a["score"])
        sem_by_image[im["id"]] = [{"segmentation": s, "category_id": k} for s, k in zip(im["stuff"], im["stuff_cats"])]
    stub, original = _NoPng(), (getattr(module, "Image"), getattr(module, "id2rgb"))
    setattr(module, "Image", stub)
    setattr(module, "id2rgb", stub.id2rgb)
    try:
        np.random.seed(0)
        with contextlib.redirect_stdout(io.StringIO()):
            annotations = module.combine_to_panoptic_single_core(
                0, list(img_id2img), img_id2img, inst_by_image, sem_by_image, ".", 0.5, 64 * 64, CATEGORIES
            )
    finally:
        setattr(module, "Image", original[0])
        setattr(module, "id2rgb", original[1])
    return [(pan, a["segments_info"]) for pan, a in zip(stub.arrays, annotations)]


def _maskkit_combine(images: list[dict[str, Any]]) -> list[Any]:
    ids = panoptic.IdGenerator(CATEGORIES, seed=0)
    out = []
    for im in images:
        pan, segments = panoptic.combine_image(im["inst"], im["scores"], im["cats"], im["stuff"], im["stuff_cats"],
                                               id_generator=ids)
        out.append((pan, segments))
    return out


def _compare_outputs(got: Any, expected: Any) -> str | None:
    """Maps (arrays: dtype, shape, values) and segment lists, item by item."""
    if len(got) != len(expected):
        return f"{len(got)} results vs {len(expected)}"
    for i, (a, b) in enumerate(zip(got, expected)):
        for j, (x, y) in enumerate(zip(a, b)):
            same = (x.dtype == y.dtype and np.array_equal(x, y)) if isinstance(x, np.ndarray) else x == y
            if not same:
                return f"image {i}, output {j} differs"
    return None


def _combine(d: BenchData, refs: References) -> Workload:
    images = _cached(lambda: combine_images(d))
    return Workload(
        key="pan_combine",
        label="combine per image",
        description=f"{N_IMAGES} images of {d.config.height}x{d.config.width}, 20 instance + ~12 stuff RLEs each: "
        "panoptic.combine_image vs panopticapi combine_to_panoptic_single_core without the PNG (id2rgb, PIL)",
        reference=refs.bind("panopticapi.combine_semantic_and_instance_predictions",
                            lambda m: _panopticapi_combine(m, images())),
        variants=(Variant("combine_image", lambda: _maskkit_combine(images())),),
        compare=_compare_outputs,
        reference_name="panopticapi",
        domain=DOMAIN,
        missing_note="panopticapi-lite not installed",
    )


def _side(d: BenchData) -> tuple[int, int]:
    return (1024, 2048) if d.config.cc_side >= 4096 else (128, 256)


def _d2_inputs(d: BenchData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    h, w = _side(d)
    rng = np.random.default_rng(d.config.seed + 41)
    masks = make_masks(30, h, w, seed=d.config.seed + 42)
    scores = rng.uniform(0.3, 1.0, 30).astype(np.float32)
    classes = rng.integers(0, 80, 30)
    sem = _blocks(rng, (h, w), (16, 32), np.arange(0, 21))
    return masks, scores, classes, sem


def _maskkit_d2(inputs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> list[Any]:
    masks, scores, classes, sem = inputs
    return [panoptic.combine_semantic_and_instance_outputs(masks, scores, classes, sem, 0.5, 4096, 0.5)]


def _maskkit_deeplab(inputs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[Any]:
    sem, heat, offsets = inputs
    return [panoptic.get_panoptic_segmentation(sem, heat, offsets, list(range(11, 19)), 1000, 2048, -1, 0.1, 7, 200)]


def _maskkit_maskformer(inputs: tuple[np.ndarray, np.ndarray]) -> list[Any]:
    cls, pred = inputs
    return [panoptic.panoptic_inference(cls, pred, list(range(80)), 0.8, 0.8)]


def _ports_call(refs: References, call: Callable[[Any], Any]) -> Callable[[], Any] | None:
    return refs.bind(PORTS, call)


def _d2(d: BenchData, refs: References) -> Workload:
    inputs = _cached(lambda: _d2_inputs(d))
    h, w = _side(d)
    return Workload(
        key="pan_detectron2",
        label="detectron2 combine",
        description=f"30 instance masks + a 21-label argmax map at {h}x{w}: "
        "panoptic.combine_semantic_and_instance_outputs vs its NumPy port",
        reference=_ports_call(refs, lambda ports: [ports.detectron2_combine(*inputs(), 0.5, 4096, 0.5)]),
        variants=(Variant("combine_semantic_and_instance_outputs", lambda: _maskkit_d2(inputs())),),
        compare=_compare_outputs,
        reference_name="NumPy port",
        domain=DOMAIN,
        missing_note=PORTS_NOTE,
    )


def _deeplab_inputs(d: BenchData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h, w = _side(d)
    rng = np.random.default_rng(d.config.seed + 51)
    centers = np.stack([rng.integers(0, h, 24), rng.integers(0, w, 24)], 1)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    heat = np.zeros((h, w), np.float32)
    nearest = np.zeros((h, w), np.int64)
    best = np.full((h, w), np.inf, np.float32)
    for k, (cy, cx) in enumerate(centers):
        dist = (yy - cy) ** 2 + (xx - cx) ** 2
        heat = np.maximum(heat, np.exp(-dist / np.float32(2 * 40.0**2)).astype(np.float32))
        closer = dist < best
        best[closer], nearest[closer] = dist[closer], k
    offsets = np.stack([centers[nearest, 0] - yy, centers[nearest, 1] - xx]).astype(np.float32)
    offsets += rng.normal(0, 3, offsets.shape).astype(np.float32)
    sem = _blocks(rng, (h, w), (16, 32), np.arange(0, 19))
    return sem, heat[None], offsets


def _deeplab_port(ports: Any, sem: np.ndarray, heat: np.ndarray, offsets: np.ndarray) -> list[Any]:
    thing_ids = list(range(11, 19))
    centers = ports.find_instance_center(heat[0], 0.1, 7, 200, "detectron2")
    ins = ports.group_pixels(centers, offsets) * np.isin(sem, thing_ids)
    return [(ports.merge_semantic_and_instance(sem, ins, thing_ids, 1000, 2048, -1), centers)]


def _deeplab(d: BenchData, refs: References) -> Workload:
    inputs = _cached(lambda: _deeplab_inputs(d))
    h, w = _side(d)
    return Workload(
        key="pan_deeplab",
        label="Panoptic-DeepLab",
        description=f"24 centers, 19 classes at {h}x{w} (NMS 7, top_k 200): panoptic.get_panoptic_segmentation "
        "vs the NumPy ports of find_instance_center, group_pixels and merge_semantic_and_instance",
        reference=_ports_call(refs, lambda ports: _deeplab_port(ports, *inputs())),
        variants=(Variant("get_panoptic_segmentation", lambda: _maskkit_deeplab(inputs())),),
        compare=_compare_outputs,
        reference_name="NumPy port",
        domain=DOMAIN,
        missing_note=PORTS_NOTE,
    )


def _maskformer_inputs(d: BenchData) -> tuple[np.ndarray, np.ndarray]:
    """Class logits with 20 confident queries; mask logits shaped like a trained model's: high
    (about +6) on the query's object or region, low (about -8) elsewhere, with noise, so a
    pixel has one or two plausible queries."""
    h, w = _side(d)
    rng = np.random.default_rng(d.config.seed + 61)
    q, classes = 40, 133
    cls = rng.normal(0, 1, (q, classes + 1))
    confident = rng.choice(q, 20, replace=False)
    cls[confident, rng.integers(0, classes, 20)] += 8  # 20 queries above the 0.8 threshold
    regions = make_masks(q, h, w, seed=d.config.seed + 62)
    pred = np.where(regions, np.float32(6), np.float32(-8)) + rng.normal(0, 2, (q, h, w)).astype(np.float32)
    return cls, pred.astype(np.float32)


def _maskformer(d: BenchData, refs: References) -> Workload:
    inputs = _cached(lambda: _maskformer_inputs(d))
    h, w = _side(d)
    things = list(range(80))
    return Workload(
        key="pan_maskformer",
        label="Mask2Former merge",
        description=f"40 queries (20 kept), 133 classes at {h}x{w}: panoptic.panoptic_inference vs its NumPy port",
        reference=_ports_call(refs, lambda ports: [ports.mask2former_panoptic_inference(*inputs(), things, 0.8, 0.8)]),
        variants=(Variant("panoptic_inference", lambda: _maskkit_maskformer(inputs())),),
        compare=_compare_outputs,
        reference_name="NumPy port",
        domain=DOMAIN,
        missing_note=PORTS_NOTE,
    )


WORKLOADS = (_combine, _d2, _deeplab, _maskformer)
