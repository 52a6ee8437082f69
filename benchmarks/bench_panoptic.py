"""maskkit.panoptic next to panopticapi and vernier: PQ from PNG files and from decoded arrays.

Run ``pytest benchmarks/bench_panoptic.py --benchmark-group-by=group``: one group per workload
of ``maskkit bench``'s panoptic table (see :mod:`maskkit._bench.workloads_panoptic`), the
reference and each maskkit variant at one thread on the same images, results asserted equal
(exactly for panopticapi; within 1e-12 for vernier, which sums in its own order).
"""

from groups import domain_tests

test_maskkit, test_reference = domain_tests("panoptic")
