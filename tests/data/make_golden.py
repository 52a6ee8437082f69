"""Generate golden_coco.json beside this file from pycocotools 2.0.11 (run once; output committed).

The fixtures pin the COCO formats without needing pycocotools at test time."""
import json
import random
from pathlib import Path
import numpy as np
import pycocotools
import pycocotools.mask as P

rng = np.random.default_rng(20261122)
rnd = random.Random(20261122)
cases = {"generator": "pycocotools %s, numpy %s" % (pycocotools.__version__ if hasattr(pycocotools, "__version__") else "2.0.11", np.__version__),
         "encode": [], "frPoly": [], "frBbox": [], "merge": [], "iou": [], "toBbox": []}
for i in range(12):
    h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    m = (rng.random((h, w)) < [0.1, 0.5, 0.9][i % 3]).astype(np.uint8)
    cases["encode"].append({"mask": m.tolist(), "rle": P.encode(np.asfortranarray(m))["counts"].decode()})
for i in range(12):
    h, w = rnd.randint(1, 30), rnd.randint(1, 30)
    k = rnd.randint(3, 9)
    poly = [round(rnd.uniform(-3, w + 3), [1, 2, 6][i % 3]) if j % 2 == 0 else round(rnd.uniform(-3, h + 3), [1, 2, 6][i % 3]) for j in range(2 * k)]
    cases["frPoly"].append({"h": h, "w": w, "polygon": poly, "rle": P.frPyObjects([poly], h, w)[0]["counts"].decode()})
for i in range(6):
    h, w = rnd.randint(1, 20), rnd.randint(1, 20)
    box = [round(rnd.uniform(-3, w), 1), round(rnd.uniform(-3, h), 1), round(rnd.uniform(0, w), 1), round(rnd.uniform(0, h), 1)]
    cases["frBbox"].append({"h": h, "w": w, "box": box, "rle": P.frPyObjects(np.array([box]), h, w)[0]["counts"].decode()})
for i in range(6):
    m = (rng.random((9, 7, 3)) < 0.4).astype(np.uint8)
    rles = P.encode(np.asfortranarray(m))
    for inter in (0, 1):
        cases["merge"].append({"size": [9, 7], "rles": [r["counts"].decode() for r in rles], "intersect": inter,
                               "rle": P.merge(rles, intersect=inter)["counts"].decode()})
    cases["toBbox"].append({"size": [9, 7], "rles": [r["counts"].decode() for r in rles], "bbox": P.toBbox(rles).tolist()})
    crowd = [int(v) for v in rng.integers(0, 2, 3)]
    cases["iou"].append({"size": [9, 7], "dt": [r["counts"].decode() for r in rles], "gt": [r["counts"].decode() for r in rles[::-1]],
                         "iscrowd": crowd, "iou_hex": [[float(v).hex() for v in row] for row in P.iou(rles, rles[::-1], crowd).tolist()]})
json.dump(cases, open(Path(__file__).with_name("golden_coco.json"), "w"), indent=None, separators=(",", ":"))
print("ok")
