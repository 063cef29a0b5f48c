"""Time and peak memory of annotating one hostile article at growing sizes (strip, parse, every step).

Each case runs ``newsdesk annotate`` on a one-article corpus in a fresh process and prints seconds,
the peak resident memory of that process and the ratios to the smallest size. Bounded work means the
time ratio stays near the size ratio (2 and 4) and memory grows far slower than the text.

Run: ``.venv/bin/python bench/bench_bounded_parse.py`` (about two minutes).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "articles").glob("*.txt"))

CHILD = """
import sys, time, resource
from newsdesk.store.annotate import annotate
start = time.perf_counter()
summary = annotate(sys.argv[1], sys.argv[2], progress=False)
took = time.perf_counter() - start
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, summary.n_annotated)
"""


def one_line_prose(size: int) -> str:
    """The seeds' sentences, each numbered so that no two are the same, on one line of ``size`` chars."""
    page = " ".join(path.read_text(encoding="utf-8") for path in SEEDS)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(page.split())) if len(s.split()) >= 6]
    out: list[str] = []
    length = 0
    while length < size:
        out.append(f"{sentences[len(out) % len(sentences)].rstrip('.!?')} (note {len(out)}).")
        length += len(out[-1]) + 1
    return " ".join(out)


CASES = {
    "quotation marks": [(f'{n:,} "', '"' * n) for n in (10_000, 20_000, 40_000)],
    "one-line article": [(f"{n / 1e6:g} MB", one_line_prose(n)) for n in (250_000, 500_000, 1_000_000)],
}


def run(text: str) -> tuple[float, float, int]:
    """Seconds, peak MB and articles annotated for a corpus of one article holding ``text``."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir()
        (data / "article.txt").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(data), str(Path(folder) / "store")],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        seconds, peak_kb, annotated = done.stdout.split()[-3:]
        return min(float(seconds), wall), int(peak_kb) / 1024, int(annotated)


def main() -> None:
    for name, sizes in CASES.items():
        base: tuple[float, float] | None = None
        for label, text in sizes:
            seconds, megabytes, annotated = run(text)
            base = base or (seconds, megabytes)
            print(
                f"{name:18s} {label:>10s} {seconds:7.1f} s ({seconds / base[0]:4.1f}x) "
                f"peak {megabytes:6.0f} MB ({megabytes / base[1]:4.1f}x)  annotated {annotated}"
            )


if __name__ == "__main__":
    main()
