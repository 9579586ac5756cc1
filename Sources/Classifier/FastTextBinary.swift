import Foundation

/// The content of a fastText `.bin` file (format version 12, as fastText 0.9 writes it).
///
/// Layout: magic `793712314` and version (int32); the Args block (12 int32 then the sampling
/// threshold as a double); the dictionary (size, nwords, nlabels as int32, ntokens and the
/// prune-index size as int64, then per entry the NUL-terminated word, its int64 count and int8
/// type, then the prune index as int32 pairs); a bool saying whether the input is quantized;
/// the input matrix (int64 rows, int64 columns, float32 data); a bool for a quantized output;
/// the output matrix. A quantized matrix (`.ftz`) is read by ``FastTextQuantizedMatrix`` and
/// expanded to `Float` rows here.
struct FastTextBinary {
    static let magic: Int32 = 793_712_314
    static let supportedVersions: ClosedRange<Int32> = 11...12

    /// fastText's `loss_name` values.
    enum LossCode: Int32 {
        case hierarchicalSoftmax = 1
        case negativeSampling, softmax, oneVsAll
    }

    struct Entry {
        var word: [UInt8]
        var count: Int64
        /// 0: word, 1: label.
        var type: Int8
    }

    struct Matrix {
        var rows: Int
        var columns: Int
        /// Row-major little-endian `Float` bytes.
        var bytes: [UInt8]
        /// Per-row factors applied after a dot product (a quantized output with `qnorm`).
        var norms: [Float]? = nil
    }

    var version: Int32
    var dim: Int
    var wordNgrams: Int
    var loss: Int32
    var modelKind: Int32
    var bucket: Int
    var minn: Int
    var maxn: Int
    var entries: [Entry]
    var wordCount: Int
    var labelCount: Int
    var pruneIndexSize: Int64
    /// fastText's `pruneidx`: bucket → row after the words, for a pruned (`-cutoff`) model.
    var pruneIndex: [(bucket: Int32, row: Int32)]
    var quantizedInput: Bool
    var quantizedOutput: Bool
    var input: Matrix
    var output: Matrix

    /// Parses `bytes`, the content of `file`, dense (`.bin`) or quantized (`.ftz`).
    init(bytes: Data, file: String) throws(ModelPackageError) {
        var cursor = BinaryCursor(bytes: bytes, file: file)
        guard try cursor.int32() == Self.magic else {
            throw .source(file, "does not start with fastText's magic number; it is not a fastText model")
        }
        version = try cursor.int32()
        guard Self.supportedVersions.contains(version) else {
            throw .source(file, "has fastText format version \(version); versions 11 and 12 are read")
        }
        let args = try (0..<12).map { _ throws(ModelPackageError) in Int(try cursor.int32()) }
        _ = try cursor.double()  // sampling threshold `t`: training only
        (dim, wordNgrams, loss, modelKind, bucket) = (args[0], args[5], Int32(args[6]), Int32(args[7]), args[8])
        (minn, maxn) = (args[9], args[10])
        guard dim > 0, wordNgrams >= 1, bucket >= 0, minn >= 0, maxn >= 0 else {
            throw .source(file, "has impossible settings (dim \(dim), wordNgrams \(wordNgrams), bucket \(bucket))")
        }
        // Version 11 supervised models predate char n-grams.
        if version == 11 && modelKind == 3 { maxn = 0 }
        (entries, wordCount, labelCount, pruneIndexSize, pruneIndex) = try Self.readDictionary(&cursor)
        quantizedInput = try cursor.bool()
        input =
            quantizedInput
            ? Self.expand(try FastTextQuantizedMatrix(&cursor), output: false) : try Self.readMatrix(&cursor)
        quantizedOutput = try cursor.bool()
        // fastText reads a quantized output only when the input is quantized too.
        output =
            quantizedInput && quantizedOutput
            ? Self.expand(try FastTextQuantizedMatrix(&cursor), output: true) : try Self.readMatrix(&cursor)
        guard cursor.isAtEnd else {
            throw .source(file, "has \(bytes.count - cursor.position) bytes after its output matrix")
        }
    }

    private static func readDictionary(
        _ cursor: inout BinaryCursor
    ) throws(ModelPackageError) -> ([Entry], Int, Int, Int64, [(bucket: Int32, row: Int32)]) {
        let size = Int(try cursor.int32())
        let words = Int(try cursor.int32())
        let labels = Int(try cursor.int32())
        _ = try cursor.int64()  // ntokens: training only
        let pruneIndexSize = try cursor.int64()
        guard size >= 0, words >= 0, labels >= 0, size == words + labels else {
            throw .source(cursor.file, "has a dictionary of \(size) entries for \(words) words and \(labels) labels")
        }
        var entries: [Entry] = []
        // Each entry takes at least 10 bytes: a hostile count cannot make us reserve more than the file holds.
        entries.reserveCapacity(min(size, cursor.remaining / 10))
        for _ in 0..<size {
            let word = try cursor.cString()
            entries.append(Entry(word: word, count: try cursor.int64(), type: try cursor.int8()))
        }
        guard pruneIndexSize <= Int64(Int32.max) else {
            throw .source(cursor.file, "declares \(pruneIndexSize) pruned buckets")
        }
        var pruneIndex: [(bucket: Int32, row: Int32)] = []
        for _ in 0..<max(0, Int(pruneIndexSize)) {
            pruneIndex.append((try cursor.int32(), try cursor.int32()))
        }
        return (entries, words, labels, pruneIndexSize, pruneIndex)
    }

    private static func expand(_ matrix: FastTextQuantizedMatrix, output: Bool) -> Matrix {
        let values = matrix.expanded(scaledByNorm: !output)
        let bytes = values.withUnsafeBytes { Array($0) }
        return Matrix(rows: matrix.rows, columns: matrix.columns, bytes: bytes, norms: output ? matrix.norms : nil)
    }

    private static func readMatrix(_ cursor: inout BinaryCursor) throws(ModelPackageError) -> Matrix {
        let rows = try cursor.int64()
        let columns = try cursor.int64()
        let (elements, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !overflow, elements <= Int64(cursor.remaining / 4) else {
            throw .source(cursor.file, "declares a \(rows) × \(columns) matrix with \(cursor.remaining) bytes left")
        }
        return Matrix(rows: Int(rows), columns: Int(columns), bytes: try cursor.take(Int(rows * columns * 4)))
    }
}
