"""What a workload table holds: a reference call, the maskkit calls that replace it, and how
their results compare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .compare import Comparer

__all__ = ["ParityError", "Variant", "Workload"]


class ParityError(AssertionError):
    """maskkit's result differs from the reference's (or between thread counts)."""


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Variant:
    """One maskkit implementation of a workload.

    Attributes
    ----------
    name
        Short name shown in the table, e.g. ``"coco.encode"``.
    run
        The timed call.
    to_reference
        Converts ``run``'s output to the reference's form for the parity check (not timed).
    floor
        Name of the workload's memory floor (see :attr:`Workload.floors`) this variant's time
        is compared with, or ``None``.
    """

    name: str
    run: Callable[[], Any]
    to_reference: Callable[[Any], Any] = _same
    floor: str | None = None


@dataclass(frozen=True)
class Workload:
    """A reference call, the maskkit variants that replace it, and how results compare.

    Attributes
    ----------
    key
        Identifier for ``--workloads`` (e.g. ``"encode_f"``).
    label
        Name shown in the table (e.g. ``"encode F"``).
    description
        The data and calls, in words.
    reference
        The reference call, or ``None`` when its package is not installed (or not used).
    variants
        maskkit calls computing the same result.
    compare
        ``compare(maskkit_result, reference_result)`` is ``None`` when equal, else a message.
    nbytes
        Mask bytes read or written (for bandwidth figures), 0 when not meaningful.
    batched
        Whether the scaling lines report this workload.
    reference_name
        Name of the reference shown in the table and in parity messages.
    domain
        The table the workload belongs to (``coco``, ``rle``, ``dialects``, ``polygon``, ``cc``).
    floors
        ``(name, call)`` memory floors timed at one thread next to the workload, e.g.
        allocating and filling the label image.
    split_floor
        ``split_floor(threads)`` writes the workload's fresh output with its rows split over
        ``threads`` threads; timed at 1 and N threads among the variants' runs, its scaling is
        how far writing fresh memory scales on this machine at that moment.
    missing_note
        Why there is no reference when :attr:`reference` is ``None``.
    """

    key: str
    label: str
    description: str
    reference: Callable[[], Any] | None
    variants: tuple[Variant, ...]
    compare: Comparer
    nbytes: int = 0
    batched: bool = False
    reference_name: str = "pycocotools"
    domain: str = "coco"
    floors: tuple[tuple[str, Callable[[], Any]], ...] = ()
    split_floor: Callable[[int], Any] | None = None
    missing_note: str = "no reference"
