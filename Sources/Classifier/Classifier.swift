internal import COpenBLAS

/// Classifies texts with a loaded ``ModelPackage``.
///
/// A classifier owns scratch buffers so that classifying a form allocates nothing in its hot
/// loop (tokens, hidden vector, output scores); only the returned ``Prediction`` is allocated.
/// It is therefore not `Sendable`: give each worker thread its own classifier over one shared
/// package. Classifying is synchronous CPU work; run it off Swift concurrency's cooperative pool.
public final class Classifier {
    /// The package this classifier runs.
    public let package: ModelPackage
    /// Top-k, `prob_min` and threshold in force; the manifest's unless overridden.
    public var policy: ModelManifest.DecisionPolicy

    /// The fastText model of a `fasttext` package; `nil` for another architecture.
    let model: FastTextModel!
    /// The model of a `ttc-ngram` package; `nil` for another architecture.
    let ttc: TTCModel?
    var tokens = FastTextTokenizer.Scratch()
    var ttcTokens = TTCTokenizer.Scratch()
    /// The categorical ids of the form being classified (ttc).
    var categoricalIds: [Int]
    /// The vector the output layer reads.
    var hidden: [Float]
    var scores: [Float]
    var ranked: FastTextTopK

    /// Creates a classifier for `package`, with the manifest's decision policy unless `policy` is given.
    ///
    /// OpenBLAS is pinned to one thread for the whole process: matrices of a few hundred rows
    /// gain nothing from BLAS threads, and workers scale by running one classifier per core.
    public init(package: ModelPackage, policy: ModelManifest.DecisionPolicy? = nil) {
        openblas_set_num_threads(1)
        self.package = package
        self.policy = policy ?? package.manifest.decision
        self.model = package.fastTextModel
        self.ttc = package.ttcModel
        hidden = [Float](repeating: 0, count: ttc?.settings.headInputDim ?? model.settings.dim)
        scores = [Float](repeating: 0, count: package.manifest.labels.count)
        categoricalIds = [Int](repeating: 0, count: ttc?.features.count ?? 0)
        ranked = FastTextTopK(capacity: 16)
    }

    /// Classifies one text, returning at most `topK` candidates (the policy's when `nil`).
    ///
    /// A ttc model's categorical features then take their unknown id: give the form's fields
    /// to ``classify(fields:topK:)`` to use them.
    public func classify(text: String, topK: Int? = nil) -> Prediction {
        if let ttc { return ttcPrediction(ttc, text: text, fields: NoFormFields(), topK: topK ?? policy.topK) }
        model.tokenizer.rows(of: text, into: &tokens)
        guard !tokens.rows.isEmpty else { return .empty }
        hidden.withUnsafeMutableBufferPointer { averageRows(into: $0) }
        if model.settings.loss == .hierarchicalSoftmax { return hierarchicalPrediction(topK: topK ?? policy.topK) }
        computeScores()
        return scores.withUnsafeBufferPointer { prediction(from: $0, topK: topK ?? policy.topK) }
    }

    /// Classifies a form given as field name → value, building its text as the manifest says.
    public func classify(fields: some FormFields, topK: Int? = nil) -> Prediction {
        let text = package.manifest.text(fromFields: fields)
        if let ttc { return ttcPrediction(ttc, text: text, fields: fields, topK: topK ?? policy.topK) }
        return classify(text: text, topK: topK)
    }

    /// fastText's `computeHidden`: the mean of the rows of every token id, summed in order in
    /// single precision and scaled by `1/n` rounded to single precision, as fastText does.
    func averageRows(into hidden: UnsafeMutableBufferPointer<Float>) {
        let dim = hidden.count
        let input = model.input
        for index in 0..<dim { hidden[index] = 0 }
        for row in tokens.rows {
            let values = input + Int(row) * dim
            for index in 0..<dim { hidden[index] += values[index] }
        }
        let scale = Float(1.0 / Double(tokens.rows.count))
        for index in 0..<dim { hidden[index] *= scale }
    }

    /// The output layer. Each label's score is summed over the hidden vector in fastText's order
    /// (`d += w[i][j] * h[j]`, j ascending, in `Float`, no fused multiply-add), as fastText's
    /// `dotRow` does: one-vs-all's sigmoid table turns a last-bit difference near a step into a
    /// visible one. Labels are independent lanes, so the loop still vectorizes across labels.
    private func computeScores() {
        let labelCount = model.labelCount
        scores.withUnsafeMutableBufferPointer { scores in
            model.outputByColumn.withUnsafeBufferPointer { columns in
                for label in 0..<labelCount { scores[label] = 0 }
                for (index, value) in hidden.enumerated() {
                    let column = columns.baseAddress! + index * labelCount
                    for label in 0..<labelCount { scores[label] += column[label] * value }
                }
            }
            activate(scores)
        }
    }
}

extension Prediction {
    /// The answer when the text yields no token at all (fastText then predicts nothing).
    static let empty = Prediction(candidates: [], confidenceIndex: 0, decision: .manualReview)
}
