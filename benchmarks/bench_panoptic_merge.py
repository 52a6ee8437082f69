"""Panoptic merges: maskkit.panoptic next to panopticapi's combine and the framework merges' NumPy ports.

Run ``pytest benchmarks/bench_panoptic_merge.py --benchmark-group-by=group``. One group per
workload of :mod:`maskkit._bench.workloads_panoptic_merge`: panopticapi's per-image combine
(``combine_to_panoptic_single_core`` with its PNG output stubbed out) on eight 480x640 images,
and detectron2's Panoptic FPN combine, Panoptic-DeepLab's post-processing and Mask2Former's
``panoptic_inference`` at 1024x2048 next to their NumPy transcriptions in
``maskkit._bench.panoptic_ports``. ``--maskkit-quick`` uses small data.

In each group maskkit (one thread) and the reference run on the same data, and each benchmark
asserts that the maps and segment lists are identical. A reference that is missing is skipped.
"""

from __future__ import annotations

from typing import Any

import pytest
from groups import Results, bench_maskkit, bench_reference, maskkit_cases, reference_cases
from maskkit import _bench
from maskkit._bench import workloads_panoptic_merge

SPECS = [build(_bench.BenchData(_bench.QUICK), _bench.References(enabled=False)) for build in workloads_panoptic_merge.WORKLOADS]


@pytest.fixture(scope="module")
def merge_results(bench_data: _bench.BenchData, references: _bench.References) -> Results:
    """The merge workloads by key, with their results cached."""
    return Results({w.key: w for w in (build(bench_data, references) for build in workloads_panoptic_merge.WORKLOADS)})


@pytest.mark.parametrize(("key", "index"), maskkit_cases(SPECS))
def test_maskkit(benchmark: Any, merge_results: Results, key: str, index: int) -> None:
    bench_maskkit(benchmark, merge_results, key, index)


@pytest.mark.parametrize("key", reference_cases(SPECS))
def test_reference(benchmark: Any, merge_results: Results, key: str) -> None:
    bench_reference(benchmark, merge_results, key)
