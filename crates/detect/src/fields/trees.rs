//! Gradient-boosted trees as a flat table of nodes, and the walk down one tree: the form the
//! shipped scorer model (`score_model.rs`, generated) is written in.

/// One tree node: a split (`feature < LEAF`: go left when the value is at most `threshold`)
/// or a leaf holding its output in `threshold`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub feature: u8,
    pub threshold: f32,
    pub left: u16,
    pub right: u16,
}

/// `Node::feature` of a leaf.
pub(crate) const LEAF: u8 = u8::MAX;

/// Walks one tree from `root`; a malformed table (an index out of range) ends at 0.
pub(crate) fn tree_output(nodes: &[Node], root: usize, x: &[f32]) -> f32 {
    let mut at = root;
    // A tree is at most a few levels deep; the bound keeps a bad table from looping.
    for _ in 0..64 {
        let Some(node) = nodes.get(at) else {
            return 0.0;
        };
        if node.feature == LEAF {
            return node.threshold;
        }
        let value = x.get(node.feature as usize).copied().unwrap_or(0.0);
        at = if value <= node.threshold {
            node.left as usize
        } else {
            node.right as usize
        };
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_walks_to_its_leaf_and_a_bad_table_ends_at_zero() {
        let nodes = [
            Node {
                feature: 0,
                threshold: 5.0,
                left: 1,
                right: 2,
            },
            Node {
                feature: LEAF,
                threshold: -1.0,
                left: 0,
                right: 0,
            },
            Node {
                feature: LEAF,
                threshold: 2.0,
                left: 0,
                right: 0,
            },
            Node {
                feature: 1,
                threshold: 0.0,
                left: 9,
                right: 9,
            },
        ];
        assert_eq!(tree_output(&nodes, 0, &[4.0, 0.0]), -1.0);
        assert_eq!(tree_output(&nodes, 0, &[6.0, 0.0]), 2.0);
        assert_eq!(tree_output(&nodes, 3, &[0.0, 0.0]), 0.0);
    }
}
