"""``maskkit bench --plot PATH``: a PNG bar chart of the ratios.

One panel per domain, one pair of horizontal bars per row (1 thread and N threads), the ratio
``reference ms / maskkit ms`` on a log axis with a line at 1x: bars to the right of the line are
workloads where maskkit is faster. matplotlib is imported only here, when a plot is asked for
(the ``bench`` extra installs it).
"""

from __future__ import annotations

import importlib
import math
from types import ModuleType
from typing import Any

from .references import INSTALL_HINT
from .report import by_domain, format_ratio

__all__ = ["MATPLOTLIB_MISSING", "require_matplotlib", "write_plot"]

MATPLOTLIB_MISSING = f"--plot needs matplotlib, which the bench extra installs: {INSTALL_HINT} (or pip install matplotlib)"

_COLORS = ("#4C72B0", "#DD8452")  # 1T, NT
_TITLES = {
    "coco": "coco: the pycocotools.mask API",
    "rle": "rle: (N, H, W) C-ordered batches",
    "dialects": "dialects: Kaggle and uncompressed RLE",
    "polygon": "polygon: rasterizing COCO polygons",
    "cc": "cc: connected components",
}
_BAR = 0.38
_TICKS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def require_matplotlib() -> ModuleType:
    """``matplotlib.figure`` (no pyplot, no global backend), or ``ImportError`` naming the extra."""
    try:
        return importlib.import_module("matplotlib.figure")
    except ImportError as exc:
        raise ImportError(MATPLOTLIB_MISSING) from exc


def _value(ratio: float | None) -> float:
    return math.nan if ratio is None else ratio


def write_plot(report: dict[str, Any], path: str) -> None:
    """Write the ratios of a :func:`maskkit._bench.run.run_report` result to ``path`` as a PNG.

    Raises
    ------
    ImportError
        When matplotlib is not installed (the message says how to install it).
    """
    figure = require_matplotlib()
    groups = by_domain(report["rows"])
    env = report["environment"]
    heights = [len(rows) for rows in groups.values()]
    fig = figure.Figure(figsize=(11, 1.2 + 0.36 * sum(heights) + 0.7 * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    ratios = [r[k] for rows in groups.values() for r in rows for k in ("ratio_1t", "ratio_nt") if r[k]]
    low = min([0.5, *ratios]) / 1.3
    high = max([2.0, *ratios]) * 2.2  # room for the value labels
    for ax, (domain, rows) in zip(axes, groups.items()):
        for side, (key, name) in enumerate((("ratio_1t", "1 thread"), ("ratio_nt", f"{env['threads_nt']} threads"))):
            ys = [i + (side - 0.5) * _BAR for i in range(len(rows))]
            values = [_value(r[key]) for r in rows]
            ax.barh(ys, values, height=_BAR, color=_COLORS[side], label=name)
            for y, r in zip(ys, rows):
                text = format_ratio(r[key]) if r[key] is not None else "no reference"
                ax.text(r[key] or low * 1.1, y, f" {text}", va="center", fontsize=7)
        ax.axvline(1.0, color="black", linewidth=1.0)
        ax.set_xscale("log")
        ax.set_xlim(low, high)
        ticks = [t for t in _TICKS if low <= t <= high]
        ax.set_xticks(ticks, [f"{t:g}x" for t in ticks])
        ax.minorticks_off()
        ax.set_yticks(range(len(rows)), [f"{r['label']} [{r['variant']}] vs {r['reference_name'] or '-'}" for r in rows])
        ax.tick_params(axis="y", labelsize=8)
        ax.invert_yaxis()
        ax.set_title(_TITLES.get(domain, domain), loc="left", fontsize=10, fontweight="bold")
        ax.grid(axis="x", alpha=0.3)
    axes[-1].set_xlabel("reference time / maskkit time (log scale; right of the line at 1x: maskkit is faster)")
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle(
        f"maskkit {env['maskkit']} vs the tools it replaces (SIMD {env['simd_active']}, "
        f"{env['platform']}, numpy {env['numpy']})",
        fontsize=11,
    )
    fig.savefig(path, format="png", dpi=110)
