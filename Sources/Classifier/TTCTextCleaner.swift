import Foundation

/// torchTextClassifiers' `clean_text_feature`, computed one unicode scalar at a time without
/// allocating: lower-case (full mapping), NFKD, delete U+0300–U+036F, turn every run of
/// anything but `[a-z0-9]` into one space, trim.
///
/// Doing it per scalar gives the whole-string answer: decomposition maps each code point on its
/// own, and the canonical reordering NFKD adds only permutes combining marks, which are never
/// kept (each is deleted or becomes a separator), so their order cannot show. Lower-casing is
/// context-free except Greek final sigma, which becomes a separator either way.
///
/// What each Basic Multilingual Plane scalar becomes is computed once per process (about 63,000
/// scalars through Foundation's NFKD); astral scalars (mathematical letters, emoji) are rare and
/// computed on the spot.
enum TTCTextCleaner {
    /// Written where a run of non-`[a-z0-9]` scalars was.
    static let separator: UInt32 = 0x20

    /// One entry per BMP scalar: 0 deleted, 1 separator, otherwise `offset << 8 | length` of
    /// its ASCII output in `pool` (bytes `[a-z0-9]` and 0x20 for a separator inside it).
    private struct Table: Sendable {
        var entries = [UInt32](repeating: 1, count: 0x1_0000)
        var pool: [UInt8] = []

        static func build() -> Table {
            var table = Table()
            for value in 0x80..<0x1_0000 {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let output = TTCTextCleaner.output(of: scalar)
                if output.isEmpty {
                    table.entries[value] = 0
                } else if output != [0x20] {
                    table.entries[value] = UInt32(table.pool.count) << 8 | UInt32(output.count)
                    table.pool += output
                }
            }
            return table
        }
    }

    private static let table = Table.build()

    /// Builds the per-process table now rather than on the first text (a few hundred milliseconds).
    static func prepare() { _ = table.entries.count }

    /// What one scalar becomes: ASCII `[a-z0-9]` bytes, 0x20 for a separator; empty when deleted.
    static func output(of scalar: Unicode.Scalar) -> [UInt8] {
        let decomposed = scalar.properties.lowercaseMapping.decomposedStringWithCompatibilityMapping
        var output: [UInt8] = []
        for part in decomposed.unicodeScalars {
            switch part.value {
            case 0x300...0x36F: continue
            case 0x61...0x7A, 0x30...0x39: output.append(UInt8(part.value))
            default: if output.last != 0x20 { output.append(0x20) }
            }
        }
        return output
    }

    /// Replaces `cleaned` with the cleaned scalars of `text`.
    static func clean(_ text: String, into cleaned: inout [UInt32]) {
        cleaned.removeAll(keepingCapacity: true)
        var writer = Writer()
        let table = Self.table
        table.pool.withUnsafeBufferPointer { pool in
            for scalar in text.unicodeScalars {
                let value = scalar.value
                if value < 0x80 {
                    writer.emit(asciiOutput(value), into: &cleaned)
                } else if value < 0x1_0000 {
                    writer.emit(entry: table.entries[Int(value)], pool: pool, into: &cleaned)
                } else {
                    for byte in output(of: scalar) { writer.emit(UInt32(byte), into: &cleaned) }
                }
            }
        }
    }

    /// ASCII lower-cases to ASCII and NFKD leaves it alone.
    @inline(__always)
    private static func asciiOutput(_ value: UInt32) -> UInt32 {
        switch value {
        case 0x61...0x7A, 0x30...0x39: value
        case 0x41...0x5A: value + 0x20
        default: separator
        }
    }

    /// Appends scalars, collapsing separators into one and dropping them at both ends.
    private struct Writer {
        var pending = false

        @inline(__always)
        mutating func emit(_ value: UInt32, into cleaned: inout [UInt32]) {
            if value == TTCTextCleaner.separator {
                pending = true
                return
            }
            if pending && !cleaned.isEmpty { cleaned.append(TTCTextCleaner.separator) }
            pending = false
            cleaned.append(value)
        }

        @inline(__always)
        mutating func emit(entry: UInt32, pool: UnsafeBufferPointer<UInt8>, into cleaned: inout [UInt32]) {
            switch entry {
            case 0: return
            case 1: pending = true
            default:
                let start = Int(entry >> 8)
                for index in start..<start + Int(entry & 0xFF) { emit(UInt32(pool[index]), into: &cleaned) }
            }
        }
    }
}
