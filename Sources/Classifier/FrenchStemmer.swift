/// The French Snowball stemmer as NLTK implements it (`SnowballStemmer("french")`, the stemmer of
/// Insee's training pipeline), answer for answer: the same steps in the same order, including
/// what NLTK does differently from the Snowball project's current French algorithm (no elision
/// or `-oux` rules; its "suffix in region" tests look for the suffix anywhere in the region; its
/// regions are measured once, on the marked word). Works on Unicode scalars, as Python indexes a
/// `str`. `Tests/ClassifierTests/Fixtures/preprocessing/stems.tsv` holds NLTK's answers.
enum FrenchStemmer {
    typealias Word = [Unicode.Scalar]

    private static let vowels = Set("aeiouyâàëéêèïîôûù".unicodeScalars)

    private static let step1Suffixes = words(
        "issements issement atrices atrice ateurs ations logies usions utions ements amment emment ances iqUes "
            + "ismes ables istes ateur ation logie usion ution ences ement euses ments ance iqUe isme able iste ence "
            + "ités ives eaux euse ment eux ité ive ifs aux if"
    )
    private static let step2aSuffixes = words(
        "issaIent issantes iraIent issante issants issions irions issais issait issant issent issiez issons irais "
            + "irait irent iriez irons iront isses issez îmes îtes irai iras irez isse ies ira ît ie ir is it i"
    )
    private static let step2bSuffixes = words(
        "eraIent assions erions assent assiez èrent erais erait eriez erons eront aIent antes asses ions erai eras "
            + "erez âmes âtes ante ants asse ées era iez ais ait ant ée és er ez ât ai as é a"
    )
    /// Step 2b suffixes that are deleted outright.
    private static let step2bDeleted = Set(
        words("eraIent erions èrent erais erait eriez erons eront erai eras erez ées era iez ée és er ez é")
    )
    /// Step 2b suffixes deleted with an `e` before them in RV.
    private static let step2bDeletedWithE = Set(
        words("assions assent assiez aIent antes asses âmes âtes ante ants asse ais ait ant ât ai as a")
    )
    private static let step4Suffixes = words("ière Ière ion ier Ier e ë")
    private static let undoubled = words("enn onn ett ell eill")
    private static let r2Deleted = Set(words("ance iqUe isme able iste eux ances iqUes ismes ables istes"))
    private static let atrice = Set(words("atrice ateur ation atrices ateurs ations"))

    private static func words(_ list: String) -> [Word] {
        list.split(separator: " ").map { Array(String($0).unicodeScalars) }
    }

    /// The stem of `word` (lower-cased first, as NLTK does).
    static func stem(_ word: String) -> String {
        var word = Array(word.lowercased().unicodeScalars)
        mark(&word)
        let (r1, r2) = standardRegions(word)
        var rv = frenchRegion(word)
        var step1 = false
        var rvEnding = false
        var step2a = false
        var step2b = false

        if let suffix = step1Suffixes.first(where: word.hasSuffix) {
            (step1, rvEnding) = standardSuffix(suffix, &word, &rv, r1: r1, r2: r2)
        }
        if !step1 || rvEnding {
            if let suffix = step2aSuffixes.first(where: word.hasSuffix) {
                if rv.contains(suffix) && rv.count > suffix.count, let at = rv.lastRange(of: suffix)?.lowerBound,
                    !vowels.contains(rv[at == 0 ? rv.count - 1 : at - 1])
                {
                    word.removeLast(suffix.count)
                    step2a = true
                }
            }
            if !step2a, let suffix = step2bSuffixes.first(where: rv.hasSuffix) {
                if suffix == Array("ions".unicodeScalars) && r2.contains(suffix) {
                    word.removeLast(4)
                    step2b = true
                } else if step2bDeleted.contains(suffix) {
                    word.removeLast(suffix.count)
                    step2b = true
                } else if step2bDeletedWithE.contains(suffix) {
                    word.removeLast(suffix.count)
                    rv.removeLast(suffix.count)
                    step2b = true
                    if rv.last == "e" { word.removeLast() }
                }
            }
        }
        if step1 || step2a || step2b {
            if word.last == "Y" {
                word[word.count - 1] = "i"
            } else if word.last == "ç" {
                word[word.count - 1] = "c"
            }
        } else {
            residualSuffix(&word, rv: rv, r2: r2)
        }
        if undoubled.contains(where: word.hasSuffix) { word.removeLast() }
        unAccent(&word)
        return String(
            String.UnicodeScalarView(
                word.map { marked in
                    switch marked {
                    case "I": "i"
                    case "U": "u"
                    case "Y": "y"
                    default: marked
                    }
                }
            )
        )
    }

    /// `u` after `q`, `u` and `i` between vowels, `y` next to a vowel, upper-cased (kept from
    /// counting as vowels), one position at a time so that each test sees the earlier changes.
    private static func mark(_ word: inout Word) {
        guard word.count >= 2 else { return }
        for index in 1..<word.count where word[index - 1] == "q" && word[index] == "u" {
            word[index] = "U"
        }
        guard word.count >= 3 else { return }
        for index in 1..<(word.count - 1) {
            let before = vowels.contains(word[index - 1])
            let after = vowels.contains(word[index + 1])
            if before && after {
                if word[index] == "u" {
                    word[index] = "U"
                } else if word[index] == "i" {
                    word[index] = "I"
                }
            }
            if (before || after) && word[index] == "y" { word[index] = "Y" }
        }
    }

    /// R1 (after the first non-vowel following a vowel) and R2 (the same within R1).
    private static func standardRegions(_ word: Word) -> (Word, Word) {
        let r1 = regionAfterVowelThenNonVowel(word)
        return (r1, regionAfterVowelThenNonVowel(r1))
    }

    private static func regionAfterVowelThenNonVowel(_ word: Word) -> Word {
        guard word.count >= 2 else { return [] }
        for index in 1..<word.count where !vowels.contains(word[index]) && vowels.contains(word[index - 1]) {
            return Array(word[(index + 1)...])
        }
        return []
    }

    /// RV: after the third letter when the word starts with two vowels or with par, col or tap;
    /// otherwise after the first vowel that is not the first letter.
    private static func frenchRegion(_ word: Word) -> Word {
        guard word.count >= 2 else { return [] }
        let prefix = String(String.UnicodeScalarView(word.prefix(3)))
        if ["par", "col", "tap"].contains(prefix) || (vowels.contains(word[0]) && vowels.contains(word[1])) {
            return word.count > 3 ? Array(word[3...]) : []
        }
        for index in 1..<word.count where vowels.contains(word[index]) {
            return Array(word[(index + 1)...])
        }
        return []
    }

    /// Step 1 for the first (longest listed) suffix the word ends with; whether it succeeded, and
    /// whether it was an RV ending that sends the word on to the verb suffixes.
    private static func standardSuffix(
        _ suffix: Word,
        _ word: inout Word,
        _ rv: inout Word,
        r1: Word,
        r2: Word
    ) -> (success: Bool, rvEnding: Bool) {
        let text = String(String.UnicodeScalarView(suffix))
        func replace(_ replacement: String) {
            word.removeLast(suffix.count)
            word += replacement.unicodeScalars
        }
        func ends(_ ending: String) -> Bool { word.hasSuffix(Array(ending.unicodeScalars)) }
        func inRegion(_ part: String, _ region: Word) -> Bool { region.contains(Array(part.unicodeScalars)) }
        /// `ic` at the end: deleted in R2, else `iqU`.
        func icEnding() {
            guard ends("ic") else { return }
            if inRegion("ic", r2) {
                word.removeLast(2)
            } else {
                word.removeLast(2)
                word += "iqU".unicodeScalars
            }
        }
        switch text {
        case "eaux":
            word.removeLast()
            return (true, false)
        case "euse", "euses":
            if r2.contains(suffix) {
                word.removeLast(suffix.count)
                return (true, false)
            }
            if r1.contains(suffix) {
                replace("eux")
                return (true, false)
            }
        case "ement", "ements":
            guard rv.contains(suffix) else { break }
            word.removeLast(suffix.count)
            if ends("iv") && inRegion("iv", r2) {
                word.removeLast(2)
                if ends("at") && inRegion("at", r2) { word.removeLast(2) }
            } else if ends("eus") {
                if inRegion("eus", r2) {
                    word.removeLast(3)
                } else if inRegion("eus", r1) {
                    word[word.count - 1] = "x"
                }
            } else if ends("abl") || ends("iqU") {
                if inRegion("abl", r2) || inRegion("iqU", r2) { word.removeLast(3) }
            } else if ends("ièr") || ends("Ièr") {
                if inRegion("ièr", rv) || inRegion("Ièr", rv) {
                    word.removeLast(3)
                    word.append("i")
                }
            }
            return (true, false)
        case "amment" where rv.contains(suffix):
            replace("ant")
            rv.removeLast(suffix.count)
            rv += "ant".unicodeScalars
            return (false, true)
        case "emment" where rv.contains(suffix):
            replace("ent")
            return (false, true)
        case "ment", "ments":
            guard rv.contains(suffix), !rv.starts(with: suffix), let at = rv.lastRange(of: suffix)?.lowerBound,
                at > 0, vowels.contains(rv[at - 1])
            else { break }
            word.removeLast(suffix.count)
            rv.removeLast(suffix.count)
            return (false, true)
        case "aux" where r1.contains(suffix):
            word.removeLast(2)
            word.append("l")
            return (true, false)
        case "issement", "issements":
            guard r1.contains(suffix), word.count > suffix.count, !vowels.contains(word[word.count - suffix.count - 1])
            else { break }
            word.removeLast(suffix.count)
            return (true, false)
        case _ where r2Deleted.contains(suffix) && r2.contains(suffix):
            word.removeLast(suffix.count)
            return (true, false)
        case _ where atrice.contains(suffix) && r2.contains(suffix):
            word.removeLast(suffix.count)
            icEnding()
            return (true, false)
        case "logie", "logies":
            guard r2.contains(suffix) else { break }
            replace("log")
            return (true, false)
        case "usion", "ution", "usions", "utions":
            guard r2.contains(suffix) else { break }
            replace("u")
            return (true, false)
        case "ence", "ences":
            guard r2.contains(suffix) else { break }
            replace("ent")
            return (true, false)
        case "ité", "ités":
            guard r2.contains(suffix) else { break }
            word.removeLast(suffix.count)
            if ends("abil") {
                if inRegion("abil", r2) {
                    word.removeLast(4)
                } else {
                    word.removeLast(2)
                    word.append("l")
                }
            } else if ends("ic") {
                icEnding()
            } else if ends("iv") && inRegion("iv", r2) {
                word.removeLast(2)
            }
            return (true, false)
        case "if", "ive", "ifs", "ives":
            guard r2.contains(suffix) else { break }
            word.removeLast(suffix.count)
            if ends("at") && inRegion("at", r2) {
                word.removeLast(2)
                icEnding()
            }
            return (true, false)
        default:
            break
        }
        return (false, false)
    }

    /// Step 4, when no earlier step changed the word: a final `s` (not after a, i, o, u, è or s),
    /// then the first residual suffix found in RV (RV as measured before).
    private static func residualSuffix(_ word: inout Word, rv: Word, r2: Word) {
        if word.count >= 2, word.last == "s", !"aiouès".unicodeScalars.contains(word[word.count - 2]) {
            word.removeLast()
        }
        for suffix in step4Suffixes where word.hasSuffix(suffix) && rv.contains(suffix) {
            switch String(String.UnicodeScalarView(suffix)) {
            case "ion":
                if r2.contains(suffix), rv.count >= 4, "st".unicodeScalars.contains(rv[rv.count - 4]) {
                    word.removeLast(3)
                }
            case "ier", "ière", "Ier", "Ière":
                word.removeLast(suffix.count)
                word.append("i")
            case "e":
                word.removeLast()
            case "ë":
                if word.count >= 3, word[word.count - 3] == "g", word[word.count - 2] == "u" { word.removeLast() }
            default:
                break
            }
            return
        }
    }

    /// The last vowel of the word, if it is é or è and not the last letter, becomes e (the first
    /// letter is never looked at).
    private static func unAccent(_ word: inout Word) {
        guard word.count >= 2 else { return }
        for distance in 1..<word.count {
            let index = word.count - distance
            guard vowels.contains(word[index]) else { continue }
            if distance != 1 && (word[index] == "é" || word[index] == "è") { word[index] = "e" }
            return
        }
    }
}

extension Array where Element == Unicode.Scalar {
    fileprivate func hasSuffix(_ suffix: [Unicode.Scalar]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }

    /// Whether `part` occurs anywhere (Python's `part in text`).
    fileprivate func contains(_ part: [Unicode.Scalar]) -> Bool {
        lastRange(of: part) != nil
    }

    /// Where `part` occurs last (Python's `rindex`).
    fileprivate func lastRange(of part: [Unicode.Scalar]) -> Range<Int>? {
        guard part.count <= count else { return nil }
        if part.isEmpty { return count..<count }
        for start in stride(from: count - part.count, through: 0, by: -1)
        where self[start..<(start + part.count)].elementsEqual(part) {
            return start..<(start + part.count)
        }
        return nil
    }
}
