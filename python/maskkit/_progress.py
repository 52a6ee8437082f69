"""Progress of long command-line runs on stderr: tqdm's bar where tqdm is installed, else a
line that rewrites itself on a terminal (or one line per tenth of the work in a log)."""

from __future__ import annotations

import importlib
import sys
import time
from typing import Any, Callable, Optional, TextIO

__all__ = ["progress_reporter"]


def progress_reporter(label: str, enabled: bool = True, stream: Optional[TextIO] = None) -> Callable[[int, int], None]:
    """A ``report(done, total)`` callback that draws the progress of ``label``.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> report = progress_reporter("images", stream=out)
    >>> for done in range(1, 11):
    ...     report(done, 10)
    >>> out.getvalue().splitlines()[-1]
    'images: 10/10'
    """
    if not enabled:
        return lambda done, total: None
    out = sys.stderr if stream is None else stream
    if stream is None:
        try:
            tqdm = importlib.import_module("tqdm").tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            state: dict[str, Any] = {}

            def tqdm_report(done: int, total: int) -> None:
                if "bar" not in state:
                    state["bar"] = tqdm(total=total, desc=label, file=out)
                state["bar"].update(done - state["bar"].n)
                if done == total:
                    state["bar"].close()

            return tqdm_report
    interactive = hasattr(out, "isatty") and out.isatty()
    last = {"step": -1, "time": 0.0}

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if interactive:
            if done == total or now - last["time"] > 0.1:
                last["time"] = now
                out.write(f"\r{label}: {done}/{total}" + ("\n" if done == total else ""))
                out.flush()
            return
        step = done * 10 // max(total, 1)
        if step != last["step"]:
            last["step"] = step
            out.write(f"{label}: {done}/{total}\n")
            out.flush()

    return report
