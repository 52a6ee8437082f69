"""pytest-benchmark fixtures: maskkit and pycocotools on the same generated data, one thread.

The data, workloads and parity checks come from :mod:`maskkit._bench` (the engine behind
``maskkit bench``), so these groups and the ratio table measure the same calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import maskkit
import pytest
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
    info = maskkit.simd_info()
    reference = _bench.load_reference()
    return (
        f"maskkit benchmarks: SIMD {info['active']}, 1 thread; "
        f"reference: {'pycocotools.mask' if reference is not None else _bench.REFERENCE_MISSING}"
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
def workloads(bench_data: _bench.BenchData) -> dict[str, _bench.Workload]:
    """Every workload by key, with pycocotools as reference when it is installed."""
    return {w.key: w for w in _bench.build_workloads(bench_data, _bench.load_reference())}


class ResultCache:
    """Untimed results computed once per session: the reference's and maskkit's first variant's."""

    def __init__(self, workloads: dict[str, _bench.Workload]) -> None:
        self._workloads = workloads
        self._reference: dict[str, Any] = {}
        self._maskkit: dict[str, Any] = {}

    def reference(self, key: str) -> Any:
        """The reference result of workload ``key`` (it must have a reference)."""
        if key not in self._reference:
            run = self._workloads[key].reference
            assert run is not None, "pycocotools not installed"
            self._reference[key] = run()
        return self._reference[key]

    def maskkit(self, key: str) -> Any:
        """maskkit's result (first variant, in the reference's form) of workload ``key``."""
        if key not in self._maskkit:
            variant = self._workloads[key].variants[0]
            self._maskkit[key] = variant.to_reference(variant.run())
        return self._maskkit[key]


@pytest.fixture(scope="session")
def results(workloads: dict[str, _bench.Workload]) -> ResultCache:
    return ResultCache(workloads)


def pytest_configure(config: pytest.Config) -> None:
    # pycocotools' decode warns on every call under numpy >= 2 (its __array__ lacks copy=).
    config.addinivalue_line(
        "filterwarnings", "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
    )
