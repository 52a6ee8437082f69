"""The workload tables of every domain, in report order, and workload names for ``--workloads``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Callable

from . import (
    workloads_cc,
    workloads_coco,
    workloads_dialects,
    workloads_iou,
    workloads_panoptic,
    workloads_panoptic_merge,
    workloads_polygon,
    workloads_polygon_vector,
    workloads_rle,
    workloads_sam,
)
from .config import QUICK
from .data import BenchData
from .references import References
from .workload import Workload

__all__ = ["DOMAINS", "TABLES", "build_workloads", "normalize_workload_names", "workload_keys"]

Builder = Callable[[BenchData, References], Workload]

# The tables in report order: the pycocotools.mask API, maskkit.rle's (N, H, W) batches, the RLE
# dialects, polygon rasterization, connected components, mask and box overlaps, panoptic quality
# and merges, Segment Anything's helpers.
TABLES: dict[str, tuple[Builder, ...]] = {
    "coco": workloads_coco.WORKLOADS,
    "rle": workloads_rle.WORKLOADS,
    "dialects": workloads_dialects.WORKLOADS,
    "polygon": workloads_polygon.WORKLOADS + workloads_polygon_vector.WORKLOADS,
    "cc": workloads_cc.WORKLOADS,
    "iou": workloads_iou.WORKLOADS,
    "panoptic": workloads_panoptic.WORKLOADS + workloads_panoptic_merge.WORKLOADS,
    "sam": workloads_sam.WORKLOADS,
}
DOMAINS = tuple(TABLES)


def _squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def workload_keys() -> list[tuple[str, str]]:
    """``(key, label)`` of every workload, in table order (no data is generated, nothing imported)."""
    return [(w.key, w.label) for w in build_workloads(BenchData(QUICK), References(enabled=False))]


def normalize_workload_names(names: Iterable[str] | None) -> list[str] | None:
    """Map user-given workload names (keys or labels, any case/spacing) to keys.

    Raises
    ------
    ValueError
        For a name that matches no workload; the message lists the valid ones.

    Examples
    --------
    >>> normalize_workload_names(["encode F", "CC_STATS"])
    ['encode_f', 'cc_stats']
    """
    if names is None:
        return None
    known = {}
    for key, label in workload_keys():
        known[_squash(key)] = key
        known[_squash(label)] = key
    keys = []
    for name in names:
        if not name.strip():
            continue
        if _squash(name) not in known:
            valid = ", ".join(k for k, _ in workload_keys())
            raise ValueError(f"unknown workload {name!r}; choose from: {valid}")
        key = known[_squash(name)]
        if key not in keys:
            keys.append(key)
    return keys


def build_workloads(data: BenchData, refs: References, keys: Sequence[str] | None = None) -> list[Workload]:
    """The workloads of every table (all, or those named in ``keys``) over ``data``, in report
    order; inputs are generated lazily, on first use."""
    selected = normalize_workload_names(keys)
    workloads = [build(data, refs) for table in TABLES.values() for build in table]
    return [w for w in workloads if selected is None or w.key in selected]
