"""Panoptic quality: Evaluator and pq_compute against panopticapi, bit for bit."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maskkit import _core, panoptic
from maskkit._bench.panoptic_data import make_panoptic_dataset, write_panoptic_dataset
from maskkit._pan_png import array_source, png_source

from .pq_reference import CATEGORIES, images, reference_files, reference_results, reference_stat

THING, STUFF = 1, 7


def evaluate(images_: List[Any], mode: str = "strict", categories: Any = CATEGORIES) -> panoptic.Evaluator:
    ev = panoptic.Evaluator(categories, mode=mode)
    for gt, gs, pred, ps in images_:
        ev.update(gt, copy.deepcopy(gs), pred, copy.deepcopy(ps))
    return ev


def seg(id_: int, cat: int, area: int = 0, crowd: int = 0) -> Dict[str, Any]:
    return {"id": id_, "category_id": cat, "iscrowd": crowd, "area": area}


# ---- parity with panopticapi ---------------------------------------------------------------


@given(st.lists(images(), min_size=1, max_size=4))
def test_counts_and_iou_sums_equal_panopticapi(panopticapi_evaluation: Any, batch: List[Any]) -> None:
    stat = reference_stat(panopticapi_evaluation, CATEGORIES, batch)
    counts = evaluate(batch).counts()
    for c in CATEGORIES:
        ref = stat.pq_per_cat[c["id"]]
        assert counts[c["id"]] == {"tp": ref.tp, "fp": ref.fp, "fn": ref.fn, "iou": ref.iou}


@given(st.lists(images(), min_size=1, max_size=4))
def test_results_equal_panopticapi_or_both_raise(panopticapi_evaluation: Any, batch: List[Any]) -> None:
    try:
        expected = reference_results(panopticapi_evaluation, CATEGORIES, batch)
    except ZeroDivisionError:
        with pytest.raises(ZeroDivisionError):
            evaluate(batch).compute()
        return
    assert evaluate(batch).compute() == expected


@given(st.lists(images(), min_size=2, max_size=6), st.data())
def test_merged_partial_evaluators_equal_one_pass(batch: List[Any], data: st.DataObject) -> None:
    whole = evaluate(batch)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(batch)), max_size=3)))
    parts = [evaluate(batch[a:b]) for a, b in zip([0] + cuts, cuts + [len(batch)])]
    parts = [pickle.loads(pickle.dumps(p)) for p in parts]
    merged = parts[0].merge(*parts[1:])
    assert merged.counts() == whole.counts()
    assert merged.images == whole.images == len(batch)


def test_pq_compute_from_png_folders_equals_panopticapi(panopticapi_evaluation: Any, tmp_path: Path) -> None:
    categories, samples = make_panoptic_dataset(6, 48, 64, segments=12, seed=3)
    gt_json, pred_json = write_panoptic_dataset(str(tmp_path), categories, samples)
    expected = reference_files(panopticapi_evaluation, gt_json, pred_json)
    for threads in (1, 2, 3):
        assert panoptic.pq_compute(gt_json, pred_json, num_threads=threads) == expected


@pytest.mark.parametrize("use_libdeflate", [True, False])
def test_png_fast_path_decodes_like_pillow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_libdeflate: bool) -> None:
    from PIL import Image

    from maskkit import _pan_png

    monkeypatch.setattr(_pan_png, "_inflate", _pan_png.inflater(use_libdeflate))

    rng = np.random.default_rng(0)
    for mode, channels in (("RGB", 3), ("RGBA", 4)):
        for optimize in (False, True):
            pixels = rng.integers(0, 4, (37, 53, channels), dtype=np.uint8) * 60
            pixels[5:20, 3:40] = 9  # runs of every filter type
            path = tmp_path / f"{mode}{optimize}.png"
            Image.fromarray(pixels, mode).save(path, optimize=optimize)
            data = path.read_bytes()
            fast = png_source(data)
            assert fast is not None and fast[0] == 2
            other = array_source(np.zeros((37, 53), np.uint32))
            keys, counts = _core.panoptic_pairs(fast, other)
            ids = panoptic.rgb2id(np.array(Image.open(path))[..., :3])
            expected, expected_counts = np.unique(ids.astype(np.uint64) << 24, return_counts=True)
            np.testing.assert_array_equal(keys, expected)
            np.testing.assert_array_equal(counts, expected_counts)


def test_pair_histogram_equals_numpy_unique_for_every_source() -> None:
    rng = np.random.default_rng(1)
    gt = rng.integers(0, 5, (30, 41)).astype(np.uint32) * 4000001 % (1 << 24)
    pred = np.repeat(rng.integers(0, 3, (30, 1)), 41, axis=1).astype(np.uint32) * 77
    expected_keys, expected_counts = np.unique((gt.astype(np.uint64) << 24) | pred, return_counts=True)
    for g in (gt, panoptic.id2rgb(gt), np.dstack([panoptic.id2rgb(gt), np.full((30, 41), 9, np.uint8)]), gt.astype(">u4"), gt.astype(np.int64)):
        keys, counts = _core.panoptic_pairs(array_source(g), array_source(pred))
        np.testing.assert_array_equal(keys, expected_keys)
        np.testing.assert_array_equal(counts, expected_counts)


# ---- panopticapi's quirks in strict mode, fixed in corrected mode --------------------------


def test_json_area_is_trusted_in_strict_mode_only() -> None:
    gt = np.array([[5] * 10], np.uint32)
    wrong = [seg(5, THING, area=5)]  # true area 10
    pred = [{"id": 5, "category_id": THING}]
    strict = evaluate([(gt, wrong, gt, pred)]).counts()[THING]
    assert strict["iou"] == 2.0  # 10 / (10 + 5 - 10): SQ above 1, as panopticapi reports
    corrected_ev = evaluate([(gt, wrong, gt, pred)], mode="corrected")
    assert corrected_ev.counts()[THING]["iou"] == 1.0
    assert corrected_ev.area_mismatches == 1


def test_last_crowd_segment_excuses_in_strict_mode_every_one_in_corrected() -> None:
    gt = np.array([[1, 1, 2, 2]], np.uint32)
    gs = [seg(1, THING, 2, crowd=1), seg(2, THING, 2, crowd=1)]
    pred = np.array([[8, 8, 0, 0]], np.uint32)  # lies on the first crowd segment
    ps = [{"id": 8, "category_id": THING}]
    assert evaluate([(gt, gs, pred, ps)]).counts()[THING]["fp"] == 1
    assert evaluate([(gt, gs, pred, ps)], mode="corrected").counts()[THING]["fp"] == 0


def test_listed_id_zero_is_a_segment_in_strict_mode_and_refused_in_corrected() -> None:
    gt = np.array([[4, 4, 4]], np.uint32)
    pred = np.zeros((1, 3), np.uint32)
    gs = [seg(4, THING, 3)]
    listed = [{"id": 0, "category_id": THING}]
    assert evaluate([(gt, gs, pred, listed)]).counts()[THING] == {"tp": 1, "fp": 0, "fn": 0, "iou": 1.0}
    assert evaluate([(gt, gs, pred, [])]).counts()[THING] == {"tp": 0, "fp": 0, "fn": 1, "iou": 0.0}
    with pytest.raises(ValueError, match="id 0"):
        evaluate([(gt, gs, pred, listed)], mode="corrected")


def test_iou_of_exactly_one_half_is_not_a_match() -> None:
    gt = np.array([[3, 3, 3, 3]], np.uint32)
    pred = np.array([[6, 6, 7, 7]], np.uint32)
    ps = [{"id": 6, "category_id": THING}, {"id": 7, "category_id": THING}]
    assert evaluate([(gt, [seg(3, THING, 4)], pred, ps)]).counts()[THING] == {"tp": 0, "fp": 2, "fn": 1, "iou": 0.0}


def test_prediction_pixels_on_void_leave_iou_unchanged() -> None:
    gt = np.array([[0, 0, 3, 3, 3, 3]], np.uint32)
    gs = [seg(3, THING, 4)]
    ps = [{"id": 6, "category_id": THING}]
    narrow = evaluate([(gt, gs, np.array([[0, 0, 6, 6, 6, 0]]), ps)]).counts()[THING]
    wide = evaluate([(gt, gs, np.array([[6, 6, 6, 6, 6, 0]]), ps)]).counts()[THING]
    assert narrow == wide and narrow["iou"] == 0.75


def test_duplicate_ids_resolve_last_wins_in_strict_mode_and_raise_in_corrected() -> None:
    gt = np.array([[2, 2]], np.uint32)
    gs = [seg(2, STUFF, 2), seg(2, THING, 2)]
    ps = [{"id": 2, "category_id": THING}]
    assert evaluate([(gt, gs, gt, ps)]).counts()[THING]["tp"] == 1
    with pytest.raises(ValueError, match="listed twice"):
        evaluate([(gt, gs, gt, ps)], mode="corrected")


def test_an_average_over_no_category_raises_in_strict_mode_and_is_zero_in_corrected() -> None:
    empty = np.zeros((2, 2), np.uint32)
    with pytest.raises(ZeroDivisionError):
        evaluate([(empty, [], empty, [])]).compute()
    with pytest.raises(ValueError):
        evaluate([(empty, [], empty, [])]).compute()
    result = evaluate([(empty, [], empty, [])], mode="corrected").compute()
    assert result["All"] == {"pq": 0.0, "sq": 0.0, "rq": 0.0, "n": 0}


def test_gt_versus_gt_is_perfect_for_every_non_crowd_category() -> None:
    categories, samples = make_panoptic_dataset(3, 40, 50, segments=10, seed=5)
    ev = panoptic.Evaluator(categories)
    for s in samples:
        ev.update(s.gt, s.gt_segments, s.gt, s.gt_segments)
    for row in ev.compute()["per_class"].values():
        assert row in ({"pq": 1.0, "sq": 1.0, "rq": 1.0}, {"pq": 0.0, "sq": 0.0, "rq": 0.0})


@given(images(), st.data())
def test_invariant_under_relabelling_transposing_and_permuting(image: Any, data: st.DataObject) -> None:
    gt, gs, pred, ps = image
    mapping = {int(v): int(v) * 7 % 0xFFFFF + 1 for v in np.unique(pred) if v}
    relabelled = np.vectorize(lambda v: mapping.get(int(v), 0), otypes=[np.uint32])(pred)
    ps2 = [dict(s, id=mapping[s["id"]]) for s in ps]
    # Permuting segments_info is an invariance of corrected mode only: in strict mode the last
    # crowd segment of a category is the one that excuses false positives.
    for other, mode in (
        ((gt, gs, relabelled, ps2), "strict"),
        ((gt.T, gs, pred.T, ps), "strict"),
        ((gt[::-1], gs, pred[::-1], ps), "strict"),
        ((gt, data.draw(st.permutations(gs)), pred, data.draw(st.permutations(ps))), "corrected"),
    ):
        base = evaluate([image], mode=mode).counts()
        counts = evaluate([other], mode=mode).counts()
        for key in base:
            assert {k: counts[key][k] for k in ("tp", "fp", "fn")} == {k: base[key][k] for k in ("tp", "fp", "fn")}
            assert counts[key]["iou"] == pytest.approx(base[key]["iou"], rel=1e-15, abs=0)


# ---- errors: panopticapi's types, clear messages --------------------------------------------


def test_png_id_missing_from_segments_info_is_a_key_error() -> None:
    gt = np.array([[1, 2]], np.uint32)
    with pytest.raises(KeyError, match="segment id 2 is in the PNG"):
        evaluate([(gt, [seg(1, THING, 1)], gt, [{"id": 1, "category_id": THING}])])


def test_listed_id_missing_from_png_is_a_key_error() -> None:
    gt = np.array([[1, 1]], np.uint32)
    ps = [{"id": 1, "category_id": THING}, {"id": 5, "category_id": THING}]
    with pytest.raises(KeyError, match=r"\[5\] are in segments_info but not in the PNG"):
        evaluate([(gt, [seg(1, THING, 2)], gt, ps)])


def test_unknown_predicted_category_is_a_key_error() -> None:
    gt = np.array([[1, 1]], np.uint32)
    with pytest.raises(KeyError, match="unknown category_id 99"):
        evaluate([(gt, [seg(1, THING, 2)], gt, [{"id": 1, "category_id": 99}])])


def test_error_parity_with_panopticapi(panopticapi_evaluation: Any) -> None:
    gt = np.array([[1, 2]], np.uint32)
    cases = [
        (gt, [seg(1, THING, 1)], gt, [{"id": 1, "category_id": THING}]),
        (gt, [seg(1, THING, 1), seg(2, THING, 1)], gt, [{"id": 1, "category_id": THING}, {"id": 2, "category_id": THING}, {"id": 3, "category_id": THING}]),
        (gt, [seg(1, THING, 1), seg(2, THING, 1)], gt, [{"id": 1, "category_id": 42}, {"id": 2, "category_id": THING}]),
    ]
    for case in cases:
        with pytest.raises(KeyError):
            reference_stat(panopticapi_evaluation, CATEGORIES, [case])
        with pytest.raises(KeyError):
            evaluate([case])


@pytest.mark.parametrize(
    ("gt", "pred", "error"),
    [
        (np.zeros((2, 3), np.uint32), np.zeros((3, 2), np.uint32), ValueError),
        (np.zeros((2, 3), np.float32), np.zeros((2, 3), np.uint32), TypeError),
        (np.full((2, 3), 1 << 24, np.int64), np.zeros((2, 3), np.uint32), ValueError),
        (np.full((2, 3), -1, np.int32), np.zeros((2, 3), np.uint32), ValueError),
        (np.zeros((2, 3, 2), np.uint8), np.zeros((2, 3), np.uint32), ValueError),
        (np.zeros((2,), np.uint32), np.zeros((2,), np.uint32), ValueError),
        (np.full((2, 3, 3), 300, np.int32), np.zeros((2, 3), np.uint32), ValueError),
    ],
)
def test_bad_maps_raise(gt: np.ndarray, pred: np.ndarray, error: type) -> None:
    with pytest.raises(error):
        panoptic.Evaluator(CATEGORIES).update(gt, [], pred, [])


def test_uint32_ids_beyond_24_bits_are_refused_by_the_core() -> None:
    big = np.full((1, 2), 1 << 24, np.uint32)
    with pytest.raises(ValueError, match="below 2\\^24"):
        _core.panoptic_pairs(array_source(big), array_source(np.zeros((1, 2), np.uint32)))


@pytest.mark.parametrize(
    ("segments", "error"),
    [
        ("not a list", TypeError),
        ([5], TypeError),
        ([{"category_id": 1}], KeyError),
        ([{"id": "a", "category_id": 1}], TypeError),
        ([{"id": 1, "category_id": 1, "iscrowd": 0}], KeyError),  # no area
        ([{"id": 1, "category_id": 1, "area": 1}], KeyError),  # no iscrowd
        ([{"id": 1, "category_id": 1, "iscrowd": 0, "area": "big"}], TypeError),
    ],
)
def test_bad_ground_truth_segments_raise(segments: Any, error: type) -> None:
    gt = np.array([[1]], np.uint32)
    with pytest.raises(error):
        panoptic.Evaluator(CATEGORIES).update(gt, segments, gt, [{"id": 1, "category_id": 1}])


@pytest.mark.parametrize(
    ("categories", "error"),
    [(5, TypeError), ([5], TypeError), ([{"isthing": 1}], KeyError), ([{"id": 1}], KeyError)],
)
def test_bad_categories_raise(categories: Any, error: type) -> None:
    with pytest.raises(error):
        panoptic.Evaluator(categories)


def test_bad_mode_and_merge_arguments_raise() -> None:
    with pytest.raises(ValueError, match="mode"):
        panoptic.Evaluator(CATEGORIES, mode="loose")
    with pytest.raises(TypeError):
        panoptic.Evaluator(CATEGORIES).merge(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        panoptic.Evaluator(CATEGORIES).merge(panoptic.Evaluator(CATEGORIES, mode="corrected"))


def test_empty_and_zero_sized_maps() -> None:
    for shape in ((0, 0), (0, 5), (5, 0)):
        ev = panoptic.Evaluator(CATEGORIES)
        ev.update(np.zeros(shape, np.uint32), [], np.zeros(shape, np.uint32), [])
        assert ev.images == 1 and all(v["tp"] == 0 for v in ev.counts().values())


# ---- pq_compute files: errors and folders ----------------------------------------------------


@pytest.fixture()
def dataset(tmp_path: Path) -> Dict[str, Any]:
    categories, samples = make_panoptic_dataset(2, 16, 20, segments=5, seed=9)
    gt_json, pred_json = write_panoptic_dataset(str(tmp_path), categories, samples)
    return {"root": tmp_path, "gt": gt_json, "pred": pred_json}


def rewrite(path: str, change: Any) -> None:
    data = json.loads(Path(path).read_text())
    change(data)
    Path(path).write_text(json.dumps(data))


def test_missing_prediction_folder_png_and_image(dataset: Dict[str, Any]) -> None:
    with pytest.raises(FileNotFoundError):
        panoptic.pq_compute(dataset["gt"], dataset["pred"], pred_folder=str(dataset["root"] / "nowhere"))
    rewrite(dataset["pred"], lambda d: d["annotations"].pop())
    with pytest.raises(ValueError, match="no prediction for the image"):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])


def test_missing_and_damaged_pngs(dataset: Dict[str, Any]) -> None:
    pred_png = dataset["root"] / "pred" / "000000000001.png"
    data = pred_png.read_bytes()
    pred_png.write_bytes(data[: len(data) // 2])
    with pytest.raises(panoptic.PanopticImageError, match="cannot be decoded"):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])
    pred_png.write_bytes(b"not a png")
    with pytest.raises(OSError):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])
    pred_png.unlink()
    with pytest.raises(FileNotFoundError):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])


def test_grayscale_png_raises_type_error_as_panopticapi(dataset: Dict[str, Any]) -> None:
    from PIL import Image

    Image.fromarray(np.zeros((16, 20), np.uint8)).save(dataset["root"] / "pred" / "000000000000.png")
    with pytest.raises(TypeError, match="colour channels"):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])


def test_malformed_json(dataset: Dict[str, Any]) -> None:
    Path(dataset["pred"]).write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])
    Path(dataset["pred"]).write_text("[1, 2]")
    with pytest.raises(ValueError, match="must hold an object"):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])
    Path(dataset["pred"]).write_text('{"annotations": [{"image_id": 0}]}')
    with pytest.raises(ValueError, match="needs 'image_id'"):
        panoptic.pq_compute(dataset["gt"], dataset["pred"])


def test_bad_thread_count(dataset: Dict[str, Any]) -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            panoptic.pq_compute(dataset["gt"], dataset["pred"], num_threads=bad)  # type: ignore[arg-type]


def test_progress_is_called_per_image(dataset: Dict[str, Any]) -> None:
    seen: List[Any] = []
    panoptic.pq_compute(dataset["gt"], dataset["pred"], num_threads=2, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]


def test_pq_compute_memory_does_not_grow_with_the_number_of_images(tmp_path: Path) -> None:
    categories, samples = make_panoptic_dataset(4, 120, 160, segments=12, seed=2)
    for count in (8, 64):
        folder = tmp_path / str(count)
        write_panoptic_dataset(str(folder), categories, (samples * (count // 4)))
    code = (
        "import sys, resource; from maskkit import panoptic; "
        "panoptic.pq_compute(sys.argv[1] + '/gt.json', sys.argv[1] + '/pred.json', num_threads=2); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    peaks = [
        int(subprocess.run([sys.executable, "-c", code, str(tmp_path / str(c))], check=True, capture_output=True, text=True).stdout)
        for c in (8, 64)
    ]
    assert peaks[1] < peaks[0] + 4096, peaks  # KiB: 56 more images cost less than 4 MiB


def test_cityscapes_evaluation_writes_the_results_file(dataset: Dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "out" / "result.json"
    target.parent.mkdir()
    results = panoptic.evaluate_cityscapes(dataset["gt"], None, dataset["pred"], None, str(target))
    assert results == panoptic.pq_compute(dataset["gt"], dataset["pred"])
    written = json.loads(target.read_text())
    assert written["All"] == results["All"] and set(written["per_class"]) == {str(k) for k in results["per_class"]}
    assert list(target.parent.iterdir()) == [target]  # no temporary file left
    with pytest.raises(FileNotFoundError):
        panoptic.evaluate_cityscapes(dataset["gt"], None, dataset["pred"], str(tmp_path / "none"), str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()
