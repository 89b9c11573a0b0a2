"""Turns bench/peers.sh's JSON lines into bench/RESULTS.md (markdown on stdout).
usage: results_table.py RESULTS.jsonl CORPUS_DIR FORM.pdf...   (run with the peers' venv python)"""
import json, os, platform, subprocess, sys
from importlib import metadata

args = sys.argv[1:]
summary_only = "--summary" in args  # just the three compact tables (for README's Benchmark section)
args = [a for a in args if a != "--summary"]
raw, corpus, forms = args[0], args[1], args[2:]
rows = [json.loads(l) for l in open(raw) if l.strip().startswith("{")]

TOOLS = [  # (key in the JSON lines, label)
    ("formsmith/system", "**formsmith** (system allocator, as the CLI)"),
    ("formsmith/mimalloc", "**formsmith** (mimalloc)"),
    ("pikepdf-gen", "pikepdf + qpdf appearances (`pikepdf-gen`)"),
    ("pikepdf", "pikepdf, values only (no appearances)"),
    ("pymupdf", "PyMuPDF"),
    ("pypdf", "pypdf (no appearances regenerated)"),
    ("pypdfform", "PyPDFForm"),
    ("pdf-lib", "pdf-lib"),
    ("@cantoo/pdf-lib", "@cantoo/pdf-lib"),
    ("pdftk-java (whole process)", "pdftk-java (whole process, JVM start included)"),
]

def key(r):
    t = r.get("tool", "?")
    return f"formsmith/{r.get('allocator', 'mimalloc')}" if t == "formsmith" else t

by = {}
for r in rows:
    by[(r.get("form"), key(r), bool(r.get("flatten")))] = r

def ms(r):
    if r is None: return None
    if r.get("error") or r.get("rc") not in (None, 0, "0"): return None
    return r.get("median_ms")

def fmt_ms(r):
    v = ms(r)
    if r is None: return "–"
    if v is None: return "error" if r.get("error") else f"failed (rc {r.get('rc')})"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"

def cmd(*a):
    try: return subprocess.run(a, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception: return "?"

def ver(p):
    try: return metadata.version(p)
    except Exception: return "?"

def node_ver(pkg):
    d = os.environ.get("PEERS_DIR_USED", "")
    try: return json.load(open(os.path.join(d, "node_modules", pkg, "package.json")))["version"]
    except Exception: return "?"

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
try:
    import pikepdf; qpdf = pikepdf.__libqpdf_version__
except Exception:
    qpdf = "?"
pdftk = (cmd("pdftk", "--version").splitlines() or ["?"])[0]

def compact():
    """Tools as rows, forms as columns: ms without flatten, ms with flatten, peak RSS."""
    lines = []
    names = [os.path.basename(f) for f in forms]
    head = []
    for f, n in zip(forms, names):
        r = by.get((n, "formsmith/system", False)) or {}
        head.append(f"{n[:-4]} ({r.get('values', '?')} values, {os.path.getsize(f) // 1024} KB)")
    def table(title, cell):
        lines.append(f"**{title}**")
        lines.append("")
        lines.append("| tool | " + " | ".join(head) + " |")
        lines.append("|---|" + "---:|" * len(names))
        for k, label in TOOLS:
            if not any(by.get((n, k, fl)) for n in names for fl in (False, True)):
                continue
            lines.append(f"| {label} | " + " | ".join(cell(n, k) for n in names) + " |")
        lines.append("")
    def t(fl):
        def cell(n, k):
            r = by.get((n, k, fl))
            if r is None:
                return "crashed"
            v, b = ms(r), ms(by.get((n, "pikepdf-gen", fl)))
            if v is None:
                return fmt_ms(r)
            return fmt_ms(r) + (f" ({v / b:.2f}×)" if b and k != "pikepdf-gen" else "")
        return cell
    table("Median ms per fill + save, no flatten (× pikepdf-gen)", t(False))
    table("Median ms per fill + flatten + save (× pikepdf-gen)", t(True))
    def mem(n, k):
        a, b = by.get((n, k, False)), by.get((n, k, True))
        g = lambda r: "–" if not r or r.get("peak_rss_mb") is None else f"{r['peak_rss_mb']:.0f}"
        return "crashed" if a is None and b is None else f"{g(a)} / {g(b)}"
    table("Peak RSS MB, whole process (no flatten / flatten)", mem)
    refused = []
    for k in ("pdf-lib", "@cantoo/pdf-lib"):
        e = [f"{n[:-4]} {by[(n, k, False)]['errors_per_fill']:.0f}" for n in names
             if by.get((n, k, False)) and by[(n, k, False)].get("errors_per_fill")]
        if e:
            refused.append(f"{k}: " + ", ".join(e))
    if refused:
        lines.append("Values a peer refused in each fill, so it did less work (pdf-lib throws on text longer than MaxLen, which mkvalues.py ignores and Formsmith truncates; on the AES-encrypted uscis-i485 it set nothing): " + "; ".join(refused) + ".")
        lines.append("")
    lines.append("Memory target (3 × file + 30 MB): " + ", ".join(
        f"{n[:-4]} {3 * os.path.getsize(f) / 2**20 + 30:.1f} MB" for f, n in zip(forms, names)) + ".")
    return lines

if summary_only:
    print("\n".join(compact()))
    sys.exit(0)

out = []
p = out.append
p("# Fill benchmark results")
p("")
p(f"Machine: {os.cpu_count()} cores ({cpu}), {mem} GiB RAM, {platform.system()} {platform.release()}. "
  f"{cmd('rustc', '--version')}; pikepdf {ver('pikepdf')} (qpdf {qpdf}), PyMuPDF {ver('pymupdf')}, pypdf {ver('pypdf')}, "
  f"PyPDFForm {ver('pypdfform')}, pdf-lib {node_ver('pdf-lib')}, @cantoo/pdf-lib {node_ver('@cantoo/pdf-lib')}, {pdftk}; "
  f"node {cmd('node', '--version')}, {cmd(sys.executable, '--version')}.")
p("")
p("Every tool fills the same values (shared/peers/mkvalues.py: every field set; text \"Sample 123\" or digits up to MaxLen, "
  "check boxes on, radios their first state, choices their last option) and saves to memory. Times are the median of "
  "in-process open + fill + save after a warm-up (Formsmith: `OUR_ITERS` runs, peers: `PEER_ITERS` runs; pdftk-java is "
  "timed as a whole process). Peak RSS is the whole process's (VmHWM / ru_maxrss), Python and Node runtimes included. "
  "\"× pikepdf-gen\" is the tool's time over pikepdf's with qpdf's appearance generator, the fair peer for a filler that "
  "writes appearances. Formsmith skips read-only fields (it refuses to write them); the peers write them.")
p("")
p("Regenerate: `bash bench/peers.sh` (bench machine only; it installs the peers once).")
p("")
p("## Summary")
p("")
out.extend(compact())

summary = []
for f in forms:
    name = os.path.basename(f)
    size = os.path.getsize(f)
    budget = 3 * size / 2**20 + 30
    fs = by.get((name, "formsmith/system", False)) or {}
    nvals = fs.get("values", "?")
    try: nmk = len(json.load(open(os.path.join(os.path.dirname(raw), name[:-4] + ".values.json"))))
    except Exception: nmk = "?"
    p("")
    p(f"## {name}")
    p("")
    p(f"{fs.get('fields', '?')} fields; values: {nmk} from mkvalues.py, {nvals} written by Formsmith. "
      f"File {size / 1024:.0f} KB; memory target 3 × file + 30 MB = {budget:.1f} MB.")
    p("")
    p("| tool | fill+save ms | fill+flatten+save ms | peak RSS MB (plain / flatten) | output KB (plain / flatten) | × pikepdf-gen (plain / flatten) |")
    p("|---|---:|---:|---:|---:|---:|")
    base = {fl: ms(by.get((name, "pikepdf-gen", fl))) for fl in (False, True)}
    for k, label in TOOLS:
        a, b = by.get((name, k, False)), by.get((name, k, True))
        if a is None and b is None:
            if any(kk == k for (_, kk, _) in by):  # ran on other forms: crashed on this one
                p(f"| {label} | crashed | crashed | – | – | – |")
            continue
        def g(r, f):
            v = r.get(f) if r else None
            return "–" if v is None else (f"{v:.0f}" if isinstance(v, (int, float)) else str(v))
        def ratio(r, fl):
            v, b0 = ms(r), base[fl]
            return "–" if v is None or not b0 else f"{v / b0:.2f}×"
        p(f"| {label} | {fmt_ms(a)} | {fmt_ms(b)} | {g(a, 'peak_rss_mb')} / {g(b, 'peak_rss_mb')} | "
          f"{g(a, 'out_kb')} / {g(b, 'out_kb')} | {ratio(a, False)} / {ratio(b, True)} |")
    chk = [r.get("check", {}).get("ok") for r in (by.get((name, "formsmith/system", fl)) for fl in (False, True)) if r]
    p("")
    p(f"Formsmith output check (every filled widget has an appearance; flattened: no widget left): "
      f"{'passed' if chk and all(chk) else 'FAILED or not run'}.")
    for fl in (False, True):
        r = by.get((name, "formsmith/system", fl)) or {}
        s = by.get((name, "formsmith/mimalloc", fl)) or {}
        summary.append((name, fl, ms(r), ms(s), base[fl], r.get("peak_rss_mb"), s.get("peak_rss_mb"), budget, nvals))

p("")
p("## Targets")
p("")
p("Target: fill+save under 5 ms for a 250-field form; at most 1/5 of pikepdf-gen's time on every form; "
  "peak memory under 3 × file size + 30 MB.")
p("")
p("| form | flatten | values | formsmith ms (system / mimalloc) | pikepdf-gen ms | ratio (best) | ≤ 0.2×? | peak RSS MB (system / mimalloc) | budget MB | memory ok? |")
p("|---|---|---:|---:|---:|---:|---|---:|---:|---|")
for name, fl, m, s, b, rm, rs, budget, nv in summary:
    best = min([x for x in (m, s) if x is not None], default=None)
    ratio = f"{best / b:.2f}×" if best is not None and b else "–"
    ok = "yes" if best is not None and b and best <= 0.2 * b else "no"
    memok = "/".join("yes" if (x is not None and x < budget) else "no" for x in (rm, rs))
    p(f"| {name} | {'yes' if fl else 'no'} | {nv} | {m} / {s} | {b} | {ratio} | {ok} | {rm} / {rs} | {budget:.1f} | {memok} |")
print("\n".join(out))
