import Classifier
import Foundation
import Wire

/// What the model says of one form, in the contract's terms (the model's types live in
/// `Classifier`; this file is the only one that sees them).
struct ModelAnswer: Sendable, Equatable {
    /// The candidates as results carry them, best first.
    var proposals: [Wire.Candidate]
    var confidenceIndex: Float
    var autoCoded: Bool
    /// Tokens and their contributions to the top code's score, when asked for.
    var explanation: [(token: String, contribution: Float)]? = nil

    static func == (lhs: ModelAnswer, rhs: ModelAnswer) -> Bool {
        lhs.proposals == rhs.proposals && lhs.confidenceIndex == rhs.confidenceIndex && lhs.autoCoded == rhs.autoCoded
    }
}

/// The identity of the model that coded a form, as results name it.
struct ModelIdentity: Sendable, Hashable {
    var name: String
    var version: String
    var sha256: String
}

/// Classifies forms with one loaded package.
///
/// Not `Sendable`: the classifier owns scratch buffers; one worker thread owns one of these
/// (``sibling()`` gives another thread its own, over the same loaded package).
final class FormClassifier {
    private let classifier: Classifier
    /// The package's name, version and weights hash.
    let identity: ModelIdentity

    /// Loads and checks the package at `directory`; `overrides` replaces the manifest's policy.
    init(packageAt directory: URL, overrides: DecisionOverrides, trustedKeys: URL? = nil) throws {
        let trusted = try trustedKeys.map { url throws(ModelPackageError) in try TrustedKeys(directory: url) }
        let package = try ModelPackage.load(from: directory, trustedKeys: trusted)
        var policy = package.manifest.decision
        if let topK = overrides.topK { policy.topK = topK }
        if let probMin = overrides.probMin { policy.probMin = probMin }
        if let threshold = overrides.confidenceThreshold { policy.confidenceThreshold = threshold }
        classifier = Classifier(package: package, policy: policy)
        identity = ModelIdentity(
            name: package.manifest.name,
            version: package.manifest.version,
            sha256: package.manifest.weights.sha256
        )
    }

    private init(classifier: Classifier, identity: ModelIdentity) {
        self.classifier = classifier
        self.identity = identity
    }

    /// A classifier for another thread: the same package and policy, scratch buffers of its own.
    func sibling() -> FormClassifier {
        FormClassifier(
            classifier: Classifier(package: classifier.package, policy: classifier.policy),
            identity: identity
        )
    }

    /// Answers for a batch of forms, in order; the output layer runs as one matrix product.
    /// With `explain`, each answer carries the ten tokens that weigh most on its top code.
    func answers(for forms: [RegistryForm], explain: Bool = false) -> [ModelAnswer] {
        guard !forms.isEmpty else { return [] }
        // The package builds each form's text and categorical features from the fields it names.
        var answers = classifier.classify(batchOfFields: forms).map { prediction in
            ModelAnswer(
                proposals: prediction.candidates.map {
                    Wire.Candidate(code: $0.code, label: $0.label, probability: Float($0.probability))
                },
                confidenceIndex: Float(prediction.confidenceIndex),
                autoCoded: prediction.decision == .autoCoded
            )
        }
        guard explain else { return answers }
        for index in answers.indices {
            let text = classifier.package.manifest.text(fromFields: forms[index])
            answers[index].explanation = classifier.explain(text: text, code: answers[index].proposals.first?.code)
                .prefix(10).map { ($0.token, Float($0.contribution)) }
        }
        return answers
    }
}

/// Per-deployment changes to a package's decision policy.
public struct DecisionOverrides: Sendable, Equatable {
    /// How many candidates to publish at most.
    public var topK: Int?
    /// Candidates below this probability are left out.
    public var probMin: Double?
    /// A form is auto-coded when p1 − p2 is at least this.
    public var confidenceThreshold: Double?

    /// No override: the package's policy as it is.
    public init(topK: Int? = nil, probMin: Double? = nil, confidenceThreshold: Double? = nil) {
        self.topK = topK
        self.probMin = probMin
        self.confidenceThreshold = confidenceThreshold
    }
}

/// A package names a form's fields by the contract's field names, which `RegistryForm` answers
/// (`Wire` cannot see `Classifier`, so the conformance is declared here).
extension RegistryForm: FormFields {}
