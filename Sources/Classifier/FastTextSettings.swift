/// The fastText settings a package must reproduce to tokenize exactly as fastText did.
///
/// fastText's input matrix has `wordCount + bucket` rows: the vocabulary's words first, then
/// the hash buckets shared by char n-grams and word n-grams.
public struct FastTextSettings: Codable, Sendable, Equatable {
    /// Names of the tensors a fastText package holds.
    public enum TensorName {
        /// `F32 [wordCount + bucket, dim]`: word rows then bucket rows.
        public static let input = "fasttext.input"
        /// `F32 [labels, dim]`: one row per label (softmax, one-vs-all).
        public static let output = "fasttext.output"
        /// `U8 [n]`: the vocabulary's words as UTF-8, back to back, in word-id order.
        public static let vocabularyBytes = "fasttext.vocabulary.bytes"
        /// `I64 [wordCount + 1]`: where each word starts in the bytes, plus the end.
        public static let vocabularyOffsets = "fasttext.vocabulary.offsets"
        /// `I64 [labels]`: each label's count in the training data; hierarchical softmax rebuilds
        /// its tree from them.
        public static let labelCounts = "fasttext.label_counts"
        /// `I32 [bucket]`, pruned models only: each bucket's row after the words, or -1 when the
        /// bucket was pruned away (its n-grams then add nothing).
        public static let bucketRows = "fasttext.bucket_rows"
        /// `F32 [labels]`, quantized outputs with norms only: each label's score is its row's dot
        /// product times this factor.
        public static let outputNorms = "fasttext.output_norms"
    }

    /// The loss the model was trained with, which decides how outputs become probabilities.
    public enum Loss: String, Codable, Sendable {
        /// Softmax over the labels.
        case softmax
        /// One independent sigmoid per label (fastText's `ova`).
        case oneVsAll = "ova"
        /// Hierarchical softmax over a Huffman tree of the labels (fastText's `hs`).
        case hierarchicalSoftmax = "hs"
    }

    /// Embedding size.
    public var dim: Int
    /// Shortest char n-gram, in characters.
    public var minn: Int
    /// Longest char n-gram, in characters; 0 disables char n-grams.
    public var maxn: Int
    /// Longest word n-gram; 1 disables word n-grams.
    public var wordNgrams: Int
    /// Number of hash buckets.
    public var bucket: Int
    /// For a model pruned by `quantize -cutoff`: how many buckets kept a row. `nil` when every
    /// bucket has its row (the input matrix then has `wordCount + bucket` rows).
    public var keptBuckets: Int?
    /// The training loss.
    public var loss: Loss
    /// Number of words in the vocabulary (`nwords`).
    public var wordCount: Int
    /// The end-of-sentence token, added at the end of every input.
    public var eos: String
    /// Prepended to a word before its char n-grams are taken.
    public var bow: String
    /// Appended to a word before its char n-grams are taken.
    public var eow: String
    /// Tokens starting with this are labels, not words, and are dropped from the input.
    public var labelPrefix: String

    /// Rows of the input matrix: the words', then the buckets' that have one.
    public var inputRows: Int { wordCount + (keptBuckets ?? bucket) }

    /// Creates settings; the defaults are fastText's.
    public init(
        dim: Int,
        minn: Int,
        maxn: Int,
        wordNgrams: Int,
        bucket: Int,
        loss: Loss,
        wordCount: Int,
        keptBuckets: Int? = nil,
        eos: String = "</s>",
        bow: String = "<",
        eow: String = ">",
        labelPrefix: String = "__label__"
    ) {
        self.dim = dim
        self.minn = minn
        self.maxn = maxn
        self.wordNgrams = wordNgrams
        self.bucket = bucket
        self.keptBuckets = keptBuckets
        self.loss = loss
        self.wordCount = wordCount
        self.eos = eos
        self.bow = bow
        self.eow = eow
        self.labelPrefix = labelPrefix
    }
}
