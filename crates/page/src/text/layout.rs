//! Glyphs -> words -> lines, in reading order.
//!
//! Words are built in content-stream order (producers draw a word's letters one after the
//! other), broken at space glyphs, at gaps wider than a fraction of an em, and wherever the
//! baseline, direction or size changes. Lines then gather the words of one direction whose
//! baselines agree, ordered top to bottom and left to right in that direction's own frame,
//! and are cut where a gap is wide enough to separate columns.

use std::ops::Range;

use super::collect::{PageGlyphs, RawGlyph};

/// A word: glyphs on one baseline without a space or a wide gap between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The word's text, with Latin ligatures (ﬁ, ﬂ, …) spelled out.
    pub text: String,
    /// Box (x0, y0, x1, y1) in the page's default user space: from the first glyph's origin
    /// to the last one's advance, 0.2 em below to 0.8 em above the baseline (the union of
    /// the rotated glyph boxes for rotated text).
    pub rect: [f32; 4],
    /// The effective font size in user space (the em height after all transforms), in points.
    pub font_size: f32,
    /// Most glyphs come from a bold font (by name: Bold, Black, Heavy, Semibold, Demi; or
    /// /FontWeight ≥ 600) or are filled and stroked (render mode 2), or the word is drawn
    /// twice over itself.
    pub bold: bool,
}

/// A line: words of one baseline and direction, without a gap wide enough to be a column
/// break (2 em) between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The words' texts joined by single spaces.
    pub text: String,
    /// The union of the words' boxes, in user space.
    pub rect: [f32; 4],
    /// The line's words, as indices into [`PageText::words`](super::PageText::words).
    pub words: std::ops::Range<usize>,
}

/// Baselines closer than this (in em) belong to one word.
const WORD_BASELINE_EM: f32 = 0.25;
/// A glyph overlapping the previous one by more than this (in em) starts a new word, as in
/// poppler: overlaps that deep are separate drawings (CJK punctuation pairs, overprints),
/// not kerning. Diacritics drawn over their letter are the exception.
const WORD_OVERLAP_EM: f32 = 0.2;
/// Font sizes within this ratio can share a word.
const SIZE_RATIO: f32 = 1.25;
/// Directions closer than this (cosine of about 3 degrees) are the same direction.
const SAME_DIR_COS: f32 = 0.9986;
/// Baselines closer than this (in em of the smaller word) are one line.
const LINE_BASELINE_EM: f32 = 0.4;
/// A gap wider than this (in em) between two words of a line starts a new line: columns and
/// the parts of a form row ("Name ......  Date ......") are separate lines.
const LINE_GAP_EM: f32 = 2.0;
/// Two same-text words overlapping by more than this share of their width are one word
/// drawn twice (fake bold): the copy is dropped.
const DUPLICATE_OVERLAP: f32 = 0.7;

/// A word under construction, with the frame values lines need.
struct Draft {
    text: String,
    rect: [f32; 4],
    size: f32,
    bold_glyphs: usize,
    glyphs: usize,
    dir: [f32; 2],
    /// Start and end along `dir`, and the baseline's offset across it.
    start: f32,
    end: f32,
    baseline: f32,
}

impl Draft {
    fn new(g: &RawGlyph, text: &str) -> Self {
        let (along, across) = frame(g.dir, g.origin);
        Self {
            text: text.to_owned(),
            rect: g.bbox,
            size: g.size,
            bold_glyphs: usize::from(g.bold),
            glyphs: 1,
            dir: g.dir,
            start: along,
            end: along + g.advance,
            baseline: across,
        }
    }

    fn push(&mut self, g: &RawGlyph, text: &str) {
        self.text.push_str(text);
        self.rect = union(self.rect, g.bbox);
        self.size = self.size.max(g.size);
        self.bold_glyphs += usize::from(g.bold);
        self.glyphs += 1;
        let (along, _) = frame(self.dir, g.origin);
        self.end = self.end.max(along + g.advance);
    }

    fn into_word(self) -> Word {
        Word {
            text: self.text,
            rect: self.rect,
            font_size: self.size,
            bold: self.bold_glyphs * 2 > self.glyphs,
        }
    }
}

/// Coordinates of `p` along `dir` and across it (the left normal, "up" for upright text).
fn frame(dir: [f32; 2], p: [f32; 2]) -> (f32, f32) {
    (
        dir[0] * p[0] + dir[1] * p[1],
        -dir[1] * p[0] + dir[0] * p[1],
    )
}

fn union(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

fn same_dir(a: [f32; 2], b: [f32; 2]) -> bool {
    a[0] * b[0] + a[1] * b[1] >= SAME_DIR_COS
}

/// Accents that some producers draw as a glyph of their own over the letter.
fn is_diacritic(text: &str) -> bool {
    text.chars().next().is_some_and(|c| {
        matches!(c, '\u{0300}'..='\u{036F}' | '\u{02C6}'..='\u{02DD}')
            || matches!(c, '\u{00B4}' | '\u{00A8}' | '\u{00B8}' | '\u{00AF}' | '`')
    })
}

/// Whether glyph `g` (showing `text`) continues the word whose last glyph is `prev`.
fn continues(prev: &RawGlyph, g: &RawGlyph, text: &str, word_gap: f32) -> bool {
    if !same_dir(prev.dir, g.dir) {
        return false;
    }
    let ratio = prev.size.max(g.size) / prev.size.min(g.size);
    if ratio > SIZE_RATIO {
        return false;
    }
    let em = prev.size.max(g.size);
    let rel = [g.origin[0] - prev.origin[0], g.origin[1] - prev.origin[1]];
    let (along, across) = frame(prev.dir, rel);
    if across.abs() > WORD_BASELINE_EM * em {
        return false;
    }
    let gap = along - prev.advance;
    if is_diacritic(text) && along >= -0.1 * em && gap <= 0.0 {
        return true;
    }
    gap >= -WORD_OVERLAP_EM * em && gap <= word_gap * em
}

/// Builds a page's words (in reading order) and lines.
pub(crate) fn layout(page: &PageGlyphs, word_gap: f32) -> (Vec<Word>, Vec<Line>) {
    let drafts = words(page, word_gap);
    lines(drafts)
}

fn words(page: &PageGlyphs, word_gap: f32) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    let mut current: Option<(Draft, usize)> = None;
    for (i, g) in page.glyphs.iter().enumerate() {
        let text = page
            .text
            .get(g.text.start as usize..g.text.end as usize)
            .unwrap_or("");
        if g.space || text.is_empty() {
            out.extend(current.take().map(|(d, _)| d));
            continue;
        }
        match &mut current {
            Some((draft, last)) if continues(&page.glyphs[*last], g, text, word_gap) => {
                draft.push(g, text);
                *last = i;
            }
            _ => {
                out.extend(current.take().map(|(d, _)| d));
                current = Some((Draft::new(g, text), i));
            }
        }
    }
    out.extend(current.map(|(d, _)| d));
    out
}

/// Direction groups (most text first), rows top to bottom, words left to right.
fn lines(mut drafts: Vec<Draft>) -> (Vec<Word>, Vec<Line>) {
    // Directions, each with the number of glyphs drawn in it.
    let mut dirs: Vec<([f32; 2], usize)> = Vec::new();
    let mut group_of = Vec::with_capacity(drafts.len());
    for d in &drafts {
        let found = dirs.iter().position(|(dir, _)| same_dir(*dir, d.dir));
        let index = found.unwrap_or_else(|| {
            dirs.push((d.dir, 0));
            dirs.len() - 1
        });
        dirs[index].1 += d.glyphs;
        group_of.push(index);
    }
    // Re-express every word in its group's frame, so that words whose directions differ
    // by a hair still line up.
    for (d, &group) in drafts.iter_mut().zip(&group_of) {
        let dir = dirs[group].0;
        if d.dir != dir {
            let origin_along = d.start;
            let (start_x, start_y) = (
                d.dir[0] * origin_along - d.dir[1] * d.baseline,
                d.dir[1] * origin_along + d.dir[0] * d.baseline,
            );
            let (start, baseline) = frame(dir, [start_x, start_y]);
            d.end = start + (d.end - d.start);
            d.start = start;
            d.baseline = baseline;
        }
    }
    let mut order: Vec<usize> = (0..dirs.len()).collect();
    order.sort_by(|&a, &b| dirs[b].1.cmp(&dirs[a].1).then(a.cmp(&b)));
    let mut rank = vec![0usize; dirs.len()];
    for (r, &g) in order.iter().enumerate() {
        rank[g] = r;
    }

    // Sort by group, then baseline from the top (largest offset across first).
    let mut idx: Vec<usize> = (0..drafts.len()).collect();
    idx.sort_by(|&a, &b| {
        rank[group_of[a]]
            .cmp(&rank[group_of[b]])
            .then(drafts[b].baseline.total_cmp(&drafts[a].baseline))
            .then(drafts[a].start.total_cmp(&drafts[b].start))
    });

    // Rows: consecutive words of one group whose baselines are close to the row's first.
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut row_key: Option<(usize, f32, f32)> = None;
    for &i in &idx {
        let d = &drafts[i];
        let g = group_of[i];
        match (&mut row_key, rows.last_mut()) {
            // The smaller size sets the tolerance: a large heading beside small print is
            // not one line even when their baselines are a few points apart.
            (Some((rg, base, size)), Some(row))
                if *rg == g
                    && (*base - d.baseline).abs() <= LINE_BASELINE_EM * size.min(d.size) =>
            {
                row.push(i);
            }
            _ => {
                rows.push(vec![i]);
                row_key = Some((g, d.baseline, d.size));
            }
        }
    }

    let starts: Vec<f32> = drafts.iter().map(|d| d.start).collect();
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let mut words = Vec::new();
    let mut lines = Vec::new();
    for mut row in rows {
        row.sort_by(|&a, &b| starts[a].total_cmp(&starts[b]));
        let mut line_start = words.len();
        let mut prev: Option<(f32, f32, String, f32)> = None; // start, end, text, size
        for i in row {
            let Some(d) = slots.get_mut(i).and_then(Option::take) else {
                continue;
            };
            if let Some((pstart, pend, ptext, psize)) = &prev {
                let em = psize.max(d.size);
                let overlap = pend.min(d.end) - pstart.max(d.start);
                let width = (pend - pstart).min(d.end - d.start).max(f32::EPSILON);
                if *ptext == d.text && overlap / width > DUPLICATE_OVERLAP {
                    if let Some(w) = words.last_mut() {
                        let w: &mut Word = w;
                        w.bold = true;
                    }
                    continue;
                }
                if d.start - pend > LINE_GAP_EM * em {
                    push_line(&mut lines, &mut words, line_start);
                    line_start = words.len();
                }
            }
            let end = prev.as_ref().map_or(d.end, |p| p.1.max(d.end));
            prev = Some((d.start, end, d.text.clone(), d.size));
            words.push(d.into_word());
        }
        push_line(&mut lines, &mut words, line_start);
    }
    (words, lines)
}

/// Puts a line holding right-to-left letters (Hebrew, Arabic…) in logical order. Pages
/// draw such text left to right as it is seen, so the words read backwards, each spelled
/// backwards; the Unicode bidirectional algorithm (the `unicode-bidi` crate) gives each
/// word its embedding level, the visual reordering of those levels (it is its own inverse
/// on a line) gives the words' reading order, and right-to-left words are spelled forward
/// again, brackets mirrored, combining marks kept after their letter. Lines without
/// right-to-left letters are untouched.
fn to_logical(words: &mut [Word]) {
    use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};
    let count = |classes: &[BidiClass]| {
        words
            .iter()
            .flat_map(|w| w.text.chars())
            .filter(|c| classes.contains(&bidi_class(*c)))
            .count()
    };
    let rtl = count(&[BidiClass::R, BidiClass::AL]);
    if rtl == 0 {
        return;
    }
    let base = if rtl >= count(&[BidiClass::L]) {
        Level::rtl()
    } else {
        Level::ltr()
    };
    let visual = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let info = BidiInfo::new(&visual, Some(base));
    // A word's level: that of its first strong character, else of its first character.
    let mut levels = Vec::with_capacity(words.len());
    let mut at = 0;
    for w in words.iter() {
        let mut level = info.levels.get(at).copied().unwrap_or(base);
        for (i, c) in w.text.char_indices() {
            if matches!(bidi_class(c), BidiClass::L | BidiClass::R | BidiClass::AL) {
                level = info.levels.get(at + i).copied().unwrap_or(level);
                break;
            }
        }
        levels.push(level);
        at += w.text.len() + 1;
    }
    let order = BidiInfo::reorder_visual(&levels);
    let reordered: Vec<Word> = order
        .iter()
        .filter_map(|&i| {
            let mut w = words.get(i)?.clone();
            if levels.get(i).is_some_and(|l| l.is_rtl()) {
                w.text = spelled_forward(&w.text);
            }
            Some(w)
        })
        .collect();
    if reordered.len() == words.len() {
        words.clone_from_slice(&reordered);
    }
}

/// A right-to-left word read off the page left to right, spelled in reading order:
/// letters reversed with their combining marks after them, brackets mirrored.
fn spelled_forward(text: &str) -> String {
    use unicode_bidi::{BidiClass, bidi_class};
    let mut clusters: Vec<String> = Vec::new();
    for c in text.chars() {
        match clusters.last_mut() {
            Some(cluster) if bidi_class(c) == BidiClass::NSM => cluster.push(c),
            _ => clusters.push(c.to_string()),
        }
    }
    clusters
        .iter()
        .rev()
        .flat_map(|cluster| cluster.chars())
        .map(|c| match c {
            '(' => ')',
            ')' => '(',
            '[' => ']',
            ']' => '[',
            '{' => '}',
            '}' => '{',
            '<' => '>',
            '>' => '<',
            '«' => '»',
            '»' => '«',
            other => other,
        })
        .collect()
}

fn push_line(lines: &mut Vec<Line>, words: &mut [Word], start: usize) {
    if let Some(line) = words.get_mut(start..) {
        to_logical(line);
    }
    let Some(slice) = words.get(start..) else {
        return;
    };
    let Some(first) = slice.first() else {
        return;
    };
    let mut rect = first.rect;
    let mut text = String::new();
    for (k, w) in slice.iter().enumerate() {
        if k > 0 {
            text.push(' ');
        }
        text.push_str(&w.text);
        rect = union(rect, w.rect);
    }
    lines.push(Line {
        text,
        rect,
        words: Range {
            start,
            end: words.len(),
        },
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a page from (text, x, y, advance) glyphs of one size, direction `dir`.
    fn page(size: f32, dir: [f32; 2], glyphs: &[(&str, f32, f32, f32)]) -> PageGlyphs {
        let mut page = PageGlyphs::default();
        for &(text, x, y, advance) in glyphs {
            let start = page.text.len() as u32;
            page.text.push_str(text);
            let end = page.text.len() as u32;
            let (ex, ey) = (x + dir[0] * advance, y + dir[1] * advance);
            let (nx, ny) = (-dir[1] * size, dir[0] * size);
            let xs = [x - 0.2 * nx, ex - 0.2 * nx, x + 0.8 * nx, ex + 0.8 * nx];
            let ys = [y - 0.2 * ny, ey - 0.2 * ny, y + 0.8 * ny, ey + 0.8 * ny];
            page.glyphs.push(RawGlyph {
                text: start..end,
                origin: [x, y],
                dir,
                advance,
                size,
                bbox: [
                    xs.iter().copied().fold(f32::INFINITY, f32::min),
                    ys.iter().copied().fold(f32::INFINITY, f32::min),
                    xs.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                    ys.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                ],
                bold: false,
                space: text.trim().is_empty(),
            });
        }
        page
    }

    /// One line of letters from `x`, each `advance` wide, a gap of `gap` after each.
    fn run(text: &str, x: f32, y: f32, advance: f32, gap: f32) -> Vec<(&str, f32, f32, f32)> {
        let mut out = Vec::new();
        let mut at = x;
        for (i, _) in text.char_indices() {
            let end = text[i..].chars().next().map_or(i, |c| i + c.len_utf8());
            out.push((&text[i..end], at, y, advance));
            at += advance + gap;
        }
        out
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn right_to_left_lines_read_in_logical_order() {
        // "שלום 2024 (עולם)" drawn as seen: "(םלוע)", "2024", "םולש" from left to right.
        let mut glyphs = run("(םלוע)", 10.0, 100.0, 5.0, 0.0);
        glyphs.extend(run("2024", 50.0, 100.0, 5.0, 0.0));
        glyphs.extend(run("םולש", 80.0, 100.0, 5.0, 0.0));
        let (words, lines) = layout(&page(10.0, [1.0, 0.0], &glyphs), 0.3);
        assert_eq!(texts(&words), vec!["שלום", "2024", "(עולם)"]);
        assert_eq!(lines[0].text, "שלום 2024 (עולם)");
        // Left-to-right lines with a right-to-left word keep their order.
        let mut glyphs = run("Shalom", 10.0, 100.0, 5.0, 0.0);
        glyphs.extend(run("םולש", 50.0, 100.0, 5.0, 0.0));
        glyphs.extend(run("means", 80.0, 100.0, 5.0, 0.0));
        glyphs.extend(run("peace", 115.0, 100.0, 5.0, 0.0));
        let (words, _) = layout(&page(10.0, [1.0, 0.0], &glyphs), 0.3);
        assert_eq!(texts(&words), vec!["Shalom", "שלום", "means", "peace"]);
    }

    #[test]
    fn spaces_and_gaps_separate_words() {
        let p = page(10.0, [1.0, 0.0], &run("Name: John", 10.0, 100.0, 5.0, 0.0));
        let (words, lines) = layout(&p, 0.15);
        assert_eq!(texts(&words), ["Name:", "John"]);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "Name: John");
        assert_eq!(lines[0].words, 0..2);

        // 0.1 em between letters is tracking; 0.3 em without a space glyph is a word break.
        let tight = page(10.0, [1.0, 0.0], &run("abc", 10.0, 100.0, 5.0, 1.0));
        assert_eq!(texts(&layout(&tight, 0.15).0), ["abc"]);
        let mut glyphs = run("ab", 10.0, 100.0, 5.0, 0.0);
        glyphs.extend(run("cd", 23.0, 100.0, 5.0, 0.0));
        let gapped = page(10.0, [1.0, 0.0], &glyphs);
        assert_eq!(texts(&layout(&gapped, 0.15).0), ["ab", "cd"]);
    }

    #[test]
    fn deep_overlap_breaks_a_word_but_an_accent_does_not() {
        // A full-width colon pulled half an em back over the bracket before it.
        let p = page(
            10.0,
            [1.0, 0.0],
            &[
                ("(", 0.0, 100.0, 10.0),
                (")", 10.0, 100.0, 10.0),
                (":", 15.0, 100.0, 10.0),
            ],
        );
        assert_eq!(texts(&layout(&p, 0.15).0), ["()", ":"]);
        let p = page(
            10.0,
            [1.0, 0.0],
            &[
                ("e", 0.0, 100.0, 5.0),
                ("\u{301}", 1.0, 100.0, 3.0),
                ("t", 5.0, 100.0, 3.0),
            ],
        );
        assert_eq!(texts(&layout(&p, 0.15).0), ["e\u{301}t"]);
    }

    #[test]
    fn lines_read_top_to_bottom_then_left_to_right() {
        let mut glyphs = run("B", 300.0, 700.0, 5.0, 0.0); // same row as A, far right
        glyphs.extend(run("C", 10.0, 680.0, 5.0, 0.0)); // next row
        glyphs.extend(run("A", 10.0, 701.0, 5.0, 0.0)); // slightly higher baseline
        let (words, lines) = layout(&page(10.0, [1.0, 0.0], &glyphs), 0.15);
        assert_eq!(texts(&words), ["A", "B", "C"]);
        // A and B share a row but 29 em apart: two lines.
        let line_texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(line_texts, ["A", "B", "C"]);
    }

    #[test]
    fn a_word_drawn_twice_over_itself_is_kept_once_as_bold() {
        let mut glyphs = run("Total", 10.0, 100.0, 5.0, 0.0);
        glyphs.extend(run("Total", 10.3, 100.0, 5.0, 0.0));
        let (words, lines) = layout(&page(10.0, [1.0, 0.0], &glyphs), 0.15);
        assert_eq!(texts(&words), ["Total"]);
        assert!(words[0].bold);
        assert_eq!(lines[0].words, 0..1);
    }

    #[test]
    fn rotated_text_follows_its_own_direction_after_the_main_one() {
        let mut p = page(10.0, [1.0, 0.0], &run("main text", 10.0, 700.0, 5.0, 0.0));
        // Text going up the page at x = 50: reads bottom to top.
        let up = page(
            10.0,
            [0.0, 1.0],
            &[("u", 50.0, 100.0, 5.0), ("p", 50.0, 105.0, 5.0)],
        );
        let offset = p.text.len() as u32;
        p.text.push_str(&up.text);
        p.glyphs.extend(up.glyphs.into_iter().map(|mut g| {
            g.text = g.text.start + offset..g.text.end + offset;
            g
        }));
        let (words, lines) = layout(&p, 0.15);
        assert_eq!(texts(&words), ["main", "text", "up"]);
        assert_eq!(lines.len(), 2);
        // The rotated word's box spans its height along y.
        let up = &words[2];
        assert!(up.rect[3] - up.rect[1] > 9.0 && up.rect[2] - up.rect[0] < 11.0);
    }
}
