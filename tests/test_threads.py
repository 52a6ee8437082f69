"""Bit-identical results for any thread count, and concurrent calls with the GIL released."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import maskkit
import maskkit.coco as M
from maskkit import rle


def workload(seed: int = 0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:120, :90]
    masks = np.zeros((40, 120, 90), np.uint8)
    for i in range(40):
        cy, cx, ry, rx = rng.uniform(0, 120), rng.uniform(0, 90), rng.uniform(3, 60), rng.uniform(3, 45)
        masks[i] = ((yy - cy) ** 2 / ry**2 + (xx - cx) ** 2 / rx**2) < 1
    polys = [list(rng.uniform(-5, 100, 2 * rng.integers(3, 30))) for _ in range(50)]
    return masks, polys


def everything(masks, polys):
    batch = rle.encode(masks)
    objs = M.encode(np.moveaxis(masks, 0, -1))
    return (
        batch.counts.tobytes(),
        batch.offsets.tobytes(),
        objs,
        M.decode(objs).tobytes(),
        rle.decode(batch).tobytes(),
        M.iou(objs, objs, [i % 2 for i in range(len(objs))]).tobytes(),
        M.frPyObjects(polys, 120, 90),
        M.merge(objs),
        M.area(objs).tobytes(),
        M.toBbox(objs).tobytes(),
    )


def test_results_identical_across_thread_counts(num_threads):
    masks, polys = workload()
    previous = maskkit.get_num_threads()
    maskkit.set_num_threads(1)
    try:
        expected = everything(masks, polys)
    finally:
        maskkit.set_num_threads(previous)
    maskkit.set_num_threads(num_threads)
    assert everything(masks, polys) == expected


def results_of_concurrent_calls(call, threads: int, calls_each: int = 3) -> list:
    """The last result of `call()` in each of `threads` Python threads calling it at once;
    raises the first exception any of them met."""
    results: list = [None] * threads
    errors: list = []

    def run(slot: int) -> None:
        try:
            for _ in range(calls_each):
                results[slot] = call()
        except Exception as exc:  # pragma: no cover - raised below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_concurrent_python_threads(num_threads):
    masks, polys = workload(1)
    expected = everything(masks, polys)
    results = results_of_concurrent_calls(lambda: everything(masks, polys), 6)
    assert all(r == expected for r in results)


def test_concurrent_labeling_of_large_images(num_threads):
    """Calls that find the pool busy label in their own thread, the writer's blocks one after the
    other (the later ones from their back): labels and measures must not change."""
    from maskkit import cc

    rng = np.random.default_rng(6)
    image = (rng.random((1100, 1000)) < 0.45).astype(np.uint8)
    expected = cc.label_stats(image, 8)
    for r in results_of_concurrent_calls(lambda: cc.label_stats(image, 8), 4):
        assert r.n == expected.n and np.array_equal(r.labels, expected.labels)
        for field in ("area", "bbox", "centroid"):
            assert np.array_equal(getattr(r, field), getattr(expected, field))


def test_gil_is_released_during_encode():
    """Another Python thread keeps running while a long encode is in C++."""
    masks = np.random.default_rng(2).integers(0, 2, (64, 512, 512), dtype=np.uint8)
    ticks = 0
    done = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    previous = maskkit.get_num_threads()
    maskkit.set_num_threads(1)
    try:
        spinner = threading.Thread(target=spin)
        spinner.start()
        before = ticks
        for _ in range(3):
            rle.encode(masks)
        during = ticks - before
        done.set()
        spinner.join()
    finally:
        maskkit.set_num_threads(previous)
    assert during > 0


def test_set_num_threads_validation():
    with pytest.raises(ValueError, match=">= 1"):
        maskkit.set_num_threads(0)
    with pytest.raises(TypeError):
        maskkit.set_num_threads(2.5)  # type: ignore[arg-type]


def test_no_memory_growth_over_many_calls():
    """Checklist item 29: repeated encode/decode/merge calls do not leak."""
    import resource

    m = np.zeros((20, 16, 3), np.uint8, order="F")
    m[3:9, 1:, :] = 1

    def cycle(times: int) -> None:
        for _ in range(times):
            objs = M.encode(m)
            M.decode(objs)
            M.merge(objs)
            M.area(objs)
            M.frPyObjects([[1.0, 1.0, 9.0, 2.0, 5.0, 12.0]], 20, 16)

    cycle(2000)  # warm up allocator pools and caches
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cycle(100_000)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 8 * 1024, f"peak RSS grew by {grown_kb} kB over 100000 call cycles"


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_pool_survives_fork():
    """A forked child (multiprocessing's default on Linux) gets a fresh pool, not a deadlock."""
    import os

    masks, _ = workload(3)
    previous = maskkit.get_num_threads()
    maskkit.set_num_threads(2)
    try:
        expected = rle.encode(masks)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os._exit(0 if rle.encode(masks) == expected else 3)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        maskkit.set_num_threads(previous)


def _worker_cpu_ticks() -> dict:
    """CPU time (clock ticks) of each of this process's pool workers, by thread id (Linux)."""
    ticks = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            if (task / "comm").read_text().strip() != "maskkit-worker":
                continue
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        ticks[task.name] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/task")
def test_fewer_threads_keep_the_pool_and_use_only_its_first_workers():
    """Lowering the thread count keeps the pool's workers (no thread churn), and jobs then use
    only as many of them as asked for."""
    from maskkit import cc

    image = (np.random.default_rng(3).random((2048, 2048)) < 0.5).astype(np.uint8)
    previous = maskkit.get_num_threads()
    try:
        maskkit.set_num_threads(4)
        cc.label(image)
        workers = _worker_cpu_ticks()
        assert len(workers) >= 3
        maskkit.set_num_threads(2)
        before = _worker_cpu_ticks()
        for _ in range(8):
            cc.label(image)
        after = _worker_cpu_ticks()
        assert set(workers) <= set(after)  # the same threads, none replaced
        busy = [tid for tid in before if after.get(tid, 0) - before[tid] > 1]
        assert len(busy) <= 1, f"{len(busy)} workers ran with num_threads=2"
    finally:
        maskkit.set_num_threads(previous)
