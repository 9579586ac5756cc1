/// Hyper-parameters of ``Trainer``, named and defaulted as fastText's `supervised` command
/// names them, except where noted.
public struct TrainerConfiguration: Sendable, Equatable {
    /// Embedding size (`-dim`; fastText's default is 100, a registry model needs far fewer).
    public var dim: Int
    /// Passes over the training data (`-epoch`).
    public var epochs: Int
    /// Initial learning rate, decayed linearly to 0 over all tokens × epochs (`-lr`).
    public var learningRate: Double
    /// Longest word n-gram (`-wordNgrams`); 1 disables word n-grams.
    public var wordNgrams: Int
    /// Shortest char n-gram (`-minn`).
    public var minn: Int
    /// Longest char n-gram (`-maxn`); 0 disables char n-grams.
    public var maxn: Int
    /// Hash buckets shared by char and word n-grams (`-bucket`).
    public var bucket: Int
    /// Words seen fewer times are left out of the vocabulary (`-minCount`); their char
    /// n-grams still count.
    public var minCount: Int
    /// Training threads, each over its own slice of the data (`-thread`).
    public var threads: Int
    /// Seeds the shuffle and the initial weights (`-seed`).
    public var seed: UInt64
    /// Tokens a thread processes before it publishes its count and the learning rate moves (`-lrUpdateRate`).
    public var learningRateUpdateRate: Int
    /// Whether the examples are shuffled (with the seed) before training. fastText reads its
    /// file in order; a CSV is often sorted by code, which SGD learns badly from.
    public var shuffle: Bool

    /// Creates a configuration; the defaults are those of `streamcoder models train`.
    public init(
        dim: Int = 16,
        epochs: Int = 25,
        learningRate: Double = 0.5,
        wordNgrams: Int = 2,
        minn: Int = 3,
        maxn: Int = 6,
        bucket: Int = 200_000,
        minCount: Int = 1,
        threads: Int = 1,
        seed: UInt64 = 0,
        learningRateUpdateRate: Int = 100,
        shuffle: Bool = true
    ) {
        self.dim = dim
        self.epochs = epochs
        self.learningRate = learningRate
        self.wordNgrams = wordNgrams
        self.minn = minn
        self.maxn = maxn
        self.bucket = bucket
        self.minCount = minCount
        self.threads = threads
        self.seed = seed
        self.learningRateUpdateRate = learningRateUpdateRate
        self.shuffle = shuffle
    }

    /// The first setting out of range, described, or nil when all are usable.
    var problem: String? {
        if dim < 1 { return "dim must be at least 1" }
        if epochs < 1 { return "epoch must be at least 1" }
        if !(learningRate > 0 && learningRate.isFinite) { return "lr must be a positive number" }
        if wordNgrams < 1 { return "word-ngrams must be at least 1" }
        if maxn > 0 && (minn < 1 || minn > maxn) { return "minn must be between 1 and maxn" }
        if minn < 0 || maxn < 0 { return "minn and maxn cannot be negative" }
        if bucket < 0 || bucket > Int(Int32.max) / 2 { return "bucket must be between 0 and \(Int32.max / 2)" }
        if bucket == 0 && (maxn > 0 || wordNgrams > 1) { return "n-grams need bucket > 0" }
        if minCount < 1 { return "min-count must be at least 1" }
        if threads < 1 { return "threads must be at least 1" }
        return nil
    }
}
