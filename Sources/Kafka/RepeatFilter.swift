/// Keeps a repeating error from flooding the log: the first occurrence of a message is logged,
/// repeats within `window` are only counted, and the first occurrence after the window is logged
/// with how many were held back ("… 120 more in the last 10 s").
///
/// Messages are the same when they differ only in their numbers or a trailing parenthesis
/// (librdkafka's lines carry timings and counters).
struct RepeatFilter {
    /// What to do with one occurrence.
    enum Admission: Equatable {
        /// Log it; `suppressed` repeats of it were held back since it was last logged.
        case log(suppressed: Int)
        /// Count it only.
        case hold
    }

    /// How long repeats of a logged message are held back.
    static let window: Duration = .seconds(10)
    private var logged: [String: (at: ContinuousClock.Instant, held: Int)] = [:]

    /// Whether to log `message`, seen at `now`.
    mutating func admit(_ message: String, at now: ContinuousClock.Instant) -> Admission {
        let key = Self.shape(of: message)
        if let last = logged[key], now - last.at < Self.window {
            logged[key] = (last.at, last.held + 1)
            return .hold
        }
        let held = logged[key]?.held ?? 0
        logged[key] = (now, 0)
        if logged.count > 1_000 { logged = logged.filter { now - $0.value.at < Self.window } }
        return .log(suppressed: held)
    }

    /// The message with every run of digits as one `#`, and without a trailing parenthesis
    /// (librdkafka's "(after 0ms in state CONNECT, 1 identical error(s) suppressed)").
    static func shape(of message: String) -> String {
        var message = Substring(message)
        if message.hasSuffix(")"), let open = message.range(of: " (", options: .backwards) {
            message = message[..<open.lowerBound]
        }
        var shape = ""
        var inNumber = false
        for character in message {
            if character.isASCII && character.isNumber {
                if !inNumber { shape.append("#") }
                inNumber = true
            } else {
                shape.append(character)
                inNumber = false
            }
        }
        return shape
    }

    /// The text to log for an admitted message.
    static func text(_ message: String, suppressed: Int) -> String {
        suppressed == 0 ? message : "\(message) (… \(suppressed) more in the last \(window.components.seconds) s)"
    }
}
