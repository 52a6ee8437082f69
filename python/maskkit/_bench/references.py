"""The reference packages of one run: imported once each, absent ones recorded for the report.

``maskkit bench`` compares against pycocotools (COCO RLE, polygons, dialects), OpenCV, cc3d,
scipy and scikit-image (connected components); ``pip install ".[bench]"`` installs them all. A
package that does not import is recorded, its rows time maskkit alone (or the next installed
reference, for connected components), and the report says what to install.
"""

from __future__ import annotations

import importlib
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType
from typing import Any, Callable

__all__ = ["DISTRIBUTIONS", "INSTALL_HINT", "PANOPTICAPI_HINT", "References"]

INSTALL_HINT = 'pip install ".[bench]"'
# panopticapi-lite pins numpy<2; installed without its dependencies it runs on numpy 2.
PANOPTICAPI_HINT = "pip install --no-deps panopticapi-lite==0.2.0"

# Top-level module -> the distribution that installs it.
DISTRIBUTIONS = {
    "pycocotools": "pycocotools",
    "cv2": "opencv-python-headless",
    "cc3d": "connected-components-3d",
    "scipy": "scipy",
    "skimage": "scikit-image",
    "panopticapi": "panopticapi-lite",
    "vernier": "vernier",
    "rasterio": "rasterio",
}


# Not in the bench extra: where installed, a row is timed against the real code instead of a
# transcription (torch: SAM's stability score), and nothing is missing where it is not.
OPTIONAL = frozenset({"torch"})


class References:
    """Reference modules, imported on first use.

    Parameters
    ----------
    enabled
        ``False`` (``--no-reference``): every :meth:`get` returns ``None`` and nothing is
        imported, as if no reference were installed.

    Examples
    --------
    >>> refs = References(enabled=False)
    >>> refs.get("pycocotools.mask") is None, refs.note("pycocotools.mask")
    (True, 'references not used (--no-reference)')
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._modules: dict[str, ModuleType | None] = {}

    def get(self, name: str) -> ModuleType | None:
        """Module ``name`` (e.g. ``"scipy.ndimage"``), or ``None`` if it does not import.

        OpenCV and torch are set to one thread: every reference is timed single-threaded.
        """
        if not self.enabled:
            return None
        if name not in self._modules:
            try:
                module: ModuleType | None = importlib.import_module(name)
            except Exception:  # ImportError, or what a package raises for its own missing dependency
                module = None
            if module is not None and name == "cv2":
                module.setNumThreads(1)
            if module is not None and name == "torch":
                module.set_num_threads(1)
            self._modules[name] = module
        return self._modules[name]

    def bind(self, name: str, call: Callable[[ModuleType], Any]) -> Callable[[], Any] | None:
        """``call(module)`` as a timed call without arguments, or ``None`` when ``name`` does not import."""
        module = self.get(name)
        return None if module is None else partial(call, module)

    def note(self, name: str) -> str:
        """Why module ``name`` gives no reference: disabled, or which distribution is missing."""
        if not self.enabled:
            return "references not used (--no-reference)"
        return f"{distribution(name)} not installed"

    def missing(self) -> list[str]:
        """Distributions of the modules that were asked for and did not import, sorted (not the
        optional ones, which only change a row's reference where they are installed)."""
        return sorted({distribution(n) for n, m in self._modules.items() if m is None and n.split(".")[0] not in OPTIONAL})

    def versions(self) -> dict[str, str]:
        """``{distribution: version}`` of the reference modules that imported (numpy's version
        heads the report, and maskkit's own NumPy ports are not a package of their own)."""
        out = {}
        for name in sorted({n.split(".")[0] for n, m in self._modules.items() if m is not None} - {"maskkit", "numpy"}):
            dist = distribution(name)
            try:
                out[dist] = version(dist)
            except PackageNotFoundError:  # pragma: no cover - a package without metadata
                out[dist] = str(getattr(importlib.import_module(name), "__version__", "unknown"))
        return out


def distribution(module: str) -> str:
    """The distribution that installs ``module`` (``"cv2"`` -> ``"opencv-python-headless"``)."""
    top = module.split(".")[0]
    return DISTRIBUTIONS.get(top, top)
