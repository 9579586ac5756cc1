#!/usr/bin/env python3
"""Trains real fastText and `streamcoder models train` on the same data, the same train/validation
split and the same hyper-parameters, and prints each one's top-1 accuracy on the validation split
and its training wall time.

Data: the NAF training set of scripts/models/naf_training_data.py (labels of the 732 sub-classes
and the Sirene sample forms, registry style), shuffled with --seed and split 90/10. Both trainers
read the training rows in the same order (ours with --no-shuffle).

    pip install fasttext-numpy2
    swift build -c release
    python3 scripts/bench/compare-trainer.py [--threads 1] [--repeat 3] [--epoch 25 --dim 16 ...]

Time is the wall time of the training call: fastText's `train_supervised` (reading the file,
building the dictionary, training), and for StreamCoder the "trained … in" time plus its
preparation (reading the CSV, dictionary, tokenization, initialisation), as printed by the command.
With --repeat, the median time and the mean accuracy over the repeats (different seeds) are shown.
"""
import argparse
import csv
import os
import random
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "models"))
import naf_training_data  # noqa: E402

WORK = os.path.join(ROOT, ".build-bench", "compare-trainer")
BINARY = os.path.join(ROOT, ".build", "release", "streamcoder")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epoch", type=int, default=25)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--dim", type=int, default=16)
    parser.add_argument("--word-ngrams", type=int, default=2)
    parser.add_argument("--minn", type=int, default=3)
    parser.add_argument("--maxn", type=int, default=6)
    parser.add_argument("--bucket", type=int, default=200000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per trainer, seeds seed..seed+repeat-1")
    parser.add_argument("--validation", type=float, default=0.1)
    parser.add_argument("--binary", default=BINARY, help="the streamcoder executable (release build)")
    return parser.parse_args()


def split(rows, fraction, seed):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    held = int(round(len(rows) * fraction))
    return rows[held:], rows[:held]


def write_fasttext(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for text, code in rows:
            f.write(f"__label__{code} {text}\n")


def run_fasttext(args, seed, train_txt, validation):
    import fasttext

    started = time.perf_counter()
    model = fasttext.train_supervised(
        input=train_txt, dim=args.dim, epoch=args.epoch, lr=args.lr, wordNgrams=args.word_ngrams,
        minn=args.minn, maxn=args.maxn, bucket=args.bucket, loss="softmax", thread=args.threads,
        seed=seed, verbose=0)
    seconds = time.perf_counter() - started
    labels, _ = model.predict([text for text, _ in validation], k=1)
    correct = sum(1 for predicted, (_, code) in zip(labels, validation) if predicted and predicted[0] == f"__label__{code}")
    return correct / len(validation), seconds


def run_streamcoder(args, seed, train_csv, validation_csv, out):
    command = [
        args.binary, "models", "train", "--data", train_csv, "--validation-data", validation_csv,
        "--out", out, "--no-shuffle", "--quiet", "--epoch", str(args.epoch), "--lr", str(args.lr),
        "--dim", str(args.dim), "--word-ngrams", str(args.word_ngrams), "--minn", str(args.minn),
        "--maxn", str(args.maxn), "--bucket", str(args.bucket), "--threads", str(args.threads),
        "--seed", str(seed), "--golden", "0"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    trained = re.search(r" in ([0-9.]+) s on .*preparation ([0-9.]+) s", output)
    top1 = re.search(r"top-1 ([0-9.]+)%", output)
    if not trained or not top1:
        sys.exit(f"unexpected output of {' '.join(command)}:\n{output}")
    return float(top1.group(1)) / 100, float(trained.group(1)) + float(trained.group(2))


def main():
    args = arguments()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} is missing: run `swift build -c release` first")
    os.makedirs(WORK, exist_ok=True)
    train, validation = split(naf_training_data.training_rows(), args.validation, args.seed)
    train_csv, validation_csv = os.path.join(WORK, "train.csv"), os.path.join(WORK, "validation.csv")
    train_txt = os.path.join(WORK, "train.txt")
    naf_training_data.write_csv(train_csv, train)
    naf_training_data.write_csv(validation_csv, validation)
    write_fasttext(train_txt, train)
    results = {"fastText": [], "StreamCoder": []}
    for seed in range(args.seed, args.seed + args.repeat):
        results["fastText"].append(run_fasttext(args, seed, train_txt, validation))
        results["StreamCoder"].append(
            run_streamcoder(args, seed, train_csv, validation_csv, os.path.join(WORK, "package")))
    print(f"data: {len(train)} training rows, {len(validation)} validation rows (seed {args.seed}); "
          f"epoch {args.epoch} lr {args.lr} dim {args.dim} wordNgrams {args.word_ngrams} "
          f"minn {args.minn} maxn {args.maxn} bucket {args.bucket} threads {args.threads}, "
          f"{args.repeat} run(s) each")
    print(f"{'trainer':<12} {'top-1':>7} {'time (s)':>9}")
    for name, runs in results.items():
        accuracy = statistics.mean(a for a, _ in runs)
        seconds = statistics.median(s for _, s in runs)
        print(f"{name:<12} {accuracy * 100:6.2f}% {seconds:9.3f}")


if __name__ == "__main__":
    main()
