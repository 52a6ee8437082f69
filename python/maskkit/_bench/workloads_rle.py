"""maskkit.rle's (N, H, W) batches next to pycocotools on the same C-ordered mask stack.

numpy and torch hand over masks as C-ordered (N, H, W) stacks; pycocotools needs them as
Fortran-ordered (H, W, N), so its side of these workloads includes the transposing copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit import coco as mk
from maskkit import rle

from .compare import compare_arrays, compare_rle_lists
from .data import BenchData
from .references import References
from .workload import Variant, Workload

__all__ = ["WORKLOADS", "to_coco"]

DOMAIN = "rle"


def to_coco(batch: rle.RleBatch) -> list[dict[str, Any]]:
    """A batch as pycocotools' list of RLE dicts (for the comparison, untimed)."""
    return batch.to_coco()


def _encode_c(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="encode_c",
        label="encode C",
        description=(
            "the same masks as (N,H,W) C order; pycocotools needs "
            "encode(np.asfortranarray(masks.transpose(1,2,0))), copy included"
        ),
        reference=refs.bind("pycocotools.mask", lambda pc: pc.encode(np.asfortranarray(d.masks_c.transpose(1, 2, 0)))),
        variants=(
            Variant("rle.encode", lambda: rle.encode(d.masks_c), to_coco),
            Variant("coco.encode moveaxis", lambda: mk.encode(np.moveaxis(d.masks_c, 0, -1))),
        ),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_rle_lists,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


def _decode_c(d: BenchData, refs: References) -> Workload:
    c = d.config
    return Workload(
        key="decode_c",
        label="decode C",
        description=(
            "the same RLEs -> (N,H,W) C order; pycocotools: "
            "np.ascontiguousarray(decode(rles).transpose(2,0,1)); '(batch)' = pre-parsed RleBatch"
        ),
        reference=refs.bind("pycocotools.mask", lambda pc: np.ascontiguousarray(pc.decode(d.rles).transpose(2, 0, 1))),
        variants=(
            Variant("rle.decode (batch)", lambda: rle.decode(d.batch)),
            Variant("rle.decode(from_coco)", lambda: rle.decode(rle.RleBatch.from_coco(d.rles))),
        ),
        missing_note=refs.note("pycocotools"),
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=c.n_masks * c.height * c.width,
        batched=True,
    )


WORKLOADS = (_encode_c, _decode_c)
