import Foundation
import Kafka
import Synchronization
import Testing

@Suite("Producer")
struct KafkaProducerTests {
    @Test func messagesArriveWithTheirKeysValuesAndHeaders() async throws {
        let cluster = try makeCluster(topic: "round-trip", partitions: 3)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        )
        let headers = [
            KafkaHeader(key: "sc-correlation-id", text: "abc"),
            KafkaHeader(key: "empty", value: []),
            KafkaHeader(key: "null", value: nil),
        ]
        var reports: [KafkaDeliveryReport] = []
        for index in 0..<20 {
            let message = KafkaProducerMessage(
                topic: "round-trip",
                key: Array("form-\(index)".utf8),
                value: [UInt8(index), 0, 255],
                headers: headers
            )
            reports.append(try await producer.send(message))
        }
        #expect(reports.allSatisfy { $0.isDelivered && $0.offset != nil })

        let consumer = try makeConsumer(cluster, group: "round-trip", topic: "round-trip")
        let messages = try await consume(consumer, count: 20)
        #expect(messages.count == 20)
        let byKey = Dictionary(
            uniqueKeysWithValues: messages.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) }
        )
        for index in 0..<20 {
            let message = try #require(byKey["form-\(index)"])
            #expect(message.value == [UInt8(index), 0, 255])
            #expect(message.headers == headers)
            #expect(message.timestampMilliseconds != nil)
        }
    }

    @Test func everyMessageGetsOneDeliveryReport() async throws {
        let cluster = try makeCluster(topic: "reports", partitions: 4)
        let seen = Mutex<[UInt64: Int]>([:])
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        ) { reports in
            seen.withLock { seen in
                for report in reports { seen[report.id.rawValue, default: 0] += 1 }
            }
        }
        var ids: [UInt64] = []
        for index in 0..<5_000 {
            ids.append(
                try producer.produce(KafkaProducerMessage(topic: "reports", key: Array("\(index)".utf8), value: [1]))
                    .rawValue
            )
        }
        try await producer.flush()
        let counts = seen.withLock { $0 }
        #expect(counts.count == 5_000)
        #expect(ids.allSatisfy { counts[$0] == 1 })
        #expect(producer.deliveryCounts == (5_000, 0))
        #expect(producer.outstandingCount == 0)
    }

    @Test func preparingTopicsLooksThemUpAndNamesTheOnesItCannot() async throws {
        let cluster = try makeCluster(topic: "results", partitions: 3)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        )
        #expect(await producer.prepare(topics: ["results"]).isEmpty)
        try cluster.setBrokerDown(1)
        let unreachable = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        )
        let failures = await unreachable.prepare(topics: ["results"], timeout: .seconds(1))
        #expect(failures.map(\.topic) == ["results"])
        #expect(failures.first?.error.message.contains("results") == true)
    }

    @Test func sameKeyLandsInSamePartitionInOrder() async throws {
        let cluster = try makeCluster(topic: "keyed", partitions: 6)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        )
        var partitions = Set<Int32>()
        var lastOffset: Int64 = -1
        for _ in 0..<10 {
            let report = try await producer.send(
                KafkaProducerMessage(topic: "keyed", key: Array("form-42".utf8), value: [1])
            )
            partitions.insert(report.partition)
            #expect(report.offset! > lastOffset)
            lastOffset = report.offset!
        }
        #expect(partitions.count == 1)
    }

    @Test func anUnknownPropertyIsRefusedByName() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties["no.such.property"] = "1"
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: testLogger)
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("no.such.property") == true)
    }

    @Test func deliveryFailsWhileTheBrokerIsDownAndWorksAfterItIsBack() async throws {
        let cluster = try makeCluster(topic: "outage", partitions: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.properties["message.timeout.ms"] = "1500"
        configuration.properties["reconnect.backoff.max.ms"] = "200"
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        try await producer.send(KafkaProducerMessage(topic: "outage", value: [1]))

        try cluster.setBrokerDown(1)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: "outage", value: [2]))
        }
        #expect(error?.code == .delivery)
        #expect(error?.rdKafkaName == "_MSG_TIMED_OUT")
        #expect(error?.isRetriable == true, "the same message may be delivered once the broker is back")

        try cluster.setBrokerUp(1)
        let report = try await producer.send(KafkaProducerMessage(topic: "outage", value: [3]))
        #expect(report.isDelivered)
    }

    @Test func transientBrokerErrorsAreRetriedWithoutLossOrDuplicates() async throws {
        let cluster = try makeCluster(topic: "flaky", partitions: 1)
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger
        )
        try await producer.send(KafkaProducerMessage(topic: "flaky", value: [0]))
        // Produce (API key 0) answered NOT_LEADER_FOR_PARTITION (6) twice, then normally.
        cluster.pushRequestErrors(apiKey: 0, errorCodes: [6, 6])
        for index in 1...10 {
            try producer.produce(KafkaProducerMessage(topic: "flaky", value: [UInt8(index)]))
        }
        try await producer.flush()
        #expect(producer.deliveryCounts == (11, 0))

        let consumer = try makeConsumer(cluster, group: "flaky", topic: "flaky")
        let values = try await consume(consumer, count: 11).map { $0.value![0] }
        #expect(values == Array(0...10))
    }
}
