"""Panoptic quality: maskkit.panoptic next to panopticapi and vernier on the same images.

The data are seeded COCO-panoptic-like 480x640 images (see :mod:`maskkit._bench.panoptic_data`)
written as RGB PNGs + JSON. ``pq from PNGs`` times the whole evaluation from the files:
panopticapi's ``pq_compute_single_core`` (its single-core path, printing silenced), vernier's
``decode_label_map_png`` of every file plus ``Dataset``/``Predictions.from_arrays`` and a strict
evaluation, and ``maskkit.panoptic.pq_compute``. ``pq from arrays`` starts from decoded images:
panopticapi's per-image work (its Pillow decoding replaced by the decoded colour images) next to
``Evaluator.update`` of the same colour images or of id maps, and vernier's ``from_arrays`` +
evaluation of the id maps. panopticapi's results must equal maskkit's exactly; vernier's, which
sums in its own order, within 1e-12.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from types import ModuleType, SimpleNamespace
from typing import Any, Callable

from maskkit import panoptic

from .data import BenchData
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS", "panopticapi_results"]

DOMAIN = "panoptic"


def _panopticapi_pairs(d: BenchData) -> tuple[dict[Any, Any], list[Any]]:
    files = d.panoptic_files
    with open(files.gt_json) as f:
        gt = json.load(f)
    with open(files.pred_json) as f:
        pred = json.load(f)
    by_image = {a["image_id"]: a for a in pred["annotations"]}
    return {c["id"]: c for c in gt["categories"]}, [(a, by_image[a["image_id"]]) for a in gt["annotations"]]


def panopticapi_results(evaluation: ModuleType, categories: dict[Any, Any], stat: Any) -> dict[str, Any]:
    """panopticapi's pq_compute result dict from a ``PQStat`` (its ``pq_average`` per group)."""
    results: dict[str, Any] = {}
    for name, isthing in (("All", None), ("Things", True), ("Stuff", False)):
        results[name], per_class = stat.pq_average(categories, isthing=isthing)
        if name == "All":
            results["per_class"] = per_class
    return results


def _panopticapi_files(d: BenchData) -> Callable[[ModuleType], Any]:
    files = d.panoptic_files

    def run(evaluation: ModuleType) -> dict[str, Any]:
        categories, pairs = _panopticapi_pairs(d)
        with contextlib.redirect_stdout(io.StringIO()):
            stat = evaluation.pq_compute_single_core(0, pairs, files.gt_folder, files.pred_folder, categories)
        return panopticapi_results(evaluation, categories, stat)

    return run


def _panopticapi_arrays(d: BenchData) -> Callable[[ModuleType], Any]:
    """panopticapi's per-image work on decoded colour images (``Image.open`` returns them)."""
    categories_list, samples = d.panoptic
    store = {}
    for i, sample in enumerate(samples):
        store[f"gt/{i}.png"] = panoptic.id2rgb(sample.gt)
        store[f"pred/{i}.png"] = panoptic.id2rgb(sample.pred)
    # copies: panopticapi writes numpy areas into the prediction segments it is given
    pairs = copy.deepcopy([
        ({"image_id": i, "file_name": f"{i}.png", "segments_info": s.gt_segments},
         {"image_id": i, "file_name": f"{i}.png", "segments_info": s.pred_segments})
        for i, s in enumerate(samples)
    ])
    categories = {c["id"]: c for c in categories_list}

    def run(evaluation: ModuleType) -> dict[str, Any]:
        saved = getattr(evaluation, "Image")
        setattr(evaluation, "Image", SimpleNamespace(open=store.__getitem__))
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                stat = evaluation.pq_compute_single_core(0, pairs, "gt", "pred", categories)
        finally:
            setattr(evaluation, "Image", saved)
        return panopticapi_results(evaluation, categories, stat)

    return run


def _vernier_summary(vp: ModuleType, gt_maps: dict[int, Any], pred_maps: dict[int, Any], d: BenchData) -> Any:
    categories, samples = d.panoptic
    gt_segments = json.dumps({str(i): s.gt_segments for i, s in enumerate(samples)}).encode()
    pred_segments = json.dumps({str(i): s.pred_segments for i, s in enumerate(samples)}).encode()
    dataset = vp.Dataset.from_arrays(gt_maps, gt_segments, json.dumps(categories).encode())
    predictions = vp.Predictions.from_arrays(pred_maps, pred_segments)
    return vp.Evaluator(parity_mode="strict").evaluate(dataset, predictions, num_threads=1)


def _vernier_files(d: BenchData) -> Callable[[ModuleType], Any]:
    files = d.panoptic_files

    def run(vp: ModuleType) -> Any:
        n = len(d.panoptic[1])
        gt = {i: vp.decode_label_map_png(f"{files.gt_folder}/{i:012d}.png") for i in range(n)}
        pred = {i: vp.decode_label_map_png(f"{files.pred_folder}/{i:012d}.png") for i in range(n)}
        return _vernier_summary(vp, gt, pred, d)

    return run


def _vernier_arrays(d: BenchData) -> Callable[[ModuleType], Any]:
    _, samples = d.panoptic
    gt = {i: s.gt for i, s in enumerate(samples)}
    pred = {i: s.pred for i, s in enumerate(samples)}
    return lambda vp: _vernier_summary(vp, gt, pred, d)


def _compare_exact(got: Any, expected: Any) -> str | None:
    return None if got == expected else f"maskkit {got['All']} != panopticapi {expected['All']}"


def _compare_vernier(got: Any, expected: Any) -> str | None:
    if isinstance(expected, dict):  # maskkit at N threads against maskkit at one
        return _compare_exact(got, expected)
    pairs = [(got["All"][k], getattr(expected, k)) for k in ("pq", "sq", "rq")]
    pairs += [(got["Things"][k], getattr(expected, f"{k}_things")) for k in ("pq", "sq", "rq")]
    pairs += [(got["Stuff"][k], getattr(expected, f"{k}_stuff")) for k in ("pq", "sq", "rq")]
    if any(abs(a - b) > 1e-12 for a, b in pairs) or got["All"]["n"] != expected.n:
        return f"maskkit {got['All']} != vernier pq={expected.pq} sq={expected.sq} rq={expected.rq} n={expected.n}"
    return None


def _evaluate_arrays(d: BenchData, colours: bool) -> Callable[[], Any]:
    categories, samples = d.panoptic
    if colours:
        images = [(panoptic.id2rgb(s.gt), panoptic.id2rgb(s.pred)) for s in samples]
    else:
        images = [(s.gt, s.pred) for s in samples]

    def run() -> Any:
        ev = panoptic.Evaluator(categories)
        for (gt, pred), s in zip(images, samples):
            ev.update(gt, s.gt_segments, pred, s.pred_segments)
        return ev.compute()

    return run


def _pq_files(d: BenchData, refs: References) -> Workload:
    files = d.panoptic_files
    return Workload(
        key="pq_files",
        label="pq from PNGs",
        description=f"{len(d.panoptic[1])} image pairs of {d.config.height}x{d.config.width} from PNG + JSON; "
        "panopticapi pq_compute_single_core",
        reference=refs.bind("panopticapi.evaluation", _panopticapi_files(d)),
        variants=(Variant("panoptic.pq_compute", lambda: panoptic.pq_compute(files.gt_json, files.pred_json)),),
        missing_note=refs.note("panopticapi"),
        domain=DOMAIN,
        compare=_compare_exact,
        reference_name="panopticapi",
        batched=True,
    )


def _pq_files_vernier(d: BenchData, refs: References) -> Workload:
    files = d.panoptic_files
    return Workload(
        key="pq_files_vernier",
        label="pq from PNGs",
        description="the same files; vernier decode_label_map_png + from_arrays + strict evaluate, one thread",
        reference=refs.bind("vernier.panoptic", _vernier_files(d)),
        variants=(Variant("panoptic.pq_compute", lambda: panoptic.pq_compute(files.gt_json, files.pred_json)),),
        missing_note=refs.note("vernier"),
        domain=DOMAIN,
        compare=_compare_vernier,
        reference_name="vernier",
    )


def _pq_arrays(d: BenchData, refs: References) -> Workload:
    return Workload(
        key="pq_arrays",
        label="pq from arrays",
        description="the same images decoded; panopticapi's per-image work on the colour images; "
        "maskkit Evaluator.update of the colour images or of uint32 id maps",
        reference=refs.bind("panopticapi.evaluation", _panopticapi_arrays(d)),
        variants=(
            Variant("Evaluator (ids)", _evaluate_arrays(d, colours=False)),
            Variant("Evaluator (RGB)", _evaluate_arrays(d, colours=True)),
        ),
        missing_note=refs.note("panopticapi"),
        domain=DOMAIN,
        compare=_compare_exact,
        reference_name="panopticapi",
    )


def _pq_arrays_vernier(d: BenchData, refs: References) -> Workload:
    return Workload(
        key="pq_arrays_vernier",
        label="pq from arrays",
        description="the same uint32 id maps; vernier from_arrays + strict evaluate, one thread",
        reference=refs.bind("vernier.panoptic", _vernier_arrays(d)),
        variants=(Variant("Evaluator (ids)", _evaluate_arrays(d, colours=False)),),
        missing_note=refs.note("vernier"),
        domain=DOMAIN,
        compare=_compare_vernier,
        reference_name="vernier",
    )


WORKLOADS = (_pq_files, _pq_files_vernier, _pq_arrays, _pq_arrays_vernier)
