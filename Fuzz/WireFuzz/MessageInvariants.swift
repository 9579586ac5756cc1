/// What must hold for any bytes decoded as one contract message type, whether they decode or not.
///
/// For bytes that decode: the value passes `validate` under the same limits, encodes without
/// throwing, and its encoding decodes (same limits) to the same value and encodes to the same
/// bytes again. For bytes that do not: the `WireError` names this message type, has a non-empty
/// description and message, a known code, and says `messageTooLarge` exactly when the bytes exceed
/// the size limit. Either way the other decoding entry points (an array slice, a non-contiguous
/// collection) give the same outcome, and what decodes under tight limits decodes alike under the
/// defaults.
struct MessageInvariants<Message: WireMessage>: Sendable {
    /// The full protobuf name every error must carry, e.g. `streamcoder.v1.RegistryForm`.
    let protoName: String
    /// The size limit of this message type among the ``WireLimits``.
    let maxBytes: @Sendable (WireLimits) -> Int
    /// Whether two values are the same: `==`, except where a NaN can legitimately be decoded.
    let same: @Sendable (Message, Message) -> Bool
    /// Further checks of the message type on a value that decoded.
    let checkDecoded: @Sendable (Message, WireLimits) -> Void

    /// Every `WireError.Code` the module declares; anything else is a new, unreviewed code.
    private static var knownCodes: [WireError.Code] {
        [.messageTooLarge, .malformed, .missingField, .blankField, .invalidUTF8, .fieldTooLong, .invalidValue]
    }

    /// Checks every invariant for `bytes` under `limits`.
    func check(_ bytes: UnsafeRawBufferPointer, limits: WireLimits) {
        let outcome = decode(bytes, limits: limits)
        checkEntryPointsAgree(bytes, limits: limits, with: outcome)
        switch outcome {
        case .failure(let error):
            checkError(error, inputBytes: bytes.count, limits: limits)
        case .success(let value):
            checkValid(value, limits: limits)
            checkDecoded(value, limits)
            checkRoundTrip(value, limits: limits)
            if limits != .default { checkDefaultsAccept(bytes, as: value) }
        }
    }

    private func decode(_ bytes: UnsafeRawBufferPointer, limits: WireLimits) -> Result<Message, WireError> {
        Result { () throws(WireError) -> Message in try Message(decoding: bytes, limits: limits) }
    }

    private func decode(_ bytes: some Collection<UInt8>, limits: WireLimits) -> Result<Message, WireError> {
        Result { () throws(WireError) -> Message in try Message(decoding: bytes, limits: limits) }
    }

    /// The generic entry point must answer as the raw-buffer one does, whether the collection is
    /// contiguous with a non-zero start index (a slice) or not contiguous at all (a lazy map).
    private func checkEntryPointsAgree(
        _ bytes: UnsafeRawBufferPointer,
        limits: WireLimits,
        with outcome: Result<Message, WireError>
    ) {
        let padded = [0xA5] + Array(bytes)
        expectSameOutcome(outcome, decode(padded[1...], limits: limits), "decoding an ArraySlice")
        expectSameOutcome(outcome, decode(bytes.lazy.map { $0 }, limits: limits), "decoding a lazy collection")
    }

    private func expectSameOutcome(
        _ expected: Result<Message, WireError>,
        _ actual: Result<Message, WireError>,
        _ how: String
    ) {
        switch (expected, actual) {
        case (.success(let a), .success(let b)) where same(a, b): return
        case (.failure(let a), .failure(let b)) where a == b: return
        default: violated("\(how) gave \(brief(actual)), decoding the raw buffer gave \(brief(expected))")
        }
    }

    private func checkError(_ error: WireError, inputBytes: Int, limits: WireLimits) {
        precondition(!error.description.isEmpty, "\(protoName): a WireError with an empty description: \(error)")
        precondition(!error.message.isEmpty, "\(protoName): a WireError with an empty message: \(error)")
        precondition(error.messageType == protoName, "decoding \(protoName) threw an error about \(error.messageType)")
        precondition(error.description.hasPrefix(protoName), "\(protoName): description \(error.description)")
        precondition(error.field.map { !$0.isEmpty } ?? true, "\(protoName): an empty field path in \(error)")
        precondition(Self.knownCodes.contains(error.code), "\(protoName): unknown code \(error.code) in \(error)")
        precondition(!error.isRetriable, "\(protoName): a retriable error about the input itself: \(error)")
        let tooLarge = inputBytes > maxBytes(limits)
        precondition(
            tooLarge == (error.code == .messageTooLarge),
            "\(protoName): \(inputBytes) bytes with a limit of \(maxBytes(limits)) threw \(error)"
        )
    }

    private func checkValid(_ value: Message, limits: WireLimits) {
        do {
            try value.validate(limits: limits)
        } catch {
            violated(
                "a decoded value fails validate under the limits it decoded with: \(error)\nvalue: \(brief(value))"
            )
        }
    }

    /// Encoding is canonical, so the second encoding must equal the first byte for byte.
    private func checkRoundTrip(_ value: Message, limits: WireLimits) {
        let encoded = encode(value)
        switch decode(encoded, limits: limits) {
        case .failure(let error):
            violated(
                "the re-encoding (\(encoded.count) bytes) of a decoded value does not decode: \(error)\n"
                    + "value: \(brief(value))"
            )
        case .success(let again):
            guard same(value, again) else {
                violated("decode(encode(v)) != v\nv: \(brief(value))\nafter: \(brief(again))")
            }
            guard encode(again) == encoded else { violated("encoding is not stable for \(brief(value))") }
        }
    }

    private func encode(_ value: Message) -> [UInt8] {
        do {
            return try value.encoded()
        } catch {
            violated("a decoded value does not encode: \(error)\nvalue: \(brief(value))")
        }
    }

    /// Every tight limit is below its default, so the defaults must accept what the tight ones did.
    private func checkDefaultsAccept(_ bytes: UnsafeRawBufferPointer, as value: Message) {
        switch decode(bytes, limits: .default) {
        case .success(let loose) where same(loose, value): return
        case let other:
            violated("decoded under tight limits as \(brief(value)) but under the defaults as \(brief(other))")
        }
    }

    /// Fails with the line of the broken invariant, not this one.
    private func violated(_ what: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
        fatalError("Wire invariant broken for \(protoName): \(what)", file: file, line: line)
    }

    /// A value's description cut to a readable length: a hostile input can hold thousands of elements.
    private func brief(_ value: Any) -> String {
        let text = String(describing: value)
        return text.count <= 1_500 ? text : "\(text.prefix(1_500))… (\(text.count) characters)"
    }
}
