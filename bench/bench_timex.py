"""Benchmark: temporal expression extraction from parsed Docs against the spaCy parse itself.

Prints the time ``newsdesk.extract.timexes.timexes_from_doc`` takes over N already parsed Docs divided by
the time ``nlp.pipe`` takes to parse the same texts (target: at most 0.10, i.e. extraction costs at
most 10% of parsing).

Texts are read at run time: by default the ``text`` fields (and ``dct`` publication dates) of
``../shared/eval/timex/dev.jsonl.gz`` from the project root, plus the seed articles in
``data/articles`` (with the dates in ``data/articles.csv``). Nothing is copied into the repository.
The model is loaded and a couple of texts parsed before anything is timed; the parse is timed
once, extraction ``--repeats`` times (the median is reported).

Usage (from the project root)::

    .venv/bin/python bench/bench_timex.py            # all dev texts + seeds
    .venv/bin/python bench/bench_timex.py --n 50 --json /tmp/bench_timex.json

This is a benchmark, not a test: the exit code is 0 even when the target is missed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import newsdesk
from newsdesk.extract.timexes import timexes_from_doc

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "eval" / "timex" / "dev.jsonl.gz"
SEED_DIR = PROJECT_ROOT / "data"
TARGET_RATIO = 0.10
DEFAULT_BATCH_SIZE = 16
DEFAULT_REPEATS = 5
WARMUP_TEXTS = 2


def load_texts(source: Path, n: int | None) -> list[tuple[str, str | None]]:
    """(text, publication date) pairs from the gold file (if present) and the seed articles."""
    pairs: list[tuple[str, str | None]] = []
    if source.exists():
        with gzip.open(source, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    pairs.append((row["text"], row.get("dct")))
    manifest = SEED_DIR / "articles.csv"
    if manifest.exists():
        with manifest.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                path = SEED_DIR / row["file"]
                if path.exists():
                    pairs.append((path.read_text(encoding="utf-8"), row.get("published") or None))
    return pairs[:n] if n else pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="gold JSONL(.gz) with text and dct")
    ap.add_argument("--n", type=int, default=None, help="use only the first N texts")
    ap.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    ap.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="extraction passes (median)")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args(argv)

    pairs = load_texts(args.source, args.n)
    if not pairs:
        print("no texts found", file=sys.stderr)
        return 0
    texts = [t for t, _ in pairs]
    nlp = newsdesk.nlp()
    for doc in nlp.pipe(texts[:WARMUP_TEXTS]):  # warm-up: model loaded, caches filled
        timexes_from_doc(doc, None)

    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=args.batch_size))
    parse_s = time.perf_counter() - t0

    runs, found = [], 0
    for _ in range(max(args.repeats, 1)):
        t0 = time.perf_counter()
        found = sum(len(timexes_from_doc(doc, dct)) for doc, (_, dct) in zip(docs, pairs, strict=True))
        runs.append(time.perf_counter() - t0)
    extract_s = statistics.median(runs)
    ratio = extract_s / parse_s if parse_s else float("inf")

    chars = sum(len(t) for t in texts)
    print(f"texts: {len(texts)} ({chars / 1000:.0f}k chars), timexes found: {found}")
    print(f"platform: Python {platform.python_version()} on {platform.machine()}")
    print(f"nlp.pipe (batch {args.batch_size}): {parse_s:.2f} s = {1000 * parse_s / len(texts):.1f} ms/doc")
    per_doc = 1000 * extract_s / len(texts)
    print(f"timexes_from_doc (median of {len(runs)}): {extract_s:.3f} s = {per_doc:.2f} ms/doc")
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"ratio extraction/parse: {ratio:.3f} ({verdict} the target <= {TARGET_RATIO:.2f})")
    if args.json:
        args.json.write_text(json.dumps({
            "texts": len(texts), "chars": chars, "timexes": found, "parse_s": parse_s,
            "extract_s": extract_s, "extract_runs_s": runs, "ratio": ratio, "target": TARGET_RATIO,
        }, indent=2), encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
