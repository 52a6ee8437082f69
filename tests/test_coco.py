"""maskkit.coco against pycocotools 2.0.11, byte for byte (coco_mask_spec.md §8 checklist)."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import maskkit.coco as M
from maskkit.coco import _mask as MK



def same_objects(a, b):
    """RLE dicts equal including key order, Python int sizes and bytes counts."""
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same_objects(x, y) for x, y in zip(a, b))
    return (
        list(a.keys()) == list(b.keys())
        and a == b
        and all(type(v) is int for v in a["size"])
        and type(a["counts"]) is bytes
    )


def same_array(a, b):
    return (
        isinstance(a, np.ndarray)
        and a.dtype == b.dtype
        and a.shape == b.shape
        and a.flags.f_contiguous == b.flags.f_contiguous
        and a.flags.c_contiguous == b.flags.c_contiguous
        and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    )


def blobs(rng, n, h, w):
    yy, xx = np.mgrid[:h, :w]
    out = np.zeros((h, w, n), np.uint8, order="F")
    for i in range(n):
        cy, cx = rng.uniform(-2, h + 2), rng.uniform(-2, w + 2)
        ry, rx = rng.uniform(0.5, h), rng.uniform(0.5, w)
        out[:, :, i] = ((yy - cy) ** 2 / ry**2 + (xx - cx) ** 2 / rx**2) < 1
    return out


masks_hwn = hnp.arrays(
    np.uint8,
    st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 3)),
    elements=st.sampled_from([0, 1]),
)


# ---- 1-4: encode ------------------------------------------------------------------------------
@given(masks_hwn)
def test_encode_matches_random(pycocotools_mask, simd_target, m):
    f = np.asfortranarray(m)
    expected = pycocotools_mask.encode(f)
    assert same_objects(M.encode(f), expected)
    assert same_objects(M.encode(np.ascontiguousarray(m)), expected)  # C order: superset
    assert same_objects(MK.encode(m[:, ::-1][:, ::-1]), expected)  # strided views
    assert same_objects(M.encode(f.astype(bool)), expected)


@pytest.mark.parametrize("shape", [(1, 1), (1, 1000), (1000, 1), (7, 9), (480, 640), (1000, 1000), (3, 65), (65, 3)])
@pytest.mark.parametrize("density", [0.0, 1.0, 0.5, "blobs"])
def test_encode_matches_shapes_and_densities(pycocotools_mask, simd_target, shape, density):
    rng = np.random.default_rng(sum(shape))
    n = 3 if shape[0] * shape[1] <= 480 * 640 else 1
    if density == "blobs":
        f = blobs(rng, n, *shape)
    else:
        f = np.asfortranarray((rng.random(shape + (n,)) < density).astype(np.uint8))
    expected = pycocotools_mask.encode(f)
    assert same_objects(M.encode(f), expected)
    c = np.ascontiguousarray(np.moveaxis(f, -1, 0))  # (N, H, W) C-ordered, moved back as a view
    assert same_objects(M.encode(np.moveaxis(c, 0, -1)), expected)
    assert same_objects(M.encode(f[:, :, 0]), pycocotools_mask.encode(np.asfortranarray(f[:, :, 0])))


def test_encode_first_pixel_and_empty_sizes(pycocotools_mask):
    m = np.asfortranarray([[1, 1, 1], [1, 1, 0]], np.uint8)
    assert same_objects(M.encode(m), pycocotools_mask.encode(m))
    assert M.encode(np.zeros((0, 5), np.uint8, order="F")) == {"size": [0, 5], "counts": b"0"}
    assert same_objects(M.encode(np.zeros((0, 5, 2), np.uint8, order="F")), pycocotools_mask.encode(np.zeros((0, 5, 2), np.uint8, order="F")))
    assert M.encode(np.zeros((4, 3, 0), np.uint8, order="F")) == [] == pycocotools_mask.encode(np.zeros((4, 3, 0), np.uint8, order="F"))


def test_encode_verified_examples():
    m = np.asfortranarray([[0, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]], np.uint8)
    assert M.encode(m) == {"size": [4, 3], "counts": b"2121O01"}
    assert M.encode(np.ones((2, 3), np.uint8, order="F")) == {"size": [2, 3], "counts": b"06"}
    assert M.encode(np.asfortranarray(np.eye(3, dtype=bool))) == {"size": [3, 3], "counts": b"013000"}


def test_encode_accepts_readonly_bool_matrix(pycocotools_mask):
    m = np.asfortranarray(np.eye(5, dtype=np.uint8))
    m.flags.writeable = False
    assert same_objects(M.encode(m), pycocotools_mask.encode(m))
    with pytest.raises(ValueError):
        pycocotools_mask.encode(np.asmatrix(m))  # a matrix cannot be reshaped to 3-D there
    assert same_objects(M.encode(np.asmatrix(m)), pycocotools_mask.encode(m))


def test_encode_does_not_binarize(pycocotools_mask):
    m = np.asfortranarray([[0, 1], [2, 2]], np.uint8)
    assert M.encode(m) == pycocotools_mask.encode(m) == {"size": [2, 2], "counts": b"1110"}


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.float32, np.float64, np.uint16])
def test_encode_rejects_other_dtypes(pycocotools_cmask, dtype):
    m = np.zeros((3, 4, 1), dtype, order="F")
    with pytest.raises(ValueError, match="dtype"):
        pycocotools_cmask.encode(m)
    with pytest.raises(ValueError, match="dtype"):
        M.encode(m)


def test_encode_wrong_ndim_and_type():
    with pytest.raises(ValueError, match="ndim|shape"):
        M.encode(np.zeros(4, np.uint8))  # pycocotools returns None (documented divergence)
    with pytest.raises(ValueError):
        M.encode(np.zeros((2, 2, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="dimensions"):
        MK.encode(np.zeros((2, 2), np.uint8))
    with pytest.raises(AttributeError):
        M.encode([[0, 1]])
    with pytest.raises(TypeError):
        MK.encode([[[1]]])


def test_open_images_helper_call(pycocotools_cmask):
    m = np.asfortranarray(blobs(np.random.default_rng(3), 1, 30, 20)[:, :, 0])
    assert same_objects(MK.encode(m[..., None]), pycocotools_cmask.encode(np.asfortranarray(m[..., None])))


# ---- 5-6: string codec -------------------------------------------------------------------------
def reference_to_string(counts):
    """The compressed-string codec written out in Python, for values pycocotools cannot take."""
    out = bytearray()
    for i, value in enumerate(counts):
        x = value - counts[i - 2] if i > 2 else value
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append((c | (0x20 if more else 0)) + 48)
    return bytes(out)


# pycocotools allocates 6 characters per count plus nothing for the final NUL, so an empty
# list or counts needing 6 or 7 characters (|delta| >= 2**24) overflow its heap buffer: it is
# only asked about shorter ones.
small_counts = st.lists(
    st.one_of(st.sampled_from([0, 1, 15, 16, 31, 32, 33, 1023, 1024, 2**24 - 1]), st.integers(0, 2**24 - 1)),
    min_size=1,
    max_size=20,
)
any_counts = st.lists(
    st.one_of(st.sampled_from([0, 15, 16, 31, 32, 2**29, 2**31 - 1, 2**31, 2**32 - 1]), st.integers(0, 2**32 - 1)),
    max_size=20,
)


@given(small_counts)
def test_string_codec_matches_pycocotools(pycocotools_mask, simd_target, counts):
    obj = {"size": [1, 1], "counts": counts}
    got = M.frPyObjects(obj, 1, 1)
    assert same_objects(got, pycocotools_mask.frPyObjects(obj, 1, 1))
    assert MK._frString([got])[0].tolist() == counts


@given(any_counts)
def test_string_codec_round_trips_full_range(simd_target, counts):
    got = M.frPyObjects({"size": [1, 1], "counts": counts}, 1, 1)
    assert got["counts"] == reference_to_string(counts)
    assert MK._frString([got])[0].tolist() == counts


@pytest.mark.parametrize("bad", [b"0\x7f", b"a!", b"0o", b"oooooooooooooo0", "0\u00e9"])
def test_malformed_strings_raise(simd_target, bad):
    with pytest.raises(ValueError, match="malformed RLE string"):
        M.area({"size": [2, 2], "counts": bad})


def test_string_stops_at_nul():
    assert M.area({"size": [2, 2], "counts": b"13\x00garbage"}) == 3


def test_string_codec_worked_example():
    got = M.frPyObjects({"size": [1, 100], "counts": [10, 40, 20, 5, 20, 5]}, 1, 100)
    assert got == {"size": [1, 100], "counts": b":X1d0mN00"}


def test_str_and_bytes_counts_accepted(pycocotools_mask):
    rle = pycocotools_mask.encode(np.asfortranarray(blobs(np.random.default_rng(1), 2, 12, 9)))
    as_str = [{"size": r["size"], "counts": r["counts"].decode()} for r in rle]
    for fn in ("area", "toBbox", "decode"):
        assert same_array(getattr(M, fn)(as_str), getattr(pycocotools_mask, fn)(rle))
    assert same_objects(M.merge(as_str), pycocotools_mask.merge(rle))
    assert same_array(M.iou(as_str, rle, [0, 1]), pycocotools_mask.iou(rle, rle, [0, 1]))


@pytest.mark.parametrize("bad", [np.str_("4"), np.bytes_(b"4"), bytearray(b"4"), [4], memoryview(b"4")])
def test_other_counts_types_raise_typeerror(bad):
    obj = {"size": [2, 2], "counts": bad}
    with pytest.raises(TypeError, match="Expected bytes"):
        M.area(obj)
    with pytest.raises(TypeError, match="Expected bytes"):
        M.decode([obj])


def test_size_conversion_rules(pycocotools_mask):
    good = {"size": [np.int64(2), 2.0], "counts": b"4"}
    assert same_array(M.decode(good), pycocotools_mask.decode(good))
    with pytest.raises(OverflowError):
        M.decode({"size": [-2, 2], "counts": b"4"})
    with pytest.raises(TypeError):
        M.decode({"size": ["2", 2], "counts": b"4"})
    with pytest.raises(KeyError):
        M.area({"size": [2, 2]})
    od = collections.OrderedDict([("size", [2, 2]), ("counts", b"13")])
    assert same_array(M.decode(od), pycocotools_mask.decode(od))


# ---- 7-9: decode -------------------------------------------------------------------------------
@given(masks_hwn)
def test_decode_matches_random(pycocotools_mask, simd_target, m):
    rles = pycocotools_mask.encode(np.asfortranarray(m))
    got = M.decode(rles)
    assert same_array(got, pycocotools_mask.decode(rles))
    assert np.array_equal(got, m)
    one = M.decode(rles[0])
    ref = pycocotools_mask.decode(rles[0])
    assert same_array(one, ref) and not one.flags.owndata
    assert all(a == b for a, b, n in zip(one.strides, ref.strides, one.shape) if n > 1)


def test_decode_too_long_raises(pycocotools_mask):
    for obj in ({"size": [2, 3], "counts": b"7"}, {"size": [2, 3], "counts": b"16"}):
        with pytest.raises(ValueError, match="Invalid RLE mask representation"):
            pycocotools_mask.decode(obj)
        with pytest.raises(ValueError, match="Invalid RLE mask representation"):
            M.decode(obj)


def test_decode_short_sum_is_zero_filled():
    got = M.decode({"size": [2, 3], "counts": b"11"})
    assert got.tolist() == [[0, 0, 0], [1, 0, 0]]
    assert M.decode({"size": [2, 3], "counts": b""}).tolist() == [[0] * 3] * 2


def test_decode_mixed_sizes_raise(pycocotools_mask):
    small = {"size": [2, 2], "counts": b"4"}
    large = {"size": [3, 3], "counts": b"9"}
    with pytest.raises(ValueError):
        pycocotools_mask.decode([small, large])
    with pytest.raises(ValueError):
        M.decode([small, large])
    with pytest.raises(ValueError, match="same size"):
        M.decode([large, small])  # pycocotools leaves uninitialized bytes here


def test_decode_empty_list_and_tuple():
    with pytest.raises(ValueError):
        M.decode([])
    rle = {"size": [2, 2], "counts": b"4"}
    with pytest.raises(TypeError):
        M.decode((rle, rle))
    with pytest.raises(TypeError):
        M.decode([{"size": [2, 2], "counts": [4]}])


# ---- 10-12: area, toBbox -----------------------------------------------------------------------
@given(masks_hwn)
def test_area_and_bbox_match_random(pycocotools_mask, m):
    rles = pycocotools_mask.encode(np.asfortranarray(m))
    assert same_array(M.area(rles), pycocotools_mask.area(rles))
    assert same_array(M.toBbox(rles), pycocotools_mask.toBbox(rles))
    a, b = M.area(rles[0]), pycocotools_mask.area(rles[0])
    assert type(a) is type(b) is np.uint32 and a == b
    assert same_array(M.toBbox(rles[0]), pycocotools_mask.toBbox(rles[0]))


non_canonical = st.lists(st.integers(0, 6), min_size=1, max_size=12)


@given(non_canonical, st.integers(1, 6))
def test_area_and_bbox_match_non_canonical(pycocotools_mask, counts, h):
    total = sum(counts)
    w = max(1, -(-total // h))
    rle = pycocotools_mask.frPyObjects({"size": [h, w], "counts": counts}, h, w)
    assert same_array(M.area([rle]), pycocotools_mask.area([rle]))
    assert same_array(M.toBbox([rle]), pycocotools_mask.toBbox([rle]))


def test_area_wraps_and_empty(pycocotools_mask):
    rle = pycocotools_mask.frPyObjects({"size": [1, 1], "counts": [0, 2**31, 0, 2**31 + 5]}, 1, 1)
    assert M.area(rle) == pycocotools_mask.area(rle) == 5
    assert same_array(M.area([rle]), pycocotools_mask.area([rle]))


def test_huge_negative_delta_decodes_correctly(pycocotools_mask):
    """pycocotools (x86) mis-decodes deltas below -2**29: its 32-bit shift overflows.

    The string is its own encoding of [0, 2**32 - 1, 0, 2]; maskkit reads back those counts
    (documented divergence), pycocotools reads the last count as 2**32 - 6.
    """
    rle = {"size": [1, 1], "counts": reference_to_string([0, 2**32 - 1, 0, 2])}
    assert MK._frString([rle])[0].tolist() == [0, 2**32 - 1, 0, 2]
    assert M.area(rle) == 1 and pycocotools_mask.area(rle) == 4294967289
    assert same_array(M.area([]), pycocotools_mask.area([]))
    assert same_array(M.toBbox([]), pycocotools_mask.toBbox([]))


def test_area_long_list_does_not_overflow(pycocotools_mask):
    rles = pycocotools_mask.encode(np.asfortranarray(np.ones((3, 3, 300), np.uint8)))
    assert M.area(rles).tolist() == [9] * 300


def test_bbox_quirks(pycocotools_mask):
    rle = pycocotools_mask.frPyObjects({"size": [4, 3], "counts": [5, 0, 7]}, 4, 3)
    assert M.toBbox(rle).tolist() == pycocotools_mask.toBbox(rle).tolist() == [3, 4, 4294967294, 4294967293]
    lead = pycocotools_mask.frPyObjects({"size": [4, 3], "counts": [0, 0, 0, 2, 1, 2, 7]}, 4, 3)
    assert same_array(M.toBbox(lead), pycocotools_mask.toBbox(lead))
    assert M.toBbox({"size": [10, 10], "counts": b"P3"}).tolist() == [0, 0, 0, 0]


def test_bbox_height_zero_raises():
    with pytest.raises(ValueError, match="height 0"):
        M.toBbox({"size": [0, 5], "counts": b"01"})  # pycocotools dies with SIGFPE


def test_huge_images_without_decoding(pycocotools_mask):
    h = w = 50_000  # 2.5e9 pixels: beyond 2**31
    counts = [h * 7 + 3, 5, h * w - h * 7 - 8]
    rle = pycocotools_mask.frPyObjects({"size": [h, w], "counts": counts}, h, w)
    assert rle == M.frPyObjects({"size": [h, w], "counts": counts}, h, w)
    assert same_array(M.toBbox([rle]), pycocotools_mask.toBbox([rle]))
    assert M.area(rle) == pycocotools_mask.area(rle) == 5
    assert same_objects(M.merge([rle, rle]), pycocotools_mask.merge([rle, rle]))


# ---- 13-15: merge ------------------------------------------------------------------------------
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12), st.integers(2, 3)), elements=st.sampled_from([0, 1])))
def test_merge_matches_random(pycocotools_mask, m):
    rles = pycocotools_mask.encode(np.asfortranarray(m))
    for intersect in (0, 1, True, 7):
        assert same_objects(M.merge(rles, intersect=intersect), pycocotools_mask.merge(rles, intersect=intersect))
    assert same_objects(M.merge(rles), pycocotools_mask.merge(rles))


def test_merge_non_canonical_single_empty_and_mismatch(pycocotools_mask):
    a = {"size": [2, 2], "counts": b"1003"}
    z = {"size": [2, 2], "counts": b"4"}
    assert M.merge([a, z]) == pycocotools_mask.merge([a, z]) == {"size": [2, 2], "counts": b"1003"}
    assert M.merge([a]) == pycocotools_mask.merge([a])
    assert M.merge([]) == pycocotools_mask.merge([]) == {"size": [0, 0], "counts": b""}
    big = {"size": [10, 12], "counts": b"`3"}
    assert M.merge([z, big]) == pycocotools_mask.merge([z, big]) == {"size": [0, 0], "counts": b""}
    with pytest.raises(TypeError):
        M.merge([a, z], intersect=None)
    with pytest.raises(TypeError):
        M.merge(a)


def test_merge_verified_example():
    A = np.zeros((10, 10), np.uint8, order="F")
    A[:4, :4] = 1
    B = np.zeros((10, 10), np.uint8, order="F")
    B[2:6, 2:6] = 1
    ra, rb = M.encode(A), M.encode(B)
    assert M.merge([ra, rb]) == {"size": [10, 10], "counts": b"046002N02N00V1"}
    assert M.merge([ra, rb], intersect=1) == {"size": [10, 10], "counts": b"f0280j1"}


def test_merge_unequal_sums_raises_instead_of_hanging():
    with pytest.raises(ValueError, match="sum"):
        M.merge([{"size": [2, 2], "counts": b"4"}, {"size": [2, 2], "counts": b"3"}])


# ---- 16-20: iou --------------------------------------------------------------------------------
@given(
    hnp.arrays(np.uint8, st.tuples(st.just(9), st.just(7), st.integers(1, 5)), elements=st.sampled_from([0, 1])),
    hnp.arrays(np.uint8, st.tuples(st.just(9), st.just(7), st.integers(1, 5)), elements=st.sampled_from([0, 1])),
    st.data(),
)
def test_iou_rle_matches_random(pycocotools_mask, a, b, data):
    dt, gt = pycocotools_mask.encode(np.asfortranarray(a)), pycocotools_mask.encode(np.asfortranarray(b))
    crowd = data.draw(st.lists(st.sampled_from([0, 1, True, False]), min_size=len(gt), max_size=len(gt)))
    assert same_array(M.iou(dt, gt, crowd), pycocotools_mask.iou(dt, gt, crowd))


def test_iou_verified_examples(pycocotools_mask):
    A = np.zeros((10, 10), np.uint8, order="F")
    A[:4, :4] = 1
    B = np.zeros((10, 10), np.uint8, order="F")
    B[2:6, 2:6] = 1
    ra, rb = M.encode(A), M.encode(B)
    e = M.encode(np.zeros((10, 10), np.uint8, order="F"))
    for crowd in ([0], [1]):
        assert same_array(M.iou([ra], [rb], crowd), pycocotools_mask.iou([ra], [rb], crowd))
    assert M.iou([e], [e], [0]).tolist() == [[0.0]]
    other = M.encode(np.ones((10, 12), np.uint8, order="F"))
    assert M.iou([ra], [other], [0]).tolist() == pycocotools_mask.iou([ra], [other], [0]).tolist() == [[-1.0]]
    far = np.zeros((10, 12), np.uint8, order="F")
    far[8:, 10:] = 1
    assert M.iou([ra], [M.encode(far)], [0]).tolist() == pycocotools_mask.iou([ra], [pycocotools_mask.encode(far)], [0]).tolist() == [[0.0]]


box_lists = st.lists(st.lists(st.floats(-5, 20, allow_nan=False).map(lambda v: round(v, 1)), min_size=4, max_size=4), min_size=1, max_size=5)


@given(box_lists, box_lists, st.data())
def test_iou_boxes_match(pycocotools_mask, dt, gt, data):
    crowd = data.draw(st.lists(st.integers(0, 1), min_size=len(gt), max_size=len(gt)))
    assert same_array(M.iou(dt, gt, crowd), pycocotools_mask.iou(dt, gt, crowd))
    assert same_array(M.iou(np.array(dt), np.array(gt, np.float32), crowd), pycocotools_mask.iou(np.array(dt), np.array(gt, np.float32), crowd))
    assert same_array(M.iou([np.array(b) for b in dt], gt, crowd), pycocotools_mask.iou([np.array(b) for b in dt], gt, crowd))


def test_iou_boxes_nan_touching_and_int(pycocotools_mask):
    assert np.isnan(M.iou([[0, 0, np.nan, 2]], [[0, 0, 2, 2]], [0])).all() == np.isnan(pycocotools_mask.iou([[0, 0, np.nan, 2]], [[0, 0, 2, 2]], [0])).all()
    assert M.iou([[0, 0, 2, 2]], [[2, 0, 2, 2]], [0]).tolist() == [[0.0]]
    assert same_array(M.iou(np.array([[0, 0, 4, 4]]), np.array([[2, 2, 4, 4]]), [0]), pycocotools_mask.iou(np.array([[0, 0, 4, 4]]), np.array([[2, 2, 4, 4]]), [0]))


def test_iou_fortran_boxes_are_read_correctly(pycocotools_mask):
    dt = np.asfortranarray([[0.0, 0, 4, 4], [1, 1, 2, 2]])
    gt = np.array([[2.0, 2, 4, 4]])
    expected = pycocotools_mask.iou(np.ascontiguousarray(dt), gt, [0])  # pycocotools misreads the F-ordered copy
    assert same_array(M.iou(dt, gt, [0]), expected)


def test_iou_empty_and_errors(pycocotools_mask):
    rb = M.encode(np.ones((3, 3), np.uint8, order="F"))
    assert M.iou([], [rb], [0]) == [] == pycocotools_mask.iou([], [rb], [0])
    assert M.iou([rb], [], []) == [] == pycocotools_mask.iou([rb], [], [])
    with pytest.raises(AssertionError):
        M.iou([rb], [rb], [])
    with pytest.raises(AssertionError):
        M.iou([], [rb], [])
    for dt, gt in [(rb, [rb]), ((rb,), [rb]), ([rb], [[0, 0, 1, 1]]), (np.zeros((2, 5)), np.zeros((2, 5))), ([rb], [(0, 0, 1, 1)])]:
        with pytest.raises(Exception) as ours:
            M.iou(dt, gt, [0] * (1 if not isinstance(gt, np.ndarray) else 2))
        with pytest.raises(Exception) as theirs:
            pycocotools_mask.iou(dt, gt, [0] * (1 if not isinstance(gt, np.ndarray) else 2))
        assert str(ours.value) == str(theirs.value)
    with pytest.raises((TypeError, ValueError)):
        M.iou(np.array([0.0, 0, 1, 1]), np.array([[0.0, 0, 1, 1]]), [0])
    with pytest.raises(TypeError):
        M.iou([rb], [rb], None)


@pytest.mark.parametrize("crowd", [[True], (1,), [np.uint8(1)], [0.0]])
def test_iou_iscrowd_coercion(pycocotools_mask, crowd):
    a = M.encode(np.ones((3, 3), np.uint8, order="F"))
    b = M.encode(np.eye(3, dtype=np.uint8, order="F"))
    assert same_array(M.iou([a], [b], crowd), pycocotools_mask.iou([a], [b], crowd))


@pytest.mark.parametrize("crowd", [[256], [-1]])
def test_iou_iscrowd_out_of_range(pycocotools_mask, crowd):
    a = M.encode(np.ones((3, 3), np.uint8, order="F"))
    with pytest.raises(OverflowError):
        pycocotools_mask.iou([a], [a], crowd)
    with pytest.raises(OverflowError):
        M.iou([a], [a], crowd)


# ---- 21-26: frPyObjects ------------------------------------------------------------------------
def test_polygon_fixtures(pycocotools_mask):
    tri = [[1.0, 1.0, 6.0, 1.0, 3.5, 5.0]]
    assert M.frPyObjects(tri, 7, 8) == pycocotools_mask.frPyObjects(tri, 7, 8) == [{"size": [7, 8], "counts": b"8161O2NN2O>"}]
    assert M.area(M.frPyObjects([[0, 0, 0, 9, 9, 9, 9, 0]], 100, 100)[0]) == 81
    assert M.decode(M.frPyObjects(np.array([[0.5, 0.5, 1, 1]]), 4, 4)[0]).nonzero() == (np.array([1]), np.array([1]))
    assert M.area(M.frPyObjects([[2, 2, 2.2, 2, 2.1, 2.3]], 5, 5)[0]) == 0
    full = M.frPyObjects([[-10, -10, 50, -10, 50, 50, -10, 50]], 6, 7)[0]
    assert M.area(full) == 42
    for v in (-0.19, -0.21):
        poly = [[v, v, 3, v, 3, 3, v, 3]]
        assert M.frPyObjects(poly, 5, 5) == pycocotools_mask.frPyObjects(poly, 5, 5)


def test_fma_canaries():
    """Fails if the core was built with FMA contraction (-ffp-contract=fast, -ffast-math)."""
    c1 = [10.774412207629645, 9.813452063377879, 1.169429422735674, 10.833463860128898, -1.2820581037947216,
          -2.5053511064362706, -1.6666425925322588, 11.879424745947762, 7.691780569277979, -0.06922934889948529,
          1.1367802566201721, 6.425282562903462, 6.577695709716988, 10.17903277677302, 3.8651169387145314,
          7.585186191913973]
    c2 = [18.595532368322566, 1.0823424450287833, 35.57006086940258, 0.2757037572368022, 8.282270870989,
          -1.3671845677770453, 32.16078656032098, 2.8685016035625814, 3.443572796003769, -1.342813735651233,
          7.765905838641462, -1.2196257555834364, 30.692732708876413, 2.7091213794627436, 31.122470310035283,
          -0.2779320063907411]
    assert M.frPyObjects([c1], 10, 9)[0]["counts"] == b"637NJ143OLO10O20M031301O00"
    assert M.frPyObjects([c2], 1, 35)[0]["counts"] == b"`01163K0"


def test_degenerate_polygons(pycocotools_mask):
    assert M.frPyObjects([[0, 0, 3, 0, 3]], 4, 4) == pycocotools_mask.frPyObjects([[0, 0, 3, 0, 3]], 4, 4)
    assert M.frPyObjects([[0, 0, 1, 1, 2, 2]], 4, 4) == pycocotools_mask.frPyObjects([[0, 0, 1, 1, 2, 2]], 4, 4)
    poly = [[1, 1, 3, 1, 3, 3, 1, 3, 7]]  # odd trailing coordinate ignored
    assert M.frPyObjects(poly, 5, 5) == pycocotools_mask.frPyObjects(poly, 5, 5)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e15, -3e15])
def test_polygon_nan_and_huge_raise(bad):
    with pytest.raises(ValueError, match="coordinate"):
        M.frPyObjects([[0, 0, bad, 0, 3, 3]], 5, 5)


def test_boxes(pycocotools_mask):
    rng = np.random.default_rng(5)
    boxes = np.concatenate([rng.integers(-5, 20, (50, 2)), rng.integers(0, 15, (50, 2))], 1).astype(np.float64)
    got, ref = M.frPyObjects(boxes, 17, 13), pycocotools_mask.frPyObjects(boxes, 17, 13)
    assert same_objects(got, ref)
    for box, r in zip(boxes.astype(int), got):
        x, y, bw, bh = box
        dense = np.zeros((17, 13), np.uint8)
        dense[max(y, 0) : max(y + bh, 0), max(x, 0) : max(x + bw, 0)] = 1
        assert np.array_equal(M.decode(r), dense)
    frac = rng.uniform(-3, 15, (50, 4))
    assert same_objects(M.frPyObjects(frac, 11, 12), pycocotools_mask.frPyObjects(frac, 11, 12))
    assert same_objects(M.frPyObjects(np.asfortranarray(frac), 11, 12), pycocotools_mask.frPyObjects(frac, 11, 12))


def test_box_input_errors_match(pycocotools_mask):
    for bad, exc in [([[0, 0, 2, 2]], TypeError), (np.array([[0, 0, 2, 2]]), ValueError), (np.array([0.0, 0, 2, 2]), ValueError)]:
        with pytest.raises(exc):
            pycocotools_mask.frPyObjects(bad, 4, 4)
        with pytest.raises(exc):
            M.frPyObjects(bad, 4, 4)
    with pytest.raises(ValueError, match="4 columns"):
        M.frPyObjects(np.zeros((2, 5)), 4, 4)  # pycocotools reads the wrong elements


def test_uncompressed_rle(pycocotools_mask):
    obj = {"size": [2, 2], "counts": [1, 1]}
    assert M.frPyObjects(obj, 99, 99) == pycocotools_mask.frPyObjects(obj, 99, 99) == {"size": [2, 2], "counts": b"11"}
    objs = [{"size": [2, 3], "counts": [1.7, 2.2, 3]}, {"size": [2, 3], "counts": [6]}]
    assert same_objects(M.frPyObjects(objs, 2, 3), pycocotools_mask.frPyObjects(objs, 2, 3))
    with pytest.raises(ValueError):
        M.frPyObjects({"size": [4, 3], "counts": b"2121O01"}, 4, 3)
    with pytest.raises(OverflowError):
        M.frPyObjects({"size": [2, 2], "counts": [-1, 5]}, 2, 2)


def test_dispatch_quirks(pycocotools_mask):
    four_keys = [{"size": [2, 2], "counts": [4], "a": 1, "b": 2}]
    with pytest.raises(TypeError):
        pycocotools_mask.frPyObjects(four_keys, 2, 2)
    with pytest.raises(TypeError):
        M.frPyObjects(four_keys, 2, 2)
    with pytest.raises(TypeError):
        M.frPyObjects([[0, 0, 1, 1], [0, 0, 3, 0, 3, 3]], 4, 4)
    with pytest.raises(TypeError):
        M.frPyObjects([1.0, 1.0, 6.0, 1.0, 3.5, 5.0], 7, 8)
    with pytest.raises(IndexError):
        M.frPyObjects([], 4, 4)
    for bad in [([1, 2, 3],), [[0, 0, 3]]]:
        with pytest.raises(Exception, match="input type is not supported"):
            pycocotools_mask.frPyObjects(bad, 4, 4)
        with pytest.raises(Exception, match="input type is not supported"):
            M.frPyObjects(bad, 4, 4)
    with pytest.raises(OverflowError):
        M.frPyObjects([[0, 0, 3, 0, 3, 3]], -4, 4)


# ---- 27: module surface ------------------------------------------------------------------------
def test_module_surface():
    for name in ["encode", "decode", "merge", "area", "iou", "toBbox", "frBbox", "frPoly", "frUncompressedRLE", "frPyObjects", "_toString", "_frString"]:
        assert callable(getattr(MK, name)), name
    for name in ["encode", "decode", "area", "toBbox", "iou", "merge", "frPyObjects"]:
        assert callable(getattr(M, name)), name
    from maskkit.coco import mask as alias

    assert alias.encode is M.encode


# ---- per-call fast paths: the same bytes as the general path -----------------------------------
def padded(counts_string, index):
    """The string with its number at ``index`` (a one-character one) written with two characters."""
    c = counts_string[index] - 48
    x = (c & 0x0F) - (c & 0x10)
    return counts_string[:index] + bytes([48 + ((x & 0x1F) | 0x20), 48 + ((x >> 5) & 0x1F)]) + counts_string[index + 1 :]


@given(small_counts, st.data())
def test_merge_of_one_matches_reference(pycocotools_mask, counts, data):
    """pycocotools parses and re-encodes a single RLE; maskkit returns canonical bytes as they are."""
    canonical = reference_to_string(counts)
    variants = [canonical, canonical.decode(), canonical + b"\x00" + canonical]
    singles = [i for i, c in enumerate(canonical) if c < 80 and (i == 0 or canonical[i - 1] < 80)]
    if singles:
        variants.append(padded(canonical, data.draw(st.sampled_from(singles))))
    for counts_string in variants:
        obj = {"size": [1, sum(counts)], "counts": counts_string}
        for intersect in (0, 1):
            got = M.merge([obj], intersect)
            assert same_objects(got, pycocotools_mask.merge([obj], intersect))
    assert M.merge([{"size": [1, sum(counts)], "counts": canonical}])["counts"] == canonical


def test_merge_of_one_wrapped_count_is_reencoded(pycocotools_mask):
    """A delta that takes a count below 0 wraps: the string is not what the encoder writes."""
    obj = {"size": [1, 1], "counts": b"00000"[:3] + bytes([48 + 0x1F])}  # counts 0, 0, 0, -1
    assert same_objects(M.merge([obj]), pycocotools_mask.merge([obj]))


@pytest.mark.parametrize(
    "intersect", [1.5, 0.5, None, np.float64(1), np.float32(0), "1", True, 2**40, -1, np.int64(3), np.uint8(0), np.nan, np.inf, [1], 2**31, -(2**31) - 1]
)
def test_merge_intersect_converted_as_c_int(pycocotools_mask, intersect):
    a, b = {"size": [2, 2], "counts": b"13"}, {"size": [2, 2], "counts": b"04"}
    try:
        expected = pycocotools_mask.merge([a, b], intersect)
    except (TypeError, ValueError, OverflowError) as error:
        with pytest.raises(type(error)):
            M.merge([a, b], intersect)
    else:
        assert same_objects(M.merge([a, b], intersect), expected)


@pytest.mark.parametrize(
    "counts",
    [[1, 2, 3], (1, 2, 3), [1.7, 2.2, 3], [True, 2, 3], [np.int64(1), 2, 3], np.array([1, 2, 3]), np.array([1.5, 2, 3]), [2**32], [-1, 5], [[1, 2, 3]], ["1", 2, 3]],
)
def test_uncompressed_counts_converted_as_numpy(pycocotools_mask, counts):
    obj = {"size": [2, 3], "counts": counts}
    try:
        expected = pycocotools_mask.frPyObjects(obj, 2, 3)
    except (TypeError, ValueError, OverflowError) as error:
        with pytest.raises(type(error)):
            M.frPyObjects(obj, 2, 3)
    else:
        assert same_objects(M.frPyObjects(obj, 2, 3), expected)
        assert same_objects(MK.frUncompressedRLE([obj, obj], 2, 3), pycocotools_mask._mask.frUncompressedRLE([obj, obj], 2, 3))


@pytest.mark.parametrize("counts", [[2**32 - 1], [], [7, 2**31, 5]])
def test_uncompressed_counts_pycocotools_overflows_on(counts):
    """pycocotools' string buffer overflows for these (no room for the NUL; 7-character numbers)."""
    obj = {"size": [2, 3], "counts": counts}
    assert same_objects(M.frPyObjects(obj, 2, 3), {"size": [2, 3], "counts": reference_to_string(counts)})


def test_boxes_of_any_layout_and_size_type(pycocotools_mask):
    boxes = np.array([[0.5, 1.0, 3.0, 2.5], [2.0, 0.0, 1.0, 4.0]])
    expected = pycocotools_mask.frPyObjects(boxes, 5, 6)
    for view in (boxes, np.asfortranarray(boxes), boxes[::-1][::-1], np.repeat(boxes, 2, axis=0)[::2]):
        assert same_objects(M.frPyObjects(view, 5, 6), expected)
    assert same_objects(M.frPyObjects(boxes, np.int64(5), 6.9), pycocotools_mask.frPyObjects(boxes, np.int64(5), 6.9))
    assert same_objects(M.frPyObjects(boxes, np.float32(5), 6), pycocotools_mask.frPyObjects(boxes, np.float32(5), 6))


def test_coco_like_annotations_match_reference(pycocotools_mask):
    from maskkit._bench.coco_annotations import coco_like_annotations

    anns = coco_like_annotations(120, seed=5)
    assert anns == coco_like_annotations(120, seed=5)
    for a in anns:
        segm, h, w = a["segmentation"], a["height"], a["width"]
        if a["iscrowd"]:
            assert same_objects(M.frPyObjects(segm, h, w), pycocotools_mask.frPyObjects(segm, h, w))
        else:
            assert same_objects(M.merge(M.frPyObjects(segm, h, w)), pycocotools_mask.merge(pycocotools_mask.frPyObjects(segm, h, w)))


def test_coco_like_annotations_have_coco_val_shape():
    from maskkit._bench.coco_annotations import coco_like_annotations

    anns = coco_like_annotations(3000, seed=1)
    polygons = [p for a in anns if not a["iscrowd"] for p in a["segmentation"]]
    assert 38 <= np.mean([len(p) for p in polygons]) <= 46
    one = np.mean([not a["iscrowd"] and len(a["segmentation"]) == 1 for a in anns])
    assert 0.8 <= one <= 0.9
    assert 0.003 <= np.mean([a["iscrowd"] for a in anns]) <= 0.02
    assert 5 <= len(anns) / len({a["image_id"] for a in anns}) <= 9
    crowd = next(a for a in anns if a["iscrowd"])
    assert sum(crowd["segmentation"]["counts"]) == crowd["height"] * crowd["width"]


# ---- error model: ValueError/TypeError/OverflowError, or a class deriving from pycocotools' type ----
RLE_OK = {"size": [2, 2], "counts": b"13"}

# input -> the built-in class pycocotools raises for it, and maskkit's class deriving from it
REFERENCE_TYPED_ERRORS = {
    "size of one item": (lambda m: m.area([{"size": [2], "counts": b"4"}]), IndexError, M.RleIndexError),
    "ndarray for an RLE": (lambda m: m.area([np.zeros((3, 2))]), IndexError, M.RleIndexError),
    "no counts (area)": (lambda m: m.area([{"size": [2, 2]}]), KeyError, M.RleKeyError),
    "no counts (merge)": (lambda m: m.merge([{"size": [2, 2]}]), KeyError, M.RleKeyError),
    "no counts (iou)": (lambda m: m.iou([{"size": [2, 2]}], [RLE_OK], [0]), KeyError, M.RleKeyError),
    "no size (decode)": (lambda m: m.decode([{"counts": b"4"}]), KeyError, M.RleKeyError),
    "no size (toBbox)": (lambda m: m.toBbox({"counts": b"4"}), KeyError, M.RleKeyError),
    "uncompressed size of one item": (lambda m: m.frPyObjects({"counts": [4], "size": [2]}, 2, 2), IndexError, M.RleIndexError),
    "frPyObjects of []": (lambda m: m.frPyObjects([], 2, 2), IndexError, M.RleIndexError),
    "encode of None": (lambda m: m.encode(None), AttributeError, M.RleAttributeError),
    "iscrowd too short": (lambda m: m.iou([RLE_OK], [RLE_OK], []), AssertionError, M.RleAssertionError),
    "iscrowd too long": (lambda m: m.iou([], [RLE_OK], [0, 1]), AssertionError, M.RleAssertionError),
}


@pytest.mark.parametrize("case", sorted(REFERENCE_TYPED_ERRORS))
def test_errors_derive_from_what_pycocotools_raises(pycocotools_mask, case):
    """maskkit raises pycocotools' own class here (deliberately), as a subclass that is also a
    ValueError or TypeError, with a message naming the rule."""
    call, builtin, ours = REFERENCE_TYPED_ERRORS[case]
    with pytest.raises(builtin):
        call(pycocotools_mask)
    with pytest.raises(ours) as error:
        call(M)
    assert isinstance(error.value, builtin) and isinstance(error.value, (ValueError, TypeError))
    assert "must" in str(error.value) or "needs" in str(error.value)


def test_error_classes_without_reference():
    assert issubclass(M.RleKeyError, KeyError) and issubclass(M.RleKeyError, ValueError)
    assert issubclass(M.RleIndexError, IndexError) and issubclass(M.RleIndexError, ValueError)
    assert issubclass(M.RleAssertionError, AssertionError) and issubclass(M.RleAssertionError, ValueError)
    assert issubclass(M.RleAttributeError, AttributeError) and issubclass(M.RleAttributeError, TypeError)
    with pytest.raises(M.RleKeyError, match="must have the key 'counts'"):
        M.area({"size": [2, 2]})
    assert str(M.RleKeyError("plain")) == "plain"  # not the repr KeyError prints


def test_iou_iscrowd_length_checked_under_python_optimize():
    """pycocotools checks it with ``assert``, which ``python -O`` removes (it then reads past the
    flags); maskkit's check is a real one."""
    import subprocess
    import sys

    code = (
        "import maskkit.coco as M\n"
        "r = {'size': [2, 2], 'counts': b'13'}\n"
        "try:\n"
        "    M.iou([r], [r], [])\n"
        "except M.RleAssertionError as e:\n"
        "    assert isinstance(e, AssertionError) and isinstance(e, ValueError)\n"
        "    print('raised:', e)\n"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("raised: iou(iscrowd=) must have the same length as gt: 1 ground truths, got 0 flags")


HOSTILE = [
    None, 5, float("nan"), "abc", b"13", {}, [], [None], [1], [[1.0, 2.0, 3.0]], (RLE_OK,), [np.zeros((3, 2))],
    {"size": [2, 2]}, {"counts": b"13"}, {"size": [2], "counts": b"13"}, {"size": 2, "counts": b"13"}, {"size": None, "counts": b"13"},
    {"size": [2, 2], "counts": b"\xff\xfe"}, {"size": [2, 2], "counts": None}, {"size": [2**40, 2**40], "counts": b"13"},
    {"size": [2**32 - 1, 2**32 - 1], "counts": b"13"}, {"size": [-1, 2], "counts": b"13"}, {"size": [float("nan"), 2], "counts": b"13"},
    [{"size": [2], "counts": b"4"}], [{"size": "ab", "counts": b"4"}], [[0.0, 0.0, float("nan"), 1.0, 2.0, 2.0]],
    [[0.0, 0.0, float("inf"), 1.0, 2.0, 2.0]], [["a", "b", "c", "d", "e", "f"]], [[[1, 2], [3, 4], [5, 6]]], [[0.0, None, 3.0, 0.0, 3.0, 3.0]],
    [np.zeros((3, 2))], np.zeros((2, 5)), np.zeros((2, 4), np.float32), np.zeros(4), np.zeros((0, 4)), np.zeros((2, 2, 1), np.int64),
    np.zeros((0, 0, 0), np.uint8), np.array([None, 1], object), {"size": [2, 2], "counts": [[1, 3]]}, {"size": [2, 2], "counts": [-1, 3]},
    {"size": [2, 2], "counts": [None]}, {"size": [2, 2], "counts": [float("nan")]}, [{"size": [2, 2], "counts": [1, 3]}],
    (np.zeros(2, np.uint32), np.array([0, 5]), np.array([[2, 2]])), (np.zeros(3), np.zeros(3), np.zeros(3)),
]
SIZES = [4, -1, float("nan"), None, 2**40, "4", np.float32(4), 2**32 - 1]


def hostile_calls():
    one = [M.encode, M.decode, M.area, M.toBbox, M.merge, MK.encode, MK.decode, MK.area, MK.toBbox, MK._toString, MK._frString]
    for f in one:
        for v in HOSTILE:
            yield f, (v,)
    for v in HOSTILE:
        yield M.merge, ([RLE_OK, v], 0)
        for flag in (None, 1.5, "1", float("nan"), 2**40):
            yield M.merge, ([RLE_OK], flag)
        for crowd in ([0], [], None, "a", [256], [[0]]):
            yield M.iou, (v, [RLE_OK], crowd)
            yield M.iou, ([RLE_OK], v, crowd)
        for f in (M.frPyObjects, MK.frBbox, MK.frPoly, MK.frUncompressedRLE):
            for size in SIZES:
                yield f, (v, size, 4)
                yield f, (v, 4, size)


def test_hostile_inputs_raise_only_value_type_or_overflow_errors():
    """Every function on None, wrong types, missing keys, malformed strings, huge sizes, NaN/inf
    coordinates, wrong dtypes and shapes: ValueError/TypeError/OverflowError with a message."""
    calls = 0
    for f, args in hostile_calls():
        calls += 1
        try:
            f(*args)
        except (ValueError, TypeError, OverflowError) as error:
            assert str(error), (f, args)
    assert calls > 2000


def test_iou_zero_length_runs_stop_the_sweep(pycocotools_mask):
    """pycocotools refills a finished run once per step, so two zero-length runs in a row end its
    sweep early: here it counts no intersection (IoU 0) where the real one is 0.5; maskkit.coco
    follows pycocotools' sweep for such RLEs."""
    dt = [{"size": [1, 2], "counts": b"0100"}]  # counts 0, 1, 0, 1
    gt = [{"size": [1, 2], "counts": b"1001"}]  # counts 1, 0, 0, 1
    assert same_array(M.iou(dt, gt, [0]), pycocotools_mask.iou(dt, gt, [0]))


def test_equal_but_distinct_dtype_objects_are_accepted():
    """numpy makes equal dtype objects that are not the canonical one (``newbyteorder('=')``, a
    native copy): they were refused with 'must have dtype uint8 or bool, got uint8'."""
    native_u8 = np.dtype(np.uint8).newbyteorder("=")
    native_f8 = np.dtype(np.float64).newbyteorder("=")
    assert native_f8 is not np.dtype(np.float64)
    mask = np.eye(3, dtype=np.uint8).astype(native_u8)
    assert M.encode(mask) == M.encode(np.eye(3, dtype=np.uint8))
    boxes = np.array([[0.5, 1.0, 2.0, 2.0]]).astype(native_f8)
    assert M.frPyObjects(boxes, 4, 4) == M.frPyObjects(np.array([[0.5, 1.0, 2.0, 2.0]]), 4, 4)
    assert M.iou(boxes, boxes, [0]).tolist() == [[1.0]]
