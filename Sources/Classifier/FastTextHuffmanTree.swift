/// The binary tree of fastText's hierarchical softmax, rebuilt from the labels' training counts.
///
/// fastText does not save the tree: it rebuilds it on load from the label counts (labels sorted
/// by decreasing count), merging the two lightest nodes as a Huffman code does. Leaves are
/// labels `0..<n`; inner node `n + i` uses row `i` of the output matrix; the root is `2n − 2`.
struct FastTextHuffmanTree: Sendable {
    let leafCount: Int
    private(set) var left: [Int32]
    private(set) var right: [Int32]

    var root: Int { 2 * leafCount - 2 }

    /// Rebuilds the tree exactly as fastText's `HierarchicalSoftmaxLoss::buildTree`.
    init(counts: [Int64]) {
        let n = counts.count
        leafCount = n
        let size = max(2 * n - 1, 0)
        left = [Int32](repeating: -1, count: size)
        right = [Int32](repeating: -1, count: size)
        var weight = [Int64](repeating: 1_000_000_000_000_000, count: size)
        for index in 0..<n { weight[index] = counts[index] }
        var leaf = n - 1
        var node = n
        for parent in n..<max(size, n) {
            var lightest = (0, 0)
            for slot in 0..<2 {
                let chosen: Int
                if leaf >= 0 && weight[leaf] < weight[node] {
                    chosen = leaf
                    leaf -= 1
                } else {
                    chosen = node
                    node += 1
                }
                if slot == 0 { lightest.0 = chosen } else { lightest.1 = chosen }
            }
            left[parent] = Int32(lightest.0)
            right[parent] = Int32(lightest.1)
            weight[parent] = weight[lightest.0] + weight[lightest.1]
        }
    }

    func isLeaf(_ node: Int) -> Bool { left[node] == -1 && right[node] == -1 }
}
