"""The ``maskkit convert`` and ``maskkit validate`` subcommands (panoptic datasets).

``maskkit convert KIND`` runs one of panopticapi's converter scripts with the same argument
names (``panoptic2semantic``, ``panoptic2detection``, ``detection2panoptic``,
``2channels2panoptic``), in one process and with a ``--seed`` for the colours; ``maskkit
validate`` checks a COCO panoptic JSON and its PNGs and prints the findings (``--json``: as
JSON). Both exit with 0 on success, 1 when the data is refused (the message names the image and
the rule), 2 for bad arguments.

Examples
--------
``maskkit convert panoptic2semantic --input_json_file panoptic_val2017.json
--semantic_seg_folder semantic/`` and ``maskkit validate --input_json_file panoptic_val2017.json
--json``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Dict

from . import _pan_convert
from ._pan_files import read_json
from ._pan_validate import validate

__all__ = ["add_parsers", "run_convert", "run_validate"]

_SEGMENTATIONS = "folder of COCO panoptic PNGs (default: the JSON path without .json)"
_CATEGORIES = "JSON list of panoptic categories with isthing and color"


def _convert_panoptic2semantic(args: argparse.Namespace) -> None:
    _pan_convert.convert_panoptic_to_semantic(
        args.input_json_file, args.segmentations_folder, args.output_json_file, args.semantic_seg_folder,
        args.categories_json_file, args.things_other,
    )


def _convert_panoptic2detection(args: argparse.Namespace) -> None:
    _pan_convert.convert_panoptic_to_detection(
        args.input_json_file, args.output_json_file, args.segmentations_folder, args.categories_json_file, args.things_only
    )


def _convert_detection2panoptic(args: argparse.Namespace) -> None:
    _pan_convert.convert_detection_to_panoptic(
        args.input_json_file, args.output_json_file, args.categories_json_file, args.segmentations_folder, args.seed
    )


def _convert_2channels2panoptic(args: argparse.Namespace) -> None:
    _pan_convert.convert_two_channel_to_panoptic(
        args.source_folder, args.images_json_file, args.predictions_json_file, args.categories_json_file,
        args.segmentations_folder, args.void, args.seed,
    )


_CONVERTERS: Dict[str, Callable[[argparse.Namespace], None]] = {
    "panoptic2semantic": _convert_panoptic2semantic,
    "panoptic2detection": _convert_panoptic2detection,
    "detection2panoptic": _convert_detection2panoptic,
    "2channels2panoptic": _convert_2channels2panoptic,
}


def _seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="seed of the segment colours (default 0; panopticapi after np.random.seed(SEED) on one core)")


def add_parsers(subparsers: Any) -> None:
    """Add ``convert`` and ``validate`` to the ``maskkit`` command's subparsers."""
    convert = subparsers.add_parser(
        "convert",
        help="convert panoptic datasets like panopticapi's converter scripts",
        description="Convert COCO panoptic datasets with panopticapi's converter semantics and argument names; "
        "outputs appear only when the whole conversion succeeded.",
    )
    kinds = convert.add_subparsers(dest="kind", metavar="KIND", title="conversions", required=True)

    semantic = kinds.add_parser("panoptic2semantic", help="COCO panoptic -> semantic PNGs or COCO-stuff RLE JSON")
    semantic.add_argument("--input_json_file", required=True, help="COCO panoptic JSON")
    semantic.add_argument("--segmentations_folder", default=None, help=_SEGMENTATIONS)
    semantic.add_argument("--output_json_file", default=None, help="write COCO-stuff RLEs to this JSON")
    semantic.add_argument("--semantic_seg_folder", default=None, help="write one uint8 PNG per image to this folder")
    semantic.add_argument("--categories_json_file", default=None, help=_CATEGORIES + " (default: the input's)")
    semantic.add_argument("--things_other", action="store_true", help="merge every thing into category 183 'other'")

    detection = kinds.add_parser("panoptic2detection", help="COCO panoptic -> COCO detection RLE JSON")
    detection.add_argument("--input_json_file", required=True, help="COCO panoptic JSON")
    detection.add_argument("--segmentations_folder", default=None, help=_SEGMENTATIONS)
    detection.add_argument("--output_json_file", required=True, help="COCO detection JSON to write")
    detection.add_argument("--categories_json_file", default=None, help=_CATEGORIES + " (default: the input's)")
    detection.add_argument("--things_only", action="store_true", help="discard stuff segments")

    to_panoptic = kinds.add_parser("detection2panoptic", help="COCO detection (non-overlapping) -> COCO panoptic")
    to_panoptic.add_argument("--input_json_file", required=True, help="COCO detection JSON")
    to_panoptic.add_argument("--output_json_file", required=True, help="COCO panoptic JSON to write")
    to_panoptic.add_argument("--segmentations_folder", default=None, help="where the PNGs go (default: the output path without .json)")
    to_panoptic.add_argument("--categories_json_file", required=True, help=_CATEGORIES)
    _seed(to_panoptic)

    two_channel = kinds.add_parser("2channels2panoptic", help="2-channel (category, instance) PNGs -> COCO panoptic")
    two_channel.add_argument("--source_folder", required=True, help="folder of 2-channel PNGs")
    two_channel.add_argument("--images_json_file", required=True, help="JSON with the images list")
    two_channel.add_argument("--categories_json_file", required=True, help=_CATEGORIES)
    two_channel.add_argument("--segmentations_folder", default=None, help="where the PNGs go (default: the output path without .json)")
    two_channel.add_argument("--predictions_json_file", required=True, help="COCO panoptic JSON to write")
    two_channel.add_argument("-v", "--void", type=int, default=0, help="category of VOID pixels (default 0)")
    _seed(two_channel)
    convert.set_defaults(handler=run_convert)

    check = subparsers.add_parser(
        "validate",
        help="check a COCO panoptic dataset or prediction for inconsistencies",
        description="Check a COCO panoptic JSON and its PNGs: ids missing from either, duplicate and VOID ids, "
        "area/bbox mismatches, unknown categories, equal stuff colours, sizes, empty segments, VOID fraction.",
    )
    check.add_argument("--input_json_file", required=True, help="COCO panoptic JSON")
    check.add_argument("--segmentations_folder", default=None, help=_SEGMENTATIONS)
    check.add_argument("--categories_json_file", default=None, help=_CATEGORIES + " (default: the input's)")
    check.add_argument("--label_divisor", type=int, default=None, help="also check id // DIVISOR == category_id")
    check.add_argument("--max_void_fraction", type=float, default=None, help="warn about images with more VOID")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(handler=run_validate)


def run_convert(args: argparse.Namespace) -> int:
    """Run ``maskkit convert``; returns the exit status."""
    try:
        _CONVERTERS[args.kind](args)
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        print(f"maskkit convert {args.kind}: {exc}", file=sys.stderr)
        return 1
    return 0


def run_validate(args: argparse.Namespace) -> int:
    """Run ``maskkit validate``; returns 0 when no error was found, else 1."""
    categories = None
    if args.categories_json_file is not None:
        try:
            categories = read_json(args.categories_json_file, "categories file")
        except (ValueError, OSError) as exc:
            print(f"maskkit validate: {exc}", file=sys.stderr)
            return 1
    report = validate(
        args.input_json_file, categories=categories, folder=args.segmentations_folder,
        label_divisor=args.label_divisor, max_void_fraction=args.max_void_fraction,
    )
    if args.json:
        print(report.to_json(indent=2))
    else:
        for finding in report.findings:
            where = f"image {finding.image!r}" + ("" if finding.segment is None else f" segment {finding.segment}")
            print(f"{finding.severity} {finding.kind}: {where}: {finding.detail}")
        errors = sum(f.severity == "error" for f in report.findings)
        print(f"{'ok' if report.ok else 'NOT ok'}: {len(report.images)} images checked, {errors} errors, "
              f"{len(report.findings) - errors} warnings")
    return 0 if report.ok else 1
