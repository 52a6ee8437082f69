"""Shared fixtures: hypothesis profiles, every SIMD target, several thread counts."""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from hypothesis import HealthCheck, settings

import maskkit
from maskkit import _core

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], print_blob=True
)
settings.register_profile("dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TARGETS = list(_core.simd_targets())


def pytest_report_header(config: pytest.Config) -> str:
    info = maskkit.simd_info()
    return (
        f"maskkit SIMD: active={info['active']} tested={','.join(TARGETS)}; "
        f"threads={maskkit.get_num_threads()}"
    )


@pytest.fixture(params=TARGETS)
def simd_target(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test once per SIMD target this CPU supports."""
    previous = _core.simd_active()
    _core.set_simd_target(request.param)
    assert maskkit.simd_info()["active"] == request.param
    try:
        yield request.param
    finally:
        _core.set_simd_target(previous)


@pytest.fixture(params=[1, 2, 7])
def num_threads(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = maskkit.get_num_threads()
    maskkit.set_num_threads(request.param)
    try:
        yield request.param
    finally:
        maskkit.set_num_threads(previous)
