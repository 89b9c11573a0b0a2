#!/usr/bin/env bash
# Fill benchmark beside the peers: pikepdf (qpdf), PyMuPDF, pypdf, PyPDFForm, pdf-lib,
# @cantoo/pdf-lib, pdftk-java, all filling the same values (shared/peers/mkvalues.py) into the
# same forms, with and without flatten. Writes bench/RESULTS.md and bench/peers-out/*.jsonl.
#
#   bash bench/peers.sh [FORM.pdf ...]        # default: the big corpus forms (200+ fields)
#   PEER_ITERS=10 OUR_ITERS=30 bash bench/peers.sh
#   SKIP_PEERS=1 bash bench/peers.sh          # re-time Formsmith only, keep the peers' last lines
#
# Bench machine only, NEVER in CI: the first run installs the peers (PyPI, npm, Debian's
# pdftk-java and qpdf) through shared/peers/setup.sh. shared/ is read-only on the project's
# machines, so the peers are copied to $PEERS_DIR (default /tmp/formsmith-peers) when their own
# folder is not writable.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SRC=$(realpath "$ROOT/../shared/peers")
CORPUS=$(realpath "$ROOT/../shared/corpus/fillable")
PEER_ITERS=${PEER_ITERS:-10}
OUR_ITERS=${OUR_ITERS:-30}
OUT=$ROOT/bench/peers-out
mkdir -p "$OUT"

# --- the peers, in place or in a writable copy ---
# Root passes `test -w` on any folder, so go by the folder's own write bit: shared/ is laid
# without write bits and must stay as it is.
if [ -n "$(find "$SRC" -maxdepth 0 -perm -u+w)" ] && [ -w "$SRC" ]; then
  PEERS=$SRC
else
  PEERS=${PEERS_DIR:-/tmp/formsmith-peers}
  if [ ! -f "$PEERS/run.sh" ]; then
    mkdir -p "$PEERS"
    cp -r "$SRC/." "$PEERS/"
    chmod -R u+w "$PEERS"
  fi
fi
if [ ! -x "$PEERS/.venv/bin/python" ] || [ ! -d "$PEERS/node_modules/pdf-lib" ] || ! command -v pdftk >/dev/null; then
  echo "installing the peers into $PEERS (once)..." >&2
  bash "$PEERS/setup.sh"
fi
PY=$PEERS/.venv/bin/python

# --- forms ---
if [ $# -gt 0 ]; then
  FORMS=("$@")
else
  FORMS=()
  for f in irs-f1040-prefilled.pdf irs-f1040-2025-xfa.pdf gov-form-1087-xfa-hybrid.pdf or-40-p-2021.pdf \
           uscis-i485-xfa-aes128.pdf comb-fields-728.pdf; do
    FORMS+=("$CORPUS/$f")
  done
fi

# --- ours: build once ---
cargo bench -p formsmith-engine --bench fill --bench fill-sysalloc --no-run >&2

RAW=$OUT/results.jsonl
: > "$OUT/stderr.log"
SKIP_PEERS=${SKIP_PEERS:-}
if [ -n "$SKIP_PEERS" ] && [ -f "$RAW" ]; then
  grep -v '"tool": *"formsmith"' "$RAW" > "$RAW.peers" || true
  mv "$RAW.peers" "$RAW"
else
  SKIP_PEERS=""
  : > "$RAW"
fi
for form in "${FORMS[@]}"; do
  form=$(realpath "$form")
  name=$(basename "$form" .pdf)
  values=$OUT/$name.values.json
  echo "== $name" >&2
  "$PY" "$PEERS/mkvalues.py" "$form" "$values" >&2
  for mode in plain flatten; do
    fl=""; [ "$mode" = flatten ] && fl=flatten
    for bench in fill fill-sysalloc; do
      cargo bench -q -p formsmith-engine --bench "$bench" -- "$form" --values "$values" --iters "$OUR_ITERS" \
        "--$mode" --json 2>>"$OUT/stderr.log" | grep '^{' >> "$RAW" || echo "{\"tool\":\"formsmith\",\"form\":\"$name.pdf\",\"error\":true}" >> "$RAW"
    done
    [ -n "$SKIP_PEERS" ] && continue
    echo "   peers ($mode)..." >&2
    # run.sh prints one JSON line per peer (none for a Node peer that crashed); pdftk's line
    # lacks form/flatten, so add them.
    bash "$PEERS/run.sh" "$form" "$PEER_ITERS" $fl 2>>"$OUT/stderr.log" | grep '^{' \
      | "$PY" -c 'import json,sys
form, fl = sys.argv[1], sys.argv[2] == "flatten"
for line in sys.stdin:
    try: r = json.loads(line)
    except ValueError: continue
    r.setdefault("form", form); r["flatten"] = fl
    print(json.dumps(r))' "$name.pdf" "$mode" >> "$RAW"
  done
done

# --- the table ---
PEERS_DIR_USED=$PEERS "$PY" "$ROOT/bench/results_table.py" "$RAW" "$CORPUS" "${FORMS[@]}" > "$ROOT/bench/RESULTS.md"
echo "wrote bench/RESULTS.md (raw lines: bench/peers-out/results.jsonl)" >&2
