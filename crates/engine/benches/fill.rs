//! Fill benchmark on mimalloc (for comparison: 15-30% faster on most forms, about twice the
//! peak RSS, so the `formsmith` CLI stays on the system allocator).
//! See `benches/common/mod.rs` for what is measured and the options.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

fn main() {
    common::main("mimalloc");
}
