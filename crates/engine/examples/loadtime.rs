fn main() {
    let path = std::env::args().nth(1).expect("pdf");
    let bytes = std::fs::read(&path).expect("read");
    for _ in 0..5 { let _ = lopdf::Document::load_mem(&bytes); }
    let n = 50;
    let t = std::time::Instant::now();
    for _ in 0..n { let d = lopdf::Document::load_mem(&bytes).expect("load"); std::hint::black_box(d); }
    let lo = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let t = std::time::Instant::now();
    for _ in 0..n { let f = formsmith_engine::Form::open(&bytes, &Default::default()).expect("open"); std::hint::black_box(f); }
    let fo = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("lopdf load {lo:.2} ms, Form::open {fo:.2} ms");
}
