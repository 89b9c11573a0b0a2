#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::{Dictionary, Document, Object, Stream, dictionary};

use super::*;

fn cjk_installed() -> bool {
    CJK_FONT_PATHS.iter().any(|(p, _)| Path::new(p).is_file())
}

/// A document whose /DR /Font is `fonts` (name -> font dict, each stored as its own object).
fn doc_with_dr(fonts: Vec<(&str, Dictionary)>) -> (Document, Dictionary) {
    let mut doc = Document::with_version("1.7");
    let mut dr = Dictionary::new();
    for (name, dict) in fonts {
        let id = doc.add_object(dict);
        dr.set(name, Object::Reference(id));
    }
    (doc, dr)
}

fn helv_winansi() -> Dictionary {
    dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" }
}

/// What Acrobat puts in /DR: Helvetica with a PDFDocEncoding-like /Differences and no /BaseEncoding.
fn helv_acrobat() -> Dictionary {
    let diffs: Vec<Object> = [
        Object::Integer(24),
        "breve".into(),
        "caron".into(),
        "circumflex".into(),
        Object::Integer(128),
        "bullet".into(),
        "dagger".into(),
        Object::Integer(149),
        "Lslash".into(),
        "OE".into(),
        "Scaron".into(),
        "Ydieresis".into(),
        "Zcaron".into(),
        "dotlessi".into(),
        "lslash".into(),
        "oe".into(),
        "scaron".into(),
        "zcaron".into(),
        Object::Integer(160),
        "Euro".into(),
        Object::Integer(233),
        "eacute".into(),
    ]
    .into_iter()
    .map(|o| match o {
        Object::String(s, _) => Object::Name(s),
        o => o,
    })
    .collect();
    let enc = dictionary! { "Type" => "Encoding", "Differences" => diffs };
    dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Name" => "Helv", "Encoding" => enc }
}

#[test]
fn helv_winansi_encodes_latin1_with_afm_widths() {
    let (mut doc, dr) = doc_with_dr(vec![("Helv", helv_winansi())]);
    let helv_ref = dr.get(b"Helv").unwrap().clone();
    let mut fonts = FontSet::new(&doc, Some(&dr));
    let id = fonts.pick(&mut doc, b"Helv", "Ünï café");
    assert_eq!(fonts.resource(id), (b"Helv".to_vec(), helv_ref));
    assert_eq!(fonts.encode(id, "Ünï café"), b"\xDCn\xEF caf\xE9");
    assert_eq!(fonts.width(id, "A"), 0.667);
    // Ü 722 n 556 ï 278 space 278 c 500 a 556 f 278 é 556
    assert!((fonts.width(id, "Ünï café") - 3.724).abs() < 1e-4);
    assert_eq!((fonts.ascent(id), fonts.descent(id)), (0.718, -0.207));
    // €, curly quotes and the en dash are WinAnsi too; Ł is not.
    assert_eq!(fonts.pick(&mut doc, b"Helv", "€ “x” –"), id);
    assert_ne!(fonts.pick(&mut doc, b"Helv", "Łódź"), id);
    let ids = fonts.finish(&mut doc).unwrap();
    assert_eq!(
        ids.len(),
        5,
        "only the DejaVu subset objects are new: {ids:?}"
    );
}

#[test]
fn acrobat_differences_and_standard_encoding() {
    let no_enc = dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
    let (mut doc, dr) = doc_with_dr(vec![("Helv", helv_acrobat()), ("HelvStd", no_enc)]);
    let mut fonts = FontSet::new(&doc, Some(&dr));
    let helv = fonts.pick(&mut doc, b"Helv", "Žilina café");
    assert_eq!(fonts.resource(helv).0, b"Helv");
    assert_eq!(fonts.encode(helv, "Ž €"), b"\x99 \xA0");
    assert_eq!(fonts.width(helv, "Ž"), 0.611);
    // zacute is not in the form's encoding.
    let lodz = fonts.pick(&mut doc, b"Helv", "Łódź");
    assert_eq!(fonts.resource(lodz).0, b"FsUni0");
    // No /Encoding: StandardEncoding, where ' is quotesingle (0xA9) and ’ is 0x27; no accented letters.
    let std = fonts.pick(&mut doc, b"HelvStd", "it's ’");
    assert_eq!(fonts.resource(std).0, b"HelvStd");
    assert_eq!(fonts.encode(std, "it's ’"), b"it\xA9s '");
    assert_eq!(fonts.pick(&mut doc, b"HelvStd", "café"), lodz);
}

#[test]
fn standard_names_not_in_dr() {
    let mut doc = Document::with_version("1.7");
    let mut fonts = FontSet::new(&doc, None);
    let helv = fonts.pick(&mut doc, b"Helv", "Hello");
    let (name, obj) = fonts.resource(helv);
    assert_eq!(name, b"Helv");
    let dict = doc.get_dictionary(obj.as_reference().unwrap()).unwrap();
    assert_eq!(
        dict.get(b"BaseFont").unwrap().as_name().unwrap(),
        b"Helvetica"
    );
    assert_eq!(
        dict.get(b"Encoding").unwrap().as_name().unwrap(),
        b"WinAnsiEncoding"
    );
    let arial = fonts.pick(&mut doc, b"Arial,Bold", "Hello");
    assert_eq!(fonts.width(arial, "A"), 0.722);
    let times = fonts.pick(&mut doc, b"TimesNewRomanPSMT", "Hello");
    assert_eq!(fonts.width(times, "A"), 0.722);
    assert_eq!(fonts.width(times, "a"), 0.444);
    let cour = fonts.pick(&mut doc, b"CourierNew", "Hello");
    assert_eq!(fonts.width(cour, "Hello"), 3.0);
    let tibo = fonts.pick(&mut doc, b"TiBo", "x");
    assert_eq!(fonts.width(tibo, "A"), 0.722);
    // Unknown names mean Helvetica; an empty one too.
    let other = fonts.pick(&mut doc, b"F7", "Hello");
    assert_eq!(fonts.width(other, "Hello"), fonts.width(helv, "Hello"));
    let empty = fonts.pick(&mut doc, b"", "Hello");
    assert_eq!(fonts.resource(empty).0, b"Helv");
    // Same standard font, same dict object.
    assert_eq!(fonts.resource(other).1, obj);
    let ids = fonts.finish(&mut doc).unwrap();
    assert_eq!(
        ids.len(),
        5,
        "Helvetica, -Bold, Times-Roman, Courier, Times-Bold: {ids:?}"
    );
}

#[test]
fn cyrillic_picks_dejavu() {
    let (mut doc, dr) = doc_with_dr(vec![("Helv", helv_winansi())]);
    let mut fonts = FontSet::new(&doc, Some(&dr));
    let id = fonts.pick(&mut doc, b"Helv", "Москва");
    let (name, obj) = fonts.resource(id);
    assert_eq!(name, b"FsUni0");
    let type0 = obj.as_reference().unwrap();
    let bytes = fonts.encode(id, "Москва");
    assert_eq!(bytes.len(), 12);
    assert_eq!(&bytes[..2], &[0, 1], "first new glyph is CID 1");
    assert_eq!(&bytes[10..], &[0, 6]);
    assert_eq!(
        fonts.encode(id, "аМ"),
        [0, 6, 0, 1],
        "repeated chars reuse their CID"
    );
    // DejaVu Sans 'A' advance: 1401 / 2048 em.
    assert!((fonts.width(id, "A") - 1401.0 / 2048.0).abs() < 1e-5);
    assert!(fonts.ascent(id) > 0.7 && fonts.descent(id) < -0.2);
    // The same face for every other value it covers: one subset per document.
    assert_eq!(fonts.pick(&mut doc, b"Helv", "Ωμέγα"), id);
    fonts.encode(id, "Ωμέγα");
    let ids = fonts.finish(&mut doc).unwrap();
    assert!(ids.contains(&type0));
    let t0 = doc.get_dictionary(type0).unwrap();
    assert_eq!(
        t0.get(b"Encoding").unwrap().as_name().unwrap(),
        b"Identity-H"
    );
    let cid_ref = t0.get(b"DescendantFonts").unwrap().as_array().unwrap()[0]
        .as_reference()
        .unwrap();
    let cid = doc.get_dictionary(cid_ref).unwrap();
    assert_eq!(
        cid.get(b"Subtype").unwrap().as_name().unwrap(),
        b"CIDFontType2"
    );
    let w = cid.get(b"W").unwrap().as_array().unwrap()[1]
        .as_array()
        .unwrap();
    assert_eq!(w.len(), 1 + 6 + 5, ".notdef, Москва, Ωμέγα");
}

#[test]
fn cjk_picks_noto_when_installed() {
    if !cjk_installed() {
        eprintln!("note: no Noto Sans CJK file in CJK_FONT_PATHS; skipping");
        return;
    }
    let mut doc = Document::with_version("1.7");
    let mut fonts = FontSet::new(&doc, None);
    let id = fonts.pick(&mut doc, b"Helv", "東京");
    assert_eq!(fonts.resource(id).0, b"FsCjk0");
    assert_eq!(fonts.encode(id, "東京"), [0, 1, 0, 2]);
    assert_eq!(fonts.width(id, "東京"), 2.0);
    // Kana and hangul too.
    assert_eq!(fonts.pick(&mut doc, b"Helv", "ひらがな 한국어"), id);
    fonts.finish(&mut doc).unwrap();
}

#[test]
fn mixed_scripts_split_into_runs() {
    let mut doc = Document::with_version("1.7");
    let mut fonts = FontSet::new(&doc, None);
    let text = "Łódź 東京, Москва";
    let runs = fonts.pick_runs(&mut doc, b"Helv", text);
    if !cjk_installed() {
        assert_eq!(runs.len(), 1);
        return;
    }
    let parts: Vec<(Vec<u8>, &str)> = runs
        .iter()
        .map(|(id, r)| (fonts.resource(*id).0, &text[r.clone()]))
        .collect();
    // Noto CJK has Cyrillic too, so Москва stays in its run; Ł and ź it lacks.
    let expect = [
        (b"FsUni0".to_vec(), "Łódź "),
        (b"FsCjk0".to_vec(), "東京, Москва"),
    ];
    assert_eq!(parts, expect);
    // One font covering everything: one run, as `pick`.
    let runs = fonts.pick_runs(&mut doc, b"Helv", "plain");
    assert_eq!(runs.len(), 1);
    assert_eq!(fonts.resource(runs[0].0).0, b"Helv");
}

#[test]
fn cjk_disabled_falls_back_to_dejavu_notdef() {
    let mut doc = Document::with_version("1.7");
    let mut fonts = FontSet::new(&doc, None).with_fallback_font_paths(Vec::new());
    let id = fonts.pick(&mut doc, b"Helv", "東京 ok");
    assert_eq!(fonts.resource(id).0, b"FsUni0");
    let bytes = fonts.encode(id, "東京 ok");
    assert_eq!(&bytes[..4], &[0, 0, 0, 0], "uncovered chars draw .notdef");
    fonts.finish(&mut doc).unwrap();
}

#[test]
fn zapf_dingbats_for_check_marks() {
    let mut doc = Document::with_version("1.7");
    let mut fonts = FontSet::new(&doc, None);
    let id = fonts.zapf_dingbats(&mut doc, b"ZaDb");
    assert_eq!(fonts.encode(id, "4"), b"4");
    assert_eq!(fonts.width(id, "4"), 0.846);
    // Never used for text.
    let text = fonts.pick(&mut doc, b"ZaDb", "Yes");
    assert_ne!(text, id);
    assert_eq!(fonts.resource(text).0, b"FsUni0");
}

#[test]
fn hostile_font_dicts_do_not_panic() {
    let bad: Vec<(&str, Dictionary)> = vec![
        (
            "A",
            dictionary! { "Subtype" => "Type1", "Widths" => vec![Object::string_literal("x")], "FirstChar" => Object::Real(1e30) },
        ),
        (
            "B",
            dictionary! { "Subtype" => "TrueType", "FirstChar" => -5, "Widths" => vec![Object::Real(f32::NAN), Object::Integer(-4)] },
        ),
        (
            "C",
            dictionary! { "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => dictionary! { "Differences" => vec![Object::Integer(-3), "A".into(), Object::Integer(i64::MAX), "B".into(), Object::Integer(300), "C".into()] } },
        ),
        (
            "D",
            dictionary! { "Subtype" => "Type0", "BaseFont" => "Whatever" },
        ),
        ("E", dictionary! { "Subtype" => "Type3" }),
        (
            "F",
            dictionary! { "Subtype" => "Type1", "Encoding" => Object::Reference((999, 0)), "FontDescriptor" => 5 },
        ),
        (
            "G",
            dictionary! { "Subtype" => "Type1", "BaseFont" => "ABCDEF+Arial", "FontDescriptor" => dictionary! { "FontFile2" => Object::Null } },
        ),
        (
            "H",
            dictionary! { "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "Identity-H" },
        ),
    ];
    let (mut doc, mut dr) = doc_with_dr(bad);
    dr.set("Loop", Object::Reference((777, 0)));
    doc.objects.insert((777, 0), Object::Reference((777, 0)));
    let mut fonts = FontSet::new(&doc, Some(&dr));
    for name in ["A", "B", "C", "D", "E", "F", "G", "H", "Loop", "Missing"] {
        for text in ["", "Hello", "Москва", "\u{1F600}", "a\nb\t"] {
            let id = fonts.pick(&mut doc, name.as_bytes(), text);
            let _ = fonts.encode(id, text);
            let w = fonts.width(id, text);
            assert!(w.is_finite() && w >= 0.0);
            let _ = fonts.resource(id);
        }
    }
    fonts.finish(&mut doc).unwrap();
}

#[test]
fn object_id_exhaustion_does_not_panic() {
    let mut doc = Document::with_version("1.7");
    doc.max_id = u32::MAX;
    let mut fonts = FontSet::new(&doc, None);
    let helv = fonts.pick(&mut doc, b"Helv", "Hello");
    assert!(matches!(fonts.resource(helv).1, Object::Dictionary(_)));
    let uni = fonts.pick(&mut doc, b"Helv", "Москва");
    assert!(matches!(fonts.resource(uni).1, Object::Dictionary(_)));
    assert!(fonts.finish(&mut doc).unwrap().is_empty());
}

/// Draw each line with the FontSet into a one-page PDF, the way appearance streams do.
fn build_pdf(
    lines: &[&str],
    dr: Option<(&str, Dictionary)>,
    cjk_paths: Option<Vec<(PathBuf, u32)>>,
) -> Vec<u8> {
    let (mut doc, dr) = doc_with_dr(dr.into_iter().collect());
    let mut fonts = FontSet::new(&doc, Some(&dr));
    if let Some(paths) = cjk_paths {
        fonts = fonts.with_fallback_font_paths(paths);
    }
    let mut content = Vec::new();
    let mut font_res = Dictionary::new();
    for (i, line) in lines.iter().enumerate() {
        content.extend(format!("BT 40 {} Td\n", 780 - 30 * i as i32).bytes());
        for (id, range) in fonts.pick_runs(&mut doc, b"Helv", line) {
            let (name, obj) = fonts.resource(id);
            let hex: String = fonts
                .encode(id, &line[range])
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            let name_str = String::from_utf8(name.clone()).unwrap();
            content.extend(format!("/{name_str} 14 Tf <{hex}> Tj\n").bytes());
            font_res.set(name, obj);
        }
        content.extend(b"ET\n");
    }
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id, "Resources" => dictionary! { "Font" => font_res },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    fonts.finish(&mut doc).unwrap();
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

#[test]
fn output_is_deterministic() {
    let lines = ["Žilina Łódź", "Москва", "東京", "plain"];
    assert_eq!(
        build_pdf(&lines, Some(("Helv", helv_acrobat())), None),
        build_pdf(&lines, Some(("Helv", helv_acrobat())), None)
    );
}

#[test]
fn pdftotext_round_trips_every_script() {
    if !tool("pdftotext") || !tool("pdffonts") {
        eprintln!("note: poppler-utils missing; skipping");
        return;
    }
    let cjk = cjk_installed();
    let mut lines = vec![
        "Žilina",
        "Łódź",
        "Ünï café",
        "Ωμέγα",
        "Москва",
        "Hello (world) \\ 100%",
    ];
    if cjk {
        lines.extend(["東京", "Žilina Łódź Ünï Ωμέγα Москва 東京"]);
    } else {
        eprintln!("note: no Noto Sans CJK; CJK lines skipped");
    }
    let pdf = build_pdf(&lines, Some(("Helv", helv_acrobat())), None);
    let path = std::env::temp_dir().join(format!("formsmith-font-test-{}.pdf", std::process::id()));
    std::fs::write(&path, &pdf).unwrap();

    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "pdftotext: {stderr}"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let got: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "\u{c}")
        .collect();
    assert_eq!(got, lines, "full text: {text:?}");

    let out = Command::new("pdffonts").arg(&path).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdffonts: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = |font: &str| {
        listing
            .lines()
            .find(|l| l.contains(font))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
    };
    // name type [encoding...] emb sub uni object ID: the yes/no columns are 5th..3rd from the end.
    let flags = |cols: Vec<&str>| cols[cols.len() - 5..cols.len() - 2].join(" ");
    assert_eq!(
        flags(row("+DejaVuSans").expect(&listing)),
        "yes yes yes",
        "{listing}"
    );
    assert_eq!(
        flags(row("Helvetica").expect(&listing)),
        "no no no",
        "{listing}"
    );
    if cjk {
        let noto = row("+NotoSansCJK").expect(&listing);
        assert_eq!(flags(noto.clone()), "yes yes yes", "{listing}");
        assert!(noto.contains(&"CID") && noto.contains(&"Type"), "{listing}");
    }
    if tool("qpdf") {
        let out = Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "qpdf --check: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let _ = std::fs::remove_file(&path);
}

/// `cargo test --release -p formsmith-engine font::tests::timing -- --ignored --nocapture`
#[test]
#[ignore]
fn timing() {
    use std::time::Instant;
    let (mut doc, dr) = doc_with_dr(vec![("Helv", helv_acrobat())]);
    let t = Instant::now();
    let mut fonts = FontSet::new(&doc, Some(&dr));
    let mut n = 0;
    for i in 0..250 {
        let text = format!("Field value number {i}");
        let id = fonts.pick(&mut doc, b"Helv", &text);
        n += fonts.encode(id, &text).len();
        n += fonts.width(id, &text) as usize;
    }
    fonts.finish(&mut doc).unwrap();
    eprintln!("250 ASCII values in /Helv: {:?} ({n})", t.elapsed());
    for (label, text) in [
        ("DejaVu", "Москва"),
        ("CJK (cold)", "東京"),
        ("CJK (warm)", "東京"),
    ] {
        let t = Instant::now();
        let mut fonts = FontSet::new(&doc, Some(&dr));
        let id = fonts.pick(&mut doc, b"Helv", text);
        fonts.encode(id, text);
        fonts.finish(&mut doc).unwrap();
        eprintln!("{label}: {:?}", t.elapsed());
    }
}
