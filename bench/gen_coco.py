#!/usr/bin/python3
"""Writes a synthetic COCO instances JSON for the label-conv benchmark (stdlib only, deterministic).

  gen_coco.py OUT.json --images N --boxes-per-image K [--polygons] [--points P] [--scale S] [--seed N]

Presets: --preset val (5000 images, ~36,800 boxes, no segmentation: ~val2017 size) and
--preset train (118,000 images, ~860,000 boxes with ~20-point polygons: ~train2017, ~450 MB).
--scale multiplies the image count (e.g. --preset train --scale 0.1 for a quick run).
The number of boxes per image varies around K (uniform 0..2K), as in COCO; coordinates are
floats with two decimals, like COCO's. Prints a one-line summary on stderr.
"""
import argparse
import json
import random
import sys

CATS = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
        "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
        "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
        "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
        "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
        "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
        "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
        "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
        "teddy bear", "hair drier", "toothbrush"]
# COCO's category ids are 1..90 with gaps; keep the gaps.
CAT_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27,
           28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53,
           54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80,
           81, 82, 84, 85, 86, 87, 88, 89, 90]
PRESETS = {"val": (5000, 7.36, False), "train": (118000, 7.29, True)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--preset", choices=sorted(PRESETS))
    ap.add_argument("--images", type=int)
    ap.add_argument("--boxes-per-image", type=float)
    ap.add_argument("--polygons", action="store_true", help="add a polygon segmentation per box")
    ap.add_argument("--points", type=int, default=20, help="polygon points (default 20)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the image count")
    ap.add_argument("--seed", type=int, default=2017)
    a = ap.parse_args()
    n, k, poly = None, None, a.polygons
    if a.preset:
        n, k, p = PRESETS[a.preset]
        poly = poly or p
    n = a.images if a.images is not None else n
    k = a.boxes_per_image if a.boxes_per_image is not None else k
    if n is None or k is None:
        ap.error("give --preset or both --images and --boxes-per-image")
    n = max(1, int(round(n * a.scale)))
    rng = random.Random(a.seed)
    r2 = lambda v: round(v, 2)

    out = open(a.out, "w", encoding="utf-8")
    w = out.write
    w('{"info":{"description":"imgpipe synthetic COCO (bench/gen_coco.py)","version":"1.0","year":2017,'
      '"contributor":"imgpipe","date_created":"2017/09/01"},')
    w('"licenses":[{"url":"http://creativecommons.org/licenses/by/2.0/","id":4,"name":"Attribution License"}],')
    w('"images":[')
    sizes = []
    for i in range(n):
        iw, ih = rng.choice(((640, 480), (640, 427), (480, 640), (640, 360), (500, 375), (427, 640)))
        sizes.append((iw, ih))
        img = {"license": 4, "file_name": "%012d.jpg" % (i + 1), "coco_url": "http://images.cocodataset.org/train2017/%012d.jpg" % (i + 1),
               "height": ih, "width": iw, "date_captured": "2013-11-14 16:28:13", "id": i + 1}
        w(("," if i else "") + json.dumps(img, separators=(",", ":")))
    w('],"annotations":[')
    aid = 0
    for i, (iw, ih) in enumerate(sizes):
        for _ in range(rng.randint(0, int(round(2 * k)))):
            bw = r2(rng.uniform(4, iw * 0.8))
            bh = r2(rng.uniform(4, ih * 0.8))
            x = r2(rng.uniform(0, iw - bw))
            y = r2(rng.uniform(0, ih - bh))
            aid += 1
            ann = {}
            if poly:
                seg = []
                for j in range(a.points):
                    seg.append(r2(x + rng.uniform(0, bw)))
                    seg.append(r2(y + rng.uniform(0, bh)))
                ann["segmentation"] = [seg]
            ann.update({"area": r2(bw * bh * 0.6), "iscrowd": 0, "image_id": i + 1, "bbox": [x, y, bw, bh],
                        "category_id": rng.choice(CAT_IDS), "id": aid})
            w(("," if aid > 1 else "") + json.dumps(ann, separators=(",", ":")))
    w('],"categories":[')
    w(",".join(json.dumps({"supercategory": "thing", "id": c, "name": nm}, separators=(",", ":"))
               for c, nm in zip(CAT_IDS, CATS)))
    w("]}\n")
    size = out.tell()
    out.close()
    print(f"gen_coco: {a.out}: {n} images, {aid} boxes{' with polygons' if poly else ''}, {size / 1e6:.1f} MB",
          file=sys.stderr)


if __name__ == "__main__":
    main()
