"""The plain-text report of a :func:`maskkit._bench.run.run_report` result.

The default report fits one screen: a header (versions, threads, references), one ratio table
(domain, workload, reference, ref ms, maskkit 1T ms, ratio 1T, NT ms, ratio NT; each domain
named on its first row) with each workload's first variant, and the parity line.
``details=True`` shows one table per domain with every variant, and adds
what each workload does, the connected-components memory
floors, the thread scaling of every batched call next to that of a fresh copy, the encode and
decode bandwidths, and the notes of rows that were not compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .references import INSTALL_HINT, PANOPTICAPI_HINT

__all__ = ["by_domain", "format_ms", "format_ratio", "format_report"]

Row = dict[str, Any]

COLUMNS = ("reference", "ref ms", "maskkit 1T ms", "ratio 1T", "NT ms", "ratio NT")


def format_ms(value: float | None) -> str:
    """Milliseconds with three significant digits or more (``"-"`` for none)."""
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.2f}" if value < 1000 else f"{value:.0f}"


def format_ratio(value: float | None) -> str:
    """A ratio as ``"3.59x"`` (``"-"`` for none)."""
    return "-" if value is None else f"{value:.2f}x"


def by_domain(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Rows grouped by domain, domains in the order of their first row."""
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(row["domain"], []).append(row)
    return out


def _name(row: Row) -> str:
    return f"{row['label']} [{row['variant']}]"


def _grid(columns: Sequence[str], cells: Sequence[Sequence[str]], rule: bool = True, left: int = 1) -> list[str]:
    """Header, rule (unless ``rule`` is false) and rows: the first ``left`` columns (the names)
    left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return " | ".join(v.ljust(w) if i < left else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths)))

    head = [line(columns), "-+-".join("-" * w for w in widths)] if rule else [line(columns)]
    return [*head, *(line(c) for c in cells)]


def _headline(rows: Sequence[Row]) -> list[Row]:
    """The first variant of each workload: the call that replaces the reference."""
    seen: set[Any] = set()
    out = []
    for r in rows:
        if (r["workload"], r["reference_name"]) not in seen:
            seen.add((r["workload"], r["reference_name"]))
            out.append(r)
    return out


def _cells(row: Row) -> tuple[str, ...]:
    return (
        _name(row),
        row["reference_name"] or "skipped",
        format_ms(row["reference_ms"]),
        format_ms(row["maskkit_1t_ms"]),
        format_ratio(row["ratio_1t"]),
        format_ms(row["maskkit_nt_ms"]),
        format_ratio(row["ratio_nt"]),
    )


def _ratio_table(domain: str, rows: Sequence[Row]) -> list[str]:
    """One domain's table with a rule under its header (``--details``)."""
    return _grid((f"{domain} workload", *COLUMNS), [_cells(r) for r in rows])


def _headline_table(rows: Sequence[Row]) -> list[str]:
    """Every domain's headline rows in one table, the domain named on its first row."""
    cells = []
    for domain, domain_rows in by_domain(rows).items():
        for i, row in enumerate(_headline(domain_rows)):
            cells.append((domain if i == 0 else "", *_cells(row)))
    return _grid(("domain", "workload", *COLUMNS), cells, rule=False, left=2)


def _header(report: dict[str, Any]) -> list[str]:
    env = report["environment"]
    versions = ", ".join(f"{k} {v}" for k, v in env["references"].items()) or "none"
    out = [
        f"maskkit bench: maskkit {env['maskkit']}, SIMD {env['simd_active']} (of {', '.join(env['simd_available'])}), "
        f"1T = 1 thread, NT = {env['threads_nt']} threads; numpy {env['numpy']}, Python {env['python']}, {env['platform']}",
        f"references, at 1 thread: {versions}; ratio = ref ms / maskkit ms (above 1x: maskkit is faster), medians",
    ]
    if not report["references_used"]:
        out.append("references not used (--no-reference): maskkit times only")
    elif report["missing_references"]:
        hint = INSTALL_HINT
        if "panopticapi-lite" in report["missing_references"]:
            hint += f" (panopticapi-lite: {PANOPTICAPI_HINT})"
        out.append(
            f"missing references: {', '.join(report['missing_references'])}: their rows show maskkit times only "
            f"(cc rows: the next installed tool); install them with {hint}"
        )
    return out


def _parity(report: dict[str, Any], details: bool) -> list[str]:
    rows: list[Row] = report["rows"]
    checked = sum(1 for r in rows if r["checked"])
    if checked or report["mismatches"]:
        line = f"parity: {checked}/{len(rows)} rows equal to their reference, checked before timing"
    else:
        line = "parity: not compared (no reference ran)"
    if not details:
        line += "; every variant and more: maskkit bench --details"
    return [line, *(f"  {m}" for m in report["mismatches"])]


def _descriptions(rows: Sequence[Row]) -> list[str]:
    out, seen = ["workloads:"], set()
    for r in rows:
        if r["workload"] not in seen:
            seen.add(r["workload"])
            out.append(f"  {r['label']} ({r['workload']}): {r['description']}")
    return out


def _floors(rows: Sequence[Row]) -> list[str]:
    """The memory floors of the rows that have them: a table, then each workload's floors."""
    floored = [r for r in rows if r["floors_ms"]]
    if not floored:
        return []
    cells = [(_name(r), r["floor"] or "-", format_ms(r["floor_ms"]), format_ratio(r["over_floor_1t"])) for r in floored]
    out = [
        "memory floors (numpy, 1 thread, same pixels): astype u32 = input.astype(uint32) (fresh output, the floor "
        "of label()); alloc+fill u32 = np.empty(shape, uint32).fill(1); copyto u32 = np.copyto(reused uint32, "
        "input) (the floor of out=); 1T/floor = maskkit 1T ms / floor ms",
        *_grid(("workload", "floor", "floor ms", "1T/floor"), cells),
    ]
    seen = set()
    for r in floored:
        if r["workload"] not in seen:
            seen.add(r["workload"])
            out.append(f"  {r['label']}: " + ", ".join(f"{n} {format_ms(ms)} ms" for n, ms in r["floors_ms"].items()))
    return out


def _scaling(rows: Sequence[Row]) -> list[str]:
    """1T / NT time of the batched calls, and of the cc calls beside a fresh copy split over NT."""
    out = []
    scaled = [r for r in rows if r["batched"] and r["scaling"] is not None]
    if scaled:
        out.append(f"scaling (1T time / {scaled[0]['threads_nt']}T time):")
        out += [f"  {_name(r)}: {format_ratio(r['scaling'])}" for r in scaled]
    split = [r for r in rows if r.get("split_floor_scaling") is not None]
    if split:
        nt = split[0]["threads_nt"]
        out.append(
            f"scaling, 1T ms / {nt}T ms, beside that of a fresh copy (np.copyto of the input into a new array of "
            f"the labels' dtype, rows split over {nt} threads, timed among the runs above): how far writing a new "
            "array scales on this machine now (its pages are fresh unless malloc recycles freed memory)"
        )
        for r in split:
            one, many = r["split_floor_ms"]
            out.append(
                f"  {_name(r)}: maskkit {format_ratio(r['scaling'])}, fresh copy "
                f"{format_ratio(r['split_floor_scaling'])} ({format_ms(one)} -> {format_ms(many)} ms)"
            )
    return out


def _bandwidth(bandwidth: dict[str, Any] | None) -> list[str]:
    if bandwidth is None:
        return []
    out = [
        f"memory, 1 thread, {bandwidth['bytes'] / 1e6:.1f} MB (the encode F stack): memcpy (np.copyto) "
        f"{bandwidth['memcpy_gbs']:.2f} GB/s ({bandwidth['memcpy_ms']:.3f} ms), alloc+fill "
        f"(np.empty().fill) {bandwidth['alloc_fill_gbs']:.2f} GB/s ({bandwidth['alloc_fill_ms']:.3f} ms)",
        "  mask bytes / time (memcpy reads and writes each byte; encode reads, decode writes):",
    ]
    for b in bandwidth["rows"]:
        fill = b["fraction_of_alloc_fill"]
        out.append(
            f"  {b['label']} [{b['variant']}] {b['threads']}T: {b['gbs']:.2f} GB/s "
            f"= {100 * b['fraction_of_memcpy']:.0f}% of memcpy"
            + ("" if fill is None else f", {100 * fill:.0f}% of alloc+fill")
        )
    return out


def _notes(report: dict[str, Any]) -> list[str]:
    """Why rows were not compared (each distinct note once)."""
    notes = {r["parity"] for r in report["rows"] if r["parity"] != "equal"} - set(report["mismatches"])
    return ["notes:", *(f"  {n}" for n in sorted(notes))] if notes else []


def format_report(report: dict[str, Any], details: bool = False) -> str:
    """The plain-text report: header, one ratio table per domain, parity; ``details`` adds the
    workloads' descriptions, memory floors, scaling, bandwidth and notes.

    Examples
    --------
    >>> from maskkit._bench.run import run_report
    >>> print(format_report(run_report(quick=True, workloads=["merge"])))  # doctest: +SKIP
    """
    rows: list[Row] = report["rows"]
    out = _header(report)
    if not details:  # one screen: one table of each workload's first variant, no rules
        return "\n".join([*out, "", *_headline_table(rows), *_parity(report, details)])
    for domain, domain_rows in by_domain(rows).items():
        out += ["", *_ratio_table(domain, domain_rows)]
    out += ["", *_parity(report, details)]
    for section in (_descriptions(rows), _floors(rows), _scaling(rows), _bandwidth(report["bandwidth"]), _notes(report)):
        if section:
            out += ["", *section]
    return "\n".join(out)
