//! Field detection on real forms (see `tests/eval/mod.rs`): every fillable corpus form with
//! its AcroForm and widgets removed, detection matched against the removed widgets. Prints
//! the table and fails when a score falls below the floor it reached when this was written,
//! so a change that makes detection worse is noticed.

mod eval;

/// (type, F1 floor over all scored widgets, F1 floor over the widgets the pages draw).
const FLOORS: [(&str, f64, f64); 2] = [("text", 0.82, 0.88), ("checkbox", 0.86, 0.92)];

#[test]
fn detection_finds_the_removed_widgets() {
    let forms = eval::fillable();
    assert!(forms.len() >= 50, "the fillable corpus is missing");
    let results: Vec<eval::FormResult> = forms.iter().map(|p| eval::evaluate(p)).collect();
    for r in &results {
        assert!(r.error.is_none(), "{}: {:?}", r.file, r.error);
    }
    println!("all scored widgets:\n{}", eval::table(&results, false));
    println!("widgets the pages draw:\n{}", eval::table(&results, true));
    let all = eval::totals(&results, false);
    let printed = eval::totals(&results, true);
    for (kind, floor_all, floor_printed) in FLOORS {
        let i = eval::KINDS
            .iter()
            .position(|k| k.as_str() == kind)
            .expect("a scored type");
        assert!(
            all[i].f1() >= floor_all,
            "{kind}: F1 {:.3} over all widgets, floor {floor_all}",
            all[i].f1()
        );
        assert!(
            printed[i].f1() >= floor_printed,
            "{kind}: F1 {:.3} over drawn widgets, floor {floor_printed}",
            printed[i].f1()
        );
    }
}
