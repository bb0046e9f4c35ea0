#!/usr/bin/python3
# decode_peers.py: the Python side of bench/decode -- makes the JPEG bench set and times PIL / OpenCV.
"""Usage:
  decode_peers.py make-set SRC_DIR OUT_DIR [COUNT]   re-encode the photos in SRC_DIR to ~COUNT JPEGs
  decode_peers.py describe LIST                      one line on the set (files, sizes, pixels)
  decode_peers.py pick LIST                          a representative camera-like file: path w h
  decode_peers.py peers LIST [RUNS]                  time every peer, print TSV rows:
      name <TAB> best wall s <TAB> cpu s of that run <TAB> images   (or: name <TAB> not installed)

LIST is a file with one image path per line. Peers read each file from disk inside the timed
loop and run single-threaded, like `img-decode --threads 1`.
"""
import os
import random
import sys
import time


def make_set(src_dir, out_dir, count=300):
    """Realistic content and sizes from a few real photos: every source at native size, at a
    COCO-like 640 and a 1024..1600 size, and the largest third again as 2000..4000 px camera
    files. Sizes more than 1.6x a source's own are collages of several photos (see mosaic)."""
    from PIL import Image

    rng = random.Random(7)
    os.makedirs(out_dir, exist_ok=True)
    sources = []
    for name in sorted(os.listdir(src_dir)):
        try:
            im = Image.open(os.path.join(src_dir, name))
            im.load()
        except Exception:
            continue
        if im.mode not in ("L", "RGB"):
            im = im.convert("RGB")
        sources.append((name.rsplit(".", 1)[0], im))
    if not sources:
        sys.exit("decode_peers.py: error: no readable images in " + src_dir)

    by_size = sorted(sources, key=lambda s: -max(s[1].size))
    plan = []  # (stem, image, long side or 0 for native, tier)
    for stem, im in sources:
        plan.append((stem, im, 0, "native"))
        plan.append((stem, im, 640, "640"))
    for stem, im in sources:
        plan.append((stem, im, rng.randint(1024, 1600), "mid"))
    for stem, im in by_size[: max(1, len(sources) // 3)]:
        plan.append((stem, im, rng.choice([2048, 2560, 3000, 3264, 4000, 4032]), "big"))
    while len(plan) < count:  # a corpus smaller than ours: repeat at other sizes
        stem, im = rng.choice(sources)
        plan.append((stem, im, rng.randint(300, 2400), "extra"))
    plan = plan[:count]

    # Tiles for enlargements: photos with enough detail of their own.
    tiles = [im.convert("RGB") for _, im in sources if max(im.size) >= 400] or \
            [im.convert("RGB") for _, im in by_size[:4]]

    def mosaic(w, h):
        n_x = max(1, round(w / 700))
        n_y = max(1, round(h / 700))
        canvas = Image.new("RGB", (w, h))
        for ty in range(n_y):
            for tx in range(n_x):
                x0, x1 = tx * w // n_x, (tx + 1) * w // n_x
                y0, y1 = ty * h // n_y, (ty + 1) * h // n_y
                t = rng.choice(tiles)
                f = max((x1 - x0) / t.size[0], (y1 - y0) / t.size[1])
                t = t.resize((max(x1 - x0, round(t.size[0] * f)), max(y1 - y0, round(t.size[1] * f))),
                             Image.LANCZOS)
                canvas.paste(t.crop((0, 0, x1 - x0, y1 - y0)), (x0, y0))
        return canvas

    for i, (stem, im, side, tier) in enumerate(plan):
        w, h = im.size
        if side:
            f = side / max(w, h)
            nw, nh = max(1, round(w * f)), max(1, round(h * f))
            if f > 1.6:
                # A photo blown up 3x..40x is smooth and decodes faster than a camera file of its
                # size; a collage of photos, each enlarged 2x at most, has a photo's detail.
                img = mosaic(nw, nh)
                stem = "mosaic"
            else:
                img = im.resize((nw, nh), Image.LANCZOS)
        else:
            img = im.copy()
        r = rng.random()
        kw = {"quality": rng.choice([75, 80, 85, 90, 92, 95])}
        # Mostly baseline 4:2:0 (what cameras and most encoders write); some 4:4:4, 4:2:2,
        # progressive (the web), and a few with an EXIF rotation tag (phones).
        kw["subsampling"] = 2 if r < 0.75 else (0 if r < 0.90 else 1)
        if rng.random() < 0.12:
            kw["progressive"] = True
        if img.mode == "RGB" and rng.random() < 0.06:
            exif = Image.Exif()
            exif[0x0112] = rng.choice([6, 8, 3])
            kw["exif"] = exif.tobytes()
        img.save(os.path.join(out_dir, "%03d_%s_%s.jpg" % (i, tier, stem[:40])), "JPEG", **kw)
    return len(plan)


def read_list(path):
    with open(path) as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def describe(files):
    from PIL import Image

    px, big, size, gray, prog = 0, 0, 0, 0, 0
    for f in files:
        with Image.open(f) as im:
            w, h = im.size
            px += w * h
            big += max(w, h) >= 2000
            gray += im.mode == "L"
            prog += bool(im.info.get("progressive"))
        size += os.path.getsize(f)
    print("%d JPEG files, %.1f MB, %.1f Mpixels (%.2f bits/pixel), %d with long side >= 2000 px, "
          "%d gray, %d progressive" % (len(files), size / 1e6, px / 1e6, size * 8 / px, big, gray, prog))
    print("MPIX\t%.3f" % (px / 1e6))


def pil_full(f):
    from PIL import Image

    with Image.open(f) as im:
        im = im.convert("RGB")
        im.load()
    return im


def pil_draft(f):
    from PIL import Image

    with Image.open(f) as im:
        im.draft("RGB", (256, 256))
        im.thumbnail((256, 256))
    return im


def cv_full(f):
    import cv2
    import numpy as np

    with open(f, "rb") as fh:
        buf = np.frombuffer(fh.read(), np.uint8)
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def cv_reduced(f, _hdr={}):
    import cv2
    import numpy as np

    with open(f, "rb") as fh:
        data = fh.read()
    buf = np.frombuffer(data, np.uint8)
    long_side = jpeg_long_side(data)
    flag = cv2.IMREAD_COLOR
    for d, fl in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
                  (2, cv2.IMREAD_REDUCED_COLOR_2)):
        if (long_side + d - 1) // d >= 256:
            flag = fl
            break
    img = cv2.imdecode(buf, flag)
    h, w = img.shape[:2]
    if max(w, h) > 256:
        s = 256 / max(w, h)
        img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))),
                         interpolation=cv2.INTER_AREA)
    return img


def jpeg_long_side(data):
    """Long side from the SOF marker: OpenCV has no header-only call, and PIL would cost time
    that is not OpenCV's. A short walk over the marker segments."""
    i = 2
    n = len(data)
    while i + 9 < n:
        if data[i] != 0xFF:
            i += 1
            continue
        m = data[i + 1]
        if m == 0xFF:
            i += 1
            continue
        if m in (0xD8, 0x01) or 0xD0 <= m <= 0xD7:
            i += 2
            continue
        seg = (data[i + 2] << 8) | data[i + 3]
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            h = (data[i + 5] << 8) | data[i + 6]
            w = (data[i + 7] << 8) | data[i + 8]
            return max(w, h)
        i += 2 + seg
    return 0


def pick(files):
    """The file for tjbench: a camera-like one -- baseline 4:2:0 RGB, no EXIF rotation, the
    median size among those of 6 Mpixels or more (the largest one when none is)."""
    from PIL import Image, JpegImagePlugin

    cands = []
    for f in files:
        with Image.open(f) as im:
            w, h = im.size
            ok = (im.mode == "RGB" and not im.info.get("progressive")
                  and JpegImagePlugin.get_sampling(im) == 2 and im.getexif().get(0x0112, 1) == 1)
            cands.append((w * h >= 6e6 and ok, w * h, f, w, h))
    good = sorted(c for c in cands if c[0]) or [max(cands, key=lambda c: c[1])]
    c = good[len(good) // 2]
    print("%s\t%d\t%d" % (c[2], c[3], c[4]))


def time_peer(fn, files, runs):
    fn(files[0])  # imports and first-call set-up are not part of the timing
    best = None
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        for f in files:
            fn(f)
        t, c = time.perf_counter() - t0, time.process_time() - c0
        if best is None or t < best[0]:
            best = (t, c)
    return best


def peers(files, runs):
    rows = []
    try:
        import PIL  # noqa: F401

        have_pil = True
    except ImportError:
        have_pil = False
    try:
        import cv2

        cv2.setNumThreads(1)
        have_cv = True
    except ImportError:
        have_cv = False
    for name, fn, ok in (("pil-full", pil_full, have_pil), ("pil-draft-256", pil_draft, have_pil),
                         ("opencv-full", cv_full, have_cv), ("opencv-reduced-256", cv_reduced, have_cv)):
        if not ok:
            rows.append("%s\tnot installed" % name)
            continue
        t, c = time_peer(fn, files, runs)
        rows.append("%s\t%.4f\t%.4f\t%d" % (name, t, c, len(files)))
        print(rows[-1], flush=True)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    cmd = argv[1]
    if cmd == "make-set":
        n = make_set(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 300)
        print("made %d files" % n, file=sys.stderr)
    elif cmd == "describe":
        describe(read_list(argv[2]))
    elif cmd == "pick":
        pick(read_list(argv[2]))
    elif cmd == "peers":
        peers(read_list(argv[2]), int(argv[3]) if len(argv) > 3 else 3)
    else:
        print("decode_peers.py: error: unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
