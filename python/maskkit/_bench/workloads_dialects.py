"""The other RLE dialects: maskkit.rle's codecs next to the code their users run today.

Kaggle ``EncodedPixels`` strings are written and read by the numpy snippets of the
competitions' kernels (column-major, 1-indexed ``start length`` pairs); COCO uncompressed RLE
(crowd annotations, SAM's ``uncompressed_rle`` output) is compressed by pycocotools'
``frPyObjects``, as SAM's ``coco_encode_rle`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit import rle

from .compare import compare_arrays, compare_equal, compare_lists, compare_rle_lists
from .data import BenchData
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS", "kaggle_decode", "kaggle_encode"]

DOMAIN = "dialects"
KAGGLE = "numpy (Kaggle)"


def kaggle_encode(mask: np.ndarray) -> str:
    """The Kaggle kernels' ``rle_encode``: column-major ``start length`` pairs, 1-indexed.

    Examples
    --------
    >>> import numpy as np
    >>> kaggle_encode(np.array([[0, 1], [1, 1]], np.uint8))
    '2 3'
    """
    pixels = np.concatenate([[0], mask.T.flatten(), [0]])
    runs = np.flatnonzero(pixels[1:] != pixels[:-1]) + 1
    runs[1::2] -= runs[::2]
    return " ".join(str(x) for x in runs)


def kaggle_decode(text: str, height: int, width: int) -> np.ndarray:
    """The Kaggle kernels' ``rle_decode``: an (H, W) uint8 mask from ``start length`` pairs.

    Examples
    --------
    >>> kaggle_decode("2 3", 2, 2).tolist()
    [[0, 1], [1, 1]]
    """
    tokens = text.split()
    starts = np.asarray(tokens[0::2], dtype=np.int64) - 1
    ends = starts + np.asarray(tokens[1::2], dtype=np.int64)
    flat = np.zeros(height * width, dtype=np.uint8)
    for lo, hi in zip(starts, ends):
        flat[lo:hi] = 1
    return flat.reshape(width, height).T


def _kaggle_encode(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="kaggle_encode",
        label="Kaggle encode",
        description=(
            f"{c.n_masks} masks {c.height}x{c.width}, (N,H,W) C order -> Kaggle EncodedPixels strings "
            "(column-major); the kernels' rle_encode(mask) each"
        ),
        reference=lambda: [kaggle_encode(m) for m in d.masks_c],
        variants=(Variant("rle.to_kaggle(encode)", lambda: rle.to_kaggle(rle.encode(d.masks_c), order="F")),),
        compare=compare_lists(compare_equal),
        reference_name=KAGGLE,
        domain=DOMAIN,
        nbytes=c.n_masks * c.height * c.width,
    )


def _kaggle_decode(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="kaggle_decode",
        label="Kaggle decode",
        description=(
            "those strings -> (N,H,W) C-ordered uint8; the kernels' rle_decode(text, shape) each, "
            "np.ascontiguousarray(np.stack(...))"
        ),
        reference=lambda: np.ascontiguousarray(np.stack([kaggle_decode(t, c.height, c.width) for t in d.kaggle])),
        variants=(
            Variant("rle.decode(from_kaggle)", lambda: rle.decode(rle.from_kaggle(d.kaggle, c.height, c.width))),
        ),
        compare=compare_arrays,
        reference_name=KAGGLE,
        domain=DOMAIN,
        nbytes=c.n_masks * c.height * c.width,
    )


def _compress_uncompressed(module: Any, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pycocotools' ``frPyObjects(uncompressed, h, w)`` per dict, as SAM's ``coco_encode_rle``."""
    return [module.frPyObjects(o, *o["size"]) for o in objs]


def _from_uncompressed(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="from_uncompressed",
        label="uncompressed -> COCO",
        description=(
            f"{c.n_masks} COCO uncompressed RLE dicts (counts lists) -> compressed RLE dicts; "
            "pycocotools: frPyObjects(rle, h, w) each, as SAM's coco_encode_rle"
        ),
        reference=refs.bind("pycocotools.mask", lambda pc: _compress_uncompressed(pc, d.uncompressed)),
        variants=(Variant("rle.from_uncompressed", lambda: rle.from_uncompressed(d.uncompressed).to_coco()),),
        compare=compare_rle_lists,
        domain=DOMAIN,
        missing_note=refs.note("pycocotools"),
    )


WORKLOADS = (_kaggle_encode, _kaggle_decode, _from_uncompressed)
