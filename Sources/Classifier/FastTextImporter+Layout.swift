extension FastTextImporter {
    /// The package settings of a parsed model, after checking its matrices fit its dictionary.
    static func settings(of binary: FastTextBinary, file: String) throws(ModelPackageError) -> FastTextSettings {
        let loss = try loss(of: binary, file: file)
        let keptBuckets = binary.pruneIndexSize >= 0 ? Int(binary.pruneIndexSize) : nil
        let settings = FastTextSettings(
            dim: binary.dim,
            minn: binary.minn,
            maxn: binary.maxn,
            wordNgrams: binary.wordNgrams,
            bucket: binary.bucket,
            loss: loss,
            wordCount: binary.wordCount,
            keptBuckets: keptBuckets
        )
        let shapes =
            binary.input.columns == binary.dim && binary.output.columns == binary.dim
            && binary.input.rows == settings.inputRows && binary.output.rows == binary.labelCount
        let validMap = binary.pruneIndex.allSatisfy {
            (0..<binary.bucket).contains(Int($0.bucket)) && (0..<(keptBuckets ?? 0)).contains(Int($0.row))
        }
        guard binary.modelKind == 3, shapes, validMap else {
            throw .source(file, "is not a supervised model with the matrix shapes its dictionary implies")
        }
        return settings
    }

    private static func loss(of binary: FastTextBinary, file: String) throws(ModelPackageError) -> FastTextSettings.Loss
    {
        switch FastTextBinary.LossCode(rawValue: binary.loss) {
        case .softmax: return .softmax
        case .oneVsAll: return .oneVsAll
        case .hierarchicalSoftmax: return .hierarchicalSoftmax
        case .negativeSampling, nil:
            throw ModelPackageError(
                .unsupported,
                file: file,
                problem: "uses fastText loss code \(binary.loss) (negative sampling or unknown)",
                remedy: "import a model trained with -loss softmax, ova or hs"
            )
        }
    }

    /// The package's tensors: both matrices as `Float` (a quantized model expanded), the
    /// vocabulary, the label counts, and for pruned or norm-quantized models their extras.
    static func tensors(of binary: FastTextBinary, settings: FastTextSettings) -> [Tensor] {
        typealias Names = FastTextSettings.TensorName
        let words = binary.entries.prefix(binary.wordCount)
        var offsets: [Int64] = [0]
        for entry in words { offsets.append(offsets.last! + Int64(entry.word.count)) }
        var tensors = [
            Tensor(name: Names.input, dtype: .f32, shape: [binary.input.rows, binary.dim], bytes: binary.input.bytes),
            Tensor(
                name: Names.output,
                dtype: .f32,
                shape: [binary.output.rows, binary.dim],
                bytes: binary.output.bytes
            ),
            Tensor(name: Names.vocabularyOffsets, shape: [offsets.count], int64s: offsets),
            Tensor(
                name: Names.labelCounts,
                shape: [binary.labelCount],
                int64s: binary.entries.suffix(binary.labelCount).map(\.count)
            ),
            Tensor(name: Names.vocabularyBytes, dtype: .u8, shape: [Int(offsets.last!)], bytes: words.flatMap(\.word)),
        ]
        if settings.keptBuckets != nil {
            var rows = [Int32](repeating: -1, count: binary.bucket)
            for (bucket, row) in binary.pruneIndex { rows[Int(bucket)] = row }
            tensors.append(Tensor(name: Names.bucketRows, shape: [binary.bucket], int32s: rows))
        }
        if let norms = binary.output.norms {
            tensors.append(Tensor(name: Names.outputNorms, shape: [norms.count], floats: norms))
        }
        return tensors
    }
}
