import Foundation
import Testing
import Wire

@testable import streamcoder

/// The init jobs' commands, run for real: the topics job against a broker that answers
/// CreateTopics (Tansu), the model store seed into a temporary store.
@Suite("Init jobs, run for real")
struct InitJobTests {
    /// A deployed command's arguments without `--brokers` (the test's broker comes from the environment).
    static func withoutBrokers(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            defer { skipNext = argument == "--brokers" }
            if skipNext || argument == "--brokers" || argument.hasPrefix("--brokers=") { continue }
            kept.append(argument)
        }
        return kept
    }

    @Test(arguments: [Repository.compose, Repository.kubernetes])
    func theTopicsJobCreatesEveryTopicOnABrokerAndCanRunAgain(_ file: String) async throws {
        let job = try #require(try DeployedCommands.all().first { $0.file == file && $0.isTopicsCreate })
        let expected = try #require(job.createdTopics)
        let tansu = try await Tansu.start()
        defer { tansu.process.stop() }
        let arguments = Self.withoutBrokers(job.arguments)

        let created = try await tansu.streamcoder(arguments, environment: job.environment)
        #expect(
            created.split(separator: "\n").filter { $0.hasPrefix("created ") }.count == expected.count,
            "\(created)"
        )
        // A rerun (compose `up` again, a Job's retry or re-apply) must succeed too.
        try await tansu.streamcoder(arguments, environment: job.environment)

        let topics = try await tansu.topics()
        for spec in expected {
            #expect(
                topics[spec.name] == spec.partitions,
                "\(file): \(spec.name) has \(topics[spec.name] ?? 0) partitions"
            )
        }
        for topic in StreamCoderTopic.defaults {
            let configs = try await tansu.configs(topic.name)
            for (key, value) in topic.configs {
                #expect(configs[key] == value, "\(file): \(topic.name) \(key)=\(configs[key] ?? "unset")")
            }
        }
        #expect(try await tansu.configs(StreamCoderTopic.control)["cleanup.policy"] == "compact")
        #expect(try await tansu.configs(StreamCoderTopic.forms)["cleanup.policy"] != "compact")
    }

    @Test(arguments: [Repository.compose, Repository.kubernetes])
    func theModelStoreSeedPushesTheDemoPackageOnce(_ file: String) async throws {
        let seed = try #require(
            try DeployedCommands.all().first { $0.file == file && $0.parsed(as: ModelsCommand.Push.self) != nil }
        )
        let push = try #require(seed.parsed(as: ModelsCommand.Push.self))
        let image = try ImageLayout.load()
        let package = try #require(image.source(of: push.package), "\(seed): \(push.package) is not in the image")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: store) }
        // The image's path of the package becomes the repository's; the store a temporary folder.
        let arguments = seed.arguments.map { $0 == push.package ? Repository.url(package).path : $0 }
            .map { $0 == push.store ? store.path : $0 }
        var environment = seed.environment
        environment["STREAMCODER_MODEL_STORE"] = store.path

        let first = try await runToCompletion(TestTools.streamcoder, arguments, environment: environment)
        #expect(first.hasPrefix("pushed naf-demo@"), "\(first)")
        let again = try await runToCompletion(TestTools.streamcoder, arguments, environment: environment)
        #expect(again.contains("nothing to do"), "\(again)")
        let listed = try await runToCompletion(TestTools.streamcoder, ["models", "list", "--store", store.path])
        let manifest = try Repository.json("\(package)/manifest.json")
        let version = try #require(manifest["version"].string)
        #expect(listed.contains("naf-demo\t\(version)\t"), "\(listed)")
    }
}
