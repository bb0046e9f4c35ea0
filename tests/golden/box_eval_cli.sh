#!/usr/bin/env bash
# box-eval as a program: help and version, usage errors, input errors (exit 2 naming file and JSON
# path), the stream mode fed from a pipe, --json, --pr-curve, and VOC mode.
set -u
BIN=${BIN:?set BIN to the bin folder of a build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check <name> <expected exit> <command...>; output in $tmp/out, $tmp/err
  local name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"; sed 's/^/  /' "$tmp/err" | head -5; fail=1; return 1
  fi
  return 0
}
contains() {  # contains <name> <file> <text>
  if ! grep -qF -- "$3" "$2"; then echo "FAIL $1: no \"$3\" in:"; sed 's/^/  /' "$2" | head -5; fail=1; fi
}

check help 0 "$BIN/box-eval" --help && { head -1 "$tmp/out" | grep -q '^Example' || { echo "FAIL help: no example first"; fail=1; }; contains help "$tmp/out" "--coco-gt"; }
check version 0 "$BIN/box-eval" --version && contains version "$tmp/out" "box-eval"
check no-input 2 "$BIN/box-eval" && contains no-input "$tmp/err" "box-eval: error: no input"
check bad-metric 2 "$BIN/box-eval" --gt a --pred b --metric foo && contains bad-metric "$tmp/err" "--metric"
check bad-flag 2 "$BIN/box-eval" --nope

cat >"$tmp/gt.json" <<'JSON'
{"images":[{"id":1,"width":100,"height":100},{"id":2,"width":100,"height":100}],
 "categories":[{"id":1,"name":"cat"},{"id":3,"name":"dog"}],
 "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[0,0,10,10],"area":100,"iscrowd":0},
                {"id":2,"image_id":2,"category_id":1,"bbox":[10,10,40,40],"area":1600,"iscrowd":0},
                {"id":3,"image_id":2,"category_id":3,"bbox":[50,50,40,40],"area":1600,"iscrowd":0}]}
JSON
cat >"$tmp/dt.json" <<'JSON'
[{"image_id":1,"category_id":1,"bbox":[0,0,10,10],"score":0.9},
 {"image_id":2,"category_id":1,"bbox":[10,10,40,40],"score":0.8},
 {"image_id":2,"category_id":3,"bbox":[0,0,5,5],"score":0.7}]
JSON
check coco-text 0 "$BIN/box-eval" --coco-gt "$tmp/gt.json" --coco-dt "$tmp/dt.json" && {
  contains coco-text "$tmp/out" " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500"
  contains coco-text "$tmp/out" " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 1.000"
  contains coco-text "$tmp/out" "dog"
}
check coco-json 0 "$BIN/box-eval" --coco-gt "$tmp/gt.json" --coco-dt "$tmp/dt.json" --json --pr-curve "$tmp/pr.csv" && {
  contains coco-json "$tmp/out" '"stats":[0.5,'
  contains coco-json "$tmp/out" '"per_class_ap":{"1":1,"3":0}'
  contains coco-pr "$tmp/pr.csv" "category_id,category,iou_thr,recall,precision,score"
  contains coco-pr "$tmp/pr.csv" "1,cat,0.5,0,1,0.9"
  [ "$(wc -l <"$tmp/pr.csv")" = 2021 ] || { echo "FAIL coco-pr: $(wc -l <"$tmp/pr.csv") lines, expected 1 + 2*10*101"; fail=1; }
}
# --timings: load and evaluate CPU seconds on stderr, the report unchanged on stdout.
check timings 0 "$BIN/box-eval" --coco-gt "$tmp/gt.json" --coco-dt "$tmp/dt.json" --json --timings && {
  grep -Eq '^box-eval: note: CPU seconds: load [0-9]+\.[0-9]{3}, evaluate [0-9]+\.[0-9]{3}$' "$tmp/err" \
    || { echo "FAIL timings: no timing line on stderr: $(cat "$tmp/err")"; fail=1; }
  contains timings "$tmp/out" '"stats":'
}
check iou-thr 0 "$BIN/box-eval" --coco-gt "$tmp/gt.json" --coco-dt "$tmp/dt.json" --iou-thr 0.5 --json && contains iou-thr "$tmp/out" '"iou_thrs":[0.5]'

# Input errors: exit 2, the file and the JSON path named.
printf '[{"image_id":1,"category_id":1,"bbox":[0,0,10],"score":0.9}]' >"$tmp/bad1.json"
check bbox 2 "$BIN/box-eval" --coco-gt "$tmp/gt.json" --coco-dt "$tmp/bad1.json" && contains bbox "$tmp/err" "bad1.json: [0].bbox: expected 4 numbers"
printf '[{"image_id":1,"category_id":1,"bbox":[0,0,10,10],"score":NaN}]' >"$tmp/bad2.json"
check nan 2 "$BIN/box-eval" --coco-gt "$tmp/gt.json" --coco-dt "$tmp/bad2.json" && contains nan "$tmp/err" "bad2.json: malformed JSON at line 1, column 59"
printf '{"images":[{"id":1}],"categories":[{"id":1}],"annotations":[{"id":1,"image_id":1,"bbox":[0,0,1,1]}]}' >"$tmp/bad3.json"
check missing-key 2 "$BIN/box-eval" --coco-gt "$tmp/bad3.json" --coco-dt "$tmp/dt.json" && contains missing-key "$tmp/err" "annotations[0].category_id: missing"
check no-file 2 "$BIN/box-eval" --coco-gt "$tmp/nope.json" --coco-dt "$tmp/dt.json" && contains no-file "$tmp/err" "nope.json"

# The record stream, GT from a pipe; same numbers as the COCO files above.
cat >"$tmp/gt.ndjson" <<'EOF2'
{"id":"1","width":100,"height":100,"boxes":[{"label":"cat","x0":0,"y0":0,"x1":10,"y1":10}]}
{"id":"2","width":100,"height":100,"boxes":[{"label":"cat","x0":10,"y0":10,"x1":50,"y1":50},{"label":"dog","x0":50,"y0":50,"x1":90,"y1":90}]}
EOF2
cat >"$tmp/pred.ndjson" <<'EOF2'
{"id":"1","boxes":[{"label":"cat","x0":0,"y0":0,"x1":10,"y1":10,"score":0.9}]}
{"id":"2","boxes":[{"label":"cat","x0":10,"y0":10,"x1":50,"y1":50,"score":0.8},{"label":"dog","x0":0,"y0":0,"x1":5,"y1":5,"score":0.7}]}
EOF2
check stream 0 bash -c "cat '$tmp/gt.ndjson' | '$BIN/box-eval' --gt - --pred '$tmp/pred.ndjson' --json" && {
  contains stream "$tmp/out" '"stats":[0.5,'
  contains stream "$tmp/out" '"per_class_ap":{"cat":1,"dog":0}'
}
printf '{"id":"3","boxes":[]}\n' >>"$tmp/pred.ndjson"
check stream-unknown-id 2 "$BIN/box-eval" --gt "$tmp/gt.ndjson" --pred "$tmp/pred.ndjson" && contains stream-unknown-id "$tmp/err" 'record 3 (id "3"): no GT record has this id'
printf '{"id":"9","error":{"tool":"x","code":"y","message":"z"}}\n' >"$tmp/pred2.ndjson"
check stream-error-record 1 "$BIN/box-eval" --gt "$tmp/gt.ndjson" --pred "$tmp/pred2.ndjson" --summary-only

check voc07 0 "$BIN/box-eval" --gt "$tmp/gt.ndjson" --pred <(head -2 "$tmp/pred.ndjson") --metric voc07 --json && contains voc07 "$tmp/out" '"map":0.5'
check voc10-text 0 "$BIN/box-eval" --coco-gt "$tmp/gt.json" --coco-dt "$tmp/dt.json" --metric voc10 && contains voc10-text "$tmp/out" "mAP = 0.5000"

[ $fail = 0 ] && echo "ok   box-eval CLI"
exit $fail
