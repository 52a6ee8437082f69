"""Fuzz the package-level runtime controls: thread count and SIMD target."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import maskkit
from maskkit import _core

from .harness import fuzz, succeeded

thread_counts = st.one_of(
    st.integers(-(2**70), 2**70), st.integers(0, 300), st.none(), st.booleans(), st.floats(allow_nan=True),
    st.text(max_size=4), st.just(2**63), st.just(2**64),
)


@fuzz
@given(n=thread_counts)
def test_fuzz_set_num_threads(n: Any) -> None:
    previous = maskkit.get_num_threads()
    try:
        if not succeeded(maskkit.set_num_threads, n):
            assert maskkit.get_num_threads() == previous
            return
        assert maskkit.get_num_threads() == n
    finally:
        maskkit.set_num_threads(previous)


@fuzz
@given(target=st.one_of(st.sampled_from(["scalar", "avx2", "avx512", "neon", "", "AVX2"]), st.text(max_size=6)))
def test_fuzz_set_simd_target(target: str) -> None:
    previous = _core.simd_active()
    try:
        if not succeeded(_core.set_simd_target, target):
            assert _core.simd_active() == previous
            return
        assert _core.simd_active() == target
    finally:
        _core.set_simd_target(previous)
