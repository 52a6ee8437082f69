"""maskkit.cc's periodic boundaries and continuous values next to cc3d, the tool that has them.

Run ``pytest benchmarks/bench_cc_options.py --benchmark-group-by=group``. Inputs are those of
``maskkit bench`` (the 4096² blobs and the 256³ blobs), plus a grey image for ``delta``: a
random walk along each row, so neighbouring values are close and components are long
streaks. Each group times maskkit and cc3d at one thread on the same array and asserts that
both find the same partition first. (cc3d 4.1.1 is wrong on some inputs with these options:
see tests/test_cc_periodic_delta.py; it agrees on these.)
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from maskkit import _bench, cc

cc3d = pytest.importorskip("cc3d")

CASES = {
    # group: (input key, maskkit kwargs, cc3d kwargs)
    "periodic blobs 8-conn": ("cc_blobs", {"connectivity": 8, "periodic": True},
                              {"connectivity": 8, "periodic_boundary": True}),
    "periodic 3D 6-conn": ("cc_3d", {"connectivity": 6, "periodic": True},
                           {"connectivity": 6, "periodic_boundary": True}),
    "delta grey 4-conn": ("grey", {"connectivity": 4, "delta": 2}, {"connectivity": 4, "delta": 2}),
    "delta grey 3D 26-conn": ("grey3d", {"connectivity": 26, "delta": 3}, {"connectivity": 26, "delta": 3}),
}


def _input(data: _bench.BenchData, key: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    if key == "grey":
        side = data.config.cc_side // 2
        return (np.cumsum(rng.integers(-2, 3, (side, side)), axis=1) % 200).astype(np.uint8)
    if key == "grey3d":
        volume = _bench.cc_input(data, "cc_3d")
        return volume * np.uint8(7) + np.arange(volume.shape[0], dtype=np.uint8)[:, None, None]
    return _bench.cc_input(data, key)


def _check_same(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Same partition (cc3d's numbering is not promised to be raster order with these options)."""
    message = _bench.compare_labelings(
        _bench.Labeling(ours, int(ours.max()), False), _bench.Labeling(theirs, int(theirs.max()), False)
    )
    assert message is None, message


def _time(benchmark: Any, fn: Callable[[], Any]) -> Any:
    fn()
    return benchmark.pedantic(fn, rounds=7, iterations=1, warmup_rounds=0)


@pytest.fixture(scope="module")
def inputs(bench_data: _bench.BenchData) -> dict[str, np.ndarray]:
    return {group: _input(bench_data, key) for group, (key, _, _) in CASES.items()}


@pytest.mark.parametrize("group", list(CASES))
def test_maskkit(benchmark: Any, inputs: dict[str, np.ndarray], group: str) -> None:
    _, ours, theirs = CASES[group]
    image = inputs[group]
    benchmark.group = group
    labels = _time(benchmark, lambda: cc.label(image, **ours)[0])
    _check_same(labels, cc3d.connected_components(image, **theirs))


@pytest.mark.parametrize("group", list(CASES))
def test_cc3d(benchmark: Any, inputs: dict[str, np.ndarray], group: str) -> None:
    _, ours, theirs = CASES[group]
    image = inputs[group]
    benchmark.group = group
    labels = _time(benchmark, lambda: cc3d.connected_components(image, **theirs))
    _check_same(cc.label(image, **ours)[0], labels)
