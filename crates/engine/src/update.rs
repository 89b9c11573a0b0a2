//! Writing objects after a prefix, with a cross-reference section: an incremental update
//! (the original bytes, the changed and new objects, a section of the same kind as the
//! file's newest one chained to it with /Prev), or a whole file (a header and every object).
//! Non-stream objects go into object streams when cross-reference streams are in use
//! (smaller output); everything is encrypted like the input.

use std::collections::BTreeSet;
use std::io::Write;

use lopdf::encryption::{self, EncryptionState};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, Writer, dictionary};

use crate::error::{Error, Result};
use crate::pdfutil::deflate;

/// Most objects packed into one object stream.
const OBJECTS_PER_STREAM: usize = 500;

/// (object number, generation, where): where is Ok(file offset) or Err((object stream, index)).
type XrefRow = (u32, u16, std::result::Result<usize, (u32, usize)>);

/// How the update must be written.
pub(crate) struct UpdateTarget<'a> {
    pub original: &'a [u8],
    /// Offset of the newest cross-reference section of `original` (none for a whole file).
    pub prev_xref: Option<usize>,
    pub xref_stream: bool,
    /// Encryption of the input and its /Encrypt object.
    pub encryption: Option<(&'a EncryptionState, ObjectId)>,
}

fn io(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("writing the incremental update failed: {e}"))
}

fn write_object(out: &mut Vec<u8>, id: ObjectId, obj: &Object) -> Result<()> {
    writeln!(out, "{} {} obj", id.0, id.1).map_err(io)?;
    Writer::write_object(out, obj).map_err(io)?;
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

/// Appends `dirty` objects of `doc` to `target.original`.
pub(crate) fn write(
    doc: &mut Document,
    dirty: &BTreeSet<ObjectId>,
    target: &UpdateTarget<'_>,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(target.original.len() + dirty.len() * 400 + 4096);
    out.extend_from_slice(target.original);
    if out.last() != Some(&b'\n') {
        out.push(b'\n');
    }
    let mut xref: Vec<XrefRow> = Vec::with_capacity(dirty.len() + 2);
    let mut next_id = doc.max_id.saturating_add(1);
    let mut packed: Vec<(ObjectId, Object)> = Vec::new();

    let encrypt_dict = target.encryption.map(|(_, id)| id);
    for id in dirty {
        let Some(obj) = doc.objects.remove(id) else {
            continue;
        };
        // The encryption dictionary is read before anything can be decrypted: never packed,
        // never encrypted.
        if Some(*id) == encrypt_dict {
            xref.push((id.0, id.1, Ok(out.len())));
            write_object(&mut out, *id, &obj)?;
            continue;
        }
        let packable = target.xref_stream && id.1 == 0 && !matches!(obj, Object::Stream(_));
        if packable {
            packed.push((*id, obj));
            continue;
        }
        let obj = encrypted(target, *id, obj)?;
        xref.push((id.0, id.1, Ok(out.len())));
        write_object(&mut out, *id, &obj)?;
    }

    for chunk in packed.chunks(OBJECTS_PER_STREAM) {
        let stream_id = (next_id, 0);
        next_id = next_id
            .checked_add(1)
            .ok_or_else(|| io("object numbers exhausted"))?;
        let mut header = String::new();
        let mut body = Vec::new();
        for (index, (id, obj)) in chunk.iter().enumerate() {
            header.push_str(&format!("{} {} ", id.0, body.len()));
            Writer::write_object(&mut body, obj).map_err(io)?;
            body.push(b'\n');
            xref.push((id.0, 0, Err((stream_id.0, index))));
        }
        let mut data = header.into_bytes();
        let first = data.len();
        data.extend_from_slice(&body);
        let dict = dictionary! {
            "Type" => "ObjStm", "N" => chunk.len() as i64, "First" => first as i64, "Filter" => "FlateDecode",
        };
        let stream = Object::Stream(Stream::new(dict, deflate(&data)));
        let stream = encrypted(target, stream_id, stream)?;
        xref.push((stream_id.0, 0, Ok(out.len())));
        write_object(&mut out, stream_id, &stream)?;
    }

    let mut trailer = Dictionary::new();
    for key in [b"Root".as_slice(), b"Info", b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    if let Some((_, encrypt_id)) = target.encryption {
        trailer.set("Encrypt", Object::Reference(encrypt_id));
    }
    if let Some(prev) = target.prev_xref {
        trailer.set("Prev", Object::Integer(prev as i64));
    }

    xref.sort_by_key(|e| e.0);
    let xref_offset = out.len();
    if target.xref_stream {
        let xref_id = next_id;
        let size = xref_id + 1;
        xref.push((xref_id, 0, Ok(xref_offset)));
        let mut rows = Vec::with_capacity(xref.len() * 7);
        let mut index = Vec::new();
        for (n, (id, generation, at)) in xref.iter().enumerate() {
            if n == 0 || xref[n - 1].0 + 1 != *id {
                index.push(Object::Integer(i64::from(*id)));
                index.push(Object::Integer(0));
            }
            if let Some(Object::Integer(count)) = index.last_mut() {
                *count += 1;
            }
            match at {
                Ok(off) => {
                    rows.push(1u8);
                    rows.extend_from_slice(&(*off as u32).to_be_bytes());
                    rows.extend_from_slice(&generation.to_be_bytes());
                }
                Err((stream, i)) => {
                    rows.push(2u8);
                    rows.extend_from_slice(&stream.to_be_bytes());
                    rows.extend_from_slice(&(*i as u16).to_be_bytes());
                }
            }
        }
        if u32::try_from(xref_offset).is_err() {
            return Err(io("file larger than 4 GiB"));
        }
        let mut dict = trailer;
        dict.set("Type", "XRef");
        dict.set("Size", i64::from(size));
        dict.set(
            "W",
            vec![Object::Integer(1), Object::Integer(4), Object::Integer(2)],
        );
        dict.set("Index", index);
        dict.set("Filter", "FlateDecode");
        // Cross-reference streams are never encrypted.
        write_object(
            &mut out,
            (xref_id, 0),
            &Object::Stream(Stream::new(dict, deflate(&rows))),
        )?;
    } else {
        let size = doc.max_id.max(xref.last().map_or(0, |e| e.0)) + 1;
        out.extend_from_slice(b"xref\n");
        let mut i = 0;
        while i < xref.len() {
            let mut j = i;
            while j + 1 < xref.len() && xref[j + 1].0 == xref[j].0 + 1 {
                j += 1;
            }
            writeln!(out, "{} {}", xref[i].0, j - i + 1).map_err(io)?;
            for (_, generation, at) in &xref[i..=j] {
                let off = at.map_err(|_| io("packed object in a table update"))?;
                write!(out, "{off:010} {generation:05} n\r\n").map_err(io)?;
            }
            i = j + 1;
        }
        trailer.set("Size", i64::from(size));
        out.extend_from_slice(b"trailer\n");
        Writer::write_object(&mut out, &Object::Dictionary(trailer)).map_err(io)?;
        out.push(b'\n');
    }
    write!(out, "startxref\n{xref_offset}\n%%EOF\n").map_err(io)?;
    Ok(out)
}

fn encrypted(target: &UpdateTarget<'_>, id: ObjectId, mut obj: Object) -> Result<Object> {
    if let Some((state, _)) = target.encryption {
        encryption::encrypt_object(state, id, &mut obj).map_err(io)?;
    }
    Ok(obj)
}

/// Writes `doc` as a whole new file (object streams, cross-reference stream), encrypted
/// with `encryption` when given. Unreachable objects are dropped.
pub(crate) fn write_full(
    doc: &mut Document,
    encryption: Option<&EncryptionState>,
) -> Result<Vec<u8>> {
    // The old /Encrypt dictionary is replaced by a fresh one from the same state.
    doc.trailer.remove(b"Encrypt");
    doc.prune_objects();
    let version = if doc.version.as_str() < "1.5" {
        "1.5"
    } else {
        doc.version.as_str()
    };
    let mut header = format!("%PDF-{version}\n%").into_bytes();
    header.extend_from_slice(&[0xE2, 0xE3, 0xCF, 0xD3, b'\n']);
    let mut encrypt = None;
    if let Some(state) = encryption {
        let dict = state.encode().map_err(io)?;
        doc.max_id = doc
            .max_id
            .checked_add(1)
            .ok_or_else(|| io("object numbers exhausted"))?;
        let id = (doc.max_id, 0);
        doc.objects.insert(id, Object::Dictionary(dict));
        encrypt = Some((state, id));
    }
    let all: BTreeSet<ObjectId> = doc.objects.keys().copied().collect();
    let target = UpdateTarget {
        original: &header,
        prev_xref: None,
        xref_stream: true,
        encryption: encrypt,
    };
    write(doc, &all, &target)
}
