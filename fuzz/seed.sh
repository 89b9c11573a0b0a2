#!/usr/bin/env bash
# Builds the fuzz seed corpora in fuzz/corpus/<target>/ from the PDF corpus and the repo's
# test JSON, plus the small committed seeds in fuzz/seeds/<target>/.
#   fuzz/seed.sh [CORPUS_DIR] [MAX_KB]
# CORPUS_DIR defaults to ../shared/corpus beside the repository; MAX_KB (default 300) is the
# largest PDF copied. PDFs are never committed: fuzz/corpus is ignored by git.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
src="${1:-$repo/../shared/corpus}"
max_kb="${2:-300}"
out="$here/corpus"
mkdir -p "$out"/{pdf_fill,page_text,parse_pdf,schema_validate,instructions,request_json}

# PDFs: every corpus PDF under MAX_KB, named by content hash (duplicates collapse).
if [ -d "$src" ]; then
  find "$src" -type f -name '*.pdf' -size -"${max_kb}"k -print0 |
    while IFS= read -r -d '' f; do
      h=$(sha1sum "$f" | cut -c1-16)
      for t in pdf_fill page_text parse_pdf; do cp "$f" "$out/$t/$h.pdf"; done
    done
else
  echo "seed.sh: no PDF corpus at $src; PDF targets start from fuzz/seeds only" >&2
fi

# JSON and text seeds from the repository's tests and examples.
python3 - "$repo" "$out" <<'PY'
import hashlib, json, os, sys
repo, out = sys.argv[1], sys.argv[2]
def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)
cases = json.load(open(os.path.join(repo, "crates/schema/tests/instructions/cases.json")))
for s in cases["schemas"].values():
    put("schema_validate", json.dumps(s))
for c in cases["cases"]:
    put("instructions", c["instructions"])
fw9 = open(os.path.join(repo, "fuzz/fixtures/fw9-schema.json")).read()
values = open(os.path.join(repo, "examples/fw9-values.json")).read()
put("schema_validate", fw9)
put("schema_validate", fw9 + "\0" + values)
schema = json.loads(fw9)
put("schema_validate", fw9 + "\0" + json.dumps({k: "x" * 3 for k in schema["properties"]}))
for body in ({"file": {"id": "file_1"}, "config": {"schema": schema}},
             {"file": {"id": "file_1"}, "config": {"instructions": cases["cases"][0]["instructions"]}}):
    put("request_json", json.dumps(body))
PY

# Small committed seeds (hand-made request bodies, instructions, schema + values).
for d in "$here"/seeds/*/; do
  t=$(basename "$d")
  cp "$d"* "$out/$t/"
done
for t in "$out"/*/; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
