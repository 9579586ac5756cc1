/// Transliteration to ASCII as the Python `unidecode` package does it: ASCII stays, each code
/// point of `blocks` (Latin with its extensions, IPA, Greek, Cyrillic, punctuation, symbols,
/// ligatures, fullwidth forms) becomes what unidecode answers for it (the generated
/// `TransliterationTable.swift`), and any other code point is dropped — as unidecode drops the
/// astral ones (emoji); for the scripts left out (CJK, Arabic, Indic…) unidecode would answer a
/// transcription this does not.
enum Transliteration {
    /// What each code point of the blocks becomes.
    private static let table: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        for line in tableText.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let code = UInt32(parts[0], radix: 16) else { continue }
            var answer: [Unicode.Scalar] = []
            if parts[1] != "-" {
                var index = parts[1].startIndex
                while index < parts[1].endIndex {
                    let next = parts[1].index(index, offsetBy: 2)
                    if let byte = UInt8(parts[1][index..<next], radix: 16) { answer.append(Unicode.Scalar(byte)) }
                    index = next
                }
            }
            table[code] = answer
        }
        return table
    }()

    /// What `scalar` becomes.
    static func ascii(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        scalar.isASCII ? [scalar] : table[scalar.value] ?? []
    }

    /// The whole text transliterated.
    static func ascii(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(contentsOf: ascii(scalar)) }
        return String(out)
    }
}
