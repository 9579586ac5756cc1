/// Which forms a canary candidate codes: those whose key's hash (FNV-1a, then mixed so that keys
/// differing in one character spread evenly) falls under the fraction. The same key always gets
/// the same answer, so a replay codes a form with the same model.
enum CanaryRouter {
    /// Whether the form keyed `key` goes to the candidate when it codes `fraction` of the forms.
    static func routesToCandidate(_ key: [UInt8]?, fraction: Double) -> Bool {
        guard fraction > 0 else { return false }
        guard fraction < 1 else { return true }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key ?? [] {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        // FNV-1a's high bits barely move for short keys: mix them (SplitMix64's finaliser).
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 31
        return Double(hash >> 11) / Double(1 << 53) < fraction
    }
}
