import Kafka
import Logging
import Synchronization
import Testing
import Wire

@testable import Worker

/// The lanes without a broker: batches from the loop are coded once each, by whichever lane is
/// free, and every output reaches `emit` after the ledger knows its input's output count.
@Suite("Coding lanes")
struct CodingLanesTests {
    static func batch(_ index: Int, size: Int, ledger: OutputLedger) throws -> CodingLanes.Batch {
        let partition = KafkaTopicPartition(topic: StreamCoderTopic.forms, partition: Int32(index % 3))
        let messages = try (0..<size).map { offset in
            let id = "b\(index)-\(offset)"
            let value: [UInt8] =
                offset % 10 == 9
                ? [0xFF, 0x01]  // poison: a dead letter
                : try RegistryForm(formID: id, descriptionActivity: "coiffure a domicile").encoded()
            return KafkaConsumerMessage(
                topicPartition: partition,
                offset: Int64(index * 1_000 + offset),
                key: Array(id.utf8),
                value: value,
                headers: [],
                timestampMilliseconds: nil
            )
        }
        let inputs = messages.map { ledger.register($0.topicPartition, offset: $0.offset, publishedAt: nil) }
        return CodingLanes.Batch(messages: messages, inputs: inputs)
    }

    /// A ledger that stores offsets nowhere and logs nothing.
    static func ledger(_ topics: WorkerTopics) -> OutputLedger {
        var logger = Logger(label: "lanes-tests")
        logger.logLevel = .critical
        return OutputLedger(
            topics: topics,
            deadLetters: DeadLetters(topic: topics.deadLetter, maxMessageBytes: 100_000),
            logger: logger
        ) { _ in }
    }

    @Test(arguments: [1, 2, 4])
    func everyFormOfEveryBatchIsCodedOnceWhateverTheLanes(lanes: Int) throws {
        let topics = WorkerTopics()
        let ledger = Self.ledger(topics)
        let emitted = Shared<[OutputLedger.Output]>([])
        let classifier = try TestPackage.classifier()
        let lanesUnderTest = CodingLanes(
            classifiers: [classifier] + (1..<lanes).map { _ in classifier.sibling() },
            coder: FormCoder(topics: topics),
            ledger: ledger,
            onSwap: { _, _, _ in }
        ) { output in
            // The ledger must already expect this output: delivering it completes the input.
            emitted.withLock { $0.append(output) }
        }
        lanesUnderTest.start()
        let batches = 40
        for index in 0..<batches { lanesUnderTest.submit(try Self.batch(index, size: 50, ledger: ledger)) }
        lanesUnderTest.finish()

        let outputs = emitted.withLock { $0 }
        #expect(outputs.count == batches * 50, "one output per form")
        #expect(Set(outputs.map(\.input)).count == batches * 50, "no form coded twice")
        #expect(outputs.filter { $0.kind == .deadLetter }.count == batches * 5)
        #expect(outputs.allSatisfy { $0.source.key == $0.message.key })
        // Delivering every output completes every input: the lanes announced the counts first.
        for (id, output) in outputs.enumerated() {
            try ledger.send(output, id: KafkaMessageID(rawValue: UInt64(id + 1))) { _ in }
        }
        ledger.delivered(
            outputs.indices.map {
                KafkaDeliveryReport(
                    id: KafkaMessageID(rawValue: UInt64($0 + 1)),
                    topic: outputs[$0].message.topic,
                    partition: 0,
                    offset: 1,
                    error: nil
                )
            }
        )
        #expect(ledger.pending() == 0)
        #expect(ledger.counters.deadLetters == UInt64(batches * 5))
    }

    @Test func aSwapTakesEffectBetweenBatchesAndOldOutputsAllComeFirst() throws {
        let topics = WorkerTopics()
        let ledger = Self.ledger(topics)
        let emitted = Shared<[OutputLedger.Output]>([])
        let swaps = Shared<[(String, Bool)]>([])
        let first = try TestPackage.classifier()
        let second = try TestPackage.classifier(version: "2")
        let lanes = CodingLanes(
            classifiers: [first, first.sibling(), first.sibling()],
            coder: FormCoder(topics: topics),
            ledger: ledger,
            onSwap: { _, new, codedBefore in swaps.withLock { $0.append((new.version, codedBefore)) } }
        ) { output in emitted.withLock { $0.append(output) } }
        lanes.start()
        for index in 0..<10 { lanes.submit(try Self.batch(index, size: 30, ledger: ledger)) }
        lanes.swap(to: [second, second.sibling(), second.sibling()])
        for index in 10..<20 { lanes.submit(try Self.batch(index, size: 30, ledger: ledger)) }
        lanes.finish()

        let results = try emitted.withLock { $0 }.filter { $0.kind == .result }.map { output in
            (
                batch: output.source.offset / 1_000,
                version: try CodingResult(decoding: output.message.value!).model!.version
            )
        }
        #expect(results.count == 20 * 27)
        let versions = results.map(\.version)
        #expect(versions == versions.sorted(), "every output of the old model is enqueued before any of the new one")
        let perBatch = Dictionary(grouping: results, by: \.batch).mapValues { Set($0.map(\.version)) }
        #expect(perBatch.values.allSatisfy { $0.count == 1 }, "a batch is coded by one model")
        #expect(perBatch.filter { $0.key >= 10 }.values.allSatisfy { $0 == ["2"] }, "batches queued after the swap")
        #expect(swaps.withLock { $0 }.map(\.0) == ["2"])
    }

    /// Lanes over `first` with `candidate` set before the batches, and what they emitted.
    func codeWithCandidate(
        fraction: Double,
        shadow: Bool,
        batches: Int
    ) throws -> [OutputLedger.Output] {
        let topics = WorkerTopics()
        let ledger = Self.ledger(topics)
        let emitted = Shared<[OutputLedger.Output]>([])
        let first = try TestPackage.classifier()
        let second = try TestPackage.classifier(version: "2")
        let lanes = CodingLanes(
            classifiers: [first, first.sibling()],
            coder: FormCoder(topics: topics),
            ledger: ledger,
            onSwap: { _, _, _ in }
        ) { output in emitted.withLock { $0.append(output) } }
        lanes.setCandidate(.init(classifiers: [second, second.sibling()], fraction: fraction, shadow: shadow))
        lanes.start()
        for index in 0..<batches { lanes.submit(try Self.batch(index, size: 100, ledger: ledger)) }
        lanes.finish()
        return emitted.withLock { $0 }
    }

    @Test func aCanaryCodesTheFormsWhoseKeysHashUnderItsFractionAndTheSameOnesEachTime() throws {
        // 223 batches of 100 records, 90 of them valid forms: 20,070 forms.
        let outputs = try codeWithCandidate(fraction: 0.1, shadow: false, batches: 223)
        let results = try outputs.filter { $0.kind == .result }.map { output in
            (key: output.message.key!, version: try CodingResult(decoding: output.message.value!).model!.version)
        }
        #expect(results.count == 223 * 90, "one result per valid form")
        let candidate = results.filter { $0.version == "2" }
        // 20,070 forms at 10 %: 2,007 expected, four standard deviations (±170) allowed.
        #expect((1_837...2_177).contains(candidate.count), "\(candidate.count) of 20,070 went to the candidate")
        let misrouted = results.filter { ($0.version == "2") != CanaryRouter.routesToCandidate($0.key, fraction: 0.1) }
        #expect(misrouted.isEmpty, "\(misrouted.count) forms not coded by the model their key routes to")
        #expect(outputs.allSatisfy { $0.message.topic != StreamCoderTopic.shadow })
        let first = Dictionary(results.map { ($0.key, $0.version) }) { $1 }
        let again = try codeWithCandidate(fraction: 0.1, shadow: false, batches: 223).filter { $0.kind == .result }
        let changed = try again.filter {
            try first[$0.message.key!] != CodingResult(decoding: $0.message.value!).model!.version
        }
        #expect(
            again.count == results.count && changed.isEmpty,
            "a rerun routes every form the same way (\(changed.count) changed)"
        )
    }

    @Test func aShadowCandidateCodesEveryFormButPublishesOnlyToTheShadowTopic() throws {
        let outputs = try codeWithCandidate(fraction: 1, shadow: true, batches: 5)
        let live = outputs.filter { $0.message.topic != StreamCoderTopic.shadow && $0.kind != .deadLetter }
        let shadow = outputs.filter { $0.message.topic == StreamCoderTopic.shadow }
        #expect(live.count == 5 * 90 && shadow.count == 5 * 90)
        #expect(try live.allSatisfy { try CodingResult(decoding: $0.message.value!).model!.version == "1" })
        #expect(try shadow.allSatisfy { try CodingResult(decoding: $0.message.value!).model!.version == "2" })
        #expect(
            outputs.filter { $0.kind == .deadLetter }.count == 5 * 10,
            "poison dead-lettered once, not by the shadow"
        )
        #expect(shadow.allSatisfy { $0.kind == .reply }, "a shadow result that cannot be delivered is given up")
    }
}
