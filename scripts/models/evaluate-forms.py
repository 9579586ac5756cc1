#!/usr/bin/env python3
"""Codes the Sirene sample forms (../shared/data/forms/sirene_examples.csv) with one or more
packages through `streamcoder code --model PKG --json`, and prints for each package: top-1 and
top-5 hits, the auto-coded count at the package's threshold (and how many of those are right),
and the mean probability given to the right code.

    python3 scripts/models/evaluate-forms.py Models/naf-demo [OTHER_PACKAGE ...]
"""
import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import naf_training_data  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("STREAMCODER", os.path.join(ROOT, ".build", "release", "streamcoder"))


def code(package, text):
    output = subprocess.run([BINARY, "code", "--model", package, "--json", "--top-k", "5", text],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def evaluate(package, forms):
    top1 = top5 = auto = auto_right = 0
    probability = 0.0
    for text, expected in forms:
        result = code(package, text)
        codes = [c["code"] for c in result["candidates"]]
        top1 += codes[:1] == [expected]
        top5 += expected in codes
        probability += next((c["probability"] for c in result["candidates"] if c["code"] == expected), 0.0)
        if result["decision"] == "DECISION_AUTO_CODED":
            auto += 1
            auto_right += codes[:1] == [expected]
    n = len(forms)
    return (f"{package}: top-1 {top1}/{n}, top-5 {top5}/{n}, auto-coded {auto}/{n} ({auto_right} right), "
            f"mean p(right code) {probability / n:.3f}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with open(naf_training_data.FORMS, encoding="utf-8") as f:
        forms = [(row["text_description"], row["code"]) for row in csv.DictReader(f)]
    for package in sys.argv[1:]:
        print(evaluate(package, forms))


if __name__ == "__main__":
    main()
