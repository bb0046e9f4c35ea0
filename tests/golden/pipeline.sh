# Pipeline test: make-samples -> img-cat | img-decode --max-side 128 | img-save; every sample is
# accounted for, the thumbnails have the right size, and the result does not depend on threads.
source "$(dirname "$0")/lib.sh"

CAT=$BIN/img-cat
DEC=$BIN/img-decode
SAVE=$BIN/img-save

if ! samples "$T/samples" 24; then
  if [[ -x $BIN/make-samples ]]; then
    fail "make-samples runs" "$(cat "$T/_samples.err")"
  else
    skip "pipeline" "$BIN/make-samples is not built"
  fi
  finish
fi
mapfile -t SAMPLES < <(cd "$T/samples" && ls | sort)
N=${#SAMPLES[@]}
assert_eq "make-samples: 24 files" 24 "$N"

# pipeline THREADS OUTDIR: runs the three programs, each one's stderr kept apart.
pipeline() {
  local th=$1 out=$2
  "$CAT" --threads "$th" "$T/samples"/* 2>"$out.cat.err" |
    "$DEC" --max-side 128 --threads "$th" 2>"$out.dec.err" |
    "$SAVE" -o "$out" --threads "$th" >"$out.index" 2>"$out.save.err"
  PIPE_RC=("${PIPESTATUS[@]}")
}

pipeline 0 "$T/thumbs"
LAST_CMD="img-cat samples/* | img-decode --max-side 128 | img-save -o thumbs"
assert_eq "pipeline: every program exits 0" "0 0 0" "${PIPE_RC[*]}"
for p in cat dec save; do
  assert_conserved "pipeline: $p in = out + dropped" "$T/thumbs.$p.err"
  assert_eq "pipeline: $p saw every sample" "$N $N 0" "$(summary_counts "$T/thumbs.$p.err")"
done
INDEX=$T/thumbs.index
assert_jq "index: one line per sample, no errors, no payload" "$INDEX" \
  "length == $N and all((has(\"error\") | not) and (has(\"payload\") | not))"
assert_eq "index: every sample's id appears once" \
  "$(printf '%s\n' "${SAMPLES[@]}" | sed 's/\.[^.]*$//' | sort)" "$(jq -r .id "$INDEX" | sort)"
assert_eq "thumbs: one file per sample" "$N" "$(find "$T/thumbs" -type f | wc -l | tr -d ' ')"
assert_eq "thumbs: no temp files" "" "$(find "$T/thumbs" -name '*.tmp*')"

# Expected size: WxH from the sample's name is the stored size; EXIF 5..8 swaps it; the long side
# becomes 128 (no sample is smaller) and the short side is rounded.
jq -c '[.id, .width, .height, (.orientation.exif // 1), .orig_width, .orig_height]' "$INDEX" |
  "$PY" -c '
import json, re, sys
bad = []
for line in sys.stdin:
    i, w, h, o, ow, oh = json.loads(line)
    sw, sh = map(int, re.search(r"(\d+)x(\d+)$", i).groups())
    if o >= 5:
        sw, sh = sh, sw
    if (ow, oh) != (sw, sh):
        bad.append("%s: orig %sx%s, expected %sx%s" % (i, ow, oh, sw, sh))
    scale = 128 / max(sw, sh)
    ew, eh = (128, round(sh * scale)) if sw >= sh else (round(sw * scale), 128)
    if abs(w - ew) > 1 or abs(h - eh) > 1 or max(w, h) != 128:
        bad.append("%s: %sx%s, expected %sx%s" % (i, w, h, ew, eh))
sys.stdout.write("".join(b + "\n" for b in bad))' >"$T/sizes.bad"
assert_empty "index: thumbnail sizes follow the sample sizes and EXIF orientation" "$T/sizes.bad"
assert_jq "index: the EXIF-rotated samples are marked" "$INDEX" \
  'map(select(.orientation)) | length >= 2 and all(.orientation.applied)'

# Each file on disk is what the index says: sha256, bytes, and decoded size.
"$CAT" -q --headers "$T/thumbs"/* | jq -c '{path, sha256, bytes}' | sort >"$T/disk.meta"
jq -c '{path, sha256, bytes}' "$INDEX" | sort >"$T/index.meta"
assert_cmp "index sha256/bytes = the files on disk" "$T/disk.meta" "$T/index.meta"
jq -r '.path' "$INDEX" | "$CAT" -q | "$DEC" -q | ipf headers /dev/stdin | jq -c '[.id, .width, .height]' >"$T/redecoded"
jq -c '[.id, .width, .height]' "$INDEX" >"$T/indexed"
assert_cmp "the saved thumbnails decode to the sizes in the index" "$T/indexed" "$T/redecoded"

# Thread counts and --unordered: the same files and (after sorting, for --unordered) index.
for th in 1 8; do
  pipeline $th "$T/thumbs-$th"
  sed "s|$T/thumbs-$th/|DIR/|g" "$T/thumbs-$th.index" >"$T/idx-$th"
  (cd "$T/thumbs-$th" && sha256sum * ) >"$T/files-$th"
done
assert_cmp "--threads 1 and 8: identical index" "$T/idx-1" "$T/idx-8"
assert_cmp "--threads 1 and 8: identical files" "$T/files-1" "$T/files-8"
sed "s|$T/thumbs/|DIR/|g" "$INDEX" >"$T/idx-0"
assert_cmp "default threads and --threads 1: identical index" "$T/idx-1" "$T/idx-0"
"$CAT" -q "$T/samples"/* | "$DEC" -q --max-side 128 --unordered | "$SAVE" -q -o "$T/thumbs-u" --unordered |
  sed "s|$T/thumbs-u/|DIR/|g" | sort >"$T/idx-u"
sort "$T/idx-1" >"$T/idx-1s"
assert_cmp "--unordered: the same records in some order" "$T/idx-1s" "$T/idx-u"

# With bad inputs in the mix every record is still accounted for: saved, or in the index with
# its error (the failed records go on as frames), or dropped and counted.
printf 'not an image\n' >"$T/bad.txt"
head -c 3000 "$T/samples/${SAMPLES[0]}" >"$T/cut.jpg"
"$CAT" "$T/samples"/* "$T/bad.txt" "$T/cut.jpg" 2>"$T/mix.cat.err" |
  "$DEC" --max-side 128 2>"$T/mix.dec.err" |
  "$SAVE" -o "$T/mix" >"$T/mix.out" 2>"$T/mix.save.err"
MIX_RC=("${PIPESTATUS[@]}")
assert_eq "with bad inputs: img-cat 1, img-decode 1, img-save 0" "1 1 0" "${MIX_RC[*]}"
ipf headers "$T/mix.out" >"$T/mix.h"
assert_jq "with bad inputs: N+2 records out, N saved, 2 with their errors" "$T/mix.h" \
  "length == $N + 2 and (map(select(.error == null)) | length) == $N and
   (map(.error.code // empty) | sort) == [\"truncated\", \"unsupported\"]"
assert_grep "with bad inputs: img-save counts the earlier errors" '2 with earlier errors' "$T/mix.save.err"
"$CAT" -q "$T/samples"/* "$T/bad.txt" "$T/cut.jpg" --on-error=drop 2>/dev/null |
  "$DEC" --max-side 128 --on-error=drop 2>"$T/drop.dec.err" |
  "$SAVE" -q -o "$T/drop" >"$T/drop.out"
assert_eq "--on-error=drop: img-decode drops the truncated one" "$((N + 1)) $N 1" "$(summary_counts "$T/drop.dec.err")"
assert_eq "--on-error=drop: N files saved" "$N" "$(wc -l <"$T/drop.out" | tr -d ' ')"

finish
