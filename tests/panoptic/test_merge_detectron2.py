"""combine_semantic_and_instance_outputs: against the NumPy port of panoptic_spec.md §2.2."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

from maskkit import panoptic

from maskkit._bench import panoptic_ports as ports
from .test_merge_combine import blobs


@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 0.5, 1.0]),
    st.sampled_from([0, 1, 3, 4096]),
    st.sampled_from([0.5, 0.7]),
    st.sampled_from([np.float32, np.float64]),
)
def test_equals_the_port(seed, overlap, stuff_area, score_thresh, score_type):
    rng = np.random.default_rng(seed)
    h, w, n = int(rng.integers(0, 20)), int(rng.integers(0, 20)), int(rng.integers(0, 7))
    masks = blobs(rng, n, max(h, 1), max(w, 1))[:, :h, :w]
    scores = rng.choice([0.3, 0.5, 0.7, 0.9], n).astype(score_type)  # ties, and 0.7 is not a float32
    classes = rng.integers(0, 80, n)
    sem = rng.integers(0, 4, (h, w)) * rng.integers(0, 2, (h, w))
    pan, segs = panoptic.combine_semantic_and_instance_outputs(masks, scores, classes, sem, overlap, stuff_area, score_thresh)
    want_pan, want_segs = ports.detectron2_combine(masks, scores, classes, sem, overlap, stuff_area, score_thresh)
    np.testing.assert_array_equal(pan, want_pan)
    assert pan.dtype == np.int32 and pan.flags.c_contiguous
    assert segs == want_segs


def test_equal_scores_take_the_lower_index_first():
    masks = np.ones((3, 2, 2), bool)
    _, segs = panoptic.combine_semantic_and_instance_outputs(masks, [0.6, 0.8, 0.8], [1, 2, 3], np.zeros((2, 2), int))
    assert [s["instance_id"] for s in segs] == [1]


def test_stuff_with_no_free_pixels_is_listed_when_the_limit_is_zero():
    masks = np.ones((1, 1, 2), bool)
    pan, segs = panoptic.combine_semantic_and_instance_outputs(masks, [0.9], [1], np.array([[5, 5]]), stuff_area_thresh=0)
    assert segs[1] == {"id": 2, "isthing": False, "category_id": 5, "area": 0}
    assert pan.tolist() == [[1, 1]]


def test_label_dtypes_and_layouts():
    rng = np.random.default_rng(1)
    masks = rng.random((3, 5, 6)) < 0.4
    sem = rng.integers(0, 4, (5, 6))
    want = panoptic.combine_semantic_and_instance_outputs(masks, [0.9, 0.8, 0.7], [1, 2, 3], sem, stuff_area_thresh=1)
    for m, s in [(np.asfortranarray(masks), sem.astype(np.uint8)), (masks.astype(np.uint8), np.asfortranarray(sem.astype(np.int32)))]:
        got = panoptic.combine_semantic_and_instance_outputs(m, [0.9, 0.8, 0.7], [1, 2, 3], s, stuff_area_thresh=1)
        np.testing.assert_array_equal(got[0], want[0])
        assert got[1] == want[1]


@pytest.mark.parametrize(
    "change, error, text",
    [
        ({"semantic_results": np.zeros((2, 3), np.float32)}, TypeError, "integer label map"),
        ({"semantic_results": np.zeros((3, 2), int)}, ValueError, "the masks' size (2, 2)"),
        ({"semantic_results": np.zeros(4, int)}, ValueError, "2-D"),
        ({"semantic_results": np.full((2, 2), 2**63, np.uint64)}, OverflowError, "below 2**63"),
        ({"instance_scores": [np.nan]}, ValueError, "NaN"),
        ({"instance_classes": [1, 2]}, ValueError, "one value per mask"),
        ({"instance_masks": np.ones((1, 2, 2), np.float32)}, TypeError, "uint8 or bool"),
        ({"overlap_threshold": np.nan}, ValueError, "overlap_threshold"),
    ],
)
def test_errors(change, error, text):
    args = {"instance_masks": np.ones((1, 2, 2), bool), "instance_scores": [0.9], "instance_classes": [1],
            "semantic_results": np.zeros((2, 2), int)}
    args.update(change)
    with pytest.raises(error, match=re.escape(text)):
        panoptic.combine_semantic_and_instance_outputs(**args)
