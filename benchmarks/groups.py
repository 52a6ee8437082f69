"""pytest-benchmark groups built on maskkit bench's workload tables (:mod:`maskkit._bench`).

One group per workload: the reference and every maskkit variant run on the same data at one
thread, each timed for about :data:`TARGET_S` seconds and each asserting that its result
equals the other side's, with the workload's own comparison (RLE bytes, arrays with dtype and
memory order, labelings). The tables are the ones ``maskkit bench`` prints; nothing here
defines a workload.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import pytest
from maskkit import _bench

TARGET_S = 0.4

# Workload metadata only: no data is generated and no reference imported at collection.
_QUICK = _bench.BenchData(_bench.QUICK)
_NO_REFERENCES = _bench.References(enabled=False)


def specs(domain: str, extra: tuple[Any, ...] = ()) -> list[_bench.Workload]:
    """The workloads of ``domain``'s table (plus ``extra`` builders), metadata only."""
    return [build(_QUICK, _NO_REFERENCES) for build in (*_bench.TABLES[domain], *extra)]


def _case_id(key: str, name: str) -> str:
    return f"{key}-{name}".replace(" ", "_")


def maskkit_cases(workloads: list[_bench.Workload]) -> list[Any]:
    """``(key, variant index)`` of every maskkit variant."""
    return [pytest.param(w.key, i, id=_case_id(w.key, v.name)) for w in workloads for i, v in enumerate(w.variants)]


def reference_cases(workloads: list[_bench.Workload]) -> list[Any]:
    """``key`` of every workload (its reference)."""
    return [pytest.param(w.key, id=w.key) for w in workloads]


def _plan(seconds: float) -> tuple[int, int]:
    """``(rounds, iterations)`` filling :data:`TARGET_S` for a call of ``seconds``."""
    iterations = max(1, math.ceil(1e-3 / max(seconds, 1e-7)))
    rounds = round(TARGET_S / (max(seconds, 1e-7) * iterations))
    return min(max(rounds, 3), 1000), iterations


def timed(benchmark: Any, fn: Callable[[], Any]) -> Any:
    """Warm up (the first call also generates the data), then time ``fn`` for about :data:`TARGET_S`;
    calls shorter than 1 ms are batched into 1 ms rounds."""
    fn()
    start = time.perf_counter()
    fn()
    rounds, iterations = _plan(time.perf_counter() - start)
    return benchmark.pedantic(fn, rounds=rounds, iterations=iterations, warmup_rounds=0)


class Results:
    """Untimed results computed once per session: each reference's and each first variant's."""

    def __init__(self, workloads: dict[str, _bench.Workload]) -> None:
        self.workloads = workloads
        self._reference: dict[str, Any] = {}
        self._maskkit: dict[str, Any] = {}

    def reference(self, key: str) -> Any:
        """The reference result of workload ``key`` (skips when its package is missing)."""
        if key not in self._reference:
            run = self.workloads[key].reference
            if run is None:
                pytest.skip(self.workloads[key].missing_note)
            self._reference[key] = run()
        return self._reference[key]

    def maskkit(self, key: str) -> Any:
        """maskkit's result (first variant, in the reference's form) of workload ``key``."""
        if key not in self._maskkit:
            variant = self.workloads[key].variants[0]
            self._maskkit[key] = variant.to_reference(variant.run())
        return self._maskkit[key]


def bench_maskkit(benchmark: Any, results: Results, key: str, index: int) -> None:
    """Time maskkit's variant ``index`` of ``key``; assert it equals the reference (when installed)
    and the first variant."""
    workload = results.workloads[key]
    variant = workload.variants[index]
    benchmark.group = workload.label
    benchmark.extra_info["variant"] = f"maskkit {variant.name}"
    got = variant.to_reference(timed(benchmark, variant.run))
    message = workload.compare(got, results.maskkit(key))
    assert message is None, f"{key} [{variant.name}] vs maskkit [{workload.variants[0].name}]: {message}"
    if workload.reference is not None:
        message = workload.compare(got, results.reference(key))
        assert message is None, f"{key} [{variant.name}] vs {workload.reference_name}: {message}"


def bench_reference(benchmark: Any, results: Results, key: str) -> None:
    """Time the reference of ``key`` (skipped when its package is missing); assert it equals maskkit."""
    workload = results.workloads[key]
    if workload.reference is None:
        pytest.skip(workload.missing_note)
    benchmark.group = workload.label
    benchmark.extra_info["variant"] = workload.reference_name
    expected = timed(benchmark, workload.reference)
    message = workload.compare(results.maskkit(key), expected)
    assert message is None, f"{key}: maskkit vs {workload.reference_name}: {message}"


def domain_tests(domain: str) -> tuple[Callable[..., None], Callable[..., None]]:
    """``test_maskkit`` and ``test_reference`` of every workload of ``domain``'s table."""
    workloads = specs(domain)

    @pytest.mark.parametrize(("key", "index"), maskkit_cases(workloads))
    def test_maskkit(benchmark: Any, results: Results, key: str, index: int) -> None:
        bench_maskkit(benchmark, results, key, index)

    @pytest.mark.parametrize("key", reference_cases(workloads))
    def test_reference(benchmark: Any, results: Results, key: str) -> None:
        bench_reference(benchmark, results, key)

    return test_maskkit, test_reference
