/// The vocabulary and the labels of a training set, built as fastText's `Dictionary` builds
/// them while reading its training file.
///
/// - Every token the tokenizer keeps is counted (split on the same whitespace bytes; a literal
///   `</s>` ends the text; tokens starting with the label prefix are not words), plus one `</s>`
///   per example, the end of line fastText reads after each training line.
/// - Words seen fewer than `minCount` times are dropped; the rest are ordered by count,
///   most frequent first (ties in order of first appearance: fastText's sort is not stable,
///   so any tie order is as faithful), and numbered in that order: word `i` is input row `i`.
/// - Labels are ordered the same way; label `j` is output row `j`.
struct TrainingDictionary: Sendable {
    /// The words, by id.
    let words: [[UInt8]]
    /// How often each word occurs.
    let wordCounts: [Int64]
    /// The codes, by output row.
    let labels: [String]
    /// How often each code occurs.
    let labelCounts: [Int64]
    /// Output row of each code.
    let labelIds: [String: Int32]

    init(examples: [TrainingExample], minCount: Int, eos: String = "</s>", labelPrefix: String = "__label__") {
        var words = Counter<[UInt8]>()
        var labels = Counter<String>()
        let eosBytes = Array(eos.utf8)
        let prefix = Array(labelPrefix.utf8)
        for example in examples {
            Self.countWords(of: example.text, into: &words, eos: eosBytes, labelPrefix: prefix)
            labels.add(example.label)
        }
        let kept = words.ranked().filter { $0.count >= minCount }
        self.words = kept.map(\.key)
        wordCounts = kept.map { Int64($0.count) }
        let rankedLabels = labels.ranked()
        self.labels = rankedLabels.map(\.key)
        labelCounts = rankedLabels.map { Int64($0.count) }
        labelIds = Dictionary(uniqueKeysWithValues: rankedLabels.enumerated().map { ($1.key, Int32($0)) })
    }

    /// Counts the words of `text` and its end-of-sentence token.
    private static func countWords(
        of text: String,
        into counter: inout Counter<[UInt8]>,
        eos: [UInt8],
        labelPrefix: [UInt8]
    ) {
        let bytes = Array(text.utf8)
        var start = 0
        for index in 0...bytes.count where index == bytes.count || FastTextTokenizer.isSpace(bytes[index]) {
            defer { start = index + 1 }
            guard index > start else { continue }
            let token = Array(bytes[start..<index])
            if token.starts(with: labelPrefix) { continue }
            counter.add(token)
            if token == eos { return }
        }
        counter.add(eos)
    }

    /// The vocabulary as the package stores it: UTF-8 bytes back to back, and offsets.
    var vocabularyBytes: [UInt8] { words.flatMap { $0 } }

    /// Start of each word in ``vocabularyBytes``, then the end.
    var vocabularyOffsets: [Int] {
        var offsets = [0]
        offsets.reserveCapacity(words.count + 1)
        for word in words { offsets.append(offsets.last! + word.count) }
        return offsets
    }
}

/// Occurrence counts that remember the order keys were first seen.
private struct Counter<Key: Hashable> {
    private var slots: [Key: Int] = [:]
    private var keys: [Key] = []
    private var counts: [Int] = []

    mutating func add(_ key: Key) {
        if let slot = slots[key] {
            counts[slot] += 1
        } else {
            slots[key] = keys.count
            keys.append(key)
            counts.append(1)
        }
    }

    /// Keys with their counts, most frequent first, ties in order of first appearance.
    func ranked() -> [(key: Key, count: Int)] {
        keys.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            .map { (keys[$0], counts[$0]) }
    }
}
