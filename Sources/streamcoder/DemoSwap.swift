import Classifier
import Coordinator
import Foundation
import Logging
import Wire
import Worker

/// The demo's model change midway: a model store with the demo's package and a second version of
/// it, and the directive that switches the running workers to that version.
struct DemoSwap: Sendable {
    /// The model the workers start with.
    let from: ModelRef
    /// The version activated midway.
    let to: ModelRef
    /// Where the second version lives in the store.
    let uri: String
    /// What the second version changes, for the report.
    let change: String

    /// A store in a temporary directory holding `package` and `next`; without `next`, a re-tuned
    /// copy of `package`: the same weights under the version `VERSION-t030` with a confidence
    /// threshold of 0.3 (the kind of change an operator rolls out to automate more forms).
    /// With `linkingWeights`, the copy links the weights file instead of copying it (a large model).
    static func prepare(package: URL, next: URL?, linkingWeights: Bool = false) throws -> DemoSwap {
        let store = ModelStore(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("streamcoder-demo-\(UUID())")
        )
        let fromEntry = try store.push(package).entry
        let nextPackage = try next ?? retunedCopy(of: package, threshold: 0.3, linkingWeights: linkingWeights)
        let toEntry = try store.push(nextPackage).entry
        let (toDirectory, loaded) = try store.checkedPackage(toEntry, trustedKeys: nil)
        let first = try ModelPackage.load(from: package)
        return DemoSwap(
            from: ModelRef(name: fromEntry.name, version: fromEntry.version, sha256: first.manifest.weights.sha256),
            to: ModelRef(name: toEntry.name, version: toEntry.version, sha256: loaded.manifest.weights.sha256),
            uri: toDirectory.path,
            change: next == nil
                ? "the same weights with a confidence threshold of 0.3 instead of \(first.manifest.decision.confidenceThreshold)"
                : "the package \(nextPackage.path)"
        )
    }

    /// The directive that switches the fleet to `to`.
    var directive: ModelDirective {
        ModelDirective(
            generation: 1,
            package: PackageRef(model: to, uri: uri),
            previous: from,
            issuedAtUnixMs: Int64(Date().timeIntervalSince1970 * 1_000),
            reason: "the demo's swap midway"
        )
    }

    /// A copy of `package` whose manifest has another version and confidence threshold; its
    /// other files are copied, or hard-linked with `linkingWeights` (copied when they cannot be).
    private static func retunedCopy(of package: URL, threshold: Double, linkingWeights: Bool) throws -> URL {
        let files = FileManager.default
        let copy = files.temporaryDirectory.appendingPathComponent("streamcoder-demo-next-\(UUID())")
        try files.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: package.path) {
            let source = package.appendingPathComponent(name)
            let target = copy.appendingPathComponent(name)
            if linkingWeights && name != ModelPackage.manifestFile, (try? files.linkItem(at: source, to: target)) != nil
            {
                continue
            }
            try files.copyItem(at: source, to: target)
        }
        let manifestURL = copy.appendingPathComponent(ModelPackage.manifestFile)
        guard var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any],
            let version = manifest["version"] as? String,
            var decision = manifest["decision"] as? [String: Any]
        else { throw CommandError("\(manifestURL.path) is not a package manifest") }
        manifest["version"] = "\(version)-t030"
        decision["confidence_threshold"] = threshold
        manifest["decision"] = decision
        try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]).write(
            to: manifestURL
        )
        return copy
    }
}

extension ModelStore.PushOutcome {
    /// The stored entry, whether it was just added or there already.
    var entry: ModelStore.Entry {
        switch self {
        case .added(let entry), .alreadyPresent(let entry): entry
        }
    }
}
