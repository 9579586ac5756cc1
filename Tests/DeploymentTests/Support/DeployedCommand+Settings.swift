import Foundation
import Kafka
import Wire
import Worker

@testable import streamcoder

/// What a deployed command runs with, read as the command reads it: its flag, else its
/// STREAMCODER_* variable, else the code's default.
extension DeployedCommand {
    /// The HTTP endpoint a long-running command serves: address, port and paths.
    struct Endpoint: Equatable {
        let address: String
        let port: Int
        let paths: Set<String>
    }

    /// The worker's, the coordinator's or none.
    var endpoint: Endpoint? {
        if let worker = parsed(as: WorkerCommand.self) {
            let served = worker.probeEndpoint(environment: environment)
            return Endpoint(
                address: served.address,
                port: served.port,
                paths: ["/metrics", "/healthz", "/readyz"]
            )
        }
        if let coordinator = parsed(as: CoordinatorCommand.self) {
            return Endpoint(
                address: coordinator.address,
                port: Int(coordinator.port),
                paths: ["/status", "/metrics", "/healthz", "/readyz"]
            )
        }
        return nil
    }

    /// The topics the command reads or writes.
    var topicsUsed: Set<String> {
        if let worker = parsed(as: WorkerCommand.self) {
            let defaults = WorkerTopics()
            let configuration = WorkerConfiguration(bootstrapServers: "", modelPackage: URL(fileURLWithPath: "/"))
            let control = setting(worker.controlTopic, "CONTROL_TOPIC") ?? configuration.controlTopic
            return Set(
                [
                    setting(worker.formsTopic, "FORMS_TOPIC") ?? defaults.forms,
                    setting(worker.codingsTopic, "CODINGS_TOPIC") ?? defaults.codings,
                    setting(worker.manualReviewTopic, "MANUAL_REVIEW_TOPIC") ?? defaults.manualReview,
                    setting(worker.deadLetterTopic, "DEAD_LETTER_TOPIC") ?? defaults.deadLetter,
                    defaults.shadow, configuration.fleetTopic, control,
                ].compactMap { $0 }.filter { !$0.isEmpty }
            )
        }
        if let coordinator = parsed(as: CoordinatorCommand.self) {
            return [coordinator.fleet.controlTopic, coordinator.fleetTopic]
        }
        if let produce = parsed(as: ProduceCommand.self) {
            return [produce.topic]
        }
        if let replay = parsed(as: ReplayCommand.self) {
            var topics: Set<String> = [replay.topic, replay.deadLetterTopic, StreamCoderTopic.replays]
            topics.formUnion(
                replay.liveTopics ? [StreamCoderTopic.codings, StreamCoderTopic.manualReview] : [replay.outputTopic]
            )
            if replay.model == nil { topics.insert(StreamCoderTopic.control) }
            if let earlier = replay.compareWith { topics.insert(earlier) }
            return topics
        }
        return []
    }

    /// The forms topic of a worker.
    var formsTopic: String? {
        parsed(as: WorkerCommand.self).map { setting($0.formsTopic, "FORMS_TOPIC") ?? WorkerTopics().forms }
    }

    /// The fleet (consumer group) a worker joins or a coordinator follows.
    var group: String? {
        if let worker = parsed(as: WorkerCommand.self) {
            return StreamCoderFleet.group(flag: worker.group, environment: environment)
        }
        return parsed(as: CoordinatorCommand.self)?.fleet.group(in: environment)
    }

    /// The brokers, from `--brokers` or STREAMCODER_BROKERS.
    var brokers: String? {
        guard let arguments = arguments.firstIndex(of: "--brokers").map({ self.arguments[$0 + 1] }) else {
            return environment["STREAMCODER_BROKERS"]
        }
        return arguments
    }

    /// The topics `topics create` makes, as the command computes them.
    var createdTopics: [KafkaTopicSpecification]? {
        try? parsed(as: TopicsCommand.Create.self)?.specifications()
    }

    /// The model store of a command that has one (`models push`, the coordinator).
    var store: String? {
        if let push = parsed(as: ModelsCommand.Push.self) { return setting(push.store, "MODEL_STORE") }
        if let coordinator = parsed(as: CoordinatorCommand.self) { return setting(coordinator.store, "MODEL_STORE") }
        // Without --model, a replay codes with the fleet's model, named by its path in the store.
        if let replay = parsed(as: ReplayCommand.self), replay.model == nil { return setting(nil, "MODEL_STORE") }
        return nil
    }

    /// The package directories a command names inside the image (a worker's model, a pushed package).
    var packagePaths: [String] {
        if let worker = parsed(as: WorkerCommand.self) { return setting(worker.model, "MODEL").map { [$0] } ?? [] }
        if let push = parsed(as: ModelsCommand.Push.self) { return [push.package] }
        return []
    }

    /// The worker's shutdown grace in seconds (its flag, its variable, or the default).
    var shutdownGrace: Int? {
        guard let worker = parsed(as: WorkerCommand.self) else { return nil }
        let configuration = WorkerConfiguration(bootstrapServers: "", modelPackage: URL(fileURLWithPath: "/"))
        return worker.shutdownGrace ?? setting(nil, "SHUTDOWN_GRACE").flatMap(Int.init)
            ?? Int(configuration.shutdownGrace.components.seconds)
    }

    /// Whether this is the workers' command.
    var isWorker: Bool { parsed(as: WorkerCommand.self) != nil }

    /// Whether this is the coordinator's command.
    var isCoordinator: Bool { parsed(as: CoordinatorCommand.self) != nil }

    /// Whether this is a `topics create` command (the init job's).
    var isTopicsCreate: Bool { parsed(as: TopicsCommand.Create.self) != nil }
}
