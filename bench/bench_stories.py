"""Benchmark: stories and claims on an annotated store, against the parse of the same corpus.

Prints, for a store of N articles (default 4,000) and one of N/2:

1. the time of ``corpus_stories`` + ``corpus_claims`` on the store, opened as the notebooks open it
   (``open_corpus(store=...)``: outlets, dates and copies resolved first, not timed), in a fresh
   process that reads the store's ``claim_keys`` and ``quotes`` tables and parses nothing, over the
   time of a bare ``nlp.pipe`` over the same stripped bodies (target <= 0.10);
2. the peak memory those two calls add to the process (resident set after opening, to its peak
   sampled every 5 ms while they run), for N/2 and N: flat means the ratio stays far below 2.

The articles are generated at run time as in ``bench/bench_scale.py`` (pages of the evaluation kit,
never copied into the repository); copy k of a page takes another window of its text, so copies of
one page form stories. Usage (from the project root)::

    .venv/bin/python bench/bench_stories.py            # 4,000 articles: about 20-30 minutes on 2 cores
    .venv/bin/python bench/bench_stories.py --n 600    # a quick run

A benchmark, not a test: the exit code is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import SOURCES, generate, read_pages, write_corpus

TARGET_SHARE = 0.10

CHILD = """
import sys, threading, time
import psutil
import newsdesk
from newsdesk.analysis.stories import corpus_stories, corpus_claims
store = newsdesk.open_corpus(store=sys.argv[1], cache_dir=sys.argv[2])  # as the notebooks open it
process = psutil.Process()
before = process.memory_info().rss
peak = [before]
done = threading.Event()

def watch():  # the resident set's peak while stories and claims run, sampled every 5 ms
    while not done.wait(0.005):
        peak[0] = max(peak[0], process.memory_info().rss)

watcher = threading.Thread(target=watch)
watcher.start()
start = time.perf_counter()
stories = corpus_stories(store, progress=False)
claims = corpus_claims(store, progress=False)
took = time.perf_counter() - start
done.set()
watcher.join()
print(took, max(peak[0] - before, 0), stories["story_id"].nunique(), claims["claim_id"].nunique())
"""


def bare_parse_seconds(data: Path) -> float:
    """Seconds of ``nlp.pipe`` over the corpus's stripped bodies (no cache), the model loaded first."""
    import newsdesk
    from newsdesk.stripping.corpus import corpus_bodies

    corpus = newsdesk.load_corpus(data, cache_dir=data.parent / "bare-cache")
    bodies = corpus_bodies(corpus)["body"].tolist()
    language = newsdesk.nlp()
    language("warm up")
    start = time.perf_counter()
    for _ in language.pipe(bodies, batch_size=16):
        pass
    return time.perf_counter() - start


def measure(n: int, pages: list[dict[str, str]], folder: Path, *, parse: bool = True) -> dict[str, float]:
    """Annotate a corpus of ``n`` articles into a store (kept in ``folder`` when it is there already),
    then time stories and claims on it in a fresh process, and the bare parse (unless not ``parse``)."""
    from newsdesk.store.annotate import annotate

    data = folder / f"data-{n}"
    if not data.is_dir():
        write_corpus(generate(pages, n), data)
    store = folder / f"store-{n}"
    annotate(data, store, progress=False, cache_dir=folder / f"cache-{n}")  # new or changed articles only
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(store), str(folder / f"read-cache-{n}")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds, added, n_stories, n_claims = done.stdout.split()[-4:]
    return {
        "seconds": float(seconds),
        "added_mb": int(added) / 2**20,
        "stories": int(n_stories),
        "claims": int(n_claims),
        "parse": bare_parse_seconds(data) if parse else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=4000, help="articles in the larger store")
    parser.add_argument("--keep", type=Path, default=None, help="folder that keeps the corpora and stores")
    parser.add_argument("--no-parse", action="store_true", help="skip the bare parse (reruns with --keep)")
    args = parser.parse_args()
    pages = read_pages(SOURCES)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        results = {n: measure(n, pages, folder, parse=not args.no_parse) for n in (args.n // 2, args.n)}
    for n, result in results.items():
        share = result["seconds"] / result["parse"]
        print(
            f"{n:6,} articles: stories + claims {result['seconds']:6.1f} s = {share:.3f} of the bare parse "
            f"({result['parse']:.0f} s; target <= {TARGET_SHARE}); memory added {result['added_mb']:.0f} MB; "
            f"{result['stories']:,} stories, {result['claims']:,} claims"
        )
    small, large = results[args.n // 2], results[args.n]
    ratio = large["added_mb"] / max(small["added_mb"], 1)
    print(f"memory added, {args.n:,} over {args.n // 2:,} articles: {ratio:.2f}x")


if __name__ == "__main__":
    main()
