extension TTCModel {
    /// The vector the head reads, normalised: the mean of the RMS-normed rows of `ids`, joined
    /// with the categorical rows `categoricalIds` as the settings' combination says, then
    /// RMS-normed as a whole. `head` has `headInputDim` elements.
    func headInput(
        ids: UnsafeBufferPointer<Int32>,
        categoricalIds: UnsafeBufferPointer<Int>,
        into head: UnsafeMutableBufferPointer<Float>
    ) {
        textMean(ids: ids, into: head)
        addCategorical(categoricalIds, into: head)
        Self.rmsNormalize(head, eps: Float(settings.rmsNormEps))
    }

    /// `(Σ_t E[ids_t] / rms(E[ids_t])) / T` into the first `dim` elements; padding never
    /// enters (the tokenizer emits none), so this is the library's masked mean.
    private func textMean(ids: UnsafeBufferPointer<Int32>, into head: UnsafeMutableBufferPointer<Float>) {
        let dim = settings.dim
        let table = embeddings
        for index in 0..<dim { head[index] = 0 }
        rowScales.withUnsafeBufferPointer { scales in
            for id in ids {
                let row = table + Int(id) * dim
                let scale = scales[Int(id)]
                for index in 0..<dim { head[index] += row[index] * scale }
            }
        }
        let count = Float(max(ids.count, 1))
        for index in 0..<dim { head[index] /= count }
    }

    private func addCategorical(_ ids: UnsafeBufferPointer<Int>, into head: UnsafeMutableBufferPointer<Float>) {
        let dim = settings.dim
        let dims = settings.categoricalDims
        switch settings.combination {
        case nil: return
        case .sumToText:
            for (feature, id) in ids.enumerated() {
                let row = categoricalEmbedding(feature) + id * dim
                for index in 0..<dim { head[index] += row[index] }
            }
        case .averageAndConcat:
            let width = dims[0]
            for index in dim..<dim + width { head[index] = 0 }
            for (feature, id) in ids.enumerated() {
                let row = categoricalEmbedding(feature) + id * width
                for index in 0..<width { head[dim + index] += row[index] }
            }
            let count = Float(ids.count)
            for index in dim..<dim + width { head[index] /= count }
        case .concatenateAll:
            var start = dim
            for (feature, id) in ids.enumerated() {
                let row = categoricalEmbedding(feature) + id * dims[feature]
                for index in 0..<dims[feature] { head[start + index] = row[index] }
                start += dims[feature]
            }
        }
    }

    /// `F.rms_norm` without weight: `x / sqrt(mean(x²) + eps)`.
    static func rmsNormalize(_ values: UnsafeMutableBufferPointer<Float>, eps: Float) {
        var squares: Float = 0
        for value in values { squares += value * value }
        let scale = 1 / (squares / Float(values.count) + eps).squareRoot()
        for index in values.indices { values[index] *= scale }
    }
}
