"""Benchmark engine behind ``maskkit bench`` and ``benchmarks/``.

Every workload runs maskkit next to the reference it replaces (pycocotools, the Kaggle
kernels' numpy code, OpenCV, cc3d, scipy, scikit-image) on the same seeded, COCO-like data;
results are compared before anything is timed. The package has one module per job:

``config``      sizes of the data, :data:`FULL` and :data:`QUICK`
``data``        the seeded generators and :class:`BenchData` (inputs built on first use)
``compare``     result comparison (RLEs, arrays, labelings)
``workload``    :class:`Workload` and :class:`Variant`
``workloads_coco``, ``workloads_rle``, ``workloads_dialects``, ``workloads_polygon``,
``workloads_cc``  one workload table per domain; ``domains`` lists them in report order
``references``  the reference packages, imported once, missing ones recorded
``timing``      medians of interleaved runs, 1 and N threads, memory floors
``run``         parity checks, then timings: one row per maskkit variant
``report``      the text report; ``plot`` the PNG chart (matplotlib, imported lazily)

This module only re-exports; the modules import each other, never this one.

Examples
--------
>>> from maskkit import _bench
>>> rows = _bench.run_bench(quick=True, workloads=["area+toBbox"])  # doctest: +SKIP
>>> rows[0]["label"], rows[0]["parity"]  # doctest: +SKIP
('area+toBbox', 'equal')
"""

from __future__ import annotations

from .compare import (
    Labeling,
    compare_area_bbox_each,
    compare_arrays,
    compare_equal,
    compare_labelings,
    compare_lists,
    compare_rle_lists,
    compare_rles,
    compare_sequences,
)
from .config import FULL, QUICK, BenchConfig
from .data import (
    BenchData,
    coco_like_annotations,
    make_blobs,
    make_masks,
    make_multilabel,
    make_noise,
    make_polygon_annotations,
    smooth_field,
)
from .domains import DOMAINS, TABLES, build_workloads, normalize_workload_names, workload_keys
from .plot import require_matplotlib, write_plot
from .references import INSTALL_HINT, References
from .report import format_ratio, format_report
from .run import rows_of, run_bench, run_report
from .timing import Timed, Timing, measure, measure_interleaved, measure_memory
from .workload import ParityError, Variant, Workload
from .workloads_cc import OPTION_WORKLOADS, CCReference, cc_input, cc_references

__all__ = [
    "DOMAINS",
    "FULL",
    "INSTALL_HINT",
    "OPTION_WORKLOADS",
    "QUICK",
    "TABLES",
    "BenchConfig",
    "BenchData",
    "CCReference",
    "Labeling",
    "ParityError",
    "References",
    "Timed",
    "Timing",
    "Variant",
    "Workload",
    "build_workloads",
    "cc_input",
    "cc_references",
    "coco_like_annotations",
    "compare_area_bbox_each",
    "compare_arrays",
    "compare_equal",
    "compare_labelings",
    "compare_lists",
    "compare_rle_lists",
    "compare_rles",
    "compare_sequences",
    "format_ratio",
    "format_report",
    "make_blobs",
    "make_masks",
    "make_multilabel",
    "make_noise",
    "make_polygon_annotations",
    "measure",
    "measure_interleaved",
    "measure_memory",
    "normalize_workload_names",
    "require_matplotlib",
    "rows_of",
    "run_bench",
    "run_report",
    "smooth_field",
    "workload_keys",
    "write_plot",
]
