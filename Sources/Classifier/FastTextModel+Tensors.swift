extension FastTextModel {
    /// Reads the small tensors of a fastText package out of the mapping into arrays, and
    /// checks the big ones can be used in place.
    struct TensorReader {
        typealias Names = FastTextSettings.TensorName
        let layout: SafeTensorsLayout
        let weights: MappedFile

        /// Offset of an `F32` tensor from the start of the mapping, which must be 4-byte aligned.
        func alignedFloatOffset(of name: String) throws(ModelPackageError) -> Int {
            guard let entry = layout.entries[name] else { throw .tensor(weights.path, "has no tensor '\(name)'") }
            let offset = layout.dataStart + entry.dataOffsets[0]
            guard offset % MemoryLayout<Float>.alignment == 0 else {
                throw .weights(weights.path, "tensor '\(name)' is not 4-byte aligned; rewrite the package")
            }
            return offset
        }

        /// The elements of tensor `name`, or `nil` when it is absent; it must be `dtype` with `count` elements.
        func elements<T: FixedWidthInteger>(
            _ name: String,
            _ type: T.Type,
            dtype: TensorDType,
            count: Int? = nil
        ) throws(ModelPackageError) -> [T]? {
            guard let entry = layout.entries[name] else { return nil }
            guard entry.dtype == dtype, entry.shape.count == 1, count == nil || entry.elementCount == count else {
                throw .tensor(
                    weights.path,
                    "tensor '\(name)' should be \(dtype.rawValue) [\(count.map(String.init) ?? "n")]"
                )
            }
            let start = layout.dataStart + entry.dataOffsets[0]
            let size = MemoryLayout<T>.size
            return (0..<entry.elementCount).map { index in
                T(littleEndian: weights.bytes.loadUnaligned(fromByteOffset: start + size * index, as: T.self))
            }
        }

        func vocabulary(ngrams: FastTextCharNgrams) throws(ModelPackageError) -> FastTextVocabulary {
            guard let bytes = try elements(Names.vocabularyBytes, UInt8.self, dtype: .u8),
                let offsets = try elements(Names.vocabularyOffsets, Int64.self, dtype: .i64)?.map({ Int($0) })
            else { throw .tensor(weights.path, "has no vocabulary tensors") }
            let ordered = zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }
            guard offsets.first == 0, offsets.last == bytes.count, ordered else {
                throw .weights(weights.path, "has vocabulary offsets that do not index its vocabulary bytes")
            }
            return FastTextVocabulary(bytes: bytes, offsets: offsets, ngrams: ngrams)
        }

        /// The prune map of a pruned model; empty for a model with every bucket.
        func bucketRows(_ settings: FastTextSettings) throws(ModelPackageError) -> [Int32] {
            guard let kept = settings.keptBuckets else { return [] }
            guard let rows = try elements(Names.bucketRows, Int32.self, dtype: .i32, count: settings.bucket),
                rows.allSatisfy({ $0 >= -1 && $0 < kept })
            else { throw .tensor(weights.path, "needs tensor '\(Names.bucketRows)' mapping buckets to \(kept) rows") }
            return rows
        }

        func tree(_ settings: FastTextSettings, labelCount: Int) throws(ModelPackageError) -> FastTextHuffmanTree? {
            guard settings.loss == .hierarchicalSoftmax else { return nil }
            guard let counts = try elements(Names.labelCounts, Int64.self, dtype: .i64, count: labelCount) else {
                throw .tensor(weights.path, "needs tensor '\(Names.labelCounts)' for hierarchical softmax")
            }
            return FastTextHuffmanTree(counts: counts)
        }

        func outputNorms(labelCount: Int) throws(ModelPackageError) -> [Float]? {
            try elements(Names.outputNorms, UInt32.self, dtype: .f32, count: labelCount)?.map(Float.init(bitPattern:))
        }
    }
}
