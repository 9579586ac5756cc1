extension Classifier {
    /// Turns raw output scores into probabilities in place, as fastText's loss does at predict
    /// time, after the per-label norms of a quantized output (`mulcode` scales the finished dot product).
    func activate(_ scores: UnsafeMutableBufferPointer<Float>) {
        if let norms = model.outputNorms {
            for index in scores.indices { scores[index] *= norms[index] }
        }
        switch model.settings.loss {
        case .softmax: Self.softmax(scores)
        case .oneVsAll: Self.sigmoid(scores)
        case .hierarchicalSoftmax: preconditionFailure("hierarchical softmax scores only the nodes it visits")
        }
    }

    /// fastText's `SoftmaxLoss::computeOutput`: shift by the max, exponentiate, normalise, in `Float`.
    /// The exponentials are computed eight at a time (``VectorExp``), within a few ulps of `expf`.
    static func softmax(_ scores: UnsafeMutableBufferPointer<Float>) {
        var maximum = scores[0]
        for score in scores where score > maximum { maximum = score }
        let total = VectorExp.exponentiate(scores, minus: maximum)
        for index in scores.indices { scores[index] /= total }
    }

    /// fastText's one-vs-all predict: its sigmoid lookup table per label (see ``FastTextSigmoid``).
    static func sigmoid(_ scores: UnsafeMutableBufferPointer<Float>) {
        for index in scores.indices { scores[index] = FastTextSigmoid.value(scores[index]) }
    }

    /// Candidates, confidence index and decision from one row of probabilities.
    ///
    /// As fastText's predict: labels below `prob_min` are left out, the `k` most probable kept,
    /// best first, ties ordered as fastText orders them (see ``FastTextTopK``).
    func prediction(from probabilities: UnsafeBufferPointer<Float>, topK: Int) -> Prediction {
        ranked.select(probabilities, k: min(topK, probabilities.count), threshold: Float(policy.probMin))
        let labels = package.manifest.labels
        let candidates = ranked.labels.map { index in
            Candidate(code: labels[index].code, label: labels[index].label, probability: Double(probabilities[index]))
        }
        let confidence = Double(confidenceIndex(probabilities, selectedTop: topK))
        let decision: Decision = confidence >= policy.confidenceThreshold ? .autoCoded : .manualReview
        return Prediction(candidates: candidates, confidenceIndex: confidence, decision: decision)
    }

    /// p1 − p2 over all labels. When the selection kept at least two labels with no threshold,
    /// they are the best two; otherwise all labels are scanned.
    private func confidenceIndex(_ probabilities: UnsafeBufferPointer<Float>, selectedTop topK: Int) -> Float {
        let labels = ranked.labels
        guard topK >= 2, policy.probMin <= 0, labels.count >= 2 else { return Self.topTwoGap(probabilities) }
        return probabilities[labels[0]] - probabilities[labels[1]]
    }

    /// p1 − p2 over all labels; p1 when there is a single label.
    static func topTwoGap(_ probabilities: UnsafeBufferPointer<Float>) -> Float {
        var first: Float = -.infinity
        var second: Float = -.infinity
        for probability in probabilities {
            if probability > first {
                second = first
                first = probability
            } else if probability > second {
                second = probability
            }
        }
        return second == -.infinity ? first : first - second
    }
}
