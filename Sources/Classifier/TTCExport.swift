import Foundation

/// `ttc-export.json`, written by `scripts/fixtures/ttc/ttc_export.py` beside a model saved by
/// torchTextClassifiers (whose own files are pickles Swift cannot read).
///
/// Keys are decoded explicitly, not through a snake-case strategy: that strategy also rewrites
/// dictionary keys, which here are tensor names.
struct TTCExport: Decodable {
    static let file = "ttc-export.json"
    static let format = "streamcoder-ttc-export/1"

    /// Any JSON value; only whether the key holds `null` matters.
    struct Present: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    struct Variable: Decodable {
        var index: Int
        var name: String
        var vocabularySize: Int
        var embeddingDim: Int
        var tensor: String
        var values: [String]

        enum CodingKeys: String, CodingKey {
            case index, name, tensor, values
            case vocabularySize = "vocabulary_size"
            case embeddingDim = "embedding_dim"
        }
    }

    struct TokenizerInfo: Decodable {
        var className: String
        var file: String
        var outputDim: Int?
        var padTokenId: Int
        var unkTokenId: Int
        var eosTokenId: Int

        enum CodingKeys: String, CodingKey {
            case file
            case className = "class"
            case outputDim = "output_dim"
            case padTokenId = "pad_token_id"
            case unkTokenId = "unk_token_id"
            case eosTokenId = "eos_token_id"
        }
    }

    var format: String
    var architecture: String
    var aggregationMethod: String
    var attentionConfig: Present?
    var labelAttention: Bool
    var embeddingDim: Int
    var vocabSize: Int
    var paddingIdx: Int
    var numClasses: Int
    var classificationHeadInputDim: Int
    var categoricalForwardType: String?
    var categoricalVariables: [Variable]
    var rmsNormEps: Double
    var tokenizer: TokenizerInfo
    var labels: [String]
    var unknownCategoricalValue: String?

    enum CodingKeys: String, CodingKey {
        case format, architecture, tokenizer, labels
        case aggregationMethod = "aggregation_method"
        case attentionConfig = "attention_config"
        case labelAttention = "label_attention"
        case embeddingDim = "embedding_dim"
        case vocabSize = "vocab_size"
        case paddingIdx = "padding_idx"
        case numClasses = "num_classes"
        case classificationHeadInputDim = "classification_head_input_dim"
        case categoricalForwardType = "categorical_forward_type"
        case categoricalVariables = "categorical_variables"
        case rmsNormEps = "rms_norm_eps"
        case unknownCategoricalValue = "unknown_categorical_value"
    }

    /// The library's `CategoricalForwardType` names, and the combination each means.
    static let forwardTypes: [String: TTCSettings.Combination] = [
        "EMBEDDING_AVERAGE_AND_CONCAT": .averageAndConcat,
        "EMBEDDING_CONCATENATE_ALL": .concatenateAll,
        "EMBEDDING_SUM_TO_TEXT": .sumToText,
    ]

    /// The combination mode; `nil` for a model without categorical variables.
    var combination: TTCSettings.Combination? { categoricalForwardType.flatMap { Self.forwardTypes[$0] } }

    /// Why the library's forward pass for this export is not the n-gram one we run, or `nil`.
    var unsupportedArchitecture: String? {
        if format != Self.format { return "has format '\(format)', not '\(Self.format)'" }
        if architecture != "ngram-mean" || aggregationMethod != "mean" {
            return
                "describes a '\(architecture)' model with '\(aggregationMethod)' aggregation, not a mean n-gram model"
        }
        if attentionConfig != nil || labelAttention { return "describes a model with attention blocks" }
        if tokenizer.className != "NGramTokenizer" { return "uses tokenizer \(tokenizer.className)" }
        if let type = categoricalForwardType, Self.forwardTypes[type] == nil {
            return "has categorical forward type '\(type)'"
        }
        return nil
    }
}

/// `tokenizer.json`, as `NGramTokenizer.save_pretrained` writes it.
struct TTCTokenizerFile: Decodable {
    var minN: Int
    var maxN: Int
    var numTokens: Int
    var wordToId: [String: Int]
    var preprocess: Bool
    var vocabSize: Int
    var nwords: Int

    enum CodingKeys: String, CodingKey {
        case preprocess, nwords
        case minN = "min_n"
        case maxN = "max_n"
        case numTokens = "num_tokens"
        case wordToId = "word_to_id"
        case vocabSize = "vocab_size"
    }

    /// The words in id order, or `nil` unless the ids are exactly `3 ..< 3 + nwords`, each once.
    ///
    /// Swift dictionaries merge canonically equivalent keys (`"é"` and `"e\u{301}"`): such a
    /// vocabulary comes out short here, and is refused rather than tokenized differently.
    var wordsInIdOrder: [String]? {
        guard wordToId.count == nwords else { return nil }
        var words = [String?](repeating: nil, count: nwords)
        for (word, id) in wordToId {
            let index = id - TTCSettings.firstWordId
            guard words.indices.contains(index), words[index] == nil else { return nil }
            words[index] = word
        }
        return words.compactMap { $0 }
    }
}
