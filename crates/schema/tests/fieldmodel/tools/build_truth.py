#!/usr/bin/env python3
"""Merge a draft (draft_truth.py output) with the hand corrections into a truth JSON file.

Usage: python3 build_truth.py <stem> [<stem> ...]   (reads /tmp/fm/<stem>.draft.tsv and
tools/fixes/<stem>.fix, writes truth/<stem>.json).  Pass --all to rebuild every .fix.

Fix file format (one per form, written while looking at the rendered pages):
    @form fillable/irs-fw9-2024.pdf        path under /work/shared/corpus
    @language en
    @checked_pages 0,1                      pages looked at (0-based)
    @pages_labelled 0,1,2,3                 optional: only these pages are in the truth
    @entity payee                           optional default entity for the rows below it
    # comment
    I|label|type|entity|qualifier|part|question|row|note|options
  (or keywords after the positional columns: q=..., row=..., note=..., opts=..., qual=...,
  part=..., ent=...)
I is a draft row number or a range "a-b" (inclusive) or a comma list "1,4,9".  Every
column may be left empty: label -> the draft's guessed label (only sensible when it was
checked to be right), type -> the draft's guessed type, entity -> the current @entity,
qualifier/part/question/row/note -> null.  "-" means null explicitly.  In labels "{k}"
is replaced by the row's 1-based position inside its range (for repeated table rows) and
"@" by the draft's guessed label.  `options` is "on=Text;on2=Text2" (radio groups).
A row `I|!hidden` / `I|!button` / `I|!read-only calculated` excludes the field.
Every field of the labelled pages must be covered by some line: the build fails otherwise,
so no field is in the truth without having been looked at.
"""
import json, os, sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
TRUTH = os.path.join(TOOLS, '..', 'truth')
DRAFT = '/tmp/fm'
TYPES = set('''name given-name additional-name family-name honorific-prefix honorific-suffix organization
organization-title street-address address-line2 address-level2 address-level1 postal-code country county
tel tel-area-code tel-local tel-extension fax email bday bday-day bday-month bday-year age sex ssn ein tin
id-number bank-account routing-number date date-day date-month date-year date-signed money number yes-no
choice signature text'''.split())


def idx(spec):
    out = []
    for part in spec.split(','):
        if '-' in part:
            a, b = part.split('-')
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def build(stem):
    rows = {}
    with open(os.path.join(DRAFT, stem + '.draft.tsv')) as fh:
        head = fh.readline().rstrip('\n').split('\t')
        for line in fh:
            c = dict(zip(head, line.rstrip('\n').split('\t')))
            rows[int(c['i'])] = c
    meta = {'entity': None}
    doc = {}
    fields = {}
    excluded = []
    for raw in open(os.path.join(TOOLS, 'fixes', stem + '.fix')):
        line = raw.rstrip('\n')
        if not line.strip() or line.startswith('#'):
            continue
        if line.startswith('@'):
            k, _, v = line[1:].partition(' ')
            v = v.strip()
            if k == 'entity':
                meta['entity'] = None if v in ('', '-') else v
            elif k in ('checked_pages', 'pages_labelled'):
                doc[k] = [int(x) for x in v.split(',') if x.strip() not in ('', '-')]
            else:
                doc[k] = v
            continue
        cols = line.split('|')
        ids = idx(cols[0].strip())
        kw = {}
        pos = []
        for c in cols[1:]:
            k, eq, v = c.partition('=')
            if eq and k in ('q', 'row', 'note', 'opts', 'qual', 'part', 'ent', 'label', 'type'):
                kw[k] = v
            else:
                pos.append(c)
        cols = (pos + [''] * 10)[:9]
        for k, j in (('label', 0), ('type', 1), ('ent', 2), ('qual', 3), ('part', 4), ('q', 5), ('row', 6), ('note', 7), ('opts', 8)):
            if k in kw:
                cols[j] = kw[k]
        if cols[0].startswith('!'):
            for i in ids:
                excluded.append({'name': rows[i]['name'], 'why': cols[0][1:]})
                fields.pop(i, None)
            continue
        label, typ, ent, qual, part, q, row, note, opts = [c.strip() for c in cols]
        for k, i in enumerate(ids, 1):
            r = rows[i]
            lab = label if label else '@'
            lab = lab.replace('@', r['guess_label']).replace('{k}', str(k))
            f = {'name': r['name'],
                 'label': None if lab in ('-', '') else lab,
                 'type': typ or r['guess_type'],
                 'entity': meta['entity'] if ent == '' else (None if ent == '-' else ent),
                 'qualifier': None if qual in ('', '-') else qual,
                 'part': None if part in ('', '-') else part}
            if q and q != '-':
                f['question'] = q
            if row and row != '-':
                f['row'] = row
            if note:
                f['note'] = note
            if opts:
                f['options'] = dict(o.split('=', 1) for o in opts.split(';'))
            assert f['type'] in TYPES, (stem, i, f['type'])
            fields[i] = f
    want = set(rows)
    if 'pages_labelled' in doc:
        want = {i for i, r in rows.items() if r['page'] == '' or int(r['page']) in doc['pages_labelled']}
    done = set(fields) | {i for i, r in rows.items() if r['name'] in {e['name'] for e in excluded}}
    missing = sorted(want - done)
    if missing:
        raise SystemExit(f'{stem}: rows not covered by the fix file: {missing}')
    out = {'form': doc['form'], 'language': doc.get('language', 'en')}
    if 'pages_labelled' in doc:
        out['pages_labelled'] = doc['pages_labelled']
    out['checked_pages'] = doc.get('checked_pages', [])
    if 'note' in doc:
        out['note'] = doc['note']
    out['fields'] = [fields[i] for i in sorted(fields)]
    if excluded:
        out['excluded'] = excluded
    os.makedirs(TRUTH, exist_ok=True)
    with open(os.path.join(TRUTH, stem + '.json'), 'w') as fh:
        # one field per line: easy to diff and to review
        fh.write('{\n')
        items = list(out.items())
        for n, (k, v) in enumerate(items):
            end = ',\n' if n < len(items) - 1 else '\n'
            if k in ('fields', 'excluded'):
                fh.write(f' "{k}": [\n')
                fh.write(',\n'.join('  ' + json.dumps(x, ensure_ascii=False) for x in v))
                fh.write('\n ]' + end)
            else:
                fh.write(f' "{k}": {json.dumps(v, ensure_ascii=False)}' + end)
        fh.write('}\n')
    print(f'{stem}: {len(out["fields"])} fields, {len(excluded)} excluded')


if __name__ == '__main__':
    stems = sys.argv[1:]
    if stems == ['--all']:
        stems = sorted(f[:-4] for f in os.listdir(os.path.join(TOOLS, 'fixes')) if f.endswith('.fix'))
    for s in stems:
        build(s)
