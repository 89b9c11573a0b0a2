//! The document-wide decoded-bytes budget (`Limits::max_total_decoded_bytes`): a form whose
//! object streams each stay under the per-stream limit but together inflate to 1.2 GiB.
//! Filling reads only what it needs; flattening (every object) and the full loader stop at
//! the budget with LimitExceeded (CORRUPT_FILE) instead of holding them all.

use std::io::Write;
use std::time::{Duration, Instant};

use formsmith_engine::{
    Error, FailureReason, FieldValue, FillOptions, Form, Limits, OpenOptions, SaveOptions,
};

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("in memory");
    z.finish().expect("in memory")
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

/// A one-field form (objects 1-5 plain) and `streams` object streams (6..) each holding one
/// `null` object (numbered after them) padded with spaces to `size` bytes, listed in a
/// cross-reference stream.
fn form_with_object_streams(streams: usize, size: usize) -> Vec<u8> {
    let plain = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /DA (/Helv 10 Tf 0 g) >> >>"
            .to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Annots [4 0 R] >>"
            .to_vec(),
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [100 700 300 720] /P 3 0 R >>"
            .to_vec(),
        stream("", b"BT /F1 12 Tf 72 700 Td (Name) Tj ET"),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut rows: Vec<(u8, usize, u16)> = vec![(0, 0, 65535)];
    for (i, body) in plain.iter().enumerate() {
        rows.push((1, out.len(), 0));
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let first_member = 6 + streams;
    let mut members = Vec::new();
    for s in 0..streams {
        let number = 6 + s;
        let member = first_member + s;
        let header = format!("{member} 0 ");
        let mut data = format!("{header}null").into_bytes();
        data.resize(size, b' ');
        rows.push((1, out.len(), 0));
        members.push((2, number, 0));
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(&stream(
            &format!(
                "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
                header.len()
            ),
            &deflate(&data),
        ));
        out.extend_from_slice(b"\nendobj\n");
    }
    rows.extend(members);
    let xref_number = rows.len();
    let xref_at = out.len();
    rows.push((1, xref_at, 0));
    let mut data = Vec::new();
    for (t, a, b) in rows {
        data.push(t);
        data.extend_from_slice(&u32::try_from(a).expect("small").to_be_bytes());
        data.extend_from_slice(&b.to_be_bytes());
    }
    out.extend_from_slice(format!("{xref_number} 0 obj\n").as_bytes());
    out.extend_from_slice(&stream(
        &format!(
            "/Type /XRef /Size {} /W [1 4 2] /Root 1 0 R",
            xref_number + 1
        ),
        &data,
    ));
    out.extend_from_slice(format!("\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

fn is_budget(e: &Error) -> bool {
    matches!(
        e,
        Error::LimitExceeded {
            limit: "max_total_decoded_bytes",
            ..
        }
    ) && e.reason() == FailureReason::CorruptFile
}

#[test]
fn object_streams_over_the_document_budget_fail_fast() {
    // 20 × 60 MiB: each under the 64 MiB per-stream limit, 1.2 GiB together.
    let bytes = form_with_object_streams(20, 60 << 20);
    assert!(bytes.len() < 4 << 20, "{} bytes", bytes.len());

    // A fill reads the field, not the object streams: it works and saves incrementally.
    let mut form = Form::open(&bytes, &OpenOptions::default()).expect("opens");
    form.fill(
        &[("name".into(), FieldValue::Text("Jordan".into()))],
        &FillOptions::default(),
    )
    .expect("fills");
    form.save(&SaveOptions::default()).expect("saves");

    // Flattening reads every object: it stops at the budget.
    let started = Instant::now();
    let mut form = Form::open(&bytes, &OpenOptions::default()).expect("opens");
    form.fill(
        &[("name".into(), FieldValue::Text("Jordan".into()))],
        &FillOptions::default(),
    )
    .expect("fills");
    let flat = form.save(&SaveOptions {
        flatten: true,
        ..SaveOptions::default()
    });
    match flat {
        Err(e) => assert!(is_budget(&e), "{e}"),
        Ok(_) => panic!("flattening 1.2 GiB of object streams succeeded"),
    }
    assert!(started.elapsed() < Duration::from_secs(30));

    // The full (lopdf) loader would inflate them all up front: refused before it runs.
    let everything = OpenOptions {
        parse_everything: true,
        ..OpenOptions::default()
    };
    match Form::open(&bytes, &everything) {
        Err(e) => assert!(is_budget(&e), "{e}"),
        Ok(_) => panic!("the full loader opened 1.2 GiB of object streams"),
    }

    // Under a larger budget the same file flattens: the limit is what stopped it.
    let roomy = OpenOptions {
        limits: Limits {
            max_total_decoded_bytes: 2 << 30,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let small = form_with_object_streams(3, 1 << 20);
    let mut form = Form::open(&small, &roomy).expect("opens");
    form.fill(
        &[("name".into(), FieldValue::Text("Jordan".into()))],
        &FillOptions::default(),
    )
    .expect("fills");
    form.save(&SaveOptions {
        flatten: true,
        ..SaveOptions::default()
    })
    .expect("a small file flattens");
    let tight = OpenOptions {
        limits: Limits {
            max_total_decoded_bytes: 2 << 20,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let mut form = Form::open(&small, &tight).expect("opens");
    form.fill(
        &[("name".into(), FieldValue::Text("Jordan".into()))],
        &FillOptions::default(),
    )
    .expect("fills");
    let flat = form.save(&SaveOptions {
        flatten: true,
        ..SaveOptions::default()
    });
    assert!(flat.as_ref().is_err_and(is_budget), "{:?}", flat.err());
}

/// One page whose /Annots lists `count` tiny annotation objects, classic cross-reference.
fn many_objects(count: usize) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        Vec::new(),
    ];
    let annots: Vec<String> = (4..4 + count).map(|n| format!("{n} 0 R")).collect();
    objects[2] = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [{}] >>",
        annots.join(" ")
    )
    .into_bytes();
    for _ in 0..count {
        objects.push(b"<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] >>".to_vec());
    }
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn too_many_objects_are_refused_by_both_loaders() {
    let bytes = many_objects(3_000);
    let limits = Limits {
        max_objects: 1_000,
        ..Limits::default()
    };
    for parse_everything in [false, true] {
        let options = OpenOptions {
            limits: limits.clone(),
            parse_everything,
            ..OpenOptions::default()
        };
        match Form::open(&bytes, &options) {
            Err(e) => assert!(
                matches!(
                    e,
                    Error::LimitExceeded {
                        limit: "max_objects",
                        ..
                    }
                ),
                "{e}"
            ),
            Ok(_) => panic!("3,000 objects opened under a 1,000-object limit"),
        }
    }
    // Under the default limit the same file opens (no fields).
    assert!(matches!(
        Form::open(&bytes, &OpenOptions::default()).map(|f| f.fields().len()),
        Ok(0)
    ));
}

#[test]
fn the_object_limit_follows_the_input_size() {
    // ~64 bytes per object: 150,000 objects in ~9.5 MB would take ~250 MB parsed, over
    // 10 x input + 100 MB; the default limits refuse it by size, not only by count.
    let bytes = many_objects(150_000);
    let allowed = Limits::default().max_objects_for(bytes.len());
    assert!(allowed < 150_000, "{allowed} objects allowed for {} bytes", bytes.len());
    let started = std::time::Instant::now();
    match Form::open(&bytes, &OpenOptions::default()) {
        Err(Error::LimitExceeded { limit: "max_objects", .. }) => {}
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("150,000 tiny objects opened"),
    }
    println!("refused in {:?}", started.elapsed());
    // Real forms sit far under it: the corpus's largest (7,595 objects in 1.5 MB) would
    // be allowed 60,000 + 6 per KiB.
    assert!(Limits::default().max_objects_for(1_500_000) > 60_000 + 8_000);
}
