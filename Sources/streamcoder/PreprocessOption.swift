import ArgumentParser
import Classifier
import Foundation

/// `--preprocess`: the text cleaning a package applies (and a trainer applies to its data).
struct PreprocessOption: ParsableArguments {
    @Option(
        name: .customLong("preprocess"),
        help: """
            Text cleaning the model was (or is) trained with, recorded in the package and applied to \
            every text it codes: insee (Insee's pipeline: transliterate to ASCII, lower-case, \
            non-alphanumeric to spaces, drop one-letter words and French stopwords, Snowball French \
            stemming), none, or some of its steps joined with commas \
            (transliterate,lowercase,alphanumeric,drop-single-letters,stopwords,stem-french).
            """
    )
    var name: String = "none"

    func validate() throws {
        guard TextPreprocessing(named: name) != nil else {
            throw ValidationError("--preprocess \(name): use \(TextPreprocessing.namesHelp)")
        }
    }

    /// The pipeline, `nil` for none.
    var preprocessing: TextPreprocessing? {
        guard let pipeline = TextPreprocessing(named: name), !pipeline.steps.isEmpty else { return nil }
        return pipeline
    }
}

/// `--text-field`, `--text-separator` and `--preprocess`: how a package makes its text from a form.
struct TextInputOptions: ParsableArguments {
    @Option(
        name: .customLong("text-field"),
        help: """
            A form field the text is made of (repeatable: joined in order, empty ones skipped; \
            Insee's models: description_activity, other_nature_activity, precision_act_sec_agricole).
            """
    )
    var fields: [String] = ["description_activity"]

    @Option(
        name: .customLong("text-separator"),
        help:
            "Put between joined --text-field values (default: one space; Insee's API glues them: --text-separator '')."
    )
    var separator: String?

    @OptionGroup var preprocess: PreprocessOption

    /// The manifest's text input.
    var textInput: ModelManifest.TextInput {
        .init(fields: fields, separator: separator ?? " ", preprocessing: preprocess.preprocessing)
    }
}

/// `--out` of the commands that write a package, and `--force` to replace one.
enum PackageOutput {
    /// Refuses an existing, non-empty `path` unless `force`, which removes it first.
    static func prepare(_ path: String, force: Bool) throws {
        let files = FileManager.default
        guard files.fileExists(atPath: path) else { return }
        let contents = (try? files.contentsOfDirectory(atPath: path)) ?? ["(a file)"]
        guard !contents.isEmpty else { return }
        guard force else {
            throw CommandError("\(path) exists already: pass --force to replace it, or choose another --out")
        }
        try files.removeItem(atPath: path)
    }
}
