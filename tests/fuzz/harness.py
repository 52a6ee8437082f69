"""What every fuzz harness shares: settings, the error contract, hostile array layouts.

A harness is a hypothesis test decorated with :func:`fuzz` that feeds an entry point structured,
hostile inputs and calls it through :func:`clean_call`. The contract it enforces is the library's
error model: a call either succeeds (and the harness then checks the result against a reference or
an oracle) or raises ``ValueError``, ``TypeError`` or ``OverflowError``. Anything else — another
exception type, a crash (the sanitizer build turns out-of-bounds accesses into crashes), a call
that does not return within :data:`CALL_TIMEOUT_S` — is a bug.

In the unit-test run each harness draws :data:`EXAMPLES` inputs (``MASKKIT_FUZZ_EXAMPLES``,
default 20); ``python -m tests.fuzz.run`` runs each one for a time budget in a child process.
"""

from __future__ import annotations

import faulthandler
import os
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

__all__ = [
    "ALLOWED_ERRORS",
    "CALL_TIMEOUT_S",
    "EXAMPLES",
    "HARNESSES",
    "calls_made",
    "clean_call",
    "fuzz",
    "hostile_layouts",
    "native_copy",
    "succeeded",
]

ALLOWED_ERRORS: Tuple[Type[BaseException], ...] = (ValueError, TypeError, OverflowError)
EXAMPLES = int(os.environ.get("MASKKIT_FUZZ_EXAMPLES", "20"))
CALL_TIMEOUT_S = float(os.environ.get("MASKKIT_FUZZ_CALL_TIMEOUT_S", "60"))

# name ("fuzz_cc::test_fuzz_label") -> the hypothesis test, for tests/fuzz/run.py
HARNESSES: Dict[str, Callable[[], None]] = {}
_calls = [0]

F = TypeVar("F", bound=Callable[..., Any])


def fuzz(test: F) -> F:
    """Apply the fuzz settings to a ``@given`` test and register it as a harness."""
    configured = settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,  # every run draws fresh inputs; failures are printed, not replayed
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )(test)
    module = test.__module__.rsplit(".", 1)[-1]
    HARNESSES[f"{module}::{test.__name__}"] = configured
    return configured  # type: ignore[no-any-return]


def calls_made() -> int:
    """How many calls :func:`clean_call` made in this process."""
    return _calls[0]


def clean_call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Optional[Any]:
    """Call ``function``; ``None`` if it raised an allowed error, its result otherwise.

    Any exception outside :data:`ALLOWED_ERRORS` propagates and fails the harness, and so does an
    allowed error without a message (the error model asks for one that names the rule). A call
    that hangs for :data:`CALL_TIMEOUT_S` ends the process with every thread's traceback.
    """
    _calls[0] += 1
    faulthandler.dump_traceback_later(CALL_TIMEOUT_S, exit=True)
    try:
        return function(*args, **kwargs)
    except ALLOWED_ERRORS as error:
        if not str(error):
            raise AssertionError(f"{type(error).__name__} without a message from {function!r}") from error
        return None
    finally:
        faulthandler.cancel_dump_traceback_later()


def succeeded(function: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """:func:`clean_call` for functions that return ``None``: whether the call was accepted."""
    accepted = object()

    def call() -> Any:
        function(*args, **kwargs)
        return accepted

    return clean_call(call) is accepted


def native_copy(array: np.ndarray) -> np.ndarray:
    """A C-ordered, writeable, native-byte-order copy with the same values (for oracles)."""
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("="))


_LAYOUTS = ("as_is", "fortran", "reversed", "strided", "byteswapped", "readonly", "broadcast", "transposed")


@st.composite
def hostile_layouts(draw: st.DrawFn, arrays: st.SearchStrategy[np.ndarray], *, keep_shape: bool = True) -> np.ndarray:
    """Views of arrays drawn from ``arrays`` in the layouts a C core gets wrong.

    Negative strides, Fortran order, non-contiguous steps, zero strides (broadcasting), the
    other byte order, read-only memory and (``keep_shape=False``) transposes, applied one after
    another. Values may change (a broadcast repeats a slice); compare against the oracle on
    :func:`native_copy` of the returned view.
    """
    array = draw(arrays)
    steps: List[str] = draw(st.lists(st.sampled_from(_LAYOUTS), max_size=3))
    for step in steps:
        if step == "fortran":
            array = np.asfortranarray(array)
        elif step == "reversed" and array.ndim:
            axes = draw(st.lists(st.integers(0, array.ndim - 1), min_size=1, max_size=array.ndim, unique=True))
            index = tuple(slice(None, None, -1) if axis in axes else slice(None) for axis in range(array.ndim))
            array = array[index]
        elif step == "strided" and array.ndim:
            axis = draw(st.integers(0, array.ndim - 1))
            step_size = draw(st.integers(2, 3))
            wide = np.repeat(array, step_size, axis=axis)
            index = tuple(slice(None, None, step_size) if a == axis else slice(None) for a in range(array.ndim))
            array = wide[index]
        elif step == "byteswapped" and array.dtype.itemsize > 1:
            array = array.astype(array.dtype.newbyteorder("S"))
        elif step == "readonly":
            array = array.view()
            array.flags.writeable = False
        elif step == "broadcast" and array.ndim and array.shape[0] > 0:
            array = np.broadcast_to(array[:1], array.shape)
        elif step == "transposed" and not keep_shape and array.ndim >= 2:
            array = array.T
    return array

