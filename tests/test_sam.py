"""maskkit.sam against NumPy transcriptions of Segment Anything's amg.py helpers (SAM and SAM2
share them), SAM's cv2 formulation of remove_small_regions, pycocotools for coco_encode_rle,
and, where torch is installed, SAM's torch formulations themselves."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any, Dict, List

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import sam
from maskkit._bench.workloads_sam import sam_mask_to_rle_numpy, sam_remove_small_regions_cv2, sam_stability_numpy
from tests.test_boxes import sam_boxes

try:  # torch is not in the test extra: the tensor tests skip without it
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed (not a test dependency); the NumPy paths are tested without it")


# --------------------------------------------------------------------------------------------
# transcriptions of amg.py (own words) and of torch's rounding
# --------------------------------------------------------------------------------------------
def torch_threshold(value: float, dtype: np.dtype) -> Any:
    """A Python float as torch compares it with a tensor of ``dtype``: rounded to float32 first
    (then to float16 for half tensors); doubles stay doubles."""
    if dtype == np.float64:
        return np.float64(value)
    with np.errstate(over="ignore"):  # beyond the type's range: infinity, as torch casts
        single = np.float32(value)
        return np.float16(single) if dtype == np.float16 else single


def stability_reference(masks: np.ndarray, t: float, o: float) -> np.ndarray:
    """SAM's stability score with torch's threshold rounding (numpy rounds float16 directly)."""
    high, low = torch_threshold(t + o, masks.dtype), torch_threshold(t - o, masks.dtype)
    with np.errstate(invalid="ignore"):
        inter = (masks > high).sum(-1, dtype=np.int16).sum(-1, dtype=np.int32)
        union = (masks > low).sum(-1, dtype=np.int16).sum(-1, dtype=np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = inter.astype(np.float32) / union.astype(np.float32)
    return out


def rle_to_mask_reference(rle: Dict[str, Any]) -> np.ndarray:
    """amg.rle_to_mask: runs written in column-major order, then the (W, H) array transposed."""
    h, w = rle["size"]
    flat = np.empty(h * w, bool)
    start, value = 0, False
    for run in rle["counts"]:
        flat[start : start + run] = value
        start += run
        value = not value
    return flat.reshape(w, h).T


def area_reference(rle: Dict[str, Any]) -> int:
    """amg.area_from_rle: the runs of 1s are the odd positions."""
    return sum(rle["counts"][1::2])


def box_xywh_reference(box: Any) -> Any:
    """amg.box_xyxy_to_xywh."""
    out = copy.deepcopy(box)
    out[2] = out[2] - out[0]
    out[3] = out[3] - out[1]
    return out


def same_array(got: Any, want: Any) -> bool:
    return (
        isinstance(got, np.ndarray)
        and got.dtype == want.dtype
        and got.shape == want.shape
        and np.array_equal(got, want, equal_nan=got.dtype.kind == "f")
    )


# --------------------------------------------------------------------------------------------
# calculate_stability_score
# --------------------------------------------------------------------------------------------
logit_values = st.one_of(
    st.floats(-3, 3, width=16), st.sampled_from([0.0, -0.0, 1.0, -1.0, float("nan"), float("inf"), -float("inf")])
)
logit_stacks = st.tuples(
    st.sampled_from([np.float16, np.float32, np.float64]),
    st.lists(st.integers(0, 3), min_size=0, max_size=2),
    st.integers(0, 9),
    st.integers(0, 70),
).flatmap(lambda s: hnp.arrays(s[0], tuple(s[1]) + (s[2], s[3]), elements=logit_values))
thresholds = st.floats(-2, 2, allow_nan=False, width=32) | st.sampled_from([0.0, 1 + 2**-11 + 2**-40, 1 - 2**-40, 0.1])


@given(logits=logit_stacks, t=thresholds, o=thresholds)
def test_stability_equals_sam(logits: np.ndarray, t: float, o: float) -> None:
    got = sam.calculate_stability_score(logits, t, o)
    assert same_array(got, stability_reference(logits, t, o))
    if logits.dtype != np.float16:  # numpy compares in the logits' dtype as torch does
        assert same_array(got, sam_stability_numpy(logits, t, o))


@given(logits=logit_stacks, t=thresholds, o=thresholds)
def test_stability_any_layout(logits: np.ndarray, t: float, o: float) -> None:
    want = stability_reference(logits, t, o)
    for view in (np.asfortranarray(logits), logits[..., ::-1, ::-1], logits.astype(logits.dtype.newbyteorder())):
        assert same_array(sam.calculate_stability_score(view, t, o), want)
    if logits.ndim == 3 and logits.shape[-1] > 1:
        wide = np.repeat(logits, 2, axis=-1)[..., ::2]  # strides of two elements
        assert same_array(sam.calculate_stability_score(wide, t, o), want)
    frozen = logits.copy()
    frozen.flags.writeable = False
    assert same_array(sam.calculate_stability_score(frozen, t, o), want)


def test_stability_every_simd_target(simd_target: str, num_threads: int) -> None:
    rng = np.random.default_rng(3)
    for dtype in (np.float16, np.float32, np.float64):
        for w in (1, 15, 16, 17, 31, 33, 64, 100, 257):
            logits = (rng.standard_normal((5, 7, w)) * 2).astype(dtype)
            logits[0, 0, : w // 2] = np.nan
            logits[1, 1, ::3] = np.inf
            logits[2, :, ::2] = 0.0
            for t, o in ((0.0, 1.0), (0.0, 0.0), (0.5, -0.25), (-0.0, 2.0)):
                assert same_array(sam.calculate_stability_score(logits, t, o), stability_reference(logits, t, o))
                view = logits[:, ::-1, ::-1]
                assert same_array(sam.calculate_stability_score(view, t, o), stability_reference(view, t, o))


def test_stability_wraps_row_sums_like_sam() -> None:
    # 40000 values above both thresholds in a row: SAM's int16 row sum holds 40000 - 65536
    logits = np.ones((2, 3, 40000), np.float32)
    logits[1, :, :5000] = 0.0  # 35000 above the high threshold, 40000 above the low one
    got = sam.calculate_stability_score(logits, 0.0, 0.5)
    assert same_array(got, stability_reference(logits, 0.0, 0.5))
    assert same_array(got, sam_stability_numpy(logits, 0.0, 0.5))
    assert got[0] == 1.0 and got[1] == np.float32(3 * (35000 - 65536)) / np.float32(3 * (40000 - 65536))


def test_stability_empty_union_and_negative_offset() -> None:
    logits = np.array([[[-5.0, -5.0]], [[0.0, 2.0]]], np.float32)
    got = sam.calculate_stability_score(logits, 0.0, 1.0)
    assert np.isnan(got[0]) and got[1] == np.float32(0.5)
    # a negative offset swaps the thresholds: above 1 and infinite scores, as in SAM
    flipped = sam.calculate_stability_score(np.array([[[0.5, 2.0]]], np.float32), 0.0, -1.0)
    assert flipped.tolist() == [2.0]
    assert sam.calculate_stability_score(np.array([[[-0.5]]], np.float32), 0.0, -1.0).tolist() == [float("inf")]


def test_stability_shapes() -> None:
    plane = np.zeros((3, 4), np.float32)
    plane[0, 0] = 5
    single = sam.calculate_stability_score(plane, 0.0, 1.0)
    assert isinstance(single, np.ndarray) and single.shape == () and single.dtype == np.float32
    assert single == np.float32(1) / np.float32(12)
    assert sam.calculate_stability_score(np.zeros((2, 0, 3, 4), np.float32), 0.0, 1.0).shape == (2, 0)
    assert np.isnan(sam.calculate_stability_score(np.zeros((2, 0, 4), np.float64), 0.0, 1.0)).all()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: sam.calculate_stability_score(np.zeros((2, 2), np.int32), 0.0, 1.0), TypeError, "float logits"),
        (lambda: sam.calculate_stability_score(np.zeros((2, 2), bool), 0.0, 1.0), TypeError, "float logits"),
        (lambda: sam.calculate_stability_score(np.zeros(4, np.float32), 0.0, 1.0), ValueError, "at least 2"),
        (lambda: sam.calculate_stability_score(np.zeros((2, 2), np.float32), "0", 1.0), TypeError, "mask_threshold"),
        (lambda: sam.calculate_stability_score(np.zeros((2, 2), np.float32), 0.0, None), TypeError, "threshold_offset"),
        (lambda: sam.calculate_stability_score(np.zeros((2, 2), np.float32), True, 1.0), TypeError, "real number"),
        (lambda: sam.calculate_stability_score([[0.5, "a"]], 0.0, 1.0), TypeError, "float logits"),
    ],
)
def test_stability_errors(call: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_stability_nan_threshold_gives_nan() -> None:
    logits = np.ones((2, 3, 4), np.float32)
    assert np.isnan(sam.calculate_stability_score(logits, float("nan"), 1.0)).all()


# --------------------------------------------------------------------------------------------
# remove_small_regions
# --------------------------------------------------------------------------------------------
@given(mask=st.tuples(st.integers(1, 24), st.integers(1, 24)).flatmap(lambda s: hnp.arrays(bool, s)), thresh=st.integers(-1, 30) | st.floats(-1, 30))
def test_remove_small_regions_equals_sam(cv2: ModuleType, mask: np.ndarray, thresh: float) -> None:
    for mode in ("holes", "islands"):
        want, want_changed = sam_remove_small_regions_cv2(cv2, mask, thresh, mode)
        got, changed = sam.remove_small_regions(mask, thresh, mode)
        assert changed == want_changed
        assert same_array(got, want) and got.flags.c_contiguous == want.flags.c_contiguous
        if not changed:
            assert got is mask


@given(mask=st.tuples(st.integers(1, 16), st.integers(1, 16)).flatmap(lambda s: hnp.arrays(np.uint8, s, elements=st.integers(0, 3))), thresh=st.integers(0, 12))
def test_remove_small_regions_uint8_as_sam_reads_it(cv2: ModuleType, mask: np.ndarray, thresh: int) -> None:
    for mode in ("holes", "islands"):
        want, want_changed = sam_remove_small_regions_cv2(cv2, mask, thresh, mode)
        got, changed = sam.remove_small_regions(mask, thresh, mode)
        assert changed == want_changed and same_array(got, want)


def test_remove_small_regions_noisy_masks(cv2: ModuleType) -> None:
    rng = np.random.default_rng(5)
    for density in (0.02, 0.3, 0.5, 0.7, 0.98):
        mask = rng.random((97, 131)) < density
        view = mask[::-1, ::2]  # any layout
        for target in (mask, view, np.asfortranarray(mask)):
            for mode in ("holes", "islands"):
                for thresh in (1, 3, 10, 10**6):
                    want, want_changed = sam_remove_small_regions_cv2(cv2, target, thresh, mode)
                    got, changed = sam.remove_small_regions(target, thresh, mode)
                    assert changed == want_changed and same_array(got, want)


def test_holes_mode_fills_small_background_at_the_border(cv2: ModuleType) -> None:
    mask = np.ones((6, 6), bool)
    mask[0, 0] = mask[3, 3] = False  # a border notch and a true hole, both 1 pixel
    got, changed = sam.remove_small_regions(mask, 2, "holes")
    assert changed and got.all()
    assert same_array(got, sam_remove_small_regions_cv2(cv2, mask, 2, "holes")[0])


def test_islands_keep_the_region_opencv_numbers_first(cv2: ModuleType) -> None:
    # Three islands of 2 pixels. In raster order the one starting at (0, 5) comes first; OpenCV
    # scans 2 x 2 blocks and numbers the one starting at (1, 0) first (block (0, 0)).
    mask = np.zeros((6, 8), bool)
    mask[0, 5:7] = True
    mask[1, 0:2] = True
    mask[4, 3:5] = True
    want, want_changed = sam_remove_small_regions_cv2(cv2, mask, 5, "islands")
    got, changed = sam.remove_small_regions(mask, 5, "islands")
    assert changed and want_changed and same_array(got, want)
    assert got[1, 0:2].all() and got.sum() == 2
    # rows are paired: an island starting on row 3 at column 1 precedes one starting on row 2
    # at column 8 (blocks (1, 0) and (1, 4))
    mask = np.zeros((6, 10), bool)
    mask[2, 8] = mask[3, 9] = True  # first block (1, 4)
    mask[3, 1] = mask[3, 2] = True  # first block (1, 0): OpenCV's first
    got, _ = sam.remove_small_regions(mask, 5, "islands")
    assert same_array(got, sam_remove_small_regions_cv2(cv2, mask, 5, "islands")[0])
    assert got[3, 1] and not got[2, 8]


def test_remove_small_regions_no_region_is_small() -> None:
    mask = np.zeros((4, 4), bool)
    mask[1:3, 1:3] = True
    for thresh in (0, -5, 4, float("-inf")):
        got, changed = sam.remove_small_regions(mask, thresh, "islands")
        assert got is mask and not changed
    empty = np.zeros((0, 5), bool)
    assert sam.remove_small_regions(empty, 10, "holes") == (empty, False)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: sam.remove_small_regions(np.zeros((3, 3), bool), 5, "hole"), ValueError, "'holes' or 'islands'"),
        (lambda: sam.remove_small_regions(np.zeros((3, 3), bool), 5, None), ValueError, "mode must"),
        (lambda: sam.remove_small_regions(np.zeros((2, 3, 3), bool), 5, "holes"), ValueError, "2-D"),
        (lambda: sam.remove_small_regions(np.zeros((3, 3), np.float32), 5, "holes"), TypeError, "uint8 or bool"),
        (lambda: sam.remove_small_regions(np.zeros((3, 3), bool), float("nan"), "holes"), ValueError, "area_thresh"),
        (lambda: sam.remove_small_regions(np.zeros((3, 3), bool), "5", "holes"), TypeError, "area_thresh"),
    ],
)
def test_remove_small_regions_errors(call: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------------------------
# RLE helpers
# --------------------------------------------------------------------------------------------
stacks_3d = st.tuples(st.integers(0, 4), st.integers(1, 12), st.integers(1, 40)).flatmap(
    lambda s: hnp.arrays(bool, s)
)


@given(masks=stacks_3d)
def test_mask_to_rle_equals_sam(masks: np.ndarray) -> None:
    want = sam_mask_to_rle_numpy(masks)
    assert sam.mask_to_rle_pytorch(masks) == want
    assert sam.mask_to_rle_pytorch(np.asfortranarray(masks)) == want
    assert sam.mask_to_rle_pytorch(masks.astype(np.uint8)) == want
    for got, rle in zip(sam.mask_to_rle_pytorch(masks), want):
        assert all(type(c) is int for c in got["counts"]) and type(got["size"]) is list


def test_mask_to_rle_views_and_uint8_values() -> None:
    rng = np.random.default_rng(2)
    masks = rng.integers(0, 3, (3, 17, 29)).astype(np.uint8)  # SAM's XOR: every change is a run
    assert sam.mask_to_rle_pytorch(masks) == sam_mask_to_rle_numpy(masks)
    view = (rng.random((4, 20, 30)) < 0.4)[::-1, 1::2, ::-3]
    assert sam.mask_to_rle_pytorch(view) == sam_mask_to_rle_numpy(np.ascontiguousarray(view))


@given(masks=stacks_3d)
def test_rle_round_trip_area_and_coco(pycocotools_mask: ModuleType, masks: np.ndarray) -> None:
    for mask, rle in zip(masks, sam.mask_to_rle_pytorch(masks)):
        got, want = sam.rle_to_mask(rle), rle_to_mask_reference(rle)
        assert same_array(got, want) and np.array_equal(got, mask)
        assert got.flags.f_contiguous == want.flags.f_contiguous and got.flags.c_contiguous == want.flags.c_contiguous
        area = sam.area_from_rle(rle)
        assert type(area) is int and area == area_reference(rle) == int(mask.sum())
        compressed = pycocotools_mask.frPyObjects(rle, *rle["size"])
        compressed["counts"] = compressed["counts"].decode("utf-8")
        assert sam.coco_encode_rle(rle) == compressed


def test_rle_to_mask_malformed_counts() -> None:
    short = sam.rle_to_mask({"size": [2, 3], "counts": [1, 2]})  # SAM leaves the rest uninitialized
    assert short.astype(int).tolist() == [[0, 1, 0], [1, 0, 0]]
    with pytest.raises(ValueError, match="sum"):
        sam.rle_to_mask({"size": [2, 3], "counts": [4, 4]})
    with pytest.raises(ValueError):
        sam.rle_to_mask({"size": [2, 3], "counts": [-1, 7]})
    with pytest.raises(TypeError, match="dict"):
        sam.rle_to_mask([{"size": [2, 3], "counts": [6]}])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="size"):
        sam.rle_to_mask({"counts": [6]})
    assert sam.rle_to_mask({"size": [0, 4], "counts": []}).shape == (0, 4)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: sam.mask_to_rle_pytorch(np.zeros((3, 3), bool)), ValueError),
        (lambda: sam.mask_to_rle_pytorch(np.zeros((1, 3, 3), np.float32)), TypeError),
        (lambda: sam.area_from_rle({"size": [1, 2], "counts": [0.5, 1.5]}), TypeError),
        (lambda: sam.area_from_rle({"size": [1, 2]}), ValueError),
        (lambda: sam.area_from_rle("counts"), TypeError),  # type: ignore[arg-type]
        (lambda: sam.coco_encode_rle({"size": [1, 2], "counts": "02"}), ValueError),
        (lambda: sam.coco_encode_rle({"size": [1], "counts": [2]}), ValueError),
    ],
)
def test_rle_errors(call: Any, error: type) -> None:
    with pytest.raises(error):
        call()


# --------------------------------------------------------------------------------------------
# boxes
# --------------------------------------------------------------------------------------------
@given(masks=st.tuples(st.lists(st.integers(0, 3), max_size=2), st.integers(0, 9), st.integers(0, 30)).flatmap(
    lambda s: hnp.arrays(bool, tuple(s[0]) + (s[1], s[2]))
))
def test_batched_mask_to_box_equals_sam(masks: np.ndarray) -> None:
    got, want = sam.batched_mask_to_box(masks), sam_boxes(masks)
    assert same_array(got, want)
    assert same_array(sam.batched_mask_to_box(masks[..., ::-1, :]), sam_boxes(masks[..., ::-1, :]))


def test_box_xyxy_to_xywh() -> None:
    box = [3, 4, 10, 12]
    assert sam.box_xyxy_to_xywh(box) == box_xywh_reference(box) == [3, 4, 7, 8] and box == [3, 4, 10, 12]
    arr = np.array([1.5, 2.0, 4.0, 8.5], np.float32)
    got = sam.box_xyxy_to_xywh(arr)
    assert same_array(got, box_xywh_reference(arr)) and arr.tolist() == [1.5, 2.0, 4.0, 8.5]
    small = np.array([5, 5, 7, 9], np.uint8)  # integer dtypes stay integers
    assert same_array(sam.box_xyxy_to_xywh(small), box_xywh_reference(small))
    with pytest.raises(ValueError, match="got 3 values"):
        sam.box_xyxy_to_xywh([1, 2, 3])
    with pytest.raises(TypeError, match="box of 4"):
        sam.box_xyxy_to_xywh(5)


# --------------------------------------------------------------------------------------------
# torch tensors in, torch tensors out (and SAM's torch formulations)
# --------------------------------------------------------------------------------------------
def torch_stability(masks: Any, t: float, o: float) -> Any:
    """SAM's torch code for the stability score (as amg.py writes it, in own words)."""
    inter = (masks > (t + o)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    union = (masks > (t - o)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    return inter / union


def torch_mask_to_rle(tensor: Any) -> List[Dict[str, Any]]:
    """SAM's torch mask_to_rle_pytorch: Fortran flattening, XOR change points, a loop over masks."""
    b, h, w = tensor.shape
    flat = tensor.permute(0, 2, 1).flatten(1)
    changes = (flat[:, 1:] ^ flat[:, :-1]).nonzero()
    out = []
    for i in range(b):
        ends = changes[changes[:, 0] == i, 1] + 1
        bounds = torch.cat([torch.tensor([0]), ends, torch.tensor([h * w])])
        counts = [] if flat[i, 0] == 0 else [0]
        counts.extend((bounds[1:] - bounds[:-1]).tolist())
        out.append({"size": [h, w], "counts": counts})
    return out


@needs_torch
def test_torch_stability_in_and_out() -> None:
    gen = torch.Generator().manual_seed(0)
    for dtype in (torch.float16, torch.float32, torch.float64):
        logits = (torch.randn(3, 2, 33, 47, generator=gen) * 2).to(dtype)
        logits[0, 0, 0, :10] = float("nan")
        for t, o in ((0.0, 1.0), (1 + 2**-11 + 2**-40, 0.0), (1 - 2**-40, 0.0), (0.1, 0.05)):
            got = sam.calculate_stability_score(logits, t, o)
            want = torch_stability(logits, t, o)
            assert isinstance(got, torch.Tensor) and got.dtype == want.dtype and got.shape == want.shape
            assert torch.equal(got.isnan(), want.isnan()) and torch.equal(got.nan_to_num(), want.nan_to_num())
    # views, a tensor that requires grad, and SAM's int16 wrap at W > 32767
    logits = torch.randn(2, 4, 40, generator=gen, requires_grad=True)
    assert torch.equal(sam.calculate_stability_score(logits.transpose(1, 2), 0.0, 1.0), torch_stability(logits.detach().transpose(1, 2), 0.0, 1.0))
    wide = torch.ones(1, 2, 40000)
    assert torch.equal(sam.calculate_stability_score(wide, 0.0, 0.5), torch_stability(wide, 0.0, 0.5))
    with pytest.raises(TypeError, match="bfloat16"):
        sam.calculate_stability_score(torch.zeros(2, 2, dtype=torch.bfloat16), 0.0, 1.0)


@needs_torch
def test_torch_masks_rles_and_boxes() -> None:
    gen = torch.Generator().manual_seed(1)
    masks = torch.rand(5, 19, 23, generator=gen) < 0.5
    masks[0] = False
    masks[1] = True
    assert sam.mask_to_rle_pytorch(masks) == torch_mask_to_rle(masks)
    assert sam.mask_to_rle_pytorch(masks.transpose(1, 2)) == torch_mask_to_rle(masks.transpose(1, 2).contiguous())
    boxes = sam.batched_mask_to_box(masks.reshape(5, 1, 19, 23))
    assert isinstance(boxes, torch.Tensor) and boxes.dtype == torch.int64 and boxes.shape == (5, 1, 4)
    assert np.array_equal(boxes.numpy(), sam_boxes(masks.reshape(5, 1, 19, 23).numpy()))
    empty = sam.batched_mask_to_box(masks[:0])
    assert isinstance(empty, torch.Tensor) and empty.dtype == torch.float32 and empty.shape == (0, 4)
    box = torch.tensor([3, 4, 10, 12])
    out = sam.box_xyxy_to_xywh(box)
    assert isinstance(out, torch.Tensor) and out.tolist() == [3, 4, 7, 8] and box.tolist() == [3, 4, 10, 12]


def test_numpy_paths_never_import_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from maskkit import sam; "
        "sam.calculate_stability_score(np.zeros((1, 2, 2), np.float32), 0.0, 1.0); "
        "sam.mask_to_rle_pytorch(np.zeros((1, 2, 2), bool)); sam.batched_mask_to_box(np.zeros((1, 2, 2), bool)); "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
