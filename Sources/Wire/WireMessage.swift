/// A top-level message of the contract, the kind a topic carries: `RegistryForm`,
/// `CodingResult`, `ModelDirective`, `WorkerReport`.
///
/// Lets code above Wire (a consumer loop, a replay tool) handle any of them generically. Each
/// conforming type also offers these with `limits` defaulting to ``WireLimits/default``.
public protocol WireMessage: Sendable, Equatable, Codable {
    /// Decodes and validates bytes, trusting nothing in them; see the conforming type for details.
    init(decoding bytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError)
    /// Decodes and validates bytes of any collection, without a copy when they are contiguous.
    init(decoding bytes: some Collection<UInt8>, limits: WireLimits) throws(WireError)
    /// The protobuf encoding of the value; not validated.
    func encoded() throws(WireError) -> [UInt8]
    /// Checks the value against the contract and the limits.
    func validate(limits: WireLimits) throws(WireError)
}

extension RegistryForm: WireMessage {}
extension CodingResult: WireMessage {}
extension ModelDirective: WireMessage {}
extension WorkerReport: WireMessage {}
