"""Time ``newsdesk.strip`` on hostile input: prints seconds per case, the 10 MB / 0.5 MB ratio of a
layout-text dump, and a one-line (blob) dump at 1, 4 and 20 MB with its units and body size.

Run: ``.venv/bin/python bench/bench_hostile.py``. Linear time means every case finishes in seconds and
the ratios stay near the size ratios (20 for the layout dumps; 4 and 20 for the blobs).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import newsdesk

SEEDS = sorted((Path(__file__).resolve().parents[1] / "data" / "articles").glob("*.txt"))
CASES = {
    "one 1,000,000-character line": "word " * 200_000,
    "90,000 'Read more:' on one line": "Read more: " * 90_000 + "x",
    "1,000,000 open parentheses": "(" * 1_000_000,
    "500,000 empty lines": "\n" * 500_000,
    "250,000 clock-like tokens": "1:2 " * 250_000,
    "200,000 lines of dots": "....\n" * 200_000,
}


def seconds(text: str) -> float:
    start = time.perf_counter()
    newsdesk.strip(text)
    return time.perf_counter() - start


def main() -> None:
    for name, text in CASES.items():
        print(f"{name:34s} {seconds(text):6.2f} s")
    page = "\n".join(path.read_text(encoding="utf-8") for path in SEEDS)
    small, big = seconds(page * 30), seconds(page * 600)
    print(f"{'0.5 MB dump':34s} {small:6.2f} s")
    print(f"{'10 MB dump':34s} {big:6.2f} s   ratio {big / small:.1f} for 20x the text")
    sentences = [
        sentence
        for line in page.split("\n")
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(line.split()))
        if len(sentence.split()) >= 6
    ]
    base = None
    for megabytes in (1, 4, 20):
        blob = one_line_dump(sentences, megabytes * 1_000_000)
        start = time.perf_counter()
        result = newsdesk.strip(blob)
        took = time.perf_counter() - start
        base = base or took
        units = int(result.lines["line_no"].iloc[-1])
        print(
            f"{f'{megabytes} MB one-line dump':34s} {took:6.2f} s   ratio {took / base:.1f}   "
            f"{units} units, body {len(result.body) / len(blob):.0%} of the text"
        )


def one_line_dump(sentences: list[str], size: int) -> str:
    """The seeds' sentences, each numbered so that no two are the same, on one line of ``size`` chars."""
    out: list[str] = []
    length = 0
    while length < size:
        sentence = sentences[len(out) % len(sentences)].rstrip(".!?")
        out.append(f"{sentence} (note {len(out)}).")
        length += len(out[-1]) + 1
    return " ".join(out)


if __name__ == "__main__":
    main()
