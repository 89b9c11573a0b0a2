//! Prints the field model of a form as JSON lines: `cargo run -p formsmith-schema --example
//! fieldmodel_show -- form.pdf [name-substring]`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: fieldmodel_show <pdf> [name-substring]");
        std::process::exit(2);
    };
    let filter = args.get(1).cloned().unwrap_or_default();
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("cannot read {path}");
        std::process::exit(2);
    };
    let Ok(form) = formsmith_engine::Form::open(&bytes, &formsmith_engine::OpenOptions::default()) else {
        eprintln!("cannot open {path}");
        std::process::exit(2);
    };
    let text = formsmith_schema::page_text(&bytes, &form, None);
    let model = formsmith_schema::fieldmodel::build(&form, &text);
    for info in model.fields.iter().filter(|f| f.name.contains(&filter)) {
        println!("{}", serde_json::to_string(info).unwrap_or_default());
    }
}
