#!/usr/bin/env python3
"""Builds the NAF training CSVs for `streamcoder models train` (and the fastText comparison).

The demo model (--demo TRAIN.csv HELDOUT.csv, used by scripts/models/train-naf.sh): natural text
as written in the sources (the package's preprocessing cleans it, as it cleans forms), rows:
  - for each of the 732 sub-classes: its label, label65 and label40, three copies each; its class,
    group and division labels, one copy each (weaker: they span several codes); and the parts of
    its label (parenthesised asides removed, cut at commas, semicolons, " et ", " ou "), one copy
    each, so that short everyday phrases ("boulangerie", "pâtisserie") are seen;
  - the real Sirene forms of ../shared/data/forms/sirene_examples.csv, three copies each.
Held out: every distinct text whose SHA-256 (of its split key: lower case, no accents, punctuation,
one-letter words or stopwords, words cut to 5 letters) starts with a byte below 26 (about 10 %),
with all its copies — a reproducible split by text, so that no held-out text is
ever trained on. HELDOUT.csv has each held-out text that names a single code, once.

The fastText comparison (OUT.csv, the default):
Rows, in registry style (uppercase, no accents, anything but letters and digits as one space,
as forms arrive at the registry):
  - for each of the 732 sub-classes of ../shared/data/naf/naf_rev2_subclasses.csv: its label,
    label65 and label40, three copies each, and its class_label and group_label, one copy each
    (weaker: a class or a group spans several codes);
  - the real Sirene forms of ../shared/data/forms/sirene_examples.csv, three copies each.

    python3 scripts/models/naf_training_data.py --demo TRAIN.csv HELDOUT.csv
    python3 scripts/models/naf_training_data.py OUT.csv [--no-forms]

Standard library only.
"""
import csv
import hashlib
import os
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
if not os.path.isdir(SHARED):
    SHARED = "/work/shared/data"
NAF = os.path.join(SHARED, "naf", "naf_rev2_subclasses.csv")
FORMS = os.path.join(SHARED, "forms", "sirene_examples.csv")

OWN_LABELS = (("label", 3), ("label65", 3), ("label40", 3))
WEAKER_LABELS = (("class_label", 1), ("group_label", 1))
FORM_COPIES = 3
LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}


def registry_style(text):
    """Uppercase, ligatures spelt out, accents stripped, anything but letters and digits as a single space."""
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Z0-9]+", " ", text.upper()).strip()


def naf_rows():
    rows = []
    with open(NAF, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for column, copies in OWN_LABELS + WEAKER_LABELS:
                rows.extend([(registry_style(row[column]), row["code"])] * copies)
    return rows


def form_rows():
    with open(FORMS, encoding="utf-8") as f:
        return [(registry_style(row["text_description"]), row["code"]) for row in csv.DictReader(f)]


def training_rows(forms=True):
    """(text, code) pairs in a fixed order (the trainer shuffles with its seed)."""
    rows = naf_rows()
    if forms:
        for row in form_rows():
            rows.extend([row] * FORM_COPIES)
    return rows


def label_parts(label):
    """Short phrases of a label: asides in parentheses removed, cut at , ; " et " " ou "."""
    text = re.sub(r"\([^)]*\)", " ", label)
    parts = [p.strip(" -'’") for p in re.split(r"[,;]| et | ou ", text)]
    parts = [re.sub(r"\s+", " ", p) for p in parts if re.search(r"[^\W\d_]{4,}", p)]
    return [p for p in dict.fromkeys(parts) if p.lower() != label.lower()]


def demo_rows():
    """(text, code) pairs of the demo model, natural text, in a fixed order."""
    rows = []
    with open(NAF, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for column, copies in OWN_LABELS + WEAKER_LABELS + (("division_label", 1),):
                rows.extend([(row[column], row["code"])] * copies)
            rows.extend((part, row["code"]) for part in label_parts(row["label"]))
    with open(FORMS, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.extend([(row["text_description"], row["code"])] * FORM_COPIES)
    return rows


def _stopwords():
    path = os.path.join(SHARED, "text", "nltk_french_stopwords.txt")
    with open(path, encoding="utf-8") as f:
        return {strip_accents(w.strip()) for w in f if w.strip()}


def strip_accents(text):
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


STOPWORDS = None


def split_key(text):
    """What a text is held out by: close to what the package's preprocessing makes of it (lower
    case, no accents or punctuation, no one-letter words or stopwords, plurals made singular,
    words cut to 5 letters), so that texts the model would see as one fall on the same side of
    the split."""
    global STOPWORDS
    if STOPWORDS is None:
        STOPWORDS = _stopwords()
    words = re.sub(r"[^a-z0-9]+", " ", strip_accents(text)).split()
    words = [w for w in words if len(w) > 1 and w not in STOPWORDS]
    return " ".join((w[:-1] if len(w) > 3 and w[-1] in "sx" else w)[:5] for w in words)


def held_out(text):
    return hashlib.sha256(split_key(text).encode("utf-8")).digest()[0] < 26


def write_csv(path, rows):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text_description", "code"])
        writer.writerows(rows)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--demo":
        if len(sys.argv) != 4:
            sys.exit(__doc__)
        rows = demo_rows()
        # A code all of whose texts fall in the held-out part keeps its first text in training:
        # a package cannot answer a code it never saw.
        kept = {}
        for text, code in rows:
            if not held_out(text):
                kept.setdefault(code, text)
        rescued = {text for text, code in dict.fromkeys(rows) if code not in kept and kept.setdefault(code, text) == text}
        train = [row for row in rows if not held_out(row[0]) or row[0] in rescued]
        codes = {}
        for text, code in rows:
            codes.setdefault(text, set()).add(code)
        # Texts naming one code only: a class or division label shared by several codes has no
        # single right answer to score.
        kept_out = list(dict.fromkeys(
            row for row in rows if held_out(row[0]) and row[0] not in rescued and len(codes[row[0]]) == 1))
        write_csv(sys.argv[2], train)
        write_csv(sys.argv[3], kept_out)
        print(f"wrote {sys.argv[2]}: {len(train)} rows, {len(set(t for t, _ in train))} distinct texts; "
              f"{sys.argv[3]}: {len(kept_out)} held-out (text, code) pairs")
        return
    rows = training_rows(forms="--no-forms" not in sys.argv[2:])
    write_csv(sys.argv[1], rows)
    print(f"wrote {sys.argv[1]}: {len(rows)} rows, {len(set(code for _, code in rows))} codes")


if __name__ == "__main__":
    main()
