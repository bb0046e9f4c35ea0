# Golden tests for img-save: file names from templates, refused names (unsafe-path), missing keys,
# re-encoding, the index it prints, duplicate names, atomic writes.
source "$(dirname "$0")/lib.sh"

CAT=$BIN/img-cat
DEC=$BIN/img-decode
SAVE=$BIN/img-save
F=$T/f
make_fixtures "$F"
"$CAT" -q "$F/photo.jpg" "$F/rgb.png" "$F/rgba.png" >"$T/enc.ipf"
"$DEC" -q <"$T/enc.ipf" --channels 3 >"$T/px.ipf"

no_temp_files() { [[ -z $(find "$1" -name '*.tmp*' -print -quit) ]]; }

# index_matches_files NAME INDEX: every index line's path exists, and its sha256/bytes/mime
# describe the file on disk.
index_matches_files() {
  local name=$1 index=$2 n=0 bad=""
  while IFS=$'\t' read -r path sha bytes mime; do
    n=$((n + 1))
    if [[ ! -f $path ]]; then bad+=" missing:$path"; continue; fi
    [[ $(sha256sum <"$path" | cut -c1-64) == "$sha" ]] || bad+=" sha256:$path"
    [[ $(stat -c %s "$path") == "$bytes" ]] || bad+=" bytes:$path"
    case "$(magic "$path"):$mime" in
      jpeg:image/jpeg | png:image/png | webp:image/webp) ;;
      *) bad+=" mime:$path($mime)" ;;
    esac
  done < <(jq -r 'select(.error == null) | [.path, .sha256, .bytes, .mime] | @tsv' "$index")
  if [[ $n -gt 0 && -z $bad ]]; then pass "$name ($n files)"; else fail "$name" "checked $n:$bad"; fi
}

# --- default names {id}.{ext} ----------------------------------------------------------------
run -i "$T/enc.ipf" "$SAVE" -o "$T/o1"
assert_rc "default names: exit 0" 0
keep o1
assert_eq "default names: {id}.{ext} with the source's own format" \
  "photo.jpg rgb.png rgba.png" "$(cd "$T/o1" && ls | sort | tr '\n' ' ' | sed 's/ $//')"
assert_cmp "encoded payloads are written as they are (jpeg)" "$F/photo.jpg" "$T/o1/photo.jpg"
assert_cmp "encoded payloads are written as they are (png)" "$F/rgb.png" "$T/o1/rgb.png"
assert_eq "the index is NDJSON text" "{" "$(head -c1 "$T/o1.out")"
assert_jq "index: one line per record, each with a path and no payload" "$T/o1.out" \
  'length == 3 and all(has("path") and (has("payload") | not))'
assert_jq_eq "index: paths are the files, in input order" "$T/o1.out" 'map(.path)' \
  "[\"$T/o1/photo.jpg\",\"$T/o1/rgb.png\",\"$T/o1/rgba.png\"]"
index_matches_files "index: sha256, bytes and mime describe the files" "$T/o1.out"
assert_grep "summary line" '^img-save: note: 3 in, 3 out, 0 dropped$' "$T/o1.err"
assert_true "no temp files left" no_temp_files "$T/o1"

# Pixels: default format is JPEG for opaque u8, PNG when there is alpha.
"$CAT" -q "$F/photo.jpg" "$F/rgba.png" | "$DEC" -q --channels 4 >"$T/px4.ipf"
"$CAT" -q "$F/photo.jpg" | "$DEC" -q >"$T/px3.ipf"
run -i "$T/px3.ipf" "$SAVE" -o "$T/o2"
assert_rc "pixels, keep: exit 0" 0
assert_eq "pixels RGB, keep: JPEG" "jpeg" "$(magic "$T/o2/photo.jpg" 2>/dev/null)"
keep o2
assert_jq "pixels, keep: index carries width/height from the decoder" "$T/o2.out" \
  '.[0].width == 300 and .[0].height == 200 and (.[0] | has("payload") | not)'
run -i "$T/px4.ipf" "$SAVE" -o "$T/o3"
assert_eq "pixels RGBA, keep: PNG" "png" "$(magic "$T/o3/rgba.png" 2>/dev/null)"
# A lossless round trip: the saved PNG decodes to the same pixels.
run -i "$T/px4.ipf" "$SAVE" -o "$T/o3b" --format png
"$CAT" -q "$T/o3b/rgba.png" | "$DEC" -q --channels 4 >"$T/rgba-again.ipf"
ipf payload "$T/px4.ipf" 2 "$T/rgba-before.px"
ipf payload "$T/rgba-again.ipf" 1 "$T/rgba-after.px"
assert_cmp "pixels -> PNG -> pixels is lossless" "$T/rgba-before.px" "$T/rgba-after.px"

# --- --format re-encodes -------------------------------------------------------------------------
for fmt in png webp jpeg; do
  ext=$fmt
  [[ $fmt == jpeg ]] && ext=jpg
  for input in enc px; do
    run -i "$T/$input.ipf" "$SAVE" -o "$T/fmt-$fmt-$input" --format $fmt
    assert_rc "--format $fmt ($input in): exit 0" 0
    keep "fmt-$fmt-$input"
    got=""
    for f in "$T/fmt-$fmt-$input"/*; do got+="$(basename "$f"):$(magic "$f") "; done
    assert_eq "--format $fmt ($input in): every file is $fmt by its magic bytes" \
      "photo.$ext:$fmt rgb.$ext:$fmt rgba.$ext:$fmt " "$got"
    index_matches_files "--format $fmt ($input in): index describes the files" "$T/fmt-$fmt-$input.out"
  done
done
assert_cmp "--format jpeg on a JPEG keeps the bytes" "$F/photo.jpg" "$T/fmt-jpeg-enc/photo.jpg"
run -i "$T/enc.ipf" "$SAVE" -o "$T/fmt-webp-ll" --format webp --lossless
"$CAT" -q "$T/fmt-webp-ll/rgb.webp" | "$DEC" -q >"$T/webp-ll.ipf"
ipf payload "$T/webp-ll.ipf" 1 "$T/webp-ll.px"
ipf payload "$T/px.ipf" 2 "$T/rgb-orig.px"
assert_cmp "--format webp --lossless keeps the pixels" "$T/rgb-orig.px" "$T/webp-ll.px"
run -i "$T/px3.ipf" "$SAVE" -o "$T/q10" --format jpeg --quality 10
run -i "$T/px3.ipf" "$SAVE" -o "$T/q95" --format jpeg --quality 95
assert_true "--quality 10 makes a smaller file than --quality 95" \
  test "$(stat -c %s "$T/q10/photo.jpg")" -lt "$(stat -c %s "$T/q95/photo.jpg")"
run -i "$T/enc.ipf" "$SAVE" -o "$T/bad" --format tiff
assert_rc "--format tiff: exit 2" 2
assert_grep "--format tiff: img-save: error:" '^img-save: error: .*format' "$ERR"
run -i "$T/enc.ipf" "$SAVE" --format png
assert_rc "no --output: exit 2" 2
assert_grep "no --output: img-save: error:" '^img-save: error: .*output' "$ERR"

# --- --name templates ------------------------------------------------------------------------
jq -c -n --arg p "$F/photo.jpg" '
  {path:$p, id:"a1", split:"train", labels:["cat","dog"]},
  {path:$p, id:"a2", split:"val", label:"dog"},
  {path:$p, id:"a3", split:"train", labels:["cat"], n:7}' >"$T/tpl.ndjson"
"$CAT" -q <"$T/tpl.ndjson" >"$T/tpl.ipf"
run -i "$T/tpl.ipf" "$SAVE" -o "$T/ds" --name '{split}/{label}/{id}.{ext}'
assert_rc "--name {split}/{label}/{id}.{ext}: exit 0" 0
keep ds
assert_eq "--name {split}/{label}/{id}.{ext}: folders made, label from labels[0] or label" \
  "train/cat/a1.jpg train/cat/a3.jpg val/dog/a2.jpg" "$(cd "$T/ds" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
assert_jq_eq "--name: index paths" "$T/ds.out" 'map(.path | ltrimstr("'"$T/ds/"'"))' \
  '["train/cat/a1.jpg","val/dog/a2.jpg","train/cat/a3.jpg"]'
assert_jq "--name: the record's keys are kept in the index" "$T/ds.out" \
  '.[0].labels == ["cat","dog"] and .[2].n == 7 and .[1].split == "val"'
run -i "$T/tpl.ipf" "$SAVE" -o "$T/ds2" --name '{sha256}-{n}.{ext}'
assert_rc "--name with a key missing in some records: exit 1" 1
keep ds2
ipf headers "$T/ds2.out" >"$T/ds2.h"
assert_jq_eq "--name {sha256}-{n}: only the record with n is saved" "$T/ds2.h" \
  '[.[] | .error.code // "ok"]' '["bad-record","bad-record","ok"]'
assert_grep "missing key: the error names it" '\{n\}.*`n`|`n`.*\{n\}' "$T/ds2.err"
assert_true "missing key: the message in the record names it" \
  grep -q 'name template needs {n}' "$T/ds2.h"
# The failed records go on (with their payload) for a later tool.
ipf dump "$T/ds2.out" >"$T/ds2.dump"
assert_jq "missing key: failed records keep their payload, saved one is a line" "$T/ds2.dump" \
  'map(.kind) == ["frame","frame","line"]'
assert_eq "--name {sha256}-{n}: the file name" \
  "$(sha256sum <"$F/photo.jpg" | cut -c1-64)-7.jpg" "$(ls "$T/ds2")"
# A broken template is a bad flag value, known before any record is read: exit 2.
run -i "$T/tpl.ipf" "$SAVE" -o "$T/ds3" --name '{id'
assert_rc "--name with an unclosed brace: usage error, exit 2" 2
assert_grep "--name with an unclosed brace: img-save: error:" "^img-save: error: .*unclosed" "$ERR"
run -i "$T/tpl.ipf" "$SAVE" -o "$T/ds4" --name '{split}/{label}/{id}.{ext}' --on-error=drop
assert_rc "--on-error=drop with good records: exit 0" 0

# --- unsafe names ----------------------------------------------------------------------------
mkdir -p "$T/safe/sub" "$T/outside"
ln -s "$T/outside" "$T/safe/link"
ln -s "$T/outside/target.jpg" "$T/safe/direct.jpg"
jq -c -n --arg p "$F/photo.jpg" '
  {path:$p, id:"../x"}, {path:$p, id:"/tmp/abs-imgpipe"}, {path:$p, id:"sub/../../y"},
  {path:$p, id:"link/z"}, {path:$p, id:"direct"}, {path:$p, id:"sub/ok"}, {path:$p, id:"..."}' >"$T/evil.ndjson"
"$CAT" -q <"$T/evil.ndjson" >"$T/evil.ipf"
run -i "$T/evil.ipf" "$SAVE" -o "$T/safe"
assert_rc "unsafe names: exit 1" 1
keep evil
ipf headers "$T/evil.out" >"$T/evil.h"
assert_jq_eq "unsafe names: ../x, absolute, sub/../../y, symlinked folder, symlinked file refused" "$T/evil.h" \
  '[.[] | .error.code // "ok"]' '["unsafe-path","unsafe-path","unsafe-path","unsafe-path","unsafe-path","ok","ok"]'
assert_true "unsafe names: a name of dots only (....jpg) is an ordinary file" test -f "$T/safe/....jpg"
assert_eq "unsafe names: nothing written outside the output folder" "" "$(find "$T/outside" -mindepth 1; find "$T/x.jpg" "$T/y.jpg" /tmp/abs-imgpipe.jpg 2>/dev/null)"
assert_true "unsafe names: the safe one is written" test -f "$T/safe/sub/ok.jpg"
assert_grep "unsafe names: stderr says why" 'img-save: error: .*(climbs out|absolute|symlink)' "$T/evil.err"
assert_grep "unsafe names: summary counts them" 'failed \(unsafe-path 5\)' "$T/evil.err"
# From the template rather than the id.
jq -c -n --arg p "$F/photo.jpg" '{path:$p, id:"ok", split:"../../../tmp"}' | "$CAT" -q >"$T/evil2.ipf"
run -i "$T/evil2.ipf" "$SAVE" -o "$T/safe2" --name '{split}/{id}.{ext}'
ipf headers "$OUT" >"$T/evil2.h"
assert_jq "a template value that climbs out is refused" "$T/evil2.h" '.[0].error.code == "unsafe-path"' 
# Names that are the folder itself or its parent.
jq -c -n --arg p "$F/photo.jpg" '{path:$p, id:".."}, {path:$p, id:"."}, {path:$p, id:"sub/.."}' | "$CAT" -q >"$T/dots.ipf"
run -i "$T/dots.ipf" "$SAVE" -o "$T/safe3" --name '{id}'
ipf headers "$OUT" >"$T/dots.h"
assert_jq_eq "names .., . and sub/.. are refused" "$T/dots.h" '[.[] | .error.code // "ok"]' '["unsafe-path","unsafe-path","unsafe-path"]'
# The output folder itself may be reached through a symlink.
ln -s "$T/outside" "$T/out-link"
run -i "$T/enc.ipf" "$SAVE" -o "$T/out-link"
assert_rc "an output folder that is a symlink is fine: exit 0" 0
assert_true "an output folder that is a symlink: files written through it" test -f "$T/outside/photo.jpg"

# --- duplicate names -------------------------------------------------------------------------
"$CAT" -q "$F/photo.jpg" "$F/rgb.png" "$F/photo.jpg" "$F/photo.jpg" >"$T/dup.ipf"
run -i "$T/dup.ipf" "$SAVE" -o "$T/dup"
assert_rc "duplicate ids: exit 1" 1
keep dup
ipf headers "$T/dup.out" >"$T/dup.h"
assert_jq_eq "duplicate ids: the first is saved, later ones fail with duplicate-name" "$T/dup.h" \
  '[.[] | .error.code // "ok"]' '["ok","ok","duplicate-name","duplicate-name"]'
assert_grep "duplicate ids: message names the file" 'photo\.jpg' "$T/dup.err"
assert_eq "duplicate ids: two files" "2" "$(find "$T/dup" -type f | wc -l | tr -d ' ')"
# Which record wins must not depend on the thread count.
make_dups() {
  for i in $(seq 1 60); do jq -c -n --arg p "$F/gray.png" --arg i "d$((i % 7))" --arg n "$i" '{path:$p, id:$i, n:($n|tonumber)}'; done
}
make_dups | "$CAT" -q >"$T/dups.ipf"
for th in 1 8; do
  run -i "$T/dups.ipf" "$SAVE" -o "$T/dups-$th" --threads $th
  ipf headers "$OUT" | jq -c '[.n, (.error.code // "ok")]' >"$T/dups-$th.codes"
done
assert_cmp "duplicate ids: the same record wins with --threads 1 and 8" "$T/dups-1.codes" "$T/dups-8.codes"
assert_eq "duplicate ids: the first of each id wins" "1 2 3 4 5 6 7" \
  "$(grep -F '"ok"' "$T/dups-8.codes" | jq -r '.[0]' | tr '\n' ' ' | sed 's/ $//')"
# A slow record (big PNG encode) followed by a fast one with the same name: the earlier record
# must win whatever the thread count (output must not depend on --threads).
{ ipf pixels 1000 800 3 '{"id":"same","n":1}'; ipf pixels 8 8 3 '{"id":"same","n":2}'; } >"$T/race.ipf"
for th in 1 2 8; do
  run -i "$T/race.ipf" "$SAVE" -o "$T/race-$th" --threads $th --format png
  ipf headers "$OUT" >"$T/race-$th.h"
  assert_jq_eq "duplicate names, slow first record, --threads $th: the first record wins" "$T/race-$th.h" \
    'map([.n, (.error.code // "ok")])' '[[1,"ok"],[2,"duplicate-name"]]'
done
# Files already in the folder from an earlier run are replaced, not refused.
run -i "$T/enc.ipf" "$SAVE" -o "$T/o1"
assert_rc "a second run into the same folder: exit 0" 0

# --- no temp files, failed writes ------------------------------------------------------------
mkdir -p "$T/blocked/photo.jpg"   # a folder where the file should go
run -i "$T/enc.ipf" "$SAVE" -o "$T/blocked"
assert_rc "cannot write a file: exit 1" 1
ipf headers "$OUT" >"$T/blocked.h"
assert_jq_eq "cannot write a file: error io, others ok" "$T/blocked.h" '[.[] | .error.code // "ok"]' '["io","ok","ok"]' 
for d in o1 o2 o3 ds ds2 safe dup dups-1 dups-8 blocked fmt-png-enc fmt-webp-px fmt-jpeg-px; do
  assert_true "no temp files left in $d" no_temp_files "$T/$d"
done
if [[ $(id -u) -ne 0 ]]; then
  mkdir -p "$T/ro" && chmod 555 "$T/ro"
  run -i "$T/enc.ipf" "$SAVE" -o "$T/ro"
  assert_rc "read-only output folder: exit 1" 1
  chmod 755 "$T/ro"
else
  skip "read-only output folder" "running as root"
fi
printf 'x' >"$T/a-file"
run -i "$T/enc.ipf" "$SAVE" -o "$T/a-file"
assert_rc "output folder is a file: exit 2" 2
assert_grep "output folder is a file: img-save: error:" '^img-save: error:' "$ERR"

# --- records that cannot be saved --------------------------------------------------------------
printf '%s\n' '{"id":"meta-only"}' '{bad json' >"$T/nopayload.ndjson"
run -i "$T/nopayload.ndjson" "$SAVE" -o "$T/np"
assert_rc "records without payload: exit 1" 1
assert_jq_eq "no payload -> bad-record, bad line -> bad-json" "$OUT" '[.[] | .error.code]' '["bad-record","bad-json"]'
jq -c -n --arg p "$F/notes.txt" '{path:$p}' | "$CAT" -q 2>/dev/null >"$T/upstream.ndjson"
run -i "$T/upstream.ndjson" "$SAVE" -o "$T/up"
assert_rc "a record with an upstream error: exit 0 (not this tool's failure)" 0
assert_jq "a record with an upstream error passes unchanged" "$OUT" '.[0].error.tool == "img-cat"'
assert_grep "a record with an upstream error is counted" '1 with earlier errors' "$ERR"

# --- CLI basics --------------------------------------------------------------------------------
run "$SAVE" --help
assert_rc "--help: exit 0" 0
assert_eq "--help: starts with Example:" "Example:" "$(head -n1 "$OUT")"
run "$SAVE" --version
assert_grep "--version" '^img-save .*[0-9]+\.[0-9]+' "$OUT"
run "$SAVE" -o "$T/x" --quality 0
assert_rc "--quality 0: exit 2" 2
run "$SAVE" -o "$T/x" --subsampling 411
assert_rc "--subsampling 411: exit 2" 2

finish
