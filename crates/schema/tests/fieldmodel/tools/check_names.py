#!/usr/bin/env python3
"""Cross-check the truth set against the Formsmith CLI (`target/debug/formsmith fields --json`).

For every truth/<stem>.json: every `name` in `fields` and `excluded` must be a name the CLI
lists; every CLI field that is not a button and has a visible widget whose first visible
widget is on a labelled page must be in `fields` or `excluded`; every `options` key must be
one of the CLI's `onStates` for that field.  Prints the differences and their total.
"""
import json, glob, os, subprocess, sys
TOOLS = os.path.dirname(os.path.abspath(__file__))
T = os.path.join(TOOLS, '..', 'truth')
BIN = os.path.abspath(os.path.join(TOOLS, '../../../../..', 'target/debug/formsmith'))
CORPUS = '/work/shared/corpus'
tot = 0
for p in sorted(glob.glob(os.path.join(T, '*.json'))):
    d = json.load(open(p))
    stem = os.path.basename(p)[:-5]
    r = subprocess.run([BIN, 'fields', os.path.join(CORPUS, d['form']), '--json'], capture_output=True)
    if r.returncode:
        print(stem, 'CLI error', r.stderr.decode()[:200]); tot += 1; continue
    cli = {f['name']: f for f in json.loads(r.stdout)}
    truth = [f['name'] for f in d['fields']] + [e['name'] for e in d.get('excluded', [])]
    bad = [n for n in truth if n not in cli]
    pages = d.get('pages_labelled')
    miss = []
    for f in cli.values():
        vis = [w for w in f['widgets'] if not w.get('hidden') and w.get('page') is not None]
        if f['type'] == 'button' or not vis:
            continue
        if pages is not None and vis[0]['page'] not in pages:
            continue
        if f['name'] not in truth:
            miss.append(f['name'])
    opt = [(f['name'], k) for f in d['fields'] if f['name'] in cli for k in f.get('options', {})
           if k not in cli[f['name']]['onStates']]
    dup = len(truth) - len(set(truth))
    if bad or miss or opt or dup:
        tot += len(bad) + len(miss) + len(opt) + dup
        print(f'{stem}: not-in-cli={bad} not-in-truth={miss} bad-option-keys={opt} duplicates={dup}')
print('total mismatches', tot)
sys.exit(1 if tot else 0)
