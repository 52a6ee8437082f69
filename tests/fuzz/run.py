"""Run every fuzz harness for a time budget, each in a child process, and count its calls.

Usage (from the repository root, with maskkit importable)::

    python -m tests.fuzz.run --seconds 60                 # every harness, 60 s each
    python -m tests.fuzz.run --seconds 600 fuzz_cc        # the harnesses of one file
    python -m tests.fuzz.run --seconds 30 fuzz_cc::test_fuzz_label
    python -m tests.fuzz.run --seconds 600 --jobs 2      # two children at a time

Against the sanitizer build, run it the way ``.ci/sanitize`` does (the sanitizer runtime
preloaded, the instrumented module first on ``PYTHONPATH``). A child that dies (a sanitizer
report, a signal, a hang past the per-call timeout) or whose harness fails is reported with the
end of its output, and the run exits 1. Each child runs under an address-space limit
(``--memory-gib``; under ASan, whose shadow memory needs more address space, the same bound on
each allocation through ``max_allocation_size_mb``) so that a huge allocation fails instead of
taking the machine.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List, Sequence, Tuple

BATCH_EXAMPLES = 200


def harness_modules() -> List[str]:
    package = importlib.import_module("tests.fuzz")
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("fuzz_"))


def selected_harnesses(patterns: Sequence[str]) -> List[str]:
    from tests.fuzz import harness

    for module in harness_modules():
        importlib.import_module(f"tests.fuzz.{module}")
    names = sorted(harness.HARNESSES)
    if not patterns:
        return names
    chosen = [n for n in names if any(n == p or n.split("::")[0] == p for p in patterns)]
    unknown = [p for p in patterns if not any(n == p or n.split("::")[0] == p for n in names)]
    if unknown:
        raise SystemExit(f"no harness named {', '.join(unknown)}; known: {', '.join(names)}")
    return chosen


def run_child(name: str, seconds: float) -> None:
    """In the child: call the harness in batches until the budget is spent; print the count."""
    from tests.fuzz import harness

    module = name.split("::")[0]
    importlib.import_module(f"tests.fuzz.{module}")
    test = harness.HARNESSES[name]
    deadline = time.monotonic() + seconds
    batches = 0
    while time.monotonic() < deadline:
        test()
        batches += 1
    print(f"RESULT {harness.calls_made()} {batches}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("harnesses", nargs="*", help="file (fuzz_cc) or harness (fuzz_cc::test_fuzz_label) names")
    parser.add_argument("--seconds", type=float, default=10.0, help="time budget per harness")
    parser.add_argument("--memory-gib", type=float, default=4.0, help="address-space limit per child")
    parser.add_argument("--jobs", type=int, default=1, help="children run at the same time")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child, args.seconds)
        return 0

    names = selected_harnesses(args.harnesses)
    sanitized = "asan" in os.environ.get("LD_PRELOAD", "")
    limit = None if sanitized else int(args.memory_gib * 2**30)

    def limit_memory() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ, MASKKIT_FUZZ_EXAMPLES=str(BATCH_EXAMPLES))
    if sanitized:
        bound = f"max_allocation_size_mb={int(args.memory_gib * 1024)}"
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), bound]))

    def run_one(name: str) -> Tuple[str, "subprocess.CompletedProcess[str]", float]:
        started = time.monotonic()
        child = subprocess.run(
            [sys.executable, "-m", "tests.fuzz.run", "--child", name, "--seconds", str(args.seconds)],
            env=env, capture_output=True, text=True, preexec_fn=limit_memory,
        )
        return name, child, time.monotonic() - started

    failures = 0
    total = 0
    print(f"{len(names)} harnesses, {args.seconds:g} s each, {args.jobs} at a time"
          f"{' (sanitized core)' if sanitized else ''}", flush=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, child, elapsed in pool.map(run_one, names):
            result = [line for line in child.stdout.splitlines() if line.startswith("RESULT ")]
            if child.returncode == 0 and result:
                calls = int(result[-1].split()[1])
                total += calls
                print(f"  ok    {name:60s} {calls:>9d} calls {elapsed:7.1f} s", flush=True)
            else:
                failures += 1
                how = f"signal {-child.returncode}" if child.returncode < 0 else f"exit {child.returncode}"
                print(f"  FAIL  {name:60s} ({how}) after {elapsed:.1f} s")
                tail = (child.stdout + child.stderr).strip().splitlines()[-60:]
                print("\n".join("        " + line for line in tail), flush=True)
    print(f"{total} calls in all, {failures} failing harness(es)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
