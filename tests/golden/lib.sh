# lib.sh: shared helpers for the golden tool tests (sourced by tests/golden/*.sh).
#
# Each test script is run by ctest as `bash tests/golden/NAME.sh` with BIN (the built programs),
# SRC (the repository) and SHARED set. A script sources this file, runs programs with `run`, checks
# results with the assert_* functions (each prints "ok - ..." or "FAIL - ...") and ends with
# `finish`, whose exit status is 1 when any assert failed. Scripts deliberately do not use `set -e`:
# a failing assert must not hide the ones after it.
set -u

GOLDEN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SRC:=$(cd "$GOLDEN_DIR/../.." && pwd)}"
: "${BIN:=$SRC/build/bin}"
: "${SHARED:=$SRC/../shared}"
export BIN SRC SHARED
# Diagnostics must not depend on the environment the tests run in.
export NO_COLOR=1 LC_ALL=C.UTF-8

TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/imgpipe-golden-$TEST_NAME.XXXXXX")
BACKGROUND_PIDS=()
cleanup() {
  for pid in "${BACKGROUND_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  # Folders made read-only or symlinked by a test must not stop the removal.
  chmod -R u+rwX "$T" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# start_server READY_FILE COMMAND...: runs a test server in the background (stopped at exit) and
# waits up to 5 s for it to write READY_FILE (its port, say). Returns 1, with the server's stderr,
# when it does not.
start_server() {
  local ready=$1
  shift
  "$@" 2>"$T/server.err" &
  BACKGROUND_PIDS+=($!)
  for _ in $(seq 50); do [[ -s $ready ]] && return 0; sleep 0.1; done
  echo "$TEST_NAME: error: the test server did not start: $(cat "$T/server.err")" >&2
  return 1
}

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()

# The system python (what scripts/install-deps installs) starts fast; version-manager shims do not.
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)
for tool in jq "$PY" cmp sha256sum; do
  command -v "$tool" >/dev/null || { echo "$TEST_NAME: error: needs $tool (scripts/install-deps test)" >&2; exit 2; }
done

# ---------------------------------------------------------------------------------------------
# Running programs

# run [-i STDIN_FILE] CMD ARGS...: runs CMD with stdin from STDIN_FILE (default /dev/null); stdout
# goes to $OUT, stderr to $ERR, the exit status to $RC. A timeout guards against hangs.
OUT=$T/_out
ERR=$T/_err
RC=0
RUN_TIMEOUT=${RUN_TIMEOUT:-120}
run() {
  local _t0=$SECONDS
  local in=/dev/null
  if [[ $1 == -i ]]; then
    in=$2
    shift 2
  fi
  LAST_CMD="$*"
  timeout "$RUN_TIMEOUT" "$@" <"$in" >"$OUT" 2>"$ERR"
  RC=$?
  [[ $((SECONDS - _t0)) -ge 2 ]] && echo "  (slow: $((SECONDS - _t0))s: $LAST_CMD)"
  [[ $RC -eq 124 ]] && echo "  (timed out after ${RUN_TIMEOUT}s: $LAST_CMD)"
  return 0
}

# keep NAME: copies the last run's stdout/stderr to $T/NAME.out / $T/NAME.err.
keep() {
  cp "$OUT" "$T/$1.out"
  cp "$ERR" "$T/$1.err"
}

# ---------------------------------------------------------------------------------------------
# Asserts

pass() {
  PASSED=$((PASSED + 1))
  echo "ok - $1"
}
fail() {
  FAILED=$((FAILED + 1))
  FAILED_NAMES+=("$1")
  echo "FAIL - $1"
  shift
  local line
  for line in "$@"; do echo "    $line"; done
  if [[ -n ${LAST_CMD:-} ]]; then
    echo "    last command: $LAST_CMD (exit $RC)"
    if [[ -s $ERR ]]; then
      echo "    its stderr:"
      head -c 2000 "$ERR" | sed 's/^/      /'
    fi
  fi
}
skip() {
  SKIPPED=$((SKIPPED + 1))
  echo "skip - $1: $2"
}

assert_eq() { # NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "expected: $2" "got:      $3"; fi
}
assert_ne() { # NAME UNEXPECTED ACTUAL
  if [[ "$2" != "$3" ]]; then pass "$1"; else fail "$1" "expected anything but: $2"; fi
}
assert_rc() { # NAME EXPECTED_EXIT_STATUS  (of the last run)
  if [[ $RC -eq $2 ]]; then pass "$1"; else fail "$1" "expected exit status $2, got $RC"; fi
}
assert_true() { # NAME CMD ARGS...: passes when CMD succeeds
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name" "not true: $*"; fi
}
assert_grep() { # NAME EXTENDED_REGEX FILE
  if grep -Eq -- "$2" "$3"; then pass "$1"; else
    fail "$1" "no line matches /$2/ in $(basename "$3"):" "$(head -c 600 "$3")"
  fi
}
assert_no_grep() { # NAME EXTENDED_REGEX FILE
  if ! grep -Eq -- "$2" "$3"; then pass "$1"; else
    fail "$1" "unexpected match of /$2/ in $(basename "$3"):" "$(grep -E -- "$2" "$3" | head -3)"
  fi
}
assert_empty() { # NAME FILE
  if [[ ! -s $2 ]]; then pass "$1"; else fail "$1" "expected $(basename "$2") to be empty, it holds:" "$(head -c 600 "$2")"; fi
}
assert_cmp() { # NAME EXPECTED_FILE ACTUAL_FILE: byte-identical
  local why
  if why=$(cmp -- "$2" "$3" 2>&1); then pass "$1"; else fail "$1" "$why"; fi
}
# assert_jq NAME FILE EXPR: EXPR is evaluated with `jq -s` over every JSON value of FILE (an array
# of the NDJSON records) and must yield true.
assert_jq() {
  local got
  if got=$(jq -e -s "$3" "$2" 2>&1) && [[ $got == true ]]; then pass "$1"; else
    fail "$1" "jq -s '$3' gave: $(head -c 300 <<<"$got")" "on $(basename "$2"): $(head -c 600 "$2")"
  fi
}
# assert_jq_eq NAME FILE EXPR EXPECTED: `jq -s -c EXPR FILE` must print EXPECTED.
assert_jq_eq() {
  local got
  got=$(jq -s -c "$3" "$2" 2>&1)
  if [[ $got == "$4" ]]; then pass "$1"; else
    fail "$1" "jq -s -c '$3'" "expected: $4" "got:      $(head -c 600 <<<"$got")"
  fi
}

# summary_counts FILE: prints "IN OUT DROPPED" from a program's summary line in FILE (stderr).
summary_counts() {
  sed -nE 's/.*: (note|warning): ([0-9]+) in, ([0-9]+) out, ([0-9]+) dropped.*/\2 \3 \4/p' "$1" | tail -1
}
# assert_conserved NAME ERRFILE: the summary line exists and says in = out + dropped.
assert_conserved() {
  local counts
  counts=$(summary_counts "$2")
  if [[ -z $counts ]]; then fail "$1" "no summary line in stderr"; return; fi
  read -r i o d <<<"$counts"
  if [[ $i -eq $((o + d)) ]]; then pass "$1 ($i in = $o out + $d dropped)"; else
    fail "$1" "summary says $i in, $o out, $d dropped"
  fi
}

finish() {
  echo "# $TEST_NAME: $PASSED passed, $FAILED failed, $SKIPPED skipped"
  if [[ $FAILED -gt 0 ]]; then
    local n
    for n in "${FAILED_NAMES[@]}"; do echo "#   failed: $n"; done
    exit 1
  fi
  exit 0
}

# ---------------------------------------------------------------------------------------------
# Streams and fixtures (python3 stdlib; independent of the code under test)

IPF=$T/_ipf.py
cat >"$IPF" <<'PY'
"""Independent reader/writer of imgpipe streams (formats/record-stream.md v1) and tiny images."""
import json, struct, sys, zlib

def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t
_T = _crc32c_table()

def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    t = _T
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF

MAGIC = b"\x89IPF"

def frame(header, payload):
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    body = MAGIC + struct.pack("<HHI", 1, 0, len(h)) + h + struct.pack("<Q", len(payload)) + payload
    return body + struct.pack("<I", crc32c(body))

def records(data):
    """Yields (offset, kind, header_or_line, payload, crc_ok)."""
    i = 0
    while i < len(data):
        if data[i] == 0x89:
            (hl,) = struct.unpack_from("<I", data, i + 8)
            h = data[i + 12:i + 12 + hl]
            (pl,) = struct.unpack_from("<Q", data, i + 12 + hl)
            p = data[i + 20 + hl:i + 20 + hl + pl]
            end = i + 20 + hl + pl
            (crc,) = struct.unpack_from("<I", data, end)
            yield i, "frame", h, p, crc == crc32c(data[i:end])
            i = end + 4
        else:
            j = data.find(b"\n", i)
            j = len(data) if j < 0 else j
            if data[i:j].strip():
                yield i, "line", data[i:j], b"", True
            i = j + 1

def pattern(w, h, c):
    out = bytearray()
    for y in range(h):
        for x in range(w):
            r, g, b = (x * 255) // max(w - 1, 1), (y * 255) // max(h - 1, 1), ((x + y) * 7) & 255
            a = 255 - (x * 128) // max(w - 1, 1)
            out += bytes([r, g, b, a][:c] if c >= 3 else [(r + g) // 2, a][:c])
    return bytes(out)

def png(w, h, c, px):
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    raw = b"".join(b"\0" + px[y * w * c:(y + 1) * w * c] for y in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def exif_jpeg(jpeg, orientation):
    """Inserts an APP1 Exif segment (little-endian TIFF, one IFD0 entry: Orientation) after SOI."""
    assert jpeg[:2] == b"\xff\xd8"
    tiff = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)
    seg = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(seg) + 2) + seg + jpeg[2:]

def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    out = sys.stdout.buffer
    if cmd == "dump":  # FILE -> one JSON line per record: offset, kind, header, payload_len, crc_ok
        data = open(args[0], "rb").read()
        for off, kind, h, p, ok in records(data):
            try:
                head = json.loads(h)
            except Exception:
                head = None
            print(json.dumps({"offset": off, "kind": kind, "header": head,
                              "payload_len": len(p), "crc_ok": ok, "sha256": __import__("hashlib").sha256(p).hexdigest()}))
    elif cmd == "headers":  # FILE -> every record's JSON (frame headers and lines), one per line
        data = open(args[0], "rb").read()
        for off, kind, h, p, ok in records(data):
            out.write(h.rstrip(b"\r") + b"\n")
    elif cmd == "offsets":  # FILE -> start offset of every frame, one per line
        for off, kind, *_ in records(open(args[0], "rb").read()):
            if kind == "frame":
                print(off)
    elif cmd == "payload":  # FILE N OUT -> payload of the N-th frame (1-based)
        n = 0
        for off, kind, h, p, ok in records(open(args[0], "rb").read()):
            if kind == "frame":
                n += 1
                if n == int(args[1]):
                    open(args[2], "wb").write(p)
                    return
        sys.exit("no frame %s" % args[1])
    elif cmd == "pixels":  # W H C META_JSON -> one pixels frame on stdout
        w, h, c = int(args[0]), int(args[1]), int(args[2])
        meta = json.loads(args[3]) if len(args) > 3 else {}
        head = {"payload": {"kind": "pixels", "width": w, "height": h, "channels": c, "dtype": "u8"}}
        head.update(meta)
        out.write(frame(head, pattern(w, h, c)))
    elif cmd == "encoded":  # FILE META_JSON -> one encoded frame on stdout
        payload = open(args[0], "rb").read()
        head = {"payload": {"kind": "encoded"}}
        head.update(json.loads(args[1]) if len(args) > 1 else {})
        out.write(frame(head, payload))
    elif cmd == "png":  # W H C OUT
        w, h, c = int(args[0]), int(args[1]), int(args[2])
        open(args[3], "wb").write(png(w, h, c, pattern(w, h, c)))
    elif cmd == "exif":  # IN_JPEG ORIENTATION OUT
        open(args[2], "wb").write(exif_jpeg(open(args[0], "rb").read(), int(args[1])))
    elif cmd == "flip":  # FILE OFFSET OUT: copy with one byte inverted
        d = bytearray(open(args[0], "rb").read())
        d[int(args[1])] ^= 0xFF
        open(args[2], "wb").write(bytes(d))
    else:
        sys.exit("unknown command " + cmd)

main()
PY
ipf() { "$PY" "$IPF" "$@"; }

# magic FILE: prints the image format of FILE from its first bytes (jpeg, png, webp, gif, other).
magic() {
  local head
  head=$(head -c 12 "$1" | od -An -tx1 | tr -d ' \n')
  case $head in
    ffd8ff*) echo jpeg ;;
    89504e470d0a1a0a*) echo png ;;
    52494646????????57454250*) echo webp ;;
    474946383?61*) echo gif ;;
    *) echo other ;;
  esac
}

# make_fixtures DIR: known-size images made without the code under test where possible:
#   rgb.png 200x120 RGB, rgba.png 90x60 RGBA, gray.png 50x80 gray (python zlib);
#   photo.jpg 300x200 (rgb pattern encoded by img-save --format jpeg),
#   exif6.jpg: photo.jpg with EXIF orientation 6 (python),
#   notes.txt (not an image), trunc.jpg (photo.jpg cut in its entropy-coded data).
make_fixtures() {
  local d=$1
  mkdir -p "$d"
  ipf png 200 120 3 "$d/rgb.png"
  ipf png 90 60 4 "$d/rgba.png"
  ipf png 50 80 1 "$d/gray.png"
  ipf pixels 300 200 3 '{"id":"photo"}' | "$BIN/img-save" -q -o "$d/_jpeg" --format jpeg --quality 90 >/dev/null
  mv "$d/_jpeg/photo.jpg" "$d/photo.jpg" 2>/dev/null
  rm -rf "$d/_jpeg"
  [[ -s $d/photo.jpg ]] || echo "make_fixtures: warning: could not make photo.jpg with img-save" >&2
  [[ -s $d/photo.jpg ]] && ipf exif "$d/photo.jpg" 6 "$d/exif6.jpg"
  [[ -s $d/photo.jpg ]] && head -c $(($(stat -c %s "$d/photo.jpg") * 2 / 3)) "$d/photo.jpg" >"$d/trunc.jpg"
  printf 'just some text, not an image\n' >"$d/notes.txt"
}

# samples DIR [N]: runs $BIN/make-samples DIR N; returns 1 (after a skip note) when it is missing.
samples() {
  if [[ ! -x $BIN/make-samples ]]; then
    return 1
  fi
  mkdir -p "$1"
  "$BIN/make-samples" "$1" "${2:-12}" >/dev/null 2>"$T/_samples.err"
}

# ---------------------------------------------------------------------------------------------
# Run directly (ctest runs every tests/golden/*.sh, this file included), lib.sh tests itself: the
# independent stream reader/writer against the spec's CRC32C and layout, and the asserts.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  assert_eq "crc32c(\"123456789\") = 0xE3069283 (the iSCSI check value)" "3808858755" \
    "$("$PY" -c "exec(open('$IPF').read().split('def main')[0]); print(crc32c(b'123456789'))")"
  ipf pixels 3 2 3 '{"id":"t","x":1}' >"$T/one.ipf"
  assert_eq "frame layout: 24 + header + payload bytes" \
    "$((24 + $(head -c 12 "$T/one.ipf" | tail -c 4 | od -An -tu4 | tr -d ' ') + 18))" "$(stat -c %s "$T/one.ipf")"
  assert_eq "frame starts with the magic and version 1" "89495046 0100 0000" \
    "$(head -c 4 "$T/one.ipf" | od -An -tx1 | tr -d ' \n') $(head -c 6 "$T/one.ipf" | tail -c 2 | od -An -tx1 | tr -d ' \n') $(head -c 8 "$T/one.ipf" | tail -c 2 | od -An -tx1 | tr -d ' \n')"
  { cat "$T/one.ipf"; printf '{"id":"line"}\n\n'; cat "$T/one.ipf"; } >"$T/mixed"
  ipf dump "$T/mixed" >"$T/mixed.dump"
  assert_jq_eq "dump reads frames and lines" "$T/mixed.dump" 'map([.kind, .payload_len, .crc_ok])' \
    '[["frame",18,true],["line",0,true],["frame",18,true]]'
  ipf flip "$T/one.ipf" 30 "$T/bad.ipf"
  ipf dump "$T/bad.ipf" >"$T/bad.dump"
  assert_jq "dump notices a flipped byte" "$T/bad.dump" '.[0].crc_ok == false'
  assert_eq "headers prints each record's JSON" '{"id":"t","x":1}' "$(ipf headers "$T/one.ipf" | jq -c 'del(.payload)')"
  ipf png 4 3 4 "$T/x.png"
  assert_eq "png fixture has the PNG magic" png "$(magic "$T/x.png")"
  # The asserts themselves must be able to fail.
  (assert_eq x 1 2 >/dev/null; assert_jq x "$T/mixed.dump" 'length == 99' >/dev/null; assert_empty x "$T/mixed" >/dev/null
   assert_cmp x "$T/one.ipf" "$T/bad.ipf" >/dev/null; assert_grep x 'nothing-like-this' "$T/mixed" >/dev/null
   echo "$FAILED") >"$T/failed" 2>/dev/null
  assert_eq "asserts report failures" 5 "$(cat "$T/failed")"
  finish
fi
