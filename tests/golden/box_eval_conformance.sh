#!/usr/bin/env bash
# box-eval against the numbers pycocotools and voc_eval.py gave for ../shared/corpus/{coco,voc}-eval:
# every stat and every per-class AP within 1e-12. Skips (exit 77, with a message) without ../shared.
set -u
BIN=${BIN:?set BIN to the bin folder of a build}
SHARED=${SHARED:-${SRC:-.}/../shared}
CORPUS="$SHARED/corpus"
if [ ! -d "$CORPUS/coco-eval" ] && [ ! -d "$CORPUS/voc-eval" ]; then
  echo "SKIP: $CORPUS/coco-eval and voc-eval not found (the shared corpus is optional)"
  exit 77  # ctest reports it as skipped (SKIP_RETURN_CODE), not passed
fi
PY=/usr/bin/python3
command -v "$PY" >/dev/null || PY=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

for dir in "$CORPUS"/coco-eval/*/; do
  [ -f "$dir/expected.json" ] || continue
  set_name=$(basename "$dir")
  if ! "$BIN/box-eval" --coco-gt "$dir/gt.json" --coco-dt "$dir/dt.json" --json >"$tmp/out.json" 2>"$tmp/err"; then
    echo "FAIL coco-eval/$set_name: box-eval failed: $(cat "$tmp/err")"; fail=1; continue
  fi
  "$PY" - "$dir/expected.json" "$tmp/out.json" "coco-eval/$set_name" <<'PYEOF' || fail=1
import json, sys
exp = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2])); name = sys.argv[3]
bad = []
for i, (e, g) in enumerate(zip(exp["stats"], got["stats"])):
    if abs(e - g) > 1e-12: bad.append(f"stats[{i}]: expected {e!r}, got {g!r}")
if len(got["stats"]) != 12: bad.append("not 12 stats")
for k, e in exp["per_class_ap"].items():
    g = got["per_class_ap"].get(k)
    if g is None or abs(e - g) > 1e-12: bad.append(f"per_class_ap[{k}]: expected {e!r}, got {g!r}")
if set(got["per_class_ap"]) != set(exp["per_class_ap"]): bad.append("per_class_ap keys differ")
worst = max([abs(e - g) for e, g in zip(exp["stats"], got["stats"])] +
            [abs(e - got["per_class_ap"].get(k, 1e9)) for k, e in exp["per_class_ap"].items()])
if bad:
    print(f"FAIL {name}:"); [print("  " + b) for b in bad]; sys.exit(1)
print(f"ok   {name}: 12 stats + {len(exp['per_class_ap'])} per-class AP, max |diff| {worst:.3g}")
PYEOF
done

for dir in "$CORPUS"/voc-eval/*/; do
  [ -f "$dir/expected.json" ] || continue
  set_name=$(basename "$dir")
  for metric in voc07 voc10; do
    if ! "$BIN/box-eval" --coco-gt "$dir/gt.json" --coco-dt "$dir/dt.json" --metric $metric --json \
        >"$tmp/$metric.json" 2>"$tmp/err"; then
      echo "FAIL voc-eval/$set_name $metric: box-eval failed: $(cat "$tmp/err")"; fail=1; continue 2
    fi
  done
  "$PY" - "$dir/expected.json" "$tmp/voc07.json" "$tmp/voc10.json" "voc-eval/$set_name" <<'PYEOF' || fail=1
import json, sys
exp = json.load(open(sys.argv[1])); v07 = json.load(open(sys.argv[2])); v10 = json.load(open(sys.argv[3]))
name = sys.argv[4]; bad = []; worst = 0.0
for metric, got in (("voc07", v07), ("voc10", v10)):
    for k, e in exp["per_class"].items():
        g = got["per_class"].get(k)
        if g is None: bad.append(f"{metric} class {k} missing"); continue
        d = abs(e["ap_" + metric] - g["ap"]); worst = max(worst, d)
        if d > 1e-12: bad.append(f"{metric} class {k}: expected {e['ap_' + metric]!r}, got {g['ap']!r}")
        if e["npos"] != g["npos"] or e["detections"] != g["detections"]:
            bad.append(f"{metric} class {k}: npos/detections {g['npos']}/{g['detections']}, "
                       f"expected {e['npos']}/{e['detections']}")
    d = abs(exp["map_" + metric] - got["map"]); worst = max(worst, d)
    if d > 1e-12: bad.append(f"{metric} mAP: expected {exp['map_' + metric]!r}, got {got['map']!r}")
if bad:
    print(f"FAIL {name}:"); [print("  " + b) for b in bad]; sys.exit(1)
print(f"ok   {name}: voc07 + voc10 AP of {len(exp['per_class'])} classes and mAP, max |diff| {worst:.3g}")
PYEOF
done
exit $fail
