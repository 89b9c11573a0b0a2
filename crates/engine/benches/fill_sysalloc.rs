//! Fill benchmark on the system allocator (what a library user gets by default).
//! See `benches/common/mod.rs` for what is measured and the options.

mod common;

fn main() {
    common::main("system");
}
