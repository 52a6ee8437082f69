"""Smoke tests of ``maskkit bench`` (the quick configuration): every workload runs, times are
positive, results were compared with pycocotools, and the CLI writes the table and JSON.

Speed itself is never asserted here (see benchmarks/).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import maskkit
import numpy as np
import pytest
from maskkit import _bench
from maskkit._cli import main

HAVE_REFERENCE = _bench.load_reference() is not None
ALL_KEYS = [key for key, _ in _bench.workload_keys()]


def _check_rows(rows: list[dict[str, Any]], *, compared: bool) -> None:
    assert {r["workload"] for r in rows} == set(ALL_KEYS)
    for row in rows:
        assert row["maskkit_1t_ms"] > 0 and row["maskkit_nt_ms"] > 0, row
        if compared:
            assert row["parity"] == "equal" and row["checked"] is True, row
            assert row["reference_ms"] > 0 and row["ratio_1t"] > 0 and row["ratio_nt"] > 0, row
        else:
            assert row["reference_ms"] is None and row["ratio_1t"] is None, row
            assert row["parity"].startswith("not compared") and row["checked"] is False, row


def test_run_bench_quick_covers_every_workload() -> None:
    before = maskkit.get_num_threads()
    rows = _bench.run_bench(quick=True, strict=True)
    assert maskkit.get_num_threads() == before
    _check_rows(rows, compared=HAVE_REFERENCE)


def test_cli_quick_writes_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--threads", "2", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "pycocotools ms | maskkit 1T ms | ratio 1T | maskkit NT ms | ratio NT" in out
    assert "memcpy" in out and "scaling" in out and str(maskkit.simd_info()["active"]) in out
    report = json.loads(path.read_text())
    rows = report["rows"]
    for row in rows:
        assert f"{row['label']} [{row['variant']}]" in out
        assert row["threads_nt"] == 2
    _check_rows(rows, compared=HAVE_REFERENCE)
    assert report["mismatches"] == []
    assert report["bandwidth"]["memcpy_gbs"] > 0 and report["bandwidth"]["alloc_fill_gbs"] > 0


def test_without_pycocotools_prints_maskkit_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pycocotools", None)  # import now fails as if not installed
    monkeypatch.setitem(sys.modules, "pycocotools.mask", None)
    assert _bench.load_reference() is None
    report = _bench.run_report(quick=True, workloads=["encode F", "iou"])
    assert [r["workload"] for r in report["rows"]] == ["encode_f", "encode_f", "iou", "iou"]
    assert all(r["maskkit_1t_ms"] > 0 and r["reference_ms"] is None for r in report["rows"])
    assert all(r["parity"].startswith("not compared") and not r["checked"] for r in report["rows"])
    text = _bench.format_report(report)
    assert _bench.REFERENCE_MISSING in text
    rows = [line for line in text.splitlines() if " [" in line and "|" in line]
    assert len(rows) == 4 and all(line.split("|")[1].strip() == "skipped" for line in rows)


def test_no_reference_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--no-reference", "--workloads", "merge"]) == 0
    assert _bench.REFERENCE_DISABLED in capsys.readouterr().out


def test_mismatch_is_detected() -> None:
    wrong = _bench.Workload(
        key="fake",
        label="fake",
        description="a maskkit variant that differs from its reference",
        reference=lambda: np.zeros(3, np.uint8),
        variants=(_bench.Variant("broken", lambda: np.array([0, 1, 0], np.uint8)),),
        compare=_bench.compare_arrays,
    )
    rows = _bench._rows_of(wrong, 1, _bench.QUICK, strict=False)
    assert rows[0]["parity"].startswith("MISMATCH") and "(1,)" in rows[0]["parity"]
    with pytest.raises(_bench.ParityError):
        _bench._rows_of(wrong, 1, _bench.QUICK, strict=True)


def test_exceptions_become_rows() -> None:
    def boom() -> Any:
        raise RuntimeError("no such kernel")

    failing = _bench.Workload(
        key="fake",
        label="fake",
        description="maskkit raises in one variant; the other still runs",
        reference=lambda: np.zeros(3, np.uint8),
        variants=(_bench.Variant("raises", boom), _bench.Variant("works", lambda: np.zeros(3, np.uint8))),
        compare=_bench.compare_arrays,
    )
    rows = _bench._rows_of(failing, 2, _bench.QUICK, strict=False)
    assert rows[0]["parity"].startswith("ERROR") and "no such kernel" in rows[0]["parity"]
    assert rows[0]["maskkit_1t_ms"] is None and rows[1]["parity"] == "equal" and rows[1]["maskkit_1t_ms"] > 0
    with pytest.raises(_bench.ParityError):
        _bench._rows_of(failing, 2, _bench.QUICK, strict=True)
    ref_fails = _bench.Workload(
        key="fake2",
        label="fake2",
        description="the reference raises: maskkit is timed alone",
        reference=boom,
        variants=(_bench.Variant("works", lambda: np.zeros(3, np.uint8)),),
        compare=_bench.compare_arrays,
    )
    (row,) = _bench._rows_of(ref_fails, 2, _bench.QUICK, strict=False)
    assert row["reference_ms"] is None and row["maskkit_1t_ms"] > 0
    assert "pycocotools raised RuntimeError" in row["parity"] and not row["checked"]


def test_comparers_are_exact() -> None:
    a = np.zeros((2, 3), np.uint8, order="F")
    assert _bench.compare_arrays(a, a.copy(order="F")) is None
    assert "memory order" in str(_bench.compare_arrays(np.ascontiguousarray(a), a))
    assert "dtype" in str(_bench.compare_arrays(a.astype(bool), a))
    assert _bench.compare_arrays(np.array([0.0]), np.array([-0.0])) is not None
    rle = {"size": [2, 3], "counts": b"6"}
    assert _bench.compare_rle_lists([rle], [dict(rle)]) is None
    assert _bench.compare_rle_lists([rle], [{"size": [2, 3], "counts": "6"}]) is not None


def test_workload_names() -> None:
    assert _bench.normalize_workload_names(["encode F", "ENCODE_F", "area+toBbox", "decode c"]) == [
        "encode_f",
        "area_tobbox",
        "decode_c",
    ]
    with pytest.raises(ValueError, match="unknown workload"):
        _bench.normalize_workload_names(["nope"])
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--workloads", "nope"])
    assert exc.value.code == 2


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "bench" in capsys.readouterr().out


def test_generators_are_seeded() -> None:
    a = _bench.make_masks(4, 60, 80, seed=7)
    assert np.array_equal(a, _bench.make_masks(4, 60, 80, seed=7))
    assert a.flags.c_contiguous and set(np.unique(a).tolist()) == {0, 1}
    assert all(a[i].any() for i in range(4))
    segs = _bench.make_polygon_annotations(5, 480, 640, seed=7)
    assert segs == _bench.make_polygon_annotations(5, 480, 640, seed=7)
    coords = np.concatenate([np.asarray(p) for s in segs for p in s])
    assert coords.min() >= 0 and np.all(np.round(coords, 2) == coords)
