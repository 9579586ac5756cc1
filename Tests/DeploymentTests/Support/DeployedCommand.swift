import ArgumentParser
import Foundation

@testable import streamcoder

/// A `streamcoder` command line that a deployment file runs, with the environment it runs with.
struct DeployedCommand: Sendable, CustomStringConvertible {
    /// Where it comes from, e.g. `compose/docker-compose.yml service worker`.
    let origin: String
    /// The file it comes from, relative to the root.
    let file: String
    /// The compose service or Kubernetes container name.
    let name: String
    /// The arguments after the binary.
    let arguments: [String]
    /// Its STREAMCODER_* and other variables.
    let environment: [String: String]

    var description: String { "\(origin): streamcoder \(arguments.joined(separator: " "))" }

    /// The command as swift-argument-parser parses it (validation included), without running it.
    func parsed() throws -> any ParsableCommand {
        try StreamCoderCommand.parseAsRoot(arguments)
    }

    /// The parsed command when it is a `C`, else `nil`.
    func parsed<C: ParsableCommand>(as type: C.Type) -> C? {
        (try? parsed()) as? C
    }

    /// A flag's value, else the environment's STREAMCODER_<NAME>: how the commands read a setting.
    func setting(_ flag: String?, _ name: String) -> String? {
        flag ?? environment["STREAMCODER_\(name)"]
    }
}

/// The commands of the deployment files.
enum DeployedCommands {
    /// The image name every StreamCoder container uses starts with this.
    static let imagePrefix = "streamcoder:"

    /// Every command of the compose file and of the Kubernetes folder.
    static func all() throws -> [DeployedCommand] {
        try compose() + kubernetes()
    }

    /// The services of the compose file that run the StreamCoder image, with their command.
    static func compose() throws -> [DeployedCommand] {
        let services = try Repository.yaml(Repository.compose)["services"]
        let streamcoder = services.entries.filter { $0.value["image"].string?.hasPrefix(imagePrefix) == true }
        return try streamcoder.map { service in
            let command = service.value["command"]
            guard command.list.count == command.strings.count, !command.strings.isEmpty else {
                throw DeploymentFailure("service \(service.key): give its command as a list of strings (exec form)")
            }
            return DeployedCommand(
                origin: "\(Repository.compose) service \(service.key)",
                file: Repository.compose,
                name: service.key,
                arguments: command.strings,
                environment: service.value["environment"].stringMap
            )
        }
    }

    /// The containers (and init containers) of the Kubernetes files that run the StreamCoder image.
    static func kubernetes() throws -> [DeployedCommand] {
        let documents = try Repository.kubernetesDocuments()
        var commands: [DeployedCommand] = []
        for document in documents {
            let pod = Kubernetes.podSpec(of: document)
            for container in pod["initContainers"].list + pod["containers"].list
            where container["image"].string?.hasPrefix(imagePrefix) == true {
                let name = container["name"].string ?? "?"
                commands.append(
                    DeployedCommand(
                        origin: "\(Repository.kubernetes) \(document["kind"].string ?? "?") "
                            + "\(document["metadata"]["name"].string ?? "?") container \(name)",
                        file: Repository.kubernetes,
                        name: name,
                        arguments: try arguments(of: container),
                        environment: Kubernetes.environment(of: container, documents: documents)
                    )
                )
            }
        }
        return commands
    }

    /// A container's arguments after the binary: `args`, after `command` when that names the binary.
    private static func arguments(of container: Tree) throws -> [String] {
        let command = container["command"].strings
        guard command.isEmpty || URL(fileURLWithPath: command[0]).lastPathComponent == "streamcoder" else {
            throw DeploymentFailure("container \(container["name"].string ?? "?"): its command is not streamcoder")
        }
        return Array(command.dropFirst()) + container["args"].strings
    }
}

/// Reading Kubernetes objects.
enum Kubernetes {
    /// The pod spec of a Deployment, a Job or a Pod (an empty tree otherwise).
    static func podSpec(of document: Tree) -> Tree {
        switch document["kind"].string {
        case "Deployment", "Job", "StatefulSet", "DaemonSet": document["spec"]["template"]["spec"]
        case "Pod": document["spec"]
        default: Tree(nil)
        }
    }

    /// A container's environment: its ConfigMaps (`envFrom`), then its own `env` values.
    static func environment(of container: Tree, documents: [Tree]) -> [String: String] {
        var environment: [String: String] = [:]
        for source in container["envFrom"].list {
            guard let name = source["configMapRef"]["name"].string else { continue }
            environment.merge(configMap(name, in: documents)) { $1 }
        }
        for variable in container["env"].list {
            if let name = variable["name"].string, let value = variable["value"].string {
                environment[name] = value
            }
        }
        return environment
    }

    /// The data of the ConfigMap `name` (empty when there is none).
    static func configMap(_ name: String, in documents: [Tree]) -> [String: String] {
        documents.first { $0["kind"].string == "ConfigMap" && $0["metadata"]["name"].string == name }?["data"]
            .stringMap ?? [:]
    }

    /// The documents of a kind.
    static func documents(_ kind: String, in documents: [Tree]) -> [Tree] {
        documents.filter { $0["kind"].string == kind }
    }
}

/// A check that failed, with what to fix.
struct DeploymentFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
