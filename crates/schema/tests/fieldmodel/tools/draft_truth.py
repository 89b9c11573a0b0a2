#!/usr/bin/env python3
"""Draft the field-model truth set for one PDF form (a starting point for hand checking).

Usage (from /work/main, with a venv that has pypdf and pillow, e.g. /tmp/lab):
    /tmp/lab/bin/python crates/schema/tests/fieldmodel/tools/draft_truth.py \
        /work/shared/corpus/fillable/irs-fw9-2024.pdf [--pages 0,1,2,3] [--out /tmp/fm] [--no-render]

What it does, independently of Formsmith's labelling code (crates/schema/src/labels.rs is
NOT used):
  1. lists the fields with the Formsmith CLI (`target/debug/formsmith fields <pdf> --json`):
     its `name` values are the truth keys; widgets give page (0-based), rect (PDF user
     space) and hidden; `flags` gives ReadOnly; `tooltip` is /TU;
  2. reads the page words with `pdftotext -bbox-layout` (top-left origin in the CropBox)
     and converts each widget rect into that space (x - crop.x0, crop.y1 - y);
  3. for each field prints/writes the words LEFT of the first visible widget (same line),
     ABOVE it (nearest phrase overlapping it horizontally), INSIDE it (IRS-style captions
     printed in the box) and BELOW it (captions printed under a line), plus the tooltip;
  4. guesses a label (tooltip when it reads like a caption, else left, else above) and a
     type from keywords -- only a guess, every row is then checked by eye;
  5. renders each page at 100 dpi with the widget rects and their row numbers drawn on
     (red = text/combo/list, blue = check box/radio, green = signature, grey = hidden)
     to <out>/<stem>_p<N>.png for checking with an image viewer.

Output: <out>/<stem>.draft.tsv (one row per field: i, page, type, name, tooltip, left,
above, inside, below, guess_label, guess_type) and the PNGs.  The hand corrections live in
tools/fixes/<stem>.fix and are merged by build_truth.py.
"""
import json, os, re, subprocess, sys, html
from xml.etree import ElementTree as ET

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(ROOT, '../../../../..'))
BIN = os.path.join(REPO, 'target/debug/formsmith')


def cli_fields(pdf):
    if not os.path.exists(BIN):
        return pypdf_fields(pdf)
    out = subprocess.run([BIN, 'fields', pdf, '--json'], capture_output=True, check=True).stdout
    fields = json.loads(out)
    for f in fields:
        # widgets on no page (orphan kids of a button, stray copies) cannot be drawn or placed
        f['widgets'] = [w for w in f['widgets'] if w.get('page') is not None]
    return fields


def pypdf_fields(pdf):
    """Stand-in used only while the CLI binary is being built (same JSON shape)."""
    from pypdf import PdfReader
    from pypdf.generic import NameObject
    r = PdfReader(pdf)
    if r.is_encrypted:
        r.decrypt('')
    pageof = {}
    for n, p in enumerate(r.pages):
        for a in p.get('/Annots') or []:
            pageof[a.idnum if hasattr(a, 'idnum') else id(a)] = n
    fields, seen = [], {}
    def inh(d, k):
        while d is not None:
            if k in d: return d[k]
            d = d.get('/Parent')
            d = d.get_object() if d is not None else None
        return None
    def kind(d):
        ft = inh(d, '/FT'); ff = int(inh(d, '/Ff') or 0)
        if ft == '/Tx': return 'text'
        if ft == '/Sig': return 'signature'
        if ft == '/Ch': return 'combo' if ff & (1 << 17) else 'list'
        if ft == '/Btn':
            if ff & (1 << 16): return 'button'
            return 'radio' if ff & (1 << 15) else 'checkbox'
        return 'text'
    def add(name, d, widgets, objnum=0):
        ws = []
        for ref, w in widgets:
            ws.append({'page': pageof.get(ref, 0), 'rect': [float(v) for v in w['/Rect']], 'hidden': bool(int(w.get('/F', 0)) & 2)})
        fields.append({'name': name, 'type': kind(d), 'tooltip': d.get('/TU'), 'flags': [], 'widgets': ws, 'onStates': [], '_obj': objnum})
    covered = set()
    def walk(ref, prefix):
        d = ref.get_object()
        t = d.get('/T')
        name = prefix + ('.' if prefix and t is not None else '') + (t or '')
        kids = d.get('/Kids') or []
        if kids and any('/T' in k.get_object() for k in kids):
            for k in kids: walk(k, name)
        else:
            ws = [(k.idnum, k.get_object()) for k in kids] or [(ref.idnum, d)]
            covered.update(x[0] for x in ws)
            add(name, d, ws, ref.idnum)
    af = r.trailer['/Root'].get('/AcroForm')
    for ref in (af.get_object().get('/Fields') or []) if af else []:
        walk(ref, '')
    for n, p in enumerate(r.pages):
        for a in p.get('/Annots') or []:
            o = a.get_object()
            if o.get('/Subtype') == '/Widget' and a.idnum not in covered:
                walk(a, '')
    # like the CLI: equal names get "#2", "#3"... by object number, the lowest keeps the name
    groups = {}
    for f in fields:
        groups.setdefault(f['name'], []).append(f)
    for name, g in groups.items():
        if len(g) > 1:
            for rank, f in enumerate(sorted(g, key=lambda f: f['_obj'])[1:], 2):
                f['name'] = f'{name}#{rank}'
    return fields


def page_boxes(pdf):
    from pypdf import PdfReader
    r = PdfReader(pdf)
    if r.is_encrypted:
        r.decrypt('')
    boxes = []
    for p in r.pages:
        mb = [float(v) for v in p.mediabox]
        cb = [float(v) for v in p.cropbox]
        boxes.append({'media': mb, 'crop': cb, 'rotate': int(p.get('/Rotate', 0) or 0)})
    return boxes


def words_by_page(pdf):
    xml = subprocess.run(['pdftotext', '-bbox-layout', pdf, '-'], capture_output=True).stdout
    xml = xml.decode('utf-8', 'replace')
    xml = re.sub(r'<!DOCTYPE[^>]*>', '', xml)
    xml = xml.replace('xmlns="http://www.w3.org/1999/xhtml"', '')
    xml = re.sub(r'[\x00-\x08\x0b\x0c\x0e-\x1f]', '', xml)
    def ent(m):
        v = m.group(1)
        n = int(v[1:], 16) if v[0] == 'x' else int(v)
        return '' if n < 32 else m.group(0)
    xml = re.sub(r'&#(x[0-9a-fA-F]+|[0-9]+);', ent, xml)
    root = ET.fromstring(xml)
    pages = []
    widths = []
    for page in root.iter('page'):
        widths.append(float(page.get('width')))
        phrases = []  # split each pdftotext line into phrases on big gaps
        for line in page.iter('line'):
            ws = [(float(w.get('xMin')), float(w.get('yMin')), float(w.get('xMax')), float(w.get('yMax')), w.text or '')
                  for w in line.iter('word')]
            cur = []
            for w in ws:
                if cur and w[0] - cur[-1][2] > 9:
                    phrases.append(cur); cur = []
                cur.append(w)
            if cur:
                phrases.append(cur)
        ph = []
        for p in phrases:
            ph.append({'x0': min(w[0] for w in p), 'y0': min(w[1] for w in p), 'x1': max(w[2] for w in p),
                       'y1': max(w[3] for w in p), 'text': ' '.join(w[4] for w in p), 'words': p})
        pages.append(ph)
    return pages, widths


def to_top_left(rect, box, which='text'):
    """PDF user space -> top-left space of pdftotext/pdftoppm.  The brief says CropBox, but
    poppler here reports and renders the MediaBox (checked on de-demo-form-pdfcpu.pdf, whose
    CropBox is inset by 10pt): use the box whose width matches pdftotext's page width."""
    x0, y0, x1, y1 = rect
    cx0, cy0, cx1, cy1 = box['media'] if which == 'render' or box.get('text_box') == 'media' else box['crop']
    return (min(x0, x1) - cx0, cy1 - max(y0, y1), max(x0, x1) - cx0, cy1 - min(y0, y1))


def context(r, phrases):
    x0, y0, x1, y1 = r
    h = y1 - y0
    left = [p for p in phrases if p['x1'] <= x0 + 3 and p['y1'] > y0 - 2 and p['y0'] < y1 + 2 and x0 - p['x1'] < 250]
    left = max(left, key=lambda p: p['x1'])['text'] if left else ''
    above = [p for p in phrases if p['y1'] <= y0 + min(3, h / 2) and p['x1'] > x0 - 8 and p['x0'] < x1 and y0 - p['y1'] < 30]
    above = min(above, key=lambda p: (y0 - p['y1']))['text'] if above else ''
    inside = []
    for p in phrases:
        for w in p['words']:
            cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
            if x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1:
                inside.append(w[4])
    below = [p for p in phrases if p['y0'] >= y1 - 2 and p['x1'] > x0 and p['x0'] < x1 and p['y0'] - y1 < 14]
    below = min(below, key=lambda p: p['y0'])['text'] if below else ''
    right = [p for p in phrases if p['x0'] >= x1 - 2 and p['y1'] > y0 - 2 and p['y0'] < y1 + 2 and p['x0'] - x1 < 60]
    right = min(right, key=lambda p: p['x0'])['text'] if right else ''
    return left, above, ' '.join(inside), below, right


JUNK = re.compile(r'^(undefined|text\d*|check ?box\d*|field\d*|untitled|\s*)$', re.I)

TYPE_RULES = [
    (r'social security|\bssn\b', 'ssn'), (r'employer identification|\bein\b', 'ein'),
    (r'date of birth|birth ?date|\bdob\b', 'bday'), (r'signature', 'signature'),
    (r'e-?mail', 'email'), (r'phone|telephone', 'tel'), (r'\bfax\b', 'fax'),
    (r'zip|postal code', 'postal-code'), (r'\bstate\b', 'address-level1'), (r'\bcity\b|town', 'address-level2'),
    (r'first name|given name', 'given-name'), (r'last name|family name|surname', 'family-name'),
    (r'middle', 'additional-name'), (r'\bcounty\b', 'county'), (r'country', 'country'),
    (r'street|address', 'street-address'), (r'apt|suite|unit', 'address-line2'), (r'\bname\b', 'name'),
    (r'\bdate\b', 'date'), (r'amount|\$|income|tax|wages|total', 'money'),
]


def guess_type(label, ftype):
    if ftype in ('checkbox', 'radio'):
        return 'choice'
    if ftype == 'signature':
        return 'signature'
    l = (label or '').lower()
    for pat, t in TYPE_RULES:
        if re.search(pat, l):
            return t
    return 'text'


def render(pdf, stem, out, pages, fields, boxes):
    from PIL import Image, ImageDraw, ImageFont
    font = ImageFont.load_default(size=11)
    dpi = 100
    s = dpi / 72
    for pg in pages:
        base = os.path.join(out, f'{stem}_r{pg}')
        subprocess.run(['pdftoppm', '-r', str(dpi), '-png', '-f', str(pg + 1), '-l', str(pg + 1), '-singlefile', pdf, base], check=True)
        im = Image.open(base + '.png').convert('RGB')
        d = ImageDraw.Draw(im)
        for i, f in enumerate(fields):
            for w in f['widgets']:
                if w['page'] != pg:
                    continue
                x0, y0, x1, y1 = to_top_left(w['rect'], boxes[pg], 'render')
                col = (160, 160, 160) if w.get('hidden') else {'checkbox': (0, 0, 255), 'radio': (0, 0, 255), 'signature': (0, 150, 0)}.get(f['type'], (230, 0, 0))
                d.rectangle([x0 * s, y0 * s, x1 * s, y1 * s], outline=col, width=1)
                d.text((x0 * s + 1, y0 * s - 1), str(i), fill=col, font=font)
        im.save(os.path.join(out, f'{stem}_p{pg}.png'))
        os.remove(base + '.png')


def main():
    args = sys.argv[1:]
    pdf = args[0]
    pages_only = None
    out = '/tmp/fm'
    if '--pages' in args:
        pages_only = [int(x) for x in args[args.index('--pages') + 1].split(',')]
    if '--out' in args:
        out = args[args.index('--out') + 1]
    os.makedirs(out, exist_ok=True)
    stem = os.path.splitext(os.path.basename(pdf))[0]
    fields = cli_fields(pdf)
    boxes = page_boxes(pdf)
    words, widths = words_by_page(pdf)
    for b, wd in zip(boxes, widths):
        mw, cw = b['media'][2] - b['media'][0], b['crop'][2] - b['crop'][0]
        b['text_box'] = 'media' if abs(wd - mw) < abs(wd - cw) else 'crop'
    def pos(f):
        vis = [w for w in f['widgets'] if not w.get('hidden')] or f['widgets']
        if not vis:
            return (10**6, 0, 0)
        w = vis[0]
        r = to_top_left(w['rect'], boxes[w['page']])
        return (w['page'], round(r[1] / 3), r[0])
    fields = sorted(fields, key=pos)  # reading order: stable whatever order the lister uses
    rows = []
    used_pages = set()
    for i, f in enumerate(fields):
        vis = [w for w in f['widgets'] if not w.get('hidden')]
        w = (vis or f['widgets'] or [None])[0]
        if w is None:
            rows.append([i, '', f['type'], f['name'], f.get('tooltip') or '', '', '', '', '', '', '']); continue
        pg = w['page']
        if pages_only is not None and pg not in pages_only:
            continue
        used_pages.add(pg)
        r = to_top_left(w['rect'], boxes[pg])
        left, above, inside, below, right = context(r, words[pg] if pg < len(words) else [])
        tip = (f.get('tooltip') or '').replace('\t', ' ').replace('\n', ' ').replace('\r', ' ')
        if f['type'] in ('checkbox', 'radio'):
            lab = right or left
        elif tip and not JUNK.match(tip) and len(tip) < 80:
            lab = tip
        else:
            lab = left or inside or above or below
        flag = ''
        if not vis:
            flag = 'HIDDEN '
        if 'ReadOnly' in f.get('flags', []):
            flag += 'RO '
        rows.append([i, pg, flag + f['type'] + ('/' + ','.join(f.get('onStates', [])) if f.get('onStates') else ''),
                     f['name'], tip[:140], left, above, inside, below + ' || R:' + right, lab, guess_type(lab + ' ' + tip, f['type'])])
    with open(os.path.join(out, stem + '.draft.tsv'), 'w') as fh:
        fh.write('\t'.join(['i', 'page', 'type', 'name', 'tooltip', 'left', 'above', 'inside', 'below', 'guess_label', 'guess_type']) + '\n')
        for r in rows:
            fh.write('\t'.join(str(c).replace('\t', ' ') for c in r) + '\n')
    if '--no-render' not in args:
        render(pdf, stem, out, sorted(used_pages), fields, boxes)
    print(f'{stem}: {len(fields)} fields, {len(rows)} rows, pages {sorted(used_pages)}; rotate={[b["rotate"] for b in boxes]}')


if __name__ == '__main__':
    main()
