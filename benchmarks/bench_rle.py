"""COCO mask API: maskkit next to pycocotools.mask, one pytest-benchmark group per workload.

Run ``pytest benchmarks/bench_rle.py --benchmark-group-by=group``. Every benchmark asserts
that its timed result equals the other side's (RLE bytes, arrays, dtypes, memory order).
The workloads are those of ``maskkit bench`` (see :mod:`maskkit._bench`).
"""

from __future__ import annotations

from typing import Any

import pytest
from maskkit import _bench

REFERENCE = _bench.load_reference()

# Workload metadata only: the data are generated lazily, on first use inside a benchmark.
_SPECS = _bench.build_workloads(_bench.BenchData(_bench.QUICK), None)


def _variant_id(key: str, name: str) -> str:
    return f"{key}-{name}".replace(" ", "_")


MASKKIT_CASES: list[Any] = [
    pytest.param(w.key, i, id=_variant_id(w.key, v.name)) for w in _SPECS for i, v in enumerate(w.variants)
]
REFERENCE_CASES: list[Any] = [pytest.param(w.key, id=w.key) for w in _SPECS]


@pytest.mark.parametrize(("key", "index"), MASKKIT_CASES)
def test_maskkit(benchmark: Any, workloads: dict[str, _bench.Workload], results: Any, key: str, index: int) -> None:
    """maskkit's variant ``index`` of workload ``key``; equal to pycocotools when installed."""
    workload = workloads[key]
    variant = workload.variants[index]
    benchmark.group = workload.label
    benchmark.extra_info["variant"] = variant.name
    variant.run()  # untimed warm-up: builds the lazily generated inputs
    result = benchmark(variant.run)
    if REFERENCE is not None:
        message = workload.compare(variant.to_reference(result), results.reference(key))
        assert message is None, message


@pytest.mark.skipif(REFERENCE is None, reason=_bench.REFERENCE_MISSING)
@pytest.mark.parametrize("key", REFERENCE_CASES)
def test_pycocotools(benchmark: Any, workloads: dict[str, _bench.Workload], results: Any, key: str) -> None:
    """The pycocotools call that workload ``key`` replaces; equal to maskkit's result."""
    workload = workloads[key]
    assert workload.reference is not None
    benchmark.group = workload.label
    benchmark.extra_info["variant"] = "pycocotools"
    workload.reference()  # untimed warm-up: builds the lazily generated inputs
    result = benchmark(workload.reference)
    message = workload.compare(results.maskkit(key), result)
    assert message is None, message
