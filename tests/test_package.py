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
    declared = set(re.findall(r"^def (\w+)", stub, re.M))
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
