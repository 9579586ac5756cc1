/// The settings a package must reproduce to run a torchTextClassifiers n-gram model exactly as
/// the library does (architecture `ttc-ngram`; see `docs/torchtextclassifiers-ngram.md`).
///
/// Embedding rows are laid out as the library lays them out: PAD, UNK and EOS, then the
/// vocabulary's words, then `buckets` char n-gram buckets. The vocabulary itself lives in the
/// weights (``TensorName/vocabularyBytes``), where the sha256 covers it.
public struct TTCSettings: Codable, Sendable, Equatable {
    /// Names of the tensors a ttc package holds: the library's state-dict names, plus the vocabulary.
    public enum TensorName {
        /// `F32 [3 + wordCount + buckets, dim]`: special rows, word rows, n-gram bucket rows.
        public static let tokenEmbeddings = "token_embedder.embedding_layer.weight"
        /// `F32 [classes, headInputDim]`.
        public static let headWeight = "classification_head.net.weight"
        /// `F32 [classes]`.
        public static let headBias = "classification_head.net.bias"
        /// `U8 [n]`: the words as UTF-8, back to back, in id order (ids 3, 4, …).
        public static let vocabularyBytes = "tokenizer.vocabulary.bytes"
        /// `I64 [wordCount + 1]`: where each word starts in the bytes, plus the end.
        public static let vocabularyOffsets = "tokenizer.vocabulary.offsets"

        /// `F32 [vocabulary, dim]` of categorical variable `index`.
        public static func categoricalEmbedding(_ index: Int) -> String {
            "categorical_variable_net.categorical_embedding_\(index).weight"
        }
    }

    /// How categorical embeddings join the text embedding (the library's `CategoricalForwardType`).
    public enum Combination: String, Codable, Sendable {
        /// `[text ; mean of the variables' rows]`; every variable has the same dim.
        case averageAndConcat = "average_and_concat"
        /// `[text ; row of variable 1 ; … ; row of variable k]`.
        case concatenateAll = "concatenate_all"
        /// `text + Σ rows`; every variable has the text's dim.
        case sumToText = "sum_to_text"
    }

    /// Text embedding dim (`embedding_dim`).
    public var dim: Int
    /// Number of vocabulary words (`nwords`); their ids are `3 ..< 3 + wordCount`.
    public var wordCount: Int
    /// Number of char n-gram hash buckets (`num_tokens`).
    public var buckets: Int
    /// Shortest char n-gram, in code points.
    public var minN: Int
    /// Longest char n-gram, in code points.
    public var maxN: Int
    /// The tokenizer's `output_dim`: ids beyond it are cut (EOS included); `nil` keeps all.
    public var maxLength: Int?
    /// The tokenizer's `preprocess`: whether texts go through `clean_text_feature` first.
    public var cleanText: Bool
    /// Padding id (never fed to the model: the mean skips it).
    public var padId: Int
    /// Id of an out-of-vocabulary word with no char n-gram left.
    public var unkId: Int
    /// Id appended to every text.
    public var eosId: Int
    /// How the manifest's categorical features combine with the text; `nil` when there are none.
    public var combination: Combination?
    /// Embedding dim of each categorical feature, in the manifest's order.
    public var categoricalDims: [Int]
    /// The epsilon of both RMS norms (float32 machine epsilon, 2⁻²³, in the library).
    public var rmsNormEps: Double

    /// Creates settings; the special ids and epsilon default to the library's.
    public init(
        dim: Int,
        wordCount: Int,
        buckets: Int,
        minN: Int,
        maxN: Int,
        maxLength: Int?,
        cleanText: Bool,
        combination: Combination?,
        categoricalDims: [Int],
        padId: Int = 0,
        unkId: Int = 1,
        eosId: Int = 2,
        rmsNormEps: Double = Double(Float.ulpOfOne)
    ) {
        self.dim = dim
        self.wordCount = wordCount
        self.buckets = buckets
        self.minN = minN
        self.maxN = maxN
        self.maxLength = maxLength
        self.cleanText = cleanText
        self.combination = combination
        self.categoricalDims = categoricalDims
        self.padId = padId
        self.unkId = unkId
        self.eosId = eosId
        self.rmsNormEps = rmsNormEps
    }

    /// First word id: the three special ids come first.
    public static let firstWordId = 3

    /// Rows of the token embedding.
    public var embeddingRows: Int { Self.firstWordId + wordCount + buckets }

    /// Width of the vector the head reads.
    public var headInputDim: Int {
        switch combination {
        case nil, .sumToText: dim
        case .averageAndConcat: dim + (categoricalDims.first ?? 0)
        case .concatenateAll: dim + categoricalDims.reduce(0, +)
        }
    }

    /// Why these settings cannot run, or `nil` when they are consistent.
    func problem(categoricalCount: Int) -> String? {
        if dim < 1 || wordCount < 0 || buckets < 1 { return "has dim, word count or buckets out of range" }
        if minN < 1 || maxN < minN { return "has char n-gram lengths \(minN)…\(maxN)" }
        if let maxLength, maxLength < 1 { return "has max length \(maxLength)" }
        if (padId, unkId, eosId) != (0, 1, 2) { return "has special ids other than PAD 0, UNK 1, EOS 2" }
        if categoricalDims.count != categoricalCount || categoricalDims.contains(where: { $0 < 1 }) {
            return "lists \(categoricalDims.count) categorical dims for \(categoricalCount) categorical features"
        }
        if (combination == nil) != (categoricalCount == 0) { return "has a combination mode without features" }
        if combination == .sumToText, categoricalDims.contains(where: { $0 != dim }) {
            return "sums categorical embeddings whose dim is not the text's"
        }
        if combination == .averageAndConcat, Set(categoricalDims).count > 1 {
            return "averages categorical embeddings of different dims"
        }
        return nil
    }
}
