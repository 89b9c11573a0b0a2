//! Times open + fill + save (optionally flattened) of one form with every field set, in-process:
//! `cargo run --release -p formsmith-engine --example filltime -- FORM.pdf [N] [flatten]`.
use formsmith_engine::{FieldType, FieldValue, FillOptions, Form, OpenOptions, SaveOptions};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: filltime FORM.pdf [N]");
    let n: u32 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let flatten = std::env::args().nth(3).is_some_and(|a| a == "flatten");
    let bytes = std::fs::read(&path).expect("read");
    let form = Form::open(&bytes, &OpenOptions::default()).expect("open");
    let values: Vec<(String, FieldValue)> = form
        .fields()
        .iter()
        .filter(|f| !f.flags.contains(&"ReadOnly"))
        .filter_map(|f| {
            let v = match f.kind {
                FieldType::Text => FieldValue::Text(match f.max_len {
                    Some(m) => "1234567890".repeat(10).chars().take(m as usize).collect(),
                    None => "Sample 123".into(),
                }),
                FieldType::Checkbox if !f.on_states.is_empty() => FieldValue::Bool(true),
                FieldType::Radio => FieldValue::Text(f.options.first()?.clone()),
                FieldType::Combo | FieldType::List => FieldValue::Text(f.options.last()?.clone()),
                _ => return None,
            };
            Some((f.name.clone(), v))
        })
        .collect();
    let t = std::time::Instant::now();
    for _ in 0..n {
        let mut form = Form::open(&bytes, &OpenOptions::default()).expect("open");
        form.fill(&values, &FillOptions::default()).expect("fill");
        std::hint::black_box(
            form.save(&SaveOptions {
                flatten,
                ..Default::default()
            })
            .expect("save"),
        );
    }
    println!(
        "{} values: {:.2} ms per open+fill+save",
        values.len(),
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    );
}
