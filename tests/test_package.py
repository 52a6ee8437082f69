"""Package surface: typed stubs match the compiled module, and docstring examples run."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import maskkit
from maskkit import _core

PACKAGE = Path(maskkit.__file__).parent


def test_stub_lists_every_core_function():
    stub = (PACKAGE / "_core.pyi").read_text()
    declared = set(re.findall(r"^(?:def (\w+)|(\w+):)", stub, re.M))
    declared = {function or attribute for function, attribute in declared}
    exported = {name for name in dir(_core) if not name.startswith("_")}
    assert declared == exported


def test_typed_marker_installed():
    assert (PACKAGE / "py.typed").exists()


@pytest.mark.parametrize(
    "module", ["maskkit", "maskkit.rle", "maskkit.coco", "maskkit.coco._mask", "maskkit._dialects", "maskkit.cc", "maskkit._cc_cleanup"]
)
def test_docstring_examples(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0


def _starts_on_huge_page(a) -> bool:
    return a.ctypes.data % (2 << 20) == 0


def test_large_results_start_on_a_huge_page_boundary():
    # Their first and last 2 MiB are then faulted in as huge pages, not in 4 KiB pages.
    import numpy as np

    from maskkit import cc, rle
    from maskkit.coco import mask as coco_mask

    image = np.zeros((2048, 2048), np.uint8)
    image[::4, ::4] = 1  # 262,144 components: uint32 labels, 16 MiB
    for _ in range(3):  # malloc places arrays differently from call to call
        labels, n = cc.label(image)
        assert n == 512 * 512 and labels.dtype == np.uint32 and _starts_on_huge_page(labels)
        assert labels.flags.c_contiguous and labels.flags.writeable and labels[0, 0] == 1
    stacked, counts = cc.label_batch(np.stack([image] * 2))
    assert _starts_on_huge_page(stacked) and list(counts) == [n, n]
    masks = np.asfortranarray(np.stack([image] * 2, axis=-1))
    decoded = coco_mask.decode(coco_mask.encode(masks))
    assert _starts_on_huge_page(decoded) and decoded.flags.f_contiguous and np.array_equal(decoded, masks)
    batch = rle.encode(np.stack([image] * 2))
    assert _starts_on_huge_page(rle.decode(batch))

