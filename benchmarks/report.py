"""Print the maskkit vs pycocotools ratio table: the same as ``maskkit bench``.

Usage: ``python benchmarks/report.py [--quick] [--threads N] [--json PATH] [--workloads a,b]``.
"""

from __future__ import annotations

import sys

from maskkit._cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
