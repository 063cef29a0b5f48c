"""Benchmark: the cost of quote extraction relative to parsing.

Prints the ratio (time of ``quotes_from_doc`` over N already parsed Docs) / (time of ``nlp.pipe``
over the same texts); the target is at most 0.10. Texts are the ``text`` fields of a gzip JSONL file
(by default ``../shared/eval/quotes/dev.jsonl.gz`` from the project root), read at run time and
never copied into the repository; without that file the seed articles in ``data/articles`` are used.
The model is loaded and a text parsed and extracted before anything is timed.

Usage (from the project root)::

    .venv/bin/python bench/bench_quotes.py            # all dev articles, about a minute
    .venv/bin/python bench/bench_quotes.py --n 20

This is a benchmark, not a test: the exit code is 0 even when the target is missed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import newsdesk
from newsdesk.extract.quotes import quoted_terms_from_doc, quotes_from_doc

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "eval" / "quotes" / "dev.jsonl.gz"
SEEDS = PROJECT_ROOT / "data" / "articles"
TARGET_RATIO = 0.10
DEFAULT_BATCH_SIZE = 16


def read_texts(source: Path, n: int | None) -> tuple[list[str], str]:
    """Texts to parse: the JSONL file's ``text`` fields, or the seed articles when it is missing."""
    if source.is_file():
        with gzip.open(source, "rt", encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for line in handle if line.strip()]
        label = source.name
    else:
        texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
        label = "seed articles"
    return (texts[:n] if n else texts), label


def main(argv: list[str] | None = None) -> None:
    """Time parsing and extraction, then print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=None, help="articles to use (default: all)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="gzip JSONL with 'text' fields")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--repeats", type=int, default=3, help="extraction passes; the fastest counts")
    args = parser.parse_args(argv)

    texts, label = read_texts(args.source, args.n)
    language = newsdesk.nlp()
    quotes_from_doc(language(texts[0]))  # warm up: model, lexicons

    start = time.perf_counter()
    docs = list(language.pipe(texts, batch_size=args.batch_size))
    parse_seconds = time.perf_counter() - start

    extract_seconds = float("inf")
    n_quotes = 0
    for _ in range(max(1, args.repeats)):
        start = time.perf_counter()
        n_quotes = sum(len(quotes_from_doc(doc)) for doc in docs)
        extract_seconds = min(extract_seconds, time.perf_counter() - start)
    start = time.perf_counter()
    n_terms = sum(len(quoted_terms_from_doc(doc)) for doc in docs)
    terms_seconds = time.perf_counter() - start

    ratio = extract_seconds / parse_seconds
    chars = sum(len(t) for t in texts)
    print(f"texts: {len(texts)} ({label}), {chars:,} characters")
    print(f"nlp.pipe:          {parse_seconds:8.2f} s  ({len(texts) / parse_seconds:.1f} docs/s)")
    print(f"quotes_from_doc:   {extract_seconds:8.2f} s  ({n_quotes} attributions)")
    print(f"quoted_terms:      {terms_seconds:8.2f} s  ({n_terms} terms; runs the extractor too)")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"ratio quotes/parse {ratio:8.3f}  (target <= {TARGET_RATIO:.2f}: {verdict})")


if __name__ == "__main__":
    main()
