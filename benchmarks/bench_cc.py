"""Connected components: maskkit.cc next to OpenCV, cc3d, scipy.ndimage and scikit-image.

Run ``pytest benchmarks/bench_cc.py --benchmark-group-by=group``. One group per workload of
``maskkit bench``'s connected-components table (see :mod:`maskkit._bench.workloads_cc`): 4096²
blobs and 50 % noise (8-conn), one 480×640 COCO-like object mask, a 2048² map of 20 touching
classes (multilabel), 256³ blobs at 26- and 6-conn, and labels + area/bbox/centroid on the
blobs; plus the option groups (periodic boundaries and ``delta`` next to cc3d, the one tool
that has them). ``--maskkit-quick`` uses the small data of ``maskkit bench --quick``.

In each group maskkit (one thread) and every installed reference (one thread; OpenCV with
``setNumThreads(1)``) label the same image, and each benchmark asserts that its result is the
same partition as maskkit's, with the same component count and measures; where both number
their labels in raster order (scipy, scikit-image, cc3d's default path, OpenCV SAUF), the label
images must be identical. A reference whose package is missing is skipped. (cc3d 4.1.1 is
wrong on some inputs with the periodic and delta options, see tests/test_cc_periodic_delta.py;
it agrees on these.)
"""

from __future__ import annotations

from typing import Any

import pytest
from groups import Results, bench_maskkit, bench_reference, maskkit_cases, reference_cases, specs, timed
from maskkit import _bench

LABELING = specs("cc")
OPTIONS = specs("cc", _bench.OPTION_WORKLOADS)[len(LABELING) :]

REFERENCE_CASES: list[Any] = [
    pytest.param(w.key, i, id=f"{w.key}-{r.name}".replace(" ", "_"))
    for w in LABELING
    for i, r in enumerate(_bench.cc_references(w.key))
]


@pytest.mark.parametrize(("key", "index"), maskkit_cases(LABELING + OPTIONS))
def test_maskkit(benchmark: Any, results: Results, key: str, index: int) -> None:
    bench_maskkit(benchmark, results, key, index)


@pytest.mark.parametrize(("key", "index"), REFERENCE_CASES)
def test_reference(
    benchmark: Any, bench_data: _bench.BenchData, references: _bench.References, results: Results, key: str, index: int
) -> None:
    """Reference ``index`` of workload ``key`` (every tool, not only the table's): the same
    partition (and measures) as maskkit."""
    reference = _bench.cc_references(key)[index]
    call = reference.bind(references, lambda: _bench.cc_input(bench_data, key))
    if call is None:
        pytest.skip(references.note(reference.package))
    benchmark.group = results.workloads[key].label
    benchmark.extra_info["variant"] = reference.name
    got = reference.normalize(timed(benchmark, call))
    message = _bench.compare_labelings(results.maskkit(key), got)
    assert message is None, f"{key}: maskkit vs {reference.name}: {message}"


@pytest.mark.parametrize("key", reference_cases(OPTIONS))
def test_cc3d_options(benchmark: Any, results: Results, key: str) -> None:
    bench_reference(benchmark, results, key)
