#!/usr/bin/env python3
"""Generate crates/engine/src/font/standard_metrics.rs.

Sources (both public, both on a Debian build box):
  - URW base35 AFMs (fonts-urw-base35): widths identical to Adobe's core-14 AFMs.
  - The Adobe Glyph List (glyphlist.txt, shipped in the read-fonts crate's data dir).

Usage: tools/gen_font_metrics.py [AFM_DIR] [GLYPHLIST] > src/font/standard_metrics.rs
The output is deterministic; re-running it must produce no diff.
"""
import glob
import os
import sys

AFM_DIR = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/type1/urw-base35"
GLYPHLIST = sys.argv[2] if len(sys.argv) > 2 else sorted(
    glob.glob(os.path.expanduser("~/.cargo/registry/src/*/read-fonts-*/data/glyphlist.txt")))[-1]

# Standard-14 font -> URW clone. Obliques share their upright's widths, so they are not listed.
FONTS = [
    ("HELVETICA", "NimbusSans-Regular"),
    ("HELVETICA_BOLD", "NimbusSans-Bold"),
    ("TIMES_ROMAN", "NimbusRoman-Regular"),
    ("TIMES_BOLD", "NimbusRoman-Bold"),
    ("TIMES_ITALIC", "NimbusRoman-Italic"),
    ("TIMES_BOLD_ITALIC", "NimbusRoman-BoldItalic"),
    ("COURIER", "NimbusMonoPS-Regular"),
    ("COURIER_BOLD", "NimbusMonoPS-Bold"),
]
# The URW AFMs carry Ascender/Descender 0; these are the values of Adobe's core-14 AFMs.
ASC_DESC = {
    "HELVETICA": (718, -207), "HELVETICA_BOLD": (718, -207),
    "TIMES_ROMAN": (683, -217), "TIMES_BOLD": (683, -217),
    "TIMES_ITALIC": (683, -217), "TIMES_BOLD_ITALIC": (683, -217),
    "COURIER": (629, -157), "COURIER_BOLD": (629, -157),
}

# Adobe's standard Latin character set (the 315 glyphs of every core-14 text font) is
# StandardEncoding + WinAnsi + these Central European / Baltic / Turkish letters and symbols
# (less the combining commaaccent, which URW lacks and nobody types alone).
EXTRA_NAMES = """
Abreve Amacron Aogonek Cacute Ccaron Dcaron Dcroat Ecaron Edotaccent Emacron Eogonek Gbreve
Gcommaaccent Idotaccent Imacron Iogonek Kcommaaccent Lacute Lcaron Lcommaaccent Nacute Ncaron
Ncommaaccent Ohungarumlaut Omacron Racute Rcaron Rcommaaccent Sacute Scedilla Scommaaccent Tcaron
Tcommaaccent Uhungarumlaut Umacron Uogonek Uring Zacute Zdotaccent
abreve amacron aogonek cacute ccaron dcaron dcroat ecaron edotaccent emacron eogonek gbreve
gcommaaccent imacron iogonek kcommaaccent lacute lcaron lcommaaccent nacute ncaron
ncommaaccent ohungarumlaut omacron racute rcaron rcommaaccent sacute scedilla scommaaccent tcaron
tcommaaccent uhungarumlaut umacron uogonek uring zacute zdotaccent
Delta greaterequal lessequal lozenge notequal partialdiff radical summation minus
""".split()

# Glyph-name table kept for /Differences: Latin, Greek, Cyrillic, punctuation, common symbols.
NAME_RANGES = [(0x20, 0x17F), (0x192, 0x192), (0x218, 0x21B), (0x2C6, 0x2DD), (0x370, 0x3FF), (0x400, 0x45F), (0x490, 0x491),
               (0x2010, 0x2044), (0x20A0, 0x20CF), (0x2100, 0x2153), (0x2190, 0x2195),
               (0x2200, 0x2265), (0x25CA, 0x25CA), (0xFB00, 0xFB06)]
OVERRIDES = {"commaaccent": 0x0326}  # AGL gives a private-use code; U+0326 is what it draws.


def load_agl():
    agl = {}
    with open(GLYPHLIST, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or ";" not in line:
                continue
            name, codes = line.strip().split(";")
            codes = codes.split()
            if len(codes) == 1:
                agl[name] = int(codes[0], 16)
    agl.update(OVERRIDES)
    return agl


def name_to_uni(agl, name):
    if name in agl:
        return agl[name]
    if name.startswith("uni") and len(name) == 7:
        try:
            return int(name[3:], 16)
        except ValueError:
            return None
    return None


def load_afm(stem):
    glyphs = []  # (code, width, name)
    with open(os.path.join(AFM_DIR, stem + ".afm"), encoding="latin-1") as f:
        in_metrics = False
        for line in f:
            if line.startswith("StartCharMetrics"):
                in_metrics = True
                continue
            if line.startswith("EndCharMetrics"):
                break
            if not in_metrics:
                continue
            fields = {}
            for part in line.split(";"):
                part = part.split()
                if part:
                    fields[part[0]] = part[1:]
            glyphs.append((int(fields["C"][0]), int(float(fields["WX"][0])), fields["N"][0]))
    return glyphs


def rust_array(name, ty, values, per_line=16, doc=None):
    out = []
    if doc:
        out.append(f"/// {doc}")
    out.append(f"pub(super) static {name}: [{ty}; {len(values)}] = [")
    for i in range(0, len(values), per_line):
        out.append("    " + " ".join(f"{v}," for v in values[i:i + per_line]))
    out.append("];")
    return "\n".join(out)


def main():
    agl = load_agl()
    helv = load_afm("NimbusSans-Regular")

    standard = [0] * 256
    for code, _, name in helv:
        if 0 <= code < 256:
            standard[code] = name_to_uni(agl, name) or 0
    win_ansi = [0] * 256
    for code in range(0x20, 0x100):
        if code == 0x7F:
            continue
        try:
            win_ansi[code] = ord(bytes([code]).decode("cp1252"))
        except UnicodeDecodeError:
            pass

    latin = set(u for u in standard if u) | set(u for u in win_ansi if u)
    for n in EXTRA_NAMES:
        latin.add(agl[n])
    latin = sorted(latin)

    mac_roman = [0] * 256
    for code in range(0x20, 0x100):
        if code == 0x7F:
            continue
        u = ord(bytes([code]).decode("mac_roman"))
        if code == 0xDB:
            u = 0xA4  # PDF's MacRomanEncoding predates Apple's switch of 0xDB to the euro.
        if u in latin:
            mac_roman[code] = u

    parts = [
        "//! Generated by `crates/engine/tools/gen_font_metrics.py` from the URW base35 AFMs (same widths\n"
        "//! as Adobe's core-14 AFMs) and the Adobe Glyph List. Do not edit by hand.",
        f"pub(super) const LATIN_LEN: usize = {len(latin)};",
        rust_array("LATIN", "u16", latin, 12,
                   "Unicode values of Adobe's standard Latin set (what every core-14 text font draws), sorted."),
    ]
    for const, stem in FONTS:
        afm = load_afm(stem)
        by_uni = {}
        for _, wx, name in afm:
            u = name_to_uni(agl, name)
            if u is not None and u not in by_uni:
                by_uni[u] = wx
        # WinAnsi's no-break space and soft hyphen draw the space and hyphen glyphs.
        by_uni.setdefault(0xA0, by_uni[0x20])
        by_uni.setdefault(0xAD, by_uni[0x2D])
        missing = [hex(u) for u in latin if u not in by_uni]
        if missing:
            sys.exit(f"{stem}: no glyph for {missing}")
        parts.append(rust_array(const, "u16", [by_uni[u] for u in latin], 16,
                                f"{stem} widths (1000 units), parallel to [`LATIN`]."))
        a, d = ASC_DESC[const]
        parts.append(f"pub(super) const {const}_ASC_DESC: (i16, i16) = ({a}, {d});")

    zapf = [0] * 256
    for code, wx, _ in load_afm("D050000L"):
        if 0 <= code < 256:
            zapf[code] = wx
    parts.append(rust_array("ZAPF_DINGBATS", "u16", zapf, 16,
                            "ZapfDingbats widths by code in its built-in encoding (0 = no glyph)."))
    for const, table, what in [("STANDARD_ENCODING", standard, "StandardEncoding"),
                               ("WIN_ANSI_ENCODING", win_ansi, "WinAnsiEncoding"),
                               ("MAC_ROMAN_ENCODING", mac_roman, "MacRomanEncoding")]:
        parts.append(rust_array(const, "u16", [f"0x{u:04X}" for u in table], 12,
                                f"{what}: code -> Unicode (0 = undefined)."))

    names = sorted((n, u) for n, u in agl.items()
                   if any(lo <= u <= hi for lo, hi in NAME_RANGES))
    lines = ["/// Glyph name -> Unicode (subset of the AGL), sorted by name for binary search.",
             f"pub(super) static GLYPH_NAMES: [(&str, u16); {len(names)}] = ["]
    row = "   "
    for n, u in names:
        item = f' ("{n}", 0x{u:04X}),'
        if len(row) + len(item) > 100:
            lines.append(row)
            row = "   "
        row += item
    lines.append(row)
    lines.append("];")
    parts.append("\n".join(lines))
    print("\n\n".join(parts))
    print(f"latin={len(latin)} names={len(names)}", file=sys.stderr)


main()
