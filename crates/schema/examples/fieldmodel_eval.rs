//! Scores the field model against the hand-checked truth set in
//! `crates/schema/tests/fieldmodel/truth/` (see its README): label, semantic type, entity
//! and key readability, per form and pooled, on a fixed split where the "dev" forms are the
//! ones rules may be tuned on and the "held-out" forms are only ever scored.
//!
//!     cargo run --release -p formsmith-schema --example fieldmodel_eval [-- --misses] [--form STEM]
//!
//! `--misses` prints the wrong fields of dev forms only (held-out misses stay unseen unless
//! `--form` names one explicitly).

use std::collections::BTreeMap;
use std::path::Path;

#[path = "../tests/fieldmodel/score.rs"]
mod score;

use score::{Score, ratio};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let only = args.iter().position(|a| a == "--form").and_then(|i| args.get(i + 1)).cloned();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let show = |split: &str| misses && split == "dev";
    let forms = score::evaluate(&root.join("tests/fieldmodel/truth"), &root.join("../../../shared/corpus"), only.as_deref(), &show);
    let mut pooled: BTreeMap<&str, Score> = BTreeMap::new();
    println!(
        "| form | split | fields | label | type (typed) | type (all) | entity | key readable | time ms |\n|---|---|---|---|---|---|---|---|---|"
    );
    for f in &forms {
        let s = &f.score;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.0} |",
            f.stem,
            f.split,
            s.fields,
            ratio(s.label, s.fields),
            ratio(s.typed_right, s.typed),
            ratio(s.type_right, s.fields),
            ratio(s.entity, s.fields),
            ratio(s.key_readable, s.keyed),
            f.millis
        );
        pooled.entry(f.split).or_default().merge(s);
        pooled.entry("all").or_default().merge(s);
    }
    println!("\n| split | forms | fields | label | type (typed) | type (all) | entity | key readable | junk keys | missing |\n|---|---|---|---|---|---|---|---|---|---|");
    for (split, s) in &pooled {
        println!(
            "| {split} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.forms,
            s.fields,
            ratio(s.label, s.fields),
            ratio(s.typed_right, s.typed),
            ratio(s.type_right, s.fields),
            ratio(s.entity, s.fields),
            ratio(s.key_readable, s.keyed),
            s.junk_keys,
            s.missing
        );
    }
}
