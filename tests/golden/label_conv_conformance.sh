#!/usr/bin/env bash
# label-conv over real files (../shared/corpus/formats: datumaro's and LabelImg's own test assets):
# each reads with the expected image and box counts, and converts to every format that can hold
# it. Skips (exit 0, with a message) without ../shared.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LC=$BIN/label-conv
C=$SHARED/corpus/formats
if [[ ! -d $C ]]; then
  echo "SKIP: $C not found (the shared corpus is optional)"
  exit 77  # ctest reports it as skipped (SKIP_RETURN_CODE), not passed
fi
# input  --from  images  boxes
while read -r input from images boxes; do
  [[ -z $input || $input == \#* ]] && continue
  if [[ ! -e $C/$input ]]; then skip "$input" "not in this corpus"; continue; fi
  run "$LC" --from "$from" --to ndjson "$C/$input"
  if [[ $RC -ne 0 ]]; then fail "$input reads as $from"; continue; fi
  cp "$OUT" "$T/in.ndjson"
  assert_jq_eq "$input: $images images, $boxes boxes" "$T/in.ndjson" '[length, (map(.boxes | length) | add)]' "[$images,$boxes]"
  run "$LC" --to ndjson "$C/$input"
  assert_rc "$input: --from auto finds it" 0
  for to in coco voc yolo createml; do
    out=$T/out_$to
    rm -rf "$out"
    run -i "$T/in.ndjson" "$LC" --to "$to" --allow-lossy -o "$out"
    # YOLO needs image sizes; a record without them cannot be written (a clear error, exit 2).
    if [[ $RC -eq 0 ]]; then pass "$input -> $to"
    elif [[ $to == yolo ]] && grep -q "no width/height" "$ERR"; then pass "$input -> yolo refused: no image size"
    else fail "$input -> $to"; fi
  done
done <<'LIST'
labelimg/voc                         voc       5 8
labelimg/yolo                        yolo      5 8
labelimg/createml/annotations.json   createml  5 8
voc/voc_dataset1                     voc       1 2
voc/voc_dataset2                     voc       5 4
voc/voc_dataset3                     voc       1 1
yolo/strict                          yolo      1 2
yolo/labels                          yolo      2 4
createml                             createml  3 4
coco/coco_instances                  coco      2 3
coco/coco/annotations/instances_val.json coco  1 2
LIST
finish
