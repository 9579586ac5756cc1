/// fastText's character n-grams of a token, as input-matrix row ids.
///
/// The token is wrapped as `<token>` and every run of `minn...maxn` *characters* (not bytes:
/// a UTF-8 continuation byte `10xxxxxx` never starts an n-gram and is never split from its
/// character) is hashed into one of `bucket` rows after the vocabulary's. A single character
/// at either end (`<` or `>` alone) is never an n-gram.
///
/// A pruned model (`quantize -cutoff`) maps buckets to its kept rows; a bucket without a row
/// contributes nothing, as in fastText's `pushHash`.
struct FastTextCharNgrams: Sendable {
    let minn: Int
    let maxn: Int
    let bucket: Int
    let wordCount: Int
    let bow: [UInt8]
    let eow: [UInt8]
    let eos: [UInt8]
    /// Bucket → row after the words, -1 for none; empty when the model is not pruned.
    let bucketRows: [Int32]

    init(settings: FastTextSettings, bucketRows: [Int32] = []) {
        self.bucketRows = bucketRows
        minn = settings.minn
        maxn = settings.maxn
        bucket = settings.bucket
        wordCount = settings.wordCount
        bow = Array(settings.bow.utf8)
        eow = Array(settings.eow.utf8)
        eos = Array(settings.eos.utf8)
    }

    /// Appends the n-gram rows of `token` to `rows`; `scratch` holds `<token>` and keeps its capacity.
    func appendRows(ofToken token: UnsafeBufferPointer<UInt8>, to rows: inout [Int32], scratch: inout [UInt8]) {
        guard maxn > 0, bucket > 0 else { return }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bow)
        scratch.append(contentsOf: token)
        scratch.append(contentsOf: eow)
        scratch.withUnsafeBufferPointer { appendRows(ofWrapped: $0, to: &rows) }
    }

    private func appendRows(ofWrapped word: UnsafeBufferPointer<UInt8>, to rows: inout [Int32]) {
        let length = word.count
        for start in 0..<length where !isContinuation(word[start]) {
            var hash = FastTextHash.offsetBasis
            var end = start
            var characters = 1
            while end < length && characters <= maxn {
                hash = FastTextHash.step(hash, word[end])
                end += 1
                while end < length && isContinuation(word[end]) {
                    hash = FastTextHash.step(hash, word[end])
                    end += 1
                }
                let lone = characters == 1 && (start == 0 || end == length)
                if characters >= minn && !lone {
                    appendRow(ofBucket: Int(hash % UInt32(bucket)), to: &rows)
                }
                characters += 1
            }
        }
    }

    /// fastText's `pushHash`: the bucket's row, through the prune map when there is one.
    @inline(__always)
    func appendRow(ofBucket bucket: Int, to rows: inout [Int32]) {
        if bucketRows.isEmpty {
            rows.append(Int32(wordCount + bucket))
        } else if bucketRows[bucket] >= 0 {
            rows.append(Int32(wordCount) + bucketRows[bucket])
        }
    }

    @inline(__always)
    private func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
