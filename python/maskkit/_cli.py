"""The ``maskkit`` console script.

Examples
--------
Run ``maskkit bench`` for the ratio tables (about a minute on 2 cores; ``pip install ".[bench]"``
brings the reference packages), ``maskkit bench --details`` for floors, scaling and notes too,
``maskkit bench --plot ratios.png`` for a bar chart, ``maskkit bench --quick`` for a smoke run,
``maskkit bench --workloads encode_f,iou --json out.json`` for a subset saved as JSON, and
``maskkit --help`` for the list of subcommands.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _workload_list(text: str) -> list[str]:
    from . import _bench

    names = [part.strip() for part in text.split(",") if part.strip()]
    try:
        keys = _bench.normalize_workload_names(names)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not keys:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of workloads, got {text!r}")
    return keys


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``maskkit`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="maskkit",
        description="maskkit: fast, bit-exact segmentation-mask processing.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="subcommands")
    from . import _bench

    keys = ", ".join(k for k, _ in _bench.workload_keys())
    bench = sub.add_parser(
        "bench",
        help="time maskkit against the tools it replaces on generated data",
        description=(
            "Time maskkit against pycocotools.mask (RLE, polygons, IoU), the Kaggle kernels' RLE "
            "code and OpenCV / cc3d (connected components) on seeded, generated data, after "
            "checking that both give identical results. Ratios are reference time / maskkit time "
            "at 1 thread (1T) and at N threads (NT); references that are not installed are "
            'skipped with a note (pip install ".[bench]" installs them all).'

        ),
        epilog=f"workloads: {keys}",
    )
    bench.add_argument("--quick", action="store_true", help="small data and few repeats (a few seconds)")
    bench.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        metavar="N",
        help="threads of the NT columns (default: all cores)",
    )
    bench.add_argument("--json", metavar="PATH", default=None, help="also write the results as JSON to PATH")
    bench.add_argument(
        "--details", action="store_true", help="also print the workloads, memory floors, scaling, bandwidth and notes"
    )
    bench.add_argument(
        "--plot", metavar="PATH", default=None, help="also write a PNG bar chart of the ratios to PATH (needs matplotlib)"
    )
    bench.add_argument(
        "--workloads", type=_workload_list, default=None, metavar="A,B", help="comma-separated subset to run"
    )
    bench.add_argument(
        "--no-reference", action="store_true", help="skip the reference packages even if installed (maskkit times only)"
    )
    bench.add_argument("--strict", action="store_true", help="stop at the first result that differs")
    # Subcommands of the dataset-level jobs: each module adds its parsers with a `handler`.
    from . import _pan_cli_combine, _pan_cli_convert, _pan_cli_pq

    _pan_cli_pq.add_parser(sub)
    _pan_cli_combine.add_parser(sub)
    _pan_cli_convert.add_parsers(sub)  # convert, validate
    return parser


def _bench(args: argparse.Namespace) -> int:
    from . import _bench

    if args.plot:
        try:  # before the run, not after a minute of it
            _bench.require_matplotlib()
        except ImportError as exc:
            print(f"maskkit bench: {exc}", file=sys.stderr)
            return 2

    def progress(label: str) -> None:
        print(f"  running {label} ...", file=sys.stderr, flush=True)

    try:
        report = _bench.run_report(
            quick=args.quick,
            threads=args.threads,
            workloads=args.workloads,
            use_reference=not args.no_reference,
            strict=args.strict,
            progress=progress,
        )
    except _bench.ParityError as exc:
        print(f"maskkit bench: {exc}", file=sys.stderr)
        return 1
    print(_bench.format_report(report, details=args.details), flush=True)
    if args.plot:
        _bench.write_plot(report, args.plot)
        print(f"plot: {args.plot}", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
            handle.write("\n")
    return 1 if report["mismatches"] else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``maskkit`` command line; returns the exit status.

    Parameters
    ----------
    argv
        Arguments without the program name; default ``sys.argv[1:]``.
    """
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command == "bench":
        return _bench(args)
    handler = getattr(args, "handler", None)
    if handler is not None:
        status: int = handler(args)
        return status
    parser.print_help()
    return 0 if args.command is None else 2
