"""``maskkit combine``: panopticapi's ``combine_semantic_and_instance_predictions.py`` arguments."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._pan_combine import combine

__all__ = ["add_parser"]


def add_parser(sub: Any) -> None:
    """Add the ``combine`` subcommand to an argparse subparsers object."""
    parser = sub.add_parser(
        "combine",
        help="combine instance and semantic predictions into COCO panoptic (like panopticapi)",
        description=(
            "Combine COCO instance results and COCO-stuff semantic results into COCO panoptic PNGs and "
            "JSON, exactly as panopticapi's combine_semantic_and_instance_predictions.py does on one core."
        ),
    )
    parser.add_argument("--semseg_json_file", required=True, help="JSON file with semantic segmentation predictions")
    parser.add_argument("--instseg_json_file", required=True, help="JSON file with instance segmentation predictions")
    parser.add_argument("--images_json_file", required=True, help="JSON file with the image set information")
    parser.add_argument(
        "--categories_json_file", default="./panoptic_coco_categories.json", help="JSON file with the categories"
    )
    parser.add_argument("--panoptic_json_file", required=True, help="JSON file for the panoptic predictions")
    parser.add_argument(
        "--segmentations_folder", default=None, help="folder for the PNGs (default: X if panoptic_json_file is X.json)"
    )
    parser.add_argument("--confidence_thr", type=float, default=0.5, help="instances scored below it are dropped")
    parser.add_argument(
        "--overlap_thr", type=float, default=0.5, help="instances more than this fraction occluded are dropped"
    )
    parser.add_argument(
        "--stuff_area_limit", type=float, default=64 * 64, help="stuff segments with fewer free pixels are dropped"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the thing colours (np.random.seed in panopticapi)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        combine(
            args.semseg_json_file, args.instseg_json_file, args.images_json_file, args.categories_json_file,
            args.segmentations_folder, args.panoptic_json_file, args.confidence_thr, args.overlap_thr,
            args.stuff_area_limit, seed=args.seed, progress=sys.stderr.isatty(),
        )
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        print(f"maskkit combine: {exc}", file=sys.stderr)
        return 1
    return 0
