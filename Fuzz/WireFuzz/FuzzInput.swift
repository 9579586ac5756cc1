// The libFuzzer entry point of the Wire fuzzer. Built by scripts/fuzz/run-wire-fuzz.sh together with
// Sources/Wire as one module, never by SwiftPM; see docs/fuzzing.md.

/// Which contract message an input is decoded as, and under which limits.
///
/// The first byte of a fuzz input chooses; the rest are the message bytes. Bits 0–1 pick the message
/// (0 form, 1 result, 2 directive, 3 report) and bit 2 the limits (0 the defaults, 1 ``tightLimits``);
/// the other bits are ignored, so every byte value selects something.
struct FuzzInput {
    enum Message: UInt8, CaseIterable {
        case form = 0
        case result = 1
        case directive = 2
        case report = 3
    }

    /// Every bound far below its default, so small inputs reach the `fieldTooLong` and
    /// `messageTooLarge` paths that the defaults only reach with kilobytes of text.
    static let tightLimits = WireLimits(
        maxFormBytes: 256,
        maxResultBytes: 1_024,
        maxControlBytes: 512,
        maxDescriptionBytes: 32,
        maxFreeTextBytes: 16,
        maxFormIDBytes: 16,
        maxCodeBytes: 4
    )

    let message: Message
    let tight: Bool
    let bytes: UnsafeRawBufferPointer

    /// Splits a fuzz input; `nil` for the empty input, which selects nothing.
    init?(_ data: UnsafeRawBufferPointer) {
        guard let selector = data.first else { return nil }
        message = Message(rawValue: selector & 0b11)!
        tight = selector & 0b100 != 0
        bytes = UnsafeRawBufferPointer(rebasing: data.dropFirst())
    }

    /// The limits the input is decoded under.
    var limits: WireLimits { tight ? Self.tightLimits : .default }

    /// Runs the invariants of the selected message type.
    func check() {
        switch message {
        case .form: WireInvariants.form.check(bytes, limits: limits)
        case .result: WireInvariants.result.check(bytes, limits: limits)
        case .directive: WireInvariants.directive.check(bytes, limits: limits)
        case .report: WireInvariants.report.check(bytes, limits: limits)
        }
    }
}

/// libFuzzer calls this once per input. A broken invariant ends the process through `precondition`
/// or `fatalError`, which libFuzzer reports as a crash and saves the input for.
@_cdecl("LLVMFuzzerTestOneInput")
public func wireFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, let input = FuzzInput(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    input.check()
    return 0
}
