//! Parsing real and built PDFs: coverage and text recall against pdftotext, reading order,
//! tables, form values, page ranges, chunking, config errors, failure reasons.

mod common;

use common::{Mark, all_text, corpus, make_pdf, manifest, parse_with, pdftotext, recall};
use formsmith_parse::{ParseConfig, ParseRequest, parse};
use serde_json::json;

#[test]
fn corpus_pages_are_covered_and_text_is_recalled() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, set, notes) in manifest() {
        let vector = set == "fillable" || (set == "flat" && !notes.contains("image-only"));
        if !vector {
            continue;
        }
        let path = corpus().join(&file);
        let bytes = std::fs::read(&path).expect("corpus file");
        let out = parse(&bytes, &ParseRequest::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
        // One page chunk per page, in order, numbered from 1.
        assert_eq!(out.output.chunks.len(), out.page_count, "{file}");
        for (i, c) in out.output.chunks.iter().enumerate() {
            assert_eq!(c.kind, "page");
            assert_eq!(c.metadata["pageRange"]["start"], i + 1, "{file}");
            assert_eq!(c.metadata["pageRange"]["end"], i + 1, "{file}");
            assert!(c.metadata["minOcrConfidence"].is_null(), "{file}: digital page");
            for b in &c.blocks {
                let page = &b.metadata["page"];
                assert_eq!(page["number"], i + 1, "{file}");
                let (w, h) = (page["width"].as_f64().unwrap_or(0.0), page["height"].as_f64().unwrap_or(0.0));
                let bb = b.bounding_box;
                assert!(bb.left <= bb.right && bb.top <= bb.bottom, "{file}: {bb:?}");
                assert!(
                    bb.left >= 0.0 && bb.top >= 0.0 && bb.right <= w + 0.01 && bb.bottom <= h + 0.01,
                    "{file}: {} block {bb:?} outside the {w}x{h} page",
                    b.kind
                );
                assert_eq!(b.polygon.len(), 4);
                assert!(b.id.starts_with("block_"));
            }
        }
        let page_text = common::pdftotext_page_content(&path);
        if common::garbled(&page_text) {
            println!("{file}: pdftotext prints glyph codes (fonts without Unicode maps); recall not judged");
            continue;
        }
        let r = recall(&page_text, &all_text(&out));
        println!("{file}: recall {r:.4}");
        if r < 0.98 {
            failures.push(format!("{file}: {r:.4}"));
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} documents judged");
    assert!(failures.is_empty(), "recall below 0.98: {failures:?}");
}

#[test]
fn block_ids_are_deterministic_and_unique() {
    let bytes = std::fs::read(corpus().join("fillable/irs-fw9-2024.pdf")).expect("corpus");
    let a = parse(&bytes, &ParseRequest::default()).expect("parse");
    let b = parse(&bytes, &ParseRequest::default()).expect("parse");
    let ids = |o: &formsmith_parse::ParseOutcome| -> Vec<String> {
        o.output.chunks.iter().flat_map(|c| c.blocks.iter().map(|b| b.id.clone())).collect()
    };
    let (ia, ib) = (ids(&a), ids(&b));
    assert_eq!(ia, ib);
    let mut unique = ia.clone();
    unique.sort();
    unique.dedup();
    assert!(unique.len() * 100 >= ia.len() * 99, "{} ids, {} unique", ia.len(), unique.len());
}

/// Lines of words for a column of text starting at (x, y), 14 pt apart.
fn column(x: f64, y: f64, words: &[&'static str]) -> Vec<Mark> {
    words.iter().enumerate().map(|(i, w)| Mark::Text(x, y - 14.0 * i as f64, 11.0, false, w)).collect()
}

#[test]
fn two_columns_read_column_by_column() {
    let mut marks = vec![Mark::Text(72.0, 740.0, 20.0, true, "A Study of Columns")];
    // Left column: two paragraphs; right column: two paragraphs; their lines share y.
    marks.extend(column(72.0, 700.0, &["Alpha one begins the left", "column and goes on here", "to end its paragraph."]));
    marks.extend(column(72.0, 640.0, &["Bravo two is the second", "paragraph of the left side."]));
    marks.extend(column(320.0, 700.0, &["Charlie three starts the", "right column at the top", "of the page, beside Alpha."]));
    marks.extend(column(320.0, 640.0, &["Delta four closes the right", "column below Charlie."]));
    marks.push(Mark::Text(72.0, 560.0, 11.0, false, "Echo five is a full-width closing line that spans both columns of the page."));
    let pdf = make_pdf(vec![marks]);
    let out = parse_with(&pdf, json!(null)).expect("parse");
    let text = all_text(&out);
    let at = |w: &str| text.find(w).unwrap_or_else(|| panic!("{w} missing in {text}"));
    assert!(at("A Study") < at("Alpha"), "{text}");
    assert!(at("Alpha") < at("Bravo"), "{text}");
    assert!(at("Bravo") < at("Charlie"), "column by column: {text}");
    assert!(at("Charlie") < at("Delta"), "{text}");
    assert!(at("Delta") < at("Echo"), "{text}");
    // The paragraph's lines are one block; the title is a heading.
    let blocks = &out.output.chunks[0].blocks;
    assert!(blocks.iter().any(|b| b.kind == "heading" && b.content == "# A Study of Columns"), "{blocks:#?}");
    assert!(blocks.iter().any(|b| b.kind == "text" && b.content == "Alpha one begins the left column and goes on here to end its paragraph."));

    // Spatial output keeps the columns side by side on one line.
    let spatial = parse_with(&pdf, json!({"target": "spatial"})).expect("parse");
    let line = spatial.output.chunks[0]
        .content
        .lines()
        .find(|l| l.contains("Alpha one"))
        .expect("alpha line")
        .to_string();
    assert!(line.contains("Charlie three"), "{line}");
    assert!(line.find("Charlie").unwrap_or(0) > line.find("left").unwrap_or(usize::MAX) + 5, "{line}");
}

/// A ruled table of `rows` x `cols` cells at the top left of the page, with cell texts.
fn ruled_table(rows: usize, cols: usize) -> Vec<Mark> {
    let (x0, y0, cw, rh) = (72.0, 700.0, 120.0, 20.0);
    let mut marks = vec![Mark::Text(72.0, 730.0, 11.0, false, "Quarterly figures below.")];
    for r in 0..=rows {
        let y = y0 - rh * r as f64;
        marks.push(Mark::Line(x0, y, x0 + cw * cols as f64, y));
    }
    for c in 0..=cols {
        let x = x0 + cw * c as f64;
        marks.push(Mark::Line(x, y0, x, y0 - rh * rows as f64));
    }
    for r in 0..rows {
        for c in 0..cols {
            let text = if r == 0 { format!("Head{c}") } else { format!("R{r}C{c} val") };
            marks.push(Mark::Owned(x0 + cw * c as f64 + 4.0, y0 - rh * r as f64 - 14.0, 10.0, r == 0, text));
        }
    }
    marks.push(Mark::Text(72.0, 500.0, 11.0, false, "Text after the table."));
    marks
}

#[test]
fn a_ruled_table_becomes_a_table_with_its_rows_and_columns() {
    let pdf = make_pdf(vec![ruled_table(4, 3)]);
    let out = parse_with(&pdf, json!(null)).expect("parse");
    let blocks = &out.output.chunks[0].blocks;
    let table = blocks.iter().find(|b| b.kind == "table").unwrap_or_else(|| panic!("no table: {blocks:#?}"));
    assert_eq!(table.details["type"], "table_details");
    assert_eq!(table.details["rowCount"], 4);
    assert_eq!(table.details["columnCount"], 3);
    let lines: Vec<&str> = table.content.lines().collect();
    assert_eq!(lines.len(), 5, "{}", table.content);
    assert_eq!(lines[0], "| Head0 | Head1 | Head2 |");
    assert_eq!(lines[1], "| --- | --- | --- |");
    assert_eq!(lines[3], "| R2C0 val | R2C1 val | R2C2 val |");
    // Reading order: text before, table, text after; the cells are not repeated as text.
    let text = &out.output.chunks[0].content;
    assert!(text.find("Quarterly") < text.find("| Head0") && text.find("| Head0") < text.find("Text after"));
    assert_eq!(text.matches("R1C1 val").count(), 1);

    let html = parse_with(
        &pdf,
        json!({"blockOptions": {"tables": {"targetFormat": "html", "cellBlocksEnabled": true}}}),
    )
    .expect("parse");
    let table = html.output.chunks[0].blocks.iter().find(|b| b.kind == "table").expect("table");
    assert!(table.content.starts_with("<table><tr><th>Head0</th>"), "{}", table.content);
    assert_eq!(table.content.matches("<tr>").count(), 4);
    let cells = table.children.as_ref().expect("cell blocks");
    assert_eq!(cells.len(), 12);
    assert!(cells.iter().all(|c| c.kind == "table_cell" && c.parent_block_id.as_deref() == Some(table.id.as_str())));
    let c21 = cells.iter().find(|c| c.details["rowIndex"] == 2 && c.details["columnIndex"] == 1).expect("cell 2,1");
    assert_eq!(c21.content, "R2C1 val");
    // The cell's box is its grid cell: x 192..312, y from the top 112..132.
    assert!((c21.bounding_box.left - 192.0).abs() < 1.5 && (c21.bounding_box.top - 132.0).abs() < 1.5, "{:?}", c21.bounding_box);
}

#[test]
fn a_corpus_page_with_ruled_tables_gives_tables() {
    let bytes = std::fs::read(corpus().join("flat/ca-ftb3523-flat.pdf")).expect("corpus");
    let out = parse(&bytes, &ParseRequest::default()).expect("parse");
    let tables: Vec<_> = out.output.chunks.iter().flat_map(|c| &c.blocks).filter(|b| b.kind == "table").collect();
    assert!(!tables.is_empty(), "no table found");
    for t in tables {
        let (rows, cols) = (t.details["rowCount"].as_u64().unwrap_or(0), t.details["columnCount"].as_u64().unwrap_or(0));
        assert!(rows >= 2 && cols >= 2);
        // A markdown table: a header, a rule, then one line per further row, each with
        // columnCount cells.
        let lines: Vec<&str> = t.content.lines().collect();
        assert_eq!(lines.len() as u64, rows + 1, "{}", t.content);
        for l in lines {
            let cells = l.replace("\\|", "").matches('|').count() as u64;
            assert_eq!(cells, cols + 1, "{l}");
        }
    }
}

#[test]
fn headings_lists_and_running_heads() {
    let mut pages = Vec::new();
    for n in 1..=3 {
        let mut marks = vec![
            Mark::Text(72.0, 760.0, 9.0, false, "ACME Quarterly Report"),
            Mark::Owned(290.0, 30.0, 9.0, false, format!("Page {n} of 3")),
            Mark::Owned(72.0, 700.0, 18.0, true, format!("Chapter {n}")),
            Mark::Text(72.0, 670.0, 13.0, true, "Overview of the matter"),
            Mark::Text(72.0, 640.0, 10.0, false, "Body text sets the size of the page's prose, which is what"),
            Mark::Text(72.0, 627.0, 10.0, false, "most of the characters use, so headings stand above it."),
            Mark::Text(72.0, 600.0, 10.0, false, "\u{95} First point of the list"),
            Mark::Text(72.0, 586.0, 10.0, false, "\u{95} Second point of the list"),
            Mark::Text(72.0, 560.0, 10.0, false, "1. Numbered step one"),
            Mark::Text(72.0, 546.0, 10.0, false, "2. Numbered step two"),
        ];
        marks.extend(column(72.0, 500.0, &["More body text follows here to keep the body size the most", "common size across the whole document, as real prose does."]));
        pages.push(marks);
    }
    let pdf = make_pdf(pages);
    let out = parse_with(&pdf, json!(null)).expect("parse");
    assert_eq!(out.page_count, 3);
    for (i, chunk) in out.output.chunks.iter().enumerate() {
        let kinds: Vec<(&str, &str)> = chunk.blocks.iter().map(|b| (b.kind.as_str(), b.content.as_str())).collect();
        assert_eq!(kinds.first(), Some(&("header", "ACME Quarterly Report")), "{kinds:?}");
        let page_number = format!("<page_number>Page {} of 3</page_number>", i + 1);
        assert_eq!(kinds.last(), Some(&("page_number", page_number.as_str())), "{kinds:?}");
        let chapter = format!("# Chapter {}", i + 1);
        assert!(kinds.contains(&("heading", chapter.as_str())), "{kinds:?}");
        assert!(kinds.contains(&("section_heading", "## Overview of the matter")), "{kinds:?}");
        assert!(kinds.contains(&("text", "- First point of the list")), "{kinds:?}");
        assert!(kinds.contains(&("text", "- Second point of the list")), "{kinds:?}");
        assert!(kinds.contains(&("text", "1. Numbered step one")), "{kinds:?}");
        assert!(kinds.contains(&("text", "2. Numbered step two")), "{kinds:?}");
    }
    let bracket = parse_with(&pdf, json!({"advancedOptions": {"enrichmentFormat": "bracket"}})).expect("parse");
    assert!(bracket.output.chunks[1].content.contains("[page_number: Page 2 of 3]"));

    // Sections: one per heading; the chapter heading starts each.
    let sections = parse_with(&pdf, json!({"chunkingStrategy": {"type": "section"}})).expect("parse");
    let chunks = &sections.output.chunks;
    assert!(chunks.iter().all(|c| c.kind == "section"));
    let chapter_starts = chunks.iter().filter(|c| c.content.starts_with("# Chapter")).count();
    assert_eq!(chapter_starts, 3);
    assert_eq!(chunks.iter().filter(|c| c.content.starts_with("## Overview")).count(), 3);
    let ranges: Vec<(u64, u64)> = chunks
        .iter()
        .map(|c| (c.metadata["pageRange"]["start"].as_u64().unwrap_or(0), c.metadata["pageRange"]["end"].as_u64().unwrap_or(0)))
        .collect();
    assert!(ranges.windows(2).all(|w| w[0].0 <= w[1].0), "{ranges:?}");
    // minCharacters merges each short chapter heading with the section after it.
    let merged = parse_with(&pdf, json!({"chunkingStrategy": {"type": "section", "options": {"minCharacters": 40}}})).expect("parse");
    assert!(merged.output.chunks.len() < chunks.len());
    assert!(merged.output.chunks.iter().any(|c| c.content.starts_with("# Chapter 2\n\n## Overview")));
    // maxCharacters bounds every chunk.
    let small = parse_with(&pdf, json!({"chunkingStrategy": {"type": "document", "options": {"maxCharacters": 120}}})).expect("parse");
    assert!(small.output.chunks.len() > 3);
    assert!(small.output.chunks.iter().all(|c| c.content.chars().count() <= 120 && c.kind == "document"));
    assert_eq!(recall(&all_text(&out), &all_text(&small)), 1.0);
}

#[test]
fn document_chunking_keeps_everything_in_one_chunk() {
    let path = corpus().join("fillable/irs-fw9-2024.pdf");
    let bytes = std::fs::read(&path).expect("corpus");
    let pages = parse_with(&bytes, json!(null)).expect("parse");
    let doc = parse_with(&bytes, json!({"chunkingStrategy": {"type": "document"}})).expect("parse");
    assert_eq!(doc.output.chunks.len(), 1);
    let c = &doc.output.chunks[0];
    assert_eq!(c.kind, "document");
    assert_eq!(c.metadata["pageRange"], json!({"start": 1, "end": 6}));
    let blocks: usize = pages.output.chunks.iter().map(|c| c.blocks.len()).sum();
    assert_eq!(c.blocks.len(), blocks);
    assert_eq!(recall(&all_text(&pages), &c.content), 1.0);
}

#[test]
fn page_ranges_select_and_renumber_pages() {
    let path = corpus().join("fillable/irs-fw9-2024.pdf");
    let bytes = std::fs::read(&path).expect("corpus");
    let out = parse_with(
        &bytes,
        json!({"advancedOptions": {"pageRanges": [{"start": 5, "end": 6}, {"start": 2, "end": 2}, {"start": 5, "end": 5}]}}),
    )
    .expect("parse");
    assert_eq!(out.page_count, 3);
    assert_eq!(out.output.chunks.len(), 3);
    for (i, (chunk, original)) in out.output.chunks.iter().zip([2usize, 5, 6]).enumerate() {
        assert_eq!(chunk.metadata["pageRange"], json!({"start": i + 1, "end": i + 1}));
        assert!(chunk.blocks.iter().all(|b| b.metadata["page"]["number"] == i + 1));
        let reference = pdftotext(&path, Some((original, original)));
        let r = recall(&reference, &chunk.content);
        assert!(r >= 0.97, "chunk {} (page {original}): recall {r}", i + 1);
    }
    // Ranges past the end select nothing: a config error.
    let err = parse_with(&bytes, json!({"advancedOptions": {"pageRanges": [{"start": 40, "end": 50}]}})).expect_err("no page");
    assert_eq!(err.reason(), "INVALID_CONFIG_OPTIONS");
    assert!(err.to_string().contains("config.advancedOptions.pageRanges"), "{err}");
}

#[test]
fn acroform_values_are_key_value_blocks() {
    use formsmith_engine::{FieldType, FieldValue, FillOptions, Form, OpenOptions, SaveOptions};
    let bytes = std::fs::read(corpus().join("fillable/libreoffice-form.pdf")).expect("corpus");
    let mut form = Form::open(&bytes, &OpenOptions::default()).expect("open");
    let targets: Vec<(String, String)> = form
        .fields()
        .iter()
        .filter(|f| f.kind == FieldType::Text && !f.has_flag("ReadOnly") && !f.has_flag("Password"))
        .filter(|f| f.widgets.iter().any(|w| w.page.is_some()))
        .take(2)
        .map(|f| (f.name.clone(), f.tooltip.clone().unwrap_or_else(|| f.short_name().to_string())))
        .collect();
    assert_eq!(targets.len(), 2);
    let values: Vec<(String, FieldValue)> = targets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.clone(), FieldValue::Text(format!("Zyxwv Value {}", 4711 + i))))
        .collect();
    form.fill(&values, &FillOptions::default()).expect("fill");
    let filled = form.save(&SaveOptions::default()).expect("save");

    let out = parse_with(&filled, json!(null)).expect("parse");
    let kvs: Vec<_> = out.output.chunks.iter().flat_map(|c| &c.blocks).filter(|b| b.kind == "key_value").collect();
    for (i, (_, label)) in targets.iter().enumerate() {
        let want = format!("{}: Zyxwv Value {}", label.trim(), 4711 + i);
        assert!(kvs.iter().any(|b| b.content == want), "{want} not in {:?}", kvs.iter().map(|b| &b.content).collect::<Vec<_>>());
    }
    assert!(all_text(&out).contains("Zyxwv Value 4711"));
    // Blank fields show only when asked.
    let blank_before = kvs.iter().filter(|b| b.content.ends_with("____")).count();
    assert_eq!(blank_before, 0);
    let blank = parse_with(&filled, json!({"blockOptions": {"keyValue": {"blankFieldFormattingEnabled": true}}})).expect("parse");
    let kvs_blank = blank.output.chunks.iter().flat_map(|c| &c.blocks).filter(|b| b.kind == "key_value").count();
    assert!(kvs_blank > kvs.len(), "{kvs_blank} vs {}", kvs.len());
}

#[test]
fn rotated_pages_have_display_sized_boxes() {
    let bytes = std::fs::read(corpus().join("fillable/rotated-page-90.pdf")).expect("corpus");
    let out = parse(&bytes, &ParseRequest::default()).expect("parse");
    let blocks = &out.output.chunks[0].blocks;
    assert!(!blocks.is_empty());
    let page = &blocks[0].metadata["page"];
    let (w, h) = (page["width"].as_f64().unwrap_or(0.0), page["height"].as_f64().unwrap_or(0.0));
    assert!(w > h, "a /Rotate 90 portrait page shows landscape: {w}x{h}");
    // pdftotext -bbox (which applies /Rotate) places the first word where our block is.
    let path = corpus().join("fillable/rotated-page-90.pdf");
    let xml = std::process::Command::new("pdftotext").args(["-bbox"]).arg(&path).arg("-").output().expect("pdftotext");
    let xml = String::from_utf8_lossy(&xml.stdout).into_owned();
    let word = xml.lines().find(|l| l.contains("<word")).expect("a word");
    let num = |key: &str| -> f64 {
        let at = word.find(&format!("{key}=\"")).map(|i| i + key.len() + 2).unwrap_or(0);
        word[at..].split('"').next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
    };
    let text = word.split('>').nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_string();
    let (x, y) = (num("xMin"), num("yMin"));
    let found = blocks.iter().filter(|b| b.kind != "key_value").any(|b| {
        b.content.contains(&text)
            && b.bounding_box.left <= x + 3.0
            && b.bounding_box.right >= x
            && b.bounding_box.top <= y + 3.0
            && b.bounding_box.bottom >= y
    });
    assert!(found, "{text} at {x},{y} not in any block: {blocks:#?}");
}

#[test]
fn config_errors_name_the_key() {
    let cases = [
        (json!({"target": "html"}), "config.target"),
        (json!({"chunkingStrategy": {"type": "paragraph"}}), "config.chunkingStrategy.type"),
        (json!({"target": "spatial", "chunkingStrategy": {"type": "section"}}), "config.chunkingStrategy.type"),
        (json!({"chunkingStrategy": {"options": {"maxCharacters": -3}}}), "config.chunkingStrategy.options.maxCharacters"),
        (json!({"chunkingStrategy": {"options": {"minCharacters": 500, "maxCharacters": 100}}}), "config.chunkingStrategy.options.minCharacters"),
        (json!({"blockOptions": {"tables": {"targetFormat": "csv"}}}), "config.blockOptions.tables.targetFormat"),
        (json!({"blockOptions": {"keyValue": {"blankFieldFormattingEnabled": "yes"}}}), "config.blockOptions.keyValue.blankFieldFormattingEnabled"),
        (json!({"advancedOptions": {"pageRanges": [{"start": 3, "end": 1}]}}), "config.advancedOptions.pageRanges[0].start"),
        (json!({"advancedOptions": {"pageRanges": [{"start": 0, "end": 1}]}}), "config.advancedOptions.pageRanges[0].start"),
        (json!({"advancedOptions": {"pageRanges": {"start": 1}}}), "config.advancedOptions.pageRanges"),
        (json!({"advancedOptions": {"verticalGroupingThreshold": 9}}), "config.advancedOptions.verticalGroupingThreshold"),
        (json!({"engine": "parse_heavy"}), "config.engine"),
        (json!(["page"]), "config must be an object"),
    ];
    for (config, path) in cases {
        let err = ParseConfig::from_json(&config).expect_err(&config.to_string());
        assert_eq!(err.reason(), "INVALID_CONFIG_OPTIONS");
        assert!(err.to_string().contains(path), "{config}: {err}");
    }
    // Defaults are echoed; the request's own keys are kept.
    let c = ParseConfig::from_json(&json!({"chunkingStrategy": {"options": {"maxCharacters": 900}}, "metadataX": 1})).expect("valid");
    let echo = c.to_json();
    assert_eq!(echo["target"], "markdown");
    assert_eq!(echo["chunkingStrategy"]["type"], "page");
    assert_eq!(echo["chunkingStrategy"]["options"]["maxCharacters"], 900);
    assert_eq!(echo["engine"], "parse_performance");
    assert_eq!(echo["blockOptions"]["tables"]["targetFormat"], "markdown");
    assert_eq!(echo["metadataX"], 1);
    assert_eq!(ParseConfig::default().to_json(), ParseConfig::from_json(&json!(null)).expect("null").to_json());
    assert!(ParseConfig::default().not_applied.is_empty());
}

/// Work this server does not do is echoed off, whatever was asked: the echo is the
/// effective config, and `not_applied` names what was turned off.
#[test]
fn unsupported_switches_are_echoed_as_they_work() {
    let c = ParseConfig::from_json(&json!({
        "engine": "parse_light",
        "blockOptions": {
            "figures": {"enabled": true, "figureImageClippingEnabled": true},
            "tables": {"agentic": {"enabled": true}, "targetFormat": "html"},
            "barcodes": {"readingEnabled": true},
            "formulas": {"enabled": false}
        },
        "advancedOptions": {"formattingDetection": [{"type": "change_tracking"}], "alwaysConvertToPdf": true, "imageConversionQuality": "high"}
    }))
    .expect("valid");
    let echo = c.to_json();
    assert_eq!(echo["engine"], "parse_performance");
    assert_eq!(echo["blockOptions"]["figures"]["enabled"], false);
    assert_eq!(echo["blockOptions"]["figures"]["figureImageClippingEnabled"], false);
    assert_eq!(echo["blockOptions"]["tables"]["agentic"]["enabled"], false);
    assert_eq!(echo["blockOptions"]["tables"]["targetFormat"], "html", "what is done stays");
    assert_eq!(echo["blockOptions"]["barcodes"]["readingEnabled"], false);
    assert_eq!(echo["advancedOptions"]["formattingDetection"], json!([]));
    assert_eq!(echo["advancedOptions"]["alwaysConvertToPdf"], false);
    assert!(echo["advancedOptions"].get("imageConversionQuality").is_none());
    assert_eq!(
        c.not_applied,
        [
            "blockOptions.figures.enabled",
            "blockOptions.figures.figureImageClippingEnabled",
            "blockOptions.tables.agentic.enabled",
            "blockOptions.barcodes.readingEnabled",
            "advancedOptions.formattingDetection",
            "advancedOptions.alwaysConvertToPdf",
            "advancedOptions.imageConversionQuality",
            "engine (parse_light)",
        ]
    );
}

#[test]
fn broken_inputs_fail_with_their_reasons() {
    let cases = [
        ("broken/empty.pdf", &["CORRUPT_FILE", "FILE_TYPE_NOT_SUPPORTED"][..]),
        ("broken/garbage-with-header.pdf", &["CORRUPT_FILE"]),
        ("broken/user-password-required.pdf", &["PASSWORD_PROTECTED_FILE"]),
        ("broken/user-password-aes256-pdfbox.pdf", &["PASSWORD_PROTECTED_FILE"]),
        ("broken/pubsec-certificate-encrypted.pdf", &["PASSWORD_PROTECTED_FILE"]),
        ("damaged/qpdf__qpdf_qtest_qpdf_bad1.pdf", &["CORRUPT_FILE"]),
        // An image named .pdf is read as an image: OCR, which this build may lack.
        ("broken/png-named-pdf.pdf", &["OCR_ERROR", "FILE_TYPE_NOT_SUPPORTED"]),
    ];
    for (file, reasons) in cases {
        let bytes = std::fs::read(corpus().join(file)).expect("corpus");
        match parse(&bytes, &ParseRequest::default()) {
            Ok(out) if file.starts_with("broken/png") => assert!(out.page_count >= 1),
            Ok(_) => panic!("{file} parsed"),
            Err(e) => assert!(reasons.contains(&e.reason()), "{file}: {} ({e})", e.reason()),
        }
    }
    // The user password opens the file.
    let bytes = std::fs::read(corpus().join("broken/user-password-required.pdf")).expect("corpus");
    let out = parse(
        &bytes,
        &ParseRequest {
            password: Some("userpw"),
            ..Default::default()
        },
    )
    .expect("opens with its password");
    assert!(all_text(&out).contains("1040"));
    // Damaged files are recovered or fail cleanly, never panic; the bomb stays bounded.
    for (file, set, _) in manifest() {
        if set == "damaged" {
            let bytes = std::fs::read(corpus().join(&file)).expect("corpus");
            if let Err(e) = parse(&bytes, &ParseRequest::default()) {
                assert_eq!(e.reason(), "CORRUPT_FILE", "{file}: {e}");
            }
        }
    }
}

#[test]
fn scanned_pages_are_reported_not_invented() {
    let bytes = std::fs::read(corpus().join("flat/irs-f1040-scanned-150dpi.pdf")).expect("corpus");
    let out = parse(&bytes, &ParseRequest::default()).expect("parse");
    assert_eq!(out.output.chunks.len(), 2);
    if !formsmith_parse::ocr_available() {
        assert!(out.output.chunks.iter().all(|c| c.content.is_empty()));
        assert!(out.warnings.iter().any(|w| w.contains("OCR")), "{:?}", out.warnings);
    } else {
        assert!(out.output.chunks[0].metadata["avgOcrConfidence"].as_f64().is_some());
    }
}

#[test]
fn images_and_scans_are_read_by_ocr_when_built() {
    let bytes = std::fs::read(corpus().join("broken/png-named-pdf.pdf")).expect("corpus");
    let result = parse_with(&bytes, json!({"advancedOptions": {"returnOcr": {"words": true}}}));
    if !formsmith_parse::ocr_available() {
        let err = result.expect_err("no OCR");
        assert_eq!(err.reason(), "OCR_ERROR");
        assert!(err.to_string().contains("OCR"), "{err}");
        return;
    }
    let out = result.expect("image parsed by OCR");
    assert!(out.page_count >= 1);
    let words = out.output.ocr.as_ref().and_then(|o| o["words"].as_array().cloned()).unwrap_or_default();
    let chunk = &out.output.chunks[0];
    if !words.is_empty() {
        let min = chunk.metadata["minOcrConfidence"].as_f64().expect("min confidence");
        let avg = chunk.metadata["avgOcrConfidence"].as_f64().expect("avg confidence");
        assert!((0.0..=1.0).contains(&min) && min <= avg && avg <= 1.0);
        for w in &words {
            assert_eq!(w["pageNumber"], 1);
            assert!(w["confidence"].as_f64().is_some_and(|c| (0.0..=1.0).contains(&c)));
        }
        // Every OCR word is in the chunk's text.
        let text = all_text(&out);
        assert!(words.iter().filter_map(|w| w["content"].as_str()).all(|w| text.contains(w)));
    }

    // A scanned 1040: OCR reads its title.
    let bytes = std::fs::read(corpus().join("flat/irs-f1040-scanned-150dpi.pdf")).expect("corpus");
    let out = parse(&bytes, &ParseRequest::default()).expect("parse");
    let text = all_text(&out);
    assert!(text.contains("1040"), "{text}");
    assert!(out.output.chunks.iter().all(|c| c.metadata["avgOcrConfidence"].as_f64().is_some()));
}
