#!/usr/bin/env python3
"""fastText's own predict on the same model and texts, for `streamcoder bench infer`.

    python3 scripts/bench/fasttext_predict.py MODEL.bin TEXTS.txt K

Prints one JSON object: forms/s of the list predict (the loop runs in C++), and forms/s with
per-call latency percentiles of one predict call per text. Texts: one per line.
"""
import json
import sys
import time

import fasttext


def main():
    model_path, texts_path, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(texts_path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    model = fasttext.load_model(model_path)
    model.predict(texts[:100], k=k)  # warm-up
    start = time.perf_counter()
    model.predict(texts, k=k)
    list_seconds = time.perf_counter() - start
    latencies = []
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter_ns()
        model.predict(text, k=k)
        latencies.append(time.perf_counter_ns() - t0)
    single_seconds = time.perf_counter() - start
    latencies.sort()
    print(json.dumps({
        "list_forms_per_second": len(texts) / list_seconds,
        "single_forms_per_second": len(texts) / single_seconds,
        "single_p50_us": latencies[len(latencies) // 2] / 1000,
        "single_p99_us": latencies[int(len(latencies) * 0.99)] / 1000,
    }))


if __name__ == "__main__":
    main()
