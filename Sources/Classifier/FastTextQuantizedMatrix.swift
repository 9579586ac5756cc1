/// A product-quantized matrix of a fastText `.ftz`, read and expanded back to `Float` rows.
///
/// Layout (fastText's `QuantMatrix::save`): a bool `qnorm`, int64 rows and columns, int32 code
/// count, the codes (one byte per sub-quantizer per row), the product quantizer, then — with
/// `qnorm` — one norm code per row and the one-dimensional norm quantizer. A quantizer is int32
/// `dim`, `nsubq`, `dsub`, `lastdsub`, then `dim × 256` float centroids.
///
/// Expansion keeps fastText's arithmetic: an input row is added as `norm * centroid` rounded to
/// `Float` (what `addcode` adds), while an output row keeps the raw centroids and its norm apart,
/// because `mulcode` multiplies the finished dot product by the norm.
struct FastTextQuantizedMatrix {
    static let centroidsPerQuantizer = 256

    struct Quantizer {
        var dim: Int
        var subquantizers: Int
        var subdimension: Int
        var lastSubdimension: Int
        var centroids: [Float]

        /// fastText's `get_centroids(m, code)`: where the centroid of sub-quantizer `m` starts.
        func centroidStart(_ m: Int, _ code: UInt8) -> Int {
            if m == subquantizers - 1 {
                return m * FastTextQuantizedMatrix.centroidsPerQuantizer * subdimension + Int(code) * lastSubdimension
            }
            return (m * FastTextQuantizedMatrix.centroidsPerQuantizer + Int(code)) * subdimension
        }
    }

    var rows: Int
    var columns: Int
    var codes: [UInt8]
    var quantizer: Quantizer
    /// One norm per row, or `nil` without `qnorm` (every norm is then 1).
    var norms: [Float]?

    init(_ cursor: inout BinaryCursor) throws(ModelPackageError) {
        let hasNorms = try cursor.bool()
        rows = Int(try cursor.int64())
        columns = Int(try cursor.int64())
        let codeCount = Int(try cursor.int32())
        codes = try cursor.take(codeCount)
        quantizer = try Self.readQuantizer(&cursor)
        let (expectedCodes, overflow) = rows.multipliedReportingOverflow(by: quantizer.subquantizers)
        guard rows >= 0, quantizer.dim == columns, !overflow, codeCount == expectedCodes else {
            throw .source(cursor.file, "has a quantized \(rows) × \(columns) matrix whose codes do not fit it")
        }
        norms = nil
        if hasNorms {
            let normCodes = try cursor.take(rows)
            let normQuantizer = try Self.readQuantizer(&cursor)
            norms = normCodes.map { normQuantizer.centroids[normQuantizer.centroidStart(0, $0)] }
        }
    }

    private static func readQuantizer(_ cursor: inout BinaryCursor) throws(ModelPackageError) -> Quantizer {
        let dim = Int(try cursor.int32())
        let subquantizers = Int(try cursor.int32())
        let subdimension = Int(try cursor.int32())
        let lastSubdimension = Int(try cursor.int32())
        guard dim > 0, subquantizers > 0, subdimension > 0, lastSubdimension > 0,
            (subquantizers - 1) * subdimension + lastSubdimension == dim
        else { throw .source(cursor.file, "has a product quantizer with inconsistent dimensions") }
        let bytes = try cursor.take(dim * centroidsPerQuantizer * 4)
        let centroids = stride(from: 0, to: bytes.count, by: 4).map { offset in
            Float(
                bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                    | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            )
        }
        return Quantizer(
            dim: dim,
            subquantizers: subquantizers,
            subdimension: subdimension,
            lastSubdimension: lastSubdimension,
            centroids: centroids
        )
    }

    /// The rows as `Float`, each multiplied by its norm when `scaledByNorm` (input rows).
    func expanded(scaledByNorm: Bool) -> [Float] {
        var values = [Float](repeating: 0, count: rows * columns)
        let q = quantizer
        for row in 0..<rows {
            // A norm of 1 (no `qnorm`, or an output row) leaves the centroid exact.
            let norm: Float = scaledByNorm ? (norms?[row] ?? 1) : 1
            for m in 0..<q.subquantizers {
                let start = q.centroidStart(m, codes[row * q.subquantizers + m])
                let width = m == q.subquantizers - 1 ? q.lastSubdimension : q.subdimension
                for n in 0..<width {
                    values[row * columns + m * q.subdimension + n] = norm * q.centroids[start + n]
                }
            }
        }
        return values
    }
}
