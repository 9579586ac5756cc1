import Kafka
import Testing
import Wire

@testable import Worker

@Suite("Dead letters")
struct DeadLettersTests {
    let letters = DeadLetters(topic: StreamCoderTopic.deadLetter, maxMessageBytes: 100_000)

    func input(value: Int, key: Int = 8, headers: [KafkaHeader] = []) -> KafkaConsumerMessage {
        KafkaConsumerMessage(
            topicPartition: KafkaTopicPartition(topic: StreamCoderTopic.forms, partition: 5),
            offset: 42,
            key: Array(repeating: UInt8(ascii: "k"), count: key),
            value: (0..<value).map { UInt8(truncatingIfNeeded: $0) },
            headers: headers,
            timestampMilliseconds: nil
        )
    }

    func header(_ name: String, of message: KafkaProducerMessage) -> String? {
        message.headers.first { $0.key == name }?.text
    }

    @Test func anInputThatFitsIsKeptWholeWithItsOrigin() {
        let original = input(value: 1_000, headers: [KafkaHeader(key: "traceparent", text: "00-abc")])
        let letter = letters.make(for: original, code: "malformed", reason: "not protobuf")
        #expect(letter.topic == StreamCoderTopic.deadLetter)
        #expect(letter.value == original.value)
        #expect(letter.key == original.key)
        #expect(header("traceparent", of: letter) == "00-abc")
        #expect(header(StreamCoderHeader.errorCode, of: letter) == "malformed")
        #expect(header(StreamCoderHeader.sourceOffset, of: letter) == "42")
        #expect(header(StreamCoderHeader.sourcePartition, of: letter) == "5")
        #expect(header(StreamCoderHeader.truncated, of: letter) == nil)
    }

    @Test(arguments: [100_000 - 300, 100_001, 1_000_514, 5_000_000])
    func anInputTooLargeIsCutToFitAndSaysSo(size: Int) throws {
        let original = input(value: size, headers: [KafkaHeader(key: "traceparent", text: "00-abc")])
        let letter = letters.make(for: original, code: "messageTooLarge", reason: "too large")
        #expect(DeadLetters.size(of: letter) <= 100_000)
        let value = try #require(letter.value)
        #expect(value.count > 90_000, "as much of the value as fits")
        #expect(Array(original.value!.prefix(value.count)) == value, "a prefix of the original")
        #expect(header("traceparent", of: letter) == "00-abc")
        let marker = try #require(header(StreamCoderHeader.truncated, of: letter))
        #expect(marker.hasPrefix("value \(size) bytes cut to \(value.count); key kept; 0 of 1 headers dropped"))
    }

    @Test func hugeKeysAndHeadersAreCutToo() throws {
        let headers = (0..<40).map { KafkaHeader(key: "h\($0)", value: Array(repeating: 1, count: 5_000)) }
        let original = input(value: 10, key: 200_000, headers: headers)
        let letter = letters.make(for: original, code: "malformed", reason: String(repeating: "why ", count: 5_000))
        #expect(DeadLetters.size(of: letter) <= 100_000)
        #expect(letter.key?.count == DeadLetters.maxShrunkKeyBytes)
        #expect(letter.value == original.value)
        #expect(try #require(header(StreamCoderHeader.error, of: letter)).utf8.count <= DeadLetters.maxErrorBytes)
        #expect(header(StreamCoderHeader.truncated, of: letter)?.contains("key 200000 bytes cut to 1024") == true)
        #expect(header(StreamCoderHeader.truncated, of: letter)?.contains("of 40 headers dropped") == true)
    }

    @Test func aMinimalDeadLetterKeepsOnlyWhereTheInputCameFromAndWhy() {
        let original = input(value: 50_000, headers: [KafkaHeader(key: "traceparent", text: "00-abc")])
        let letter = letters.minimal(for: original, code: "deadLetterUndeliverable", reason: "refused")
        #expect(letter.value == nil)
        #expect(header("traceparent", of: letter) == nil)
        #expect(header(StreamCoderHeader.sourceTopic, of: letter) == StreamCoderTopic.forms)
        #expect(header(StreamCoderHeader.sourceOffset, of: letter) == "42")
        #expect(header(StreamCoderHeader.errorCode, of: letter) == "deadLetterUndeliverable")
        #expect(DeadLetters.size(of: letter) < 2_000)
    }
}
