"""maskkit.sam next to the Segment Anything formulations it replaces, on SAM-sized data:
upscaled mask-decoder logits of 1024 x 1024 (seeded discs with noise), their thresholded masks,
and masks with small holes and islands for the post-processing step.

SAM's functions are torch code. torch is not in the bench extra: where it is installed the
stability score is timed as SAM's own torch code (one thread), elsewhere as a NumPy
transcription of its operations, in order, as ``mask_to_rle_pytorch`` always is;
``remove_small_regions`` is SAM's own formulation on ``cv2.connectedComponentsWithStats``
(OpenCV's threads set to 1 while it runs, for a single-thread comparison).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Tuple

import numpy as np

from maskkit import sam

from .compare import compare_arrays, compare_equal, compare_lists, compare_sequences
from .data import BenchData, smooth_field
from .references import References
from .workload import Variant, Workload

__all__ = [
    "WORKLOADS",
    "sam_stability_numpy",
    "sam_stability_torch",
    "sam_mask_to_rle_numpy",
    "sam_remove_small_regions_cv2",
]

DOMAIN = "sam"
# SAM's automatic mask generator thresholds at 0 with an offset of 1 and drops small regions
# below 100 pixels (min_mask_region_area).
_THRESHOLD, _OFFSET, _AREA = 0.0, 1.0, 100


def sam_stability_numpy(masks: np.ndarray, mask_threshold: float, threshold_offset: float) -> np.ndarray:
    """SAM's ``calculate_stability_score`` in NumPy: two thresholded copies, each summed per
    row in int16 and over the rows in int32, divided as torch divides int32 tensors (float32)."""
    above_high = (masks > (mask_threshold + threshold_offset)).sum(-1, dtype=np.int16).sum(-1, dtype=np.int32)
    above_low = (masks > (mask_threshold - threshold_offset)).sum(-1, dtype=np.int16).sum(-1, dtype=np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores: np.ndarray = above_high.astype(np.float32) / above_low.astype(np.float32)
    return scores


def sam_mask_to_rle_numpy(masks: np.ndarray) -> List[Dict[str, Any]]:
    """SAM's ``mask_to_rle_pytorch`` in NumPy: a column-major copy of every mask, the change
    points of neighbours (XOR), then a loop over masks selecting each one's change points."""
    b, h, w = masks.shape
    columns = masks.transpose(0, 2, 1).reshape(b, h * w)
    changes = np.argwhere(columns[:, 1:] ^ columns[:, :-1])
    out = []
    for i in range(b):
        ends = changes[changes[:, 0] == i, 1] + 1
        bounds = np.concatenate([[0], ends, [h * w]])
        counts = [] if columns[i, 0] == 0 else [0]
        counts.extend(np.diff(bounds).tolist())
        out.append({"size": [h, w], "counts": counts})
    return out


def sam_remove_small_regions_cv2(cv2: Any, mask: np.ndarray, area_thresh: float, mode: str) -> Tuple[np.ndarray, bool]:
    """SAM's ``remove_small_regions``: cv2 8-connected components of ``mode ^ mask``, small
    ones (area below the threshold) selected by label with ``np.isin``."""
    holes = mode == "holes"
    n, regions, stats, _ = cv2.connectedComponentsWithStats((holes ^ mask).astype(np.uint8), 8)
    sizes = stats[:, -1][1:]
    small = [i + 1 for i, size in enumerate(sizes) if size < area_thresh]
    if not small:
        return mask, False
    chosen = [0] + small
    if not holes:
        chosen = [i for i in range(n) if i not in chosen] or [int(np.argmax(sizes)) + 1]
    return np.isin(regions, chosen), True


def _sizes(d: BenchData) -> Tuple[int, int]:
    """(masks, side): 16 masks of 1024 x 1024 in the full run."""
    side = d.config.cc_side // 4
    return max(2, side // 64), side


@lru_cache(maxsize=2)
def _logits(n: int, side: int, seed: int) -> np.ndarray:
    """Discs of logits falling 8 per image width from their edge, plus smooth noise (one seeded
    field, shifted per mask) that gives each mask some 150 small holes and islands."""
    rng = np.random.default_rng(seed)
    noise = smooth_field((side, side), 3.0, rng)
    noise *= np.float32(0.1) / noise.std()
    yy, xx = np.mgrid[:side, :side].astype(np.float32)
    out = np.empty((n, side, side), np.float32)
    for i in range(n):
        cy, cx = rng.uniform(0.3, 0.7, 2) * side
        r = rng.uniform(0.1, 0.3) * side
        out[i] = (r - np.hypot(yy - cy, xx - cx)) * np.float32(8.0 / side)
        out[i] += np.roll(noise, tuple(rng.integers(0, side, 2)), axis=(0, 1))
    return out


def _region_masks(d: BenchData) -> np.ndarray:
    """Thresholded logits with small holes and islands: the masks SAM's post-processing cleans."""
    n, side = _sizes(d)
    logits = _logits(n, side, d.config.seed)
    masks: np.ndarray = logits[: min(n, 4)] > 0
    return masks


def sam_stability_torch(torch: Any, masks: np.ndarray, mask_threshold: float, threshold_offset: float) -> np.ndarray:
    """SAM's ``calculate_stability_score`` itself, on a tensor over the same memory."""
    logits = torch.from_numpy(masks)
    intersections = (logits > (mask_threshold + threshold_offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    unions = (logits > (mask_threshold - threshold_offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
    scores: np.ndarray = (intersections / unions).numpy()
    return scores


def _stability(d: BenchData, refs: References) -> Workload:
    n, side = _sizes(d)
    logits = _logits(n, side, d.config.seed)
    torch_reference = refs.bind("torch", lambda torch: sam_stability_torch(torch, logits, _THRESHOLD, _OFFSET))
    what = "SAM's torch code" if torch_reference is not None else "SAM's formulation in NumPy (torch is not installed)"
    return Workload(
        key="sam_stability",
        label="stability score",
        description=f"{n} x {side}x{side} float32 logits; {what}: two thresholded copies, int16/int32 sums",
        reference=torch_reference or refs.bind("numpy", lambda np_: sam_stability_numpy(logits, _THRESHOLD, _OFFSET)),
        variants=(Variant("sam.calculate_stability_score", lambda: sam.calculate_stability_score(logits, _THRESHOLD, _OFFSET)),),
        reference_name="SAM (torch)" if torch_reference is not None else "SAM (numpy)",
        domain=DOMAIN,
        compare=compare_arrays,
        nbytes=logits.nbytes,
        batched=True,
    )


def _remove_small_regions(d: BenchData, refs: References) -> Workload:
    masks = _region_masks(d)

    def reference(cv2: Any) -> List[Tuple[np.ndarray, bool]]:
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            out = []
            for m in masks:
                filled, changed = sam_remove_small_regions_cv2(cv2, m, _AREA, "holes")
                cleaned, also = sam_remove_small_regions_cv2(cv2, filled, _AREA, "islands")
                out.append((cleaned, changed or also))
            return out
        finally:
            cv2.setNumThreads(threads)

    def ours() -> List[Tuple[np.ndarray, bool]]:
        out = []
        for m in masks:
            filled, changed = sam.remove_small_regions(m, _AREA, "holes")
            cleaned, also = sam.remove_small_regions(filled, _AREA, "islands")
            out.append((cleaned, changed or also))
        return out

    return Workload(
        key="sam_small_regions",
        label="remove_small_regions",
        description=f"holes then islands (area < {_AREA}) of {len(masks)} masks of {masks.shape[1]}x{masks.shape[2]}; SAM's cv2 formulation",
        reference=refs.bind("cv2", reference),
        variants=(Variant("sam.remove_small_regions", ours),),
        reference_name="SAM (cv2)",
        missing_note=refs.note("cv2"),
        domain=DOMAIN,
        compare=compare_lists(compare_sequences(compare_arrays, compare_equal)),
        nbytes=masks.nbytes,
    )


def _mask_to_rle(d: BenchData, refs: References) -> Workload:
    n, side = _sizes(d)
    masks = _logits(n, side, d.config.seed) > 0
    return Workload(
        key="sam_mask_to_rle",
        label="mask_to_rle_pytorch",
        description=f"{n} x {side}x{side} C-ordered bool masks; SAM's formulation (transpose, XOR, per-mask filter) in NumPy",
        reference=refs.bind("numpy", lambda np_: sam_mask_to_rle_numpy(masks)),
        variants=(Variant("sam.mask_to_rle_pytorch", lambda: sam.mask_to_rle_pytorch(masks)),),
        reference_name="SAM (numpy)",
        domain=DOMAIN,
        compare=compare_equal,
        nbytes=masks.nbytes,
        batched=True,
    )


WORKLOADS = (_stability, _remove_small_regions, _mask_to_rle)
