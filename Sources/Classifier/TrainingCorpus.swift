/// The training examples turned once into input-matrix rows, by the very tokenizer the
/// ``Classifier`` runs, so a trained row is the row inference reads for the same token.
///
/// fastText re-reads and re-hashes every line at every epoch; the rows of an example never
/// change, so they are computed once and kept back to back.
struct TrainingCorpus: Sendable {
    /// Rows of all examples, back to back.
    let rows: [Int32]
    /// Example `i`'s rows are `rows[starts[i]..<starts[i + 1]]`.
    let starts: [Int]
    /// Example `i`'s output row.
    let labels: [Int32]
    /// Example `i`'s tokens, labels included, as fastText's `getLine` counts them.
    let tokenCounts: [Int32]

    /// Number of examples.
    var count: Int { labels.count }

    init(examples: [TrainingExample], dictionary: TrainingDictionary, tokenizer: FastTextTokenizer) {
        var rows: [Int32] = []
        var starts = [0]
        var labels: [Int32] = []
        var tokenCounts: [Int32] = []
        var scratch = FastTextTokenizer.Scratch()
        starts.reserveCapacity(examples.count + 1)
        for example in examples {
            tokenizer.rows(of: example.text, into: &scratch)
            rows.append(contentsOf: scratch.rows)
            starts.append(rows.count)
            labels.append(dictionary.labelIds[example.label]!)
            // The tokenizer saw one word hash per token, `</s>` included; fastText also counts the label.
            tokenCounts.append(Int32(scratch.wordHashes.count + 1))
        }
        self.rows = rows
        self.starts = starts
        self.labels = labels
        self.tokenCounts = tokenCounts
    }
}
