"""Timing: medians of interleaved runs, at one thread and at N threads, and memory floors.

Every call runs once to warm up, then the calls of a workload (the reference, each maskkit
variant at 1 and at N threads, the split floor) take turns in rounds, so that a change of
machine load hits all of them alike; the garbage collector is paused, as in ``timeit``. The
floors are numpy doing the same memory traffic as a call (allocating, filling, copying the
output), so a time can be read against what the machine's memory allows.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import numpy as np

import maskkit

from .config import BenchConfig
from .workload import Workload

__all__ = [
    "FRESH_FLOOR",
    "Timed",
    "Timing",
    "label_floors",
    "measure",
    "measure_interleaved",
    "measure_memory",
    "split_fresh_copy",
    "time_floors",
    "time_threads",
]


@dataclass(frozen=True)
class Timing:
    """Median and minimum of ``repeats`` timed runs, in seconds."""

    median_s: float
    min_s: float
    repeats: int


@dataclass(frozen=True)
class Timed:
    """A call to time and what to do before each batch of its runs (e.g. set the threads)."""

    run: Callable[[], Any]
    prepare: Callable[[], None] = lambda: None


def _repeats(seconds: float, config: BenchConfig) -> int:
    wanted = math.ceil(config.target_s / max(seconds, 1e-7))
    return int(min(max(wanted, config.min_repeats), config.max_repeats))


def measure_interleaved(calls: Sequence[Timed], config: BenchConfig, rounds: int = 4) -> list[Timing]:
    """Median wall time of each call, its runs spread over ``rounds`` interleaved rounds.

    Each call runs once to warm up; its repeat count is chosen to fill ``config.target_s``.
    The calls then take turns, round after round, so a change of machine load during the
    measurement affects all of them alike. The garbage collector is paused, as in ``timeit``.
    """
    plans = []
    for call in calls:
        call.prepare()
        start = time.perf_counter()
        call.run()
        plans.append(_repeats(time.perf_counter() - start, config))
    samples: list[list[float]] = [[] for _ in calls]
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for r in range(rounds):
            for call, repeats, times in zip(calls, plans, samples):
                call.prepare()
                for _ in range(repeats * (r + 1) // rounds - repeats * r // rounds):
                    start = time.perf_counter()
                    call.run()
                    times.append(time.perf_counter() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    return [Timing(float(np.median(t)), float(min(t)), len(t)) for t in samples]


def measure(fn: Callable[[], Any], config: BenchConfig) -> Timing:
    """Median wall time of ``fn()`` (see :func:`measure_interleaved`)."""
    return measure_interleaved([Timed(fn)], config, rounds=1)[0]


def measure_memory(src: np.ndarray, config: BenchConfig) -> tuple[Timing, Timing]:
    """Single-thread memory baselines on the bytes of ``src``, timed interleaved.

    Returns
    -------
    memcpy, alloc_fill
        ``np.copyto(dst, src)`` into a same-layout, already-touched buffer; and
        ``np.empty(...).fill(1)``: allocate and write every byte, as a decode must.
    """
    dst = np.empty_like(src, order="K")
    dst[...] = 1  # touch the pages once so the copy does not pay for page faults
    memcpy = Timed(lambda: np.copyto(dst, src))
    alloc_fill = Timed(lambda: np.empty(src.shape, np.uint8, order="F").fill(1))
    first, second = measure_interleaved([memcpy, alloc_fill], config)
    return first, second



def _set_threads(n: int) -> Callable[[], None]:
    return lambda: maskkit.set_num_threads(n)


def time_threads(
    workload: Workload, threads: int, config: BenchConfig
) -> tuple[Timing | None, list[tuple[Timing, Timing]], tuple[Timing, Timing] | None]:
    """Interleaved timings: the reference's (at one thread), each variant's at 1 and ``threads``
    threads, and the workload's split floor at 1 and ``threads`` threads (``None`` without one)."""
    calls = [] if workload.reference is None else [Timed(workload.reference, _set_threads(1))]
    for variant in workload.variants:
        calls.append(Timed(variant.run, _set_threads(1)))
        if threads != 1:
            calls.append(Timed(variant.run, _set_threads(threads)))
    split = workload.split_floor if threads != 1 and workload.variants else None
    if split is not None:
        calls += [Timed(partial(split, 1)), Timed(partial(split, threads))]
    timings = measure_interleaved(calls, config)
    reference = None if workload.reference is None else timings.pop(0)
    step = 1 if threads == 1 else 2
    pairs = [(timings[i], timings[i + step - 1]) for i in range(0, len(timings), step)]
    split_pair = pairs.pop() if split is not None else None
    return reference, pairs, split_pair



def time_floors(workload: Workload, config: BenchConfig) -> dict[str, Timing]:
    """The workload's memory floors at one thread (a quarter of the time budget: they are steady)."""
    if not workload.floors:
        return {}
    short = dataclasses.replace(config, target_s=config.target_s / 4)
    timings = measure_interleaved([Timed(call) for _, call in workload.floors], short)
    return {name: t for (name, _), t in zip(workload.floors, timings)}



FRESH_FLOOR = "astype u32"  # the floor of variants that return a new label image


def label_floors(image: Callable[[], np.ndarray]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """Memory floors of a labeling pass over ``image()`` (same bytes read and written)."""
    buffer: dict[str, np.ndarray] = {}

    def copyto() -> None:
        if "u32" not in buffer:
            buffer["u32"] = np.ones(image().shape, np.uint32)  # touched: no page faults when timed
        np.copyto(buffer["u32"], image())

    return (
        (FRESH_FLOOR, lambda: image().astype(np.uint32)),
        ("alloc+fill u32", lambda: np.empty(image().shape, np.uint32).fill(1)),
        ("copyto u32", copyto),
    )


_COPY_POOLS: dict[int, ThreadPoolExecutor] = {}


def _fresh_array_on_huge_pages(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A new array starting on a 2 MiB boundary, as maskkit places its large results (so its
    pages are faulted in the same way)."""
    nbytes = math.prod(shape) * dtype.itemsize
    raw = np.empty(nbytes + (2 << 20), np.uint8)
    start = -raw.ctypes.data % (2 << 20)
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def split_fresh_copy(image: Callable[[], np.ndarray], labels: Callable[[], np.ndarray]) -> Callable[[int], Any]:
    """The fresh-output floor at a thread count: ``image()`` copied into a new array of the
    dtype of ``labels()`` (found on the first call), its rows split evenly over the threads.
    numpy copies without the GIL; the calling thread copies the first share, as maskkit's
    calling thread works too. Each thread faults in the fresh pages it writes, so this scales
    as far as the machine's page faults and memory bandwidth let writing a label image scale.
    Images under 2**20 pixels are copied by one thread, as maskkit labels them with one."""
    dtype: list[np.dtype] = []

    def run(threads: int) -> np.ndarray:
        src = image()
        if not dtype:
            dtype.append(labels().dtype)
        out = _fresh_array_on_huge_pages(src.shape, dtype[0])
        threads = threads if src.size >= 1 << 20 else 1
        rows_in, rows_out = src.reshape(-1, src.shape[-1]), out.reshape(-1, src.shape[-1])
        cut = [len(rows_in) * i // threads for i in range(threads + 1)]
        futures = []
        if threads > 1:
            pool = _COPY_POOLS.setdefault(threads, ThreadPoolExecutor(threads - 1))
            futures = [pool.submit(np.copyto, rows_out[a:b], rows_in[a:b]) for a, b in zip(cut[1:-1], cut[2:])]
        np.copyto(rows_out[: cut[1]], rows_in[: cut[1]])
        for future in futures:
            future.result()
        return out

    return run
