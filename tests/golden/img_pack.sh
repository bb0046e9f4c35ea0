#!/usr/bin/env bash
# golden: img-pack writes every container so that outside readers accept it: GNU tar and Python's
# tarfile (WebDataset), a Python TFRecord reader that checks both CRCs of every record and decodes
# tf.train.Example with python3-protobuf (skipped with a message when absent), numpy.load for
# .npy/.npz (skipped when numpy is absent), the imagefolder metadata schema; sharding by count and
# size, the index, --shard-prefix, and that a killed run leaves no partial shard under a final name.
set -euo pipefail
: "${BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "img_pack: FAIL: $*" >&2; exit 1; }
py=/usr/bin/python3
has() { $py -c "import $1" 2>/dev/null; }

mkdir -p "$work/s"
"$BIN/make-samples" "$work/s" 10 >/dev/null
"$BIN/img-cat" -q "$work"/s/* > "$work/enc.ipf"
printf 'cat\ndog\n' > "$work/classes.txt"
printf '{"id":"boxed.1","path":"%s","width":640,"height":480,"labels":["dog"],"boxes":[{"label":"dog","x0":64,"y0":48,"x1":320,"y1":240},{"label":"cat","x0":0,"y0":0,"x1":640,"y1":480}]}\n' \
  "$(ls "$work"/s/*640x480*)" > "$work/boxed.ndjson"
cat "$work/enc.ipf" "$work/boxed.ndjson" > "$work/in.ipf"   # 11 records

# --- WebDataset ---------------------------------------------------------------------------
"$BIN/img-pack" -q --webdataset -o "$work/wds" --max-count 4 --classes "$work/classes.txt" < "$work/in.ipf" > "$work/wds.idx"
[[ $(wc -l < "$work/wds.idx") -eq 3 ]] || fail "webdataset: 3 shards expected: $(cat "$work/wds.idx")"
cmp "$work/wds.idx" "$work/wds/shard-index.ndjson" || fail "index file differs from stdout"
[[ $(jq -s 'map(.records) | add' "$work/wds.idx") -eq 11 ]] || fail "webdataset: 11 records in the index"
while read -r line; do
  path=$(jq -r .path <<<"$line")
  [[ $(sha256sum "$path" | cut -d' ' -f1) == $(jq -r .sha256 <<<"$line") ]] || fail "sha256 of $path"
  [[ $(stat -c %s "$path") -eq $(jq -r .bytes <<<"$line") ]] || fail "bytes of $path"
  tar -tf "$path" > "$work/list" || fail "GNU tar cannot list $path"
  [[ $(grep -c '\.json$' "$work/list") -eq $(jq -r .records <<<"$line") ]] || fail "json count in $path"
done < "$work/wds.idx"
tar -tf "$work/wds/shard-000002.tar" | grep -qx 'boxed_1.cls' || fail "boxed_1.cls missing (key keeps no dots)"
[[ $(tar -xOf "$work/wds/shard-000002.tar" boxed_1.cls) == 1 ]] || fail ".cls of dog is 1"
$py - "$work/wds" <<'PY' || fail "python tarfile"
import glob, json, sys, tarfile
n = 0
for path in sorted(glob.glob(sys.argv[1] + '/shard-*.tar')):
    with tarfile.open(path) as t:
        for m in t.getmembers():
            assert m.isfile() and m.name.count('.') == 1, m.name
            if m.name.endswith('.json'):
                json.loads(t.extractfile(m).read()); n += 1
assert n == 11, n
PY

# --- TFRecord -------------------------------------------------------------------------------
"$BIN/img-pack" -q --tfrecord -o "$work/tf" --classes "$work/classes.txt" --max-size 150k < "$work/in.ipf" > "$work/tf.idx"
[[ $(jq -s 'map(.records) | add' "$work/tf.idx") -eq 11 ]] || fail "tfrecord: 11 records"
[[ $(wc -l < "$work/tf.idx") -ge 2 ]] || fail "tfrecord: --max-size 150k should give several shards"
$py - "$work/tf" <<'PY' || fail "TFRecord reader"
import glob, struct, sys
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF
def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xa282ead8) & 0xFFFFFFFF
records = []
for path in sorted(glob.glob(sys.argv[1] + '/shard-*.tfrecord')):
    b = open(path, 'rb').read(); p = 0
    while p < len(b):
        n = struct.unpack_from('<Q', b, p)[0]
        assert struct.unpack_from('<I', b, p + 8)[0] == masked(b[p:p + 8]), 'length crc'
        data = b[p + 12:p + 12 + n]
        assert struct.unpack_from('<I', b, p + 12 + n)[0] == masked(data), 'data crc'
        records.append(data); p += 16 + n
assert len(records) == 11, len(records)
open(sys.argv[1] + '/last.pb', 'wb').write(records[-1])
print("img_pack: TFRecord: 11 records, every length and data CRC checked")
PY
if has google.protobuf; then
  $py - "$work/tf/last.pb" <<'PY' || fail "tf.train.Example decode"
import sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
f = descriptor_pb2.FileDescriptorProto(name='example.proto', package='tensorflow', syntax='proto3')
def msg(name, fields, oneof=None):
    m = f.message_type.add(name=name)
    if oneof: m.oneof_decl.add(name=oneof)
    for (fname, num, typ, label, tname, in_oneof) in fields:
        fd = m.field.add(name=fname, number=num, type=typ, label=label)
        if tname: fd.type_name = tname
        if in_oneof: fd.oneof_index = 0
    return m
T = descriptor_pb2.FieldDescriptorProto
R, O = T.LABEL_REPEATED, T.LABEL_OPTIONAL
msg('BytesList', [('value', 1, T.TYPE_BYTES, R, None, False)])
msg('FloatList', [('value', 1, T.TYPE_FLOAT, R, None, False)])
msg('Int64List', [('value', 1, T.TYPE_INT64, R, None, False)])
msg('Feature', [('bytes_list', 1, T.TYPE_MESSAGE, O, '.tensorflow.BytesList', True),
                ('float_list', 2, T.TYPE_MESSAGE, O, '.tensorflow.FloatList', True),
                ('int64_list', 3, T.TYPE_MESSAGE, O, '.tensorflow.Int64List', True)], oneof='kind')
fs = msg('Features', [('feature', 1, T.TYPE_MESSAGE, R, '.tensorflow.Features.FeatureEntry', False)])
e = fs.nested_type.add(name='FeatureEntry'); e.options.map_entry = True
e.field.add(name='key', number=1, type=T.TYPE_STRING, label=O)
e.field.add(name='value', number=2, type=T.TYPE_MESSAGE, label=O, type_name='.tensorflow.Feature')
msg('Example', [('features', 1, T.TYPE_MESSAGE, O, '.tensorflow.Features', False)])
pool = descriptor_pool.DescriptorPool(); pool.Add(f)
desc = pool.FindMessageTypeByName('tensorflow.Example')
Example = (message_factory.GetMessageClass(desc) if hasattr(message_factory, 'GetMessageClass')
           else message_factory.MessageFactory(pool).GetPrototype(desc))
ex = Example(); ex.ParseFromString(open(sys.argv[1], 'rb').read())
ft = ex.features.feature
assert ft['image/encoded'].bytes_list.value[0][:2] == b'\xff\xd8'
assert ft['image/format'].bytes_list.value[0] == b'jpeg'
assert ft['image/width'].int64_list.value[0] == 640 and ft['image/height'].int64_list.value[0] == 480
assert list(ft['image/object/class/text'].bytes_list.value) == [b'dog', b'cat']
assert list(ft['image/object/class/label'].int64_list.value) == [2, 1]
x = ft['image/object/bbox/xmin'].float_list.value; X = ft['image/object/bbox/xmax'].float_list.value
y = ft['image/object/bbox/ymin'].float_list.value; Y = ft['image/object/bbox/ymax'].float_list.value
assert abs(x[0] - 0.1) < 1e-6 and abs(X[0] - 0.5) < 1e-6 and abs(y[0] - 0.1) < 1e-6 and abs(Y[0] - 0.5) < 1e-6
assert ft['image/source_id'].bytes_list.value[0] == b'boxed.1'
print("img_pack: tf.train.Example decoded by python3-protobuf with the Object Detection API keys")
PY
else
  echo "img_pack: SKIP protobuf decode of tf.train.Example: python3-protobuf not installed (apt-get install python3-protobuf)"
fi

# --- .npy / .npz ------------------------------------------------------------------------------
"$BIN/img-decode" -q < "$work/enc.ipf" | "$BIN/img-norm" -q --size 32 --mean imagenet --std imagenet --dtype f16 > "$work/t.ipf"
"$BIN/img-pack" -q --npy -o "$work/npy" --max-count 4 < "$work/t.ipf" > "$work/npy.idx"
"$BIN/img-pack" -q --npz -o "$work/npz" --max-count 4 --shard-prefix val- < "$work/t.ipf" > "$work/npz.idx"
jq -e -s 'map(.records) == [4,4,2] and .[0].shape == [4,3,32,32] and .[0].dtype == "f16"' "$work/npy.idx" >/dev/null \
  || fail "npy index: $(cat "$work/npy.idx")"
ls "$work/npz"/val-000000.npz "$work/npz/val-index.ndjson" >/dev/null || fail "--shard-prefix names"
for f in "$work"/npy/*.npy; do
  head -c 6 "$f" | od -An -c | grep -q 'N   U   M   P   Y' || fail "$f: no NUMPY magic"
done
if has numpy; then
  $py - "$work" <<'PY' || fail "numpy.load"
import glob, sys
import numpy as np
w = sys.argv[1]
a = [np.load(f) for f in sorted(glob.glob(w + '/npy/*.npy'))]
assert [x.shape for x in a] == [(4, 3, 32, 32), (4, 3, 32, 32), (2, 3, 32, 32)], [x.shape for x in a]
assert all(x.dtype == np.float16 for x in a)
z = [np.load(f) for f in sorted(glob.glob(w + '/npz/*.npz'))]
assert all(np.array_equal(zz['images'], aa) for zz, aa in zip(z, a))
# Header length: data starts on a 64-byte boundary (format 1.0).
raw = open(sorted(glob.glob(w + '/npy/*.npy'))[0], 'rb').read(10)
assert raw[6] == 1 and (10 + int.from_bytes(raw[8:10], 'little')) % 64 == 0
print("img_pack: numpy.load reads every .npy and .npz shard (N x C x H x W, f16)")
PY
else
  echo "img_pack: SKIP numpy.load check: /usr/bin/python3 has no numpy (apt-get install python3-numpy)"
fi

# --- Hugging Face imagefolder -----------------------------------------------------------------
"$BIN/img-pack" -q --imagefolder -o "$work/hf" --max-count 6 < "$work/in.ipf" > "$work/hf.idx"
[[ $(wc -l < "$work/hf.idx") -eq 2 ]] || fail "imagefolder: 2 shards"
$py - "$work/hf" <<'PY' || fail "imagefolder metadata schema"
import glob, json, os, sys
n = 0
for d in sorted(glob.glob(sys.argv[1] + '/shard-*/')):
    for line in open(d + 'metadata.jsonl'):
        m = json.loads(line); n += 1
        assert set(m) >= {'file_name', 'objects'}, m
        assert os.path.isfile(d + m['file_name']), m['file_name']
        o = m['objects']
        assert len(o['bbox']) == len(o['category'])
        for b in o['bbox']:
            assert len(b) == 4 and b[2] >= 0 and b[3] >= 0
        if m['id'] == 'boxed.1':
            assert o['bbox'][0] == [64, 48, 256, 192] and o['category'] == ['dog', 'cat'], o
assert n == 11, n
PY

# --- errors and exit codes ----------------------------------------------------------------------
set +e
"$BIN/img-pack" --npy -o "$work/bad" < "$work/enc.ipf" > "$work/bad.out" 2>/dev/null; rc=$?
"$BIN/img-pack" -o "$work/bad2" < /dev/null > /dev/null 2>&1; rc2=$?
"$BIN/img-pack" --webdataset -o "$work/wds" < "$work/in.ipf" > /dev/null 2>&1; rc3=$?
set -e
[[ $rc -eq 1 ]] || fail "encoded records into --npy: exit $rc, not 1"
[[ $(jq -s 'map(select(.error.code == "unsupported")) | length' "$work/bad.out") -eq 10 ]] || fail "error records on stdout"
[[ $rc2 -eq 2 ]] || fail "no format flag: exit $rc2, not 2"
[[ $rc3 -eq 2 ]] || fail "existing shard names: exit $rc3, not 2"

# --- kill -9 mid-run: only complete shards under final names ----------------------------------
mkfifo "$work/fifo"
"$BIN/img-pack" -q --webdataset -o "$work/killed" --max-count 4 --max-inflight 1 < "$work/fifo" > /dev/null 2>&1 &
pid=$!
exec 3>"$work/fifo"
for _ in 1 2; do cat "$work/enc.ipf" >&3; done   # 20 records: 5 complete shards
"$BIN/img-cat" -q --head 2 < "$work/enc.ipf" >&3      # 2 more: shard 5 open, half full
for _ in $(seq 50); do
  [[ -e $work/killed/shard-000004.tar ]] && ls -a "$work/killed" | grep -q '^\.shard-000005\.tar\.tmp' && break
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
exec 3>&-
ls -a "$work/killed" | grep -q '^\.shard-000005\.tar\.tmp' || fail "the open shard should exist only under its temporary name"
[[ ! -e $work/killed/shard-000005.tar ]] || fail "partial shard under its final name"
for f in "$work"/killed/shard-*.tar; do
  [[ $(tar -tf "$f" | grep -c '\.json$') -eq 4 ]] || fail "$f is not a complete 4-record shard"
done
[[ $(ls "$work"/killed/shard-*.tar | wc -l) -eq 5 ]] || fail "5 complete shards expected"
echo "img_pack: ok"
