import ArgumentParser
import Foundation
import Testing

@testable import streamcoder

/// Every `streamcoder` command line of compose and Kubernetes is one the binary accepts, with the
/// environment variables and paths it reads.
@Suite("Deployed command lines")
struct CommandLineTests {
    @Test func everyCommandNamesARealSubcommandAndItsFlagsParse() throws {
        let commands = try DeployedCommands.all()
        #expect(commands.count >= 8, "\(commands)")
        for command in commands {
            #expect(Suggestion.unknownCommand(in: command.arguments, of: StreamCoderCommand.self) == nil, "\(command)")
            do {
                let parsed = try command.parsed()
                #expect(!(parsed is StreamCoderCommand), "\(command): names no subcommand")
            } catch {
                Issue.record("\(command): \(StreamCoderCommand.message(for: error))")
            }
        }
    }

    @Test(arguments: [Repository.compose, Repository.kubernetes])
    func eachFileRunsTheWholeFleet(_ file: String) throws {
        let commands = try DeployedCommands.all().filter { $0.file == file }
        #expect(commands.contains { $0.isWorker }, "\(file): no worker")
        #expect(commands.contains { $0.isCoordinator }, "\(file): no coordinator")
        #expect(commands.contains { $0.isTopicsCreate }, "\(file): no init job creating the topics")
        #expect(commands.contains { $0.parsed(as: ModelsCommand.Push.self) != nil }, "\(file): no model store seed")
    }

    @Test func everyServingCommandListensBeyondTheContainer() throws {
        // The defaults are 127.0.0.1: Prometheus and the kubelet could not reach a container's port.
        for command in try DeployedCommands.all() {
            guard let endpoint = command.endpoint else { continue }
            #expect(endpoint.address == "0.0.0.0", "\(command)")
        }
    }

    @Test func everyStreamCoderVariableIsOneTheCodeReads() throws {
        let sources = try Repository.swiftSources()
        // Literal names, and the worker's `setting(flag, "NAME")` look-ups of STREAMCODER_NAME.
        var known = Set(sources.matches(of: #/"(STREAMCODER_[A-Z_]+)"/#).map { String($0.output.1) })
        known.formUnion(sources.matches(of: #/setting\([^,()]*,\s*"([A-Z_]+)"\)/#).map { "STREAMCODER_\($0.output.1)" })
        #expect(known.contains("STREAMCODER_BROKERS") && known.contains("STREAMCODER_FORMS_TOPIC"), "\(known)")
        for command in try DeployedCommands.all() {
            for name in command.environment.keys where name.hasPrefix("STREAMCODER_") {
                #expect(known.contains(name), "\(command.origin): \(name) is read by no streamcoder command")
            }
        }
    }

    @Test func everyCommandTalkingToKafkaHasBrokers() throws {
        for command in try DeployedCommands.all() where command.parsed(as: ModelsCommand.Push.self) == nil {
            let brokers = try #require(command.brokers, "\(command): no --brokers and no STREAMCODER_BROKERS")
            #expect(!brokers.hasPrefix("127.") && !brokers.hasPrefix("localhost"), "\(command): \(brokers)")
        }
    }

    @Test func thePackagesTheCommandsNameAreInTheImage() throws {
        let image = try ImageLayout.load()
        for command in try DeployedCommands.all() {
            #expect(!command.packagePaths.isEmpty || !command.isWorker, "\(command): a worker without a model")
            for path in command.packagePaths {
                let source = try #require(image.source(of: path), "\(command): \(path) is not in the image")
                #expect(Repository.exists("\(source)/manifest.json"), "\(command): \(source) is not a package")
            }
            if let produce = command.parsed(as: ProduceCommand.self) {
                let source = try #require(image.source(of: produce.csv), "\(command): \(produce.csv) not in the image")
                #expect(Repository.exists(source), "\(command): \(source)")
            }
        }
    }

    @Test func everyCommandWithAStoreMountsIt() throws {
        let compose = try Repository.yaml(Repository.compose)["services"]
        let documents = try Repository.kubernetesDocuments()
        var stores: Set<String> = []
        for command in try DeployedCommands.all() {
            guard let store = command.store else { continue }
            stores.insert(store)
            let mounts: [String]
            if command.file == Repository.compose {
                mounts = compose[command.name]["volumes"].strings.map { $0.split(separator: ":").map(String.init)[1] }
            } else {
                let containers = documents.flatMap {
                    Kubernetes.podSpec(of: $0)["containers"].list + Kubernetes.podSpec(of: $0)["initContainers"].list
                }
                let container = containers.first { $0["name"].string == command.name }
                mounts = container?["volumeMounts"].list.compactMap { $0["mountPath"].string } ?? []
            }
            #expect(mounts.contains(store), "\(command): the store \(store) is not mounted (\(mounts))")
        }
        // A directive names a package by its path in the store: every pod must see the same path.
        #expect(stores.count == 1, "\(stores)")
    }
}

/// Where the Dockerfile puts repository files in the image.
struct ImageLayout {
    /// (destination in the image, source in the repository) of each COPY from the build context.
    let copies: [(destination: String, source: String)]

    static func load() throws -> ImageLayout {
        let dockerfile = try Dockerfile.load()
        let copies = dockerfile.runtime.all("COPY").filter { $0.flag("from") == nil }.compactMap {
            copy -> (String, String)? in
            let operands = copy.operands
            guard operands.count == 2 else { return nil }
            return (operands[1], operands[0])
        }
        return ImageLayout(copies: copies)
    }

    /// The repository path a path of the image comes from, when a COPY put it there.
    func source(of path: String) -> String? {
        for (destination, source) in copies {
            if path == destination { return source }
            if path.hasPrefix(destination.hasSuffix("/") ? destination : destination + "/") {
                return source + "/" + path.dropFirst(destination.count).drop { $0 == "/" }
            }
        }
        return nil
    }
}

/// The settings a ConfigMap gives every pod reach the operator commands and the coordinator as
/// they reach the workers.
@Suite("Fleet settings from the environment")
struct FleetSettingsTests {
    @Test func theFleetsGroupComesFromTheFlagElseStreamcoderGroupElseTheDefault() throws {
        let unset = try FleetOptions.parse([])
        #expect(unset.group(in: [:]) == "streamcoder-workers")
        #expect(unset.group(in: ["STREAMCODER_GROUP": "registry-east"]) == "registry-east")
        let flagged = try FleetOptions.parse(["--group", "registry-west"])
        #expect(flagged.group(in: ["STREAMCODER_GROUP": "registry-east"]) == "registry-west")
    }

    @Test func aWorkersProbesListenWhereTheFlagsElseTheEnvironmentSay() throws {
        let worker = try #require(try StreamCoderCommand.parseAsRoot(["worker"]) as? WorkerCommand)
        #expect(worker.probeEndpoint(environment: [:]) == ("127.0.0.1", 9464))
        let container = worker.probeEndpoint(
            environment: ["STREAMCODER_METRICS_ADDRESS": "0.0.0.0", "STREAMCODER_METRICS_PORT": "9500"]
        )
        #expect(container == ("0.0.0.0", 9500))
        let flagged = try #require(
            try StreamCoderCommand.parseAsRoot(["worker", "--metrics-port", "9600"]) as? WorkerCommand
        )
        #expect(flagged.probeEndpoint(environment: ["STREAMCODER_METRICS_PORT": "9500"]).port == 9600)
    }
}
