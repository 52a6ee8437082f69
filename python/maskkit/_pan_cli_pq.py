"""``maskkit pq``: panoptic quality of COCO panoptic predictions, panopticapi's script arguments."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict

from ._pan_pq import pq_compute
from ._progress import progress_reporter

__all__ = ["add_parser", "format_table"]


def add_parser(sub: Any) -> None:
    """Add the ``pq`` subcommand to ``sub`` (an argparse subparsers object)."""
    parser = sub.add_parser(
        "pq",
        help="panoptic quality of COCO panoptic predictions (panopticapi's pq_compute)",
        description=(
            "Evaluate COCO panoptic predictions (JSON + PNG folder) against a ground truth, with "
            "panopticapi's arguments and results (bit for bit in the default strict mode)."
        ),
    )
    parser.add_argument("--gt_json_file", required=True, help="ground-truth COCO panoptic JSON")
    parser.add_argument("--pred_json_file", required=True, help="prediction COCO panoptic JSON")
    parser.add_argument("--gt_folder", default=None, help="ground-truth PNG folder (default: the JSON path without .json)")
    parser.add_argument("--pred_folder", default=None, help="prediction PNG folder (default: the JSON path without .json)")
    parser.add_argument(
        "--mode", choices=("strict", "corrected"), default="strict",
        help="strict: panopticapi's numbers, quirks included; corrected: its quirks fixed",
    )
    parser.add_argument("--threads", type=int, default=None, metavar="N", help="threads (default: all cores)")
    parser.add_argument("--json", metavar="PATH", default=None, help="write the result dict as JSON to PATH ('-': stdout)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(handler=run)


def format_table(result: Dict[str, Any]) -> str:
    """The PQ/SQ/RQ/N table panopticapi prints, from a result dict."""
    lines = [f"{'':10s}| {'PQ':>5s}  {'SQ':>5s}  {'RQ':>5s} {'N':>5s}", "-" * 38]
    for name in ("All", "Things", "Stuff"):
        r = result[name]
        lines.append(f"{name:10s}| {100 * r['pq']:5.1f}  {100 * r['sq']:5.1f}  {100 * r['rq']:5.1f} {r['n']:5d}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``maskkit pq``; exit status 0, or 2 with a message for a bad dataset."""
    try:
        result = pq_compute(
            args.gt_json_file, args.pred_json_file, args.gt_folder, args.pred_folder,
            mode=args.mode, num_threads=args.threads,
            progress=progress_reporter("images", enabled=not args.no_progress),
        )
    except (OSError, ValueError, TypeError, ZeroDivisionError) as exc:
        print(f"maskkit pq: {exc}", file=sys.stderr)
        return 2
    document = json.dumps({**result, "per_class": {str(k): v for k, v in result["per_class"].items()}}, indent=2)
    if args.json == "-":
        print(document)
        return 0
    print(format_table(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(document + "\n")
    return 0
