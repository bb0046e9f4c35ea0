#!/usr/bin/env bash
# cls-eval as a program: JSON and table output, exit codes, error positions, and (when
# ../shared is there) the conformance corpus through the binary.
set -euo pipefail
: "${BIN:?BIN must point at the built programs}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: got [$1] want [$2]"; }

"$BIN/cls-eval" --help | head -1 | grep -q '^Example' || fail "--help does not start with an example"

cat > "$T/p.ndjson" <<'P'
{"id":"1","label":"a","probs":{"a":0.0,"b":0.5,"c":0.5}}

{"id":"2","label":"b","probs":{"a":0.2,"b":0.6,"c":0.2}}
{"id":"3","label":"c","probs":{"c":2,"a":1,"b":1}}
P
out=$("$BIN/cls-eval" -q --json "$T/p.ndjson")
for want in '"kind":"probs"' '"classes":["a","b","c"]' '"n_records":3' '"accuracy":0.6666666666666666' \
            '"a":{"precision":0,"recall":0,"f1":0,"support":1}' '"confusion_matrix":[[0,1,0],[0,1,0],[0,0,1]]' \
            '"log_loss_eps":2.220446049250313e-16'; do
  [[ "$out" == *"$want"* ]] || fail "json lacks $want: $out"
done
# The same from stdin, as a table.
table=$("$BIN/cls-eval" -q < "$T/p.ndjson")
[[ "$table" == *"accuracy"*"0.666667"* ]] || fail "table: $table"
[[ "$table" == *"confusion matrix"* ]] || fail "table lacks the confusion matrix"

# A bad record stops the run (exit 2) naming file:line and key; --skip-bad skips it (exit 1).
printf '%s\n' '{"label":"a","probs":{"a":0.5,"b":0.5}}' '{"label":"a","probs":{"a":0.5}}' \
  '{"label":"b","probs":{"a":0.1,"b":0.9}}' > "$T/bad.ndjson"
set +e
err=$("$BIN/cls-eval" "$T/bad.ndjson" 2>&1 >/dev/null)
rc=$?
out=$("$BIN/cls-eval" -q --json --skip-bad "$T/bad.ndjson" 2>/dev/null)
rc2=$?
"$BIN/cls-eval" < /dev/null 2>/dev/null
rc3=$?
set -e
expect_eq "$rc" 2 "bad record exit code"
[[ "$err" == *"bad.ndjson:2: \`probs\` lacks class \"b\""* ]] || fail "error message: $err"
expect_eq "$rc2" 1 "--skip-bad exit code"
[[ "$out" == *'"n_records":2'* ]] || fail "--skip-bad output: $out"
expect_eq "$rc3" 2 "no records"

# Conformance through the binary (the unit test compares every number; this checks the plumbing).
CORPUS="${SHARED:-}/corpus/cls-eval"
if [[ -n "${SHARED:-}" && -d "$CORPUS" ]]; then
  for set in "$CORPUS"/*/; do
    name=$(basename "$set")
    got=$("$BIN/cls-eval" -q --json "$set/preds.ndjson")
    for key in accuracy n_records; do
      want=$(grep -o "\"$key\": [0-9.e-]*" "$set/expected.json" | head -1 | sed 's/.*: //' || true)
      [[ -z "$want" ]] && continue
      [[ "$got" == *"\"$key\":$want"[,}]* ]] || fail "$name: $key want $want: ${got:0:300}"
    done
  done
  echo "cls-eval golden: corpus plumbing ok"
else
  echo "cls-eval golden: SKIP corpus part (${CORPUS} absent)"
fi
echo "cls-eval golden: ok"
