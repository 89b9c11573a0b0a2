//! Chunking (spec §6.4 `chunkingStrategy`): one chunk per page, one for the document, or
//! one per section (a heading and what follows it); `maxCharacters` splits a chunk at
//! block boundaries (a longer block at whitespace), `minCharacters` merges short sections
//! into the next one.

use serde_json::{Value, json};

use crate::config::Chunking;
use crate::output::{Block, Chunk, r4};

/// OCR confidence totals: minimum, sum, count.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Conf {
    pub min: f64,
    pub sum: f64,
    pub n: usize,
}

impl Conf {
    pub fn add(&mut self, other: Conf) {
        if other.n == 0 {
            return;
        }
        self.min = if self.n == 0 { other.min } else { self.min.min(other.min) };
        self.sum += other.sum;
        self.n += other.n;
    }
    pub fn of(values: impl Iterator<Item = f32>) -> Conf {
        let mut c = Conf::default();
        for v in values {
            c.add(Conf {
                min: f64::from(v),
                sum: f64::from(v),
                n: 1,
            });
        }
        c
    }
    /// (min, average), or `None` without OCR words.
    pub fn stats(self) -> Option<(f64, f64)> {
        (self.n > 0).then(|| (self.min, self.sum / self.n as f64))
    }
}

/// One block with its page and confidences, in document order.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub page: usize,
    pub block: Block,
    /// Confidences of the block's OCR words.
    pub conf: Conf,
}

/// One page's laid-out output.
#[derive(Debug, Clone)]
pub(crate) struct PageOut {
    /// 1-based number after renumbering.
    pub number: usize,
    pub pieces: Vec<Piece>,
    /// The page's content in the target format.
    pub content: String,
    /// Confidences of every OCR word of the page (also those in no block).
    pub conf: Conf,
}

/// A chunk under construction.
struct Draft {
    start: usize,
    end: usize,
    content: String,
    blocks: Vec<Block>,
    conf: Conf,
}

impl Draft {
    fn new(page: usize) -> Draft {
        Draft {
            start: page,
            end: page,
            content: String::new(),
            blocks: Vec::new(),
            conf: Conf::default(),
        }
    }

    fn push_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if !self.content.is_empty() {
            self.content.push_str("\n\n");
        }
        self.content.push_str(text);
    }

    fn into_chunk(self, kind: &str) -> Chunk {
        let (min, avg) = match self.conf.stats() {
            Some((min, avg)) => (json!(r4(min)), json!(r4(avg))),
            None => (Value::Null, Value::Null),
        };
        Chunk {
            object: "chunk",
            kind: kind.to_string(),
            content: self.content,
            metadata: json!({
                "pageRange": {"start": self.start, "end": self.end},
                "minOcrConfidence": min,
                "avgOcrConfidence": avg,
            }),
            blocks: self.blocks,
        }
    }
}

/// Splits `text` into pieces of at most `max` characters, at whitespace when possible.
fn split_text(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0usize;
    for word in text.split_inclusive(char::is_whitespace) {
        let n = word.chars().count();
        if cur_len + n > max && cur_len > 0 {
            out.push(std::mem::take(&mut cur).trim_end().to_string());
            cur_len = 0;
        }
        if n > max {
            // A "word" longer than the limit: cut it by characters.
            let chars: Vec<char> = word.chars().collect();
            for part in chars.chunks(max.max(1)) {
                out.push(part.iter().collect());
            }
            continue;
        }
        cur.push_str(word);
        cur_len += n;
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim_end().to_string());
    }
    out
}

/// Groups pieces (in order) into drafts no longer than `max`, starting a new draft where
/// `starts` says so.
fn group(pieces: Vec<Piece>, max: Option<usize>, starts: impl Fn(&Piece) -> bool) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    for piece in pieces {
        let text_len = piece.block.content.chars().count();
        let new_needed = match drafts.last() {
            None => true,
            Some(d) => {
                (starts(&piece) && !d.content.is_empty())
                    || max.is_some_and(|m| !d.content.is_empty() && d.content.chars().count() + 2 + text_len > m)
            }
        };
        if new_needed {
            drafts.push(Draft::new(piece.page));
        }
        let Some(d) = drafts.last_mut() else { continue };
        d.end = d.end.max(piece.page);
        d.start = d.start.min(piece.page);
        d.conf.add(piece.conf);
        match max {
            Some(m) if text_len > m => {
                let page = piece.page;
                for (i, part) in split_text(&piece.block.content, m).into_iter().enumerate() {
                    if i > 0 {
                        drafts.push(Draft::new(page));
                    }
                    let Some(d) = drafts.last_mut() else { continue };
                    d.push_text(&part);
                    if i == 0 {
                        d.blocks.push(piece.block.clone());
                    }
                }
            }
            _ => {
                d.push_text(&piece.block.content);
                d.blocks.push(piece.block);
            }
        }
    }
    drafts
}

/// Builds the chunks.
pub(crate) fn chunks(
    pages: Vec<PageOut>,
    chunking: Chunking,
    spatial: bool,
    min: Option<usize>,
    max: Option<usize>,
) -> Vec<Chunk> {
    match chunking {
        Chunking::Page => {
            let mut out = Vec::new();
            for page in pages {
                let fits = max.is_none_or(|m| page.content.chars().count() <= m);
                if fits || spatial {
                    let mut d = Draft::new(page.number);
                    d.conf = page.conf;
                    if spatial && !fits {
                        // Layout text splits at lines; the blocks stay with the first part.
                        let m = max.unwrap_or(usize::MAX);
                        let mut parts = split_lines(&page.content, m).into_iter();
                        d.content = parts.next().unwrap_or_default();
                        d.blocks = page.pieces.into_iter().map(|p| p.block).collect();
                        out.push(d.into_chunk("page"));
                        for part in parts {
                            let mut e = Draft::new(page.number);
                            e.content = part;
                            out.push(e.into_chunk("page"));
                        }
                        continue;
                    }
                    d.content = page.content;
                    d.blocks = page.pieces.into_iter().map(|p| p.block).collect();
                    out.push(d.into_chunk("page"));
                } else {
                    let number = page.number;
                    let drafts = group(page.pieces, max, |_| false);
                    if drafts.is_empty() {
                        out.push(Draft::new(number).into_chunk("page"));
                    }
                    out.extend(drafts.into_iter().map(|d| d.into_chunk("page")));
                }
            }
            out
        }
        Chunking::Document => {
            let first = pages.first().map_or(1, |p| p.number);
            let last = pages.last().map_or(1, |p| p.number);
            let drafts = if spatial {
                let mut d = Draft::new(first);
                for p in &pages {
                    d.conf.add(p.conf);
                    d.push_text(&p.content);
                }
                d.end = last;
                d.blocks = pages.into_iter().flat_map(|p| p.pieces.into_iter().map(|x| x.block)).collect();
                vec![d]
            } else {
                let mut conf = Conf::default();
                for p in &pages {
                    conf.add(p.conf);
                }
                let mut drafts = group(pages.into_iter().flat_map(|p| p.pieces).collect(), max, |_| false);
                if drafts.is_empty() {
                    drafts.push(Draft::new(first));
                }
                if drafts.len() == 1
                    && let Some(d) = drafts.first_mut()
                {
                    d.start = first;
                    d.end = last;
                    d.conf = conf;
                }
                drafts
            };
            drafts.into_iter().map(|d| d.into_chunk("document")).collect()
        }
        Chunking::Section => {
            let pieces: Vec<Piece> = pages.into_iter().flat_map(|p| p.pieces).collect();
            let drafts = group(pieces, max, |p| {
                p.block.kind == "heading" || p.block.kind == "section_heading"
            });
            let drafts = merge_short(drafts, min, max);
            drafts.into_iter().map(|d| d.into_chunk("section")).collect()
        }
    }
}

fn split_lines(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if !cur.is_empty() && cur.chars().count() + 1 + line.chars().count() > max {
            out.push(std::mem::take(&mut cur));
        }
        if line.chars().count() > max {
            out.extend(split_text(line, max));
            continue;
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(line);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Merges a section shorter than `min` into the next one, unless that would pass `max`.
fn merge_short(drafts: Vec<Draft>, min: Option<usize>, max: Option<usize>) -> Vec<Draft> {
    let Some(min) = min else { return drafts };
    let mut out: Vec<Draft> = Vec::new();
    for d in drafts {
        match out.last_mut() {
            Some(prev)
                if prev.content.chars().count() < min
                    && max.is_none_or(|m| prev.content.chars().count() + 2 + d.content.chars().count() <= m) =>
            {
                prev.push_text(&d.content);
                prev.blocks.extend(d.blocks);
                prev.end = prev.end.max(d.end);
                prev.conf.add(d.conf);
            }
            _ => out.push(d),
        }
    }
    out
}
