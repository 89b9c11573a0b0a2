// Written by `cargo run --release -p formsmith-detect --example train_scorer -- --write`;
// do not edit. No trees yet: every candidate scores 1.
use super::score::Node;

/// The trees' starting log-odds.
pub(super) const BASE: f32 = 0.0;
/// Candidates scoring below this are dropped by default (`DetectOptions::min_confidence`).
pub(super) const THRESHOLD: f32 = 0.0;
/// Every tree's nodes, trees one after another.
pub(super) static NODES: &[Node] = &[];
/// The index of each tree's root in [`NODES`].
pub(super) static TREES: &[u16] = &[];
