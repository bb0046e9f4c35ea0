#!/usr/bin/python3
"""Deterministic COCO-val-sized detection-evaluation pair for bench/eval (stdlib only).

Usage: gen_coco_eval.py OUT_DIR [--images 5000] [--classes 80] [--gt-per-image 7]
                                [--dets-per-image 30] [--seed 2017]

Writes OUT_DIR/gt.json (COCO instances: images, categories, annotations with bbox/area/iscrowd)
and OUT_DIR/dt.json (COCO results: [{image_id, category_id, bbox, score}]). The same arguments
give byte-identical files (random.Random(seed), fixed float formatting).

Shape of the data, chosen to look like val2017 as COCOeval sees it:
- images 640x480 (mixed orientations); GT count per image uniform in [1, 2*g-1] (mean g);
  classes drawn with a skewed (Zipf-like) weight so a few classes dominate, as 'person' does;
- GT box sizes log-uniform in area so roughly 40 % small (< 32^2), 35 % medium, 25 % large
  (COCO's split); `area` is 0.6-0.9 of the box area (a segmentation area, as in COCO);
- 1 % of GTs are crowd (iscrowd=1), exercising the crowd/ignore rules;
- detections per image uniform in [d/2, 3d/2] (mean d): ~45 % jittered copies of a GT (same
  class, or a wrong class 10 % of the time; score higher when the jitter is small), the rest
  random boxes of random classes with low-ish scores; scores rounded to 5 digits so ties occur.
"""
import argparse
import json
import math
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--classes", type=int, default=80)
    ap.add_argument("--gt-per-image", type=int, default=7)
    ap.add_argument("--dets-per-image", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2017)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out_dir, exist_ok=True)

    cat_ids = [i + 1 for i in range(a.classes)]
    cat_w = [1.0 / (i + 1) ** 0.8 for i in range(a.classes)]
    r = lambda v: round(v, 2)

    def rand_box(W, H):
        # log-uniform area between 6^2 and ~0.8*W*H, aspect ratio 1/3..3
        area = math.exp(rng.uniform(math.log(36.0), math.log(0.8 * W * H)))
        ar = math.exp(rng.uniform(math.log(1 / 3), math.log(3)))
        w = min(W - 1.0, math.sqrt(area * ar))
        h = min(H - 1.0, math.sqrt(area / ar))
        x = rng.uniform(0, W - w)
        y = rng.uniform(0, H - h)
        return [r(x), r(y), r(w), r(h)]

    images, anns, dets = [], [], []
    ann_id = 1
    for img_id in range(1, a.images + 1):
        W, H = (640, 480) if rng.random() < 0.7 else (480, 640)
        images.append({"id": img_id, "width": W, "height": H, "file_name": "%012d.jpg" % img_id})
        n_gt = rng.randint(1, 2 * a.gt_per_image - 1)
        gts = []
        for _ in range(n_gt):
            cat = rng.choices(cat_ids, cat_w)[0]
            b = rand_box(W, H)
            crowd = 1 if rng.random() < 0.01 else 0
            area = r(b[2] * b[3] * rng.uniform(0.6, 0.9))
            anns.append({"id": ann_id, "image_id": img_id, "category_id": cat, "bbox": b,
                         "area": area, "iscrowd": crowd})
            ann_id += 1
            gts.append((cat, b))
        n_dt = rng.randint(a.dets_per_image // 2, a.dets_per_image * 3 // 2)
        for _ in range(n_dt):
            if rng.random() < 0.45:
                cat, g = rng.choice(gts)
                if rng.random() < 0.1:
                    cat = rng.choice(cat_ids)
                j = rng.uniform(0.0, 0.35)
                x = g[0] + rng.gauss(0, j) * g[2]
                y = g[1] + rng.gauss(0, j) * g[3]
                w = max(1.0, g[2] * math.exp(rng.gauss(0, j)))
                h = max(1.0, g[3] * math.exp(rng.gauss(0, j)))
                x = min(max(0.0, x), W - 1.0)
                y = min(max(0.0, y), H - 1.0)
                w = min(w, W - x)
                h = min(h, H - y)
                score = min(1.0, max(0.001, rng.betavariate(5, 2) * (1.0 - j)))
                b = [r(x), r(y), r(w), r(h)]
            else:
                cat = rng.choices(cat_ids, cat_w)[0]
                b = rand_box(W, H)
                score = max(0.001, rng.betavariate(1.2, 5))
            dets.append({"image_id": img_id, "category_id": cat, "bbox": b,
                         "score": round(score, 5)})

    gt = {"info": {"description": "imgpipe bench/gen_coco_eval.py synthetic val-sized set",
                   "seed": a.seed},
          "images": images,
          "annotations": anns,
          "categories": [{"id": c, "name": "class%d" % c, "supercategory": "none"}
                         for c in cat_ids]}
    with open(os.path.join(a.out_dir, "gt.json"), "w") as f:
        json.dump(gt, f, separators=(",", ":"))
    with open(os.path.join(a.out_dir, "dt.json"), "w") as f:
        json.dump(dets, f, separators=(",", ":"))
    print("gen_coco_eval: %d images, %d classes, %d GT (%.2f/image), %d detections (%.2f/image)"
          % (len(images), a.classes, len(anns), len(anns) / len(images), len(dets),
             len(dets) / len(images)))


if __name__ == "__main__":
    main()
