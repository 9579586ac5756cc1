import Logging
import ServiceLifecycle
import Testing

@testable import Kafka

@Suite("Client lifecycle")
struct ClientLifecycleTests {
    @Test func onlyTheFirstCloseClosesAndNothingIsAcceptedOnceClosingBegins() {
        var lifecycle = ClientLifecycle(client: "producer")
        #expect(throws: Never.self) { try lifecycle.checkOpen() }
        let first = lifecycle.beginClosing()
        let second = lifecycle.beginClosing()
        #expect(first)
        #expect(!second, "a second close does nothing")
        let closing = #expect(throws: KafkaError.self) { try lifecycle.checkOpen() }
        #expect(closing?.code == .closed)
        #expect(closing?.message == "the producer is closing; create a new one")
        lifecycle.finishClosing()
        let afterClosed = lifecycle.beginClosing()
        #expect(lifecycle.state == .closed)
        #expect(!afterClosed)
    }

    @Test func aProducerRunAsAServiceDeliversWhatItHoldsAndThenRefusesWork() async throws {
        let cluster = try makeCluster(topic: "lifecycle", partitions: 1)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        )
        let group = ServiceGroup(configuration: .init(services: [.init(service: producer)], logger: testLogger))
        let running = Task { try await group.run() }
        for value in 0..<100 { try producer.produce(KafkaProducerMessage(topic: "lifecycle", value: [UInt8(value)])) }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(producer.deliveryCounts.delivered == 100, "delivered before the service ended")
        let refused = #expect(throws: KafkaError.self) {
            try producer.produce(KafkaProducerMessage(topic: "lifecycle", value: [1]))
        }
        #expect(refused?.code == .closed)
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: "lifecycle"),
            logger: testLogger
        )
        try await consumer.close()
        try await consumer.close()  // a second close does nothing
        #expect(throws: KafkaError.self) { try consumer.poll(maxMessages: 1, timeout: .milliseconds(10)) }
    }
}
