//! Fill benchmark on mimalloc, the allocator the `formsmith` CLI ships with.
//! See `benches/common/mod.rs` for what is measured and the options.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

fn main() {
    common::main("mimalloc");
}
