#!/usr/bin/env bash
# label-conv YOLO segment lines (Ultralytics "class x1 y1 ... xn yn"): read beside detection lines,
# written with --layout segment, yolo-seg -> ndjson -> yolo-seg within 1e-6, coco polygons -> yolo
# segments -> coco; bad counts named by file:line; polylines refused by voc/yolo/createml.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LC=$BIN/label-conv
D=$SRC/tests/golden/data/labels
[[ -x $LC ]] || { echo "$TEST_NAME: error: $LC not built" >&2; exit 2; }

# close.py A B: the YOLO label files under A and B have the same lines (class exactly, values within
# 1e-6); prints the differences otherwise.
CLOSE=$T/close.py
cat >"$CLOSE" <<'PY'
import glob, os, sys
def lines(folder):
    out = {}
    for f in sorted(glob.glob(os.path.join(folder, "**", "*.txt"), recursive=True)):
        if os.path.basename(f) == "classes.txt": continue
        out[os.path.relpath(f, folder)] = [[float(v) for v in l.split()] for l in open(f) if l.strip()]
    return out
a, b = lines(sys.argv[1]), lines(sys.argv[2])
ok = a.keys() == b.keys() and all(
    len(a[k]) == len(b[k]) and all(len(p) == len(q) and p[0] == q[0] and all(abs(x - y) <= 1e-6 for x, y in zip(p[1:], q[1:]))
                                   for p, q in zip(a[k], b[k])) for k in a)
if not ok: print(a, "\n", b)
sys.exit(0 if ok else 1)
PY

# ---- fixture: a 64x48 image with a triangle, a box, and a pentagon on a second image
mkdir -p "$T/seg"
cp "$D/yolo/a.png" "$T/seg/a.png"
cp "$D/yolo/a.png" "$T/seg/b.png"
printf 'road\ncar\n' >"$T/seg/classes.txt"
printf '0 0.125 0.25 0.5 0.25 0.3125 0.75\n1 0.5 0.5 0.25 0.5\n' >"$T/seg/a.txt"
printf '1 0.1 0.2 0.9 0.2 0.9 0.8 0.5 0.95 0.1 0.8\n' >"$T/seg/b.txt"

run "$LC" --to ndjson "$T/seg"
assert_rc "yolo with segment lines (auto) -> ndjson exits 0" 0
cp "$OUT" "$T/seg.ndjson"
assert_jq_eq "a segment reads as its extent, polygon as COCO segmentation in pixels" "$T/seg.ndjson" \
  '.[0].boxes[0] | [.label, .x0, .y0, .x1, .y1, .segmentation]' '["road",8,12,32,36,[[8,12,32,12,20,36]]]'
assert_jq_eq "a detection line beside it stays a box" "$T/seg.ndjson" '.[0].boxes[1] | [.label, .x0, .y1, has("segmentation")]' '["car",24,36,false]'

mkdir -p "$T/rt" && cp "$T/seg/"*.png "$T/rt/"
run -i "$T/seg.ndjson" "$LC" --from ndjson --to yolo --layout segment -o "$T/rt"
assert_rc "ndjson -> yolo --layout segment exits 0" 0
if why=$("$PY" "$CLOSE" "$T/seg" "$T/rt" 2>&1); then pass "yolo-seg -> ndjson -> yolo-seg: same lines within 1e-6"; else fail "yolo-seg -> ndjson -> yolo-seg: same lines within 1e-6" "$why"; fi

run -i "$T/seg.ndjson" "$LC" --from ndjson --to yolo -o "$T/det"
assert_rc "polygons into detection lines are refused without --allow-lossy" 2
assert_grep "the refusal names the polygons" "2 x segmentation" "$ERR"
run "$LC" --from yolo --to yolo --layout nonsense "$T/seg" -o "$T/bad_layout"
assert_rc "an unknown --layout word is a usage error" 2
assert_grep "the error lists the words" "ultralytics,segment" "$ERR"

# ---- coco polygons -> yolo segments -> coco
run "$LC" --from yolo --to coco "$T/seg" -o "$T/seg.json"
assert_rc "yolo-seg -> coco exits 0" 0
assert_jq_eq "yolo-seg -> coco: the polygon is a COCO polygon" "$T/seg.json" '.[0].annotations[0].segmentation' '[[8,12,32,12,20,36]]'
mkdir -p "$T/back" && cp "$T/seg/"*.png "$T/back/"
run "$LC" --from coco --to yolo --layout segment "$T/seg.json" -o "$T/back"
assert_rc "coco -> yolo --layout segment exits 0" 0
run "$LC" --from yolo --to coco "$T/back" -o "$T/back.json"
assert_jq_eq "coco -> yolo-seg -> coco: same bboxes and polygons" "$T/back.json" \
  '[.[0].annotations[] | [.bbox, .segmentation]]' "$(jq -c '[.annotations[] | [.bbox, .segmentation]]' "$T/seg.json")"

# ---- bad counts: file and line
printf '0 0.1 0.1 0.2 0.1 0.2 0.2\n0 0.1 0.1 0.2 0.1 0.2 0.2 0.3\n' >"$T/seg/a.txt"
run "$LC" --from yolo --to ndjson "$T/seg"
assert_rc "an even count is an error" 2
assert_grep "the error names file and line" "a.txt:2: expected" "$ERR"
run "$LC" --check --from yolo "$T/seg"
assert_rc "--check reports it" 1
assert_grep "--check: bad-line at file:line" "a.txt:2: bad-line" "$ERR"

# ---- polylines (CVAT) into voc, yolo, createml: refused and counted
mkdir -p "$T/cvat"
cat >"$T/cvat/annotations.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <image id="0" name="a.png" width="64" height="48">
    <box label="car" occluded="0" xtl="1" ytl="2" xbr="30" ybr="40"/>
    <polyline label="lane" occluded="0" points="0,0;10,10;20,5"/>
  </image>
</annotations>
XML
for fmt in voc yolo createml; do
  run "$LC" --from cvat --to $fmt "$T/cvat" -o "$T/pl_$fmt"
  assert_rc "cvat polyline -> $fmt is refused" 2
  assert_grep "cvat polyline -> $fmt: the refusal counts it" "1 x polyline" "$ERR"
  run "$LC" --from cvat --to $fmt --allow-lossy "$T/cvat" -o "$T/pl_$fmt"
  assert_grep "cvat polyline -> $fmt --allow-lossy: dropped and counted" "dropped 1 x polyline" "$ERR"
done
finish
