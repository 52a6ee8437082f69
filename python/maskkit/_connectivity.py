"""Connectivity of the cc functions: neighbour counts, neighbour hops and scipy structures.

A neighbourhood is named three ways by the references: a neighbour count (4 or 8 in 2-D, 6, 18
or 26 in 3-D: cc3d, and maskkit's core), neighbour hops (1..ndim, the largest ``|dz|+|dy|+|dx|``
of a neighbour: scikit-image's ``connectivity``) or a scipy structuring element
(``generate_binary_structure(ndim, hops)``). Each maskkit function takes the convention of the
function it replaces, and with it that reference's default:

=====================================================  ==============  =====================
maskkit function                                       argument        default
=====================================================  ==============  =====================
label, label_stats, label_batch                        count (or       full (8 / 26), as
                                                       ``structure``)  ``skimage.measure.label``
fill_holes                                             count (or       the cross (4 / 6), as
                                                       ``structure``)  ``binary_fill_holes``
remove_small_objects, remove_small_holes               hops            1 (the cross), as
                                                                       scikit-image
dust, largest_k                                        count           26, as cc3d (on a 2-D
                                                                       image 26 is 8, 18 and
                                                                       6 are 4)
=====================================================  ==============  =====================
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import numpy as np

__all__ = ["ALLOWED", "HOPS", "check_ndim", "from_hops", "from_cc3d", "resolve", "structure", "structure_connectivity"]

#: The neighbour counts of each dimensionality, cross first, full last.
ALLOWED: Dict[int, Tuple[int, ...]] = {2: (4, 8), 3: (6, 18, 26)}
#: Neighbour hops of each neighbour count.
HOPS: Dict[int, int] = {4: 1, 8: 2, 6: 1, 18: 2, 26: 3}
_BY_HOPS: Dict[int, Dict[int, int]] = {ndim: {HOPS[c]: c for c in counts} for ndim, counts in ALLOWED.items()}


def check_ndim(ndim: int, what: str) -> None:
    """Refuse images that are not 2-D or 3-D (``what`` names the argument)."""
    if ndim not in ALLOWED:
        raise ValueError(f"{what} must be a 2-D or 3-D image, got ndim={ndim}")


def _integer(value: Any, name: str) -> int:
    """``value`` as an int; a bool or a non-integer is refused (bools are not counts)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer, got the bool {value!r}")
    if not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    return int(value)


def _checked_count(connectivity: Any, ndim: int) -> int:
    count = _integer(connectivity, "connectivity")
    if count not in ALLOWED[ndim]:
        raise ValueError(f"connectivity must be one of {ALLOWED[ndim]} for a {ndim}-D image, got {connectivity!r}")
    return count


def _hops_from_centre(ndim: int) -> np.ndarray:
    """``|dz| + |dy| + |dx|`` of each cell of a 3 x 3 (x 3) neighbourhood."""
    hops: np.ndarray = np.sum(np.abs(np.indices((3,) * ndim) - 1), axis=0)
    return hops


def structure(connectivity: int, ndim: int) -> np.ndarray:
    """scipy's ``generate_binary_structure(ndim, hops)`` for a neighbour count, without scipy."""
    element: np.ndarray = _hops_from_centre(ndim) <= HOPS[_checked_count(connectivity, ndim)]
    return element


def structure_connectivity(structure: Any, ndim: int) -> int:
    """The neighbour count of one of scipy's ``generate_binary_structure(ndim, k)`` elements."""
    s = np.asarray(structure)
    if s.shape != (3,) * ndim:
        raise ValueError(f"structure must have shape {(3,) * ndim} for a {ndim}-D image, got {s.shape}")
    if s.dtype.kind not in "biuf":
        raise TypeError(f"structure must hold numbers or bools, got dtype {s.dtype}")
    s = s.astype(bool)
    hops = _hops_from_centre(ndim)
    for k, connectivity in _BY_HOPS[ndim].items():
        if np.array_equal(s, hops <= k):
            return connectivity
    raise ValueError(
        "only the structures of scipy.ndimage.generate_binary_structure(ndim, k) are supported "
        f"(connectivity {', '.join(map(str, ALLOWED[ndim]))}), got {s.astype(int).tolist()}"
    )


def resolve(connectivity: Optional[Any], structure: Any, ndim: int, *, full: bool) -> int:
    """The neighbour count given as ``connectivity`` or ``structure``, else the default: the
    full neighbourhood (``full``) or the cross. ``ndim`` must be 2 or 3 (see check_ndim)."""
    if structure is not None:
        if connectivity is not None:
            raise ValueError("give connectivity or structure, not both")
        return structure_connectivity(structure, ndim)
    if connectivity is None:
        return ALLOWED[ndim][-1] if full else ALLOWED[ndim][0]
    return _checked_count(connectivity, ndim)


def from_hops(hops: Any, ndim: int) -> int:
    """The neighbour count of scikit-image's ``connectivity`` (hops, 1..ndim)."""
    check_ndim(ndim, "the image")
    number = _integer(hops, "connectivity")
    if number not in _BY_HOPS[ndim]:
        raise ValueError(
            f"connectivity must be one of {sorted(_BY_HOPS[ndim])} (neighbour hops) for ndim={ndim}, got {hops!r}"
        )
    return _BY_HOPS[ndim][number]


def from_cc3d(connectivity: Any, ndim: int) -> int:
    """The neighbour count of cc3d's ``connectivity``: on a 2-D image 26 means 8, 18 and 6 mean 4."""
    check_ndim(ndim, "the image")
    count = _integer(connectivity, "connectivity")
    if ndim == 2 and count in ALLOWED[3]:
        count = 8 if count == 26 else 4
    return _checked_count(count, ndim)
