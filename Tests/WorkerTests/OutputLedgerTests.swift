import Kafka
import Logging
import Synchronization
import Testing
import Wire

@testable import Worker

/// The ledger without a broker: inputs registered in offset order, outputs delivered, failed,
/// retried and replaced in seeded random orders; offsets checked against what was delivered.
@Suite("Output ledger")
struct OutputLedgerTests {
    /// What the ledger under test stored and sent, and a clock the test moves.
    final class Harness: Sendable {
        let stored: Shared<[KafkaTopicPartition: [Int64]]>
        let now: Shared<ContinuousClock.Instant>
        let sent = Mutex<[UInt64: OutputLedger.Output]>([:])
        let nextID = Mutex<UInt64>(1)
        let topics = WorkerTopics()
        let ledger: OutputLedger

        init(maxAttempts: Int = 5) {
            var logger = Logger(label: "ledger-tests")
            logger.logLevel = .critical
            let stored = Shared<[KafkaTopicPartition: [Int64]]>([:])
            let now = Shared(ContinuousClock.now)
            self.stored = stored
            self.now = now
            ledger = OutputLedger(
                topics: topics,
                deadLetters: DeadLetters(topic: topics.deadLetter, maxMessageBytes: 100_000),
                policy: DeliveryPolicy(maxAttempts: maxAttempts),
                logger: logger,
                clock: { now.withLock { instant in instant } }
            ) { offsets in
                stored.withLock { stored in
                    for (partition, offset) in offsets { stored[partition, default: []].append(offset) }
                }
            }
        }

        func send(_ output: OutputLedger.Output) {
            let raw = nextID.withLock { next in
                defer { next += 1 }
                return next
            }
            let id = KafkaMessageID(rawValue: raw)
            try! ledger.send(output, id: id) { _ in }
            sent.withLock { $0[id.rawValue] = output }
        }

        /// Reports on sent output `id`: delivered, or failed with `error`.
        func report(_ id: UInt64, error: KafkaError? = nil) {
            guard let output = sent.withLock({ $0.removeValue(forKey: id) }) else { return }
            ledger.delivered([
                KafkaDeliveryReport(
                    id: KafkaMessageID(rawValue: id),
                    topic: output.message.topic,
                    partition: 0,
                    offset: error == nil ? 1 : nil,
                    error: error
                )
            ])
        }

        func advance(_ duration: Duration) { now.withLock { $0 += duration } }

        func lastStored(_ partition: KafkaTopicPartition) -> Int64? { stored.withLock { $0[partition]?.last } }
    }

    static func record(_ partition: KafkaTopicPartition, _ offset: Int64) -> KafkaConsumerMessage {
        KafkaConsumerMessage(
            topicPartition: partition,
            offset: offset,
            key: Array("f-\(offset)".utf8),
            value: [1, 2, 3],
            headers: [],
            timestampMilliseconds: nil
        )
    }

    let partitions = (0..<3).map { KafkaTopicPartition(topic: StreamCoderTopic.forms, partition: $0) }
    let timedOut = KafkaError(.delivery, "message timed out", isRetriable: true)

    @Test(arguments: [1, 2, 3, 42, 1_234] as [UInt64])
    func offsetsOnlyCoverInputsWhoseOutputsAreAllDeliveredWhateverTheOrder(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let harness = Harness()
        let ledger = harness.ledger
        // Inputs, in offset order per partition, each with one or two outputs.
        var inputs: [(id: UInt64, partition: KafkaTopicPartition, offset: Int64, outputs: Int)] = []
        for offset in 0..<150 {
            for partition in partitions {
                let id = ledger.register(partition, offset: Int64(offset), publishedAt: nil)
                inputs.append((id, partition, Int64(offset), 1 + Int(random.next() % 2)))
            }
        }
        for input in inputs {
            ledger.expect(input.id, outputs: input.outputs)
            let source = Self.record(input.partition, input.offset)
            let topics = [StreamCoderTopic.codings, "caller.replies"]
            for topic in topics.prefix(input.outputs) {
                let message = KafkaProducerMessage(topic: topic, key: source.key, value: [9])
                harness.send(
                    .init(input: input.id, message: message, kind: harness.topics.kind(of: topic), source: source)
                )
            }
        }
        #expect(ledger.pending() == inputs.count)
        // Deliver in random order; a fifth of the tries fail and come back after their backoff.
        var rounds = 0
        while ledger.pending() > 0 && rounds < 200 {
            rounds += 1
            var ids = harness.sent.withLock { Array($0.keys) }
            ids.shuffle(using: &random)
            for id in ids {
                harness.report(id, error: random.next() % 5 == 0 ? timedOut : nil)
                checkStoredOffsetsAreCovered(harness, inputs: inputs)
            }
            harness.advance(.seconds(10))
            for retry in ledger.takeRetries() { harness.send(retry) }
        }
        #expect(ledger.pending() == 0, "every input completed within \(rounds) rounds")
        for partition in partitions {
            #expect(harness.lastStored(partition) == 150, "\(partition) committable past its last offset")
            let stored = harness.stored.withLock { $0[partition] ?? [] }
            #expect(stored == stored.sorted(), "stored offsets of \(partition) only move forward")
        }
        let counters = ledger.counters
        #expect(counters.completed == UInt64(inputs.count))
        #expect(counters.deliveryRetries > 0)
        #expect(ledger.failure == nil)
    }

    /// Every stored offset covers only inputs none of whose outputs is still out.
    private func checkStoredOffsetsAreCovered(
        _ harness: Harness,
        inputs: [(id: UInt64, partition: KafkaTopicPartition, offset: Int64, outputs: Int)]
    ) {
        let outstanding = Set(harness.sent.withLock { $0.values.map(\.input) })
        let retrying = Set(harness.ledger.pendingRetryInputs)
        for partition in partitions {
            guard let stored = harness.lastStored(partition) else { continue }
            let uncovered = inputs.filter {
                $0.partition == partition && $0.offset < stored
                    && (outstanding.contains($0.id) || retrying.contains($0.id))
            }
            if !uncovered.isEmpty {
                Issue.record("\(partition) stored \(stored) while offset \(uncovered[0].offset) still has outputs out")
                return
            }
        }
    }

    @Test func aResultThatKeepsFailingIsReplacedByADeadLetterThatThenCompletesTheInput() throws {
        let harness = Harness(maxAttempts: 3)
        let ledger = harness.ledger
        let partition = partitions[0]
        let id = ledger.register(partition, offset: 7, publishedAt: nil)
        ledger.expect(id, outputs: 1)
        let source = Self.record(partition, 7)
        harness.send(
            .init(input: id, message: .init(topic: StreamCoderTopic.codings, value: [1]), kind: .result, source: source)
        )
        for attempt in 1...3 {
            let sentID = try #require(harness.sent.withLock { $0.keys.first })
            harness.report(sentID, error: timedOut)
            if attempt < 3 {
                #expect(ledger.takeRetries().isEmpty, "no retry before its backoff")
                harness.advance(.seconds(10))
            }
            let retries = ledger.takeRetries()
            try #require(retries.count == 1)
            if attempt < 3 {
                #expect(retries[0].kind == .result && retries[0].attempts == attempt + 1)
            } else {
                #expect(retries[0].kind == .deadLetter)
                #expect(retries[0].message.topic == StreamCoderTopic.deadLetter)
                #expect(retries[0].message.value == source.value)
                #expect(
                    retries[0].message.headers.first { $0.key == StreamCoderHeader.errorCode }?.text == "deliveryFailed"
                )
            }
            harness.send(retries[0])
        }
        #expect(harness.lastStored(partition) == nil, "nothing committable before the dead letter is delivered")
        harness.report(try #require(harness.sent.withLock { $0.keys.first }))
        #expect(harness.lastStored(partition) == 8)
        #expect(ledger.counters.replacedOutputs == 1)
        #expect(ledger.counters.deadLetters == 1)
    }

    @Test func eachDeliveredOutputIsCountedForTheModelThatCodedItsInput() throws {
        let harness = Harness(maxAttempts: 1)
        let ledger = harness.ledger
        let stable = ModelIdentity(name: "naf", version: "1", sha256: "aa")
        let candidate = ModelIdentity(name: "naf", version: "2", sha256: "bb")
        let plan: [(ModelIdentity, String)] = [
            (stable, StreamCoderTopic.codings), (stable, StreamCoderTopic.manualReview),
            (candidate, StreamCoderTopic.manualReview), (candidate, StreamCoderTopic.manualReview),
            (candidate, StreamCoderTopic.codings), (stable, StreamCoderTopic.codings),
        ]
        for (offset, (model, topic)) in plan.enumerated() {
            let id = ledger.register(partitions[0], offset: Int64(offset), publishedAt: nil)
            ledger.expect(id, outputs: 1, model: model)
            harness.send(
                .init(
                    input: id,
                    message: .init(topic: topic, value: [1]),
                    kind: .result,
                    source: Self.record(partitions[0], Int64(offset))
                )
            )
        }
        // The last one fails once and is replaced by a dead letter: an error of the stable model.
        let ids = harness.sent.withLock { $0.keys.sorted() }
        for id in ids.dropLast() { harness.report(id) }
        harness.report(try #require(ids.last), error: timedOut)
        let replacement = try #require(ledger.takeRetries().first)
        harness.send(replacement)
        harness.report(try #require(harness.sent.withLock { $0.keys.first }))

        let counts = ledger.modelCounters
        #expect(counts[stable]?.formsIn == 3)
        #expect(counts[stable]?.autoCoded == 1)
        #expect(counts[stable]?.manualReview == 1)
        #expect(counts[stable]?.deadLetters == 1)
        #expect(counts[stable]?.replacedOutputs == 1)
        #expect(counts[candidate]?.formsIn == 3)
        #expect(counts[candidate]?.autoCoded == 1)
        #expect(counts[candidate]?.manualReview == 2)
        #expect(ledger.counters.formsIn == 6 && ledger.counters.autoCoded == 2 && ledger.counters.manualReview == 3)
        #expect(harness.lastStored(partitions[0]) == 6)
    }

    @Test func aRefusedOutputIsReplacedAtOnceAndAnUndeliverableMinimalDeadLetterIsFatal() throws {
        let harness = Harness()
        let ledger = harness.ledger
        let partition = partitions[1]
        let id = ledger.register(partition, offset: 0, publishedAt: nil)
        ledger.expect(id, outputs: 1)
        let source = Self.record(partition, 0)
        let tooLarge = KafkaError(.messageTooLarge, "too large")
        let output = OutputLedger.Output(
            input: id,
            message: .init(topic: StreamCoderTopic.codings, value: [1]),
            kind: .result,
            source: source
        )
        guard case .send(let letter) = ledger.refused(output, error: tooLarge) else {
            Issue.record("a refused result is not replaced by a dead letter")
            return
        }
        #expect(letter.kind == .deadLetter)
        guard case .send(let minimal) = ledger.refused(letter, error: tooLarge) else {
            Issue.record("a refused dead letter is not replaced by a minimal one")
            return
        }
        #expect(minimal.kind == .minimalDeadLetter && minimal.message.value == nil)
        guard case .handled = ledger.refused(minimal, error: tooLarge) else {
            Issue.record("a refused minimal dead letter is sent again")
            return
        }
        #expect(ledger.failure?.contains("refuses even a minimal dead letter") == true)
        #expect(ledger.pending() == 1, "the input stays uncommitted")
        #expect(harness.lastStored(partition) == nil)
    }

    @Test func forgottenPartitionsDropTheirRetriesAndLateReportsChangeNothing() throws {
        let harness = Harness()
        let ledger = harness.ledger
        let kept = partitions[0]
        let gone = partitions[2]
        for partition in [kept, gone] {
            let id = ledger.register(partition, offset: 3, publishedAt: nil)
            ledger.expect(id, outputs: 1)
            harness.send(
                .init(
                    input: id,
                    message: .init(topic: StreamCoderTopic.codings, value: [1]),
                    kind: .result,
                    source: Self.record(partition, 3)
                )
            )
        }
        let ids = harness.sent.withLock { $0.keys.sorted() }
        harness.report(ids[1], error: timedOut)  // the second partition's output fails…
        ledger.forget([gone])  // …and the partition is revoked
        harness.advance(.seconds(10))
        #expect(ledger.takeRetries().isEmpty)
        #expect(ledger.pending() == 1)
        harness.report(ids[0])
        #expect(harness.lastStored(kept) == 4)
        #expect(harness.lastStored(gone) == nil)
        #expect(ledger.pending() == 0)
    }
}

/// A value behind a lock that closures can share.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

/// SplitMix64: a small seeded generator, so a failing order can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
