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
    /// The confidence index comes from a second search for the best two leaves with no threshold.
    func hierarchicalPrediction(topK: Int) -> Prediction {
        guard let tree = model.tree else { return .empty }
        search(tree, k: min(2, tree.leafCount), threshold: 0)
        let best = ranked.scores.map { Double(expf($0)) }
        let confidence = best.count > 1 ? best[0] - best[1] : (best.first ?? 0)
        search(tree, k: min(topK, tree.leafCount), threshold: Float(policy.probMin))
        let labels = package.manifest.labels
        let candidates = zip(ranked.labels, ranked.scores).map { index, score in
            Candidate(code: labels[index].code, label: labels[index].label, probability: Double(expf(score)))
        }
        let decision: Decision = confidence >= policy.confidenceThreshold ? .autoCoded : .manualReview
        return Prediction(candidates: candidates, confidenceIndex: confidence, decision: decision)
    }

    private func search(_ tree: FastTextHuffmanTree, k: Int, threshold: Float) {
        ranked.reset()
        guard k > 0 else { return }
        hidden.withUnsafeBufferPointer { hidden in
            descend(tree, node: tree.root, score: 0, k: k, floor: FastTextTopK.score(threshold), hidden: hidden)
        }
        ranked.sortBestFirst()
    }

    private func descend(
        _ tree: FastTextHuffmanTree,
        node: Int,
        score: Float,
        k: Int,
        floor: Float,
        hidden: UnsafeBufferPointer<Float>
    ) {
        if score < floor { return }
        if ranked.isFull(k) && score < ranked.worstScore { return }
        if tree.isLeaf(node) {
            ranked.offer(score: score, label: node, k: k)
            return
        }
        let row = model.output + (node - tree.leafCount) * hidden.count
        var dot: Float = 0
        for index in 0..<hidden.count { dot += row[index] * hidden[index] }
        let f = Float(1.0 / Double(1 + expf(-dot)))
        let leftScore = score + FastTextTopK.score(Float(1.0 - Double(f)))
        descend(tree, node: Int(tree.left[node]), score: leftScore, k: k, floor: floor, hidden: hidden)
        descend(
            tree,
            node: Int(tree.right[node]),
            score: score + FastTextTopK.score(f),
            k: k,
            floor: floor,
            hidden: hidden
        )
    }
}
