"""panoptic_inference: against the NumPy port of panoptic_spec.md §2.4, bit for bit."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

from maskkit import panoptic

from maskkit._bench import panoptic_ports as ports


def outputs(rng: np.random.Generator, q: int, c: int, h: int, w: int):
    cls = rng.normal(0, 3, (q, c + 1))
    cls[rng.random(q) < 0.3, :] = 0  # all-equal logits: softmax ties, the first class wins
    kind = rng.integers(0, 3)
    if kind == 0:  # coarse logits: exact ties of score * sigmoid between queries
        pred = rng.integers(-3, 4, (q, h, w)).astype(np.float32)
    elif kind == 1:  # around 0: probabilities at 0.5 and a hair below
        pred = rng.choice(np.array([0.0, -1e-8, -3e-8, -6e-8, 1e-8, 2.0, -2.0], np.float32), (q, h, w))
    else:
        pred = rng.normal(0, 4, (q, h, w)).astype(np.float32)
    return cls, pred


@given(st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.3, 0.8]), st.sampled_from([0.0, 0.5, 0.8, 1.0]))
def test_equals_the_port(simd_target, seed, object_thr, overlap_thr):
    rng = np.random.default_rng(seed)
    q, c = int(rng.integers(1, 9)), int(rng.integers(1, 5))
    h, w = int(rng.integers(0, 9)), int(rng.integers(0, 300))
    cls, pred = outputs(rng, q, c, h, w)
    thing_ids = [0, 2]
    got = panoptic.panoptic_inference(cls, pred, thing_ids, object_thr, overlap_thr)
    want = ports.mask2former_panoptic_inference(cls, pred, thing_ids, object_thr, overlap_thr)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[0].dtype == np.int32
    assert got[1] == want[1]


def test_the_half_threshold_is_exact_near_zero():
    # sigmoid32 rounds to 0.5 a little below 0: those logits count as >= 0.5
    x = np.array([0.0, -1e-8, -2.9e-8, -3e-8, -6e-8, -1e-7], np.float32)
    cls = np.array([[4.0, 0.0]])
    pan, _ = panoptic.panoptic_inference(cls, x.reshape(1, 1, -1), [0], 0.5, 0.0)
    want = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32) >= 0.5
    assert (pan[0] > 0).tolist() == want.tolist()


def test_equal_products_go_to_the_lower_query_and_stuff_fuses():
    cls = np.array([[3.0, 0, 0, 0], [3.0, 0, 0, 0], [0, 0, 3.0, 0]])  # queries 0 and 1 same class and score
    pred = np.full((3, 1, 4), -20, np.float32)
    pred[0, 0, :2] = 2
    pred[1, 0, 1:3] = 2  # ties with query 0 at x = 1: query 0 wins
    pred[2, 0, 3] = 5
    pan, segs = panoptic.panoptic_inference(cls, pred, thing_ids=[2], object_mask_threshold=0.5, overlap_threshold=0.5)
    assert pan.tolist() == [[1, 1, 1, 2]]  # query 1 (stuff, class 0) fused into segment 1
    assert segs == [{"id": 1, "isthing": False, "category_id": 0}, {"id": 2, "isthing": True, "category_id": 2}]


def test_nothing_kept():
    pan, segs = panoptic.panoptic_inference(np.array([[0.0, 9.0]]), np.zeros((1, 2, 3), np.float32), [0])
    assert pan.tolist() == [[0, 0, 0], [0, 0, 0]] and segs == []


@pytest.mark.parametrize(
    "cls, pred, error, text",
    [
        (np.zeros((1, 2)), np.zeros((1, 2, 2)), TypeError, "float32"),
        (np.zeros((1, 2), int), np.zeros((1, 2, 2), np.float32), TypeError, "float logits"),
        (np.zeros((2, 2)), np.zeros((1, 2, 2), np.float32), ValueError, "Q = 2"),
        (np.zeros(2), np.zeros((1, 2, 2), np.float32), ValueError, "(Q, C + 1)"),
        (np.full((1, 2), np.nan), np.zeros((1, 2, 2), np.float32), ValueError, "NaN"),
        (np.array([[9.0, 0]]), np.full((1, 2, 2), np.nan, np.float32), ValueError, "NaN"),
    ],
)
def test_errors(cls, pred, error, text):
    with pytest.raises(error, match=re.escape(text)):
        panoptic.panoptic_inference(cls, pred, [0])


def test_the_core_sigmoid_is_the_ports():
    from maskkit import _core

    x = np.concatenate([np.random.default_rng(0).normal(0, 8, 2000), [0.0, -1e-8, 88.0, -104.0, 1e30, -1e30]])
    x = x.astype(np.float32)
    with np.errstate(over="ignore"):  # exp(1e30) is inf: the sigmoid is 0
        want = (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    got = np.array([_core.pan_sigmoid32(float(v)) for v in x], np.float32)
    np.testing.assert_array_equal(got, want)
