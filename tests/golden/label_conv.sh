#!/usr/bin/env bash
# label-conv: round trips X -> ndjson -> X for coco, voc, yolo and createml; cross paths coco -> voc
# -> coco and yolo -> coco -> yolo; lossy refusal; hostile XML and climbing names; --check.
# Fixtures: tests/golden/data/labels/ (made for these tests).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LC=$BIN/label-conv
D=$SRC/tests/golden/data/labels
[[ -x $LC ]] || { echo "$TEST_NAME: error: $LC not built" >&2; exit 2; }

# compare.py KIND A B: exits 0 when the annotations in A and B are the same (boxes exactly where
# integers, within 1e-6 otherwise); prints the differences otherwise.
CMP=$T/compare.py
cat >"$CMP" <<'PY'
import json, math, os, sys, glob
import xml.etree.ElementTree as ET
kind, a, b = sys.argv[1:4]
def close(x, y):
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        if float(x).is_integer() and float(y).is_integer(): return x == y
        return abs(x - y) <= 1e-6
    return x == y
def deep(x, y):
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(deep(x[k], y[k]) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(deep(p, q) for p, q in zip(x, y))
    return close(x, y)
def coco(path):
    d = json.load(open(path))
    cats = {c["id"]: c for c in d["categories"]}
    imgs = {i["id"]: i for i in d["images"]}
    anns = {a["id"]: a for a in d["annotations"]}
    return imgs, cats, anns
def voc(folder):
    out = {}
    for f in sorted(glob.glob(os.path.join(folder, "**", "*.xml"), recursive=True)):
        r = ET.parse(f).getroot()
        objs = []
        for o in r.findall("object"):
            bb = o.find("bndbox")
            objs.append((o.findtext("name"), o.findtext("difficult", "0"), o.findtext("truncated", "0"),
                         o.findtext("pose", "Unspecified"), o.findtext("occluded", "0"),
                         [float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax")],
                         [(p.findtext("name"), [float(p.find("bndbox").findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax")]) for p in o.findall("part")]))
        size = r.find("size")
        out[os.path.relpath(f, folder).replace("Annotations/", "")] = (r.findtext("filename"), size.findtext("width") if size is not None else None, objs)
    return out
def yolo(folder):
    out = {}
    for f in sorted(glob.glob(os.path.join(folder, "**", "*.txt"), recursive=True)):
        if os.path.basename(f) == "classes.txt": continue
        out[os.path.relpath(f, folder)] = [[int(l.split()[0])] + [float(v) for v in l.split()[1:]] for l in open(f) if l.strip()]
    names = open(os.path.join(folder, "classes.txt")).read().split("\n") if os.path.exists(os.path.join(folder, "classes.txt")) else None
    return out, names
ok = True
if kind == "coco":
    x, y = coco(a), coco(b)
    for name, p, q in zip(("images", "categories", "annotations"), x, y):
        if not deep(p, q):
            ok = False
            print(f"{name} differ:\n  {json.dumps(p)[:600]}\n  {json.dumps(q)[:600]}")
elif kind == "coco-nd":  # through the stream: categories keep ids and names (supercategory is lost)
    x, y = coco(a), coco(b)
    x = (x[0], {k: {"id": c["id"], "name": c["name"]} for k, c in x[1].items()}, x[2])
    for name, p, q in zip(("images", "categories", "annotations"), x, y):
        if not deep(p, q):
            ok = False
            print(f"{name} differ:\n  {json.dumps(p)[:600]}\n  {json.dumps(q)[:600]}")
elif kind == "coco-boxes":  # same annotations by id: image, category, bbox
    (_, ca, x), (_, cb, y) = coco(a), coco(b)
    for k in set(x) | set(y):
        p, q = x.get(k), y.get(k)
        if p is None or q is None or not deep([ca[p["category_id"]]["name"], p["bbox"]], [cb[q["category_id"]]["name"], q["bbox"]]):
            ok = False; print(f"annotation {k}: {p} vs {q}")
elif kind == "voc":
    ok = deep(voc(a), voc(b))
    if not ok: print(voc(a), "\n", voc(b))
elif kind == "yolo":
    ok = deep(yolo(a), yolo(b))
    if not ok: print(yolo(a), "\n", yolo(b))
elif kind == "createml":
    ok = deep(json.load(open(a)), json.load(open(b)))
    if not ok: print(open(a).read()[:600], "\n", open(b).read()[:600])
sys.exit(0 if ok else 1)
PY
same() { # NAME KIND A B
  local why
  if why=$("$PY" "$CMP" "$2" "$3" "$4" 2>&1); then pass "$1"; else fail "$1" "$why"; fi
}

# ---- COCO: non-contiguous ids, polygon + RLE segmentation, crowd, float boxes, extras
run "$LC" --to ndjson "$D/coco/ann.json"
assert_rc "coco -> ndjson exits 0" 0
cp "$OUT" "$T/coco.ndjson"
assert_jq_eq "coco -> ndjson: one record per image, COCO ids as record ids" "$T/coco.ndjson" '[.[].id]' '["397133","5","12"]'
assert_jq_eq "coco -> ndjson: xywh becomes outer-edge x0,y0,x1,y1" "$T/coco.ndjson" '.[0].boxes[0] | [.x0,.y0,.x1,.y1]' '[10.5,20.25,40.625,61]'
assert_jq "coco -> ndjson: RLE segmentation kept raw, crowd flagged" "$T/coco.ndjson" '.[1].boxes[0] | .iscrowd == true and .segmentation.counts == [0,10,20,5] and .category_id == 18'
run -i "$T/coco.ndjson" "$LC" --from ndjson --to coco -o "$T/coco_rt.json"
assert_rc "ndjson -> coco exits 0" 0
same "coco -> ndjson -> coco: same images, categories (ids 1,3,18) and annotations" coco-nd "$D/coco/ann.json" "$T/coco_rt.json"
run "$LC" --from coco --to coco "$D/coco/ann.json" -o "$T/coco_direct.json"
same "coco -> coco keeps everything" coco "$D/coco/ann.json" "$T/coco_direct.json"
assert_jq "coco -> coco keeps info and licenses" "$T/coco_direct.json" '.[0].info.year == 2024 and .[0].licenses[0].name == "CC-BY"'

# ---- lossy refusal, then --allow-lossy with counts
run "$LC" --from coco --to voc "$D/coco/ann.json" -o "$T/lossy_voc"
assert_rc "coco (segmentation, crowd) -> voc is refused without --allow-lossy" 2
assert_grep "the refusal names what would be dropped" "crowd region.*segmentation|segmentation.*crowd region" "$ERR"
assert_true "a refused conversion writes nothing" test ! -e "$T/lossy_voc"
run "$LC" --from coco --to yolo "$D/coco/ann.json" -o "$T/lossy_yolo" --allow-lossy
assert_rc "--allow-lossy converts" 0
assert_grep "--allow-lossy counts the drops on stderr" "dropped 1 x crowd region, 3 x segmentation" "$ERR"

# ---- cross path coco -> voc -> coco (integer boxes: exact)
run "$LC" --from coco --to voc "$D/coco_ints/ann.json" -o "$T/ints_voc"
assert_rc "coco -> voc exits 0" 0
assert_grep "VOC corners are 1-based inclusive: bbox [5,6,10,12] -> xmin 6, xmax 15" "<xmin>6</xmin>" "$T/ints_voc/Annotations/1.xml"
run "$LC" --from voc --to coco "$T/ints_voc" -o "$T/ints_back.json"
same "coco -> voc -> coco: same boxes exactly" coco-boxes "$D/coco_ints/ann.json" "$T/ints_back.json"

# ---- VOC: layout, splits, difficult/truncated/pose/occluded/parts, entities, round trip
run "$LC" --to ndjson "$D/voc"
assert_rc "voc (auto) -> ndjson exits 0" 0
cp "$OUT" "$T/voc.ndjson"
assert_jq_eq "voc: splits from ImageSets/Main (train/val, not trainval or class lists)" "$T/voc.ndjson" '[.[].split]' '["train","val","train"]'
assert_jq_eq "voc: x0 = xmin - 1, x1 = xmax" "$T/voc.ndjson" '.[0].boxes[1] | [.x0,.y0,.x1,.y1]' '[99,119,200,220]'
assert_jq "voc: flags, pose and parts kept" "$T/voc.ndjson" '.[0].boxes[0].truncated == true and .[0].boxes[0].pose == "Frontal" and .[0].boxes[1].difficult == true and .[0].boxes[1].occluded == true and .[0].boxes[0].parts[0].label == "head"'
assert_jq "voc: XML character references decoded" "$T/voc.ndjson" '.[1].boxes[0].label == "cat & kitten"'
run -i "$T/voc.ndjson" "$LC" --to voc -o "$T/voc_rt"
assert_rc "ndjson -> voc exits 0" 0
same "voc -> ndjson -> voc: same annotations" voc "$D/voc/Annotations" "$T/voc_rt/Annotations"
assert_true "voc -> ndjson -> voc: split lists written" grep -qx 2012_000002 "$T/voc_rt/ImageSets/Main/val.txt"

# ---- YOLO flat: classes.txt, empty file, \r\n; round trip and yolo -> coco -> yolo
run "$LC" --to ndjson "$D/yolo"
assert_rc "yolo (auto) -> ndjson exits 0" 0
cp "$OUT" "$T/yolo.ndjson"
assert_jq_eq "yolo: sizes from the images, normalised centres to pixels" "$T/yolo.ndjson" '.[0] | [.width,.height,.boxes[0].x0,.boxes[0].y0,.boxes[0].x1,.boxes[0].y1]' '[64,48,24,12,40,36]'
assert_jq_eq "yolo: an empty file is an image without objects" "$T/yolo.ndjson" '.[1].boxes' '[]'
mkdir -p "$T/yolo_rt" && cp "$D"/yolo/*.png "$T/yolo_rt/"
run -i "$T/yolo.ndjson" "$LC" --to yolo -o "$T/yolo_rt"
assert_rc "ndjson -> yolo exits 0" 0
same "yolo -> ndjson -> yolo: same lines (within 1e-6)" yolo "$D/yolo" "$T/yolo_rt"
run "$LC" --from yolo --to coco "$D/yolo" -o "$T/yolo_coco.json"
mkdir -p "$T/yolo_x" && cp "$D"/yolo/*.png "$T/yolo_x/"
run "$LC" --from coco --to yolo "$T/yolo_coco.json" -o "$T/yolo_x"
assert_rc "yolo -> coco -> yolo exits 0" 0
same "yolo -> coco -> yolo: same lines (within 1e-6)" yolo "$D/yolo" "$T/yolo_x"

# ---- YOLO ultralytics: data.yaml {id: name} map, labels/<split>
run "$LC" --from yolo --to ndjson "$D/yolo_ultralytics"
assert_jq_eq "yolo ultralytics: names map, splits, images/ beside labels/" "$T/_out" '[.[] | [.split, .path, .boxes[0].label]]' '[["train","images/train/x.png","traffic light"],["val","images/val/y.png","bike"]]'
cp "$OUT" "$T/ultra.ndjson"
run -i "$T/ultra.ndjson" "$LC" --to yolo --layout ultralytics -o "$T/ultra_rt"
assert_true "ultralytics layout: labels/<split>/<name>.txt" test -s "$T/ultra_rt/labels/val/y.txt"
assert_grep "ultralytics layout: data.yaml names" "1: 'traffic light'" "$T/ultra_rt/data.yaml"

# ---- Create ML
run "$LC" --to ndjson "$D/createml/annotations.json"
assert_rc "createml (auto) -> ndjson exits 0" 0
cp "$OUT" "$T/cml.ndjson"
assert_jq_eq "createml: centre x,y,w,h to corners" "$T/cml.ndjson" '.[0].boxes[1] | [.x0,.y0,.x1,.y1]' '[5,2,9.5,5]'
run -i "$T/cml.ndjson" "$LC" --to createml -o "$T/cml_rt.json"
same "createml -> ndjson -> createml: same file content" createml "$D/createml/annotations.json" "$T/cml_rt.json"

# ---- --classes: fixes order; unknown labels are errors with their location
run "$LC" --from coco --to yolo --classes "$D/classes.txt" "$D/coco_ints/ann.json" -o "$T/cls"
assert_rc "--classes without some labels: error" 2
assert_grep "--classes: unknown label named with its JSON path" "ann.json: categories\[0\].name: unknown label \"cat\"" "$ERR"
run "$LC" --from yolo --to ndjson --classes "$D/classes.txt" "$D/yolo"
assert_jq_eq "--classes renames YOLO ids by its order" "$T/_out" '.[0].boxes | map(.label)' '["dog","car"]'

# ---- safety
run "$LC" --from voc --to ndjson "$D/hostile/laughs.xml"
assert_rc "XML with entities is refused" 2
assert_grep "entities: clear error" "laughs.xml:2: XML with a DTD or entity declarations is refused" "$ERR"
run "$LC" --to ndjson "$D/hostile/external.xml"
assert_rc "XML with an external DTD is refused" 2
mkdir -p "$T/climb/out"
run -i "$D/hostile/climb.ndjson" "$LC" --to voc -o "$T/climb/out"
assert_rc "an id that climbs out of the output folder is refused" 2
assert_grep "climbing: clear error" "refusing output name.*climbs out" "$ERR"
assert_true "climbing: nothing written outside" test ! -e "$T/escaped.xml" -a ! -e "$T/climb/escaped.xml"
run "$LC" --from voc --to yolo "$D/hostile/climb_voc" -o "$T/climb/out2"
assert_rc "a <filename> that climbs is refused when it names an output file" 2

# ---- --check
run "$LC" --check --from coco --images "$D/check/images" "$D/check/coco_bad.json"
assert_rc "--check on a bad COCO file exits 1" 1
for code in unknown-category duplicate-image-id unknown-image-id box-outside-image zero-area missing-image; do
  assert_grep "--check (coco) finds $code" ": $code: " "$ERR"
done
assert_grep "--check names the JSON path" "coco_bad.json: annotations\[0\].category_id: unknown-category" "$ERR"
assert_grep "--check prints a count" "check: 2 images, 2 boxes, 6 issues" "$ERR"
run "$LC" --check --from yolo "$D/check/yolo_bad"
assert_rc "--check on bad YOLO exits 1" 1
assert_grep "--check (yolo) finds NaN with file and line" "p.txt:2: not-finite" "$ERR"
assert_grep "--check (yolo) finds an unknown class id" "p.txt:3: unknown-category" "$ERR"
assert_grep "--check (yolo) finds a malformed line" "p.txt:4: bad-line" "$ERR"
assert_grep "--check (yolo) finds a box outside the image" "p.txt:5: box-outside-image" "$ERR"
run -i "$D/check/bad.ndjson" "$LC" --check --from ndjson --images "$D/check/images"
assert_rc "--check on bad NDJSON exits 1" 1
for code in zero-area box-outside-image duplicate-image-id missing-image; do
  assert_grep "--check (ndjson) finds $code" ": $code: " "$ERR"
done
run "$LC" --check "$D/voc"
assert_rc "--check on a clean dataset exits 0" 0

# ---- CLI
run "$LC" --help
assert_grep "--help lists the formats" "^  createml " "$OUT"
run "$LC" --from nope --to ndjson "$D/yolo"
assert_rc "unknown format: usage error" 2
run "$LC" --to coco "$D/yolo"
assert_rc "--to coco without -o: usage error" 2
finish
