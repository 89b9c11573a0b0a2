#!/usr/bin/env python3
"""Circles between source files inside each crate: file A names something of file B (a
`crate::` / `super::` / `self::` path, or a child module declared in A) and B, directly or
through others, names A. Prints each circle and exits 1 when there is one.

    python3 tools/file_circles.py            # every crate under crates/
    python3 tools/file_circles.py --graph    # also each file's edges

A file's unit tests (`#[cfg(test)] mod tests` at its end) are left out: they may use
anything of their parent. Paths are matched to the longest module that is a file; a path to
an item of a file (`crate::text::Word`) is an edge to that file.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_files(src: Path):
    """Module path (tuple) -> file, for every .rs file under src."""
    mods = {}
    for f in src.rglob("*.rs"):
        rel = f.relative_to(src).with_suffix("")
        parts = list(rel.parts)
        if parts in (["lib"], ["main"]):
            parts = []
        elif parts[-1] == "mod":
            parts = parts[:-1]
        if parts and parts[0] == "bin":
            continue
        mods[tuple(parts)] = f
    return mods


def strip_tests(text: str) -> str:
    m = re.search(r"#\[cfg\(test\)\]\s*(#\[[^\]]*\]\s*)*(pub(\(crate\))?\s+)?mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def expand_use(body: str):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    body = body.strip()
    i = body.find("{")
    if i < 0:
        return [body.split(" as ")[0].strip()]
    prefix = body[:i]
    inner = body[i + 1 : body.rfind("}")]
    items, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    items.append(cur)
    out = []
    for item in items:
        if item.strip():
            out += [prefix + p for p in expand_use(item)]
    return out


def inline_module_spans(text: str):
    """(start, end) of each inline `mod name { ... }` block."""
    spans = []
    for m in re.finditer(r"\bmod\s+\w+\s*\{", text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            depth += text[i] == "{"
            depth -= text[i] == "}"
            if depth == 0:
                break
            i += 1
        spans.append((m.start(), i))
    return spans


def paths_in(text: str):
    """Every module path the text names; inside an inline module, its leading `super`s that
    stay in the file are dropped (`super::*` there is the file itself)."""
    spans = inline_module_spans(text)

    def in_file(path: str, at: int) -> str:
        depth = sum(a <= at <= b for a, b in spans)
        parts = path.split("::")
        while depth and parts and parts[0] == "super":
            parts, depth = parts[1:], depth - 1
        return "::".join(["self"] + parts) if len(parts) < len(path.split("::")) else path

    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        body = re.sub(r"\s+", "", m.group(1)).replace("as", " as ")
        paths += [in_file(p, m.start()) for p in expand_use(body)]
    for m in re.finditer(r"(?<!::)\b(?:crate|super|self|[a-z_][a-z0-9_]*)(?:::\w+)+", text):
        paths.append(in_file(m.group(0), m.start()))
    return paths


def resolve(path: str, here: tuple, mods: dict, depth: int = 0):
    parts = path.split("::")
    if parts[0] == "crate":
        base, rest = (), parts[1:]
    elif parts[0] in ("super", "self"):
        # A file's own module is `here`; `super` of a non-mod.rs file is its directory.
        base = here
        rest = parts
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    elif (here + (parts[0],)) in mods:
        # A path that starts with a child module's name (`use collect::Collector`).
        base, rest = here, parts
    else:
        return None
    best, used = None, 0
    for n in range(len(rest) + 1):
        candidate = base + tuple(rest[:n])
        if candidate in mods:
            best, used = candidate, n
    # An item a module only re-exports (`pub use`) belongs to the file that defines it.
    if best is not None and used < len(rest) and depth < 8:
        target = REEXPORTS.get(best, {}).get(rest[used])
        if target is not None:
            found = resolve(target, best, mods, depth + 1)
            if found is not None:
                return found
    return best


REEXPORTS = {}


def collect_reexports(mods: dict):
    """Module -> {name it re-exports: the path it names}."""
    for m, f in mods.items():
        text = strip_comments(strip_tests(f.read_text()))
        names = {}
        for use in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", text):
            for path in expand_use(re.sub(r"\s+", "", use.group(1)).replace("as", " as ")):
                name = path.split("::")[-1]
                if name not in ("*", "self"):
                    if not path.startswith(("crate::", "super::", "self::")):
                        # `pub use child::Item` in a module names its own child.
                        path = "self::" + path
                    names[name] = path
        REEXPORTS[m] = names


def circles_of(src: Path, show_graph: bool):
    mods = module_files(src)
    collect_reexports(mods)
    # A parent declaring its child modules is structure, not dependence: only references
    # (paths) are edges.
    refs = {m: set() for m in mods}
    for m, f in mods.items():
        text = strip_comments(strip_tests(f.read_text()))
        for p in paths_in(text):
            target = resolve(p, m, mods)
            if target is not None and target != m:
                refs[m].add(target)
    if show_graph:
        for m in sorted(refs):
            if refs[m]:
                print(f"  {fmt(m)} -> {', '.join(sorted(fmt(t) for t in refs[m]))}")
    return strongly_connected(refs)


def fmt(m):
    return "::".join(m) or "lib"


def strongly_connected(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main():
    show = "--graph" in sys.argv
    found = 0
    for src in sorted(ROOT.glob("crates/*/src")):
        crate = src.parent.name
        if show:
            print(crate)
        for comp in circles_of(src, show):
            found += 1
            print(f"{crate}: circle {' <-> '.join(fmt(m) for m in comp)}")
    if found:
        sys.exit(1)
    print("no circles between files")


if __name__ == "__main__":
    main()
