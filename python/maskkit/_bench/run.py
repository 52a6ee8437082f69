"""Running the workloads: parity checks first (untimed), then interleaved timings, one row per
maskkit variant, and the run's environment.

Before anything is timed, each variant's result is compared with the reference's and with its
own result at the other thread count; a difference is a ``MISMATCH`` row (or a
:class:`ParityError` with ``strict=True``), an exception inside maskkit an ``ERROR`` row.
Ratios are ``reference time / maskkit time``; they are measured, never assumed.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import warnings
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

import maskkit

from .compare import short
from .config import FULL, QUICK, BenchConfig
from .data import BenchData
from .domains import build_workloads
from .references import References
from .timing import FRESH_FLOOR, Timing, measure_memory, time_floors, time_threads
from .workload import ParityError, Variant, Workload

__all__ = ["Row", "rows_of", "run_bench", "run_report"]

Row = dict[str, Any]
_PYCOCOTOOLS_NUMPY2_WARNING = "__array__ implementation doesn't accept a copy keyword"


def _check(workload: Workload, variant: Variant, got: Any, expected: Any, what: str) -> str:
    message = workload.compare(variant.to_reference(got), expected)
    if message is None:
        return "equal"
    return f"MISMATCH ({what}) {workload.label} [{variant.name}]: {message}"




def _parity(workload: Workload, variant: Variant, expected: Any, threads: int, strict: bool) -> str:
    """Compare the variant's result with the reference's, and its ``threads``-thread result
    with its 1-thread result (untimed)."""
    maskkit.set_num_threads(1)
    one = variant.run()
    parity = "equal" if expected is None else _check(workload, variant, one, expected, f"vs {workload.reference_name}")
    maskkit.set_num_threads(threads)
    own = workload.compare(variant.to_reference(variant.run()), variant.to_reference(one))
    if own is not None:
        parity = f"MISMATCH ({threads} threads vs 1) {workload.label} [{variant.name}]: {own}"
    if strict and parity.startswith("MISMATCH"):
        raise ParityError(parity)
    if expected is None and own is None:
        parity = f"not compared (no reference); {threads}-thread result equals 1-thread"
    return parity



def _ms(t: Timing | None) -> float | None:
    return None if t is None else t.median_s * 1e3


def _ratio(reference: Timing | None, ours: Timing) -> float | None:
    return None if reference is None else reference.median_s / ours.median_s


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {short(str(exc), 300)}"


def _safe_parity(workload: Workload, variant: Variant, expected: Any, threads: int, strict: bool, note: str) -> str:
    """:func:`_parity`, with an exception raised by maskkit recorded as an ``ERROR`` row."""
    try:
        parity = _parity(workload, variant, expected, threads, strict)
    except ParityError:
        raise
    except Exception as exc:
        message = f"ERROR {workload.label} [{variant.name}]: maskkit raised {_error(exc)}"
        if strict:
            raise ParityError(message) from exc
        return message
    return parity.replace("(no reference)", f"({note})") if expected is None else parity


def _floor_fields(variant: Variant, floors: dict[str, Timing], t1: Timing | None) -> Row:
    """The workload's floors (ms), the one this variant is compared with, and 1T time / floor."""
    floor = floors.get(variant.floor) if variant.floor is not None else None
    return {
        "floors_ms": {name: t.median_s * 1e3 for name, t in floors.items()},
        "floor": variant.floor if floor is not None else None,
        "floor_ms": _ms(floor),
        "over_floor_1t": None if floor is None or t1 is None else t1.median_s / floor.median_s,
    }


def _row(
    workload: Workload,
    variant: Variant,
    parity: str,
    reference: Timing | None,
    timings: tuple[Timing, Timing] | None,
    threads: int,
    floors: dict[str, Timing] | None = None,
    split_floor: tuple[Timing, Timing] | None = None,
) -> Row:
    t1, tn = timings if timings is not None else (None, None)
    return {
        "domain": workload.domain,
        "reference_name": workload.reference_name if reference is not None else None,
        "workload": workload.key,
        "label": workload.label,
        "variant": variant.name,
        "description": workload.description,
        "reference_ms": _ms(reference),
        "maskkit_1t_ms": _ms(t1),
        "maskkit_nt_ms": _ms(tn),
        "ratio_1t": None if t1 is None else _ratio(reference, t1),
        "ratio_nt": None if tn is None else _ratio(reference, tn),
        "scaling": None if t1 is None or tn is None else t1.median_s / tn.median_s,
        "threads_nt": threads,
        "parity": parity,
        "checked": parity == "equal",
        "repeats": {
            "reference": None if reference is None else reference.repeats,
            "maskkit_1t": None if t1 is None else t1.repeats,
            "maskkit_nt": None if tn is None else tn.repeats,
        },
        "min_ms": {
            "reference": None if reference is None else reference.min_s * 1e3,
            "maskkit_1t": None if t1 is None else t1.min_s * 1e3,
            "maskkit_nt": None if tn is None else tn.min_s * 1e3,
        },
        "nbytes": workload.nbytes,
        "batched": workload.batched,
        **_floor_fields(variant, floors or {}, t1),
        **_split_floor_fields(variant, split_floor),
    }


def _split_floor_fields(variant: Variant, split_floor: tuple[Timing, Timing] | None) -> Row:
    """The split floor's times at 1 and N threads and its scaling, for variants whose output is
    fresh memory (``None`` for the others)."""
    if split_floor is None or variant.floor != FRESH_FLOOR:
        return {"split_floor_ms": None, "split_floor_scaling": None}
    one, many = split_floor
    return {"split_floor_ms": [_ms(one), _ms(many)], "split_floor_scaling": one.median_s / many.median_s}


def rows_of(workload: Workload, threads: int, config: BenchConfig, strict: bool) -> list[Row]:
    """Parity checks (untimed), then interleaved timings, as one row per variant."""
    expected, note = None, workload.missing_note
    if workload.reference is not None:
        try:
            expected = workload.reference()
        except Exception as exc:  # the reference fails on this input: time maskkit alone
            if strict:
                raise
            note = f"{workload.reference_name} raised {_error(exc)}"
            workload = dataclasses.replace(workload, reference=None)
    parities = [_safe_parity(workload, v, expected, threads, strict, note) for v in workload.variants]
    del expected  # large label images: do not keep them alive while timing
    working = tuple(v for v, p in zip(workload.variants, parities) if not p.startswith("ERROR"))
    ref_timing, pairs, split = time_threads(dataclasses.replace(workload, variants=working), threads, config)
    floors = time_floors(workload, config)
    timed = {v.name: pair for v, pair in zip(working, pairs)}
    return [
        _row(workload, v, p, ref_timing, timed.get(v.name), threads, floors, split)
        for v, p in zip(workload.variants, parities)
    ]




_BANDWIDTH_WORKLOADS = ("encode_f", "decode")


def _bandwidth(memory: tuple[Timing, Timing] | None, nbytes: int, rows: list[Row]) -> dict[str, Any] | None:
    """memcpy and alloc+fill GB/s on the encode F bytes, and the fractions encode F / decode reach.

    memcpy reads and writes every byte; encode only reads the masks and decode only writes
    them (into freshly allocated memory, like alloc+fill), so a fraction above 1 is possible.
    """
    if memory is None:
        return None
    copy, fill = memory
    gbs = nbytes / copy.median_s / 1e9
    fill_gbs = nbytes / fill.median_s / 1e9
    result: dict[str, Any] = {
        "bytes": nbytes,
        "memcpy_ms": copy.median_s * 1e3,
        "memcpy_gbs": gbs,
        "alloc_fill_ms": fill.median_s * 1e3,
        "alloc_fill_gbs": fill_gbs,
        "rows": [],
    }
    for row in rows:
        if row["workload"] not in _BANDWIDTH_WORKLOADS:
            continue
        for tag in ("1t", "nt"):
            if row[f"maskkit_{tag}_ms"] is None:
                continue
            rate = row["nbytes"] / (row[f"maskkit_{tag}_ms"] / 1e3) / 1e9
            result["rows"].append(
                {
                    "label": row["label"],
                    "variant": row["variant"],
                    "threads": 1 if tag == "1t" else row["threads_nt"],
                    "gbs": rate,
                    "fraction_of_memcpy": rate / gbs,
                    "fraction_of_alloc_fill": rate / fill_gbs if row["workload"] == "decode" else None,
                }
            )
    return result



def _environment(threads: int, refs: References) -> dict[str, Any]:
    """Versions, SIMD target, thread counts and the reference packages that imported."""
    info = maskkit.simd_info()
    return {
        "maskkit": maskkit.__version__,
        "simd_active": info["active"],
        "simd_available": info["available"],
        "threads_1": 1,
        "threads_nt": threads,
        "cpu_count": os.cpu_count(),
        "default_threads": maskkit.get_num_threads(),
        "numpy": np.__version__,
        "references": refs.versions(),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
    }


def _run_workloads(
    workloads: Sequence[Workload],
    data: BenchData,
    threads: int,
    config: BenchConfig,
    strict: bool,
    progress: Callable[[str], None] | None,
) -> tuple[list[Row], tuple[Timing, Timing] | None]:
    """Rows of every workload, and the memory baselines when a bandwidth workload is among them."""
    rows: list[Row] = []
    memory: tuple[Timing, Timing] | None = None
    for workload in workloads:
        if progress is not None:
            progress(workload.label)
        if memory is None and workload.key in _BANDWIDTH_WORKLOADS:
            maskkit.set_num_threads(1)
            memory = measure_memory(data.masks_f, config)  # next to the timings it is compared with
        rows.extend(rows_of(workload, threads, config, strict))
    return rows, memory


def run_report(
    quick: bool = False,
    threads: int | None = None,
    workloads: Sequence[str] | None = None,
    *,
    config: BenchConfig | None = None,
    use_reference: bool = True,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return everything measured.

    Parameters
    ----------
    quick
        Use :data:`QUICK` (small data, few repeats) instead of :data:`FULL`.
    threads
        Thread count of the "NT" columns; default ``os.cpu_count()``.
    workloads
        Keys or labels of the workloads to run; default all.
    config
        Overrides ``quick``.
    use_reference
        ``False`` runs as if no reference package were installed.
    strict
        Raise :class:`ParityError` at the first mismatch instead of recording it.
    progress
        Called with a short message before each workload.

    Returns
    -------
    dict
        ``environment`` (versions, SIMD target, thread counts, reference versions), ``config``,
        ``rows`` (one dict per workload variant, see :func:`run_bench`), ``bandwidth`` (memcpy
        and alloc+fill GB/s and the fractions encode F / decode reach, or ``None``),
        ``references_used`` (``False`` with ``use_reference=False``), ``missing_references``
        (distributions that did not import) and ``mismatches`` (the ``parity`` of every row
        whose result differed, ``"MISMATCH ..."``, or where maskkit raised, ``"ERROR ..."``).
    """
    cfg = config if config is not None else (QUICK if quick else FULL)
    nt = int(threads) if threads is not None else (os.cpu_count() or 1)
    if nt < 1:
        raise ValueError(f"threads must be >= 1, got {nt}")
    refs = References(enabled=use_reference)
    data = BenchData(cfg)
    previous = maskkit.get_num_threads()
    try:
        with warnings.catch_warnings():
            # pycocotools' decode warns on every call under numpy >= 2 (its __array__ lacks copy=).
            warnings.filterwarnings("ignore", message=_PYCOCOTOOLS_NUMPY2_WARNING, category=DeprecationWarning)
            selected = build_workloads(data, refs, workloads)
            rows, memory = _run_workloads(selected, data, nt, cfg, strict, progress)
    finally:
        maskkit.set_num_threads(previous)
    bandwidth = _bandwidth(memory, data.masks_f.nbytes if memory is not None else 0, rows)
    return {
        "environment": _environment(nt, refs),
        "config": dataclasses.asdict(cfg),
        "rows": rows,
        "bandwidth": bandwidth,
        "references_used": use_reference,
        "missing_references": refs.missing(),
        "mismatches": [r["parity"] for r in rows if r["parity"].startswith(("MISMATCH", "ERROR"))],
    }


def run_bench(
    quick: bool = False,
    threads: int | None = None,
    workloads: Sequence[str] | None = None,
    *,
    use_reference: bool = True,
    strict: bool = False,
) -> list[Row]:
    """Run the benchmark and return one dict per workload variant.

    Each dict has ``domain`` (its table), ``workload`` (key), ``label``, ``variant``,
    ``description``, ``reference_name``, ``reference_ms`` (``None`` without a reference),
    ``maskkit_1t_ms``, ``maskkit_nt_ms``, ``ratio_1t`` and ``ratio_nt`` (reference / maskkit,
    ``None`` without a reference), ``scaling`` (1-thread / N-thread time), ``threads_nt``,
    ``parity`` (``"equal"``, a ``"not compared ..."`` note, or a ``"MISMATCH ..."``
    description), ``checked`` (``True`` when the result was compared with the reference and
    equal), ``repeats``, ``min_ms``, ``nbytes``, ``batched``, the memory floors
    (``floors_ms``, ``floor``, ``floor_ms``, ``over_floor_1t``) and, for cc variants that
    return a new label image at N > 1 threads, ``split_floor_ms`` (a fresh copy at 1 and N
    threads) and ``split_floor_scaling``.

    Examples
    --------
    >>> rows = run_bench(quick=True, workloads=["area+toBbox"])  # doctest: +SKIP
    >>> rows[0]["label"], rows[0]["parity"]  # doctest: +SKIP
    ('area+toBbox', 'equal')
    """
    report = run_report(quick, threads, workloads, use_reference=use_reference, strict=strict)
    rows: list[Row] = report["rows"]
    return rows
