import Testing

@testable import Kafka

@Suite("Repeat filter")
struct RepeatFilterTests {
    @Test func repeatsWithinTheWindowAreCountedAndReportedWithTheNextLine() {
        var filter = RepeatFilter()
        let start = ContinuousClock.now
        #expect(filter.admit("Connect to 127.0.0.1:9092 failed (after 3ms)", at: start) == .log(suppressed: 0))
        for millisecond in 1...120 {
            let line = "Connect to 127.0.0.1:9092 failed (after \(millisecond)ms)"
            #expect(filter.admit(line, at: start + .milliseconds(millisecond * 50)) == .hold)
        }
        #expect(filter.admit("another error", at: start + .seconds(1)) == .log(suppressed: 0))
        let later = filter.admit("Connect to 127.0.0.1:9092 failed (after 9ms)", at: start + .seconds(11))
        #expect(later == .log(suppressed: 120))
        #expect(RepeatFilter.text("x", suppressed: 120) == "x (… 120 more in the last 10 s)")
        #expect(RepeatFilter.text("x", suppressed: 0) == "x")
    }

    @Test func librdkafkasTrailingDetailsDoNotMakeANewMessage() {
        var filter = RepeatFilter()
        let start = ContinuousClock.now
        let first = "127.0.0.1:9999/bootstrap: Connect to ipv4#127.0.0.1:9999 failed: Connection refused"
        #expect(filter.admit(first + " (after 0ms in state CONNECT)", at: start) == .log(suppressed: 0))
        let repeated = first + " (after 0ms in state CONNECT, 1 identical error(s) suppressed)"
        #expect(filter.admit(repeated, at: start + .seconds(1)) == .hold)
        #expect(filter.admit("Connect to another host failed", at: start + .seconds(1)) == .log(suppressed: 0))
    }
}
