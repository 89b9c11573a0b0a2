//! Field detection on real forms (see `tests/eval/mod.rs`): every fillable corpus form with
//! its AcroForm and widgets removed, detection matched against the removed widgets. Prints
//! the table and fails when a score falls below the floor it reached when this was written,
//! so a change that makes detection worse is noticed. The scorer's model was trained on
//! these forms, so these are regression floors, not held-out figures (those come from
//! `examples/train_scorer.rs`, by form, in the README).

mod eval;

/// (type, F1 floor over all scored widgets, F1 floor over the widgets the pages draw).
const FILLABLE_FLOORS: [(&str, f64, f64); 2] = [("text", 0.83, 0.90), ("checkbox", 0.88, 0.94)];
/// The same over `corpus/train` (178 forms the rules were never tuned on).
const TRAIN_FLOORS: [(&str, f64, f64); 2] = [("text", 0.70, 0.70), ("checkbox", 0.79, 0.82)];

#[test]
fn detection_finds_the_removed_widgets() {
    check("fillable", 50, &FILLABLE_FLOORS);
}

#[test]
fn detection_finds_the_removed_widgets_of_the_training_forms() {
    check("train", 170, &TRAIN_FLOORS);
}

fn check(set: &str, at_least: usize, floors: &[(&str, f64, f64)]) {
    let forms = eval::pdfs(set);
    assert!(forms.len() >= at_least, "the {set} corpus is missing");
    let results: Vec<eval::FormResult> = forms.iter().map(|p| eval::evaluate(p)).collect();
    for r in &results {
        assert!(r.error.is_none(), "{}: {:?}", r.file, r.error);
    }
    println!(
        "{set}, all scored widgets:\n{}",
        eval::table(&results, false)
    );
    println!(
        "{set}, widgets the pages draw:\n{}",
        eval::table(&results, true)
    );
    let all = eval::totals(&results, false);
    let printed = eval::totals(&results, true);
    for &(kind, floor_all, floor_printed) in floors {
        let i = eval::KINDS
            .iter()
            .position(|k| k.as_str() == kind)
            .expect("a scored type");
        assert!(
            all[i].f1() >= floor_all,
            "{set} {kind}: F1 {:.3} over all widgets, floor {floor_all}",
            all[i].f1()
        );
        assert!(
            printed[i].f1() >= floor_printed,
            "{set} {kind}: F1 {:.3} over drawn widgets, floor {floor_printed}",
            printed[i].f1()
        );
    }
}
