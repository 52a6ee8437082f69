"""maskkit.iou.mask_to_boundary and boundary_iou against boundary-iou-api's formulation:
OpenCV's zero padding and iterated 3 x 3 erosion, and pycocotools' IoU of the boundaries' RLEs."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maskkit import _core, iou
from maskkit._iou_boundary import dilation_pixels


def reference_dilation(h: int, w: int, ratio: float) -> int:
    """boundary-iou-api's radius: the diagonal in float64, Python's round, at least 1."""
    d = int(round(ratio * np.sqrt(h**2 + w**2)))
    return max(d, 1)


def reference_boundary(cv2: ModuleType, mask: np.ndarray, ratio: float) -> np.ndarray:
    """boundary-iou-api's mask_to_boundary: a one-pixel zero border, d erosions by the 3 x 3
    square, cropped back and subtracted from the mask."""
    h, w = mask.shape
    d = reference_dilation(h, w, ratio)
    padded = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    eroded = cv2.erode(padded, np.ones((3, 3), np.uint8), iterations=d)
    return mask - eroded[1 : h + 1, 1 : w + 1]


def reference_boundary_iou(cv2: ModuleType, coco: ModuleType, a: np.ndarray, b: np.ndarray, ratio: float) -> np.ndarray:
    """The boundaries encoded as COCO RLEs and compared by pycocotools.mask.iou (no crowds)."""

    def rles(masks: np.ndarray) -> list[Any]:
        return [coco.encode(np.asfortranarray(reference_boundary(cv2, m, ratio)[:, :, None]))[0] for m in masks]

    ra, rb = rles(a), rles(b)
    if not ra or not rb:
        return np.zeros((len(ra), len(rb)))
    return np.asarray(coco.iou(ra, rb, [0] * len(rb)), np.float64).reshape(len(ra), len(rb))


def make_mask(seed: int, h: int, w: int, kind: int) -> np.ndarray:
    """Masks whose structures are about the erosion radius: rectangles (some touching the
    border), noise of several densities, full and empty masks, and grey values."""
    rng = np.random.default_rng(seed)
    if kind == 0:
        return np.zeros((h, w), np.uint8)
    if kind == 1:
        return np.ones((h, w), np.uint8)
    if kind == 2:
        return (rng.random((h, w)) < rng.uniform(0.3, 0.98)).astype(np.uint8)
    if kind == 3:
        return rng.integers(0, 256, (h, w)).astype(np.uint8) * (rng.random((h, w)) < 0.9)
    mask = np.zeros((h, w), np.uint8)
    for _ in range(int(rng.integers(1, 5))):
        y0, x0 = int(rng.integers(-2, h)), int(rng.integers(-2, w))
        y1, x1 = y0 + int(rng.integers(1, h + 3)), x0 + int(rng.integers(1, w + 3))
        mask[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = 255 if kind == 5 else 1
    if kind == 6:
        mask[rng.random((h, w)) < 0.02] = 0
    return mask


RATIOS = st.one_of(st.sampled_from([0.0, 0.001, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0]), st.floats(0.0, 0.6))


@given(seed=st.integers(0, 2**32 - 1), h=st.integers(1, 48), w=st.integers(1, 48), kind=st.integers(0, 6), ratio=RATIOS)
def test_mask_to_boundary_equals_opencv_formulation(cv2: ModuleType, seed: int, h: int, w: int, kind: int, ratio: float) -> None:
    mask = make_mask(seed, h, w, kind)
    got = iou.mask_to_boundary(mask, ratio)
    assert got.dtype == np.uint8 and got.shape == (h, w) and got.flags.c_contiguous
    assert np.array_equal(got, reference_boundary(cv2, mask, ratio))


@pytest.mark.parametrize("shape", [(480, 640), (640, 480), (1, 1), (3, 500), (200, 2)])
def test_mask_to_boundary_default_ratio_large_images(cv2: ModuleType, shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(shape))
    stack = np.stack([make_mask(int(s), *shape, kind) for s, kind in zip(rng.integers(0, 2**31, 7), range(7))])
    got = iou.mask_to_boundary(stack)
    assert got.shape == stack.shape
    for mask, boundary in zip(stack, got):
        assert np.array_equal(boundary, reference_boundary(cv2, mask, 0.02))


def test_stack_bool_and_layouts_equal_per_mask() -> None:
    rng = np.random.default_rng(3)
    stack = np.stack([make_mask(int(s), 37, 53, k % 7) for k, s in enumerate(rng.integers(0, 2**31, 12))])
    want = np.stack([iou.mask_to_boundary(m, 0.1) for m in stack])
    assert np.array_equal(iou.mask_to_boundary(stack, 0.1), want)
    binary = stack != 0
    assert np.array_equal(iou.mask_to_boundary(binary, 0.1), (want != 0).astype(np.uint8))
    fortran = np.asfortranarray(stack)
    flipped = stack[::-1, ::-1, ::-1]
    wide = np.zeros((12, 37, 106), np.uint8)
    wide[:, :, ::2] = stack
    readonly = stack.copy()
    readonly.flags.writeable = False
    assert np.array_equal(iou.mask_to_boundary(fortran, 0.1), want)
    assert np.array_equal(iou.mask_to_boundary(flipped, 0.1), np.ascontiguousarray(want[::-1, ::-1, ::-1]))
    assert np.array_equal(iou.mask_to_boundary(wide[:, :, ::2], 0.1), want)
    assert np.array_equal(iou.mask_to_boundary(readonly, 0.1), want)
    assert np.array_equal(iou.mask_to_boundary(stack.transpose(0, 2, 1), 0.1), np.stack(
        [iou.mask_to_boundary(np.ascontiguousarray(m.T), 0.1) for m in stack]))


def test_threads_give_identical_boundaries(num_threads: int) -> None:
    rng = np.random.default_rng(5)
    stack = np.stack([make_mask(int(s), 60, 70, k % 7) for k, s in enumerate(rng.integers(0, 2**31, 40))])
    want = np.stack([iou.mask_to_boundary(m) for m in stack])
    assert np.array_equal(iou.mask_to_boundary(stack), want)
    packed = iou.BitMasks._from_parts(_core.iou_pack_boundaries(stack, 3), 70)
    assert packed == iou.BitMasks.from_dense(_core.iou_mask_boundaries(stack, 3, True))


def test_packed_boundaries_are_the_packed_binary_boundaries() -> None:
    rng = np.random.default_rng(8)
    for h, w in [(0, 4), (4, 0), (33, 64), (65, 130)]:
        stack = np.stack([make_mask(int(s), h, w, k % 7) for k, s in enumerate(rng.integers(0, 2**31, 9))])
        for d in (0, 1, 2, 9, 40):
            got = iou.BitMasks._from_parts(_core.iou_pack_boundaries(stack[:, ::-1], d), w)
            want = iou.BitMasks.from_dense(_core.iou_mask_boundaries(stack[:, ::-1], d, True))
            assert got == want
            assert np.array_equal(got.area, want.area) and np.array_equal(got.boxes, want.boxes)


def test_every_simd_target_gives_the_same_boundaries(cv2: ModuleType, simd_target: str) -> None:
    # Widths around 64 and 128 pixels cross the word and vector edges of the row searches and
    # of the packed erosion.
    rng = np.random.default_rng(17)
    for h, w in [(70, 63), (70, 64), (70, 65), (130, 129), (9, 200)]:
        for kind in range(7):
            mask = make_mask(int(rng.integers(0, 2**31)), h, w, kind)
            for ratio in (0.0, 0.02, 0.06):
                assert np.array_equal(iou.mask_to_boundary(mask, ratio), reference_boundary(cv2, mask, ratio))
                strided = np.zeros((h, 2 * w), np.uint8)
                strided[:, ::2] = mask
                assert np.array_equal(iou.mask_to_boundary(strided[:, ::2], ratio), reference_boundary(cv2, mask, ratio))


@pytest.mark.parametrize("shape", [(0, 5, 5), (3, 0, 5), (3, 5, 0), (0, 0), (4, 0), (0, 0, 0)])
def test_zero_sized_axes(shape: tuple[int, ...]) -> None:
    got = iou.mask_to_boundary(np.zeros(shape, np.uint8))
    assert got.shape == shape and got.dtype == np.uint8
    n = shape[0] if len(shape) == 3 else 1
    assert iou.boundary_iou(np.zeros(shape, bool), np.zeros(shape, bool)).shape == (n, n)


def test_border_counts_as_background() -> None:
    full = np.ones((9, 9), np.uint8)
    ring = iou.mask_to_boundary(full, 0.1)  # d = round(1.27) = 1
    want = np.ones((9, 9), np.uint8)
    want[1:-1, 1:-1] = 0
    assert np.array_equal(ring, want)


def test_dilation_radius_and_its_rounding() -> None:
    assert dilation_pixels(480, 640) == 16 and dilation_pixels(1024, 2048) == 46
    # 3-4-5 triangles put ratio * diagonal on exact halves: Python rounds them to even.
    assert [dilation_pixels(3, 4, r) for r in (0.1, 0.3, 0.5, 0.7, 0.9)] == [1, 2, 2, 4, 4]
    for h, w in [(1, 1), (17, 3), (480, 640), (1000, 1), (99, 1001)]:
        for ratio in (0.0, 0.001, 0.005, 0.01, 0.02, 0.0333, 0.1, 0.5):
            assert dilation_pixels(h, w, ratio) == min(reference_dilation(h, w, ratio), max(h, w))
    # Radii beyond the image erode everything; they are capped without changing the result.
    assert dilation_pixels(4, 6, 1e300) == 6
    mask = np.ones((4, 6), np.uint8)
    assert np.array_equal(iou.mask_to_boundary(mask, 1e300), mask)


@pytest.mark.parametrize("ratio", [math.nan, math.inf, -math.inf, -0.02, -1e-300])
def test_bad_ratio_values(ratio: float) -> None:
    with pytest.raises(ValueError, match="dilation_ratio must be finite and >= 0"):
        iou.mask_to_boundary(np.ones((3, 3), np.uint8), ratio)
    with pytest.raises(ValueError, match="dilation_ratio"):
        iou.boundary_iou(np.ones((3, 3), np.uint8), np.ones((3, 3), np.uint8), dilation_ratio=ratio)


@pytest.mark.parametrize("ratio", ["0.02", None, True, np.bool_(False), 1j, [0.02]])
def test_bad_ratio_types(ratio: Any) -> None:
    with pytest.raises(TypeError, match="dilation_ratio must be a real number"):
        iou.mask_to_boundary(np.ones((3, 3), np.uint8), ratio)


def test_integer_and_numpy_ratios_are_accepted() -> None:
    mask = np.ones((5, 5), np.uint8)
    assert np.array_equal(iou.mask_to_boundary(mask, 0), iou.mask_to_boundary(mask, np.float32(0.0)))
    assert np.array_equal(iou.mask_to_boundary(mask, np.int64(1)), mask)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int8, np.uint16, ">u2"])
def test_bad_mask_dtypes(dtype: Any) -> None:
    with pytest.raises(TypeError, match="must have dtype uint8 or bool"):
        iou.mask_to_boundary(np.ones((3, 3), dtype))
    with pytest.raises(TypeError, match="must have dtype uint8 or bool"):
        iou.boundary_iou(np.ones((1, 3, 3), dtype), np.ones((1, 3, 3), np.uint8))


@pytest.mark.parametrize("shape", [(), (5,), (1, 2, 3, 4)])
def test_bad_mask_ndim(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"must be 2-D \(H, W\) or 3-D"):
        iou.mask_to_boundary(np.ones(shape, np.uint8))
    with pytest.raises(ValueError, match=r"must be 2-D \(H, W\) or 3-D"):
        iou.boundary_iou(np.ones(shape, np.uint8), np.ones((1, 3, 3), np.uint8))


def test_boundary_iou_sizes_must_agree() -> None:
    with pytest.raises(ValueError, match=r"same height and width, got \(3, 4\) and \(4, 3\)"):
        iou.boundary_iou(np.ones((1, 3, 4), np.uint8), np.ones((2, 4, 3), np.uint8))


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 4),
    m=st.integers(0, 4),
    h=st.integers(1, 40),
    w=st.integers(1, 40),
    ratio=RATIOS,
)
def test_boundary_iou_equals_pycocotools_on_opencv_boundaries(
    cv2: ModuleType, pycocotools_mask: ModuleType, seed: int, n: int, m: int, h: int, w: int, ratio: float
) -> None:
    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, 7, n + m)
    seeds = rng.integers(0, 2**31, n + m)
    # 0/1 masks: pycocotools' encoder starts a run at every change of byte value, so grey
    # masks have no RLE of their foreground.
    masks = [(make_mask(int(s), h, w, int(k)) != 0).astype(np.uint8) for s, k in zip(seeds, kinds)]
    a = np.stack(masks[:n]) if n else np.zeros((0, h, w), np.uint8)
    b = np.stack(masks[n:]) if m else np.zeros((0, h, w), np.uint8)
    got = iou.boundary_iou(a, b, dilation_ratio=ratio)
    assert got.dtype == np.float64 and got.shape == (n, m)
    assert np.array_equal(got, reference_boundary_iou(cv2, pycocotools_mask, a, b, ratio))


def test_boundary_iou_is_mask_iou_of_boundaries_and_self_pairs() -> None:
    rng = np.random.default_rng(11)
    stack = np.stack([make_mask(int(s), 50, 41, k % 7) for k, s in enumerate(rng.integers(0, 2**31, 14))])
    got = iou.boundary_iou(stack, stack)
    # Non-zero is foreground: grey masks compare by the boundaries of their foregrounds.
    assert np.array_equal(got, iou.mask_iou(iou.mask_to_boundary(stack != 0), iou.mask_to_boundary(stack != 0)))
    assert np.array_equal(got, got.T)
    nonempty = stack.reshape(14, -1).any(1)
    assert np.array_equal(np.diag(got), nonempty.astype(np.float64))
    assert np.array_equal(iou.boundary_iou(stack[0], stack), got[:1])


def test_torch_tensors_are_read_without_copies() -> None:
    torch = pytest.importorskip("torch", reason="torch is optional; the tensor path is np.asarray")
    rng = np.random.default_rng(2)
    stack = np.stack([make_mask(int(s), 30, 31, k % 7) for k, s in enumerate(rng.integers(0, 2**31, 5))])
    tensor = torch.from_numpy(stack)
    assert np.array_equal(iou.mask_to_boundary(tensor), iou.mask_to_boundary(stack))
    assert np.array_equal(iou.boundary_iou(tensor, tensor > 0), iou.boundary_iou(stack, stack))
