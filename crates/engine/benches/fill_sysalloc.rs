//! Fill benchmark on the system allocator: what the `formsmith` CLI and a library user get.
//! See `benches/common/mod.rs` for what is measured and the options.

mod common;

fn main() {
    common::main("system");
}
