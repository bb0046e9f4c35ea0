# Golden tests for img-cat: files -> frames, --headers, --head, mixed streams, --validate,
# --extract, per-record errors, pass-through of unknown keys, closed stdout, terminals, CLI basics.
source "$(dirname "$0")/lib.sh"

CAT=$BIN/img-cat
F=$T/f
make_fixtures "$F"

# --- files -> frames -------------------------------------------------------------------------
run "$CAT" "$F/rgb.png" "$F/photo.jpg" "$F/gray.png"
assert_rc "files: exit 0" 0
cp "$OUT" "$T/s1.ipf"
ipf dump "$T/s1.ipf" >"$T/s1.dump"
assert_jq "files: three frames, all with a good CRC" "$T/s1.dump" \
  'length == 3 and all(.kind == "frame" and .crc_ok)'
assert_jq "files: payloads are the files' bytes" "$T/s1.dump" \
  "map(.sha256) == [\"$(sha256sum <"$F/rgb.png" | cut -c1-64)\", \"$(sha256sum <"$F/photo.jpg" | cut -c1-64)\", \"$(sha256sum <"$F/gray.png" | cut -c1-64)\"]"
assert_jq "files: payload kind encoded" "$T/s1.dump" 'all(.header.payload == {"kind":"encoded"})'
assert_grep "files: summary line on stderr" '^img-cat: note: 3 in, 3 out, 0 dropped$' "$ERR"

# --- --headers: mime, bytes, sha256 ----------------------------------------------------------
run "$CAT" --headers "$F/rgb.png" "$F/photo.jpg" "$F/gray.png"
assert_rc "--headers: exit 0" 0
keep headers
assert_jq "--headers: one NDJSON line per file" "$T/headers.out" 'length == 3'
assert_eq "--headers: output is text (no frame magic)" "$(head -c1 "$T/headers.out")" "{"
assert_jq_eq "--headers: mime" "$T/headers.out" 'map(.mime)' '["image/png","image/jpeg","image/png"]'
assert_jq_eq "--headers: bytes = file sizes" "$T/headers.out" 'map(.bytes)' \
  "[$(stat -c %s "$F/rgb.png"),$(stat -c %s "$F/photo.jpg"),$(stat -c %s "$F/gray.png")]"
for i in 0 1 2; do
  f=$(jq -r -s ".[$i].path" "$T/headers.out")
  assert_eq "--headers: sha256 of $(basename "$f") matches sha256sum" \
    "$(sha256sum <"$f" | cut -c1-64)" "$(jq -r -s ".[$i].sha256" "$T/headers.out")"
done
assert_jq_eq "--headers: id is the file stem" "$T/headers.out" 'map(.id)' '["rgb","photo","gray"]'
# --headers of a frame stream shows the same headers as of the files.
run -i "$T/s1.ipf" "$CAT" --headers
assert_cmp "--headers of the frame stream = --headers of the files" "$T/headers.out" "$OUT"

# --- --head ----------------------------------------------------------------------------------
run "$CAT" --headers --head 2 "$F/rgb.png" "$F/photo.jpg" "$F/gray.png"
assert_rc "--head 2: exit 0" 0
assert_jq_eq "--head 2: the first two records" "$OUT" 'map(.id)' '["rgb","photo"]'
run -i "$T/s1.ipf" "$CAT" --head 2
ipf dump "$OUT" >"$T/head.dump"
assert_jq "--head 2 on a frame stream: two frames" "$T/head.dump" 'length == 2 and all(.crc_ok)'
run -i "$T/s1.ipf" "$CAT" --head 0 --headers
assert_empty "--head 0: no records" "$OUT"

# --- concatenated streams, frames and NDJSON mixed ---------------------------------------------
run "$CAT" "$F/rgba.png" "$F/exif6.jpg"
cp "$OUT" "$T/s2.ipf"
printf '%s\n' '{"id":"meta-1","labels":["cat"]}' '' '{"id":"meta-2","n":2}' >"$T/meta.ndjson"
cat "$T/s1.ipf" "$T/meta.ndjson" "$T/s2.ipf" >"$T/mixed.stream"
run -i "$T/mixed.stream" "$CAT" --headers
assert_rc "mixed stdin: exit 0" 0
assert_jq_eq "mixed stdin: every record in order (blank line skipped)" "$OUT" 'map(.id)' \
  '["rgb","photo","gray","meta-1","meta-2","rgba","exif6"]'
assert_grep "mixed stdin: NDJSON lines pass unchanged" '^\{"id":"meta-1","labels":\["cat"\]\}$' "$OUT"
run "$CAT" --headers "$T/s1.ipf" "$T/meta.ndjson" "$T/s2.ipf"
assert_jq_eq "stream files as arguments: same records" "$OUT" 'map(.id)' \
  '["rgb","photo","gray","meta-1","meta-2","rgba","exif6"]'
cat "$T/s1.ipf" "$T/s2.ipf" >"$T/both.ipf"
run -i "$T/both.ipf" "$CAT"
assert_cmp "two concatenated frame streams are copied byte for byte" "$T/both.ipf" "$OUT"
run -i "$T/mixed.stream" "$CAT"
ipf dump "$OUT" >"$T/mixed.dump"
assert_jq_eq "mixed stdin, binary out: frames for payloads, lines for the rest" "$T/mixed.dump" \
  'map(.kind)' '["frame","frame","frame","line","line","frame","frame"]'

# --- --validate ----------------------------------------------------------------------------
run -i "$T/mixed.stream" "$CAT" --validate
assert_rc "--validate good stream: exit 0" 0
assert_grep "--validate good stream: says what it checked" 'valid: 5 frames, 2 NDJSON records' "$ERR"
assert_empty "--validate writes nothing on stdout" "$OUT"

mapfile -t OFFS < <(ipf offsets "$T/s1.ipf")   # frame starts: 0, o2, o3
o2=${OFFS[1]}
o3=${OFFS[2]}
hlen2=$("$PY" -c "import struct,sys; d=open(sys.argv[1],'rb').read(); print(struct.unpack_from('<I', d, $o2+8)[0])" "$T/s1.ipf")
# A byte flipped in frame 2's payload: CRC mismatch, named by frame number and start byte.
ipf flip "$T/s1.ipf" $((o2 + 12 + hlen2 + 8 + 100)) "$T/flip-payload.ipf"
run -i "$T/flip-payload.ipf" "$CAT" --validate
assert_rc "--validate flipped payload byte: exit 2" 2
assert_grep "--validate flipped payload byte: names frame 2 (byte $o2)" "img-cat: error: .*frame 2 \(byte $o2\)" "$ERR"
assert_grep "--validate flipped payload byte: says CRC" 'CRC' "$ERR"
# A byte flipped in frame 3's header JSON.
ipf flip "$T/s1.ipf" $((o3 + 14)) "$T/flip-header.ipf"
run -i "$T/flip-header.ipf" "$CAT" --validate
assert_rc "--validate flipped header byte: exit 2" 2
assert_grep "--validate flipped header byte: names frame 3 (byte $o3)" "frame 3 \(byte $o3\)" "$ERR"
# Flipped magic of frame 2 / version byte.
ipf flip "$T/s1.ipf" $((o2 + 1)) "$T/flip-magic.ipf"
run -i "$T/flip-magic.ipf" "$CAT" --validate
assert_rc "--validate bad magic: exit 2" 2
assert_grep "--validate bad magic: names frame 2 (byte $o2)" "frame 2 \(byte $o2\)" "$ERR"
ipf flip "$T/s1.ipf" $((o2 + 4)) "$T/flip-version.ipf"
run -i "$T/flip-version.ipf" "$CAT" --validate
assert_rc "--validate bad version: exit 2" 2
assert_grep "--validate bad version: names frame 2 (byte $o2)" "frame 2 \(byte $o2\)" "$ERR"
# A flipped header-length byte makes the frame claim a huge header: refused, not allocated.
ipf flip "$T/s1.ipf" $((o2 + 11)) "$T/flip-hlen.ipf"
run -i "$T/flip-hlen.ipf" "$CAT" --validate
assert_rc "--validate header length 4 GB: exit 2" 2
assert_grep "--validate header length 4 GB: names frame 2 (byte $o2)" "frame 2 \(byte $o2\)" "$ERR"

# Truncated at several offsets: inside frame 1, and in every part of frame 2.
size=$(stat -c %s "$T/s1.ipf")
declare -A CUTS=(
  [frame1-prefix]="5:1:0" [frame1-payload]="300:1:0"
  [frame2-magic]="$((o2 + 2)):2:$o2" [frame2-prefix]="$((o2 + 9)):2:$o2"
  [frame2-header]="$((o2 + 12 + hlen2 / 2)):2:$o2" [frame2-length]="$((o2 + 12 + hlen2 + 3)):2:$o2"
  [frame2-payload]="$((o2 + 12 + hlen2 + 8 + 50)):2:$o2" [frame2-crc]="$((o3 - 2)):2:$o2"
  [frame3-last-byte]="$((size - 1)):3:$o3"
)
for what in "${!CUTS[@]}"; do
  IFS=: read -r cut n at <<<"${CUTS[$what]}"
  head -c "$cut" "$T/s1.ipf" >"$T/cut.ipf"
  run -i "$T/cut.ipf" "$CAT" --validate
  assert_rc "--validate truncated in $what (at $cut): exit 2" 2
  assert_grep "--validate truncated in $what: names frame $n (byte $at)" "img-cat: error: .*frame $n \(byte $at\)" "$ERR"
  assert_grep "--validate truncated in $what: says truncated" 'truncated|ends inside' "$ERR"
done
# Without --validate a broken stream is a stream error too, after the good records are out.
head -c $((o3 + 40)) "$T/s1.ipf" >"$T/cut.ipf"
run -i "$T/cut.ipf" "$CAT" --headers
assert_rc "truncated stream (no --validate): exit 2" 2
assert_jq_eq "truncated stream: records before the break are written" "$OUT" 'map(.id)' '["rgb","photo"]'
assert_grep "truncated stream: names frame 3 (byte $o3)" "frame 3 \(byte $o3\)" "$ERR"
# --validate on NDJSON with a malformed line.
printf '{"a":1}\n{"a":\n' >"$T/badline.ndjson"
run -i "$T/badline.ndjson" "$CAT" --validate
assert_rc "--validate malformed NDJSON line: exit 2" 2
assert_grep "--validate malformed NDJSON line: names the line" 'line 2' "$ERR"

# --- --extract DIR ---------------------------------------------------------------------------
run -i "$T/s1.ipf" "$CAT" --extract "$T/ex"
assert_rc "--extract: exit 0" 0
keep extract
assert_eq "--extract: output is NDJSON" "$(head -c1 "$T/extract.out")" "{"
assert_jq "--extract: three records, each with a path and no payload" "$T/extract.out" \
  'length == 3 and all(has("path") and (has("payload") | not))'
for i in 0 1 2; do
  p=$(jq -r -s ".[$i].path" "$T/extract.out")
  orig=$F/$(jq -r -s ".[$i].id" "$T/extract.out").$([[ $i == 1 ]] && echo jpg || echo png)
  if [[ -f $p ]]; then
    assert_cmp "--extract: $(basename "$p") is byte-identical to its input" "$orig" "$p"
  else
    fail "--extract: record $i's path exists" "no file $p"
  fi
  case $p in "$T/ex/"*) pass "--extract: $(basename "$p") is inside DIR" ;; *) fail "--extract: path inside DIR" "$p" ;; esac
done
assert_jq_eq "--extract: files named {id}.{ext}" "$T/extract.out" '[.[].path | split("/") | last]' \
  '["rgb.png","photo.jpg","gray.png"]'
assert_eq "--extract: no temp files left" "" "$(find "$T/ex" -name '*.tmp*')"
# Two records with the same id must not silently overwrite each other's file (img-save reports
# duplicate-name; --extract must either pick distinct names or fail the later record).
cat "$T/s1.ipf" "$T/s1.ipf" >"$T/twice.ipf"
run -i "$T/twice.ipf" "$CAT" --extract "$T/ex-twice"
ipf headers "$OUT" >"$T/twice.h"
assert_jq "--extract: same id twice does not overwrite silently" "$T/twice.h" \
  'length == 6 and (map(select(.error == null) | .path) | length == (unique | length))'
# A hostile id cannot climb out of DIR.
ipf encoded "$F/gray.png" '{"id":"../../escape"}' >"$T/evil.ipf"
run -i "$T/evil.ipf" "$CAT" --extract "$T/ex2"
assert_true "--extract: id ../../escape stays inside DIR" test ! -e "$T/escape.png"
assert_eq "--extract: the file lands in DIR" "1" "$(find "$T/ex2" -type f | wc -l | tr -d ' ')"

# --- per-record errors -------------------------------------------------------------------------
run "$CAT" --headers "$F/rgb.png" "$F/notes.txt" "$F/gray.png"
assert_rc "non-image file: exit 1" 1
keep notimg
assert_jq "non-image file: record kept, error code unsupported" "$T/notimg.out" \
  'length == 3 and .[1].error.code == "unsupported" and .[1].error.tool == "img-cat" and (.[1].path | endswith("notes.txt"))'
assert_jq "non-image file: the others have no error" "$T/notimg.out" '[.[0], .[2]] | all(has("error") | not)'
assert_grep "non-image file: summary counts it" '3 in, 3 out, 0 dropped; 1 failed \(unsupported 1\)' "$T/notimg.err"
run "$CAT" --headers --on-error=drop "$F/rgb.png" "$F/notes.txt" "$F/gray.png"
assert_rc "--on-error=drop: exit 1" 1
assert_jq_eq "--on-error=drop: the failed record is gone" "$OUT" 'map(.id)' '["rgb","gray"]'
assert_grep "--on-error=drop: summary says dropped" '3 in, 2 out, 1 dropped; 1 failed' "$ERR"
run "$CAT" --headers --threads 1 --on-error=fail "$F/notes.txt" "$F/rgb.png" "$F/gray.png"
assert_rc "--on-error=fail: exit 1" 1
assert_grep "--on-error=fail: summary says it stopped" 'stopped at the first failure' "$ERR"
run "$CAT" --headers "$T/does-not-exist.png"
assert_rc "missing file: exit 1" 1
assert_jq "missing file: error code io" "$OUT" '.[0].error.code == "io"'

# --- plain path lines on stdin -----------------------------------------------------------------
printf '%s\n' "$F/rgb.png" "$F/photo.jpg" >"$T/list.txt"
run -i "$T/list.txt" "$CAT" --headers
assert_rc "plain path lines: exit 0" 0
assert_jq_eq "plain path lines: loaded as files" "$OUT" 'map([.id, .mime])' \
  '[["rgb","image/png"],["photo","image/jpeg"]]'

# --- unknown keys pass through byte-exact ----------------------------------------------------
line='{"path":"'$F/gray.png'","x":123456789012345678901234567890,"s":"\u00e9\n","f":1.50000000000000000001,"o":{"b":[1, 2 ,{}]}}'
printf '%s\n' "$line" >"$T/keys.ndjson"
run -i "$T/keys.ndjson" "$CAT" --headers
assert_rc "unknown keys: exit 0" 0
for frag in '"x":123456789012345678901234567890' '"s":"\u00e9\n"' '"f":1.50000000000000000001' '"o":{"b":[1, 2 ,{}]}'; do
  if grep -qF -- "$frag" "$OUT"; then pass "unknown keys: $frag kept byte for byte"; else
    fail "unknown keys: $frag kept byte for byte" "output: $(cat "$OUT")"
  fi
done
run -i "$T/keys.ndjson" "$CAT"
cp "$OUT" "$T/keys.ipf"
run -i "$T/keys.ipf" "$CAT" --headers
assert_true "unknown keys survive a trip through a frame" grep -qF '"x":123456789012345678901234567890,"s":"\u00e9\n"' "$OUT"
printf '%s\n' '{"id":"no-path","x":123456789012345678901234567890,"s":"\u00e9\n"}' >"$T/plain.ndjson"
run -i "$T/plain.ndjson" "$CAT"
assert_cmp "a record without payload or path is copied byte for byte" "$T/plain.ndjson" "$OUT"

# --- malformed line -> error record with raw/line --------------------------------------------
printf '%s\n' '{"id":"a"}' '{"id": "b", oops}' '{"id":"c"}' >"$T/malformed.ndjson"
run -i "$T/malformed.ndjson" "$CAT"
assert_rc "malformed line: exit 1" 1
keep malformed
assert_jq "malformed line: three records, the middle one an error record" "$T/malformed.out" \
  'length == 3 and .[0].id == "a" and .[2].id == "c" and .[1].raw == "{\"id\": \"b\", oops}" and .[1].line == 2 and .[1].error.code == "bad-json"'
assert_grep "malformed line: stderr names the line" 'line 2' "$T/malformed.err"
printf '{"deep":%s1%s}\n' "$(printf '[%.0s' {1..100})" "$(printf ']%.0s' {1..100})" >"$T/deep.ndjson"
run -i "$T/deep.ndjson" "$CAT" --max-json-depth 10
assert_rc "too deep JSON: exit 1" 1
assert_jq "too deep JSON: error record" "$OUT" '.[0].error.code == "bad-json" and .[0].line == 1'
head -c 5000 /dev/zero | tr '\0' 'a' | sed 's/^/{"k":"/; s/$/"}/' >"$T/long.ndjson"
run -i "$T/long.ndjson" "$CAT" --max-line 1k
assert_rc "--max-line: exit 1" 1
assert_jq "--max-line: error record too-large with raw cut to 1 KiB" "$OUT" \
  '.[0].error.code == "too-large" and (.[0].raw | length) <= 1024'

# --- closed stdout (| head -c 100) ends quietly ----------------------------------------------
big=()
for i in $(seq 1 150); do big+=("$F/rgb.png"); done   # ~10 MB of frames, more than any pipe holds
"$CAT" "${big[@]}" 2>"$T/closed.err" | head -c 100 >"$T/closed.out"
st=("${PIPESTATUS[@]}")
LAST_CMD="img-cat <150 files> | head -c 100"
RC=${st[0]}
assert_eq "| head -c 100: img-cat exits 0" 0 "${st[0]}"
assert_empty "| head -c 100: nothing on stderr" "$T/closed.err"
assert_eq "| head -c 100: head got 100 bytes" 100 "$(stat -c %s "$T/closed.out")"
# NDJSON: 20 MB of lines without payload, more than any pipe buffer holds.
"$PY" -c 'import sys
for i in range(20000): sys.stdout.write("{\"id\":\"r%d\",\"pad\":\"%s\"}\n" % (i, "x" * 1000))' >"$T/big.ndjson"
"$CAT" --headers <"$T/big.ndjson" 2>"$T/closed2.err" | head -n 1 >/dev/null
st=("${PIPESTATUS[@]}")
LAST_CMD="img-cat --headers < big.ndjson | head -n 1"
RC=${st[0]}
assert_eq "NDJSON | head -n 1: img-cat exits 0" 0 "${st[0]}"
assert_empty "NDJSON | head -n 1: nothing on stderr" "$T/closed2.err"

# --- binary output to a terminal is refused ----------------------------------------------------
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
  script -qec "'$CAT' '$F/gray.png'" /dev/null >"$T/tty.out" 2>&1 </dev/null
  RC=$?
  LAST_CMD="script -qec 'img-cat gray.png'"
  assert_eq "binary to a terminal: exit 2" 2 "$RC"
  assert_grep "binary to a terminal: refused with a message" 'img-cat: error: .*terminal' "$T/tty.out"
  assert_no_grep "binary to a terminal: no frame bytes written" 'IPF' "$T/tty.out"
  script -qec "'$CAT' --headers '$F/gray.png'" /dev/null >"$T/tty2.out" 2>&1 </dev/null
  RC=$?
  assert_eq "--headers to a terminal: exit 0" 0 "$RC"
  assert_grep "--headers to a terminal: the header is shown" '"mime":"image/png"' "$T/tty2.out"
else
  skip "binary to a terminal" "script(1) is not available"
fi

# --- CLI basics --------------------------------------------------------------------------------
run "$CAT" --help
assert_rc "--help: exit 0" 0
assert_eq "--help: starts with Example:" "Example:" "$(head -n1 "$OUT")"
assert_empty "--help: nothing on stderr" "$ERR"
assert_grep "--help: lists the common flags" '--on-error' "$OUT"
run "$CAT" --version
assert_rc "--version: exit 0" 0
assert_grep "--version: names the program and a version" '^img-cat .*[0-9]+\.[0-9]+' "$OUT"
run "$CAT" --no-such-flag
assert_rc "bad flag: exit 2" 2
assert_grep "bad flag: img-cat: error:" '^img-cat: error:' "$ERR"
assert_empty "bad flag: nothing on stdout" "$OUT"
run "$CAT" --on-error=maybe "$F/rgb.png"
assert_rc "bad --on-error value: exit 2" 2
assert_grep "bad --on-error value: img-cat: error:" '^img-cat: error: .*on-error' "$ERR"
run "$CAT" --head nope
assert_rc "bad --head value: exit 2" 2
run "$CAT" --quiet --headers "$F/rgb.png"
assert_empty "--quiet: no summary" "$ERR"

finish
