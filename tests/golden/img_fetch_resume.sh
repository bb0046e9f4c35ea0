# img-fetch killed with SIGKILL at many points and resumed with the same journal: across all runs
# every input URL comes out exactly once and no temporary or partial file is left, whether the
# output is one file resumed with -o, standard output appended to with >>, or a new file per run
# (the previous one is cut back by the next run).
source "$(dirname "$0")/lib.sh"

FETCH=$BIN/img-fetch
[[ -x $BIN/img-cat ]] || { echo "$TEST_NAME: error: needs img-cat (build it with img-fetch)" >&2; exit 2; }
F=$T/www
make_fixtures "$F"
N=60
mkdir -p "$F/slow"
for i in $(seq 1 $N); do cp "$F/rgb.png" "$F/slow/$i.png"; printf '%s' "$i" >>"$F/slow/$i.png"; done

# /slow/* answers after 20 ms, so a run takes a few hundred ms and the kills land mid-run.
cat >"$T/server.py" <<'PY'
import http.server, os, sys, time
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.startswith('/slow/'): time.sleep(0.02)
        return super().do_GET()
os.chdir(sys.argv[1])
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
open(sys.argv[2], 'w').write(str(s.server_address[1]))
s.serve_forever()
PY
start_server "$T/port" "$PY" "$T/server.py" "$F" "$T/port" || exit 2
U=http://127.0.0.1:$(cat "$T/port")
for i in $(seq 1 $N); do echo "$U/slow/$i.png"; done >"$T/in"
sort "$T/in" >"$T/want"
DELAYS=(0.03 0.08 0.13 0.18 0.25 0.32 0.4 0.5)
COMMON=(-q --rate 0 --per-host 4 --backoff 0.05)

# killed_run DIR DELAY CMD...: starts CMD (stdin: the URL list), SIGKILLs it after DELAY seconds.
# Prints the number of URLs the journal held after the kill.
killed_run() {
  local dir=$1 delay=$2
  shift 2
  "$@" <"$T/in" 2>>"$dir/err" &
  local pid=$!
  sleep "$delay"
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  local n
  n=$(grep -c '"url"' "$dir/j" 2>/dev/null)
  echo "${n:-0}"
}

# check NAME DIR URLS-FILE MIDRUNS: the URLs that came out are the input, each once.
check() {
  local name=$1 dir=$2 urls=$3 mid=$4
  sort "$urls" >"$dir/got"
  assert_eq "$name: $N records, every input URL exactly once" "$N $N" \
    "$(wc -l <"$dir/got" | tr -d ' ') $(sort -u "$dir/got" | wc -l | tr -d ' ')"
  assert_true "$name: the URLs are the input's" cmp -s "$T/want" <(sort -u "$dir/got")
  assert_true "$name: some kills landed mid-run ($mid of ${#DELAYS[@]})" test "$mid" -gt 0
}

# frames_urls FILE...: the url of every frame of the files one after the other (img-cat fails on
# a partial frame).
frames_urls() {
  cat "$@" | "$BIN/img-cat" --headers >"$T/headers"
  local rc=$?
  jq -r .url "$T/headers"
  return $rc
}

# --- one output file, resumed with -o -------------------------------------------------------
D=$T/o; mkdir -p "$D"
mid=0
for d in "${DELAYS[@]}"; do
  n=$(killed_run "$D" "$d" "$FETCH" "${COMMON[@]}" --journal "$D/j" -o "$D/out.ipf")
  [[ $n -gt 0 && $n -lt $N ]] && mid=$((mid + 1))
done
"$FETCH" "${COMMON[@]}" --journal "$D/j" -o "$D/out.ipf" <"$T/in" 2>>"$D/err"
assert_eq "-o: the last run exits 0" 0 $?
frames_urls "$D/out.ipf" >"$D/urls"
assert_eq "-o: img-cat reads the whole file (no partial frame)" 0 $?
check "-o" "$D" "$D/urls" "$mid"

# --- standard output appended to (>>), with --save ------------------------------------------
D=$T/append; mkdir -p "$D"
mid=0
for d in "${DELAYS[@]}"; do
  n=$(killed_run "$D" "$d" sh -c 'exec "$0" "$@" >>"'"$D"'/out.ndjson"' "$FETCH" "${COMMON[@]}" --journal "$D/j" --save "$D/s")
  [[ $n -gt 0 && $n -lt $N ]] && mid=$((mid + 1))
done
"$FETCH" "${COMMON[@]}" --journal "$D/j" --save "$D/s" <"$T/in" >>"$D/out.ndjson" 2>>"$D/err"
assert_eq ">>: the last run exits 0" 0 $?
assert_true ">>: every output line is whole JSON" jq -e . "$D/out.ndjson" >/dev/null
jq -r .url "$D/out.ndjson" >"$D/urls"
check ">>" "$D" "$D/urls" "$mid"
assert_eq ">>: no temporary files left in the --save folder" "" "$(find "$D/s" -name '*.tmp*' | head -1)"
assert_eq ">>: $N files saved" "$N" "$(find "$D/s" -type f | wc -l | tr -d ' ')"
bad=0
for f in "$D"/s/*; do
  [[ $(sha256sum <"$f" | cut -c1-64) == "$(basename "$f" | cut -d. -f1)" ]] || bad=$((bad + 1))
done
assert_eq ">>: every saved file holds the bytes its name's sha256 says (none partial)" 0 "$bad"
assert_eq ">>: every output path exists" "$N" \
  "$(jq -r .path "$D/out.ndjson" | while read -r p; do [[ -f $p ]] && echo; done | wc -l | tr -d ' ')"

# --- a new output file per run: each run cuts the previous one back -------------------------
D=$T/separate; mkdir -p "$D"
mid=0
k=0
for d in "${DELAYS[@]}"; do
  k=$((k + 1))
  n=$(killed_run "$D" "$d" sh -c 'exec "$0" "$@" >"'"$D"'/run'$k'.ipf"' "$FETCH" "${COMMON[@]}" --journal "$D/j")
  [[ $n -gt 0 && $n -lt $N ]] && mid=$((mid + 1))
done
"$FETCH" "${COMMON[@]}" --journal "$D/j" <"$T/in" >"$D/last.ipf" 2>>"$D/err"
assert_eq "separate files: the last run exits 0" 0 $?
frames_urls "$D"/run*.ipf "$D/last.ipf" >"$D/urls"
assert_eq "separate files: img-cat reads every file (no partial frame)" 0 $?
check "separate files" "$D" "$D/urls" "$mid"

# --- the checks can fail: output written past the last commit (a kill between the output's
# flush and the journal's commit) is cut, and its URL fetched again ------------------------------
D=$T/window; mkdir -p "$D"
head -3 "$T/in" >"$D/in3"
"$FETCH" "${COMMON[@]}" --journal "$D/j" -o "$D/out.ipf" <"$D/in3" 2>/dev/null
size=$(stat -c %s "$D/out.ipf")
# Simulate the window: a 4th record flushed to the output (and a torn 5th), not yet journaled.
sed -n 4p "$T/in" | "$FETCH" "${COMMON[@]}" >>"$D/out.ipf" 2>/dev/null
printf 'IPF-torn' >>"$D/out.ipf"
head -5 "$T/in" >"$D/in5"
run -i "$D/in5" "$FETCH" --rate 0 --journal "$D/j" -o "$D/out.ipf"
assert_rc "window: resumed run exits 0" 0
assert_grep "window: the resumed run says it cut the output back" "cut .*out.ipf back from [0-9]+ to $size bytes" "$ERR"
assert_eq "window: each of the 5 URLs once" "$(head -5 "$T/in" | sort)" "$(frames_urls "$D/out.ipf" | sort)"
# And an output emptied behind the journal's back (`>` instead of `>>`) is refused, not refilled
# with only the missing records.
: >"$D/out.ipf"
run -i "$D/in5" "$FETCH" --rate 0 --journal "$D/j" -o "$D/out.ipf"
assert_rc "window: an emptied output is a stream error (exit 2)" 2
assert_grep "window: the error says what happened" "emptied or rewritten" "$ERR"

finish
