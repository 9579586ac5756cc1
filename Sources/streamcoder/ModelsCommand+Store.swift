import ArgumentParser
import Classifier
import Coordinator
import Foundation
import Logging
import Wire

extension ModelsCommand {
    /// `models push`: a checked package into the model store.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Check a package and add it to a model store (a directory, e.g. a shared volume).",
            discussion: """
                The package is loaded and checked (sha256, tensors, golden examples, and its \
                signature with --trusted-keys); one that fails is refused, naming the check. The store \
                keeps packages by the hash of their manifest: pushing the same package again changes \
                nothing, and a different package under a name@version already there is refused.
                """
        )

        @Argument(help: "The package directory.")
        var package: String

        @Option(help: "The model store directory (env STREAMCODER_MODEL_STORE).")
        var store: String?

        @Option(name: .customLong("trusted-keys"), help: "Refuse a package not signed by one of these .pub keys.")
        var trustedKeys: String?

        func run() async throws {
            let store = ModelStore(directory: try storeDirectory(store))
            let trusted = try trustedKeys.map { path throws(ModelPackageError) in
                try TrustedKeys(directory: URL(fileURLWithPath: path))
            }
            switch try store.push(URL(fileURLWithPath: package), trustedKeys: trusted) {
            case .added(let entry):
                printLine("pushed \(entry.reference) as \(entry.hash.prefix(12)) to \(store.directory.path)")
            case .alreadyPresent(let entry):
                printLine("\(entry.reference) is in the store already as \(entry.hash.prefix(12)): nothing to do")
            }
        }
    }

    /// `models list`: what a model store holds.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the packages of a model store: name, version, hash, signer, pushed-at."
        )

        @Option(help: "The model store directory (env STREAMCODER_MODEL_STORE).")
        var store: String?

        @Flag(help: "One JSON array instead of a table.")
        var json = false

        func run() async throws {
            let entries = try ModelStore(directory: try storeDirectory(store)).list()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                printLine(String(decoding: try encoder.encode(entries), as: UTF8.self))
                return
            }
            let formatter = ISO8601DateFormatter()
            printLine("name\tversion\thash\tsigner\tpushed at")
            for entry in entries {
                let pushed = formatter.string(from: Date(timeIntervalSince1970: Double(entry.pushedAt) / 1_000))
                printLine(
                    "\(entry.name)\t\(entry.version)\t\(entry.hash.prefix(12))\t\(entry.signer ?? "unsigned")\t\(pushed)"
                )
            }
        }
    }
}

/// The store from the flag or `STREAMCODER_MODEL_STORE`.
func storeDirectory(_ flag: String?) throws -> URL {
    guard let path = flag ?? ProcessInfo.processInfo.environment["STREAMCODER_MODEL_STORE"], !path.isEmpty else {
        throw ValidationError("No model store: pass --store DIR or set STREAMCODER_MODEL_STORE.")
    }
    return URL(fileURLWithPath: path)
}

extension ModelsCommand {
    /// `models activate`: the fleet switches to a stored package.
    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "activate",
            abstract: "Switch a running fleet to a package of the model store, without stopping it.",
            discussion: """
                Checks the package (every load check, and its signature with --trusted-keys), then \
                writes the fleet's next model directive to the compacted control topic. Every worker \
                of the group loads and checks it off its coding path and switches between two \
                micro-batches; one that cannot load it keeps its model and says why in its log. \
                Workers must reach the store's directory at the same path.
                """
        )

        @OptionGroup var kafka: KafkaOptions

        @Argument(help: "NAME@VERSION of a package in the store.")
        var reference: String

        @Option(help: "The model store directory (env STREAMCODER_MODEL_STORE).")
        var store: String?

        @OptionGroup var fleet: FleetOptions

        @Option(name: .customLong("trusted-keys"), help: "Refuse a package not signed by one of these .pub keys.")
        var trustedKeys: String?

        @Option(
            help: """
                Run it as a canary: it codes this fraction of the forms (by a hash of their key, the \
                same forms every time) beside the fleet's model; models promote makes it the model.
                """
        )
        var canary: Double?

        @Flag(help: "Run it in shadow: it codes every form too, its results go to the shadow topic only.")
        var shadow = false

        func validate() throws {
            if let canary, !(canary > 0 && canary < 1) {
                throw ValidationError("--canary must be a fraction between 0 and 1 (exclusive), e.g. 0.1")
            }
        }

        func run() async throws {
            let logger = makeLogger("streamcoder.models")
            let store = ModelStore(directory: try storeDirectory(store))
            guard let entry = try store.entry(reference) else {
                throw CommandError(
                    "\(reference) is not in the store \(store.directory.path): push it first "
                        + "(streamcoder models push PKG --store \(store.directory.path))"
                )
            }
            let (directory, package) = try store.checkedPackage(entry, trustedKeys: trustedKeys)
            let control = ControlTopic(
                bootstrapServers: try kafka.bootstrapServers(),
                properties: try kafka.librdkafkaProperties(),
                topic: fleet.controlTopic
            )
            let current = try await control.directives(logger: logger)[fleet.group]
            let model = ModelRef(name: entry.name, version: entry.version, sha256: package.manifest.weights.sha256)
            // The model it replaces (or runs beside): a canary's own is its stable one.
            let previous: ModelRef?
            if let current {
                let isCandidate = current.canaryFraction < 1 || current.shadow
                previous = isCandidate ? current.previous : current.package.model
            } else {
                previous = try await modelTheFleetRuns(logger: logger)
            }
            let directive = ModelDirective(
                generation: (current?.generation ?? 0) + 1,
                package: PackageRef(model: model, uri: directory.path),
                canaryFraction: shadow ? 1 : canary ?? 1,
                shadow: shadow,
                previous: previous,
                issuedAtUnixMs: Int64(Date().timeIntervalSince1970 * 1_000)
            )
            try await control.publish(directive, group: fleet.group, logger: logger)
            let mode = shadow ? " in shadow" : canary.map { " as a canary for \($0 * 100) % of the forms" } ?? ""
            printLine(
                "activated \(reference)\(mode) for \(fleet.group): generation \(directive.generation)"
                    + (previous.map { ", \(shadow || canary != nil ? "beside" : "after") \($0.name)@\($0.version)" }
                        ?? "")
            )
        }

        /// Before the first directive, the model most of the fleet's live workers report running
        /// (their --model): what a rollback returns to.
        private func modelTheFleetRuns(logger: Logger) async throws -> ModelRef? {
            let fleetState = try await CoordinatorState.read(
                group: fleet.group,
                directive: nil,
                bootstrapServers: try kafka.bootstrapServers(),
                properties: try kafka.librdkafkaProperties(),
                logger: logger
            )
            let now = Int64(Date().timeIntervalSince1970 * 1_000)
            let running = fleetState.members(nowUnixMs: now, goneAfterMs: 30_000).filter { !$0.gone }
                .compactMap(\.report.active)
            let counts = Dictionary(grouping: running) { "\($0.name)@\($0.version)" }
            return counts.max { $0.value.count < $1.value.count }?.value.first
        }
    }
}

extension ModelsCommand {
    /// `models status`: the fleet's directive and what each worker runs.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show the fleet's model directive and each worker's model, counts and refusals.",
            discussion: """
                Reads the control topic (the directive) and the fleet topic (worker reports, sent \
                every 5 s and on every change); a worker silent for --gone-after seconds is shown \
                as gone. Works with or without a coordinator.
                """
        )

        @OptionGroup var kafka: KafkaOptions

        @OptionGroup var fleet: FleetOptions

        @Option(name: .customLong("gone-after"), help: "Seconds of silence after which a worker is gone.")
        var goneAfter: Int = 30

        @Flag(help: "One JSON object instead of a table.")
        var json = false

        func run() async throws {
            let logger = makeLogger("streamcoder.models")
            let brokers = try kafka.bootstrapServers()
            let properties = try kafka.librdkafkaProperties()
            let directive = try await ControlTopic(
                bootstrapServers: brokers,
                properties: properties,
                topic: fleet.controlTopic
            ).directives(logger: logger)[fleet.group]
            let state = try await CoordinatorState.read(
                group: fleet.group,
                directive: directive,
                bootstrapServers: brokers,
                properties: properties,
                logger: logger
            )
            let status = FleetStatus(state, caughtUp: true, policy: RolloutPolicy(), goneAfter: .seconds(goneAfter))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                printLine(String(decoding: try encoder.encode(status), as: UTF8.self))
                return
            }
            printTable(status)
        }

        private func printTable(_ status: FleetStatus) {
            if let directive = status.directive {
                let model = directive.package.model
                printLine(
                    "directive \(directive.generation): \(model.name)@\(model.version) (\(directive.package.uri))"
                        + (directive.reason.isEmpty ? "" : ": \(directive.reason)")
                )
                if directive.shadow || directive.canaryFraction < 1, let stable = directive.previous {
                    let mode =
                        directive.shadow
                        ? "in shadow" : "as a canary on \(directive.canaryFraction * 100) % of the forms"
                    printLine("  \(model.name)@\(model.version) runs \(mode), beside \(stable.name)@\(stable.version)")
                    printLine("  rollout: \(status.rollout.summary)")
                }
            } else {
                printLine("no directive for \(status.group): workers run their --model")
            }
            if !status.models.isEmpty {
                printLine("model\tforms coded\tauto-coded\tmanual review\terrors")
                for entry in status.models {
                    let counts = entry.counters
                    printLine(
                        "\(entry.model.name)@\(entry.model.version)\t\(counts.formsIn)\t\(counts.autoCoded)\t"
                            + "\(counts.manualReview) (\(percent(counts.manualReviewRate)))\t"
                            + "\(counts.deadLetters + counts.errors) (\(percent(counts.errorRate)))"
                    )
                }
            }
            printLine(
                "worker\thost\tstate\tpartitions\tmodel\tcandidate\tgeneration\tforms/s\tforms in\tauto-coded\t"
                    + "manual review\tdead letters\trefused"
            )
            for member in status.workers {
                let report = member.report
                let model = report.active.map { "\($0.name)@\($0.version)" } ?? "-"
                let candidate = report.candidate.map { "\($0.name)@\($0.version)" } ?? "-"
                let refused =
                    report.loadErrors.last.map { "\(report.loadErrors.count): \($0.model.name)@\($0.model.version)" }
                    ?? "0"
                let counters = report.counters
                let rate = member.formsPerSecond.map { String(format: "%.0f", $0) } ?? "-"
                printLine(
                    "\(report.workerID)\t\(report.host.isEmpty ? "-" : report.host)\t\(member.gone ? "gone" : "up")\t"
                        + "\(report.partitions.count)\t\(model)\t\(candidate)\t\(report.directiveGeneration)\t\(rate)\t"
                        + "\(counters.formsIn)\t\(counters.autoCoded)\t\(counters.manualReview)\t\(counters.deadLetters)\t\(refused)"
                )
                for entry in report.models where report.models.count > 1 {
                    printLine(
                        "  \(entry.model.name)@\(entry.model.version): \(entry.counters.formsIn) forms, manual review "
                            + "\(percent(entry.counters.manualReviewRate)), errors \(percent(entry.counters.errorRate))"
                    )
                }
            }
        }

        private func percent(_ rate: Double) -> String { "\((rate * 1_000).rounded() / 10) %" }
    }
}

extension ModelsCommand {
    /// `models rollback`: the fleet goes back to the model before the current directive's.
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Switch the fleet back to the model it ran before the last activation.",
            discussion: """
                Writes the next directive with the current one's previous model, found in the store \
                and checked again (every load check, and its signature with --trusted-keys).
                """
        )

        @OptionGroup var kafka: KafkaOptions

        @Option(help: "The model store directory (env STREAMCODER_MODEL_STORE).")
        var store: String?

        @OptionGroup var fleet: FleetOptions

        @Option(name: .customLong("trusted-keys"), help: "Refuse a package not signed by one of these .pub keys.")
        var trustedKeys: String?

        func run() async throws {
            let logger = makeLogger("streamcoder.models")
            let control = ControlTopic(
                bootstrapServers: try kafka.bootstrapServers(),
                properties: try kafka.librdkafkaProperties(),
                topic: fleet.controlTopic
            )
            guard let current = try await control.directives(logger: logger)[fleet.group] else {
                throw CommandError("\(fleet.group) has no directive on \(fleet.controlTopic): nothing to roll back")
            }
            let store = ModelStore(directory: try storeDirectory(store))
            let directive = try store.rollbackDirective(
                after: current,
                group: fleet.group,
                trustedKeys: trustedKeys,
                reason: "rolled back by an operator (models rollback)"
            )
            try await control.publish(directive, group: fleet.group, logger: logger)
            printLine(
                "rolled \(fleet.group) back to \(directive.package.model.name)@\(directive.package.model.version): generation \(directive.generation), "
                    + "after \(current.package.model.name)@\(current.package.model.version)"
            )
        }
    }
}

extension ModelsCommand {
    /// `models promote`: the canary or shadow candidate becomes the fleet's model.
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Make the fleet's canary or shadow candidate its model, for every form."
        )

        @OptionGroup var kafka: KafkaOptions

        @OptionGroup var fleet: FleetOptions

        func run() async throws {
            let logger = makeLogger("streamcoder.models")
            let control = ControlTopic(
                bootstrapServers: try kafka.bootstrapServers(),
                properties: try kafka.librdkafkaProperties(),
                topic: fleet.controlTopic
            )
            guard let current = try await control.directives(logger: logger)[fleet.group],
                current.canaryFraction < 1 || current.shadow
            else {
                throw CommandError("\(fleet.group) runs no canary or shadow candidate: nothing to promote")
            }
            var directive = current
            directive.generation += 1
            directive.canaryFraction = 1
            directive.shadow = false
            directive.issuedAtUnixMs = Int64(Date().timeIntervalSince1970 * 1_000)
            try await control.publish(directive, group: fleet.group, logger: logger)
            let model = current.package.model
            printLine("promoted \(model.name)@\(model.version) for \(fleet.group): generation \(directive.generation)")
        }
    }
}

/// Which fleet an operator command is about, and where its directives are.
struct FleetOptions: ParsableArguments {
    @Option(
        name: .customLong("group"),
        help: "The fleet: its workers' consumer group (default: $STREAMCODER_GROUP, else streamcoder-workers)."
    )
    var groupOption: String?

    /// The fleet's group: `--group`, else `STREAMCODER_GROUP` (as the workers read it), else the default.
    var group: String { group(in: ProcessInfo.processInfo.environment) }

    /// The fleet's group as a process with `environment` reads it.
    func group(in environment: [String: String]) -> String {
        StreamCoderFleet.group(flag: groupOption, environment: environment)
    }

    @Option(name: .customLong("control-topic"), help: "The compacted control topic.")
    var controlTopic: String = StreamCoderTopic.control
}
