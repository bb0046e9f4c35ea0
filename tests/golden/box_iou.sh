#!/usr/bin/env bash
# box-iou as a program: matrix, --gt join + matching, NMS, formats, errors and exit codes.
set -euo pipefail
: "${BIN:?BIN must point at the built programs}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: got [$1] want [$2]"; }

# --help starts with an example; --version works.
"$BIN/box-iou" --help | head -1 | grep -q '^Example' || fail "--help does not start with an example"
"$BIN/box-iou" --version | grep -q '^box-iou (imgpipe)' || fail "--version"

# Matrix of two lists in one record; other keys pass through byte for byte.
out=$(printf '%s\n' '{"id":"a","x":1e400,"boxes":[{"x0":0,"y0":0,"x1":10,"y1":10}],"gt_boxes":[{"x0":5,"y0":0,"x1":15,"y1":10},{"x0":20,"y0":20,"x1":30,"y1":30}]}' \
  | "$BIN/box-iou" -q)
expect_eq "$out" '{"id":"a","x":1e400,"boxes":[{"x0":0,"y0":0,"x1":10,"y1":10}],"gt_boxes":[{"x0":5,"y0":0,"x1":15,"y1":10},{"x0":20,"y0":20,"x1":30,"y1":30}],"iou":[[0.3333333333333333,0]]}' "matrix"

# Two streams joined by id, COCO xywh boxes, Hungarian matching within labels.
cat > "$T/gt.ndjson" <<'G'
{"id":"img2","boxes":[{"x":0,"y":0,"w":10,"h":10,"label":"cat"}]}
{"id":"img1","boxes":[{"x":0,"y":0,"w":10,"h":10,"label":"cat"},{"x":0,"y":0,"w":10,"h":9,"label":"dog"}]}
G
printf '%s\n' '{"id":"img1","boxes":[{"x":0,"y":0,"w":10,"h":10,"score":0.9,"label":"dog"},{"x":0,"y":2,"w":10,"h":8,"score":0.8,"label":"cat"}]}' \
  '{"id":"img2","boxes":[]}' > "$T/pred.ndjson"
out=$("$BIN/box-iou" -q --gt "$T/gt.ndjson" --format xywh --match hungarian --thr 0.5 --same-label < "$T/pred.ndjson")
expect_eq "$(echo "$out" | head -1 | grep -o '"match":.*')" '"match":{"pairs":[{"a":0,"b":1,"iou":0.9},{"a":1,"b":0,"iou":0.8}],"unmatched_a":[],"unmatched_b":[]}}' "hungarian"
expect_eq "$(echo "$out" | tail -1 | grep -o '"match":.*')" '"match":{"pairs":[],"unmatched_a":[],"unmatched_b":[0]}}' "empty image"
# Greedy in score order, any label: the 0.9-scored box takes its best overlap first.
out=$("$BIN/box-iou" -q --gt "$T/gt.ndjson" --format xywh --match greedy --thr 0.5 < "$T/pred.ndjson" | head -1)
expect_eq "$(echo "$out" | grep -o '"match":.*')" '"match":{"pairs":[{"a":0,"b":0,"iou":1},{"a":1,"b":1,"iou":0.7}],"unmatched_a":[],"unmatched_b":[]}}' "greedy"

# An id missing from --gt: the record fails (exit 1) and goes on with `error`.
set +e
out=$(printf '%s\n' '{"id":"zzz","boxes":[]}' | "$BIN/box-iou" -q --gt "$T/gt.ndjson")
rc=$?
set -e
expect_eq "$rc" 1 "missing gt exit code"
echo "$out" | grep -q '"code":"no-gt"' || fail "missing gt error record: $out"

# Class-aware NMS keeps the record's shape and the boxes' text; class-agnostic suppresses more.
rec='{"id":"n","boxes":[{"label":"a","score":0.8,"x0":1,"y0":0,"x1":11,"y1":10},{"label":"a","score":0.9,"x0":0,"y0":0,"x1":10,"y1":10},{"label":"b","score":0.7,"x0":0,"y0":0,"x1":10,"y1":10}],"k":[1, 2]}'
out=$(echo "$rec" | "$BIN/box-iou" -q --nms 0.5)
expect_eq "$out" '{"id":"n","boxes":[{"label":"a","score":0.9,"x0":0,"y0":0,"x1":10,"y1":10},{"label":"b","score":0.7,"x0":0,"y0":0,"x1":10,"y1":10}],"k":[1, 2]}' "nms"
n=$(echo "$rec" | "$BIN/box-iou" -q --nms 0.5 --class-agnostic | grep -o '"score"' | wc -l)
expect_eq "$n" 1 "class-agnostic nms"
# Soft-NMS rescoring of YOLO-style normalised array boxes.
out=$(echo '{"width":100,"height":100,"boxes":[[0.5,0.5,0.2,0.2,0.9,0],[0.5,0.5,0.2,0.2,0.8,0]]}' \
  | "$BIN/box-iou" -q --format cxcywh --normalized --soft-nms linear --nms 0.3)
expect_eq "$out" '{"width":100,"height":100,"boxes":[[0.5,0.5,0.2,0.2,0.9,0]]}' "soft-nms linear drops a duplicate"

# Bad input: exit 1 with the error in the record; a bad flag: exit 2.
set +e
out=$(echo '{"boxes":[{"x0":0,"y0":0,"x1":"a","y1":1}],"gt_boxes":[]}' | "$BIN/box-iou" -q)
rc=$?
"$BIN/box-iou" --metric nope < /dev/null 2>/dev/null
rc2=$?
out3=$(echo '{"boxes":[[1e308,0,1.7e308,1]],"gt_boxes":[[0,0,1,1]]}' | "$BIN/box-iou" -q --format cxcywh)
rc3=$?
set -e
expect_eq "$rc" 1 "bad record exit code"
echo "$out" | grep -q 'boxes\[0\].x1 is not a finite number' || fail "bad record message: $out"
expect_eq "$rc2" 2 "bad flag exit code"
expect_eq "$rc3" 1 "overflow exit code"
echo "$out3" | grep -q '"code":"bad-box"' || fail "overflow is not bad-box: $out3"
echo "box-iou golden: ok"
