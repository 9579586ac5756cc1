/// Where a training run is, as fastText's progress line shows it.
public struct TrainingProgress: Sendable, Equatable {
    /// Share of all tokens × epochs processed, 0...1.
    public var fraction: Double
    /// The learning rate in force.
    public var learningRate: Double
    /// Tokens processed per second and per thread.
    public var wordsPerSecondPerThread: Double
    /// Average loss of the examples the reporting thread has seen (fastText's `avg.loss`).
    public var loss: Double
    /// Seconds since the SGD loop started.
    public var elapsedSeconds: Double

    /// Creates a progress value.
    public init(
        fraction: Double,
        learningRate: Double,
        wordsPerSecondPerThread: Double,
        loss: Double,
        elapsedSeconds: Double
    ) {
        self.fraction = fraction
        self.learningRate = learningRate
        self.wordsPerSecondPerThread = wordsPerSecondPerThread
        self.loss = loss
        self.elapsedSeconds = elapsedSeconds
    }

    /// Seconds left at the current pace, or nil before there is a pace.
    public var remainingSeconds: Double? {
        fraction > 0 ? elapsedSeconds * (1 - fraction) / fraction : nil
    }
}

/// What a finished training run did.
public struct TrainingReport: Sendable, Equatable {
    /// Examples trained on.
    public var examples: Int
    /// Words in the vocabulary (after `minCount`), `</s>` included.
    public var words: Int
    /// Labels (output rows).
    public var labels: Int
    /// Tokens of one pass over the data (fastText's `ntokens`: words, `</s>` and labels).
    public var tokensPerEpoch: Int
    /// Passes over the data.
    public var epochs: Int
    /// Training threads.
    public var threads: Int
    /// Seconds spent counting words, tokenizing and initialising the matrices.
    public var preparationSeconds: Double
    /// Seconds of the SGD loop.
    public var trainingSeconds: Double
    /// Average loss over every example of the run, all threads.
    public var loss: Double

    /// Creates a report.
    public init(
        examples: Int,
        words: Int,
        labels: Int,
        tokensPerEpoch: Int,
        epochs: Int,
        threads: Int,
        preparationSeconds: Double,
        trainingSeconds: Double,
        loss: Double
    ) {
        self.examples = examples
        self.words = words
        self.labels = labels
        self.tokensPerEpoch = tokensPerEpoch
        self.epochs = epochs
        self.threads = threads
        self.preparationSeconds = preparationSeconds
        self.trainingSeconds = trainingSeconds
        self.loss = loss
    }

    /// Tokens per second and per thread over the SGD loop.
    public var wordsPerSecondPerThread: Double {
        Double(tokensPerEpoch * epochs) / max(trainingSeconds, 1e-9) / Double(threads)
    }
}
