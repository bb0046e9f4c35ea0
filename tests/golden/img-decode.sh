# Golden tests for img-decode: --max-side on JPEG and PNG, --channels, EXIF orientation, boxes that
# follow the pixels, --max-pixels, truncated input, `path` records, thread-count independence.
source "$(dirname "$0")/lib.sh"

CAT=$BIN/img-cat
DEC=$BIN/img-decode
F=$T/f
make_fixtures "$F"

# frames_consistent FILE: every frame's payload length agrees with its pixel description.
frames_consistent() {
  ipf dump "$1" | jq -e -s 'all(.kind != "frame" or .header.payload.kind != "pixels" or
      .payload_len == .header.payload.width * .header.payload.height * .header.payload.channels *
                       (if .header.payload.dtype == "u16" then 2 else 1 end))' >/dev/null
}

# --- --max-side on a JPEG and a PNG ------------------------------------------------------------
"$CAT" -q "$F/photo.jpg" "$F/rgb.png" "$F/gray.png" >"$T/in.ipf"
run -i "$T/in.ipf" "$DEC" --max-side 64
assert_rc "--max-side 64: exit 0" 0
cp "$OUT" "$T/small.ipf"
ipf dump "$T/small.ipf" >"$T/small.dump"
assert_jq_eq "--max-side 64: sizes (JPEG 300x200, PNG 200x120, PNG 50x80)" "$T/small.dump" \
  'map([.header.width, .header.height])' '[[64,43],[64,38],[40,64]]'
assert_jq "--max-side 64: long side is 64" "$T/small.dump" \
  'all([.header.width, .header.height] | max == 64)'
assert_jq "--max-side 64: payload kind pixels, u8 RGB, described size = record size" "$T/small.dump" \
  'all(.header.payload.kind == "pixels" and .header.payload.dtype == "u8" and .header.payload.channels == 3
       and .header.payload.width == .header.width and .header.payload.height == .header.height)'
assert_jq "--max-side 64: payload bytes = width*height*3" "$T/small.dump" \
  'all(.payload_len == .header.width * .header.height * 3)'
assert_jq "--max-side 64: good CRCs" "$T/small.dump" 'all(.crc_ok)'
assert_jq_eq "--max-side 64: orig_width/orig_height" "$T/small.dump" \
  'map([.header.orig_width, .header.orig_height])' '[[300,200],[200,120],[50,80]]'
assert_jq_eq "--max-side 64: upstream keys kept" "$T/small.dump" 'map(.header.id)' '["photo","rgb","gray"]'
run -i "$T/in.ipf" "$DEC" --max-side 1000
ipf dump "$OUT" >"$T/big.dump"
assert_jq_eq "--max-side larger than the image: no upscaling" "$T/big.dump" \
  'map([.header.width, .header.height])' '[[300,200],[200,120],[50,80]]'

# Lossless input decodes to exactly the pixels that were encoded.
run -i "$T/in.ipf" "$DEC"
ipf payload "$OUT" 2 "$T/rgb.pixels"
"$PY" -c "exec(open('$IPF').read().split('def main')[0]); import sys; sys.stdout.buffer.write(pattern(200,120,3))" >"$T/rgb.expected"
assert_cmp "full-size PNG decode = the encoded pixels" "$T/rgb.expected" "$T/rgb.pixels"

# --- --channels ------------------------------------------------------------------------------
run -i "$T/in.ipf" "$DEC" --max-side 64 --channels 1
ipf dump "$OUT" >"$T/c1.dump"
assert_rc "--channels 1: exit 0" 0
assert_jq "--channels 1: one channel, payload width*height" "$T/c1.dump" \
  'length == 3 and all(.header.payload.channels == 1 and .payload_len == .header.width * .header.height)'
run -i "$T/in.ipf" "$DEC" --max-side 64 --channels 4
cp "$OUT" "$T/c4.ipf"
ipf dump "$T/c4.ipf" >"$T/c4.dump"
assert_jq "--channels 4: four channels, payload width*height*4" "$T/c4.dump" \
  'length == 3 and all(.header.payload.channels == 4 and .payload_len == .header.width * .header.height * 4)'
ipf payload "$T/c4.ipf" 1 "$T/c4-jpeg.pixels"
assert_eq "--channels 4 on a JPEG: alpha is opaque" "255" \
  "$("$PY" -c "import sys; d=open(sys.argv[1],'rb').read(); print(','.join(sorted({str(b) for b in d[3::4]})))" "$T/c4-jpeg.pixels")"
"$CAT" -q "$F/rgba.png" | "$DEC" -q --channels 4 >"$T/rgba.ipf"
ipf payload "$T/rgba.ipf" 1 "$T/rgba.pixels"
"$PY" -c "exec(open('$IPF').read().split('def main')[0]); import sys; sys.stdout.buffer.write(pattern(90,60,4))" >"$T/rgba.expected"
assert_cmp "--channels 4 on an RGBA PNG: alpha kept exactly" "$T/rgba.expected" "$T/rgba.pixels"
run -i "$T/in.ipf" "$DEC" --channels 2
assert_rc "--channels 2: usage error, exit 2" 2
assert_grep "--channels 2: img-decode: error:" '^img-decode: error: .*channels' "$ERR"

# --- EXIF orientation ------------------------------------------------------------------------
"$CAT" -q "$F/exif6.jpg" >"$T/exif6.ipf"
run -i "$T/exif6.ipf" "$DEC"
assert_rc "orientation 6: exit 0" 0
cp "$OUT" "$T/o6-apply.ipf"
ipf dump "$T/o6-apply.ipf" >"$T/o6.dump"
assert_jq_eq "orientation 6: width/height swapped (stored 300x200)" "$T/o6.dump" \
  '.[0].header | [.width, .height, .payload.width, .payload.height]' '[200,300,200,300]'
assert_jq_eq "orientation 6: orientation key" "$T/o6.dump" '.[0].header.orientation' '{"exif":6,"applied":true}'
run -i "$T/exif6.ipf" "$DEC" --orientation ignore
cp "$OUT" "$T/o6-ignore.ipf"
ipf dump "$T/o6-ignore.ipf" >"$T/o6i.dump"
assert_jq_eq "--orientation ignore: stored size" "$T/o6i.dump" '.[0].header | [.width, .height]' '[300,200]'
assert_jq_eq "--orientation ignore: orientation key says not applied" "$T/o6i.dump" \
  '.[0].header.orientation' '{"exif":6,"applied":false}'
ipf payload "$T/o6-apply.ipf" 1 "$T/o6-apply.pixels"
ipf payload "$T/o6-ignore.ipf" 1 "$T/o6-ignore.pixels"
# Orientation 6 = rotate 90 degrees clockwise: shown (x, y) = stored (y, H-1-x).
"$PY" - "$T/o6-ignore.pixels" "$T/o6-rotated.pixels" <<'PY'
import sys
src = open(sys.argv[1], "rb").read()
W, H, C = 300, 200, 3
out = bytearray(len(src))
for y in range(W):          # shown image is H wide, W high
    for x in range(H):
        sx, sy = y, H - 1 - x
        out[(y * H + x) * C:(y * H + x + 1) * C] = src[(sy * W + sx) * C:(sy * W + sx + 1) * C]
open(sys.argv[2], "wb").write(out)
PY
assert_cmp "orientation 6: pixels are the stored pixels turned 90 degrees clockwise" "$T/o6-rotated.pixels" "$T/o6-apply.pixels"
run -i "$T/exif6.ipf" "$DEC" --max-side 64
ipf dump "$OUT" >"$T/o6s.dump"
assert_jq_eq "orientation 6 with --max-side 64: 43x64" "$T/o6s.dump" '.[0].header | [.width, .height]' '[43,64]'
run -i "$T/exif6.ipf" "$DEC" --orientation sideways
assert_rc "--orientation sideways: exit 2" 2

# The orientation-6 sample of make-samples.
if samples "$T/samples"; then
  "$CAT" -q "$T/samples"/* | "$DEC" -q --max-side 64 --on-error=drop | "$CAT" -q --headers >"$T/samples.ndjson"
  assert_jq "make-samples: one sample has EXIF orientation 6, applied" "$T/samples.ndjson" \
    'map(select(.orientation.exif == 6)) | length >= 1 and all(.orientation.applied)'
  assert_jq "make-samples: its shown size is portrait where the stored one is landscape (or back)" "$T/samples.ndjson" \
    'map(select(.orientation.exif == 6)) | all((.width < .height) == (.orig_width < .orig_height))'
  deep=$(ls "$T/samples"/*deep*.png 2>/dev/null | head -1)
  if [[ -n $deep ]]; then
    "$CAT" -q "$deep" | "$DEC" -q --keep-16bit >"$T/deep16.ipf"
    ipf dump "$T/deep16.ipf" >"$T/deep16.dump"
    assert_jq "--keep-16bit on a 16-bit PNG: dtype u16, 2 bytes per sample" "$T/deep16.dump" \
      '.[0].header.payload.dtype == "u16" and .[0].payload_len == .[0].header.width * .[0].header.height * .[0].header.payload.channels * 2'
    "$CAT" -q "$deep" | "$DEC" -q >"$T/deep8.ipf"
    ipf dump "$T/deep8.ipf" >"$T/deep8.dump"
    assert_jq "16-bit PNG without --keep-16bit: u8" "$T/deep8.dump" '.[0].header.payload.dtype == "u8"'
  else
    skip "--keep-16bit" "make-samples made no *deep*.png"
  fi
else
  skip "make-samples orientation-6 sample" "$BIN/make-samples is not built"
fi

# --- boxes follow the pixels -------------------------------------------------------------------
# exif6.jpg is stored 300x200 and shown 200x300. A box on the stored image, x0=10 y0=20 x1=110
# y1=70, turned 90 degrees clockwise is x0=H-y1=130 y0=x0=10 x1=H-y0=180 y1=x1=110 on the shown
# image; --max-side 150 halves that: 65, 5, 90, 55.
jq -c -n --arg p "$F/exif6.jpg" '{path:$p, boxes:[{label:"cat",x0:10,y0:20,x1:110,y1:70,score:0.5,attrs:{"z":[1]}}]}' >"$T/box.ndjson"
run -i "$T/box.ndjson" "$DEC" --max-side 150
assert_rc "boxes: exit 0" 0
ipf dump "$OUT" >"$T/box.dump"
assert_jq_eq "boxes: record size 100x150" "$T/box.dump" '.[0].header | [.width, .height]' '[100,150]'
assert_jq_eq "boxes: orientation 6 + scale 0.5 moves the box to 65,5,90,55" "$T/box.dump" \
  '.[0].header.boxes[0] | [.x0, .y0, .x1, .y1]' '[65,5,90,55]'
assert_jq_eq "boxes: other box keys kept" "$T/box.dump" '.[0].header.boxes[0] | [.label, .score, .attrs]' '["cat",0.5,{"z":[1]}]'
# The same box given on a 600x400 copy of the stored image (record width/height say so).
jq -c -n --arg p "$F/exif6.jpg" '{path:$p, width:600, height:400, boxes:[{label:"cat",x0:20,y0:40,x1:220,y1:140}]}' >"$T/box2.ndjson"
run -i "$T/box2.ndjson" "$DEC" --max-side 150
ipf dump "$OUT" >"$T/box2.dump"
assert_jq_eq "boxes on a 600x400 reference: scaled then turned" "$T/box2.dump" \
  '.[0].header | [.width, .height, (.boxes[0] | .x0, .y0, .x1, .y1)]' '[100,150,65,5,90,55]'
# Drawn on the upright image already.
jq -c -n --arg p "$F/exif6.jpg" '{path:$p, boxes:[{label:"cat",x0:130,y0:10,x1:180,y1:110}]}' >"$T/box3.ndjson"
run -i "$T/box3.ndjson" "$DEC" --max-side 150 --boxes-oriented
ipf dump "$OUT" >"$T/box3.dump"
assert_jq_eq "--boxes-oriented: only scaled" "$T/box3.dump" '.[0].header.boxes[0] | [.x0, .y0, .x1, .y1]' '[65,5,90,55]'
# No orientation: a plain scale, 300x200 -> 150x100.
jq -c -n --arg p "$F/photo.jpg" '{path:$p, boxes:[{label:"a",x0:0,y0:0,x1:300,y1:200},{label:"b",x0:30,y0:50,x1:31,y1:51}]}' >"$T/box4.ndjson"
run -i "$T/box4.ndjson" "$DEC" --max-side 150
ipf dump "$OUT" >"$T/box4.dump"
assert_jq_eq "boxes, no orientation: scaled by 0.5" "$T/box4.dump" \
  '.[0].header.boxes | map([.x0, .y0, .x1, .y1])' '[[0,0,150,100],[15,25,15.5,25.5]]'

# --- --max-pixels ------------------------------------------------------------------------------
run -i "$T/in.ipf" "$DEC" --max-pixels 10000
assert_rc "--max-pixels 10000: exit 1" 1
ipf dump "$OUT" >"$T/mp.dump"
assert_jq_eq "--max-pixels 10000: 300x200 and 200x120 refused as too-large, 50x80 decoded" "$T/mp.dump" \
  'map(.header.error.code)' '["too-large","too-large",null]'
assert_jq "--max-pixels: refused records keep their encoded payload" "$T/mp.dump" \
  '.[0].header.payload.kind == "encoded" and .[0].payload_len > 0'
assert_grep "--max-pixels: summary counts too-large" '3 in, 3 out, 0 dropped; 2 failed \(too-large 2\)' "$ERR"
run -i "$T/in.ipf" "$DEC" --max-pixels 0
assert_rc "--max-pixels 0: exit 2" 2

# --- truncated JPEG --------------------------------------------------------------------------
"$CAT" -q "$F/trunc.jpg" >"$T/trunc.ipf"
run -i "$T/trunc.ipf" "$DEC"
assert_rc "truncated JPEG: exit 1" 1
ipf dump "$OUT" >"$T/trunc.dump"
assert_jq "truncated JPEG: error code truncated from img-decode" "$T/trunc.dump" \
  '.[0].header.error.code == "truncated" and .[0].header.error.tool == "img-decode"'
assert_grep "truncated JPEG: message on stderr" '^img-decode: error: .*truncated' "$ERR"
run -i "$T/trunc.ipf" "$DEC" --allow-truncated
assert_rc "--allow-truncated: exit 0" 0
ipf dump "$OUT" >"$T/trunc2.dump"
assert_jq "--allow-truncated: full-size pixels" "$T/trunc2.dump" \
  '.[0].header.payload.kind == "pixels" and .[0].header.width == 300 and .[0].header.height == 200 and .[0].payload_len == 180000 and (.[0].header | has("error") | not)'
head -c 100 "$F/photo.jpg" >"$T/header-only.jpg"
"$CAT" -q "$T/header-only.jpg" >"$T/ho.ipf"
run -i "$T/ho.ipf" "$DEC"
assert_rc "JPEG cut inside its headers: exit 1" 1
ipf dump "$OUT" >"$T/ho.dump"
assert_jq "JPEG cut inside its headers: truncated" "$T/ho.dump" '.[0].header.error.code == "truncated"'
head -c 2000 "$F/rgb.png" >"$T/trunc.png"
ipf encoded "$T/trunc.png" '{"id":"tp"}' >"$T/tp.ipf"
run -i "$T/tp.ipf" "$DEC"
assert_rc "truncated PNG: exit 1" 1
ipf dump "$OUT" >"$T/tp.dump"
assert_jq "truncated PNG: error truncated or corrupt" "$T/tp.dump" '.[0].header.error.code | IN("truncated", "corrupt")'

# --- records with `path` instead of a payload ----------------------------------------------------
jq -c -n --arg a "$F/photo.jpg" --arg b "$F/rgb.png" '{path:$a, split:"train"}, {path:$b, id:"given"}' >"$T/paths.ndjson"
run -i "$T/paths.ndjson" "$DEC" --max-side 64
assert_rc "path records: exit 0" 0
ipf dump "$OUT" >"$T/paths.dump"
assert_jq_eq "path records: decoded, keys kept, id from the file or given" "$T/paths.dump" \
  'map([.header.payload.kind, .header.width, .header.height, .header.id, .header.split])' \
  '[["pixels",64,43,"photo","train"],["pixels",64,38,"given",null]]'
assert_jq "path records: sha256 of the file" "$T/paths.dump" \
  ".[0].header.sha256 == \"$(sha256sum <"$F/photo.jpg" | cut -c1-64)\""
jq -c -n --arg a "$T/nope.jpg" '{path:$a}, {id:"nothing"}' >"$T/badpaths.ndjson"
run -i "$T/badpaths.ndjson" "$DEC"
assert_rc "missing file / no path: exit 1" 1
assert_jq_eq "missing file -> io, no payload and no path -> bad-record" "$OUT" 'map(.error.code)' '["io","bad-record"]'
jq -c -n --arg a "$F/notes.txt" '{path:$a}' >"$T/notes.ndjson"
run -i "$T/notes.ndjson" "$DEC"
assert_jq "not an image -> unsupported" "$OUT" '.[0].error.code == "unsupported"'
# Pixels in: nothing to decode.
"$DEC" -q <"$T/in.ipf" >"$T/px.ipf"
run -i "$T/px.ipf" "$DEC"
assert_rc "pixels payload in: exit 1" 1
ipf dump "$OUT" >"$T/px.dump"
assert_jq "pixels payload in: bad-record, payload passed on" "$T/px.dump" \
  'all(.header.error.code == "bad-record" and .header.payload.kind == "pixels")'

# --- thread counts: conservation and identical output ------------------------------------------
# 40 records: good images, truncated and non-image files, an upstream error, a malformed line.
{
  for i in $(seq 1 6); do
    jq -c -n --arg p "$F/photo.jpg" --arg i "p$i" '{path:$p, id:$i}'
    jq -c -n --arg p "$F/rgb.png" --arg i "r$i" '{path:$p, id:$i}'
    jq -c -n --arg p "$F/exif6.jpg" --arg i "e$i" '{path:$p, id:$i, boxes:[{label:"x",x0:1,y0:2,x1:30,y1:40}]}'
    jq -c -n --arg p "$F/trunc.jpg" --arg i "t$i" '{path:$p, id:$i}'
    jq -c -n --arg p "$F/notes.txt" --arg i "n$i" '{path:$p, id:$i}'
    jq -c -n --arg p "$F/gray.png" --arg i "g$i" '{path:$p, id:$i}'
  done
  echo '{"id":"upstream","error":{"tool":"img-fetch","code":"io","message":"404"}}'
  echo '{"id": broken'
  jq -c -n --arg p "$F/rgba.png" '{path:$p, id:"last"}'
} >"$T/many.ndjson"
# Records with `path`: img-decode reads the files itself, so every failure is its own.
cp "$T/many.ndjson" "$T/many.ipf"
total=$(wc -l <"$T/many.ndjson")
for mode in pass drop; do
  for th in 1 2 8; do
    run -i "$T/many.ipf" "$DEC" --max-side 48 --threads "$th" --on-error=$mode
    assert_rc "--threads $th --on-error=$mode: exit 1 (some failed)" 1
    assert_conserved "--threads $th --on-error=$mode: in = out + dropped" "$ERR"
    assert_eq "--threads $th --on-error=$mode: all $total records read" "$total" "$(summary_counts "$ERR" | cut -d' ' -f1)"
    assert_true "--threads $th --on-error=$mode: frames consistent" frames_consistent "$OUT"
    cp "$OUT" "$T/threads-$mode-$th.out"
  done
  assert_cmp "--on-error=$mode: --threads 1 and 2 write identical bytes" "$T/threads-$mode-1.out" "$T/threads-$mode-2.out"
  assert_cmp "--on-error=$mode: --threads 1 and 8 write identical bytes" "$T/threads-$mode-1.out" "$T/threads-$mode-8.out"
done
ipf dump "$T/threads-drop-1.out" >"$T/drop.dump"
ipf dump "$T/threads-pass-1.out" >"$T/pass.dump"
assert_eq "--on-error=pass keeps every record" "$total" "$(jq -s length "$T/pass.dump")"
assert_jq "--on-error=drop: only good records and the upstream error remain" "$T/drop.dump" \
  'length == 6*4 + 2 and all(.header.error == null or .header.error.tool == "img-fetch")'
assert_grep "summary names the failure codes" 'failed \(bad-json 1, truncated 6, unsupported 6\)' "$T/_err"
assert_grep "summary counts the upstream error" '1 with earlier errors' "$T/_err"
run -i "$T/many.ipf" "$DEC" --max-side 48 --threads 8 --unordered --max-inflight 3
assert_conserved "--unordered --max-inflight 3: in = out + dropped" "$ERR"
ipf dump "$OUT" | jq -c '.header.id' | sort >"$T/unordered.ids"
jq -c '.header.id' "$T/pass.dump" | sort >"$T/ordered.ids"
assert_cmp "--unordered: the same records, in some order" "$T/ordered.ids" "$T/unordered.ids"
run -i "$T/many.ipf" "$DEC" --threads 2 --on-error=fail
assert_rc "--on-error=fail: exit 1" 1
assert_conserved "--on-error=fail: in = out + dropped" "$ERR"

# --- stream errors and CLI basics ---------------------------------------------------------------
head -c 500 "$T/in.ipf" >"$T/cut.ipf"
run -i "$T/cut.ipf" "$DEC"
assert_rc "truncated stream: exit 2" 2
assert_grep "truncated stream: names frame 1 (byte 0)" '^img-decode: error: .*frame 1 \(byte 0\)' "$ERR"
run "$DEC" --help
assert_rc "--help: exit 0" 0
assert_eq "--help: starts with Example:" "Example:" "$(head -n1 "$OUT")"
run "$DEC" --version
assert_grep "--version" '^img-decode .*[0-9]+\.[0-9]+' "$OUT"
run "$DEC" --max-side -5
assert_rc "--max-side -5: exit 2" 2
assert_grep "--max-side -5: img-decode: error:" '^img-decode: error:' "$ERR"
run "$DEC" stray-argument
assert_rc "positional argument: exit 2" 2

finish
