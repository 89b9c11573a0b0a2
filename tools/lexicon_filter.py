#!/usr/bin/env python3
"""Checks and filters the instruction resolver's form lexicon (crates/schema/src/instructions/
rules/lexicon/{de,fr,es}.tsv) before it is committed; not run by CI.

A word of another language that is also a common English word ("place", "mobile", "nation")
would change what English requests and labels mean, so an entry is dropped when the word is
at least as common in English as in its own language, by the word frequencies of the
`wordfreq` package (PyPI; `pip install wordfreq`). Entries whose English is the word itself
do nothing and go too; so do malformed lines and repeated words.

    python3 tools/lexicon_filter.py IN_DIR OUT_DIR     # IN_DIR/{de,fr,es}.tsv -> OUT_DIR
"""
import sys
import unicodedata
from pathlib import Path

from wordfreq import zipf_frequency

# An English frequency this low (Zipf scale: 3 is about once per million words) is no
# common English word whatever the other language says.
RARE_IN_ENGLISH = 3.0
# How much more common in its own language a word must be to stay when English uses it too.
MARGIN = 0.8
# Words that mean something else in another of the languages or on a name line: French
# "nombre" is a count, Spanish "nombre" a name; "último" would read as the "last" of "last name".
# English words on most forms (text.rs CORE_FORM_WORDS, which a test checks against the
# lexicon): a word one typing error away from one of them ("frist", German for deadline, and
# "first") is left to the resolver's typo correction.
CORE_FORM_WORDS = """first last middle name names date birth address street city state zip code phone number
email country county signature sign signed title employer spouse child parent mother father amount total income
social security account bank apartment suite unit floor home work mobile cell fax gender male female status
single married business company owner school court case type other place year month day age sex relationship
occupation nationality citizenship passport license vehicle make model insurance policy member contact
emergency""".split()
AMBIGUOUS = {"nom", "nombre", "nombres", "name", "ultimo", "ultima", "letzte", "letzter"}


def fold(text):
    text = text.replace("ß", "s").lower()
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def osa(a, b):
    """Optimal string alignment distance (strsim's osa_distance)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def main(src, dst):
    dst.mkdir(parents=True, exist_ok=True)
    # A word two languages read differently ("firma": company in German, signature in
    # Spanish) is dropped from both: the lexicon does not know the request's language.
    meanings = {}
    for lang in ("de", "fr", "es"):
        for line in (src / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2:
                meanings.setdefault(fold(parts[0].strip()), set()).add(" ".join(parts[1].lower().split()))
    for lang in ("de", "fr", "es"):
        kept, dropped, seen = [], [], set()
        for line in (src / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                dropped.append((line, "malformed"))
                continue
            word, english = parts[0].strip().lower(), " ".join(parts[1].lower().split())
            key = fold(word)
            if key in seen:
                dropped.append((line, "repeated"))
                continue
            seen.add(key)
            if key in AMBIGUOUS or len(meanings.get(key, ())) > 1:
                dropped.append((line, "ambiguous"))
                continue
            if " " not in key and any(osa(key, core) == 1 for core in CORE_FORM_WORDS):
                dropped.append((line, "one typo from a core form word"))
                continue
            if key == english:
                dropped.append((line, "same in English"))
                continue
            if " " not in word:
                en = zipf_frequency(word, "en")
                own = zipf_frequency(word, lang)
                if en >= RARE_IN_ENGLISH and own < en + MARGIN:
                    dropped.append((line, f"English word (en {en:.1f}, {lang} {own:.1f})"))
                    continue
            kept.append(f"{word}\t{english}")
        (dst / f"{lang}.tsv").write_text("\n".join(sorted(kept)) + "\n", encoding="utf-8")
        print(f"{lang}: kept {len(kept)}, dropped {len(dropped)}")
        for line, why in dropped:
            print(f"  - {line!r}: {why}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
