/// A model fresh out of ``Trainer``: its fastText settings, vocabulary, labels and matrices,
/// ready to be written as a package (``writePackage(to:name:version:labelTexts:textField:policy:goldenTexts:)``).
public struct TrainedModel: Sendable {
    /// Tokenizer and head settings; the loss is softmax.
    public let settings: FastTextSettings
    /// The codes, in output-row order.
    public let labels: [String]
    /// How often each code occurred in the training data.
    public let labelCounts: [Int64]
    /// The vocabulary's words, by id (input row).
    public let words: [String]
    /// `settings.inputRows × dim`, row-major: word rows then bucket rows.
    public let input: [Float]
    /// `labels.count × dim`, row-major.
    public let output: [Float]
    /// What the training run did.
    public let report: TrainingReport

    private let vocabularyBytes: [UInt8]
    private let vocabularyOffsets: [Int64]

    init(settings: FastTextSettings, dictionary: TrainingDictionary, matrices: HogwildMatrices, report: TrainingReport)
    {
        self.settings = settings
        labels = dictionary.labels
        labelCounts = dictionary.labelCounts
        words = dictionary.words.map { String(decoding: $0, as: UTF8.self) }
        input = matrices.inputValues
        output = matrices.outputValues
        self.report = report
        vocabularyBytes = dictionary.vocabularyBytes
        vocabularyOffsets = dictionary.vocabularyOffsets.map(Int64.init)
    }

    /// The package's tensors, named and shaped as ``FastTextImporter`` writes them.
    public var tensors: [Tensor] {
        typealias Names = FastTextSettings.TensorName
        return [
            Tensor(name: Names.input, shape: [settings.inputRows, settings.dim], floats: input),
            Tensor(name: Names.output, shape: [labels.count, settings.dim], floats: output),
            Tensor(name: Names.vocabularyOffsets, shape: [vocabularyOffsets.count], int64s: vocabularyOffsets),
            Tensor(name: Names.labelCounts, shape: [labels.count], int64s: labelCounts),
            Tensor(name: Names.vocabularyBytes, dtype: .u8, shape: [vocabularyBytes.count], bytes: vocabularyBytes),
        ]
    }
}
