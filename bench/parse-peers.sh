#!/usr/bin/env bash
# Parse speed and text recall beside peers, on the corpus's vector PDFs (fillable/ and
# flat/ without image-only pages): formsmith-parse (release example parsebench),
# pymupdf4llm (markdown, in a venv under /tmp; never run in CI) and pdftotext.
# Recall: the share of pdftotext's non-whitespace characters (multiset, case folded) found
# in a tool's output; "page content" compares against pdftotext of a copy without
# annotations (field values are widget appearances, not page text).
#   bench/parse-peers.sh            # prints a markdown table
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PARSE_PEERS_VENV:-/tmp/parse-peers-venv}
if ! "$VENV/bin/python" -c "import pymupdf4llm, pymupdf" 2>/dev/null; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pymupdf4llm pymupdf
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --quiet --release -p formsmith-parse --example parsebench
BENCH="$CARGO_TARGET_DIR/release/examples/parsebench"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BENCH" --runs 3 > "$OUT/formsmith.md"
"$VENV/bin/python" - "$OUT/formsmith.md" <<'PY'
import collections, os, subprocess, sys, tempfile, time
import pymupdf, pymupdf4llm

root = os.path.join(os.getcwd(), "..", "shared", "corpus")
files = []
with open(os.path.join(root, "MANIFEST.tsv")) as f:
    next(f)
    for line in f:
        c = line.rstrip("\n").split("\t")
        if c[1] == "fillable" or (c[1] == "flat" and "image-only" not in c[9]):
            files.append(os.path.join(root, c[0]))

def counts(s):
    return collections.Counter(ch for ch in s.lower() if not ch.isspace())

def recall(ref, ours):
    r, o = counts(ref), counts(ours)
    total = sum(r.values())
    return 1.0 if total == 0 else sum(min(n, o[c]) for c, n in r.items()) / total

def pdftotext(path):
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, errors="replace").stdout

def page_content(path):
    doc = pymupdf.open(path)
    for page in doc:
        doc.xref_set_key(page.xref, "Annots", "null")
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as t:
        name = t.name
    doc.save(name)
    text = pdftotext(name)
    os.unlink(name)
    return text

rows = {"pymupdf4llm": [], "pdftotext": []}
for path in files:
    pages = pymupdf.open(path).page_count
    ref, ref_page = pdftotext(path), page_content(path)
    t = time.perf_counter()
    try:
        md = pymupdf4llm.to_markdown(path, show_progress=False)
    except Exception as e:  # a peer failing on a file counts as recall 0
        md = ""
    dt = time.perf_counter() - t
    rows["pymupdf4llm"].append((pages, dt, recall(ref, md), recall(ref_page, md)))
    t = time.perf_counter()
    txt = pdftotext(path)
    dt = time.perf_counter() - t
    rows["pdftotext"].append((pages, dt, 1.0, recall(ref_page, txt)))

# formsmith: the parsebench table (per-document lines)
ours = []
for line in open(sys.argv[1]):
    c = [x.strip() for x in line.strip().strip("|").split("|")]
    if len(c) == 6 and c[1].isdigit() and not c[0].startswith("**"):
        pages, ms, r, rp = int(c[1]), float(c[2]), float(c[4]), float(c[5])
        ours.append((pages, ms / 1000, r, rp))
rows = {"formsmith-parse": ours, **rows}

print(f"{len(files)} documents, {sum(r[0] for r in ours)} pages\n")
print("| tool | pages/s | mean recall | min recall | mean recall (page content) | min recall (page content) |")
print("|---|---:|---:|---:|---:|---:|")
for tool, rs in rows.items():
    pages = sum(r[0] for r in rs); secs = sum(r[1] for r in rs)
    rec = [r[2] for r in rs]; recp = [r[3] for r in rs]
    print(f"| {tool} | {pages / max(secs, 1e-9):.1f} | {sum(rec)/len(rec):.4f} | {min(rec):.4f} | {sum(recp)/len(recp):.4f} | {min(recp):.4f} |")
PY
