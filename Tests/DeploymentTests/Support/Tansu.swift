import Foundation

/// A Tansu broker (Apache-2.0; it answers CreateTopics, which the embedded broker does not) on a
/// free loopback port, with `streamcoder` run against it. scripts/setup.sh links Tansu and the
/// librdkafka 2.x it needs on the client side under .tools/.
struct Tansu {
    let process: TestProcess
    /// Its bootstrap address, HOST:PORT.
    let bootstrap: String

    /// The librdkafka that speaks Tansu's protocol, first on the library path.
    static let environment = ["LD_LIBRARY_PATH": TestTools.tool("librdkafka2").path]

    /// Starts a broker with in-memory storage and waits until it listens.
    static func start() async throws -> Tansu {
        let address = "127.0.0.1:\(try freeLoopbackPort())"
        let process = try TestProcess(
            TestTools.tool("bin/tansu"),
            [
                "broker", "--listener-url", "tcp://\(address)", "--advertised-listener-url", "tcp://\(address)",
                "--storage-engine", "memory://tansu/",
            ],
            name: "tansu"
        )
        try await process.waitUntil("Tansu to listen", timeout: .seconds(30)) {
            (process.standardError + process.standardOutput).contains("ready")
        }
        return Tansu(process: process, bootstrap: address)
    }

    /// Runs `streamcoder` with `arguments` and `environment`, its brokers this Tansu.
    @discardableResult
    func streamcoder(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        var environment = environment.merging(Self.environment) { $1 }
        environment["STREAMCODER_BROKERS"] = bootstrap
        return try await runToCompletion(TestTools.streamcoder, arguments, environment: environment)
    }

    /// The topics and their partition counts, from `streamcoder topics list`.
    func topics() async throws -> [String: Int] {
        var topics: [String: Int] = [:]
        for line in try await streamcoder(["topics", "list"]).split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2, let count = Int(fields[1]) { topics[String(fields[0])] = count }
        }
        return topics
    }

    /// A topic's configs, from `streamcoder topics describe`.
    func configs(_ topic: String) async throws -> [String: String] {
        var configs: [String: String] = [:]
        for line in try await streamcoder(["topics", "describe", topic]).split(separator: "\n") {
            let pair = line.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { configs[String(pair[0])] = String(pair[1]) }
        }
        return configs
    }
}

/// A loopback port nothing listens on now (the kernel's pick for a socket bound to port 0).
func freeLoopbackPort() throws -> UInt16 {
    let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socketDescriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(socketDescriptor, $0, length) == 0 && getsockname(socketDescriptor, $0, &length) == 0
        }
    }
    guard bound else { throw DeploymentFailure("no free loopback port") }
    return UInt16(bigEndian: address.sin_port)
}
