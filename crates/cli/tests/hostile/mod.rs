//! Hostile PDFs built in memory (never committed), shared by the CLI budget tests and the
//! server's hostile-input suite.
#![allow(dead_code)]

use std::io::Write;

pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("in memory");
    z.finish().expect("in memory")
}

/// A PDF of `objects` (object n is `objects[n - 1]`), catalog 1, page tree 2.
pub fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
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

pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

pub fn page(contents: &str, resources: &str) -> Vec<u8> {
    format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {contents} /Resources << {resources} >> >>"
    )
    .into_bytes()
}

/// `pages` pages, each with its own flate content stream inflating to `content`, and a
/// form: one text field `name` on the first page (object 3), so fills go all the way.
pub fn pages_of(content: &[u8], pages: usize) -> Vec<u8> {
    let z = deflate(content);
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] /DA (/Helv 10 Tf 0 g) >> >>"
            .to_vec(),
        Vec::new(),
        Vec::new(),
    ];
    let mut kids = Vec::new();
    for i in 0..pages {
        objects.push(stream("/Filter /FlateDecode", &z));
        let contents = format!("{} 0 R", objects.len());
        let mut p = page(&contents, "");
        if i == 0 {
            p.truncate(p.len() - 2);
            p.extend_from_slice(b" /Annots [3 0 R] >>");
            objects[2] = format!(
                "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [100 700 300 720] /P {} 0 R >>",
                objects.len() + 1
            )
            .into_bytes();
        }
        objects.push(p);
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Count {pages} /Kids [{}] >>",
        kids.join(" ")
    )
    .into_bytes();
    pdf(&objects)
}

/// `pages` pages drawing one shared flate content stream inflating to `content`.
pub fn shared_pages(content: &[u8], pages: usize) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(),
        stream("/Filter /FlateDecode", &deflate(content)),
    ];
    let mut kids = Vec::new();
    for _ in 0..pages {
        objects.push(page("3 0 R", ""));
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Count {pages} /Kids [{}] >>",
        kids.join(" ")
    )
    .into_bytes();
    pdf(&objects)
}

/// One page drawing a `side` × `side` gray image (flate, all white) over the whole page.
pub fn huge_image(side: usize) -> Vec<u8> {
    let samples = vec![255u8; side * side];
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        page("4 0 R", "/XObject << /Im 5 0 R >>"),
        stream("", b"q 612 0 0 792 0 0 cm /Im Do Q"),
        stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode"
            ),
            &deflate(&samples),
        ),
    ];
    pdf(&objects)
}

/// One page whose /Annots lists `count` tiny objects.
pub fn many_objects(count: usize) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_vec(),
        Vec::new(),
        stream(
            "",
            b"BT /F1 12 Tf 72 700 Td (Name) Tj ET 150 698 m 400 698 l S",
        ),
    ];
    let first = objects.len() + 1;
    for i in 0..count {
        objects.push(
            format!("<< /Type /Annot /Subtype /Text /Rect [0 0 {} 1] >>", i % 7).into_bytes(),
        );
    }
    let annots: Vec<String> = (first..first + count).map(|n| format!("{n} 0 R")).collect();
    objects[2] = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [{}] >>",
        annots.join(" ")
    )
    .into_bytes();
    pdf(&objects)
}

/// `streams` object streams each inflating to `size` bytes (the page objects live in the
/// first one, so every reader must decode it; the others are padded with whitespace).
pub fn object_stream_bomb(streams: usize, size: usize) -> Vec<u8> {
    // Objects 1 (catalog), 2 (pages), 3 (page) in object stream 5; content 4 plain.
    let members = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
    ];
    let mut header = String::new();
    let mut at = 0;
    for (i, m) in members.iter().enumerate() {
        header.push_str(&format!("{} {at} ", i + 1));
        at += m.len() + 1;
    }
    let header = header.as_str();
    let mut first = format!("{header}{}", members.join(" ")).into_bytes();
    first.resize(size, b' ');
    let padding = deflate(&vec![b' '; size]);
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = vec![0usize; 5 + streams];
    offsets[4] = out.len();
    out.extend_from_slice(b"4 0 obj\n");
    out.extend_from_slice(&stream("", b"BT /F1 12 Tf 72 700 Td (x) Tj ET"));
    out.extend_from_slice(b"\nendobj\n");
    for s in 0..streams {
        let number = 5 + s;
        offsets[number] = out.len();
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        let data = if s == 0 {
            deflate(&first)
        } else {
            padding.clone()
        };
        let dict = format!(
            "/Type /ObjStm /N {} /First {} /Filter /FlateDecode",
            if s == 0 { 3 } else { 0 },
            if s == 0 { header.len() } else { 0 }
        );
        out.extend_from_slice(&stream(&dict, &data));
        out.extend_from_slice(b"\nendobj\n");
    }
    // A cross-reference stream: type 2 entries for 1..3 in stream 5.
    let xref_number = 5 + streams;
    let mut rows = Vec::new();
    let row = |t: u8, a: usize, b: u16| {
        let mut r = vec![t];
        r.extend_from_slice(&(a as u32).to_be_bytes());
        r.extend_from_slice(&b.to_be_bytes());
        r
    };
    rows.extend(row(0, 0, 65535));
    for i in 0..3u16 {
        rows.extend(row(2, 5, i));
    }
    for &offset in offsets.get(4..xref_number).unwrap_or_default() {
        rows.extend(row(1, offset, 0));
    }
    let xref_at = out.len();
    rows.extend(row(1, xref_at, 0));
    out.extend_from_slice(format!("{xref_number} 0 obj\n").as_bytes());
    out.extend_from_slice(&stream(
        &format!(
            "/Type /XRef /Size {} /W [1 4 2] /Root 1 0 R",
            xref_number + 1
        ),
        &rows,
    ));
    out.extend_from_slice(format!("\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

/// A size line of /proc/PID/status (`VmHWM:` peak resident set, `VmRSS:` now), in KiB.
pub fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
