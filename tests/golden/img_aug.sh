# Golden tests for img-aug: --print-ops round trip, determinism (threads, order, subsets), --copies,
# --replay bit for bit, boxes through flips and crops, 1/4 channels, 1x1 images, errors.
source "$(dirname "$0")/lib.sh"

AUG=$BIN/img-aug
CAT=$BIN/img-cat
DEC=$BIN/img-decode
CHAIN='rrc=96,72,scale=0.2:1;hflip=0.5;rotate=15,border=reflect;jitter=0.4,0.4,0.4,0.1;one_of(blur=0.5:1.5|noise=3:8|jpeg=40:90),p=0.8;cutout=0:2,0.1'

if samples "$T/s" 12; then
  "$CAT" -q "$T/s"/* | "$DEC" -q --max-side 160 >"$T/in.ipf"
else
  for i in 1 2 3 4 5 6; do ipf pixels 150 100 3 "{\"id\":\"p$i\"}"; done >"$T/in.ipf"
fi
n_in=$("$CAT" -q --headers <"$T/in.ipf" | wc -l)
assert_true "fixtures: some pixels records" test "$n_in" -ge 6

# --- --print-ops ---------------------------------------------------------------------------
run "$AUG" --ops "$CHAIN" --print-ops
assert_rc "--print-ops: exit 0" 0
cp "$OUT" "$T/ops.json"
assert_jq "--print-ops: canonical JSON with every op" "$T/ops.json" \
  '.[0].version == 1 and (.[0].ops | map(.op)) == ["rrc","hflip","rotate","jitter","one_of","cutout"]'
run "$AUG" --ops-file "$T/ops.json" --print-ops
assert_cmp "--ops-file of --print-ops prints the same JSON" "$T/ops.json" "$OUT"
run "$AUG" --ops 'nosuchop=1'
assert_rc "unknown op: exit 2" 2
assert_grep "unknown op: names it" 'img-aug: error: .*nosuchop' "$ERR"
run "$AUG"
assert_rc "no --ops: exit 2" 2

# --- determinism -----------------------------------------------------------------------------
run -i "$T/in.ipf" "$AUG" --ops "$CHAIN" --seed 5 --threads 1
assert_rc "chain: exit 0" 0
cp "$OUT" "$T/t1.ipf"
assert_conserved "chain: records conserved" "$ERR"
run -i "$T/in.ipf" "$AUG" --ops "$CHAIN" --seed 5 --threads 8
assert_cmp "--threads 1 and --threads 8 give identical bytes" "$T/t1.ipf" "$OUT"
run -i "$T/in.ipf" "$AUG" --ops-file "$T/ops.json" --seed 5 --threads 3 --unordered
"$CAT" -q --headers <"$OUT" | jq -c '{id, aug}' | sort >"$T/unordered.h"
"$CAT" -q --headers <"$T/t1.ipf" | jq -c '{id, aug}' | sort >"$T/ordered.h"
assert_cmp "--unordered with --ops-file: the same records" "$T/ordered.h" "$T/unordered.h"
run -i "$T/in.ipf" "$AUG" --ops "$CHAIN" --seed 6 --threads 1
assert_ne "another --seed gives other bytes" "$(sha256sum <"$T/t1.ipf")" "$(sha256sum <"$OUT")"
ipf dump "$T/t1.ipf" >"$T/t1.dump"
assert_jq "output: 96x72 pixels, u8, width/height updated, aug recorded" "$T/t1.dump" \
  'all(.header.payload.width == 96 and .header.payload.height == 72 and .header.width == 96 and
       .header.height == 72 and .payload_len == 96*72*.header.payload.channels and .crc_ok and
       (.header.aug.ops[0].op == "rrc") and .header.aug.seed == 5)'
# Order and sharding: the last records alone come out as they did in the full run.
"$CAT" -q --headers <"$T/in.ipf" >/dev/null
tail_ids=$(ipf dump "$T/in.ipf" | jq -r '.header.id' | tail -3 | tr '\n' ' ')
python_tail="$T/tail.ipf"
"$PY" - "$T/in.ipf" "$python_tail" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read(); offs = []; i = 0
while i < len(d):
    offs.append(i); (hl,) = struct.unpack_from("<I", d, i + 8); (pl,) = struct.unpack_from("<Q", d, i + 12 + hl); i += 24 + hl + pl
open(sys.argv[2], "wb").write(d[offs[-3]:])
PY
run -i "$python_tail" "$AUG" --ops "$CHAIN" --seed 5 --threads 2
ipf dump "$OUT" | jq -c '[.header.id, .sha256]' >"$T/tail.sums"
tail -3 "$T/t1.dump" | jq -c '[.header.id, .sha256]' >"$T/full.sums"
assert_cmp "a subset (a shard) gives the same bytes per record" "$T/full.sums" "$T/tail.sums"

# --- copies and replay -------------------------------------------------------------------------
run -i "$T/in.ipf" "$AUG" --ops "$CHAIN" --seed 9 --copies 3
assert_rc "--copies 3: exit 0" 0
cp "$OUT" "$T/c3.ipf"
ipf dump "$T/c3.ipf" >"$T/c3.dump"
assert_eq "--copies 3: three records per input" "$((3 * n_in))" "$(wc -l <"$T/c3.dump")"
assert_jq "--copies 3: ids suffixed _0.._2, copy recorded" "$T/c3.dump" \
  'all(.header.id | test("_[0-2]$")) and (map(.header.aug.copy) | unique) == [0,1,2]'
assert_jq "--copies 3: copies differ" "$T/c3.dump" '(.[0].sha256 != .[1].sha256) and (.[1].sha256 != .[2].sha256)'
assert_grep "--copies: summary counts every copy as read" "$((3 * n_in)) in, $((3 * n_in)) out" "$ERR"
"$CAT" -q --headers <"$T/c3.ipf" >"$T/log.ndjson"
run -i "$T/in.ipf" "$AUG" --replay "$T/log.ndjson"
assert_rc "--replay: exit 0" 0
assert_cmp "--replay reproduces the stream bit for bit" "$T/c3.ipf" "$OUT"
run -i "$T/in.ipf" "$AUG" --replay "$T/log.ndjson" --threads 1
assert_cmp "--replay on one thread too" "$T/c3.ipf" "$OUT"
ipf pixels 10 10 3 '{"id":"stranger"}' >"$T/stranger.ipf"
run -i "$T/stranger.ipf" "$AUG" --replay "$T/log.ndjson"
assert_rc "--replay: a record with no entry fails (exit 1)" 1
assert_jq "--replay: no-replay error code" <(ipf headers "$OUT") '.[0].error.code == "no-replay"'

# --- boxes ------------------------------------------------------------------------------------
ipf pixels 64 48 3 '{"id":"b","width":64,"height":48,"boxes":[{"label":"left","x0":0,"y0":4,"x1":10,"y1":20,"score":0.9},{"label":"c","x0":50,"y0":30,"x1":64,"y1":48}]}' >"$T/boxes.ipf"
run -i "$T/boxes.ipf" "$AUG" --ops 'hflip=1' --swap-labels left:right
ipf headers "$OUT" >"$T/hflip.h"
assert_jq_eq "hflip: boxes mirrored, label swapped, other keys kept" "$T/hflip.h" \
  '.[0].boxes' '[{"label":"right","x0":54,"y0":4,"x1":64,"y1":20,"score":0.9},{"label":"c","x0":0,"y0":30,"x1":14,"y1":48}]'
ipf payload "$OUT" 1 "$T/flipped.px"
ipf payload "$T/boxes.ipf" 1 "$T/orig.px"
assert_eq "hflip: pixels exactly mirrored" "ok" "$("$PY" -c "
import sys; a=open('$T/orig.px','rb').read(); b=open('$T/flipped.px','rb').read(); w=64
print('ok' if all(a[(y*w+x)*3:(y*w+x)*3+3]==b[(y*w+w-1-x)*3:(y*w+w-1-x)*3+3] for y in range(48) for x in range(w)) else 'bad')")"
run -i "$T/boxes.ipf" "$AUG" --ops 'crop=20,0,30,48'
ipf headers "$OUT" >"$T/crop.h"
assert_jq_eq "crop: boxes entirely cut away are dropped and listed" "$T/crop.h" \
  '[.[0].boxes, .[0].aug.boxes_dropped | map(.label)]' '[[],["left","c"]]'
assert_grep "crop: dropped boxes counted on stderr" '2 boxes dropped' "$ERR"
run -i "$T/boxes.ipf" "$AUG" --ops 'crop=5,0,40,48' --min-visibility 0.6
ipf headers "$OUT" >"$T/vis.h"
assert_jq_eq "--min-visibility: half-visible box dropped" "$T/vis.h" '[(.[0].boxes | length), .[0].aug.boxes_dropped[0].visibility]' '[0,0.5]'
run -i "$T/boxes.ipf" "$AUG" --ops 'rotate=30:30,expand=1' --box-rotate ellipse
ipf headers "$OUT" >"$T/rot.h"
run -i "$T/boxes.ipf" "$AUG" --ops 'rotate=30:30,expand=1'
ipf headers "$OUT" >"$T/rotc.h"
assert_true "--box-rotate ellipse gives a tighter box than corners" test "$(jq -s '.[0].boxes[0] | (.x1-.x0)*(.y1-.y0)' "$T/rot.h" | cut -d. -f1)" -lt "$(jq -s '.[0].boxes[0] | (.x1-.x0)*(.y1-.y0)' "$T/rotc.h" | cut -d. -f1)"

# --- channels, tiny images, errors ------------------------------------------------------------
{ ipf pixels 40 30 1 '{"id":"g"}'; ipf pixels 40 30 4 '{"id":"rgba"}'; ipf pixels 1 1 3 '{"id":"dot"}'; ipf pixels 1 1 4 '{"id":"dot4"}'; } >"$T/odd.ipf"
run -i "$T/odd.ipf" "$AUG" --ops "$CHAIN" --seed 1
assert_rc "1 and 4 channels, 1x1 images: exit 0" 0
ipf dump "$OUT" >"$T/odd.dump"
assert_jq_eq "channels kept, size 96x72" "$T/odd.dump" 'map([.header.payload.channels, .header.width, .header.height])' \
  '[[1,96,72],[4,96,72],[3,96,72],[4,96,72]]'
ipf pixels 5 5 3 '{"id":"x"}' >"$T/x.ipf"
printf '{"id":"nopixels"}\n' | cat - "$T/x.ipf" >"$T/mixed.ipf"
run -i "$T/mixed.ipf" "$AUG" --ops hflip
assert_rc "a record without pixels fails: exit 1" 1
assert_jq "without pixels: bad-record, the other record fine" <(ipf headers "$OUT") \
  '.[0].error.code == "bad-record" and (.[1] | has("error") | not)'
assert_conserved "errors: records conserved" "$ERR"
run -i "$T/mixed.ipf" "$AUG" --ops hflip --copies 2
assert_jq "--copies: a failing record comes out once" <(ipf headers "$OUT") 'length == 3'

finish
