"""Connected components: maskkit.cc next to OpenCV, cc3d, scipy.ndimage and scikit-image.

Run ``pytest benchmarks/bench_cc.py --benchmark-group-by=group``. One group per input of
``maskkit bench``'s connected-components table (same seeded data, see :mod:`maskkit._bench`):
4096² blobs and 50 % noise (8-conn), one 480×640 COCO-like object mask, a 2048² map of 20
touching classes (multilabel), 256³ blobs at 26- and 6-conn, and labels + area/bbox/centroid
on the blobs. ``--maskkit-quick`` uses the small data of ``maskkit bench --quick``.

In each group maskkit (one thread) and every installed reference (one thread; OpenCV with
``setNumThreads(1)``) label the same image, and each benchmark asserts that its result is the
same partition as maskkit's, with the same component count and measures; where both number
their labels in raster order (scipy, scikit-image, cc3d's default path, OpenCV SAUF), the label
images must be identical. A reference whose package is missing is skipped.

Each benchmark runs about :data:`TARGET_S` seconds (``benchmark.pedantic``: at least 3 rounds,
calls shorter than 1 ms batched into 1 ms rounds), so a group takes a few seconds.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import pytest
from maskkit import _bench

TARGET_S = 0.4

# Workload metadata only (no data is generated and no reference imported at collection).
_SPECS = _bench.build_cc_workloads(_bench.BenchData(_bench.QUICK), use_references=False)

MASKKIT_CASES: list[Any] = [
    pytest.param(w.key, i, id=f"{w.key}-{v.name}".replace(" ", "_")) for w in _SPECS for i, v in enumerate(w.variants)
]
REFERENCE_CASES: list[Any] = [
    pytest.param(w.key, i, id=f"{w.key}-{r.name}".replace(" ", "_"))
    for w in _SPECS
    for i, r in enumerate(_bench.cc_references(w.key))
]


def _plan(seconds: float) -> tuple[int, int]:
    """``(rounds, iterations)`` filling :data:`TARGET_S` for a call of ``seconds``."""
    iterations = max(1, math.ceil(1e-3 / max(seconds, 1e-7)))
    rounds = round(TARGET_S / (max(seconds, 1e-7) * iterations))
    return min(max(rounds, 3), 1000), iterations


def _time(benchmark: Any, fn: Callable[[], Any]) -> Any:
    """Warm up (the first call also generates the data), then time ``fn`` for about :data:`TARGET_S`."""
    fn()
    start = time.perf_counter()
    fn()
    rounds, iterations = _plan(time.perf_counter() - start)
    return benchmark.pedantic(fn, rounds=rounds, iterations=iterations, warmup_rounds=0)


class Expected:
    """maskkit's labeling of each workload, computed once per session (untimed)."""

    def __init__(self, workloads: dict[str, _bench.Workload]) -> None:
        self._workloads = workloads
        self._labelings: dict[str, _bench.Labeling] = {}

    def __call__(self, key: str) -> _bench.Labeling:
        if key not in self._labelings:
            variant = self._workloads[key].variants[0]
            self._labelings[key] = variant.to_reference(variant.run())
        return self._labelings[key]


@pytest.fixture(scope="session")
def cc_workloads(bench_data: _bench.BenchData) -> dict[str, _bench.Workload]:
    """The cc workloads on the session's data, with their ``maskkit bench`` reference."""
    return {w.key: w for w in _bench.build_cc_workloads(bench_data)}


@pytest.fixture(scope="session")
def expected(cc_workloads: dict[str, _bench.Workload]) -> Expected:
    return Expected(cc_workloads)


@pytest.mark.parametrize(("key", "index"), MASKKIT_CASES)
def test_maskkit(benchmark: Any, cc_workloads: dict[str, _bench.Workload], expected: Expected, key: str, index: int) -> None:
    """maskkit's variant ``index`` of workload ``key``: equal to maskkit's first variant and,
    when installed, to the reference ``maskkit bench`` uses for this row."""
    workload = cc_workloads[key]
    variant = workload.variants[index]
    benchmark.group = workload.label
    benchmark.extra_info["variant"] = f"maskkit {variant.name}"
    result = variant.to_reference(_time(benchmark, variant.run))
    message = _bench.compare_labelings(result, expected(key))
    assert message is None, f"{key} [{variant.name}] vs maskkit [{workload.variants[0].name}]: {message}"
    if workload.reference is not None:
        message = workload.compare(result, workload.reference())
        assert message is None, f"{key} [{variant.name}] vs {workload.reference_name}: {message}"


@pytest.mark.parametrize(("key", "index"), REFERENCE_CASES)
def test_reference(
    benchmark: Any, bench_data: _bench.BenchData, cc_workloads: dict[str, _bench.Workload], expected: Expected, key: str, index: int
) -> None:
    """Reference ``index`` of workload ``key``: the same partition (and measures) as maskkit."""
    reference = _bench.cc_references(key)[index]
    call = reference.bind(lambda: _bench.cc_input(bench_data, key))
    if call is None:
        pytest.skip(f"{reference.package.split('.')[0]} not installed")
    benchmark.group = cc_workloads[key].label
    benchmark.extra_info["variant"] = reference.name
    result = reference.normalize(_time(benchmark, call))
    message = _bench.compare_labelings(expected(key), result)
    assert message is None, f"{key}: maskkit vs {reference.name}: {message}"
