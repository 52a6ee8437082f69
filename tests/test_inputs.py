"""Inputs without copies: numpy arrays, DLPack-only objects, torch CPU tensors (when torch is
installed); tensors on an accelerator and tensors that require grad are refused by name."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from maskkit import boxes, cc, iou, rle
from maskkit._validate import host_array

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (it is not a test extra); pip install torch")


class OnlyDLPack:
    """A tensor library's object that speaks DLPack and nothing else."""

    def __init__(self, array: np.ndarray, device: tuple[int, int] = (1, 0)) -> None:
        self.array, self.device_pair = array, device

    def __dlpack__(self, **kwargs):
        return self.array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.device_pair


def masks(n: int = 3) -> np.ndarray:
    rng = np.random.default_rng(5)
    return rng.random((n, 17, 70)) < 0.4


@pytest.mark.parametrize("dtype", [np.uint8, np.bool_, np.int32, np.float32])
def test_dlpack_only_objects_are_read_in_place(dtype):
    a = masks().astype(dtype)
    view = host_array(OnlyDLPack(a))
    assert view.dtype == a.dtype and np.shares_memory(view, a)


def test_dlpack_inputs_give_the_numpy_results():
    m = masks().astype(np.uint8)
    assert rle.encode(OnlyDLPack(m)) == rle.encode(m)
    np.testing.assert_array_equal(iou.mask_iou(OnlyDLPack(m), OnlyDLPack(m[:2])), iou.mask_iou(m, m[:2]))
    np.testing.assert_array_equal(boxes.masks_to_boxes(OnlyDLPack(m)), boxes.masks_to_boxes(m))
    labels, n = cc.label(OnlyDLPack(m[0]))
    want, n_want = cc.label(m[0])
    np.testing.assert_array_equal(labels, want)
    assert n == n_want


@pytest.mark.parametrize("device", [(2, 0), (2, 3), (10, 1)])
def test_accelerator_memory_is_refused_by_name(device):
    with pytest.raises(TypeError, match=r"masks lives on DLPack device type \d+, index \d+; .*cpu\(\)"):
        rle.encode(OnlyDLPack(masks().astype(np.uint8), device))


@needs_torch
@pytest.mark.parametrize("dtype", ["bool", "uint8"])
def test_torch_cpu_tensors_are_read_in_place(dtype):
    import torch

    m = masks()
    t = torch.from_numpy(m.astype(dtype))
    assert np.shares_memory(host_array(t), t.numpy())
    assert rle.encode(t) == rle.encode(m)
    np.testing.assert_array_equal(iou.mask_iou(t, t), iou.mask_iou(m, m))
    # a transposed tensor is a strided view: still no copy, still the same answers
    tt = torch.from_numpy(m.astype(dtype)).permute(0, 2, 1)
    assert rle.encode(tt) == rle.encode(np.ascontiguousarray(m.transpose(0, 2, 1)))


@needs_torch
def test_torch_tensors_that_require_grad_are_refused_with_the_fix():
    import torch

    t = torch.zeros((2, 4, 4), requires_grad=True)
    with pytest.raises(TypeError, match=r"image cannot be read without a copy .*tensor\.detach\(\)"):
        cc.label(t)
