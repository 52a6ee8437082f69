"""maskkit.iou: mask IoU equal to pycocotools (RLE, crowd) and to exact integer counts (dense)."""

from __future__ import annotations

import pickle
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import iou, rle


def blobs(rng: np.random.Generator, n: int, h: int, w: int) -> np.ndarray:
    """Random rectangles and noise, some masks empty."""
    masks = np.zeros((n, h, w), np.uint8)
    for i in range(n):
        kind = rng.integers(0, 4)
        if kind == 0:
            continue
        y0, x0 = rng.integers(0, h), rng.integers(0, w)
        y1, x1 = rng.integers(y0, h + 1), rng.integers(x0, w + 1)
        masks[i, y0:y1, x0:x1] = 1
        if kind == 3:
            masks[i] ^= (rng.random((h, w)) < 0.1).astype(np.uint8)
    return masks


def exact(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intersections and areas by plain integer NumPy (the oracle)."""
    fa = (a.reshape(len(a), a.shape[1] * a.shape[2]) != 0).astype(np.int64)
    fb = (b.reshape(len(b), b.shape[1] * b.shape[2]) != 0).astype(np.int64)
    return fa @ fb.T, fa.sum(1), fb.sum(1)


def coco_rles(masks: np.ndarray, mask_module: ModuleType) -> list[dict[str, Any]]:
    return list(mask_module.encode(np.asfortranarray(masks.transpose(1, 2, 0))))


masks_strategy = st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 9), st.integers(0, 140)).flatmap(
    lambda s: st.tuples(
        hnp.arrays(np.uint8, (s[0], s[2], s[3]), elements=st.integers(0, 1)),
        hnp.arrays(np.uint8, (s[1], s[2], s[3]), elements=st.integers(0, 1)),
    )
)


@given(pair=masks_strategy)
def test_dense_counts_equal_integer_oracle(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    inter, area_a, area_b = exact(a, b)
    assert np.array_equal(iou.mask_intersection(a, b), inter)
    assert np.array_equal(iou.mask_area(a), area_a)
    got = iou.mask_iou(a, b)
    union = area_a[:, None] + area_b[None, :] - inter
    want = np.divide(inter, union, out=np.zeros(inter.shape), where=union != 0)
    assert got.dtype == np.float64 and got.flags.c_contiguous
    assert np.array_equal(got, want)


@pytest.mark.parametrize("seed", range(4))
def test_dense_equals_pycocotools_with_crowd(seed: int, pycocotools_mask: ModuleType) -> None:
    rng = np.random.default_rng(seed)
    a, b = blobs(rng, 7, 37, 150), blobs(rng, 6, 37, 150)
    crowd = rng.integers(0, 2, 6).astype(np.uint8)
    want = pycocotools_mask.iou(coco_rles(a, pycocotools_mask), coco_rles(b, pycocotools_mask), crowd)
    assert np.array_equal(iou.mask_iou(a, b, iscrowd=crowd), want)
    assert np.array_equal(iou.mask_iou(a, b), pycocotools_mask.iou(
        coco_rles(a, pycocotools_mask), coco_rles(b, pycocotools_mask), [0] * 6))


@pytest.mark.parametrize("seed", range(3))
def test_rle_inputs_equal_pycocotools_bit_for_bit(seed: int, pycocotools_mask: ModuleType) -> None:
    rng = np.random.default_rng(seed)
    a, b = blobs(rng, 5, 20, 33), blobs(rng, 8, 20, 33)
    ra, rb = coco_rles(a, pycocotools_mask), coco_rles(b, pycocotools_mask)
    crowd = rng.integers(0, 2, 8)
    want = pycocotools_mask.iou(ra, rb, crowd.astype(np.uint8))
    assert np.array_equal(iou.mask_iou(ra, rb, iscrowd=crowd), want)
    assert np.array_equal(iou.mask_iou(rle.RleBatch.from_coco(ra), rle.encode(b), iscrowd=crowd), want)
    # mixed inputs are decoded and counted densely: still the same values
    assert np.array_equal(iou.mask_iou(ra, b, iscrowd=crowd), want)


def test_rle_size_mismatch_keeps_pycocotools_minus_one(pycocotools_mask: ModuleType) -> None:
    a = np.ones((1, 4, 4), np.uint8)
    b = np.ones((1, 4, 5), np.uint8)
    ra, rb = coco_rles(a, pycocotools_mask), coco_rles(b, pycocotools_mask)
    assert iou.mask_iou(ra, rb).tolist() == pycocotools_mask.iou(ra, rb, [0]).tolist() == [[-1.0]]
    with pytest.raises(ValueError, match="same height and width"):
        iou.mask_iou(a, b)


def test_metrics_and_empty_value() -> None:
    a = np.zeros((2, 6, 6), bool)
    a[0, :2, :2] = True
    b = np.zeros((3, 6, 6), bool)
    b[0, :4, :4] = True
    b[1, :1, :1] = True
    assert iou.mask_iou(a, b, metric="ios").tolist() == [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    assert iou.mask_iou(a, b, metric="ioa").tolist() == [[0.25, 1.0, 0.0], [0.0, 0.0, 0.0]]
    got = iou.mask_iou(a, b, empty=-2.0)
    assert got.tolist() == [[0.25, 0.25, 0.0], [0.0, 0.0, -2.0]]
    ioa = iou.mask_iou(a, b, metric="ioa", empty=np.nan)
    assert np.isnan(ioa[:, 2]).all() and not np.isnan(ioa[:, :2]).any()
    crowd = iou.mask_iou(a, b, iscrowd=[1, 0, 0], empty=7.0)
    assert crowd.tolist() == [[1.0, 0.25, 0.0], [7.0, 0.0, 7.0]]


def test_rle_empty_value_matches_dense() -> None:
    a = np.zeros((2, 5, 5), np.uint8)
    a[0, 1:3, 1:3] = 1
    b = a[::-1].copy()
    for crowd in (None, [1, 0]):
        want = iou.mask_iou(a, b, iscrowd=crowd, empty=5.0)
        assert np.array_equal(iou.mask_iou(rle.encode(a), rle.encode(b), iscrowd=crowd, empty=5.0), want)


def test_any_layout_and_torch_like_views() -> None:
    rng = np.random.default_rng(5)
    a = blobs(rng, 4, 30, 130)
    b = blobs(rng, 3, 30, 130)
    want = iou.mask_iou(a, b)
    for view in (np.asfortranarray(a), a[:, ::-1, ::-1].copy()[:, ::-1, ::-1], a.astype(bool),
                 np.moveaxis(np.moveaxis(a, 0, -1).copy(), -1, 0)):
        assert np.array_equal(iou.mask_iou(view, b), want)
    flipped = iou.mask_iou(a[:, ::-1, :], b[:, ::-1, :])
    assert np.array_equal(flipped, want)
    assert np.array_equal(iou.mask_iou(a[0], b), want[:1])


def test_values_other_than_one_are_foreground() -> None:
    a = np.zeros((1, 3, 70), np.uint8)
    a[0, 1, 3] = 255
    a[0, 2, 69] = 2
    assert iou.mask_area(a).tolist() == [2]
    assert iou.BitMasks.from_dense(a).boxes.tolist() == [[3, 1, 70, 3]]


def test_bitmasks_round_trip_boxes_and_pickle() -> None:
    rng = np.random.default_rng(1)
    m = blobs(rng, 9, 17, 129).astype(bool)
    bits = iou.BitMasks.from_dense(m)
    assert len(bits) == 9 and (bits.height, bits.width) == (17, 129)
    assert bits.words.shape == (9, 17, 3) and bits.words.dtype == np.uint64
    assert np.array_equal(bits.to_dense(), m) and bits.to_dense().dtype == np.bool_
    assert np.array_equal(bits.area, m.sum((1, 2)))
    for i in range(9):
        ys, xs = np.nonzero(m[i])
        want = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1] if ys.size else [0, 0, 0, 0]
        assert bits.boxes[i].tolist() == want
    again = pickle.loads(pickle.dumps(bits))
    assert again == bits and np.array_equal(again.boxes, bits.boxes)
    assert np.array_equal(iou.mask_iou(bits, again), iou.mask_iou(m, m))
    assert iou.BitMasks(bits.words, 129) == bits


def test_bitmasks_refuses_bad_words() -> None:
    words = np.zeros((1, 2, 1), np.uint64)
    words[0, 1, 0] = np.uint64(1) << np.uint64(10)
    with pytest.raises(ValueError, match="bits past the width"):
        iou.BitMasks(words, 10)
    with pytest.raises(ValueError, match="words must have shape"):
        iou.BitMasks(words, 65)
    with pytest.raises(TypeError, match="dtype uint64"):
        iou.BitMasks(words.astype(np.int64), 10)
    with pytest.raises(TypeError, match="width must be an integer"):
        iou.BitMasks(words, 10.0)  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        iou.BitMasks(words, -1)


def test_zero_sized_inputs() -> None:
    assert iou.mask_iou(np.zeros((0, 4, 4), bool), np.zeros((3, 4, 4), bool)).shape == (0, 3)
    assert iou.mask_iou(np.zeros((2, 0, 4), bool), np.zeros((3, 0, 4), bool), empty=1.5).tolist() == [[1.5] * 3] * 2
    assert iou.mask_iou(np.zeros((2, 4, 0), bool), np.zeros((1, 4, 0), bool)).tolist() == [[0.0], [0.0]]
    assert iou.mask_area(np.zeros((0, 3, 3), np.uint8)).shape == (0,)
    assert iou.mask_iou([], []).shape == (0, 0)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: iou.mask_iou(np.zeros((1, 2, 2), np.float32), np.zeros((1, 2, 2), bool)), TypeError, "dtype uint8 or bool"),
        (lambda: iou.mask_iou(np.zeros((1, 1, 2, 2), bool), np.zeros((1, 2, 2), bool)), ValueError, "got shape"),
        (lambda: iou.mask_iou(np.zeros((1, 2, 2), bool), np.zeros((1, 2, 2), bool), metric="dice"), ValueError, "metric must be"),  # type: ignore[arg-type]
        (lambda: iou.mask_iou(np.zeros((1, 2, 2), bool), np.zeros((1, 2, 2), bool), empty="0"), TypeError, "empty must be"),  # type: ignore[arg-type]
        (lambda: iou.mask_iou(np.zeros((1, 2, 2), bool), np.zeros((2, 2, 2), bool), iscrowd=[0]), ValueError, "one flag per"),
        (lambda: iou.mask_iou(np.zeros((1, 2, 2), bool), np.zeros((1, 2, 2), bool), iscrowd=[0.5]), TypeError, "iscrowd"),
        (lambda: iou.mask_iou(np.zeros((1, 2, 2), bool), np.zeros((1, 2, 2), bool), iscrowd=[1], metric="ios"), ValueError, "iscrowd applies"),
        (lambda: iou.mask_iou([], np.zeros((1, 2, 2), bool)), ValueError, "empty RLE batch"),
        (lambda: iou.mask_iou("masks", np.zeros((1, 2, 2), bool)), TypeError, "dtype uint8 or bool"),
    ],
)
def test_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_every_simd_target_and_thread_count_agree(simd_target: str, num_threads: int) -> None:
    rng = np.random.default_rng(9)
    a, b = blobs(rng, 12, 40, 200), blobs(rng, 9, 40, 200)
    inter, _, _ = exact(a, b)
    assert np.array_equal(iou.mask_intersection(a, b), inter)
    assert np.array_equal(iou.BitMasks.from_dense(a).to_dense(), a != 0)
