internal import COpenBLAS

extension Classifier {
    /// Classifies many texts at once: every text's hidden vector is computed as in the single
    /// path, then the output layer runs as one `sgemm` over the whole batch.
    ///
    /// Results equal the single path's up to float rounding of the product's summation order
    /// (for one-vs-all, fastText's stepped sigmoid can turn a last-bit difference into one step
    /// of its table, at most 0.008). This is synchronous CPU work: call it from a dedicated
    /// thread, not from Swift concurrency's cooperative pool.
    public func classify(batch texts: [String], topK: Int? = nil) -> [Prediction] {
        guard !texts.isEmpty else { return [] }
        if let ttc {
            let noFields = [NoFormFields](repeating: NoFormFields(), count: texts.count)
            return ttcPredictions(ttc, texts: texts, fields: noFields, topK: topK ?? policy.topK)
        }
        // Hierarchical softmax visits a few tree nodes per form: there is no output layer to batch.
        if model.settings.loss == .hierarchicalSoftmax { return texts.map { classify(text: $0, topK: topK) } }
        let dim = model.settings.dim
        let labelCount = model.labelCount
        var hiddenRows = [Float](repeating: 0, count: texts.count * dim)
        var empty = [Bool](repeating: false, count: texts.count)
        hiddenRows.withUnsafeMutableBufferPointer { rows in
            for (index, text) in texts.enumerated() {
                model.tokenizer.rows(of: text, into: &tokens)
                empty[index] = tokens.rows.isEmpty
                if !empty[index] {
                    averageRows(into: UnsafeMutableBufferPointer(rebasing: rows[index * dim..<(index + 1) * dim]))
                }
            }
        }
        var batchScores = [Float](repeating: 0, count: texts.count * labelCount)
        multiplyByOutput(hiddenRows, count: texts.count, into: &batchScores)
        return batchScores.withUnsafeMutableBufferPointer { scores in
            (0..<texts.count).map { index in
                guard !empty[index] else { return Prediction.empty }
                let row = UnsafeMutableBufferPointer(rebasing: scores[index * labelCount..<(index + 1) * labelCount])
                activate(row)
                return prediction(from: UnsafeBufferPointer(row), topK: topK ?? policy.topK)
            }
        }
    }

    /// `scores (n × labels) = hidden (n × dim) · outputᵀ (dim × labels)`, one BLAS call.
    private func multiplyByOutput(_ hiddenRows: [Float], count: Int, into scores: inout [Float]) {
        let dim = Int32(model.settings.dim)
        let labels = Int32(model.labelCount)
        hiddenRows.withUnsafeBufferPointer { hidden in
            scores.withUnsafeMutableBufferPointer { scores in
                cblas_sgemm(
                    CblasRowMajor,
                    CblasNoTrans,
                    CblasTrans,
                    Int32(count),
                    labels,
                    dim,
                    1,
                    hidden.baseAddress,
                    dim,
                    model.output,
                    dim,
                    0,
                    scores.baseAddress,
                    labels
                )
            }
        }
    }
}
