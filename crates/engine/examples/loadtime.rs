//! Times lopdf's full load against `Form::open` (partial load + form model) on one file:
//! `cargo run --release -p formsmith-engine --example loadtime -- FORM.pdf [open]`.
fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: loadtime FORM.pdf [open]");
    let only_open = std::env::args().nth(2).is_some();
    let bytes = std::fs::read(&path).expect("read");
    let n = 50;
    let time = |f: &dyn Fn()| {
        f();
        let t = std::time::Instant::now();
        for _ in 0..n {
            f();
        }
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    };
    let open = time(&|| {
        std::hint::black_box(
            formsmith_engine::Form::open(&bytes, &Default::default()).expect("open"),
        );
    });
    if only_open {
        println!("Form::open {open:.2} ms");
        return;
    }
    let lopdf = time(&|| {
        std::hint::black_box(lopdf::Document::load_mem(&bytes).expect("load"));
    });
    println!("lopdf full load {lopdf:.2} ms, Form::open {open:.2} ms");
}
