"""Smoke tests of ``maskkit bench`` and each module of ``maskkit._bench`` (the quick
configuration, tiny sizes): every workload runs and equals its reference, the default report
fits one screen, ``--details`` and ``--plot`` add what they promise, missing references are
named with the command that installs them.

Speed itself is never asserted here (see benchmarks/).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import maskkit
import numpy as np
import pytest
from maskkit import _bench
from maskkit._bench import timing
from maskkit._bench.run import rows_of
from maskkit._bench.workloads_dialects import kaggle_decode, kaggle_encode
from maskkit._cli import main

from tests.conftest import reference

BENCH_DIR = Path(_bench.__file__).parent
ALL_KEYS = [key for key, _ in _bench.workload_keys()]
CC_KEYS = ["cc_blobs", "cc_noise", "cc_coco", "cc_multilabel", "cc_3d", "cc_3d6", "cc_stats"]
CC_PACKAGES = ("cv2", "cc3d", "scipy", "scipy.ndimage", "skimage", "skimage.measure")
SCREEN_LINES = 60  # a full-height terminal: header, one table of every headline row, parity


@pytest.fixture(scope="session")
def matplotlib() -> ModuleType:
    """matplotlib (the bench extra), for ``--plot``."""
    return reference("matplotlib")


@pytest.fixture(scope="session")
def all_references(pycocotools_mask: ModuleType, cv2: ModuleType, cc3d: ModuleType) -> None:
    """The references of every table row (pycocotools, OpenCV, cc3d)."""


def _check_row(row: dict[str, Any], *, compared: bool) -> None:
    assert row["maskkit_1t_ms"] > 0 and row["maskkit_nt_ms"] > 0, row
    if compared:
        assert row["parity"] == "equal" and row["checked"] is True, row
        assert row["reference_ms"] > 0 and row["ratio_1t"] > 0 and row["ratio_nt"] > 0 and row["reference_name"], row
    else:
        assert row["reference_ms"] is None and row["ratio_1t"] is None and row["reference_name"] is None, row
        assert row["parity"].startswith("not compared") and row["checked"] is False, row
    if row["domain"] == "cc":
        assert row["floor"] in row["floors_ms"] and row["floor_ms"] > 0 and row["over_floor_1t"] > 0, row
        assert set(row["floors_ms"]) == {"astype u32", "alloc+fill u32", "copyto u32"}, row
        if row["floor"] == "astype u32" and row["threads_nt"] > 1:
            assert len(row["split_floor_ms"]) == 2 and min(row["split_floor_ms"]) > 0, row
            assert row["split_floor_scaling"] > 0, row
        else:
            assert row["split_floor_ms"] is None and row["split_floor_scaling"] is None, row


def test_run_bench_quick_covers_every_workload(all_references: None) -> None:
    before = maskkit.get_num_threads()
    rows = _bench.run_bench(quick=True, strict=True)
    assert maskkit.get_num_threads() == before
    assert list(dict.fromkeys(r["workload"] for r in rows)) == ALL_KEYS
    assert list(dict.fromkeys(r["domain"] for r in rows)) == list(_bench.DOMAINS)
    for row in rows:
        _check_row(row, compared=True)


def test_cli_default_report_fits_one_screen(all_references: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--threads", "2", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.rstrip("\n").splitlines()
    assert len(lines) <= SCREEN_LINES, out
    header = [line for line in lines if line.startswith("domain ")][0]
    assert [c.strip() for c in header.split("|")] == [
        "domain", "workload", "reference", "ref ms", "maskkit 1T ms", "ratio 1T", "NT ms", "ratio NT"
    ]
    named = [line.split("|")[0].strip() for line in lines[lines.index(header) + 1 : -1]]
    assert [d for d in named if d] == list(_bench.DOMAINS)  # each domain named once, on its first row
    assert "memory floors" not in out and "scaling" not in out and "--details" in out
    assert str(maskkit.simd_info()["active"]) in lines[0] and "pycocotools 2.0" in lines[1]
    report = json.loads(path.read_text())
    first_variants = {}
    for row in report["rows"]:
        first_variants.setdefault((row["workload"], row["reference_name"]), row["variant"])
    for row in report["rows"]:
        shown = re.search(re.escape(f"{row['label']} [{row['variant']}]") + r" *\|", out) is not None
        assert shown == (first_variants[row["workload"], row["reference_name"]] == row["variant"]), row
        assert row["threads_nt"] == 2
        _check_row(row, compared=True)
    assert report["mismatches"] == [] and report["missing_references"] == []
    assert f"parity: {len(report['rows'])}/{len(report['rows'])} rows equal" in out


def test_details_add_floors_scaling_bandwidth_and_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--threads", "2", "--details", "--workloads", "encode_f,cc_blobs"]) == 0
    out = capsys.readouterr().out
    for text in ("workloads:", "memory floors", "copyto u32", "scaling (1T time / 2T time)", "fresh copy", "memcpy"):
        assert text in out, text
    assert "encode F (encode_f): 10 masks 120x160" in out


def test_plot_writes_a_png(matplotlib: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ratios.png"
    assert main(["bench", "--quick", "--workloads", "merge,kaggle_encode,cc_coco", "--plot", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(path) in capsys.readouterr().err


def test_plot_without_matplotlib_names_the_bench_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now fails as if not installed
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "\.\[bench\]"'):
        _bench.require_matplotlib()
    assert main(["bench", "--quick", "--workloads", "merge", "--plot", str(tmp_path / "x.png")]) == 2
    captured = capsys.readouterr()
    assert 'pip install ".[bench]"' in captured.err and captured.out == ""
    assert not (tmp_path / "x.png").exists()


def test_missing_pycocotools_is_named_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pycocotools", None)  # import now fails as if not installed
    monkeypatch.setitem(sys.modules, "pycocotools.mask", None)
    report = _bench.run_report(quick=True, workloads=["encode F", "iou", "Kaggle encode"])
    assert [r["workload"] for r in report["rows"]] == ["encode_f", "encode_f", "iou", "iou", "kaggle_encode"]
    # panopticapi's combine module needs pycocotools too, so it may be named beside it
    assert "pycocotools" in report["missing_references"]
    assert set(report["missing_references"]) <= {"pycocotools", "panopticapi-lite"}
    for row in report["rows"][:4]:
        _check_row(row, compared=False)
        assert "pycocotools not installed" in row["parity"]
    assert report["rows"][4]["checked"]  # the numpy reference still runs
    text = _bench.format_report(report, details=True)
    assert 'missing references: ' in text and 'pycocotools' in text.split('missing references: ')[1] and _bench.INSTALL_HINT in text
    table = [line for line in text.splitlines() if " [" in line and "|" in line]
    assert len(table) == 5 and [line.split("|")[1].strip() for line in table].count("skipped") == 4
    headline = [line for line in _bench.format_report(report).splitlines() if " [" in line and "|" in line]
    assert [line.split("|")[1].split(" [")[0].strip() for line in headline] == ["encode F", "iou", "Kaggle encode"]


def test_missing_cc_references_time_maskkit_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CC_PACKAGES:
        monkeypatch.setitem(sys.modules, name, None)  # import now fails as if not installed
    report = _bench.run_report(quick=True, workloads=["cc_noise", "cc_3d"])
    assert [r["workload"] for r in report["rows"]] == ["cc_noise", "cc_3d", "cc_3d"]
    for row in report["rows"]:
        _check_row(row, compared=False)
        assert "not installed" in row["parity"], row
    assert {"opencv-python-headless", "connected-components-3d"} <= set(report["missing_references"])
    assert _bench.INSTALL_HINT in _bench.format_report(report)


def test_no_reference_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--no-reference", "--workloads", "merge,cc_coco"]) == 0
    out = capsys.readouterr().out
    assert "references not used (--no-reference)" in out and "parity: not compared" in out


def test_mismatch_is_detected() -> None:
    wrong = _bench.Workload(
        key="fake",
        label="fake",
        description="a maskkit variant that differs from its reference",
        reference=lambda: np.zeros(3, np.uint8),
        variants=(_bench.Variant("broken", lambda: np.array([0, 1, 0], np.uint8)),),
        compare=_bench.compare_arrays,
    )
    rows = rows_of(wrong, 1, _bench.QUICK, strict=False)
    assert rows[0]["parity"].startswith("MISMATCH") and "(1,)" in rows[0]["parity"]
    with pytest.raises(_bench.ParityError):
        rows_of(wrong, 1, _bench.QUICK, strict=True)


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
    rows = rows_of(failing, 2, _bench.QUICK, strict=False)
    assert rows[0]["parity"].startswith("ERROR") and "no such kernel" in rows[0]["parity"]
    assert rows[0]["maskkit_1t_ms"] is None and rows[1]["parity"] == "equal" and rows[1]["maskkit_1t_ms"] > 0
    with pytest.raises(_bench.ParityError):
        rows_of(failing, 2, _bench.QUICK, strict=True)
    ref_fails = _bench.Workload(
        key="fake2",
        label="fake2",
        description="the reference raises: maskkit is timed alone",
        reference=boom,
        variants=(_bench.Variant("works", lambda: np.zeros(3, np.uint8)),),
        compare=_bench.compare_arrays,
    )
    (row,) = rows_of(ref_fails, 2, _bench.QUICK, strict=False)
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
    assert "item 0" in str(_bench.compare_rle_lists([rle], [{"size": [2, 3], "counts": "6"}]))
    assert "lengths differ" in str(_bench.compare_rle_lists([rle], []))
    assert _bench.compare_lists(_bench.compare_equal)(["1 2"], ["1 2"]) is None
    assert "item 1" in str(_bench.compare_lists(_bench.compare_equal)(["1 2", "3 4"], ["1 2", "3 5"]))
    box = np.zeros(4)
    assert _bench.compare_area_bbox_each([(np.uint32(3), box)], [(np.uint32(3), box.copy())]) is None
    assert "area" in str(_bench.compare_area_bbox_each([(np.uint32(3), box)], [(np.int64(3), box)]))


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


def test_workload_names() -> None:
    assert _bench.normalize_workload_names(["encode F", "ENCODE_F", "area+toBbox", "decode c"]) == [
        "encode_f",
        "area_tobbox",
        "decode_c",
    ]
    assert [k for k in ALL_KEYS if k.startswith("cc_")] == CC_KEYS
    assert _bench.normalize_workload_names(["cc_3d", "cc 3D 6-conn", "CC_STATS"]) == ["cc_3d", "cc_3d6", "cc_stats"]
    with pytest.raises(ValueError, match="unknown workload"):
        _bench.normalize_workload_names(["nope"])
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--workloads", "nope"])
    assert exc.value.code == 2


def test_every_table_has_its_domain() -> None:
    workloads = _bench.build_workloads(_bench.BenchData(_bench.QUICK), _bench.References(enabled=False))
    for domain, table in _bench.TABLES.items():
        keys = {w.key for w in workloads if w.domain == domain}
        assert len(keys) == len(table) > 0, domain
    assert len({w.key for w in workloads}) == len(workloads)


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "bench" in capsys.readouterr().out


def test_no_module_imports_the_facade() -> None:
    modules = {path.stem for path in BENCH_DIR.glob("*.py")} - {"__init__"}
    for path in sorted(BENCH_DIR.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                absolute = node.level == 0 and node.module == "maskkit._bench"
                relative_package = node.level == 1 and node.module is None and any(a.name not in modules for a in node.names)
                assert not (absolute or relative_package), f"{path.name} imports the package facade"
            if isinstance(node, ast.Import):
                assert all(a.name != "maskkit._bench" for a in node.names), path.name


def test_generators_are_seeded() -> None:
    a = _bench.make_masks(4, 60, 80, seed=7)
    assert np.array_equal(a, _bench.make_masks(4, 60, 80, seed=7))
    assert a.flags.c_contiguous and set(np.unique(a).tolist()) == {0, 1}
    assert all(a[i].any() for i in range(4))
    segs = _bench.make_polygon_annotations(5, 480, 640, seed=7)
    assert segs == _bench.make_polygon_annotations(5, 480, 640, seed=7)
    coords = np.concatenate([np.asarray(p) for s in segs for p in s])
    assert coords.min() >= 0 and np.all(np.round(coords, 2) == coords)
    blobs = _bench.make_blobs((64, 96), 3.0, 0.4, seed=2)
    assert np.array_equal(blobs, _bench.make_blobs((64, 96), 3.0, 0.4, seed=2))
    assert blobs.dtype == np.uint8 and abs(float(blobs.mean()) - 0.4) < 0.01
    multi = _bench.make_multilabel(128, 20, 0.35, seed=2)
    assert np.array_equal(multi, _bench.make_multilabel(128, 20, 0.35, seed=2)) and int(multi.max()) <= 20
    volume = _bench.make_blobs((16, 20, 24), 2.0, 0.3, seed=2)
    assert volume.shape == (16, 20, 24) and set(np.unique(volume).tolist()) == {0, 1}


def test_kaggle_kernels_invert_each_other() -> None:
    masks = _bench.make_masks(3, 30, 40, seed=5)
    for mask in masks:
        text = kaggle_encode(mask)
        assert np.array_equal(kaggle_decode(text, 30, 40), mask)
    assert kaggle_encode(np.zeros((2, 3), np.uint8)) == "" and not kaggle_decode("", 2, 3).any()


def test_measure_interleaved_repeats_within_bounds() -> None:
    calls = [timing.Timed(lambda: None), timing.Timed(lambda: sum(range(100)))]
    results = timing.measure_interleaved(calls, _bench.QUICK)
    assert len(results) == 2
    for t in results:
        assert _bench.QUICK.min_repeats <= t.repeats <= _bench.QUICK.max_repeats and 0 <= t.min_s <= t.median_s


def test_format_ratio_and_ms() -> None:
    assert _bench.format_ratio(None) == "-" and _bench.format_ratio(3.587) == "3.59x"
    from maskkit._bench.report import format_ms

    assert [format_ms(v) for v in (None, 0.1234, 12.345, 1234.5)] == ["-", "0.123", "12.35", "1234"]


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_split_fresh_copy_writes_the_image_into_fresh_aligned_memory(threads: int) -> None:
    image = np.random.default_rng(threads).integers(0, 256, (1030, 1024), dtype=np.uint8)  # > 2**20 pixels
    copy = timing.split_fresh_copy(lambda: image, lambda: np.zeros(1, np.uint16))
    first, second = copy(threads), copy(threads)
    for out in (first, second):
        assert out.dtype == np.uint16 and out.shape == image.shape and np.array_equal(out, image)
        assert out.ctypes.data % (2 << 20) == 0
    assert not np.shares_memory(first, second)
