"""Shared fixtures: hypothesis profiles, every SIMD target, several thread counts, reference packages."""

from __future__ import annotations

import importlib
import os
from types import ModuleType
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


# Reference packages come in through fixtures, so that tests which need none always run. A
# missing reference skips its tests on a developer's machine and fails them where references are
# required: in CI (CI=true) or with MASKKIT_REQUIRE_REFERENCES=1.
REFERENCE_REQUIRED = os.environ.get("MASKKIT_REQUIRE_REFERENCES", os.environ.get("CI", "")).lower() in ("1", "true", "yes")


def reference(module: str) -> ModuleType:
    """Import reference package ``module``; skip (or fail, where references are required)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        message = f"reference package {module!r} is not installed ({exc}); install the test extra: pip install '.[test]'"
        if REFERENCE_REQUIRED:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def pycocotools_mask() -> ModuleType:
    """``pycocotools.mask``."""
    return reference("pycocotools.mask")


@pytest.fixture(scope="session")
def pycocotools_cmask() -> ModuleType:
    """``pycocotools._mask`` (the Cython module)."""
    return reference("pycocotools._mask")


@pytest.fixture(scope="session")
def ndi() -> ModuleType:
    """``scipy.ndimage``."""
    return reference("scipy.ndimage")


@pytest.fixture(scope="session")
def measure() -> ModuleType:
    """``skimage.measure``."""
    return reference("skimage.measure")


@pytest.fixture(scope="session")
def morphology() -> ModuleType:
    """``skimage.morphology``."""
    return reference("skimage.morphology")


@pytest.fixture(scope="session")
def cc3d() -> ModuleType:
    """``cc3d`` (connected-components-3d)."""
    return reference("cc3d")


@pytest.fixture(scope="session")
def cv2() -> ModuleType:
    """OpenCV (opencv-python-headless)."""
    return reference("cv2")


@pytest.fixture(scope="session")
def rasterio_features() -> ModuleType:
    """``rasterio.features`` (GDAL's rasterizer)."""
    return reference("rasterio.features")


@pytest.fixture(scope="session")
def shapely() -> ModuleType:
    """``shapely``."""
    return reference("shapely")


@pytest.fixture(scope="session")
def panopticapi_utils() -> ModuleType:
    """``panopticapi.utils`` (PyPI panopticapi-lite, installed with --no-deps)."""
    return reference("panopticapi.utils")


@pytest.fixture(scope="session")
def panopticapi_evaluation() -> ModuleType:
    """``panopticapi.evaluation``."""
    return reference("panopticapi.evaluation")


@pytest.fixture(scope="session")
def panopticapi_combine() -> ModuleType:
    """``panopticapi.combine_semantic_and_instance_predictions``."""
    return reference("panopticapi.combine_semantic_and_instance_predictions")
