# Golden tests for img-fetch: the built program against a local python HTTP server (no internet):
# frames and --save output, error records and exit codes, the summary's conservation, a resume
# after SIGKILL with no duplicates and no half-written files, usage errors.
source "$(dirname "$0")/lib.sh"

FETCH=$BIN/img-fetch
F=$T/www
make_fixtures "$F"
mkdir -p "$F/slow"
for i in $(seq 1 40); do cp "$F/rgb.png" "$F/slow/$i.png"; printf '%s' "$i" >>"$F/slow/$i.png"; done

# A threaded server on an ephemeral port; /slow/* answers after 100 ms; /r/x redirects to /rgb.png.
cat >"$T/server.py" <<'PY'
import http.server, os, sys, time
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.startswith('/slow/'): time.sleep(0.1)
        if self.path == '/r/x':
            self.send_response(302); self.send_header('Location', '/rgb.png'); self.send_header('Content-Length', '0'); self.end_headers(); return
        return super().do_GET()
os.chdir(sys.argv[1])
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
open(sys.argv[2], 'w').write(str(s.server_address[1]))
s.serve_forever()
PY
start_server "$T/port" "$PY" "$T/server.py" "$F" "$T/port" || exit 2
U=http://127.0.0.1:$(cat "$T/port")

# --- frames ---------------------------------------------------------------------------------
printf '%s\n' "$U/rgb.png" "{\"url\":\"$U/rgba.png\",\"labels\":[\"x\"]}" >"$T/in1"
run -i "$T/in1" "$FETCH" --rate 0
assert_rc "two images: exit 0" 0
assert_eq "output is binary frames" "89" "$(head -c1 "$OUT" | od -An -tx1 | tr -d ' ')"
assert_conserved "two images: conservation" "$ERR"
cp "$OUT" "$T/frames.ipf"
if [[ -x $BIN/img-cat ]]; then
  run -i "$T/frames.ipf" "$BIN/img-cat" --headers
  keep headers
  assert_jq "headers carry url, status, mime, sha256, fetch; labels pass through" "$T/headers.out" \
    'length == 2 and all(.[]; .status == 200 and (.sha256 | length) == 64 and .fetch.attempts == 1)
     and (map(select(.labels == ["x"])) | length) == 1'
  assert_jq "the sha256 is the served file's" "$T/headers.out" \
    "map(select(.url == \"$U/rgb.png\"))[0].sha256 == \"$(sha256sum <"$F/rgb.png" | cut -c1-64)\""
else
  skip "img-cat checks" "img-cat is not built"
fi

# --- --save and errors ----------------------------------------------------------------------
printf '%s\n' "$U/rgb.png" "$U/notes.txt" "$U/missing.png" "$U/r/x" "gopher://x/y" >"$T/in2"
run -i "$T/in2" "$FETCH" --rate 0 --save "$T/saved" --allow-private
keep save
assert_rc "some failures: exit 1" 1
assert_conserved "save: conservation" "$T/save.err"
assert_eq "save: output is NDJSON" "{" "$(head -c1 "$T/save.out")"
assert_jq_eq "save: error codes by url" "$T/save.out" \
  'map((.url | sub(".*/"; "")) + "=" + (.error.code // "ok")) | sort' \
  '["missing.png=http-404","notes.txt=not-image","rgb.png=ok","x=ok","y=scheme"]'
assert_jq "save: path names a file with the served bytes' sha256" "$T/save.out" \
  'map(select(.path)) | length == 2 and all(.[]; .path | endswith(".png"))'
p=$(jq -r 'select(.url | endswith("/rgb.png")) | .path' "$T/save.out")
assert_cmp "save: the file is the served file" "$F/rgb.png" "$p"
assert_jq "save: redirect recorded in final_url" "$T/save.out" \
  "map(select(.url == \"$U/r/x\"))[0].final_url == \"$U/rgb.png\""
assert_grep "summary counts failures by class" 'failed \(.*http-4xx 1.*not-image 1.*scheme 1' "$T/save.err"

# --- redirects into private addresses are refused by default --------------------------------
printf '%s\n' "$U/r/x" >"$T/in3"
run -i "$T/in3" "$FETCH" --rate 0 --save "$T/s3"
assert_jq_eq "redirect to loopback is refused by default" "$OUT" '[.[].error.code]' '["private-address"]'

# --- resume after SIGKILL -------------------------------------------------------------------
for i in $(seq 1 40); do echo "$U/slow/$i.png"; done >"$T/in4"
"$FETCH" -q --rate 0 --per-host 2 --journal "$T/j" --save "$T/s4" <"$T/in4" >"$T/run1.out" 2>/dev/null &
pid=$!
sleep 0.8
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
n1=$(grep -c . "$T/run1.out" || true)
j1=$(grep -c . "$T/j" || true)
assert_true "killed run wrote part of the list ($n1 records, $j1 journal lines)" test "$n1" -gt 0 -a "$n1" -lt 40
run -i "$T/in4" "$FETCH" --rate 0 --journal "$T/j" --save "$T/s4"
keep run2
assert_rc "resumed run: exit 0" 0
assert_conserved "resumed run: conservation" "$T/run2.err"
cat "$T/run1.out" "$T/run2.out" | jq -c . >"$T/both" 2>/dev/null
assert_eq "both runs together: every URL exactly once" "40 40" \
  "$(jq -r .url "$T/both" | wc -l | tr -d ' ') $(jq -r .url "$T/both" | sort -u | wc -l | tr -d ' ')"
assert_eq "no temporary files left" "" "$(find "$T/s4" -name '*.tmp*' | head -1)"
assert_eq "40 distinct files saved" "40" "$(ls "$T/s4" | wc -l | tr -d ' ')"
assert_true "every journal line is JSON" jq -e . "$T/j" >/dev/null
# (its own output file: `>` on the last run's file would empty records the journal counts as done)
run -i "$T/in4" "$FETCH" --rate 0 --journal "$T/j" --save "$T/s4" -o "$T/run3.out"
assert_rc "third run: exit 0" 0
assert_eq "third run: nothing left to fetch" "0" "$(grep -c . "$T/run3.out")"
assert_grep "third run: all 40 in the journal" "40 already in the journal" "$ERR"

# --- usage ----------------------------------------------------------------------------------
run "$FETCH" --help
assert_rc "--help exits 0" 0
assert_grep "--help starts with an example" "^Example:" "$OUT"
run "$FETCH" --shard 3/3
assert_rc "bad --shard: exit 2" 2
run "$FETCH" --allow-private --deny-private
assert_rc "--allow-private with --deny-private: exit 2" 2
run "$FETCH" --journal /nonexistent-dir/j
assert_rc "unwritable journal: exit 2" 2
run "$FETCH" --breaker-cooldown -1
assert_rc "negative --breaker-cooldown: exit 2" 2

finish
