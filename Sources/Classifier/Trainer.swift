import Foundation

/// fastText-style supervised training (softmax loss) of a model the ``Classifier`` runs unchanged.
///
/// The vocabulary is built as fastText's dictionary builds it (see ``TrainingDictionary``), and
/// every example is tokenized by the very tokenizer inference uses, so words, char n-grams and
/// word n-grams land on the rows inference reads. Input rows start uniform in `(−1/dim, 1/dim)`,
/// output rows at zero; SGD with a linearly decaying learning rate updates the output rows and
/// the example's input rows as fastText's `Model::update` does (see ``SoftmaxSGD``), on
/// `threads` threads sharing the matrices without locks, as fastText's Hogwild threads do.
///
/// With one thread and a given seed, training is deterministic: the same data give the same
/// weights, bit for bit. With several threads, updates race (by design) and runs differ slightly.
public struct Trainer: Sendable {
    /// The hyper-parameters.
    public var configuration: TrainerConfiguration

    /// Creates a trainer.
    public init(configuration: TrainerConfiguration = TrainerConfiguration()) {
        self.configuration = configuration
    }

    /// Trains on `examples` and returns the model with a report.
    ///
    /// Synchronous and CPU-bound: the work runs on `threads` dedicated threads and the caller
    /// blocks until they finish, so call it from a thread of your own, not from Swift
    /// concurrency's cooperative pool.
    ///
    /// - Parameter progress: called from a training thread about ten times a second, and once at the end.
    public func train(
        _ examples: [TrainingExample],
        progress: (@Sendable (TrainingProgress) -> Void)? = nil
    ) throws(TrainerError) -> TrainedModel {
        try check(examples)
        let started = ContinuousClock.now
        var shuffled = examples
        if configuration.shuffle {
            var generator = SeededGenerator(seed: configuration.seed)
            generator.shuffle(&shuffled)
        }
        let dictionary = TrainingDictionary(examples: shuffled, minCount: configuration.minCount)
        let settings = settings(wordCount: dictionary.words.count)
        try checkSize(settings, labels: dictionary.labels.count)
        let tokenizer = tokenizer(settings, dictionary)
        let corpus = TrainingCorpus(examples: shuffled, dictionary: dictionary, tokenizer: tokenizer)
        let matrices = HogwildMatrices(
            inputRows: settings.inputRows,
            outputRows: dictionary.labels.count,
            dim: settings.dim,
            seed: configuration.seed &+ 0x1A2B_3C4D
        )
        let prepared = ContinuousClock.now
        let loss = TrainingRun(corpus: corpus, matrices: matrices, configuration: configuration, progress: progress)
            .run()
        let report = TrainingReport(
            examples: corpus.count,
            words: dictionary.words.count,
            labels: dictionary.labels.count,
            tokensPerEpoch: corpus.tokenCounts.reduce(0) { $0 + Int($1) },
            epochs: configuration.epochs,
            threads: configuration.threads,
            preparationSeconds: Self.seconds(prepared - started),
            trainingSeconds: Self.seconds(ContinuousClock.now - prepared),
            loss: loss
        )
        return TrainedModel(settings: settings, dictionary: dictionary, matrices: matrices, report: report)
    }

    /// Trains as ``train(_:progress:)`` does, on a dedicated thread, so an async caller does not
    /// hold a thread of the cooperative pool for the whole run.
    public func train(
        _ examples: [TrainingExample],
        progress: (@Sendable (TrainingProgress) -> Void)? = nil
    ) async throws(TrainerError) -> TrainedModel {
        let result = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    returning: Result { () throws(TrainerError) in try train(examples, progress: progress) }
                )
            }
            thread.name = "streamcoder-trainer"
            thread.start()
        }
        return try result.get()
    }

    private func settings(wordCount: Int) -> FastTextSettings {
        FastTextSettings(
            dim: configuration.dim,
            minn: configuration.maxn > 0 ? configuration.minn : 0,
            maxn: configuration.maxn,
            wordNgrams: configuration.wordNgrams,
            bucket: configuration.bucket,
            loss: .softmax,
            wordCount: wordCount
        )
    }

    private func tokenizer(_ settings: FastTextSettings, _ dictionary: TrainingDictionary) -> FastTextTokenizer {
        let ngrams = FastTextCharNgrams(settings: settings)
        let vocabulary = FastTextVocabulary(
            bytes: dictionary.vocabularyBytes,
            offsets: dictionary.vocabularyOffsets,
            ngrams: ngrams
        )
        return FastTextTokenizer(settings: settings, vocabulary: vocabulary, ngrams: ngrams)
    }

    private func check(_ examples: [TrainingExample]) throws(TrainerError) {
        if let problem = configuration.problem {
            throw TrainerError(.invalidConfiguration, problem: problem, remedy: "fix the option and train again")
        }
        guard !examples.isEmpty else {
            throw TrainerError(.noExamples, problem: "no training examples", remedy: "give labelled data to train on")
        }
    }

    /// Row ids are `Int32` in the tokenizer, as in fastText.
    private func checkSize(_ settings: FastTextSettings, labels: Int) throws(TrainerError) {
        let (cells, overflow) = settings.inputRows.multipliedReportingOverflow(by: settings.dim)
        guard settings.inputRows < Int(Int32.max), !overflow, cells < 1 << 34 else {
            throw TrainerError(
                .tooLarge,
                problem: "an input matrix of \(settings.inputRows) rows × \(settings.dim) is too large",
                remedy: "lower bucket, dim, or raise min-count"
            )
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
