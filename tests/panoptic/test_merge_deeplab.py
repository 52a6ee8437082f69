"""Panoptic-DeepLab post-processing: against the NumPy ports of panoptic_spec.md §2.3."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

from maskkit import panoptic

from maskkit._bench import panoptic_ports as ports


def heatmaps(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Few distinct values: plateaus and ties at the k-th score."""
    return rng.choice(np.array([0.0, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9], np.float32), (h, w))


@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([1, 3, 5, 7]),
    st.sampled_from([None, 1, 2, 5]),
    st.sampled_from(["detectron2", "original"]),
    st.sampled_from([0.1, 0.3, -0.5]),
)
def test_centers_equal_the_port(seed, kernel, top_k, variant, threshold):
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    hm = heatmaps(rng, h, w)
    if variant == "detectron2" and top_k is not None and top_k > h * w:
        with pytest.raises(ValueError, match="top_k must be at most"):
            panoptic.find_instance_center(hm, threshold, kernel, top_k, variant=variant)
        return
    got = panoptic.find_instance_center(hm[None], threshold, kernel, top_k, variant=variant)
    np.testing.assert_array_equal(got, ports.find_instance_center(hm, threshold, kernel, top_k, variant))
    assert got.dtype == np.int64 and got.shape[1] == 2


def test_plateau_maxima_all_survive_and_the_kth_score_is_excluded():
    hm = np.zeros((1, 6), np.float32)
    hm[0, 1:3] = 0.8  # a plateau: both are maxima of their windows
    hm[0, 5] = 0.4
    assert panoptic.find_instance_center(hm, nms_kernel=3).tolist() == [[0, 1], [0, 2], [0, 5]]
    assert panoptic.find_instance_center(hm, nms_kernel=3, top_k=3).tolist() == [[0, 1], [0, 2]]
    assert panoptic.find_instance_center(hm, nms_kernel=3, top_k=4, variant="original").tolist() == [[0, 1], [0, 2], [0, 5]]


@given(st.integers(0, 2**32 - 1), st.sampled_from([np.float32, np.float64]), st.integers(1, 6))
def test_grouping_equals_the_port(seed, dtype, k):
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(1, 10)), int(rng.integers(1, 300))  # long rows: several tiles
    centers = np.stack([rng.integers(0, h, k), rng.integers(0, w, k)], 1)
    offsets = rng.integers(-4, 5, (2, h, w)).astype(dtype) * dtype(0.5)  # half-integers: many exact ties
    got = panoptic.group_pixels(centers, offsets)
    np.testing.assert_array_equal(got, ports.group_pixels(centers, offsets))


def test_equal_distances_go_to_the_lower_index():
    offsets = np.zeros((2, 1, 3), np.float32)
    assert panoptic.group_pixels([[0, 2], [0, 0]], offsets).tolist() == [[2, 1, 1]]


@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 3, 50]), st.booleans())
def test_merge_equals_the_port(seed, stuff_area, with_thing_seg):
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(0, 12)), int(rng.integers(0, 12))
    sem = rng.integers(0, 6, (h, w))
    ins = rng.integers(0, 4, (h, w)) * rng.integers(0, 2, (h, w))
    thing_ids = [1, 2, 3]
    thing_seg = rng.integers(0, 2, (h, w)).astype(bool) if with_thing_seg else None
    got = panoptic.merge_semantic_and_instance(sem, ins, thing_ids, 1000, stuff_area, -1, thing_seg)
    want = ports.merge_semantic_and_instance(sem, ins, thing_ids, 1000, stuff_area, -1, thing_seg)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.int64


def test_vote_ties_take_the_smaller_label_and_numbering_is_per_class():
    sem = np.array([[2, 1, 2, 2, 3, 3]])
    ins = np.array([[5, 5, 7, 9, 9, 9]])  # 5 ties between labels 1 and 2
    pan = panoptic.merge_semantic_and_instance(sem, ins, [1, 2, 3], label_divisor=256)
    assert pan.tolist() == [[257, 257, 513, 769, 769, 769]]


@given(st.integers(0, 2**32 - 1))
def test_end_to_end_equals_the_ports(seed):
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(1, 16)), int(rng.integers(1, 16))
    sem = rng.integers(0, 5, (h, w))
    hm = heatmaps(rng, h, w)
    offsets = rng.normal(0, 2, (2, h, w)).astype(np.float32)
    pan, centers = panoptic.get_panoptic_segmentation(sem, hm, offsets, [1, 2], 1000, 3, -1, 0.1, 3, None)
    want_centers = ports.find_instance_center(hm, 0.1, 3, None, "detectron2")
    ins = np.zeros((h, w), np.int64) if len(want_centers) == 0 else ports.group_pixels(want_centers, offsets)
    ins = ins * np.isin(sem, [1, 2])
    np.testing.assert_array_equal(centers, want_centers)
    np.testing.assert_array_equal(pan, ports.merge_semantic_and_instance(sem, ins, [1, 2], 1000, 3, -1))


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: panoptic.find_instance_center(np.zeros((2, 2))), TypeError, "float32"),
        (lambda: panoptic.find_instance_center(np.zeros((2, 2, 2), np.float32)), ValueError, "2 axes"),
        (lambda: panoptic.find_instance_center(np.zeros((2, 2), np.float32), nms_kernel=4), ValueError, "odd"),
        (lambda: panoptic.find_instance_center(np.zeros((2, 2), np.float32), top_k=0), ValueError, "top_k must be >= 1"),
        (lambda: panoptic.find_instance_center(np.full((2, 2), np.nan, np.float32)), ValueError, "NaN"),
        (lambda: panoptic.find_instance_center(np.zeros((2, 2), np.float32), variant="tf"), ValueError, "variant"),
        (lambda: panoptic.group_pixels([[0, 0]], np.zeros((3, 2, 2), np.float32)), ValueError, "(2, H, W)"),
        (lambda: panoptic.group_pixels([[0, 0]], np.zeros((2, 2, 2), np.int32)), TypeError, "float32 or float64"),
        (lambda: panoptic.group_pixels([[0.5, 0]], np.zeros((2, 2, 2), np.float32)), TypeError, "integers"),
        (lambda: panoptic.group_pixels([[0, 0]], np.full((2, 2, 2), np.nan, np.float32)), ValueError, "NaN"),
        (lambda: panoptic.merge_semantic_and_instance(np.zeros((2, 2), int), -np.ones((2, 2), int), [1]), ValueError, ">= 0"),
        (lambda: panoptic.merge_semantic_and_instance(np.zeros((2, 2), int), np.ones((2, 3), int), [1]), ValueError, "shape"),
        (lambda: panoptic.merge_semantic_and_instance(np.zeros((2, 2)), np.ones((2, 2), int), [1]), TypeError, "integer"),
        (lambda: panoptic.merge_semantic_and_instance(np.full((1, 1), 2**62), np.ones((1, 1), int), [2**62]), OverflowError, "int64"),
        (lambda: panoptic.merge_semantic_and_instance(np.zeros((1, 1), int), np.ones((1, 1), int), [1], 0), ValueError, "label_divisor"),
    ],
)
def test_errors(call, error, text):
    with pytest.raises(error, match=re.escape(text)):
        call()


@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (0, 0)])
def test_empty_heatmaps_have_no_centers(shape):
    # found by the fuzz harness under UBSan: empty rows or columns must not index empty buffers
    centers = panoptic.find_instance_center(np.zeros(shape, np.float32), top_k=None)
    assert centers.shape == (0, 2) and centers.dtype == np.int64
