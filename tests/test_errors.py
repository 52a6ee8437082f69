"""Hostile input: a typed exception naming the rule, never a crash, hang or huge allocation."""

from __future__ import annotations


import numpy as np
import pytest

import maskkit.coco as M
from maskkit import rle
from maskkit.coco import _mask as MK

from .limits import run_limited


@pytest.mark.parametrize(
    "counts, exc",
    [
        (b"0\x01", ValueError),  # below '0'
        (b"p", ValueError),  # above 'o'
        (b"00o", ValueError),  # ends on a continuation character
        ("0\u00e9", ValueError),  # non-ASCII str
        (b"_" * 13 + b"0", ValueError),  # more groups than any uint32 needs
        ([1, 2], TypeError),
        (None, TypeError),
        (bytearray(b"4"), TypeError),
    ],
)
def test_malformed_counts(counts, exc):
    obj = {"size": [2, 2], "counts": counts}
    for fn in (M.decode, M.area, M.toBbox, M.merge):
        with pytest.raises(exc):
            fn([obj, obj])


@pytest.mark.parametrize("size", [[-1, 2], [2, -1], [2**40, 1], ["a", 1], [float("nan"), 1], [None, 1]])
def test_bad_sizes(size):
    with pytest.raises((ValueError, TypeError, OverflowError)):
        M.decode({"size": size, "counts": b"4"})


def test_negative_and_oversized_counts():
    # a delta below zero wraps to a huge count: decoding must refuse it, not write past the end
    with pytest.raises(ValueError, match="Invalid RLE"):
        M.decode({"size": [3, 3], "counts": b"1c1"})
    with pytest.raises(ValueError, match="Invalid RLE"):
        M.decode({"size": [2, 2], "counts": b"5"})
    with pytest.raises(OverflowError):
        M.frPyObjects({"size": [2, 2], "counts": [-3, 7]}, 2, 2)
    with pytest.raises((ValueError, OverflowError)):
        rle.RleBatch([2**32], [0, 1], [[1, 1]])
    with pytest.raises(ValueError):
        rle.RleBatch([-1], [0, 1], [[1, 1]])


def test_counts_beyond_image_never_hang_merge_or_iou():
    a = {"size": [2, 2], "counts": b"13"}
    b = {"size": [2, 2], "counts": b"8"}
    with pytest.raises(ValueError):
        M.merge([a, b])
    with pytest.raises(ValueError):
        M.iou([{"size": [2, 2], "counts": b"08"}], [{"size": [2, 2], "counts": b"04"}], [0])


def test_zero_sized_images():
    for h, w in [(0, 0), (0, 5), (5, 0)]:
        m = np.zeros((h, w), np.uint8)
        assert M.encode(m) == {"size": [h, w], "counts": b"0"}
        assert M.decode(M.encode(m)).shape == (h, w)
        assert M.area(M.encode(m)) == 0
        assert M.toBbox(M.encode(m)).tolist() == [0, 0, 0, 0]
        assert rle.decode(rle.encode(m)).shape == (1, h, w)
        assert M.frPyObjects([[0, 0, 3, 0, 3, 3]], h, w)[0]["size"] == [h, w]


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e15, -1e300])
def test_polygon_non_finite_or_huge(value):
    for coords in ([value, 0, 3, 0, 3, 3], [0, 0, 3, value, 3, 3]):
        with pytest.raises(ValueError, match="coordinate"):
            M.frPyObjects([coords], 10, 10)
        with pytest.raises(ValueError, match="coordinate"):
            rle.from_polygons([coords], 10, 10)
    with pytest.raises(ValueError, match="box value"):
        rle.from_bbox([0, 0, value, 3], 10, 10)


def test_far_coordinates_cost_nothing():
    """pycocotools walks (and allocates) 5 points per pixel of perimeter: 1e12 would need TBs.

    Run in a fresh process under a 2 GiB address-space limit, so the peak belongs to this call
    alone; its timeout only guards against walking the coordinates (hours).
    """
    code = """
    import maskkit.coco as M
    M.frPyObjects([[0.0, 0.0, 4.0, 0.0, 4.0, 4.0]], 30, 40)
    before = peak_rss_mib()
    for _ in range(200):
        big = M.frPyObjects([[-1e12, -1e12, 1e12, -1e12, 1e12, 1e12, -1e12, 1e12]], 30, 40)[0]
    thin = M.frPyObjects([[0.5, 0.5, 1e12, 0.7, 1e12, 0.9, 0.5, 2.6]], 30, 40)[0]
    report(big=int(M.area(big)), thin=int(M.area(thin)), grown_mib=peak_rss_mib() - before)
    """
    result = run_limited(code, address_space_gib=2, timeout_s=120)
    assert result["big"] == 1200
    assert result["thin"] > 0
    assert result["grown_mib"] < 50


def test_box_with_huge_values():
    assert M.area(M.frPyObjects(np.array([[-1e12, -1e12, 2e12, 2e12]]), 6, 7)[0]) == 42
    with pytest.raises(ValueError):
        M.frPyObjects(np.array([[0.0, 0.0, np.nan, 3.0]]), 6, 7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.uint16, object])
def test_rle_encode_refuses_lossy_dtypes(dtype):
    with pytest.raises(TypeError, match="uint8 or bool"):
        rle.encode(np.zeros((2, 3, 4), dtype))


def test_rle_encode_bad_ndim_and_layout():
    with pytest.raises(ValueError):
        rle.encode(np.zeros(5, np.uint8))
    with pytest.raises(ValueError):
        rle.encode(np.zeros((1, 2, 3, 4), np.uint8))
    with pytest.raises(ValueError, match="layout"):
        rle.encode(np.zeros((2, 3, 4), np.uint8), layout="WHN")  # type: ignore[arg-type]


def test_rle_batch_validation():
    with pytest.raises(ValueError, match="offsets"):
        rle.RleBatch([1, 2], [0, 3], [[1, 3]])
    with pytest.raises(ValueError, match="sizes"):
        rle.RleBatch([1, 2], [0, 2], [[1, 3], [1, 3]])
    with pytest.raises(TypeError):
        rle.RleBatch([1.5], [0, 1], [[1, 1]])
    with pytest.raises(ValueError, match="one size"):
        rle.merge(rle.concatenate([rle.encode(np.zeros((2, 2), np.uint8)), rle.encode(np.zeros((3, 3), np.uint8))]))


@pytest.mark.parametrize(
    ("size", "exc", "hwn", "nhw"),
    [
        ([2**31, 2**31], MemoryError, r"\(2147483648, 2147483648, 1\)", r"\(1, 2147483648, 2147483648\)"),
        ([2**32 - 1] * 2, ValueError, "too big", "too big"),
    ],
)
def test_decode_of_masks_too_large_to_allocate(size, exc, hwn, nhw):
    # refused before any allocation, or by numpy naming the array's own shape (not that of a
    # padded buffer behind it)
    objs = [{"size": size, "counts": b"0"}]
    with pytest.raises(exc, match=hwn):
        M.decode(objs)
    batch = rle.RleBatch.from_coco(objs)
    with pytest.raises(exc, match=hwn):
        rle.decode(batch, layout="HWN")
    with pytest.raises(exc, match=nhw):
        rle.decode(batch, layout="NHW")


def test_decode_refuses_mixed_sizes_in_batch():
    batch = rle.concatenate([rle.encode(np.zeros((2, 2), np.uint8)), rle.encode(np.zeros((3, 3), np.uint8))])
    with pytest.raises(ValueError, match="same size"):
        rle.decode(batch)


def test_core_rejects_inconsistent_arrays():
    from maskkit import _core

    with pytest.raises(TypeError):
        _core.rle_area(np.zeros(3, np.int64), np.array([0, 3]), np.array([[1, 3]]))
    with pytest.raises(ValueError):
        _core.rle_area(np.zeros(3, np.uint32), np.array([0, 5]), np.array([[1, 3]]))
    with pytest.raises(ValueError):
        _core.rle_area(np.zeros(3, np.uint32), np.array([0, 3]), np.array([[-1, 3]]))
    with pytest.raises(ValueError):
        _core.rle_decode(np.zeros(3, np.uint32), np.array([0, 3]), np.array([[1, 3], [1, 3]]), True)


def test_frbbox_wrong_types():
    with pytest.raises(TypeError):
        MK.frBbox([[0.0, 0, 1, 1]], 3, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        MK.frBbox(np.zeros((2, 4), np.float32), 3, 3)
    with pytest.raises(TypeError):
        MK.frPoly([[0, 0, "a", 1, 2, 2]], 3, 3)
    with pytest.raises(ValueError):
        MK.frPoly([np.zeros((3, 2))], 3, 3)


def test_decode_checks_sizes_before_allocating():
    """A batch whose first RLE is huge and whose second differs is refused before the n masks
    of the first one's size are allocated (the fuzzer's case needed 8 GiB)."""
    code = """
    import maskkit.coco as M
    from maskkit import rle
    try:
        M.decode([{'size': [4294967295, 1.0, 4294967295], 'counts': b''}, {'size': [0, 0], 'counts': b'0'}])
    except ValueError as error:
        coco = str(error)
    batch = rle.RleBatch([0, 0, 0], [0, 1, 3], [[4294967295, 2], [0, 0]])
    try:
        rle.decode(batch)
    except ValueError as error:
        batched = str(error)
    report(coco=coco, batched=batched)
    """
    result = run_limited(code, address_space_gib=1, timeout_s=120)
    assert "RLE 0 is 4294967295x1, RLE 1 is 0x0" in result["coco"]
    assert "must have the same size" in result["batched"]
