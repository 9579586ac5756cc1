/// One token's share of a code's score.
public struct TokenContribution: Sendable, Equatable {
    /// The word (with its char n-grams), `</s>`, or a word n-gram such as "coiffure domicile".
    public var token: String
    /// What its rows add to the code's logit: the logit is the sum of all contributions.
    public var contribution: Double
}

extension Classifier {
    /// Each token's contribution to the logit of `code` (the top code when `nil`), largest first.
    ///
    /// A fastText model's logit is the output row of the code times the mean of the input rows of
    /// every token, so it splits exactly into one term per token: its rows' sum times the output
    /// row, over the number of rows. Hierarchical-softmax and torchTextClassifiers packages have
    /// no such split (a path of tree nodes; normalised embeddings): they explain nothing.
    public func explain(text: String, code: String? = nil) -> [TokenContribution] {
        guard package.manifest.architecture == .fasttext, model.settings.loss != .hierarchicalSoftmax else { return [] }
        guard let target = code ?? classify(text: text, topK: 1).candidates.first?.code,
            let label = package.manifest.labels.firstIndex(where: { $0.code == target })
        else { return [] }
        let groups = model.tokenizer.rowsByToken(of: text)
        let rowCount = Double(groups.reduce(0) { $0 + $1.rows.count })
        guard rowCount > 0 else { return [] }
        let dim = model.settings.dim
        let output = model.output + label * dim
        let norm = Double(model.outputNorms?[label] ?? 1)
        return groups.map { group in
            var sum = 0.0
            for row in group.rows {
                let values = model.input + Int(row) * dim
                for index in 0..<dim { sum += Double(values[index]) * Double(output[index]) }
            }
            return TokenContribution(token: group.token, contribution: sum * norm / rowCount)
        }.sorted { abs($0.contribution) > abs($1.contribution) }
    }
}
