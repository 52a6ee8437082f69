"""Run a snippet in a fresh interpreter under an address-space limit and a hang guard.

Memory bounds are checked in a child process: the test process's own peak RSS says nothing
once an earlier test allocated more, and an unbounded allocation must fail in the child, not
take the machine. The timeout is a guard against hangs (minutes), never a speed claim.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from typing import Any, Dict, Optional

SANITIZED = "asan" in os.environ.get("LD_PRELOAD", "")

_PRELUDE = """
import json, resource, sys
def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def report(**values):
    print("RESULT " + json.dumps(values), flush=True)
"""


def run_limited(code: str, *, address_space_gib: Optional[float] = 2.0, timeout_s: float = 300.0,
                env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """Run ``code`` in a child Python; return what it passed to ``report(**values)``.

    ``peak_rss_mib()`` is available to the snippet (the child's own peak, so it measures only the
    snippet and the import). The address-space limit is skipped under ASan, whose shadow memory
    reserves terabytes of address space. A child that fails, crashes or does not report raises
    AssertionError with its output.
    """
    limit = None if SANITIZED or address_space_gib is None else int(address_space_gib * 2**30)

    def apply_limit() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    child = subprocess.run(
        [sys.executable, "-c", _PRELUDE + textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout_s, preexec_fn=apply_limit,
        env=None if env is None else {**os.environ, **env},
    )
    lines = [line for line in child.stdout.splitlines() if line.startswith("RESULT ")]
    if child.returncode != 0 or not lines:
        raise AssertionError(f"child exited {child.returncode}:\n{child.stdout}\n{child.stderr}")
    result: Dict[str, Any] = json.loads(lines[-1][len("RESULT "):])
    return result
