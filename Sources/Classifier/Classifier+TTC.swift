internal import COpenBLAS

extension Classifier {
    /// Classifies many forms given as field name → value at once, for any architecture: texts
    /// are built as the manifest says and, for a ttc model, categorical features are read from
    /// the fields. The output layer runs as one `sgemm` over the whole batch.
    ///
    /// This is synchronous CPU work: call it from a dedicated thread, not from Swift
    /// concurrency's cooperative pool.
    public func classify<Fields: FormFields>(batchOfFields forms: [Fields], topK: Int? = nil) -> [Prediction] {
        let texts = forms.map { package.manifest.text(fromFields: $0) }
        guard let ttc else { return classify(batch: texts, topK: topK) }
        return ttcPredictions(ttc, texts: texts, fields: forms, topK: topK ?? policy.topK)
    }

    /// One form through a ttc model: tokens, head input, `W h + b` (one `sgemv`), softmax, ranking.
    func ttcPrediction(_ ttc: TTCModel, text: String, fields: some FormFields, topK: Int) -> Prediction {
        fillHeadInput(ttc, text: text, fields: fields)
        let labelCount = ttc.labelCount
        let width = Int32(ttc.settings.headInputDim)
        hidden.withUnsafeBufferPointer { head in
            scores.withUnsafeMutableBufferPointer { scores in
                scores.baseAddress!.update(from: ttc.headBias, count: labelCount)
                cblas_sgemv(
                    CblasRowMajor,
                    CblasNoTrans,
                    Int32(labelCount),
                    width,
                    1,
                    ttc.headWeight,
                    width,
                    head.baseAddress,
                    1,
                    1,
                    scores.baseAddress,
                    1
                )
                Self.softmax(scores)
            }
        }
        return scores.withUnsafeBufferPointer { prediction(from: $0, topK: topK) }
    }

    /// Many forms through a ttc model; `fields[i]` gives form i's categorical values.
    func ttcPredictions(_ ttc: TTCModel, texts: [String], fields: [some FormFields], topK: Int) -> [Prediction] {
        let width = ttc.settings.headInputDim
        let labelCount = ttc.labelCount
        var heads = [Float](repeating: 0, count: texts.count * width)
        for (index, text) in texts.enumerated() {
            fillHeadInput(ttc, text: text, fields: fields[index])
            heads.replaceSubrange(index * width..<(index + 1) * width, with: hidden)
        }
        var batchScores = [Float](repeating: 0, count: texts.count * labelCount)
        Self.multiplyByHead(ttc, heads, count: texts.count, into: &batchScores)
        return batchScores.withUnsafeMutableBufferPointer { scores in
            (0..<texts.count).map { index in
                let row = UnsafeMutableBufferPointer(rebasing: scores[index * labelCount..<(index + 1) * labelCount])
                Self.softmax(row)
                return prediction(from: UnsafeBufferPointer(row), topK: topK)
            }
        }
    }

    /// Tokenizes `text`, reads the categorical ids from `fields`, and leaves the normalised
    /// head input in `hidden`.
    private func fillHeadInput(_ ttc: TTCModel, text: String, fields: some FormFields) {
        ttc.tokenizer.ids(of: text, into: &ttcTokens)
        for (index, feature) in ttc.features.enumerated() {
            categoricalIds[index] = ttc.categoricalId(feature, value: fields.value(ofField: feature.field))
        }
        ttcTokens.ids.withUnsafeBufferPointer { ids in
            categoricalIds.withUnsafeBufferPointer { categorical in
                hidden.withUnsafeMutableBufferPointer { ttc.headInput(ids: ids, categoricalIds: categorical, into: $0) }
            }
        }
    }

    /// `scores (n × labels) = bias + heads (n × width) · Wᵀ (width × labels)`, one BLAS call.
    private static func multiplyByHead(_ ttc: TTCModel, _ heads: [Float], count: Int, into scores: inout [Float]) {
        let labelCount = ttc.labelCount
        let width = Int32(ttc.settings.headInputDim)
        heads.withUnsafeBufferPointer { heads in
            scores.withUnsafeMutableBufferPointer { scores in
                for row in 0..<count {
                    (scores.baseAddress! + row * labelCount).update(from: ttc.headBias, count: labelCount)
                }
                cblas_sgemm(
                    CblasRowMajor,
                    CblasNoTrans,
                    CblasTrans,
                    Int32(count),
                    Int32(labelCount),
                    width,
                    1,
                    heads.baseAddress,
                    width,
                    ttc.headWeight,
                    width,
                    1,
                    scores.baseAddress,
                    Int32(labelCount)
                )
            }
        }
    }
}
