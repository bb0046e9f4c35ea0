#!/usr/bin/python3
"""NumPy vectorised IoU matrix timing for bench/eval (the peer of box-iou's kernel / iou_bench).

Usage: iou_numpy.py [--sizes 1000x1000,100x30] [--repeats 7] [--min-cpu 0.2]
                    [--write-record FILE NxM]

For each NxM it makes the boxes the way bench/iou_bench.cpp does (x0,y0 uniform in [0,600),
width and height uniform in [4,200), xyxy; seeds fixed), computes the N x M IoU matrix with
broadcasting (the torchvision/`box_iou` formulation: areas, elementwise max/min corners,
clip at 0, inter / (area_a + area_b - inter)), in float64 and float32, and prints one line:

    numpy SIZE DTYPE SECONDS_PER_MATRIX PAIRS_PER_CPU_S

Time is CPU time (time.process_time) of one call, the best of --repeats repeats, each repeat
timing as many calls as fill --min-cpu CPU seconds. NumPy runs single-threaded here (these
elementwise ufuncs do not use BLAS threads).

--write-record FILE NxM writes one NDJSON record {"id":"iou-bench","boxes":[...],"gt_boxes":[...]}
holding the same float64 boxes (--copies K: K such records, ids iou-bench-0..K-1), for timing
`box-iou` end to end on them.
"""
import argparse
import json
import sys
import time

import numpy as np


def boxes(n, seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 600, size=(n, 2))
    wh = rng.uniform(4, 200, size=(n, 2))
    return np.concatenate([xy, xy + wh], axis=1)


def iou(a, b):
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def time_one(a, b, repeats, min_cpu):
    iou(a, b)  # warm up
    best = float("inf")
    for _ in range(repeats):
        calls = 0
        t0 = time.process_time()
        while True:
            iou(a, b)
            calls += 1
            dt = time.process_time() - t0
            if dt >= min_cpu:
                break
        best = min(best, dt / calls)
    return best


def parse_size(s):
    n, m = s.lower().split("x")
    return int(n), int(m)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000x1000,100x30")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-cpu", type=float, default=0.2)
    ap.add_argument("--write-record", nargs=2, metavar=("FILE", "NxM"))
    ap.add_argument("--copies", type=int, default=1, help="records written by --write-record")
    a = ap.parse_args()

    if a.write_record:
        n, m = parse_size(a.write_record[1])
        rec = {"id": "iou-bench",
               "boxes": [[float(v) for v in r] for r in boxes(n, 1)],
               "gt_boxes": [[float(v) for v in r] for r in boxes(m, 2)]}
        with open(a.write_record[0], "w") as f:
            for k in range(a.copies):
                rec["id"] = "iou-bench-%d" % k
                f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        return

    # self-check against a scalar formula on a few pairs
    x, y = boxes(7, 1), boxes(5, 2)
    got = iou(x, y)
    for i in range(7):
        for j in range(5):
            iw = max(0.0, min(x[i, 2], y[j, 2]) - max(x[i, 0], y[j, 0]))
            ih = max(0.0, min(x[i, 3], y[j, 3]) - max(x[i, 1], y[j, 1]))
            inter = iw * ih
            u = ((x[i, 2] - x[i, 0]) * (x[i, 3] - x[i, 1]) +
                 (y[j, 2] - y[j, 0]) * (y[j, 3] - y[j, 1]) - inter)
            assert abs(got[i, j] - inter / u) < 1e-12, (i, j)

    for s in a.sizes.split(","):
        n, m = parse_size(s)
        for dtype in (np.float64, np.float32):
            A, B = boxes(n, 1).astype(dtype), boxes(m, 2).astype(dtype)
            t = time_one(A, B, a.repeats, a.min_cpu)
            print("numpy %dx%d %s %.9g %.6g" % (n, m, np.dtype(dtype).name, t, n * m / t))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
