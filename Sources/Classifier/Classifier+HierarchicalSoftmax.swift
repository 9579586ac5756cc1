#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Classifier {
    /// fastText's hierarchical-softmax predict: a depth-first search of the Huffman tree that
    /// keeps the best `k` leaves by path score and prunes branches that cannot enter the top k.
    ///
    /// The probability reported is fastText's own, `exp(Σ log(f + 1e-5))` over the path's node
    /// probabilities `f`: its 1e-5 smoothing compounds along the path, so it is not `Π f`.
    /// The confidence index needs the best two leaves with no threshold: taken from the search
    /// itself when it asked for as much, else from a second search.
    func hierarchicalPrediction(topK: Int) -> Prediction {
        guard let tree = model.tree else { return .empty }
        let k = min(topK, tree.leafCount)
        var confidence = 0.0
        if k < 2 || policy.probMin > 0 {
            search(tree, k: min(2, tree.leafCount), threshold: 0)
            confidence = topTwoGap()
        }
        search(tree, k: k, threshold: Float(policy.probMin))
        if k >= 2 && policy.probMin <= 0 { confidence = topTwoGap() }
        let labels = package.manifest.labels
        let candidates = zip(ranked.labels, ranked.scores).map { index, score in
            Candidate(code: labels[index].code, label: labels[index].label, probability: Double(expf(score)))
        }
        let decision: Decision = confidence >= policy.confidenceThreshold ? .autoCoded : .manualReview
        return Prediction(candidates: candidates, confidenceIndex: confidence, decision: decision)
    }

    private func topTwoGap() -> Double {
        switch ranked.scores.count {
        case 0: 0
        case 1: Double(expf(ranked.scores[0]))
        default: Double(expf(ranked.scores[0])) - Double(expf(ranked.scores[1]))
        }
    }

    /// The heap is moved out of `self` for the search so the recursion works on a local value
    /// (no exclusivity check per node); an empty `FastTextTopK` allocates nothing.
    /// The heap is copied out of `self` for the search (the copy shares its memory) so the
    /// recursion works on a local value, with no exclusivity check per node.
    private func search(_ tree: FastTextHuffmanTree, k: Int, threshold: Float) {
        var heap = ranked
        heap.reset(k: k)
        if k > 0 {
            withTreeView(tree) { view in
                Self.descend(view, node: tree.root, score: 0, k: k, floor: FastTextTopK.score(threshold), &heap)
            }
            heap.sortBestFirst()
        }
        ranked = heap
    }

    private func withTreeView(_ tree: FastTextHuffmanTree, _ body: (TreeView) -> Void) {
        hidden.withUnsafeBufferPointer { hidden in
            tree.left.withUnsafeBufferPointer { left in
                tree.right.withUnsafeBufferPointer { right in
                    (model.outputNorms ?? []).withUnsafeBufferPointer { norms in
                        body(
                            TreeView(
                                left: left,
                                right: right,
                                leafCount: tree.leafCount,
                                output: model.output,
                                norms: norms,
                                hidden: hidden
                            )
                        )
                    }
                }
            }
        }
    }

    /// The tree and the vectors one search reads, as plain pointers so recursion retains nothing.
    private struct TreeView {
        let left: UnsafeBufferPointer<Int32>
        let right: UnsafeBufferPointer<Int32>
        let leafCount: Int
        let output: UnsafePointer<Float>
        /// Per-row norms of a quantized output; empty when there are none.
        let norms: UnsafeBufferPointer<Float>
        let hidden: UnsafeBufferPointer<Float>

        /// fastText's node probability: the sigmoid of the node row's dot product with the hidden vector.
        func probability(_ node: Int) -> Float {
            let rowIndex = node - leafCount
            let row = output + rowIndex * hidden.count
            var dot: Float = 0
            for index in 0..<hidden.count { dot += row[index] * hidden[index] }
            if !norms.isEmpty { dot *= norms[rowIndex] }
            return Float(1.0 / Double(1 + expf(-dot)))
        }
    }

    private static func descend(
        _ tree: TreeView,
        node: Int,
        score: Float,
        k: Int,
        floor: Float,
        _ heap: inout FastTextTopK
    ) {
        if score < floor { return }
        if heap.isFull(k) && score < heap.worstScore { return }
        if tree.left[node] == -1 && tree.right[node] == -1 {
            heap.offer(score: score, label: node, k: k)
            return
        }
        let f = tree.probability(node)
        let leftScore = score + FastTextTopK.score(Float(1.0 - Double(f)))
        descend(tree, node: Int(tree.left[node]), score: leftScore, k: k, floor: floor, &heap)
        descend(tree, node: Int(tree.right[node]), score: score + FastTextTopK.score(f), k: k, floor: floor, &heap)
    }
}
