#!/usr/bin/env bash
# label-conv cross path cvat -> coco -> cvat: boxes survive exactly where integers and within 1e-6
# otherwise, with their labels (from <meta>, unused ones too), images and attributes; the cvat-only
# occluded flag and z_order need --allow-lossy and are counted. The fixture is written here.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LC=$BIN/label-conv
[[ -x $LC ]] || { echo "$TEST_NAME: error: $LC not built" >&2; exit 2; }

# ---- fixture: 2 images; integer, fractional and awkward (0.1/0.3, 333.33) corners; a label with a
# space, one unused label; an occluded box with z_order 1 (cvat-only: cannot go into coco).
mkdir -p "$T/cvat"
cat >"$T/cvat/annotations.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>7</id>
      <name>cross</name>
      <size>2</size>
      <labels>
        <label><name>car</name><color>#ff0000</color><type>rectangle</type>
          <attributes><attribute><name>color</name><mutable>False</mutable><input_type>select</input_type><default_value>red</default_value><values>red
blue</values></attribute></attributes>
        </label>
        <label><name>person</name><color>#00ff00</color><type>any</type><attributes></attributes></label>
        <label><name>traffic sign</name><color>#0000ff</color><type>any</type><attributes></attributes></label>
        <label><name>bicycle</name><color>#ffff00</color><type>any</type><attributes></attributes></label>
      </labels>
    </task>
  </meta>
  <image id="0" name="street/a.jpg" width="640" height="480">
    <box label="car" source="manual" occluded="0" xtl="10" ytl="20" xbr="110" ybr="220" z_order="0">
      <attribute name="color">blue</attribute>
    </box>
    <box label="person" source="manual" occluded="1" xtl="12.25" ytl="30.5" xbr="40.125" ybr="99.75" z_order="1">
    </box>
    <box label="person" source="manual" occluded="0" xtl="0.1" ytl="0.2" xbr="0.3" ybr="0.7" z_order="0">
    </box>
  </image>
  <image id="1" name="street/b.jpg" width="800" height="600">
    <box label="traffic sign" source="manual" occluded="0" xtl="0" ytl="0" xbr="800" ybr="600" z_order="0">
    </box>
    <box label="car" source="manual" occluded="0" xtl="333.33" ytl="1.1" xbr="480.07" ybr="599.99" z_order="0">
      <attribute name="color">red</attribute>
    </box>
  </image>
</annotations>
XML

# cmp_cross.py MODE A B: exits 0 when A and B hold the same images (name, size), label list and
# boxes (label, corners, attributes; per image, as a multiset); corners exactly where integers,
# within 1e-6 otherwise. MODE cvat: B is a CVAT XML; MODE coco: B is COCO JSON (xywh).
CMP=$T/cmp_cross.py
cat >"$CMP" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
mode, a, b = sys.argv[1:4]
def cvat(path):
    r = ET.parse(path).getroot()
    labels = [l.findtext("name") for l in r.iter("label")]
    imgs = {}
    for im in r.findall("image"):
        boxes = []
        for bx in im.findall("box"):
            boxes.append((bx.get("label"), [float(bx.get(k)) for k in ("xtl", "ytl", "xbr", "ybr")],
                          sorted((at.get("name"), at.text or "") for at in bx.findall("attribute"))))
        imgs[im.get("name")] = ((int(im.get("width")), int(im.get("height"))), boxes)
    return labels, imgs
def coco(path):
    d = json.load(open(path))
    cats = {c["id"]: c["name"] for c in d["categories"]}
    labels = [c["name"] for c in d["categories"]]
    names = {i["id"]: i["file_name"] for i in d["images"]}
    imgs = {i["file_name"]: ((i["width"], i["height"]), []) for i in d["images"]}
    for an in d["annotations"]:
        x, y, w, h = an["bbox"]
        imgs[names[an["image_id"]]][1].append((cats[an["category_id"]], [x, y, x + w, y + h],
                                               sorted(an.get("attributes", {}).items())))
    return labels, imgs
def num_ok(p, q):
    if float(p).is_integer():  # an integer corner must come back as exactly that integer
        return float(q).is_integer() and p == q
    return abs(p - q) <= 1e-6
def box_ok(p, q):
    return p[0] == q[0] and p[2] == q[2] and all(num_ok(u, v) for u, v in zip(p[1], q[1]))
la, ia = cvat(a)
lb, ib = cvat(b) if mode == "cvat" else coco(b)
bad = []
if la != lb: bad.append(f"labels: {la} vs {lb}")
if ia.keys() != ib.keys(): bad.append(f"images: {sorted(ia)} vs {sorted(ib)}")
for name in sorted(set(ia) & set(ib)):
    (sa, ba), (sb, bb) = ia[name], ib[name]
    if sa != sb: bad.append(f"{name}: size {sa} vs {sb}")
    if len(ba) != len(bb): bad.append(f"{name}: {len(ba)} boxes vs {len(bb)}")
    left = list(bb)
    for p in ba:  # multiset match: order within an image may change
        m = next((q for q in left if box_ok(p, q)), None)
        if m is None: bad.append(f"{name}: box {p} lost; left: {left}")
        else: left.remove(m)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
same() { # NAME MODE A B
  local why
  if why=$("$PY" "$CMP" "$2" "$3" "$4" 2>&1); then pass "$1"; else fail "$1" "$why"; fi
}
differs() { # NAME MODE A B: the comparison must fail (the test can fail)
  if "$PY" "$CMP" "$2" "$3" "$4" >/dev/null 2>&1; then fail "$1" "cmp_cross.py found no difference"; else pass "$1"; fi
}

# ---- cvat -> coco: refused without --allow-lossy (occluded, z_order), then converted
run "$LC" --from cvat --to coco "$T/cvat/annotations.xml" -o "$T/lossy.json"
assert_rc "cvat (occluded, z_order) -> coco is refused without --allow-lossy" 2
assert_grep "the refusal names the occluded flag and z_order" 'occluded.*z_order|z_order.*occluded' "$ERR"
assert_true "a refused conversion writes nothing" test ! -e "$T/lossy.json"
run "$LC" --from cvat --to coco "$T/cvat/annotations.xml" -o "$T/ann.json" --allow-lossy
assert_rc "cvat -> coco --allow-lossy exits 0" 0
assert_grep "--allow-lossy counts the drops" 'dropped 1 x box key "z_order", 1 x occluded flag' "$ERR"
assert_jq_eq "coco: categories are the <meta> labels in order (unused 'bicycle' too)" "$T/ann.json" \
  '[.[0].categories[].name]' '["car","person","traffic sign","bicycle"]'
assert_jq_eq "coco: integer corners 10,20,110,220 -> bbox [10,20,100,200] (integers)" "$T/ann.json" \
  '[.[0].annotations[] | select(.attributes.color == "blue") | .bbox]' '[[10,20,100,200]]'
assert_jq "coco: 5 annotations on 2 images" "$T/ann.json" '(.[0].annotations | length) == 5 and (.[0].images | length) == 2'
same "cvat -> coco: same images, labels and boxes (xywh back to corners)" coco "$T/cvat/annotations.xml" "$T/ann.json"

# ---- coco -> cvat: back to the start
run "$LC" --from coco --to cvat "$T/ann.json" -o "$T/back"
assert_rc "coco -> cvat exits 0" 0
BACK=$T/back/annotations.xml
[[ -f $T/back ]] && BACK=$T/back
assert_true "coco -> cvat writes annotations.xml" test -s "$BACK"
same "cvat -> coco -> cvat: same images, <meta> labels, boxes and attributes" cvat "$T/cvat/annotations.xml" "$BACK"
assert_grep "integer corners come back as integers" '<box label="car"[^>]* xtl="10" ytl="20" xbr="110" ybr="220"' "$BACK"
assert_no_grep "the dropped occluded flag does not come back" 'occluded="1"' "$BACK"

# ---- the comparison can fail: a corner moved by 1e-5, a relabelled box, a lost label
sed 's/xbr="40.125"/xbr="40.12501"/' "$BACK" >"$T/moved.xml"
differs "a corner moved by 1e-5 is caught" cvat "$T/cvat/annotations.xml" "$T/moved.xml"
sed 's/xtl="10" /xtl="10.0000001" /' "$BACK" >"$T/notint.xml"
differs "an integer corner that comes back non-integer is caught" cvat "$T/cvat/annotations.xml" "$T/notint.xml"
sed 's/<box label="traffic sign"/<box label="car"/' "$BACK" >"$T/relabel.xml"
differs "a relabelled box is caught" cvat "$T/cvat/annotations.xml" "$T/relabel.xml"
sed '/<name>bicycle<\/name>/d' "$BACK" >"$T/nolabel.xml"
differs "a lost <meta> label is caught" cvat "$T/cvat/annotations.xml" "$T/nolabel.xml"

finish
