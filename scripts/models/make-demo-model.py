#!/usr/bin/env python3
"""Trains the fastText demo model that `streamcoder demo` used before StreamCoder's own trainer
shipped it; Models/naf-demo is now made by scripts/models/train-naf.sh. Kept to compare with, and
for the benchmarks: fastText's own predict and the Python worker need a fastText `.bin`, and our
side imports the same file (scripts/bench/bench-infer.sh, bench-e2e.sh).

Training text: for each of the 732 NAF rév. 2 sub-classes of ../shared/data/naf/naf_rev2_subclasses.csv,
its full, 65- and 40-character labels and its class label, plus the 25 real Sirene forms of
../shared/data/forms/sirene_examples.csv. Text is written the way registry forms arrive
(uppercase, no accents, punctuation as spaces), so the package needs no cleaning of its own.

    pip install fasttext-numpy2
    python3 scripts/models/make-demo-model.py            # writes .build-demo-model/naf-demo.bin
    swift run streamcoder models import-fasttext .build-demo-model/naf-demo.bin \
        --out Models/naf-demo --name naf-demo --version 2026.11.1 --threshold 0.4
"""
import csv
import os
import random
import re
import unicodedata

import fasttext

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared", "data")
OUT = os.path.join(ROOT, ".build-demo-model")


def registry_style(text):
    """Uppercase, accents stripped, anything but letters and digits as a single space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Z0-9]+", " ", text.upper()).strip()


def training_lines():
    lines = []
    with open(os.path.join(SHARED, "naf", "naf_rev2_subclasses.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for column in ("label", "label65", "label40", "class_label"):
                lines.append(f"__label__{row['code']} {registry_style(row[column])}")
    with open(os.path.join(SHARED, "forms", "sirene_examples.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lines.extend([f"__label__{row['code']} {registry_style(row['text_description'])}"] * 3)
    random.Random(7).shuffle(lines)
    return lines


def main():
    os.makedirs(OUT, exist_ok=True)
    data = os.path.join(OUT, "train.txt")
    with open(data, "w", encoding="utf-8") as f:
        f.write("\n".join(training_lines()) + "\n")
    model = fasttext.train_supervised(
        input=data, dim=16, epoch=60, lr=0.5, wordNgrams=2, minn=3, maxn=5, bucket=20000,
        loss="softmax", thread=1, seed=7, verbose=0)
    path = os.path.join(OUT, "naf-demo.bin")
    model.save_model(path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
