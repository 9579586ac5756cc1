/// `manifest.json`: everything needed to run a model, apart from its weights.
///
/// JSON keys are snake_case (`prob_min`, `word_ngrams`). The manifest names the sha256 of
/// `weights.safetensors` and the dtype and shape of each tensor in it, so a loader can refuse
/// weights that do not belong to it.
public struct ModelManifest: Codable, Sendable, Equatable {
    /// The manifest format this build writes and the newest it reads.
    public static let currentFormatVersion = 1

    /// The manifest format version.
    public var formatVersion: Int
    /// The model's name, e.g. `naf-fasttext`.
    public var name: String
    /// The model's version, e.g. `2025.03`.
    public var version: String
    /// How the weights are used.
    public var architecture: Architecture
    /// Which form fields make the text, and how they are joined and normalised.
    public var text: TextInput
    /// fastText tokenizer and head settings (architecture `fasttext`).
    public var fasttext: FastTextSettings?
    /// torchTextClassifiers n-gram settings (architecture `ttc-ngram`).
    public var ttc: TTCSettings?
    /// Categorical features, in the order the model consumes them.
    public var categorical: [CategoricalFeature]
    /// The output classes, in the order of the output layer's rows.
    public var labels: [Label]
    /// Default top-k, `prob_min` and confidence threshold.
    public var decision: DecisionPolicy
    /// Every tensor of `weights.safetensors`.
    public var tensors: [TensorSpec]
    /// Inputs with their recorded answers, re-run after every load.
    public var goldenExamples: [GoldenExample]
    /// The weights file and its digest.
    public var weights: WeightsReference
    /// Which texts the model was trained on (packages our trainer wrote); `nil` when unknown.
    public var trainingSet: TrainingSetFingerprint?

    /// Creates a manifest. ``ModelPackage/write(manifest:tensors:to:)`` fills in `tensors` and `weights`.
    public init(
        formatVersion: Int = ModelManifest.currentFormatVersion,
        name: String,
        version: String,
        architecture: Architecture,
        text: TextInput,
        fasttext: FastTextSettings?,
        ttc: TTCSettings? = nil,
        categorical: [CategoricalFeature] = [],
        labels: [Label],
        decision: DecisionPolicy = DecisionPolicy(),
        tensors: [TensorSpec] = [],
        goldenExamples: [GoldenExample] = [],
        weights: WeightsReference = WeightsReference(file: ModelPackage.weightsFile, sha256: "", bytes: 0)
    ) {
        self.formatVersion = formatVersion
        self.name = name
        self.version = version
        self.architecture = architecture
        self.text = text
        self.fasttext = fasttext
        self.ttc = ttc
        self.categorical = categorical
        self.labels = labels
        self.decision = decision
        self.tensors = tensors
        self.goldenExamples = goldenExamples
        self.weights = weights
    }

    /// Model architectures a package can declare.
    public enum Architecture: String, Codable, Sendable {
        /// fastText supervised: mean of word, char n-gram and word n-gram rows, linear head.
        case fasttext
        /// torchTextClassifiers' n-gram model: mean of RMS-normed token rows, categorical
        /// embeddings, RMS norm, linear head, softmax.
        case ttcNgram = "ttc-ngram"
    }

    /// How the model's input text is made from a form.
    public struct TextInput: Codable, Sendable, Equatable {
        /// Form fields whose values are joined, in this order; empty or absent values are skipped.
        public var fields: [String]
        /// Put between two joined values.
        public var separator: String
        /// Cleaning applied to the joined text; `none` for an import, which must answer as the source library.
        public var normalization: Normalization
        /// The preprocessing the model was trained with (Insee's steps), applied after the
        /// normalisation; absent for none.
        public var preprocessing: TextPreprocessing?

        /// Creates a text input description.
        public init(
            fields: [String],
            separator: String = " ",
            normalization: Normalization = .none,
            preprocessing: TextPreprocessing? = nil
        ) {
            self.fields = fields
            self.separator = separator
            self.normalization = normalization
            self.preprocessing = preprocessing
        }
    }

    /// Text cleaning before tokenization.
    public enum Normalization: String, Codable, Sendable {
        /// The text goes to the tokenizer unchanged.
        case none
        /// Lowercased (Unicode-aware) before tokenization.
        case lowercase
    }

    /// An output class.
    public struct Label: Codable, Sendable, Equatable {
        /// The NAF code, e.g. `1071C`.
        public var code: String
        /// Its human-readable label.
        public var label: String

        /// Creates a label.
        public init(code: String, label: String) {
            self.code = code
            self.label = label
        }
    }

    /// How predictions turn into candidates and a decision.
    public struct DecisionPolicy: Codable, Sendable, Equatable {
        /// How many candidates to return at most.
        public var topK: Int
        /// Candidates below this probability are left out (fastText's predict `threshold`).
        public var probMin: Double
        /// A form is auto-coded when p1 − p2 is at least this.
        public var confidenceThreshold: Double

        /// Creates a policy.
        public init(topK: Int = 5, probMin: Double = 0, confidenceThreshold: Double = 0.8) {
            self.topK = topK
            self.probMin = probMin
            self.confidenceThreshold = confidenceThreshold
        }
    }

    /// A tensor as the manifest expects to find it.
    public struct TensorSpec: Codable, Sendable, Equatable {
        /// Its name in the safetensors header.
        public var name: String
        /// Its element type.
        public var dtype: TensorDType
        /// Its shape.
        public var shape: [Int]

        /// Creates a tensor description.
        public init(name: String, dtype: TensorDType, shape: [Int]) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
        }
    }

    /// An input with the answer the model gave when the package was made.
    public struct GoldenExample: Codable, Sendable, Equatable {
        /// Form fields, as given to ``Classifier/classify(fields:topK:)``.
        public var fields: [String: String]
        /// The expected candidates, best first.
        public var expected: [ExpectedCandidate]
        /// Largest accepted absolute difference of a probability.
        public var tolerance: Double

        /// Creates a golden example.
        public init(fields: [String: String], expected: [ExpectedCandidate], tolerance: Double = 1e-5) {
            self.fields = fields
            self.expected = expected
            self.tolerance = tolerance
        }
    }

    /// One expected candidate of a golden example.
    public struct ExpectedCandidate: Codable, Sendable, Equatable {
        /// The NAF code.
        public var code: String
        /// Its probability.
        public var probability: Double

        /// Creates an expected candidate.
        public init(code: String, probability: Double) {
            self.code = code
            self.probability = probability
        }
    }

    /// The weights file of the package.
    public struct WeightsReference: Codable, Sendable, Equatable {
        /// File name inside the package directory.
        public var file: String
        /// Lowercase hex sha256 of the whole file.
        public var sha256: String
        /// File size in bytes.
        public var bytes: Int

        /// Creates a weights reference.
        public init(file: String, sha256: String, bytes: Int) {
            self.file = file
            self.sha256 = sha256
            self.bytes = bytes
        }
    }
}
