#!/usr/bin/env bash
# cls-eval against scikit-learn itself, run side by side on random inputs made here: single-label
# probabilities (with zeros on the true class, rows that do not sum to 1, argmax and top-k ties,
# a class never predicted, a class that never occurs) and multi-label probabilities. Every number
# must agree within 1e-12. Needs Debian's python3-sklearn (scripts/install-deps test installs it);
# without it the test reports SKIP (exit 77, which ctest shows as skipped, not passed).
set -euo pipefail
: "${BIN:?BIN must point at the built programs}"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3 || true)
if [[ -z $PY ]] || ! "$PY" -c 'import sklearn, numpy' 2>/dev/null; then
  echo "SKIP: scikit-learn is not installed for $PY (apt install python3-sklearn)"
  exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for seed in 1 2 3; do
  "$PY" - "$T" "$seed" <<'PY'
import json, random, sys
out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
names = ["c%d" % i for i in range(7)]
# Single label: class 6 never occurs as a label; class 0 is never the argmax.
with open(f"{out}/single.ndjson", "w") as f:
    for i in range(500):
        y = rng.randrange(6)
        p = [round(rng.random(), 2) for _ in names]
        p[0] = 0.0
        if i % 17 == 0: p[y] = 0.0                       # zero probability on the true class
        if i % 5 == 0: p = [v / sum(p) for v in p] if sum(p) else p  # some rows normalised
        if i % 23 == 0: p[1] = p[2] = max(p)             # ties for the argmax / top-k boundary
        f.write(json.dumps({"id": str(i), "label": names[y], "probs": dict(zip(names, p))}) + "\n")
with open(f"{out}/multi.ndjson", "w") as f:
    for i in range(400):
        labels = [n for n in names if rng.random() < 0.3]
        p = [round(rng.random(), 3) for _ in names]
        if i % 13 == 0: p[2] = 0.0
        if i % 11 == 0: p[3] = 1.0
        f.write(json.dumps({"id": str(i), "labels": labels, "probs": dict(zip(names, p))}) + "\n")
PY
  "$BIN/cls-eval" -q --json --top-k 3 "$T/single.ndjson" > "$T/single.json"
  "$BIN/cls-eval" -q --json "$T/multi.ndjson" > "$T/multi.json"
  "$PY" - "$T" "$seed" <<'PY'
import json, sys, warnings
import numpy as np
from sklearn import metrics as M
warnings.simplefilter("ignore")
out, seed = sys.argv[1], sys.argv[2]
bad = []
def close(name, got, want):
    if not abs(float(got) - float(want)) <= 1e-12:
        bad.append(f"seed {seed} {name}: cls-eval {got!r}, scikit-learn {float(want)!r}")

recs = [json.loads(l) for l in open(f"{out}/single.ndjson")]
got = json.load(open(f"{out}/single.json"))
classes = got["classes"]
C = len(classes)
y = np.array([classes.index(r["label"]) for r in recs])
P = np.array([[r["probs"][c] for c in classes] for r in recs], dtype=float)
labels = list(range(C))
close("log_loss", got["log_loss"], M.log_loss(y, P, labels=labels))
pred = P.argmax(axis=1)
close("accuracy", got["accuracy"], M.accuracy_score(y, pred))
close("top3_accuracy", got["top3_accuracy"], M.top_k_accuracy_score(y, P, k=3, labels=labels))
p, r, f, s = M.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
for k, c in enumerate(classes):
    for key, arr in (("precision", p), ("recall", r), ("f1", f), ("support", s)):
        close(f"{c}.{key}", got["per_class"][c][key], arr[k])
for avg in ("macro", "micro", "weighted"):
    p, r, f, _ = M.precision_recall_fscore_support(y, pred, labels=labels, average=avg, zero_division=0)
    for key, v in (("precision", p), ("recall", r), ("f1", f)):
        close(f"{avg}.{key}", got[avg][key], v)
cm = M.confusion_matrix(y, pred, labels=labels).tolist()
if got["confusion_matrix"] != cm: bad.append(f"seed {seed} confusion matrix differs")

recs = [json.loads(l) for l in open(f"{out}/multi.ndjson")]
got = json.load(open(f"{out}/multi.json"))
classes = got["classes"]
Y = np.array([[1 if c in r["labels"] else 0 for c in classes] for r in recs])
P = np.array([[r["probs"][c] for c in classes] for r in recs], dtype=float)
pred = (P >= got["threshold"]).astype(int)
close("subset_accuracy", got["subset_accuracy"], M.accuracy_score(Y, pred))
close("hamming_loss", got["hamming_loss"], M.hamming_loss(Y, pred))
for k, c in enumerate(classes):
    close(f"bce.{c}", got["bce_per_class"][c], M.log_loss(Y[:, k], P[:, k], labels=[0, 1]))
for avg in ("macro", "micro", "weighted", "samples"):
    p, r, f, _ = M.precision_recall_fscore_support(Y, pred, average=avg, zero_division=0)
    for key, v in (("precision", p), ("recall", r), ("f1", f)):
        close(f"multi {avg}.{key}", got[avg][key], v)
if bad:
    print("\n".join(bad[:20]))
    sys.exit(1)
print(f"seed {seed}: every number within 1e-12 of scikit-learn")
PY
done
echo "cls-eval vs scikit-learn: ok"
