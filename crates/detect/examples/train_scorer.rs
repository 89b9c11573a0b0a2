//! Trains the field scorer (gradient-boosted trees over candidate features) on the corpus's
//! fillable forms with their widgets removed, reports it by held-out form, and with
//! `--write` writes the model trained on every form to `src/fields/score_model.rs`.
//!
//!     cargo run --release -p formsmith-detect --example train_scorer [-- --write] [--threshold T]
//!
//! Data: every PDF in `../shared/corpus/fillable` and `../shared/corpus/train`. A candidate
//! (what the rules find, before the scorer) is positive when it covers a removed widget
//! (IoU ≥ 0.5, any type: whether a field is there is the scorer's question, its type the
//! rules'). Forms are split into five folds by a hash of their file name; each fold is
//! scored by trees trained on the other four, so every figure printed is held out by form.
//! Scores are those of the README table (`fieldeval`): same matching, drawn widgets only.
//!
//! Deterministic: same corpus, same model file.

#[path = "../tests/eval/mod.rs"]
mod eval;

use std::path::PathBuf;

use formsmith_detect::{
    DetectOptions, FEATURE_NAMES, FEATURES, FieldKind, detect_fields_with_features,
};
use formsmith_page::page_marks;

const FOLDS: usize = 5;
const ROUNDS: usize = 150;
const DEPTH: usize = 4;
const LEARNING_RATE: f32 = 0.1;
const LAMBDA: f32 = 1.0;
const MIN_CHILD_HESSIAN: f32 = 5.0;
const MAX_BINS: usize = 64;

/// One candidate of one form.
struct Sample {
    x: [f32; FEATURES],
    positive: bool,
}

/// One page: its candidates (kind, box, sample index) and its widgets.
struct PageData {
    detections: Vec<(FieldKind, [f32; 4], usize)>,
    truths: Vec<eval::Truth>,
    shown: Vec<bool>,
}

struct FormData {
    file: String,
    set: &'static str,
    fold: usize,
    pages: Vec<PageData>,
}

/// Pages with fewer candidates keep them all, as in the library
/// (`MIN_CANDIDATES_TO_JUDGE`); `MIN_PAGE=0` scores every page.
fn min_page() -> usize {
    std::env::var("MIN_PAGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}

fn fold_of(name: &str) -> usize {
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    (h % FOLDS as u64) as usize
}

fn load(samples: &mut Vec<Sample>) -> Vec<FormData> {
    let mut paths: Vec<(PathBuf, &'static str)> = Vec::new();
    for set in ["fillable", "train"] {
        paths.extend(eval::pdfs(set).into_iter().map(|p| (p, set)));
    }
    let mut forms = Vec::new();
    let options = DetectOptions::default();
    for (path, set) in paths {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Ok((truths, _)) = eval::truth(&bytes) else {
            continue;
        };
        let Ok(stripped) = eval::strip(&bytes) else {
            continue;
        };
        let Ok(detected) = detect_fields_with_features(&stripped, None, &options) else {
            eprintln!("{file}: detection failed");
            continue;
        };
        let marks = page_marks(&stripped, None, &options.text).unwrap_or_default();
        let mut pages = Vec::new();
        for (page, features) in detected {
            let page_truth: Vec<eval::Truth> = truths
                .iter()
                .filter(|t| t.page == page.page)
                .cloned()
                .collect();
            let no_marks = Vec::new();
            let page_marks = marks.get(page.page).unwrap_or(&no_marks);
            let shown = page_truth
                .iter()
                .map(|t| eval::printed(&t.rect, page_marks))
                .collect();
            let mut detections = Vec::new();
            for (field, x) in page.fields.iter().zip(features) {
                let positive = page_truth
                    .iter()
                    .any(|t| eval::iou(&field.rect, &t.rect) >= 0.5);
                detections.push((field.kind, field.rect, samples.len()));
                samples.push(Sample { x, positive });
            }
            pages.push(PageData {
                detections,
                truths: page_truth,
                shown,
            });
        }
        forms.push(FormData {
            fold: fold_of(&file),
            file,
            set,
            pages,
        });
    }
    forms
}

/// A trained node: split on `feature` at `threshold` (≤ goes left) or a leaf (`feature`
/// None) with its output.
#[derive(Clone, Debug)]
struct TrainedNode {
    feature: Option<usize>,
    threshold: f32,
    left: usize,
    right: usize,
}

struct Model {
    base: f32,
    nodes: Vec<TrainedNode>,
    roots: Vec<usize>,
    gain: [f64; FEATURES],
}

impl Model {
    /// One tree's output for `x`.
    fn tree(&self, root: usize, x: &[f32; FEATURES]) -> f32 {
        let mut at = root;
        loop {
            let n = &self.nodes[at];
            match n.feature {
                None => return n.threshold,
                Some(f) => at = if x[f] <= n.threshold { n.left } else { n.right },
            }
        }
    }
    fn raw(&self, x: &[f32; FEATURES]) -> f32 {
        self.base
            + self
                .roots
                .iter()
                .map(|&root| self.tree(root, x))
                .sum::<f32>()
    }
    fn predict(&self, x: &[f32; FEATURES]) -> f32 {
        1.0 / (1.0 + (-self.raw(x)).exp())
    }
}

/// Cut points per feature: up to MAX_BINS - 1 quantiles of the training values.
fn cuts(samples: &[&Sample]) -> Vec<Vec<f32>> {
    (0..FEATURES)
        .map(|f| {
            let mut v: Vec<f32> = samples.iter().map(|s| s.x[f]).collect();
            v.sort_by(f32::total_cmp);
            v.dedup();
            if v.len() <= MAX_BINS {
                // Midpoints between distinct values.
                return v.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
            }
            let mut out: Vec<f32> = (1..MAX_BINS).map(|k| v[k * v.len() / MAX_BINS]).collect();
            out.dedup();
            out
        })
        .collect()
}

fn bin_of(cuts: &[f32], x: f32) -> u8 {
    cuts.partition_point(|&c| c < x) as u8
}

fn train(samples: &[&Sample]) -> Model {
    let cuts = cuts(samples);
    let bins: Vec<[u8; FEATURES]> = samples
        .iter()
        .map(|s| std::array::from_fn(|f| bin_of(&cuts[f], s.x[f])))
        .collect();
    let y: Vec<f32> = samples
        .iter()
        .map(|s| f32::from(u8::from(s.positive)))
        .collect();
    let mean = (y.iter().sum::<f32>() / y.len().max(1) as f32).clamp(0.01, 0.99);
    let base = (mean / (1.0 - mean)).ln();
    let mut raw = vec![base; samples.len()];
    let mut model = Model {
        base,
        nodes: Vec::new(),
        roots: Vec::new(),
        gain: [0.0; FEATURES],
    };
    let mut g = vec![0.0f32; samples.len()];
    let mut h = vec![0.0f32; samples.len()];
    for _ in 0..ROUNDS {
        for i in 0..samples.len() {
            let p = 1.0 / (1.0 + (-raw[i]).exp());
            g[i] = p - y[i];
            h[i] = (p * (1.0 - p)).max(1e-6);
        }
        let all: Vec<usize> = (0..samples.len()).collect();
        let root = grow(&mut model, &bins, &cuts, &g, &h, all, 0);
        model.roots.push(root);
        for (i, s) in samples.iter().enumerate() {
            raw[i] += model.tree(root, &s.x);
        }
    }
    model
}

/// Grows one node (and below) over the samples `rows`; returns its index.
fn grow(
    model: &mut Model,
    bins: &[[u8; FEATURES]],
    cuts: &[Vec<f32>],
    g: &[f32],
    h: &[f32],
    rows: Vec<usize>,
    depth: usize,
) -> usize {
    let (gs, hs) = rows.iter().fold((0.0f64, 0.0f64), |(a, b), &i| {
        (a + g[i] as f64, b + h[i] as f64)
    });
    let leaf = |model: &mut Model| {
        model.nodes.push(TrainedNode {
            feature: None,
            threshold: (-gs / (hs + LAMBDA as f64)) as f32 * LEARNING_RATE,
            left: 0,
            right: 0,
        });
        model.nodes.len() - 1
    };
    if depth >= DEPTH || rows.len() < 4 {
        return leaf(model);
    }
    let parent = gs * gs / (hs + LAMBDA as f64);
    let mut best: Option<(f64, usize, usize)> = None; // gain, feature, bin
    for f in 0..FEATURES {
        let n = cuts[f].len() + 1;
        if n < 2 {
            continue;
        }
        let mut hg = vec![0.0f64; n];
        let mut hh = vec![0.0f64; n];
        for &i in &rows {
            let b = bins[i][f] as usize;
            hg[b] += g[i] as f64;
            hh[b] += h[i] as f64;
        }
        let (mut gl, mut hl) = (0.0, 0.0);
        for b in 0..n - 1 {
            gl += hg[b];
            hl += hh[b];
            let (gr, hr) = (gs - gl, hs - hl);
            if hl < MIN_CHILD_HESSIAN as f64 || hr < MIN_CHILD_HESSIAN as f64 {
                continue;
            }
            let gain = gl * gl / (hl + LAMBDA as f64) + gr * gr / (hr + LAMBDA as f64) - parent;
            if gain > 1e-6 && best.is_none_or(|(bg, _, _)| gain > bg) {
                best = Some((gain, f, b));
            }
        }
    }
    let Some((gain, f, b)) = best else {
        return leaf(model);
    };
    model.gain[f] += gain;
    let (left_rows, right_rows): (Vec<usize>, Vec<usize>) =
        rows.into_iter().partition(|&i| bins[i][f] as usize <= b);
    let at = model.nodes.len();
    model.nodes.push(TrainedNode {
        feature: Some(f),
        threshold: cuts[f][b],
        left: 0,
        right: 0,
    });
    let left = grow(model, bins, cuts, g, h, left_rows, depth + 1);
    let right = grow(model, bins, cuts, g, h, right_rows, depth + 1);
    model.nodes[at].left = left;
    model.nodes[at].right = right;
    at
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let write = args.iter().any(|a| a == "--write");
    let threshold: f32 = args
        .iter()
        .position(|a| a == "--threshold")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.5);
    let mut samples = Vec::new();
    let forms = load(&mut samples);
    // `--without a,b`: features held at 0 (to measure what they add).
    if let Some(names) = args
        .iter()
        .position(|a| a == "--without")
        .and_then(|i| args.get(i + 1))
    {
        let off: Vec<usize> = names
            .split(',')
            .filter_map(|n| FEATURE_NAMES.iter().position(|f| *f == n))
            .collect();
        for s in &mut samples {
            for &f in &off {
                s.x[f] = 0.0;
            }
        }
    }
    let positives = samples.iter().filter(|s| s.positive).count();
    println!(
        "{} forms, {} candidates ({} on a widget)",
        forms.len(),
        samples.len(),
        positives
    );

    // Held-out predictions: each fold by trees trained on the others.
    let mut held_out = vec![1.0f32; samples.len()];
    let mut gain = [0.0f64; FEATURES];
    for fold in 0..FOLDS {
        let in_fold: Vec<bool> = {
            let mut v = vec![false; samples.len()];
            for form in forms.iter().filter(|f| f.fold == fold) {
                for p in &form.pages {
                    for d in &p.detections {
                        v[d.2] = true;
                    }
                }
            }
            v
        };
        let training: Vec<&Sample> = samples
            .iter()
            .zip(&in_fold)
            .filter(|(_, t)| !**t)
            .map(|(s, _)| s)
            .collect();
        let model = train(&training);
        for (i, s) in samples.iter().enumerate() {
            if in_fold[i] {
                held_out[i] = model.predict(&s.x);
            }
        }
        for (a, b) in gain.iter_mut().zip(model.gain) {
            *a += b;
        }
    }

    println!("\nHeld-out by form ({FOLDS} folds), drawn widgets, text / checkbox:");
    println!("| forms | cut | text P | text R | text F1 | check P | check R | check F1 |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for set in ["fillable", "train", "all"] {
        for cut in [0.0, 0.3, 0.4, 0.5, 0.6, 0.7] {
            let s = score(&forms, &held_out, cut, |f| set == "all" || f.set == set);
            println!(
                "| {set} | {cut:.1} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                s[0].precision(),
                s[0].recall(),
                s[0].f1(),
                s[1].precision(),
                s[1].recall(),
                s[1].f1()
            );
        }
    }
    let mut order: Vec<usize> = (0..FEATURES).collect();
    order.sort_by(|a, b| gain[*b].total_cmp(&gain[*a]));
    let total: f64 = gain.iter().sum::<f64>().max(1e-9);
    println!("\nFeature gain (share, all folds):");
    for f in order.iter().take(15) {
        println!("  {:20} {:.3}", FEATURE_NAMES[*f], gain[*f] / total);
    }
    if args.iter().any(|a| a == "--forms") {
        for form in &forms {
            let s = score(std::slice::from_ref(form), &held_out, threshold, |_| true);
            let b = score(std::slice::from_ref(form), &held_out, 0.0, |_| true);
            println!(
                "{:70} text {:.2}->{:.2} check {:.2}->{:.2}",
                form.file,
                b[0].f1(),
                s[0].f1(),
                b[1].f1(),
                s[1].f1()
            );
        }
    }

    if write {
        let all: Vec<&Sample> = samples.iter().collect();
        let model = train(&all);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/fields/score_model.rs");
        match std::fs::write(
            path,
            model_source(&model, threshold, forms.len(), samples.len()),
        ) {
            Ok(()) => println!("\nwrote {path} ({} nodes)", model.nodes.len()),
            Err(e) => eprintln!("cannot write {path}: {e}"),
        }
    }
}

/// Pooled drawn-widget scores of the forms `keep` selects, keeping candidates whose
/// held-out confidence is at least `cut`.
fn score(
    forms: &[FormData],
    held_out: &[f32],
    cut: f32,
    keep: impl Fn(&FormData) -> bool,
) -> [eval::Score; 3] {
    let mut total = [eval::Score::default(); 3];
    for form in forms.iter().filter(|f| keep(f)) {
        for p in &form.pages {
            let kept: Vec<(FieldKind, [f32; 4])> = p
                .detections
                .iter()
                .filter(|d| held_out[d.2] >= cut || p.detections.len() < min_page())
                .map(|d| (d.0, d.1))
                .collect();
            let truths: Vec<&eval::Truth> = p.truths.iter().collect();
            let m = eval::match_page(&kept, &truths, &p.shown);
            for (t, s) in total.iter_mut().zip(&m.printed) {
                t.add(s);
            }
        }
    }
    total
}

/// The model as Rust source for `src/fields/score_model.rs`.
fn model_source(model: &Model, threshold: f32, forms: usize, samples: usize) -> String {
    let mut s = String::new();
    s.push_str("// Written by `cargo run --release -p formsmith-detect --example train_scorer -- --write`;\n");
    s.push_str(&format!(
        "// do not edit. {} trees of depth <= {DEPTH} over {FEATURES} features, trained on {samples}\n// candidates of {forms} corpus forms.\n",
        model.roots.len()
    ));
    s.push_str("use super::trees::{LEAF, Node};\n\n");
    s.push_str("/// The trees' starting log-odds.\n");
    s.push_str(&format!("pub(super) const BASE: f32 = {:?};\n", model.base));
    s.push_str("/// Candidates scoring below this are dropped by default (`DetectOptions::min_confidence`).\n");
    s.push_str(&format!(
        "pub(super) const THRESHOLD: f32 = {threshold:?};\n"
    ));
    s.push_str("/// Every tree's nodes, trees one after another.\n");
    s.push_str("#[rustfmt::skip]\npub(super) static NODES: &[Node] = &[\n");
    for n in &model.nodes {
        match n.feature {
            Some(f) => s.push_str(&format!(
                "    Node {{ feature: {f}, threshold: {:?}, left: {}, right: {} }},\n",
                n.threshold, n.left, n.right
            )),
            None => s.push_str(&format!(
                "    Node {{ feature: LEAF, threshold: {:?}, left: 0, right: 0 }},\n",
                n.threshold
            )),
        }
    }
    s.push_str("];\n/// The index of each tree's root in [`NODES`].\n#[rustfmt::skip]\npub(super) static TREES: &[u16] = &[\n");
    let roots: Vec<String> = model.roots.iter().map(|r| r.to_string()).collect();
    for chunk in roots.chunks(16) {
        s.push_str(&format!("    {},\n", chunk.join(", ")));
    }
    s.push_str("];\n");
    s
}
