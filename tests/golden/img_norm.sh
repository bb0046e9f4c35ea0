#!/usr/bin/env bash
# golden: img-norm end to end: tensor headers, byte sizes, boxes, presets, --stats, usage errors,
# and the values themselves checked against NumPy (skipped, with a message, without numpy).
set -euo pipefail
: "${BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "img_norm: FAIL: $*" >&2; exit 1; }

mkdir -p "$work/s" && "$BIN/make-samples" "$work/s" 6 >/dev/null
"$BIN/img-cat" -q "$work"/s/* | "$BIN/img-decode" -q > "$work/pix.ipf"

# f16 CHW 224: every tensor is 3x224x224 f16 with mean/std in the header.
"$BIN/img-norm" -q --size 224 --mean imagenet --std imagenet --dtype f16 < "$work/pix.ipf" > "$work/t.ipf"
"$BIN/img-cat" -q --headers < "$work/t.ipf" > "$work/t.ndjson"
[[ $(wc -l < "$work/t.ndjson") -eq 6 ]] || fail "expected 6 records"
n=$(jq -c 'select(.payload.shape == [3,224,224] and .payload.dtype == "f16" and .payload.layout == "chw"
               and .norm.mean == [0.485,0.456,0.406] and .norm.std == [0.229,0.224,0.225]
               and .width == 224 and .height == 224)' "$work/t.ndjson" | wc -l)
[[ $n -eq 6 ]] || fail "tensor headers: $n of 6 as expected"

# letterbox HWC u8 with pad, BGR; boxes move with the pixels.
printf '{"id":"b","path":"%s","width":640,"height":480,"boxes":[{"label":"x","x0":0,"y0":0,"x1":640,"y1":480}]}\n' \
  "$(ls "$work"/s/*640x480*)" | "$BIN/img-decode" -q \
  | "$BIN/img-norm" -q --resize letterbox --size 320 --pad 114 --layout hwc --dtype u8 --channel-order bgr \
  | "$BIN/img-cat" -q --headers > "$work/lb.ndjson"
jq -e '.payload.shape == [320,320,3] and .payload.dtype == "u8" and .boxes[0].y0 == 40 and .boxes[0].y1 == 280
       and .boxes[0].x1 == 320 and .norm.channels == "bgr"' "$work/lb.ndjson" >/dev/null \
  || fail "letterbox header/boxes: $(cat "$work/lb.ndjson")"

# --stats from img-stats.
"$BIN/img-stats" -q < "$work/pix.ipf" > "$work/stats.json"
"$BIN/img-norm" -q --size 32 --stats "$work/stats.json" < "$work/pix.ipf" | "$BIN/img-cat" -q --headers \
  | jq -s -e --slurpfile s "$work/stats.json" 'length == 6 and all(.[]; .norm.mean == $s[0].mean and .norm.std == $s[0].std)' >/dev/null \
  || fail "--stats mean not carried into the header"

# Usage errors exit 2.
for args in "--dtype f64" "--resize letterbox" "--size 0" "--mean imagenette" "--dtype u8 --mean imagenet" \
            "--std 0,1,1" "--layout nchw"; do
  set +e
  # shellcheck disable=SC2086
  "$BIN/img-norm" $args < /dev/null > /dev/null 2>&1
  rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "img-norm $args exited $rc, not 2"
done
# A record without pixels fails (exit 1) and passes on with `error`.
set +e
echo '{"id":"nopix"}' | "$BIN/img-norm" -q > "$work/err.ndjson" 2>/dev/null
rc=$?
set -e
[[ $rc -eq 1 ]] || fail "non-pixel record: exit $rc, not 1"
jq -e '.error.code == "bad-record"' "$work/err.ndjson" >/dev/null || fail "error record"

# Values vs NumPy: unpack the first f32 CHW tensor (no resize) and compare with
# ((x/255 - mean)/std).transpose(2,0,1) of the same pixels.
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  "$BIN/img-cat" -q --head 1 < "$work/pix.ipf" > "$work/one.ipf"
  "$BIN/img-norm" -q --mean imagenet --std imagenet < "$work/one.ipf" > "$work/one_t.ipf"
  /usr/bin/python3 - "$work/one.ipf" "$work/one_t.ipf" <<'PY'
import json, struct, sys
import numpy as np
def frame(path):
    b = open(path, 'rb').read()
    assert b[:4] == b'\x89IPF'
    h = struct.unpack_from('<I', b, 8)[0]
    head = json.loads(b[12:12 + h])
    p = struct.unpack_from('<Q', b, 12 + h)[0]
    return head, b[20 + h:20 + h + p]
ph, pix = frame(sys.argv[1])
th, ten = frame(sys.argv[2])
x = np.frombuffer(pix, np.uint8).reshape(ph['payload']['height'], ph['payload']['width'], ph['payload']['channels'])[..., :3]
mean = np.array([0.485, 0.456, 0.406]); std = np.array([0.229, 0.224, 0.225])
want = ((x / 255.0 - mean) / std).transpose(2, 0, 1)
got = np.frombuffer(ten, np.float32).reshape(th['payload']['shape'])
err = np.abs(got - want).max()
assert err < 1e-5, err
print("img_norm: values match NumPy (max abs error %.2e)" % err)
PY
  # Every preset x dtype x layout x channel order on the same frame, read back as NumPy reads
  # the header's dtype (bf16 as the top half of a float32): values within the dtype's rounding.
  combos=()
  for preset in imagenet clip unit; do
    for dtype in f32 f16 bf16; do
      for layout in chw hwc; do
        for order in rgb bgr; do
          "$BIN/img-norm" -q --mean "$preset" --std "$preset" --dtype "$dtype" --layout "$layout" \
            --channel-order "$order" < "$work/one.ipf" > "$work/c-$preset-$dtype-$layout-$order.ipf"
          combos+=("$preset-$dtype-$layout-$order")
        done
      done
    done
  done
  for layout in chw hwc; do
    "$BIN/img-norm" -q --dtype u8 --layout "$layout" < "$work/one.ipf" > "$work/c-none-u8-$layout-rgb.ipf"
    combos+=("none-u8-$layout-rgb")
  done
  /usr/bin/python3 - "$work" "${combos[@]}" <<'PY'
import json, struct, sys
import numpy as np
def frame(path):
    b = open(path, 'rb').read()
    h = struct.unpack_from('<I', b, 8)[0]
    head = json.loads(b[12:12 + h])
    p = struct.unpack_from('<Q', b, 12 + h)[0]
    return head, b[20 + h:20 + h + p]
work = sys.argv[1]
ph, pix = frame(work + '/one.ipf')
x = np.frombuffer(pix, np.uint8).reshape(ph['payload']['height'], ph['payload']['width'], ph['payload']['channels'])[..., :3]
presets = {'imagenet': ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
           'clip': ([0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]),
           'unit': ([0, 0, 0], [1, 1, 1])}
for combo in sys.argv[2:]:
    preset, dtype, layout, order = combo.split('-')
    th, ten = frame('%s/c-%s.ipf' % (work, combo))
    pl = th['payload']
    assert pl['dtype'] == dtype and pl['layout'] == layout, (combo, pl)
    if dtype == 'u8':
        want = x.astype(np.float64)
        tol = 0
    else:
        mean, std = (np.array(v) for v in presets[preset])
        want = (x / 255.0 - mean) / std
        rel = {'f32': 2.0 ** -23, 'f16': 2.0 ** -11, 'bf16': 2.0 ** -8}[dtype]
        tol = rel * (np.abs(want) + np.abs(mean / std)) + 1e-7
        assert th['norm']['mean'] == (list(reversed(presets[preset][0])) if order == 'bgr' else presets[preset][0]), combo
    if order == 'bgr':
        want = want[..., ::-1]
        tol = tol[..., ::-1] if not np.isscalar(tol) else tol
    if layout == 'chw':
        want = want.transpose(2, 0, 1)
        tol = tol.transpose(2, 0, 1) if not np.isscalar(tol) else tol
    assert list(want.shape) == pl['shape'], (combo, want.shape, pl['shape'])
    if dtype == 'bf16':
        got = (np.frombuffer(ten, np.uint16).astype(np.uint32) << 16).view(np.float32)
    else:
        got = np.frombuffer(ten, {'f32': np.float32, 'f16': np.float16, 'u8': np.uint8}[dtype])
    got = got.reshape(pl['shape']).astype(np.float64)
    err = np.abs(got - want) - tol
    assert err.max() <= 0, (combo, float(err.max()))
print("img_norm: %d preset/dtype/layout/order combinations match NumPy within the dtype's rounding" % (len(sys.argv) - 2))
PY
else
  echo "img_norm: SKIP value check: /usr/bin/python3 has no numpy (apt-get install python3-numpy)"
fi
echo "img_norm: ok"
