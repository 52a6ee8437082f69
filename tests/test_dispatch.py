"""SIMD dispatch: every target gives the scalar bytes (RLE and CC kernels); MASKKIT_SIMD forces the target."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import maskkit
from maskkit import _core, cc, rle

from .conftest import TARGETS


def test_simd_info_shape():
    info = maskkit.simd_info()
    assert info["available"][0] == "scalar"
    assert info["active"] in info["available"]


def corpus():
    rng = np.random.default_rng(7)
    out = []
    for shape in [(1, 1), (1, 200), (200, 1), (63, 65), (64, 64), (129, 31), (480, 640)]:
        for density in (0.0, 0.02, 0.5, 0.98, 1.0):
            out.append((rng.random((3,) + shape) < density).astype(np.uint8))
        out.append(rng.integers(0, 4, (2,) + shape, dtype=np.uint8))  # non-binary values
    return out


def run_all():
    results = []
    for masks in corpus():
        c = rle.encode(masks)
        f = rle.encode(np.asfortranarray(masks.transpose(1, 2, 0)), layout="HWN")
        assert c == f
        results.append((c.counts.tobytes(), rle.decode(c).tobytes(), rle.decode(c, layout="HWN").tobytes(order="A")))
    return results


def assert_every_target_gives_scalars(run):
    """``run()`` (a list of output bytes) is the same on every SIMD target as on scalar."""
    previous = _core.simd_active()
    try:
        _core.set_simd_target("scalar")
        expected = run()
        for target in TARGETS[1:]:
            _core.set_simd_target(target)
            assert run() == expected, target
    finally:
        _core.set_simd_target(previous)


def test_every_target_matches_scalar():
    assert_every_target_gives_scalars(run_all)


@pytest.mark.parametrize("target", TARGETS)
def test_environment_forces_target(target):
    env = dict(os.environ, MASKKIT_SIMD=target)
    out = subprocess.run(
        [sys.executable, "-c", "import maskkit; print(maskkit.simd_info()['active'])"],
        env=env, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == target


def test_unknown_target_rejected():
    with pytest.raises(ValueError, match="unknown SIMD target"):
        _core.set_simd_target("sse9")
    env = dict(os.environ, MASKKIT_SIMD="bogus")
    out = subprocess.run(
        [sys.executable, "-c", "import maskkit, numpy; maskkit.rle.encode(numpy.zeros((2,2),numpy.uint8))"],
        env=env, capture_output=True, text=True,
    )
    assert out.returncode != 0 and "bogus" in out.stderr


def test_environment_sets_threads():
    env = dict(os.environ, MASKKIT_NUM_THREADS="3")
    out = subprocess.run(
        [sys.executable, "-c", "import maskkit; print(maskkit.get_num_threads())"],
        env=env, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "3"


def cc_corpus():
    """Long rows of many runs (a run per pixel where every pixel differs from the one before)."""
    rng = np.random.default_rng(11)
    images = []
    for shape in [(1, 1), (1, 63), (1, 64), (1, 65), (3, 200), (2, 1000), (40, 129), (2, 5, 333)]:
        images.append(rng.integers(0, 2, shape, dtype=np.uint8))  # noise: a run per two pixels
        images.append(rng.integers(0, 256, shape, dtype=np.uint8))  # a value change at almost every pixel
        images.append((np.indices(shape).sum(axis=0) % 2 + 1).astype(np.uint8))  # a change at every pixel
        images.append((rng.random(shape) < 0.98).astype(np.uint8))  # long runs
    return images


def label_all():
    results = []
    for image in cc_corpus():
        for dtype in (np.uint8, np.uint16, np.int32, np.uint64):
            pixels = image.astype(dtype)
            for multilabel in (False, True):
                for background in (0, 1):
                    labels, n = cc.label(pixels, multilabel=multilabel, background=background)
                    results.append((labels.tobytes(), n))
            labels, n = cc.label(pixels, delta=1)
            results.append((labels.tobytes(), n))
    return results


def test_every_target_labels_like_scalar():
    assert_every_target_gives_scalars(label_all)
