"""maskkit.boxes.paste_masks_in_image (detectron2) and crop_masks (ultralytics), bit for bit.

detectron2 and ultralytics are torch code, so each is transcribed twice: in NumPy in
maskkit._bench.nms_ports (float32 or float64 operations in the order torch's CPU kernels perform
them, the oracle that always runs) and here with torch itself (F.grid_sample and tensor
products), run where torch is installed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maskkit import boxes as mb
from maskkit._bench.nms_ports import crop_mask as crop_numpy
from maskkit._bench.nms_ports import paste_bounds as _bounds
from maskkit._bench.nms_ports import paste_masks_in_image as paste_numpy


# ---------------------------------------------------------------- torch formulations

def torch_or_skip() -> ModuleType:
    return pytest.importorskip("torch", reason="torch is not installed (not a test dependency); the NumPy transcriptions still run")


def paste_torch(torch: ModuleType, masks: np.ndarray, boxes: np.ndarray, h: int, w: int, threshold: float = 0.5) -> np.ndarray:
    """detectron2's CPU code path, with torch: per mask, the bounds, the grid, F.grid_sample."""
    fn = torch.nn.functional
    m = torch.from_numpy(masks)
    bx = torch.from_numpy(boxes)
    n = len(m)
    if n == 0:
        return np.zeros((0, h, w), np.uint8)
    out = torch.zeros(n, h, w, dtype=torch.bool if threshold >= 0 else torch.uint8)
    for i in range(n):
        box = bx[i : i + 1]
        xa, ya = torch.clamp(box.min(dim=0).values.floor()[:2] - 1, min=0).to(dtype=torch.int32)
        xb = torch.clamp(box[:, 2].max().ceil() + 1, max=w).to(dtype=torch.int32)
        yb = torch.clamp(box[:, 3].max().ceil() + 1, max=h).to(dtype=torch.int32)
        x0, y0, x1, y1 = torch.split(box, 1, dim=1)
        img_y = torch.arange(ya, yb, dtype=torch.float32) + 0.5
        img_x = torch.arange(xa, xb, dtype=torch.float32) + 0.5
        img_y = (img_y - y0) / (y1 - y0) * 2 - 1
        img_x = (img_x - x0) / (x1 - x0) * 2 - 1
        gx = img_x[:, None, :].expand(1, img_y.size(1), img_x.size(1))
        gy = img_y[:, :, None].expand(1, img_y.size(1), img_x.size(1))
        grid = torch.stack([gx, gy], dim=3)
        sampled = fn.grid_sample(m[i : i + 1, None], grid.to(m.dtype), align_corners=False)[:, 0]
        if threshold >= 0:
            chunk = (sampled >= threshold).to(dtype=torch.bool)
        else:
            chunk = (sampled * 255).to(dtype=torch.uint8)
        out[i : i + 1, ya:yb, xa:xb] = chunk
    result: np.ndarray = out.numpy()
    return result


def crop_torch(torch: ModuleType, masks: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    m, b = torch.from_numpy(masks), torch.from_numpy(boxes)
    _, h, w = m.shape
    x1, y1, x2, y2 = torch.chunk(b[:, :, None], 4, 1)
    r = torch.arange(w, dtype=x1.dtype)[None, None, :]
    c = torch.arange(h, dtype=x1.dtype)[None, :, None]
    result: np.ndarray = (m * ((r >= x1) * (r < x2) * (c >= y1) * (c < y2))).numpy()
    return result


# ---------------------------------------------------------------- data

def detections(rng: np.random.Generator, n: int, h: int, w: int, m: int = 28, dtype: Any = np.float32,
               box_dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Soft (n, m, m) masks and boxes, some reaching past the image, some tiny."""
    masks = rng.random((n, m, m)).astype(dtype)
    masks[masks < 0.3] = 0
    x0 = rng.uniform(-20, w, n)
    y0 = rng.uniform(-20, h, n)
    bw = rng.choice([0.3, 2.0, 17.5, 60.0, 150.0], n) * rng.uniform(0.5, 1.5, n)
    bh = rng.choice([0.3, 2.0, 17.5, 60.0, 150.0], n) * rng.uniform(0.5, 1.5, n)
    boxes = np.stack([x0, y0, x0 + bw, y0 + bh], 1).astype(box_dtype)
    return masks, boxes


def identical(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))


# ---------------------------------------------------------------- paste

@pytest.mark.parametrize("dtype, box_dtype", [(np.float32, np.float32), (np.float32, np.float64),
                                              (np.float64, np.float32), (np.float64, np.float64)])
@pytest.mark.parametrize("threshold", [0.5, 0.0, 0.37, -1.0])
def test_paste_equals_transcription(dtype: Any, box_dtype: Any, threshold: float) -> None:
    rng = np.random.default_rng(7)
    masks, boxes = detections(rng, 40, 120, 160, dtype=dtype, box_dtype=box_dtype)
    got = mb.paste_masks_in_image(masks, boxes, (120, 160), threshold)
    assert identical(got, paste_numpy(masks, boxes, 120, 160, threshold))


@pytest.mark.parametrize("dtype, box_dtype", [(np.float32, np.float32), (np.float64, np.float64), (np.float32, np.float64)])
@pytest.mark.parametrize("threshold", [0.5, 0.21, -1.0])
def test_paste_equals_torch(dtype: Any, box_dtype: Any, threshold: float) -> None:
    torch = torch_or_skip()
    torch.set_num_threads(1)
    rng = np.random.default_rng(11)
    masks, boxes = detections(rng, 40, 100, 130, dtype=dtype, box_dtype=box_dtype)
    # detectron2's torch.arange raises for boxes whose bounds hold no pixel of the image
    inside = np.array([_bounds(b[0], b[2], 130)[1] > _bounds(b[0], b[2], 130)[0] and
                       _bounds(b[1], b[3], 100)[1] > _bounds(b[1], b[3], 100)[0] for b in boxes], bool)
    masks, boxes = masks[inside], boxes[inside]
    got = mb.paste_masks_in_image(masks, boxes, (100, 130), threshold)
    assert identical(got, paste_torch(torch, masks, boxes, 100, 130, threshold))


@given(st.data())
def test_paste_property_against_transcription(data: st.DataObject) -> None:
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = data.draw(st.integers(0, 4))
    m = data.draw(st.integers(1, 9))
    h, w = data.draw(st.integers(1, 40)), data.draw(st.integers(1, 40))
    masks = np.round(rng.random((n, m, m)), data.draw(st.integers(0, 2))).astype(np.float32)
    coords = rng.uniform(-10, 50, (n, 4)).astype(np.float32)
    if data.draw(st.booleans()):
        coords = np.round(coords * 2) / 2  # boxes on half pixels, where samples hit corners exactly
    threshold = data.draw(st.sampled_from([0.5, 0.0, 0.25, 1.0, -1.0]))
    got = mb.paste_masks_in_image(masks, coords, (h, w), threshold)
    assert identical(got, paste_numpy(masks, coords, h, w, threshold))


def test_paste_writes_only_inside_bounds() -> None:
    masks = np.ones((1, 4, 4), np.float32)
    got = mb.paste_masks_in_image(masks, np.array([[10.2, 5.5, 20.7, 9.0]], np.float32), (30, 40), 0.0)
    ys, xs = np.nonzero(got[0])
    assert (ys.min(), ys.max() + 1, xs.min(), xs.max() + 1) == (4, 10, 9, 22)  # [floor-1, ceil+1)


def test_paste_quirks() -> None:
    empty = mb.paste_masks_in_image(np.zeros((0, 28, 28), np.float32), np.zeros((0, 4), np.float32), (5, 6))
    assert empty.dtype == np.uint8 and empty.shape == (0, 5, 6)  # detectron2's empty result is uint8
    masks = np.full((2, 3, 3), 0.5, np.float32)
    outside = np.array([[100, 100, 120, 120], [5, 5, 1, 1]], np.float32)  # torch.arange raises for these
    assert not mb.paste_masks_in_image(masks, outside, (20, 20)).any()
    flat = np.array([[2, 2, 2, 6], [2, 2, 6, 2]], np.float32)  # zero width / height: NaN samples
    assert not mb.paste_masks_in_image(masks, flat, (10, 10), 0.0).any()
    assert not mb.paste_masks_in_image(masks, flat, (10, 10), -1.0).any()
    ints = mb.paste_masks_in_image(masks, np.array([[1, 1, 4, 4], [0, 0, 3, 3]]), (6, 6))
    assert identical(ints, paste_numpy(masks, np.array([[1, 1, 4, 4], [0, 0, 3, 3]], np.float32), 6, 6))
    binary = (np.random.default_rng(3).random((2, 5, 5)) > 0.5)
    box = np.array([[0.5, 1.0, 7.5, 6.25], [2, 2, 9, 9]], np.float32)
    assert identical(mb.paste_masks_in_image(binary, box, (10, 10)), paste_numpy(binary.astype(np.float32), box, 10, 10))


def test_paste_non_square_and_layouts() -> None:
    rng = np.random.default_rng(5)
    masks = rng.random((3, 5, 9)).astype(np.float32)
    box = np.array([[1, 2, 30, 12], [-3, -3, 8, 40], [10.5, 0.25, 11.0, 9.75]], np.float32)
    want = paste_numpy(masks, box, 33, 31)
    for layout in (masks, np.asfortranarray(masks), masks.astype(">f4"), masks[:, ::-1, :][:, ::-1, :].copy()):
        assert identical(mb.paste_masks_in_image(layout, box, (33, 31)), want)
    wide = np.zeros((3, 10, 18), np.float32)
    wide[:, ::2, ::2] = masks
    assert identical(mb.paste_masks_in_image(wide[:, ::2, ::2], box, (33, 31)), want)


@pytest.mark.parametrize(
    "args, error",
    [
        ((np.zeros((1, 3, 3), np.int32), np.zeros((1, 4)), (4, 4)), TypeError),
        ((np.zeros((1, 3, 3), np.complex64), np.zeros((1, 4)), (4, 4)), TypeError),
        ((np.zeros((3, 3), np.float32), np.zeros((1, 4)), (4, 4)), ValueError),
        ((np.zeros((1, 0, 3), np.float32), np.zeros((1, 4)), (4, 4)), ValueError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((2, 4)), (4, 4)), ValueError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((1, 4), np.complex128), (4, 4)), TypeError),
        ((np.zeros((1, 3, 3), np.float32), np.array([[0, 0, np.nan, 1]]), (4, 4)), ValueError),
        ((np.zeros((1, 3, 3), np.float32), np.array([[0, 0, np.inf, 1]]), (4, 4)), ValueError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((1, 4)), (4,)), TypeError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((1, 4)), (4, 2.5)), TypeError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((1, 4)), (-1, 4)), ValueError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((1, 4)), (2**32, 4)), OverflowError),
        ((np.full((1, 3, 3), 2.0, np.float32), np.zeros((1, 4)), (4, 4), -1.0), ValueError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((1, 4)), (4, 4), float("nan")), ValueError),
        ((np.zeros((1, 3, 3), np.float32), np.zeros((1, 4)), (4, 4), "0.5"), TypeError),
    ],
)
def test_paste_errors(args: tuple[Any, ...], error: type) -> None:
    with pytest.raises(error):
        mb.paste_masks_in_image(*args)


def test_paste_threads_and_targets(simd_target: str, num_threads: int) -> None:
    rng = np.random.default_rng(9)
    masks, boxes = detections(rng, 30, 90, 110)
    assert identical(mb.paste_masks_in_image(masks, boxes, (90, 110)), paste_numpy(masks, boxes, 90, 110))
    soft = rng.normal(size=(30, 90, 110)).astype(np.float32)
    assert mb.crop_masks(soft, boxes).tobytes() == crop_numpy(soft, boxes).tobytes()


# ---------------------------------------------------------------- crop

def crop_cases(rng: np.random.Generator, dtype: Any, box_dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    n, h, w = 6, 13, 17
    if dtype == np.bool_:
        masks = rng.random((n, h, w)) > 0.4
    elif dtype == np.uint8:
        masks = rng.integers(0, 256, (n, h, w)).astype(np.uint8)
    else:
        masks = rng.normal(size=(n, h, w)).astype(dtype)
        masks[0, 0, :3] = [np.nan, np.inf, -np.inf]
    boxes = np.array([[1.5, 2.0, 9.0, 10.5], [-3, -3, 40, 40], [5, 5, 5, 9], [16.9999, 0, 17, 13],
                      [np.nan, 0, 8, 8], [8, 8, 2, 2]], box_dtype)
    return masks, boxes


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("box_dtype", [np.float32, np.float64])
def test_crop_equals_transcription_and_torch(dtype: Any, box_dtype: Any) -> None:
    masks, boxes = crop_cases(np.random.default_rng(1), dtype, box_dtype)
    want = crop_numpy(masks, boxes)
    got = mb.crop_masks(masks, boxes)
    assert got.dtype == masks.dtype and got.flags.c_contiguous
    assert got.tobytes() == want.tobytes()  # bytes: -0.0 and NaN payloads included
    for layout in (np.asfortranarray(masks), masks[:, ::-1][:, ::-1], masks.astype(masks.dtype.newbyteorder(">"))):
        assert mb.crop_masks(layout, boxes).tobytes() == want.tobytes()
    try:
        import torch
    except ImportError:
        return
    assert crop_torch(torch, masks, boxes).tobytes() == want.tobytes()


@given(st.data())
def test_crop_property(data: st.DataObject) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n, h, w = data.draw(st.integers(0, 4)), data.draw(st.integers(0, 12)), data.draw(st.integers(0, 12))
    masks = rng.normal(size=(n, h, w)).astype(np.float32)
    boxes = np.round(rng.uniform(-3, 15, (n, 4)), data.draw(st.integers(0, 2))).astype(np.float32)
    assert mb.crop_masks(masks, boxes).tobytes() == crop_numpy(masks, boxes).tobytes()


@pytest.mark.parametrize(
    "masks, boxes, error",
    [
        (np.zeros((1, 2, 2), np.int16), np.zeros((1, 4)), TypeError),
        (np.zeros((2, 2), np.uint8), np.zeros((1, 4)), ValueError),
        (np.zeros((1, 2, 2), np.uint8), np.zeros((2, 4)), ValueError),
        (np.zeros((1, 2, 2), np.uint8), np.zeros((1, 3)), ValueError),
        (np.zeros((1, 2, 2), np.uint8), np.array([["a", "b", "c", "d"]]), TypeError),
    ],
)
def test_crop_errors(masks: np.ndarray, boxes: Any, error: type) -> None:
    with pytest.raises(error):
        mb.crop_masks(masks, boxes)





def test_paste_byte_orders_keep_precision() -> None:
    rng = np.random.default_rng(6)
    masks, box = detections(rng, 12, 50, 60, dtype=np.float64, box_dtype=np.float64)
    want = paste_numpy(masks, box, 50, 60)
    assert identical(mb.paste_masks_in_image(masks.astype(">f8"), box.astype(">f8"), (50, 60)), want)
    assert identical(mb.paste_masks_in_image(masks.astype(np.float32), box.astype(">f8"), (50, 60)),
                     paste_numpy(masks.astype(np.float32), box, 50, 60))
