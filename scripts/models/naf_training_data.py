#!/usr/bin/env python3
"""Builds the NAF training CSV for `streamcoder models train` (and the fastText comparison).

Rows, in registry style (uppercase, no accents, anything but letters and digits as one space,
as forms arrive at the registry):
  - for each of the 732 sub-classes of ../shared/data/naf/naf_rev2_subclasses.csv: its label,
    label65 and label40, three copies each, and its class_label and group_label, one copy each
    (weaker: a class or a group spans several codes);
  - the real Sirene forms of ../shared/data/forms/sirene_examples.csv, three copies each.

    python3 scripts/models/naf_training_data.py OUT.csv [--no-forms]

Standard library only.
"""
import csv
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


def write_csv(path, rows):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text_description", "code"])
        writer.writerows(rows)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rows = training_rows(forms="--no-forms" not in sys.argv[2:])
    write_csv(sys.argv[1], rows)
    print(f"wrote {sys.argv[1]}: {len(rows)} rows, {len(set(code for _, code in rows))} codes")


if __name__ == "__main__":
    main()
