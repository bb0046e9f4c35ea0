#!/usr/bin/env bash
# golden: img-stats over a stream equals --merge of three parts (the JSON, byte for byte), and
# the mean agrees with NumPy when numpy is installed.
set -euo pipefail
: "${BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "img_stats: FAIL: $*" >&2; exit 1; }

mkdir -p "$work/s" && "$BIN/make-samples" "$work/s" 9 >/dev/null
files=("$work"/s/*)
"$BIN/img-cat" -q "${files[@]}" | "$BIN/img-decode" -q | "$BIN/img-stats" -q > "$work/all.json"
"$BIN/img-cat" -q "${files[@]:0:3}" | "$BIN/img-decode" -q | "$BIN/img-stats" -q > "$work/p1.json"
"$BIN/img-cat" -q "${files[@]:3:3}" | "$BIN/img-decode" -q | "$BIN/img-stats" -q -o "$work/p2.json"
"$BIN/img-cat" -q "${files[@]:6}" | "$BIN/img-decode" -q | "$BIN/img-stats" -q > "$work/p3.json"
"$BIN/img-stats" --merge "$work/p1.json" "$work/p2.json" "$work/p3.json" > "$work/merged.json"
cmp "$work/all.json" "$work/merged.json" || fail "merge of 3 parts differs from one pass"
jq -e '.imgpipe_stats == 1 and .images == 9 and (.mean | length) == 3 and (.std | length) == 3
       and (.width_hist.counts | add) == 9 and (.aspect_hist.counts | add) == 9' "$work/all.json" >/dev/null \
  || fail "stats JSON shape: $(cat "$work/all.json")"

set +e
"$BIN/img-stats" --merge "$work/nope.json" >/dev/null 2>&1; rc1=$?
"$BIN/img-stats" "$work/p1.json" >/dev/null 2>&1; rc2=$?
echo '{"id":"x"}' | "$BIN/img-stats" -q >/dev/null 2>&1; rc3=$?
set -e
[[ $rc1 -eq 2 && $rc2 -eq 2 ]] || fail "usage errors exit $rc1 $rc2, not 2"
[[ $rc3 -eq 1 ]] || fail "a record without pixels exits $rc3, not 1"

if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  "$BIN/img-cat" -q "${files[@]:0:1}" | "$BIN/img-decode" -q > "$work/one.ipf"
  "$BIN/img-stats" -q < "$work/one.ipf" > "$work/one.json"
  /usr/bin/python3 - "$work/one.ipf" "$work/one.json" <<'PY'
import json, struct, sys
import numpy as np
b = open(sys.argv[1], 'rb').read()
h = struct.unpack_from('<I', b, 8)[0]; head = json.loads(b[12:12 + h]); p = struct.unpack_from('<Q', b, 12 + h)[0]
pi = head['payload']
x = np.frombuffer(b[20 + h:20 + h + p], np.uint8).reshape(pi['height'], pi['width'], pi['channels']).astype(np.float64) / 255
s = json.load(open(sys.argv[2]))
assert np.allclose(x[..., :3].reshape(-1, 3).mean(0), s['mean'], atol=1e-12, rtol=0), (s['mean'],)
assert np.allclose(x[..., :3].reshape(-1, 3).std(0), s['std'], atol=1e-12, rtol=0), (s['std'],)
print("img_stats: mean/std match NumPy within 1e-12")
PY
else
  echo "img_stats: SKIP NumPy check: /usr/bin/python3 has no numpy"
fi
echo "img_stats: ok"
