"""pytest-benchmark fixtures: maskkit and its references on the same generated data, one thread.

The data, workloads and comparisons come from :mod:`maskkit._bench` (the engine behind
``maskkit bench``), so these groups and the ratio tables measure the same calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import maskkit
import pytest
from groups import Results
from maskkit import _bench


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--maskkit-quick",
        action="store_true",
        default=False,
        help="benchmark maskkit on the small data of `maskkit bench --quick` (smoke run)",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` when this folder is given (explicitly named files are collected anyway)."""
    if file_path.suffix == ".py" and file_path.name.startswith("bench_") and not parent.session.isinitpath(file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_report_header(config: pytest.Config) -> str:
    return f"maskkit benchmarks: SIMD {maskkit.simd_info()['active']}, 1 thread; references: pip install \".[bench]\""


def pytest_configure(config: pytest.Config) -> None:
    # pycocotools' decode warns on every call under numpy >= 2 (its __array__ lacks copy=).
    config.addinivalue_line(
        "filterwarnings", "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
    )


@pytest.fixture(autouse=True)
def single_thread() -> Iterator[None]:
    """Every benchmark runs maskkit at one thread (the claim is single-thread first)."""
    previous = maskkit.get_num_threads()
    maskkit.set_num_threads(1)
    try:
        yield
    finally:
        maskkit.set_num_threads(previous)


@pytest.fixture(scope="session")
def bench_data(request: pytest.FixtureRequest) -> _bench.BenchData:
    """The generated inputs (full size unless ``--maskkit-quick``)."""
    quick = bool(request.config.getoption("--maskkit-quick", default=False))
    return _bench.BenchData(_bench.QUICK if quick else _bench.FULL)


@pytest.fixture(scope="session")
def references() -> _bench.References:
    """The reference packages, imported once (OpenCV at one thread)."""
    return _bench.References()


@pytest.fixture(scope="session")
def results(bench_data: _bench.BenchData, references: _bench.References) -> Results:
    """Every workload (the tables and the cc option groups) by key, with its results cached."""
    workloads = _bench.build_workloads(bench_data, references)
    workloads += [build(bench_data, references) for build in _bench.OPTION_WORKLOADS]
    return Results({w.key: w for w in workloads})
