"""Bit-identical results for any thread count, and concurrent calls with the GIL released."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import maskkit
import maskkit.coco as M
from maskkit import rle

from .limits import SANITIZED, run_limited


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


def _long_calls():
    """One call each of several domains that runs for a few hundred milliseconds in C++."""
    from maskkit import cc

    rng = np.random.default_rng(2)
    masks = rng.integers(0, 2, (160, 512, 512), dtype=np.uint8)
    batch = rle.encode(masks[:40])
    noise = (rng.random((4096, 4096)) < 0.5).astype(np.uint8)
    return {
        "rle.encode": lambda: rle.encode(masks),
        "rle.decode": lambda: [rle.decode(batch) for _ in range(1)],
        "cc.label": lambda: cc.label(noise, 4),
    }


@pytest.mark.parametrize("name", ["rle.encode", "rle.decode", "cc.label"])
def test_gil_is_released_during_one_long_call(name):
    """Another Python thread keeps running *during* one long call (not just between calls).

    The spinner stamps the time of its iterations; with the GIL held by the call it could not
    run at all between the call's start and end, so stamps inside the call's interior prove
    that the call released it.
    """
    call = _long_calls()[name]
    stamps = []
    stop = threading.Event()
    started = threading.Event()

    def spin() -> None:
        started.set()
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0)

    previous = maskkit.get_num_threads()
    maskkit.set_num_threads(1)
    spinner = threading.Thread(target=spin)
    try:
        spinner.start()
        started.wait()
        begin = time.perf_counter()
        call()
        end = time.perf_counter()
    finally:
        stop.set()
        spinner.join()
        maskkit.set_num_threads(previous)
    margin = (end - begin) / 5
    inside = [t for t in stamps if begin + margin < t < end - margin]
    assert end - begin > 0.02, "the call is too short to tell"
    assert len(inside) >= 20, f"{len(inside)} spinner iterations in the middle 60% of a {end - begin:.3f} s call"


def test_set_num_threads_validation():
    with pytest.raises(ValueError, match="from 1 to 1024, got 0"):
        maskkit.set_num_threads(0)
    with pytest.raises(ValueError, match="from 1 to 1024, got 1025"):
        maskkit.set_num_threads(1025)
    with pytest.raises(ValueError, match="got 1099511627776"):
        maskkit.set_num_threads(2**40)
    with pytest.raises(TypeError, match="float 2.5"):
        maskkit.set_num_threads(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        maskkit.set_num_threads(True)


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1025", "4.5", " 4", "99999999999999999999999"])
def test_invalid_thread_count_in_environment_is_refused_at_import(value):
    code = """
    try:
        import maskkit
    except ValueError as error:
        report(error=str(error))
    else:
        report(error=None)
    """
    result = run_limited(code, env={"MASKKIT_NUM_THREADS": value})
    assert result["error"] == f"MASKKIT_NUM_THREADS must be an integer from 1 to 1024, got '{value}'"


def test_thread_count_from_environment():
    result = run_limited("import maskkit; report(n=maskkit.get_num_threads())", env={"MASKKIT_NUM_THREADS": "3"})
    assert result["n"] == 3


@pytest.mark.skipif(SANITIZED, reason="ASan reserves more address space than the limit")
def test_threads_the_system_refuses_mean_fewer_workers_not_a_hang():
    """600 threads under a 4 GiB address-space limit: each worker's stack is small, and a
    worker the system refuses to start is not waited for."""
    code = """
    import numpy as np
    import maskkit
    from maskkit import coco
    maskkit.set_num_threads(600)
    masks = np.zeros((4, 4, 20000), np.uint8)
    masks[1:3, 1:3, ::7] = 1
    report(n=len(coco.encode(masks)), area=int(coco.area(coco.encode(masks)).sum()))
    """
    assert run_limited(code, address_space_gib=4, timeout_s=120) == {"n": 20000, "area": 4 * len(range(0, 20000, 7))}


def test_no_memory_growth_over_many_calls():
    """Checklist item 29: repeated encode/decode/merge calls do not leak (resident memory of a
    fresh process after a warm-up, so no earlier test's allocations hide growth)."""
    code = """
    import os
    import numpy as np
    import maskkit.coco as M

    def resident_kib():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

    m = np.zeros((20, 16, 3), np.uint8, order="F")
    m[3:9, 1:, :] = 1

    def cycle(times):
        for _ in range(times):
            objs = M.encode(m)
            M.decode(objs)
            M.merge(objs)
            M.area(objs)
            M.frPyObjects([[1.0, 1.0, 9.0, 2.0, 5.0, 12.0]], 20, 16)

    cycle(2000)  # warm up allocator pools and caches
    before = resident_kib()
    cycle(100_000)
    report(grown_kib=resident_kib() - before)
    """
    grown = run_limited(code, timeout_s=600)["grown_kib"]
    assert grown < 8 * 1024, f"resident memory grew by {grown} KiB over 100000 call cycles"


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
