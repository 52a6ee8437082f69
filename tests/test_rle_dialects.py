"""RLE dialect codecs (maskkit._dialects) against pycocotools and numpy references (spec §7, §8.32)."""

from __future__ import annotations

import base64
import math
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from maskkit import rle
from maskkit import _dialects as D
from maskkit.rle import RleBatch

from .limits import run_limited


# pycocotools 2.0.11 decode warns under numpy 2 (its own __array__ call), not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

# Modest by default (the 'ci' profile); a heavier loaded profile ('dev', 'thorough') takes over.
FEW = settings(max_examples=max(40, settings.default.max_examples) if settings.default.max_examples > 100 else 40, deadline=None)


# --------------------------------------------------------------------------------------------
# strategies and references
# --------------------------------------------------------------------------------------------
@st.composite
def stacks(draw, max_n: int = 4, max_side: int = 12) -> np.ndarray:
    """(N, H, W) uint8 stacks: random, all-zero, all-one, first pixel set; 0-sized sides too."""
    n = draw(st.integers(0, max_n))
    h = draw(st.integers(0, max_side))
    w = draw(st.integers(0, max_side))
    fill = draw(st.sampled_from(["random", "zeros", "ones", "first", "sparse"]))
    if fill == "zeros":
        return np.zeros((n, h, w), np.uint8)
    if fill == "ones":
        return np.ones((n, h, w), np.uint8)
    masks = draw(hnp.arrays(np.uint8, (n, h, w), elements=st.integers(0, 1)))
    if fill == "first" and h * w:
        masks[:, 0, 0] = 1
    if fill == "sparse":
        masks &= draw(hnp.arrays(np.uint8, (n, h, w), elements=st.integers(0, 1)))
    return masks


EDGE_SHAPES = [(1, 1), (1, 7), (7, 1), (0, 0), (0, 5), (5, 0), (3, 4)]


def edge_stacks() -> list[np.ndarray]:
    out = []
    rng = np.random.default_rng(0)
    for h, w in EDGE_SHAPES:
        out.append(np.zeros((2, h, w), np.uint8))
        out.append(np.ones((2, h, w), np.uint8))
        m = (rng.random((3, h, w)) < 0.5).astype(np.uint8)
        if h * w:
            m[0, 0, 0] = 1
            m[1, 0, 0] = 0
        out.append(m)
    return out


def coco_of(P, masks: np.ndarray) -> list[dict]:
    """pycocotools' compressed RLEs of an (N, H, W) stack, one per mask."""
    return [P.encode(np.asfortranarray(m)) for m in masks]


def sam_reference(masks: np.ndarray) -> list[dict]:
    """numpy transcription of segment_anything.utils.amg.mask_to_rle_pytorch."""
    b, h, w = masks.shape
    tensor = masks.astype(bool).transpose(0, 2, 1).reshape(b, h * w)  # permute(0,2,1).flatten(1)
    diff = tensor[:, 1:] ^ tensor[:, :-1]
    change_indices = np.argwhere(diff)  # torch .nonzero(): (k, 2) rows of (mask, index)
    out = []
    for i in range(b):
        cur_idxs = change_indices[change_indices[:, 0] == i, 1]
        cur_idxs = np.concatenate([[0], cur_idxs + 1, [h * w]])
        btw_idxs = cur_idxs[1:] - cur_idxs[:-1]
        counts = [] if tensor[i, 0] == 0 else [0]
        counts.extend(btw_idxs.tolist())
        out.append({"size": [h, w], "counts": counts})
    return out


def kaggle_reference(mask: np.ndarray, order: str) -> str:
    """The usual Kaggle rle_encode: 1-indexed starts of runs of the flattened mask."""
    flat = (mask.T if order == "F" else mask).flatten()
    on = np.flatnonzero(flat)
    if on.size == 0:
        return ""
    breaks = np.flatnonzero(np.diff(on) != 1)
    starts = np.concatenate([[on[0]], on[breaks + 1]])
    ends = np.concatenate([on[breaks], [on[-1]]]) + 1
    pairs = np.stack([starts + 1, ends - starts], axis=1).reshape(-1)
    return " ".join(str(v) for v in pairs.tolist())


def kaggle_decode_reference(text: str, h: int, w: int, order: str) -> np.ndarray:
    flat = np.zeros(h * w, np.uint8)
    tokens = [int(t) for t in text.split()]
    for s, n in zip(tokens[0::2], tokens[1::2]):
        flat[s - 1 : s - 1 + n] = 1
    return flat.reshape(w, h).T if order == "F" else flat.reshape(h, w)


def openimages_reference(P, mask: np.ndarray) -> str:
    counts = P.encode(np.asfortranarray(mask))["counts"]
    return base64.b64encode(zlib.compress(counts, zlib.Z_BEST_COMPRESSION)).decode()


def mixed_batch() -> tuple[RleBatch, list[np.ndarray]]:
    rng = np.random.default_rng(7)
    masks = [(rng.random(shape) < 0.4).astype(np.uint8) for shape in [(3, 5), (4, 2), (3, 5), (1, 1), (4, 2), (0, 3)]]
    return rle.concatenate([rle.encode(m) for m in masks]), masks


def same_batch(a: RleBatch, b: RleBatch) -> bool:
    return a == b and a.counts.dtype == np.uint32


# --------------------------------------------------------------------------------------------
# COCO uncompressed
# --------------------------------------------------------------------------------------------
def check_uncompressed(P, masks: np.ndarray) -> None:
    batch = rle.encode(masks)
    unc = D.to_uncompressed(batch)
    assert len(unc) == len(masks)
    for d, ref in zip(unc, coco_of(P, masks)):
        assert list(d) == ["size", "counts"]
        assert all(type(v) is int for v in d["size"] + d["counts"])
        h, w = d["size"]
        assert P.frPyObjects(d, h, w) == ref
    assert same_batch(D.from_uncompressed(unc), batch)


@FEW
@given(stacks())
def test_uncompressed_matches_pycocotools(pycocotools_mask, masks):
    P = pycocotools_mask
    check_uncompressed(P, masks)


@pytest.mark.parametrize("masks", edge_stacks(), ids=lambda m: "x".join(map(str, m.shape)))
def test_uncompressed_edge_shapes(pycocotools_mask, masks):
    P = pycocotools_mask
    check_uncompressed(P, masks)


@FEW
@given(st.lists(st.integers(0, 40), max_size=12), st.integers(1, 9), st.integers(1, 9))
def test_uncompressed_noncanonical_kept_verbatim(pycocotools_mask, counts, h, w):
    P = pycocotools_mask
    obj = {"size": [h, w], "counts": counts}
    batch = D.from_uncompressed(obj)
    assert batch.counts.tolist() == counts
    assert D.to_uncompressed(batch) == [obj]
    assert batch.to_coco() == [P.frPyObjects(obj, h, w)]


def test_uncompressed_accepts_tuples_arrays_and_numpy_sizes():
    objs = [
        {"size": (np.int64(2), np.uint32(2)), "counts": (1, 2, 1)},
        {"size": [2, 2], "counts": np.array([0, 4], np.uint16)},
        {"size": [0, 0], "counts": []},
    ]
    b = D.from_uncompressed(objs)
    assert b.sizes.tolist() == [[2, 2], [2, 2], [0, 0]]
    assert [b.counts_of(i).tolist() for i in range(3)] == [[1, 2, 1], [0, 4], []]
    assert len(D.from_uncompressed([])) == 0


def test_uncompressed_large_count():
    b = D.from_uncompressed({"size": [1, 2**32 - 1], "counts": [2**32 - 1]})
    assert D.to_uncompressed(b)[0]["counts"] == [2**32 - 1]


# --------------------------------------------------------------------------------------------
# SAM
# --------------------------------------------------------------------------------------------
def check_sam(masks: np.ndarray) -> None:
    batch = rle.encode(masks)
    out = D.to_sam(batch)
    if masks.shape[1] * masks.shape[2]:
        assert out == sam_reference(masks)
    assert out == D.to_uncompressed(batch)  # SAM counts are canonical COCO counts
    for d in out:
        assert list(d) == ["size", "counts"]
        assert all(type(v) is int for v in d["size"] + d["counts"])
    assert same_batch(D.from_sam(out), batch)


@FEW
@given(stacks())
def test_sam_matches_mask_to_rle_pytorch(masks):
    check_sam(masks)


@pytest.mark.parametrize("masks", edge_stacks(), ids=lambda m: "x".join(map(str, m.shape)))
def test_sam_edge_shapes(masks):
    check_sam(masks)


@FEW
@given(st.integers(1, 6), st.integers(1, 6), st.data())
def test_sam_canonicalizes_noncanonical_counts(h, w, data):
    # Counts with zero-length runs and a short sum: to_sam describes the mask they decode to.
    counts = data.draw(st.lists(st.integers(0, 4), max_size=10))
    while sum(counts) > h * w:
        counts.pop()
    batch = D.from_uncompressed({"size": [h, w], "counts": counts})
    dense = rle.decode(batch)
    assert D.to_sam(batch) == sam_reference(dense)
    for order in "FC":
        assert D.to_kaggle(batch, order=order) == [kaggle_reference(dense[0], order)]


def test_sam_zero_pixels_gives_pycocotools_counts():
    # mask_to_rle_pytorch fails on h*w == 0 (indexes tensor[i, 0]); we give pycocotools' [0].
    assert D.to_sam(rle.encode(np.zeros((1, 0, 4), np.uint8))) == [{"size": [0, 4], "counts": [0]}]


# --------------------------------------------------------------------------------------------
# Kaggle
# --------------------------------------------------------------------------------------------
def check_kaggle(P, masks: np.ndarray, order: str) -> None:
    n, h, w = masks.shape
    batch = rle.encode(masks)
    texts = D.to_kaggle(batch, order=order)
    assert texts == [kaggle_reference(m, order) for m in masks]
    back = D.from_kaggle(texts, h, w, order=order)
    assert same_batch(back, batch)
    assert back.to_coco() == coco_of(P, masks)


@FEW
@given(stacks(), st.sampled_from(["F", "C"]))
def test_kaggle_matches_numpy_reference(pycocotools_mask, masks, order):
    P = pycocotools_mask
    check_kaggle(P, masks, order)


@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("masks", edge_stacks(), ids=lambda m: "x".join(map(str, m.shape)))
def test_kaggle_edge_shapes(pycocotools_mask, masks, order):
    P = pycocotools_mask
    check_kaggle(P, masks, order)


@pytest.mark.parametrize("order", ["F", "C"])
def test_kaggle_wide_masks_multi_digit(pycocotools_mask, order):
    P = pycocotools_mask
    rng = np.random.default_rng(3)
    masks = (rng.random((3, 7, 3000)) < 0.02).astype(np.uint8)
    masks[1, :, 2000:] = 1
    check_kaggle(P, masks, order)


@pytest.mark.parametrize("order", ["F", "C"])
def test_kaggle_mixed_sizes_keep_order(order):
    batch, masks = mixed_batch()
    assert D.to_kaggle(batch, order=order) == [kaggle_reference(m, order) for m in masks]


@FEW
@given(st.integers(1, 8), st.integers(1, 8), st.sampled_from(["F", "C"]), st.data())
def test_kaggle_decode_matches_reference(pycocotools_mask, h, w, order, data):
    P = pycocotools_mask
    # Random valid strings, touching runs included: they are merged into canonical counts.
    hw = h * w
    cuts = sorted(data.draw(st.lists(st.integers(0, hw), max_size=8, unique=True)))
    pairs = [(a, b) for a, b in zip(cuts[0::2], cuts[1::2]) if b > a]
    splits = data.draw(st.booleans())
    tokens = []
    for a, b in pairs:
        if splits and b - a > 1:
            tokens += [a + 1, 1, a + 2, b - a - 1]  # two touching runs
        else:
            tokens += [a + 1, b - a]
    text = " ".join(map(str, tokens))
    batch = D.from_kaggle(text, h, w, order=order)
    dense = kaggle_decode_reference(text, h, w, order)
    assert batch.to_coco() == coco_of(P, dense[None])
    assert D.to_kaggle(batch, order=order) == [kaggle_reference(dense, order)]


def test_kaggle_empty_forms_and_whitespace():
    b = D.from_kaggle(["", None, float("nan"), "  1 2\t 5  1\n", b"3 1"], 2, 3)
    assert len(b) == 5
    assert [b.counts_of(i).tolist() for i in range(5)] == [[6], [6], [6], [0, 2, 2, 1, 1], [2, 1, 3]]
    assert D.from_kaggle([], 2, 3) == rle.encode(np.zeros((0, 2, 3), np.uint8))
    assert D.from_kaggle("", 0, 0).counts.tolist() == [0]
    assert D.to_kaggle(rle.encode(np.zeros((2, 3, 3), np.uint8))) == ["", ""]


def test_kaggle_first_and_last_pixel():
    m = np.zeros((3, 4), np.uint8)
    m[0, 0] = m[-1, -1] = 1
    assert D.to_kaggle(rle.encode(m)) == ["1 1 12 1"]
    assert D.to_kaggle(rle.encode(m), order="C") == ["1 1 12 1"]
    assert D.from_kaggle("1 12", 3, 4).counts.tolist() == [0, 12]


def test_kaggle_token_formatting_and_parsing_of_large_numbers():
    values = [1, 9, 10, 99, 100, 10**9, 2**32, 10**18, 10**19 - 1, 10**19, 2**64 - 1]
    arr = np.array(values, np.uint64)
    texts = D._format_tokens(arr, np.array([3, 0, 8]))
    assert texts == [" ".join(map(str, values[:3])), "", " ".join(map(str, values[3:]))]
    parsed, owner, per = D._parse_tokens([" ".join(map(str, values[:9])), "", "007"])
    assert parsed.tolist() == values[:9] + [7]
    assert per.tolist() == [9, 0, 1]
    assert owner.tolist() == [0] * 9 + [2]


def test_kaggle_dense_chunking(pycocotools_mask, monkeypatch):
    P = pycocotools_mask
    monkeypatch.setattr(D, "_DENSE_CHUNK_BYTES", 20)
    rng = np.random.default_rng(5)
    masks = (rng.random((7, 3, 4)) < 0.5).astype(np.uint8)
    check_kaggle(P, masks, "C")


# --------------------------------------------------------------------------------------------
# nuImages and Open Images
# --------------------------------------------------------------------------------------------
def check_base64_codecs(P, masks: np.ndarray) -> None:
    n, h, w = masks.shape
    batch = rle.encode(masks)
    refs = coco_of(P, masks)
    nu = D.to_nuimages(batch)
    assert nu == [{"size": r["size"], "counts": base64.b64encode(r["counts"]).decode("ascii")} for r in refs]
    assert all(list(d) == ["size", "counts"] and type(d["counts"]) is str for d in nu)
    # what the nuImages devkit does: b64decode, then pycocotools decode
    for d, m in zip(nu, masks):
        assert np.array_equal(P.decode({"size": d["size"], "counts": base64.b64decode(d["counts"])}), m)
    assert same_batch(D.from_nuimages(nu), batch)
    oi = D.to_openimages(batch)
    assert oi == [openimages_reference(P, m) for m in masks]
    assert same_batch(D.from_openimages(oi, h, w), batch)
    assert same_batch(D.from_openimages([s.encode() for s in oi], h, w), batch)


@FEW
@given(stacks())
def test_nuimages_openimages_match_pycocotools(pycocotools_mask, masks):
    P = pycocotools_mask
    check_base64_codecs(P, masks)


@pytest.mark.parametrize("masks", edge_stacks(), ids=lambda m: "x".join(map(str, m.shape)))
def test_nuimages_openimages_edge_shapes(pycocotools_mask, masks):
    P = pycocotools_mask
    check_base64_codecs(P, masks)


def test_openimages_helper_with_pycocotools_private_encode(pycocotools_cmask):
    # The challenge helper calls pycocotools' _mask.encode on an (h, w, 1) F-array.
    PK = pycocotools_cmask

    m = np.zeros((5, 6), bool)
    m[1:4, 2:5] = True
    counts = PK.encode(np.asfortranarray(m.reshape(5, 6, 1).astype(np.uint8)))[0]["counts"]
    expected = base64.b64encode(zlib.compress(counts, zlib.Z_BEST_COMPRESSION)).decode()
    assert D.to_openimages(rle.encode(m)) == [expected]
    assert D.from_openimages(expected, 5, 6) == rle.encode(m)


def test_base64_whitespace_and_single_items():
    batch = rle.encode(np.eye(4, dtype=np.uint8))
    nu = D.to_nuimages(batch)[0]
    wrapped = {"size": nu["size"], "counts": nu["counts"][:3] + "\n" + nu["counts"][3:]}
    assert D.from_nuimages(wrapped) == batch
    assert D.from_nuimages({"size": [4, 4], "counts": nu["counts"].encode()}) == batch
    oi = D.to_openimages(batch)[0]
    assert D.from_openimages(oi, 4, 4) == batch
    assert D.from_openimages(oi.encode(), 4, 4) == batch


# --------------------------------------------------------------------------------------------
# hostile inputs
# --------------------------------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


GOOD = rle.encode(np.eye(3, dtype=np.uint8))

HOSTILE = [
    # uncompressed / SAM
    ("unc-bytes-counts", lambda: D.from_uncompressed({"size": [2, 2], "counts": b"13"}), TypeError),
    ("unc-str-counts", lambda: D.from_uncompressed({"size": [2, 2], "counts": "13"}), TypeError),
    ("unc-negative", lambda: D.from_uncompressed({"size": [2, 2], "counts": [1, -1, 4]}), ValueError),
    ("unc-too-large", lambda: D.from_uncompressed({"size": [2, 2], "counts": [2**32]}), ValueError),
    ("unc-huge-float-promoted", lambda: D.from_uncompressed({"size": [2, 2], "counts": [1, 2**63]}), ValueError),
    ("unc-huge-object", lambda: D.from_uncompressed({"size": [2, 2], "counts": [1, 2**70]}), ValueError),
    ("unc-float", lambda: D.from_uncompressed({"size": [2, 2], "counts": [1.5, 2.5]}), TypeError),
    ("unc-bool", lambda: D.from_uncompressed({"size": [2, 2], "counts": [True, False]}), TypeError),
    ("unc-none-in-counts", lambda: D.from_uncompressed({"size": [2, 2], "counts": [1, None]}), TypeError),
    ("unc-2d-counts", lambda: D.from_uncompressed({"size": [2, 2], "counts": [[1, 3]]}), ValueError),
    ("unc-missing-key", lambda: D.from_uncompressed({"size": [2, 2]}), ValueError),
    ("unc-not-dict", lambda: D.from_uncompressed([[1, 3]]), TypeError),
    ("unc-str-input", lambda: D.from_uncompressed("13"), TypeError),
    ("unc-size-len", lambda: D.from_uncompressed({"size": [2], "counts": [2]}), ValueError),
    ("unc-size-negative", lambda: D.from_uncompressed({"size": [-2, 2], "counts": [2]}), ValueError),
    ("unc-size-float", lambda: D.from_uncompressed({"size": [2.0, 2], "counts": [4]}), TypeError),
    ("sam-negative", lambda: D.from_sam([{"size": [2, 2], "counts": [-4]}]), ValueError),
    ("sam-bytes", lambda: D.from_sam([{"size": [2, 2], "counts": b"4"}]), TypeError),
    ("to-sam-oversum", lambda: D.to_sam(RleBatch([3, 3], [0, 2], [[2, 2]])), ValueError),
    ("to-unc-not-batch", lambda: D.to_uncompressed("x"), TypeError),
    ("to-unc-none", lambda: D.to_uncompressed(None), TypeError),
    ("to-unc-bad-dict", lambda: D.to_uncompressed([{"size": [1], "counts": [1]}]), ValueError),
    ("unc-size-none", lambda: D.from_uncompressed({"size": None, "counts": [1]}), TypeError),
    ("unc-size-str", lambda: D.from_uncompressed({"size": "ab", "counts": [1]}), TypeError),
    ("unc-size-huge", lambda: D.from_uncompressed({"size": [2**32, 1], "counts": [1]}), OverflowError),
    ("unc-size-nan", lambda: D.from_uncompressed({"size": [math.nan, 1], "counts": [1]}), TypeError),
    ("unc-size-bool", lambda: D.from_uncompressed({"size": [True, 1], "counts": [1]}), TypeError),
    ("unc-size-2d-array", lambda: D.from_uncompressed({"size": np.ones((2, 1), int), "counts": [1]}), ValueError),
    ("unc-counts-none", lambda: D.from_uncompressed({"size": [1, 1], "counts": None}), TypeError),
    ("unc-counts-int", lambda: D.from_uncompressed({"size": [1, 1], "counts": 1}), TypeError),
    ("unc-counts-dict", lambda: D.from_uncompressed({"size": [1, 1], "counts": {}}), TypeError),
    ("unc-counts-ragged", lambda: D.from_uncompressed({"size": [1, 1], "counts": [[1], [1, 2]]}), ValueError),
    ("unc-counts-huge-negative", lambda: D.from_uncompressed({"size": [1, 1], "counts": [1, -(2**70)]}), ValueError),
    ("unc-counts-float-array", lambda: D.from_uncompressed({"size": [1, 1], "counts": np.ones(1)}), TypeError),
    ("unc-int-keys", lambda: D.from_uncompressed({1: 2}), ValueError),
    ("kaggle-dict", lambda: D.from_kaggle({"1 1": 0}, 3, 3), TypeError),
    ("kaggle-none-height", lambda: D.from_kaggle("1 1", None, 3), TypeError),
    ("kaggle-huge-height", lambda: D.from_kaggle("1 1", 2**32, 3), OverflowError),
    ("kaggle-inf-item", lambda: D.from_kaggle([math.inf], 3, 3), TypeError),
    ("kaggle-non-ascii-bytes", lambda: D.from_kaggle([b"1 \xff"], 3, 3), ValueError),
    ("kaggle-to-none", lambda: D.to_kaggle(None), TypeError),
    ("kaggle-to-order-list", lambda: D.to_kaggle(GOOD, order=[]), ValueError),
    ("nu-none", lambda: D.from_nuimages(None), TypeError),
    ("nu-none-counts", lambda: D.from_nuimages({"size": [3, 3], "counts": None}), TypeError),
    ("nu-missing-size", lambda: D.from_nuimages({"counts": "MDEzMDAw"}), ValueError),
    ("nu-size-float", lambda: D.from_nuimages({"size": [3.0, 3], "counts": "MDEzMDAw"}), TypeError),
    ("nu-to-str", lambda: D.to_nuimages("x"), TypeError),
    ("oi-none", lambda: D.from_openimages(None, 3, 3), TypeError),
    ("oi-dict", lambda: D.from_openimages({"a": 1}, 3, 3), TypeError),
    ("oi-to-none", lambda: D.to_openimages(None), TypeError),
    ("sam-to-str", lambda: D.to_sam("x"), TypeError),
    # Kaggle
    ("kaggle-odd-tokens", lambda: D.from_kaggle("1 2 5", 3, 3), ValueError),
    ("kaggle-overlap", lambda: D.from_kaggle("1 3 2 2", 3, 3), ValueError),
    ("kaggle-unsorted", lambda: D.from_kaggle("5 1 1 1", 3, 3), ValueError),
    ("kaggle-past-end", lambda: D.from_kaggle("8 3", 3, 3), ValueError),
    ("kaggle-start-past-end", lambda: D.from_kaggle("10 1", 3, 3), ValueError),
    ("kaggle-any-run-zero-pixels", lambda: D.from_kaggle("1 1", 0, 3), ValueError),
    ("kaggle-start-zero", lambda: D.from_kaggle("0 2", 3, 3), ValueError),
    ("kaggle-length-zero", lambda: D.from_kaggle("1 0", 3, 3), ValueError),
    ("kaggle-negative", lambda: D.from_kaggle("1 -2", 3, 3), ValueError),
    ("kaggle-non-numeric", lambda: D.from_kaggle("1 two", 3, 3), ValueError),
    ("kaggle-decimal", lambda: D.from_kaggle("1.0 2", 3, 3), ValueError),
    ("kaggle-comma", lambda: D.from_kaggle("1,2", 3, 3), ValueError),
    ("kaggle-non-ascii", lambda: D.from_kaggle("1 ２", 3, 3), ValueError),
    ("kaggle-huge-number", lambda: D.from_kaggle("1 " + "9" * 25, 3, 3), ValueError),
    ("kaggle-huge-start", lambda: D.from_kaggle("18446744073709551615 1", 3, 3), ValueError),
    ("kaggle-int-item", lambda: D.from_kaggle([12], 3, 3), TypeError),
    ("kaggle-float-item", lambda: D.from_kaggle([1.5], 3, 3), TypeError),
    ("kaggle-bad-order", lambda: D.from_kaggle("1 1", 3, 3, order="K"), ValueError),
    ("kaggle-to-bad-order", lambda: D.to_kaggle(GOOD, order="row"), ValueError),
    ("kaggle-negative-height", lambda: D.from_kaggle("1 1", -3, 3), ValueError),
    ("kaggle-float-width", lambda: D.from_kaggle("1 1", 3, 3.0), TypeError),
    ("kaggle-to-oversum", lambda: D.to_kaggle(RleBatch([3, 3], [0, 2], [[2, 2]])), ValueError),
    ("kaggle-to-oversum-C", lambda: D.to_kaggle(RleBatch([3, 3], [0, 2], [[2, 2]]), order="C"), ValueError),
    # nuImages
    ("nu-bad-base64", lambda: D.from_nuimages({"size": [3, 3], "counts": "MDE*MDAw"}), ValueError),
    ("nu-bad-padding", lambda: D.from_nuimages({"size": [3, 3], "counts": "MDEzMDA"}), ValueError),
    ("nu-non-ascii", lambda: D.from_nuimages({"size": [3, 3], "counts": "MDEzMDAwé"}), ValueError),
    ("nu-bad-coco-chars", lambda: D.from_nuimages({"size": [3, 3], "counts": _b64(b"01z")}), ValueError),
    ("nu-nul-byte", lambda: D.from_nuimages({"size": [3, 3], "counts": _b64(b"01\x003")}), ValueError),
    ("nu-list-counts", lambda: D.from_nuimages({"size": [3, 3], "counts": [9]}), TypeError),
    ("nu-size-negative", lambda: D.from_nuimages({"size": [3, -3], "counts": _b64(b"9")}), ValueError),
    # Open Images
    ("oi-bad-base64", lambda: D.from_openimages("eNoz!MDQ2", 3, 3), ValueError),
    ("oi-bad-zlib", lambda: D.from_openimages(_b64(b"not zlib at all"), 3, 3), ValueError),
    ("oi-empty", lambda: D.from_openimages("", 3, 3), ValueError),
    ("oi-truncated-zlib", lambda: D.from_openimages(_b64(zlib.compress(b"013000", 9)[:-3]), 3, 3), ValueError),
    ("oi-trailing-bytes", lambda: D.from_openimages(_b64(zlib.compress(b"013000", 9) + b"xx"), 3, 3), ValueError),
    ("oi-zlib-bomb", lambda: D.from_openimages(_b64(zlib.compress(b"1" * 10**6, 9)), 3, 3), ValueError),
    ("oi-bad-coco-chars", lambda: D.from_openimages(_b64(zlib.compress(b"01~", 9)), 3, 3), ValueError),
    ("oi-int-item", lambda: D.from_openimages([5], 3, 3), TypeError),
    ("oi-none-height", lambda: D.from_openimages("eNozMDQ2MDAAAAQHASU=", None, 3), TypeError),
]


@pytest.mark.parametrize("call,exc", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_inputs_raise(call, exc):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value)  # a message, not a bare exception


def test_error_messages_name_rule_and_value():
    with pytest.raises(ValueError, match=r"sorted and non-overlapping.*'1 3 2 2'"):
        D.from_kaggle("1 3 2 2", 3, 3)
    with pytest.raises(ValueError, match=r"Kaggle RLE 1 must hold 'start length' pairs, got 3 numbers"):
        D.from_kaggle(["", "1 2 5"], 3, 3)
    with pytest.raises(ValueError, match=r"found '-'"):
        D.from_kaggle("1 -2", 3, 3)
    with pytest.raises(TypeError, match=r"RleBatch.from_coco"):
        D.from_uncompressed({"size": [2, 2], "counts": b"13"})
    with pytest.raises(ValueError, match=r"-1"):
        D.from_uncompressed({"size": [2, 2], "counts": [1, -1, 4]})
    with pytest.raises(ValueError, match=r"not valid base64"):
        D.from_nuimages({"size": [3, 3], "counts": "MDE*MDAw"})
    with pytest.raises(ValueError, match=r"not a valid zlib stream"):
        D.from_openimages(_b64(b"not zlib at all"), 3, 3)


def test_order_that_is_an_array_names_the_rule():
    with pytest.raises(ValueError, match=r"order must be 'F' .* or 'C' .*, got array\(\['F', 'C'\]"):
        D.to_kaggle(GOOD, order=np.array(["F", "C"]))
    with pytest.raises(ValueError, match=r"order must be 'F'"):
        D.from_kaggle("1 1", 3, 3, order=np.array(["F", "C"]))


def test_openimages_largest_size_is_read():
    # The zlib output limit grows with h*w; for the largest masks it is capped, not an error.
    big = D.from_openimages("eNozMDQ2MDAAAAQHASU=", 2**32 - 1, 2**32 - 1)
    assert big.counts.tolist() == [0, 1, 3, 1, 3, 1] and big.sizes.tolist() == [[2**32 - 1, 2**32 - 1]]


def test_nan_is_the_only_float_accepted():
    assert D.from_kaggle([math.nan, np.float64("nan")], 1, 1).counts.tolist() == [1, 1]


def test_kaggle_row_major_tiles_taller_than_the_budget(pycocotools_mask, monkeypatch):
    P = pycocotools_mask
    # A budget below the height: every column is read in pieces.
    monkeypatch.setattr(D, "_DENSE_CHUNK_BYTES", 2)
    rng = np.random.default_rng(6)
    masks = (rng.random((3, 5, 4)) < 0.5).astype(np.uint8)
    check_kaggle(P, masks, "C")


def test_kaggle_row_major_memory_is_bounded_by_tiles():
    # One mask of 2**29 pixels (512 MiB dense) through both row-major codecs under a 512 MiB
    # address-space limit: only tiles of 16 MiB are ever dense.
    result = run_limited(
        """
        from maskkit import _dialects as D
        D._DENSE_CHUNK_BYTES = 1 << 24
        h, w = 1 << 14, 1 << 15
        text = f"1 3 {w + 2} 5 {h * w - 2} 2"
        batch = D.from_kaggle(text, h, w, order="C")
        report(same=D.to_kaggle(batch, order="C") == [text], head=batch.counts.tolist()[:3])
        """,
        address_space_gib=0.5,
        env={"MASKKIT_NUM_THREADS": "1"},
    )
    assert result == {"same": True, "head": [0, 1, (1 << 14) - 1]}
