//! Partial loading: read the cross-reference data, then parse only the objects a fill
//! touches (page tree, annotations, field tree, appearance dictionaries, form fonts).
//!
//! lopdf parses every object of a file up front; on a 1040-class form that is most of the
//! time a fill takes. Here page contents, images, font programs, structure trees and
//! everything else a fill never reads stay unparsed bytes in the original file, which an
//! incremental update keeps as they are. When anything is unusual (a broken xref, an object
//! not where the xref says), [`load`] returns `None` and the caller falls back to lopdf's
//! full, repairing loader; [`PartialSource::load_all`] completes a partial document when a
//! full rewrite (flatten) needs every object.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use lopdf::encryption::{self, EncryptionState};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

/// Deepest nesting of arrays and dictionaries parsed (hostile files nest without end).
const MAX_NESTING: usize = 64;
/// Most cross-reference sections followed through /Prev.
const MAX_XREF_SECTIONS: usize = 256;
/// Keys never followed while collecting what a fill needs: page content, resources,
/// font programs, actions, structure, metadata. The objects stay in the file untouched.
const SKIPPED_KEYS: &[&[u8]] = &[
    b"Contents",
    b"Resources",
    b"FontFile",
    b"FontFile2",
    b"FontFile3",
    b"ToUnicode",
    b"Thumb",
    b"Metadata",
    b"StructTreeRoot",
    b"Outlines",
    b"Names",
    b"Dests",
    b"OpenAction",
    // Actions: only a field's format and keystroke scripts are followed (see `collect_refs`).
    b"AA",
    b"Next",
    b"A",
    b"PieceInfo",
    b"Threads",
    b"OCProperties",
    b"XFA",
    b"P",
    b"StructParent",
    b"StructParents",
    b"ParentTree",
    b"Perms",
    b"SMask",
    b"Group",
    b"B",
    b"Popup",
    b"IRT",
    b"Info",
    b"CIDSet",
    b"CharProcs",
    b"Sig",
    b"Lock",
    b"SV",
];

/// Where each object lives.
#[derive(Debug, Clone, Copy)]
enum Entry {
    Offset { offset: usize, generation: u16 },
    InStream { container: u32, index: usize },
}

/// An object stream's decoded data and, per member, (object number, offset in the data).
type DecodedObjectStream = (Vec<u8>, Vec<(u32, usize)>);

/// What the cross-reference data says about the file.
#[derive(Debug)]
pub(crate) struct PartialSource {
    entries: BTreeMap<u32, Entry>,
    /// Decoded object streams by container number.
    object_streams: HashMap<u32, DecodedObjectStream>,
    /// The newest trailer, as written (still naming /Encrypt).
    pub trailer: Dictionary,
    /// Byte offset of the newest cross-reference section (the update's /Prev).
    pub xref_start: usize,
    /// Whether the newest section is a cross-reference stream (an update must use one too).
    pub xref_stream: bool,
    /// The decryption state and the /Encrypt object, for encrypted files.
    pub encryption: Option<(EncryptionState, ObjectId)>,
    max_decompressed: usize,
    /// Bytes inflated for the document (object and cross-reference streams), shared with
    /// the opener, which tells "over budget" apart from "not readable here".
    budget: DecodeBudget,
}

/// The document's decoded-bytes budget ([`crate::Limits::max_total_decoded_bytes`]) as
/// the partial reader spends it. Clones share the count (a loaded document keeps reading
/// objects after it is opened).
#[derive(Debug, Clone)]
pub(crate) struct DecodeBudget {
    used: Arc<AtomicU64>,
    max: u64,
}

impl DecodeBudget {
    pub fn new(max: u64) -> Self {
        Self {
            used: Arc::new(AtomicU64::new(0)),
            max,
        }
    }

    /// Counts `bytes` decoded; false once the total is over the budget.
    fn spend(&self, bytes: usize) -> bool {
        let bytes = bytes as u64;
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        before.saturating_add(bytes) <= self.max
    }

    /// Whether more was decoded than the budget allows.
    pub fn exceeded(&self) -> bool {
        self.used.load(Ordering::Relaxed) > self.max
    }

    /// The error for an exceeded budget.
    pub fn error(&self) -> crate::Error {
        crate::Error::LimitExceeded {
            limit: "max_total_decoded_bytes",
            detail: format!(
                "the document's streams inflate to more than {} bytes (possible decompression bomb)",
                self.max
            ),
        }
    }
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl<'a> Parser<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        // Offsets come from the file: never trust them to be inside it.
        Parser {
            data,
            pos: pos.min(data.len()),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn keyword(&mut self, word: &[u8]) -> bool {
        self.skip_ws();
        let end = self.pos + word.len();
        if self.data.get(self.pos..end) == Some(word)
            && self
                .data
                .get(end)
                .is_none_or(|b| is_white(*b) || is_delim(*b))
        {
            self.pos = end;
            true
        } else {
            false
        }
    }

    fn token(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if is_white(b) || is_delim(b) {
                break;
            }
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    fn unsigned(&mut self) -> Option<u64> {
        self.skip_ws();
        let t = self.token();
        if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(t).ok()?.parse().ok()
    }

    fn object(&mut self, depth: usize) -> Option<Object> {
        if depth > MAX_NESTING {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'/' => {
                self.pos += 1;
                Some(Object::Name(self.name_body()))
            }
            b'(' => self.literal_string(),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let dict = self.dict_body(depth)?;
                Some(Object::Dictionary(dict))
            }
            b'<' => self.hex_string(),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek()? {
                        b']' => {
                            self.pos += 1;
                            return Some(Object::Array(items));
                        }
                        _ => items.push(self.object(depth + 1)?),
                    }
                }
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number_or_reference(),
            _ => {
                let t = self.token();
                match t {
                    b"true" => Some(Object::Boolean(true)),
                    b"false" => Some(Object::Boolean(false)),
                    b"null" => Some(Object::Null),
                    _ => None,
                }
            }
        }
    }

    fn name_body(&mut self) -> Vec<u8> {
        let raw = self.token();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#'
                && let Some(v) = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(raw[i]);
            i += 1;
        }
        out
    }

    fn dict_body(&mut self, depth: usize) -> Option<Dictionary> {
        let mut dict = Dictionary::new();
        loop {
            self.skip_ws();
            match self.peek()? {
                b'>' if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Some(dict);
                }
                b'/' => {
                    self.pos += 1;
                    let key = self.name_body();
                    let value = self.object(depth + 1)?;
                    dict.set(key, value);
                }
                _ => return None,
            }
        }
    }

    fn literal_string(&mut self) -> Option<Object> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut nest = 1usize;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'(' => {
                    nest += 1;
                    out.push(b);
                }
                b')' => {
                    nest -= 1;
                    if nest == 0 {
                        return Some(Object::String(out, StringFormat::Literal));
                    }
                    out.push(b);
                }
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                b'\r' => {
                    // An unescaped end of line is a line feed, whatever its bytes.
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                other => out.push(other),
            }
        }
    }

    fn hex_string(&mut self) -> Option<Object> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            let v = match b {
                b'>' => break,
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                b if is_white(b) => continue,
                _ => return None,
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        Some(Object::String(out, StringFormat::Hexadecimal))
    }

    fn number_or_reference(&mut self) -> Option<Object> {
        let t = self.token();
        let s = std::str::from_utf8(t).ok()?;
        if s.contains('.') {
            // Some writers emit "1.-5" or "--3"; readers take what parses.
            return s
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Object::Real)
                .or(Some(Object::Real(0.0)));
        }
        let int: i64 = s.parse().ok()?;
        // "n g R" is a reference: look ahead without consuming on a mismatch.
        let save = self.pos;
        if int >= 0 {
            self.skip_ws();
            let gen_start = self.pos;
            let g = self.token();
            if !g.is_empty() && g.iter().all(u8::is_ascii_digit) && gen_start != self.pos {
                self.skip_ws();
                if self.peek() == Some(b'R')
                    && self
                        .data
                        .get(self.pos + 1)
                        .is_none_or(|b| is_white(*b) || is_delim(*b))
                {
                    self.pos += 1;
                    let generation: u16 = std::str::from_utf8(g).ok()?.parse().ok()?;
                    return Some(Object::Reference((u32::try_from(int).ok()?, generation)));
                }
            }
        }
        self.pos = save;
        Some(Object::Integer(int))
    }
}

impl PartialSource {
    /// Reads the cross-reference chain. `None` when it is not exactly as the file says.
    fn open(data: &[u8], max_decompressed: usize, budget: DecodeBudget) -> Option<PartialSource> {
        let tail_start = data.len().saturating_sub(2048);
        let tail = &data[tail_start..];
        let at = tail.windows(9).rposition(|w| w == b"startxref")?;
        let mut p = Parser::new(data, tail_start + at + 9);
        let xref_start = usize::try_from(p.unsigned()?).ok()?;

        let mut source = PartialSource {
            entries: BTreeMap::new(),
            object_streams: HashMap::new(),
            trailer: Dictionary::new(),
            xref_start,
            xref_stream: false,
            encryption: None,
            max_decompressed,
            budget,
        };
        let mut next = Some(xref_start);
        let mut seen = HashSet::new();
        let mut first = true;
        while let Some(offset) = next {
            if !seen.insert(offset) || seen.len() > MAX_XREF_SECTIONS {
                return None;
            }
            let (trailer, is_stream) = source.read_section(data, offset)?;
            if first {
                source.trailer = trailer.clone();
                source.xref_stream = is_stream;
                first = false;
            }
            // A hybrid file's table names a stream with the compressed entries.
            if let Ok(Object::Integer(stm)) = trailer.get(b"XRefStm") {
                let stm = usize::try_from(*stm).ok()?;
                if seen.insert(stm) {
                    source.read_section(data, stm)?;
                }
            }
            next = match trailer.get(b"Prev") {
                Ok(Object::Integer(prev)) => Some(usize::try_from(*prev).ok()?),
                _ => None,
            };
        }
        source.trailer.get(b"Root").ok()?.as_reference().ok()?;
        Some(source)
    }

    /// Reads one section (table or stream) at `offset`; older entries never override newer.
    fn read_section(&mut self, data: &[u8], offset: usize) -> Option<(Dictionary, bool)> {
        let mut p = Parser::new(data, offset);
        if p.keyword(b"xref") {
            loop {
                p.skip_ws();
                if p.keyword(b"trailer") {
                    let Object::Dictionary(trailer) = p.object(0)? else {
                        return None;
                    };
                    return Some((trailer, false));
                }
                let start = u32::try_from(p.unsigned()?).ok()?;
                let count = u32::try_from(p.unsigned()?).ok()?;
                for i in 0..count {
                    let off = p.unsigned()?;
                    let generation = p.unsigned()?;
                    p.skip_ws();
                    let kind = p.token();
                    let id = start.checked_add(i)?;
                    if kind == b"n" && off > 0 {
                        self.entries.entry(id).or_insert(Entry::Offset {
                            offset: usize::try_from(off).ok()?,
                            generation: u16::try_from(generation).ok()?,
                        });
                    } else if kind != b"f" && kind != b"n" {
                        return None;
                    } else {
                        // Free entries still shadow older revisions of the object.
                        self.entries.entry(id).or_insert(Entry::Offset {
                            offset: 0,
                            generation: u16::MAX,
                        });
                    }
                }
            }
        }
        // A cross-reference stream: "n g obj << /Type /XRef ... >> stream".
        let (_, obj) = parse_indirect(data, offset, None, self)?;
        let Object::Stream(stream) = obj else {
            return None;
        };
        if !matches!(stream.dict.get(b"Type"), Ok(Object::Name(n)) if n == b"XRef") {
            return None;
        }
        let decoded = stream
            .decompressed_content_with_limit(self.max_decompressed)
            .ok()?;
        if !self.budget.spend(decoded.len()) {
            return None;
        }
        let w: Vec<usize> = stream
            .dict
            .get(b"W")
            .ok()?
            .as_array()
            .ok()?
            .iter()
            .map(|o| o.as_i64().ok().and_then(|v| usize::try_from(v).ok()))
            .collect::<Option<_>>()?;
        if w.len() != 3 || w.iter().any(|x| *x > 8) {
            return None;
        }
        let size = stream.dict.get(b"Size").ok()?.as_i64().ok()?;
        let index: Vec<i64> = match stream.dict.get(b"Index") {
            Ok(Object::Array(a)) => a.iter().map(|o| o.as_i64().ok()).collect::<Option<_>>()?,
            _ => vec![0, size],
        };
        let row = w[0] + w[1] + w[2];
        if row == 0 {
            return None;
        }
        let field = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let mut rows = decoded.chunks_exact(row);
        for pair in index.chunks(2) {
            let [start, count] = pair else { return None };
            for i in 0..*count {
                let r = rows.next()?;
                let kind = if w[0] == 0 { 1 } else { field(&r[..w[0]]) };
                let a = field(&r[w[0]..w[0] + w[1]]);
                let b = field(&r[w[0] + w[1]..]);
                let id = u32::try_from(start + i).ok()?;
                let entry = match kind {
                    0 => Entry::Offset {
                        offset: 0,
                        generation: u16::MAX,
                    },
                    // Offset 0 cannot hold an object; some writers mark their own xref stream so.
                    1 if a == 0 => Entry::Offset {
                        offset: 0,
                        generation: u16::MAX,
                    },
                    1 => Entry::Offset {
                        offset: usize::try_from(a).ok()?,
                        generation: u16::try_from(b).unwrap_or(0),
                    },
                    2 => Entry::InStream {
                        container: u32::try_from(a).ok()?,
                        index: usize::try_from(b).ok()?,
                    },
                    _ => continue,
                };
                self.entries.entry(id).or_insert(entry);
            }
        }
        Some((stream.dict, true))
    }

    /// Parses object `id` (decrypted). `None` if it is free or not where the xref says.
    fn get(&mut self, data: &[u8], id: u32) -> Option<(u16, Object)> {
        match *self.entries.get(&id)? {
            Entry::Offset {
                generation: u16::MAX,
                ..
            } => Some((0, Object::Null)),
            Entry::Offset { offset, generation } => {
                let (found, mut obj) = parse_indirect(data, offset, Some((id, generation)), self)?;
                if found.0 != id {
                    return None;
                }
                if let Some((state, encrypt_id)) = &self.encryption
                    && found != *encrypt_id
                    && !is_xref_stream(&obj)
                {
                    // An object that does not decrypt (an unencrypted XML metadata stream, say)
                    // is kept as stored, as lopdf's loader does.
                    let _ = encryption::decrypt_object(state, found, &mut obj);
                }
                Some((found.1, obj))
            }
            Entry::InStream { container, index } => {
                if !self.object_streams.contains_key(&container) {
                    let decoded = self.decode_object_stream(data, container)?;
                    self.object_streams.insert(container, decoded);
                }
                let (content, offsets) = self.object_streams.get(&container)?;
                let &(num, off) = offsets.get(index)?;
                if num != id {
                    return None;
                }
                let mut p = Parser::new(content, off);
                Some((0, p.object(0)?))
            }
        }
    }

    fn decode_object_stream(&mut self, data: &[u8], container: u32) -> Option<DecodedObjectStream> {
        let Entry::Offset { offset, generation } = *self.entries.get(&container)? else {
            return None;
        };
        let (found, mut obj) = parse_indirect(data, offset, Some((container, generation)), self)?;
        if let Some((state, _)) = &self.encryption {
            encryption::decrypt_object(state, found, &mut obj).ok()?;
        }
        let Object::Stream(stream) = obj else {
            return None;
        };
        let content = stream
            .decompressed_content_with_limit(self.max_decompressed)
            .ok()?;
        // Decoded object streams are kept while the document is open: their total is what
        // bounds memory, not the size of each.
        if !self.budget.spend(content.len()) {
            return None;
        }
        let n = usize::try_from(stream.dict.get(b"N").ok()?.as_i64().ok()?).ok()?;
        let first = usize::try_from(stream.dict.get(b"First").ok()?.as_i64().ok()?).ok()?;
        let mut p = Parser::new(&content, 0);
        let mut offsets = Vec::with_capacity(n.min(100_000));
        for _ in 0..n {
            let num = u32::try_from(p.unsigned()?).ok()?;
            let off = usize::try_from(p.unsigned()?).ok()?;
            offsets.push((num, first.checked_add(off)?));
        }
        Some((content, offsets))
    }

    /// Whether reading stopped because the document's decoded-bytes budget ran out.
    pub fn over_budget(&self) -> Option<crate::Error> {
        self.budget.exceeded().then(|| self.budget.error())
    }

    /// Loads into `doc` every object not yet there (a full rewrite needs them all).
    pub fn load_all(&mut self, data: &[u8], doc: &mut Document) -> bool {
        let loaded: HashSet<u32> = doc.objects.keys().map(|(n, _)| *n).collect();
        let ids: Vec<u32> = self
            .entries
            .keys()
            .copied()
            .filter(|id| !loaded.contains(id))
            .collect();
        for id in ids {
            let Some((generation, obj)) = self.get(data, id) else {
                return false;
            };
            if matches!(obj, Object::Null) || is_xref_stream(&obj) || is_object_stream(&obj) {
                continue;
            }
            if self.encryption.as_ref().is_some_and(|(_, e)| e.0 == id) {
                continue;
            }
            doc.objects.insert((id, generation), obj);
        }
        true
    }
}

fn is_xref_stream(obj: &Object) -> bool {
    matches!(obj, Object::Stream(s) if matches!(s.dict.get(b"Type"), Ok(Object::Name(n)) if n == b"XRef"))
}

fn is_object_stream(obj: &Object) -> bool {
    matches!(obj, Object::Stream(s) if matches!(s.dict.get(b"Type"), Ok(Object::Name(n)) if n == b"ObjStm"))
}

/// Parses "n g obj ... endobj" at `offset`, including a stream's data. An indirect /Length
/// is resolved through `source`.
fn parse_indirect(
    data: &[u8],
    offset: usize,
    expect: Option<ObjectId>,
    source: &mut PartialSource,
) -> Option<(ObjectId, Object)> {
    let mut p = Parser::new(data, offset);
    let id = u32::try_from(p.unsigned()?).ok()?;
    let generation = u16::try_from(p.unsigned()?).ok()?;
    if let Some(e) = expect
        && e.0 != id
    {
        return None;
    }
    if !p.keyword(b"obj") {
        return None;
    }
    let obj = p.object(0)?;
    let Object::Dictionary(dict) = obj else {
        return Some(((id, generation), obj));
    };
    if !p.keyword(b"stream") {
        return Some(((id, generation), Object::Dictionary(dict)));
    }
    // The data starts after the EOL that follows "stream" (CRLF or LF; lone CR tolerated).
    match p.peek() {
        Some(b'\r') if data.get(p.pos + 1) == Some(&b'\n') => p.pos += 2,
        Some(b'\r' | b'\n') => p.pos += 1,
        _ => {}
    }
    let start = p.pos;
    let length = match dict.get(b"Length") {
        Ok(Object::Integer(n)) => usize::try_from(*n).ok(),
        Ok(Object::Reference(r)) if Some(*r) != expect => match source.entries.get(&r.0) {
            Some(Entry::Offset { offset, .. }) => {
                let mut q = Parser::new(data, *offset);
                q.unsigned();
                q.unsigned();
                if q.keyword(b"obj") {
                    q.unsigned().and_then(|v| usize::try_from(v).ok())
                } else {
                    None
                }
            }
            Some(Entry::InStream { .. }) => source
                .get(data, r.0)
                .and_then(|(_, o)| o.as_i64().ok())
                .and_then(|v| usize::try_from(v).ok()),
            None => None,
        },
        _ => None,
    };
    let end = match length
        .and_then(|l| start.checked_add(l))
        .filter(|e| *e <= data.len())
    {
        Some(e) if ends_stream(data, e) => e,
        // A wrong /Length: find "endstream" instead, as every reader does.
        _ => {
            let rel = data
                .get(start..)?
                .windows(9)
                .position(|w| w == b"endstream")?;
            let mut e = start + rel;
            while e > start && matches!(data[e - 1], b'\r' | b'\n') {
                e -= 1;
            }
            e
        }
    };
    let mut stream = Stream::new(dict, data[start..end].to_vec());
    stream.start_position = Some(start);
    Some(((id, generation), Object::Stream(stream)))
}

fn ends_stream(data: &[u8], at: usize) -> bool {
    let mut p = Parser::new(data, at);
    p.keyword(b"endstream")
}

/// What partial loading produced.
pub(crate) struct PartialLoad {
    pub doc: Document,
    pub source: PartialSource,
}

/// Loads what a fill needs. `None`: use the full loader (unusual structure, or a password
/// problem the full loader reports precisely).
pub(crate) fn load(
    data: &[u8],
    password: Option<&str>,
    max_decompressed: usize,
    max_objects: usize,
    budget: DecodeBudget,
) -> Option<PartialLoad> {
    let mut source = PartialSource::open(data, max_decompressed, budget)?;
    let mut doc = Document::new();
    doc.version = std::str::from_utf8(data.get(5..8)?).ok()?.to_owned();
    // Only the document-level keys: a cross-reference stream's dictionary doubles as the
    // trailer, and its /Prev, /W, /Index... describe the old file, not a rewrite.
    for key in [b"Root".as_slice(), b"Info", b"ID", b"Encrypt", b"Size"] {
        if let Ok(v) = source.trailer.get(key) {
            doc.trailer.set(key.to_vec(), v.clone());
        }
    }
    doc.xref_start = source.xref_start;
    let size = source
        .trailer
        .get(b"Size")
        .ok()
        .and_then(|s| s.as_i64().ok())
        .unwrap_or(0);
    let highest = source.entries.keys().next_back().copied().unwrap_or(0);
    doc.max_id = u32::try_from(size.saturating_sub(1))
        .unwrap_or(0)
        .max(highest);

    if let Ok(Object::Reference(encrypt_id)) = source.trailer.get(b"Encrypt").cloned() {
        let (generation, encrypt) = source.get(data, encrypt_id.0)?;
        doc.objects.insert((encrypt_id.0, generation), encrypt);
        let pw = password.unwrap_or("");
        doc.authenticate_password(pw).ok()?;
        let state = EncryptionState::decode(&doc, pw).ok()?;
        doc.objects.remove(&(encrypt_id.0, generation));
        source.encryption = Some((state, encrypt_id));
    }

    // Breadth-first over what a fill reads, from the catalog.
    let root = source.trailer.get(b"Root").ok()?.as_reference().ok()?;
    let mut queue = VecDeque::from([root.0]);
    let mut seen = HashSet::from([root.0]);
    while let Some(id) = queue.pop_front() {
        if doc.objects.len() >= max_objects {
            return None;
        }
        let (generation, obj) = source.get(data, id)?;
        let mut refs = Vec::new();
        collect_refs(&obj, &mut refs, 0);
        for r in refs {
            if seen.insert(r) && source.entries.contains_key(&r) {
                queue.push_back(r);
            }
        }
        doc.objects.insert((id, generation), obj);
    }
    Some(PartialLoad { doc, source })
}

/// References a fill may follow from `obj` (skipping [`SKIPPED_KEYS`]; a stream's own
/// dictionary is only followed for appearance-relevant keys).
fn collect_refs(obj: &Object, out: &mut Vec<u32>, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    match obj {
        Object::Reference(r) => out.push(r.0),
        Object::Array(items) => items.iter().for_each(|o| collect_refs(o, out, depth + 1)),
        Object::Dictionary(d) => {
            for (k, v) in d.iter() {
                if !SKIPPED_KEYS.contains(&k.as_slice()) {
                    collect_refs(v, out, depth + 1);
                } else if k.as_slice() == b"AA"
                    && let Object::Dictionary(actions) = v
                {
                    // A field's format and keystroke scripts say what it holds (the field
                    // model reads them); its other actions stay unread.
                    for trigger in [b"F".as_slice(), b"K"] {
                        if let Ok(action) = actions.get(trigger) {
                            collect_refs(action, out, depth + 1);
                        }
                    }
                }
            }
        }
        // Appearance streams and font files: their resources are never needed to fill.
        Object::Stream(_) => {}
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> Option<Object> {
        Parser::new(s, 0).object(0)
    }

    #[test]
    fn parses_the_object_syntax() {
        assert_eq!(parse(b"12 0 R"), Some(Object::Reference((12, 0))));
        assert_eq!(parse(b"12 0 obj"), Some(Object::Integer(12)));
        assert_eq!(parse(b"-3.5"), Some(Object::Real(-3.5)));
        assert_eq!(parse(b"/A#20B"), Some(Object::Name(b"A B".to_vec())));
        assert_eq!(
            parse(b"(a\\(b\\)\\101\r\nc)"),
            Some(Object::String(b"a(b)A\nc".to_vec(), StringFormat::Literal))
        );
        assert_eq!(
            parse(b"<4142 3>"),
            Some(Object::String(b"AB0".to_vec(), StringFormat::Hexadecimal))
        );
        let Some(Object::Dictionary(d)) = parse(b"<< /K [1 2 0 R true null] /S (x) >>") else {
            panic!("dict")
        };
        assert_eq!(
            d.get(b"K")
                .ok()
                .and_then(|a| a.as_array().ok())
                .map(Vec::len),
            Some(4)
        );
        assert!(parse(&[b'['; 500]).is_none(), "deep nesting is refused");
        assert!(parse(b"<< /K").is_none());
    }
}
