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
CC_KEYS = ["cc_blobs", "cc_noise", "cc_coco", "cc_multilabel", "cc_3d", "cc_3d6", "cc_stats"]
CC_PACKAGES = ("cv2", "cc3d", "scipy", "scipy.ndimage", "skimage", "skimage.measure")


def _has_cc_reference(key: str) -> bool:
    return any(_bench.load_cc_module(r.package) is not None for r in _bench.cc_references(key) if r.row)


def _check_rows(rows: list[dict[str, Any]], *, compared: bool) -> None:
    """``compared``: whether pycocotools ran; cc rows are compared when their reference is installed."""
    assert {r["workload"] for r in rows} == set(ALL_KEYS)
    for row in rows:
        if row["family"] == "cc":
            _check_cc_row(row, compared=_has_cc_reference(row["workload"]))
            continue
        assert row["maskkit_1t_ms"] > 0 and row["maskkit_nt_ms"] > 0, row
        if compared:
            assert row["parity"] == "equal" and row["checked"] is True, row
            assert row["reference_ms"] > 0 and row["ratio_1t"] > 0 and row["ratio_nt"] > 0, row
        else:
            assert row["reference_ms"] is None and row["ratio_1t"] is None, row
            assert row["parity"].startswith("not compared") and row["checked"] is False, row


def _check_cc_row(row: dict[str, Any], *, compared: bool) -> None:
    assert row["maskkit_1t_ms"] > 0 and row["maskkit_nt_ms"] > 0, row
    assert row["floor"] in row["floors_ms"] and row["floor_ms"] > 0 and row["over_floor_1t"] > 0, row
    assert set(row["floors_ms"]) == {"astype u32", "alloc+fill u32", "copyto u32"}, row
    if row["floor"] == "astype u32" and row["threads_nt"] > 1:
        assert len(row["split_floor_ms"]) == 2 and min(row["split_floor_ms"]) > 0, row
        assert row["split_floor_scaling"] > 0, row
    else:
        assert row["split_floor_ms"] is None and row["split_floor_scaling"] is None, row
    if compared:
        assert row["parity"] == "equal" and row["checked"] is True, row
        assert row["reference_ms"] > 0 and row["ratio_1t"] > 0 and row["reference_name"], row
    else:
        assert row["reference_ms"] is None and row["ratio_1t"] is None and row["reference_name"] is None, row
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
    assert "cc workload " in out and "| 1T/floor" in out and "copyto u32" in out
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


def test_cc_quick_workload_with_references() -> None:
    report = _bench.run_report(quick=True, workloads=["cc_blobs", "cc stats"], strict=True)
    rows = report["rows"]
    assert [(r["workload"], r["variant"]) for r in rows] == [
        ("cc_blobs", "label"),
        ("cc_blobs", "label out=u32"),
        ("cc_stats", "label_stats"),
    ]
    for row in rows:
        _check_cc_row(row, compared=_has_cc_reference(row["workload"]))
    text = _bench.format_report(report)
    assert "pycocotools ms" not in text and "cc blobs [label out=u32]" in text and "floors (numpy" in text


def test_cc_without_references_prints_maskkit_times(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CC_PACKAGES:
        monkeypatch.setitem(sys.modules, name, None)  # import now fails as if not installed
    monkeypatch.setattr(_bench, "_CC_MODULES", {})
    report = _bench.run_report(quick=True, workloads=["cc_noise", "cc_3d"])
    assert [r["workload"] for r in report["rows"]] == ["cc_noise", "cc_3d", "cc_3d"]
    for row in report["rows"]:
        _check_cc_row(row, compared=False)
        assert "not installed" in row["parity"], row
    lines = [line for line in _bench.format_report(report).splitlines() if line.startswith("cc ") and " [" in line and "|" in line]
    assert len(lines) == 3 and all(line.split("|")[1].strip() == "skipped" for line in lines)


def test_cc_workload_names() -> None:
    assert [k for k in ALL_KEYS if k.startswith("cc_")] == CC_KEYS
    assert _bench.normalize_workload_names(["cc_3d", "cc 3D 6-conn", "CC_STATS"]) == ["cc_3d", "cc_3d6", "cc_stats"]


def test_compare_labelings() -> None:
    labels = np.array([[1, 1, 0, 2], [0, 0, 0, 2], [3, 0, 2, 2]], np.uint8)
    same = _bench.Labeling(labels, 3)
    assert _bench.compare_labelings(same, _bench.Labeling(labels.astype(np.int32), 3)) is None
    permuted = np.array([0, 2, 3, 1], np.int32)[labels]
    assert "numbered differently" in str(_bench.compare_labelings(same, _bench.Labeling(permuted, 3)))
    assert _bench.compare_labelings(same, _bench.Labeling(permuted, 3, raster=False)) is None
    merged = np.where(labels == 3, 1, labels)
    assert "covered by 2" in str(_bench.compare_labelings(same, _bench.Labeling(merged, 3, raster=False)))
    assert "spans two" in str(_bench.compare_labelings(_bench.Labeling(merged, 3), same))
    assert "component counts" in str(_bench.compare_labelings(same, _bench.Labeling(labels, 4)))
    assert "background" in str(_bench.compare_labelings(same, _bench.Labeling(labels * (labels != 3), 3)))
    area = np.array([2, 4, 1])
    assert "area of component 2" in str(
        _bench.compare_labelings(
            _bench.Labeling(labels, 3, area=area), _bench.Labeling(labels, 3, area=np.array([2, 5, 1]))
        )
    )


def test_cc_generators_are_seeded() -> None:
    blobs = _bench.make_blobs((64, 96), 3.0, 0.4, seed=2)
    assert np.array_equal(blobs, _bench.make_blobs((64, 96), 3.0, 0.4, seed=2))
    assert blobs.dtype == np.uint8 and abs(float(blobs.mean()) - 0.4) < 0.01
    multi = _bench.make_multilabel(128, 20, 0.35, seed=2)
    assert np.array_equal(multi, _bench.make_multilabel(128, 20, 0.35, seed=2)) and int(multi.max()) <= 20
    volume = _bench.make_blobs((16, 20, 24), 2.0, 0.3, seed=2)
    assert volume.shape == (16, 20, 24) and set(np.unique(volume).tolist()) == {0, 1}


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_split_fresh_copy_writes_the_image_into_fresh_aligned_memory(threads: int) -> None:
    image = np.random.default_rng(threads).integers(0, 256, (1030, 1024), dtype=np.uint8)  # > 2**20 pixels
    copy = _bench._split_fresh_copy(lambda: image, lambda: np.zeros(1, np.uint16))
    first, second = copy(threads), copy(threads)
    for out in (first, second):
        assert out.dtype == np.uint16 and out.shape == image.shape and np.array_equal(out, image)
        assert out.ctypes.data % (2 << 20) == 0
    assert not np.shares_memory(first, second)
