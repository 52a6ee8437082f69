"""``maskkit pq``: panopticapi's script arguments, its table, JSON output, clean errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maskkit import _cli, panoptic
from maskkit._bench.panoptic_data import make_panoptic_dataset, write_panoptic_dataset


@pytest.fixture()
def files(tmp_path: Path) -> Any:
    categories, samples = make_panoptic_dataset(3, 20, 30, segments=6, seed=4)
    return write_panoptic_dataset(str(tmp_path), categories, samples)


def test_pq_prints_panopticapi_table(files: Any, capsys: pytest.CaptureFixture[str]) -> None:
    gt, pred = files
    assert _cli.main(["pq", "--gt_json_file", gt, "--pred_json_file", pred, "--no-progress"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = panoptic.pq_compute(gt, pred)
    assert out[0].split() == ["|", "PQ", "SQ", "RQ", "N"]
    assert out[2].split()[0] == "All" and float(out[2].split()[2]) == round(100 * expected["All"]["pq"], 1)


def test_pq_json_output_equals_pq_compute(files: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gt, pred = files
    target = tmp_path / "result.json"
    assert _cli.main(["pq", "--gt_json_file", gt, "--pred_json_file", pred, "--json", str(target), "--threads", "2", "--mode", "corrected"]) == 0
    written = json.loads(target.read_text())
    expected = panoptic.pq_compute(gt, pred, mode="corrected")
    assert written["All"] == expected["All"]
    assert written["per_class"] == {str(k): v for k, v in expected["per_class"].items()}
    assert "images: 3/3" in capsys.readouterr().err
    assert _cli.main(["pq", "--gt_json_file", gt, "--pred_json_file", pred, "--json", "-", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["Things"] == panoptic.pq_compute(gt, pred)["Things"]


def test_pq_reports_bad_datasets_without_traceback(files: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gt, _ = files
    assert _cli.main(["pq", "--gt_json_file", gt, "--pred_json_file", str(tmp_path / "missing.json")]) == 2
    assert "maskkit pq:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _cli.main(["pq", "--gt_json_file", gt])
