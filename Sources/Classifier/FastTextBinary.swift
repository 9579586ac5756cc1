import Foundation

/// The content of a fastText `.bin` file (format version 12, as fastText 0.9 writes it).
///
/// Layout: magic `793712314` and version (int32); the Args block (12 int32 then the sampling
/// threshold as a double); the dictionary (size, nwords, nlabels as int32, ntokens and the
/// prune-index size as int64, then per entry the NUL-terminated word, its int64 count and int8
/// type, then the prune index as int32 pairs); a bool saying whether the input is quantized;
/// the input matrix (int64 rows, int64 columns, float32 data); a bool for a quantized output;
/// the output matrix.
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
        var bytes: [UInt8]
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
    var quantizedInput: Bool
    var quantizedOutput: Bool
    var input: Matrix
    var output: Matrix

    /// Parses `bytes`, the content of `file`; refuses quantized models (`.ftz`).
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
        // Version 11 supervised models predate char n-grams.
        if version == 11 && modelKind == 3 { maxn = 0 }
        (entries, wordCount, labelCount, pruneIndexSize) = try Self.readDictionary(&cursor)
        quantizedInput = try cursor.bool()
        guard !quantizedInput else {
            throw ModelPackageError(
                .unsupported,
                file: file,
                problem: "is a quantized model (.ftz)",
                remedy: "import the dense .bin the quantized model was made from"
            )
        }
        input = try Self.readMatrix(&cursor)
        quantizedOutput = try cursor.bool()
        output = try Self.readMatrix(&cursor)
        guard cursor.isAtEnd else {
            throw .source(file, "has \(bytes.count - cursor.position) bytes after its output matrix")
        }
    }

    private static func readDictionary(
        _ cursor: inout BinaryCursor
    ) throws(ModelPackageError) -> ([Entry], Int, Int, Int64) {
        let size = Int(try cursor.int32())
        let words = Int(try cursor.int32())
        let labels = Int(try cursor.int32())
        _ = try cursor.int64()  // ntokens: training only
        let pruneIndexSize = try cursor.int64()
        guard size >= 0, words >= 0, labels >= 0, size == words + labels else {
            throw .source(cursor.file, "has a dictionary of \(size) entries for \(words) words and \(labels) labels")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(size)
        for _ in 0..<size {
            let word = try cursor.cString()
            entries.append(Entry(word: word, count: try cursor.int64(), type: try cursor.int8()))
        }
        if pruneIndexSize > 0 { _ = try cursor.take(Int(pruneIndexSize) * 8) }
        return (entries, words, labels, pruneIndexSize)
    }

    private static func readMatrix(_ cursor: inout BinaryCursor) throws(ModelPackageError) -> Matrix {
        let rows = try cursor.int64()
        let columns = try cursor.int64()
        guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns * 4).overflow == false else {
            throw .source(cursor.file, "declares a \(rows) × \(columns) matrix")
        }
        return Matrix(rows: Int(rows), columns: Int(columns), bytes: try cursor.take(Int(rows * columns * 4)))
    }
}
