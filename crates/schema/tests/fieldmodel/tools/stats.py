#!/usr/bin/env python3
"""Print Markdown count tables of the truth set (per form, per language, per type)."""
import json, glob, os, collections
T = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'truth')
forms, langs, types = [], collections.Counter(), collections.Counter()
for p in sorted(glob.glob(os.path.join(T, '*.json'))):
    d = json.load(open(p))
    n = len(d['fields'])
    forms.append((d['form'], d['language'], n, len(d.get('excluded', [])), d.get('checked_pages', []), d.get('pages_labelled')))
    langs[d['language']] += n
    for f in d['fields']:
        types[f['type']] += 1
print('| form | lang | fields | excluded | checked pages (0-based) |')
print('|---|---|---:|---:|---|')
for f, l, n, x, c, pl in forms:
    print(f'| {f} | {l} | {n} | {x} | {",".join(map(str, c)) or "none (draft captions only)"} |')
print(f'| **total ({len(forms)} forms)** | | **{sum(x[2] for x in forms)}** | {sum(x[3] for x in forms)} | |')
print()
print('| language | fields |'); print('|---|---:|')
for l, n in langs.most_common():
    print(f'| {l} | {n} |')
print()
print('| type | fields |'); print('|---|---:|')
for t, n in types.most_common():
    print(f'| {t} | {n} |')
