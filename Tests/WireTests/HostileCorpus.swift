import Wire

/// SplitMix64: a tiny seeded generator, so the hostile corpus is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Inputs a hostile or broken producer could send: valid encodings cut, flipped and mutated,
/// random bytes, fields with the wrong wire type and lengths that lie.
enum HostileCorpus {
    /// The valid encodings every mutation starts from.
    static func seeds() throws -> [[UInt8]] {
        [
            try Samples.fullForm.encoded(), try Samples.zeroSurfaceForm.encoded(),
            try Samples.manualReviewResult.encoded(), try Samples.rejectedResult.encoded(),
            try Samples.directive.encoded(), try Samples.workerReport.encoded(),
        ]
    }

    /// The whole corpus, deterministic for a seed.
    static func inputs(seed: UInt64) throws -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        let valid = try seeds()
        return valid
            + valid.flatMap(truncations)
            + (0..<600).map { _ in bitFlips(of: valid.randomElement(using: &random)!, using: &random) }
            + (0..<300).map { _ in byteMutation(of: valid.randomElement(using: &random)!, using: &random) }
            + (0..<300).map { _ in randomBytes(using: &random) }
            + wrongWireTypes()
            + lyingLengths()
            + deepNesting()
    }

    /// Every proper prefix of an encoding.
    static func truncations(of bytes: [UInt8]) -> [[UInt8]] {
        (0..<bytes.count).map { Array(bytes.prefix($0)) }
    }

    /// An encoding with one to four bits flipped.
    static func bitFlips(of bytes: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var flipped = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let index = Int.random(in: 0..<flipped.count, using: &random)
            flipped[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        }
        return flipped
    }

    /// An encoding with a byte inserted, deleted or replaced by a boundary value.
    static func byteMutation(of bytes: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var mutated = bytes
        let index = Int.random(in: 0..<mutated.count, using: &random)
        let value = [0x00, 0x7F, 0x80, 0xFF, 0x0A, 0x12].randomElement(using: &random)!
        switch Int.random(in: 0..<3, using: &random) {
        case 0: mutated.insert(UInt8(value), at: index)
        case 1: mutated.remove(at: index)
        default: mutated[index] = UInt8(value)
        }
        return mutated
    }

    /// Up to 256 random bytes.
    static func randomBytes(using random: inout SplitMix64) -> [UInt8] {
        (0..<Int.random(in: 0...256, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// Every field number of the contract (and a few unknown ones) under every wire type.
    static func wrongWireTypes() -> [[UInt8]] {
        var inputs: [[UInt8]] = []
        let nan32: [UInt8] = [0, 0, 0xC0, 0x7F]
        for field in UInt64(1)...15 {
            inputs.append(
                ProtoWriter.message {
                    $0.field(3, "ok")
                    $0.tag(field, wireType: 0)
                    $0.varint(1)
                }
            )
            inputs.append(
                ProtoWriter.message {
                    $0.field(3, "ok")
                    $0.tag(field, wireType: 1)
                    $0.raw(Array(1...8))
                }
            )
            inputs.append(
                ProtoWriter.message {
                    $0.field(3, "ok")
                    $0.tag(field, wireType: 5)
                    $0.raw(nan32)
                }
            )
            inputs.append(
                ProtoWriter.message {
                    $0.field(3, "ok")
                    $0.field(field, [0x08, 0x96, 0x01])
                }
            )
            for group in UInt64(3)...7 {
                inputs.append(
                    ProtoWriter.message {
                        $0.field(3, "ok")
                        $0.tag(field, wireType: group)
                    }
                )
            }
        }
        return inputs
    }

    /// Lengths past the end, varints that never end, tags of field 0 and cut fixed-width fields:
    /// each is malformed whatever message it is read as.
    static func lyingLengths() -> [[UInt8]] {
        [
            ProtoWriter.message {
                $0.tag(3, wireType: 2)
                $0.varint(UInt64.max)
            },
            ProtoWriter.message {
                $0.tag(3, wireType: 2)
                $0.varint(1 << 62)
                $0.raw(Array("abc".utf8))
            },
            ProtoWriter.message {
                $0.tag(3, wireType: 2)
                $0.varint(UInt64(UInt32.max))
                $0.raw([0x61])
            },
            ProtoWriter.message {
                $0.field(3, "ok")
                $0.tag(8, wireType: 2)
                $0.varint(3)
                $0.raw([0x09, 0x01, 0x02])
            },
            [UInt8](repeating: 0xFF, count: 11),
            [0x1A] + [UInt8](repeating: 0x80, count: 10) + [0x01],
            [0x00],
            [0x00, 0x00, 0x00],
            [0x09, 0x01, 0x02],
            [0x0D, 0x01],
            [0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01],  // tag beyond 32 bits
        ]
    }

    /// Sub-messages nested deeper than the schema goes.
    static func deepNesting() -> [[UInt8]] {
        var inputs: [[UInt8]] = []
        for depth in 1...40 {
            var nested: [UInt8] = Array("x".utf8)
            for _ in 0..<depth {
                nested = ProtoWriter.message { $0.field(9, nested) }
            }
            inputs.append(nested)
        }
        return inputs
    }
}
