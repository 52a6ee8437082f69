"""Print the ratio tables of maskkit against its references: the same as ``maskkit bench``.

Usage: ``python benchmarks/report.py [--quick] [--details] [--plot PATH] [--threads N] [--json PATH]
[--workloads a,b]``.
"""

from __future__ import annotations

import sys

from maskkit._cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
