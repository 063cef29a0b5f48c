"""Benchmark: load and annotate N real article dumps with newsdesk.

Prints three figures and their targets from the product spec:

1. loading throughput: ``newsdesk.load_corpus(folder)`` on N ``.txt`` files plus an ``articles.csv``
   manifest (articles/s);
2. ``corpus_docs(corpus)`` throughput with a cold cache (fresh temporary cache folder) relative to a bare
   ``nlp.pipe`` over the same texts (the stripped bodies ``corpus_docs()`` parses, so the cold pass also
   pays for stripping) with the same batch size (target >= 0.90);
3. the speed-up of a fully cached rerun of ``corpus_docs(corpus)`` over the cold run (target >= 20x).

The input texts are the ``dump`` fields of a gzip JSONL file (by default
``../shared/eval/boilerplate/dev.jsonl.gz`` from the project root). They are written to a temporary
folder at run time and never copied into the repository. The model is loaded and a couple of texts
parsed before anything is timed. The bare and the cold passes run alternately over chunks of the
corpus (bare first in even rounds, cold first in odd ones) to reduce order and drift bias; the raw
times of both are reported.

Usage (from the project root)::

    .venv/bin/python bench/bench_annotate.py                # default N, about 3-5 minutes on 2 cores
    .venv/bin/python bench/bench_annotate.py --n 20 --json /tmp/bench.json

This is a benchmark, not a test: the exit code is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import gc
import gzip
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import spacy
from spacy.language import Language

import newsdesk
from newsdesk import Corpus, load_corpus
from newsdesk.core.cache import DiskCache
from newsdesk.parsing.parse import corpus_docs
from newsdesk.stripping.corpus import corpus_bodies

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "eval" / "boilerplate" / "dev.jsonl.gz"
#: About 2 x N parses at 1.5-3 docs/s on 2 cores: roughly 3-5 minutes in all.
DEFAULT_N = 180
DEFAULT_BATCH_SIZE = 16
DEFAULT_ROUNDS = 4
DEFAULT_LOAD_REPEATS = 3
DEFAULT_CACHED_REPEATS = 3
WARMUP_TEXTS = 2

TARGET_DOCS_RATIO = 0.90
TARGET_CACHED_SPEEDUP = 20.0


@dataclass
class Results:
    """Every figure the benchmark prints (and writes with ``--json``)."""

    n: int
    n_annotated: int
    batch_size: int
    rounds: int
    source: str
    manifest_language: str
    total_chars: int
    load_seconds: list[float]
    load_articles_per_s: float
    bare_seconds: float
    cold_seconds: float
    bare_docs_per_s: float
    cold_docs_per_s: float
    docs_over_bare: float
    cached_seconds: list[float]
    cached_docs_per_s: float
    cached_speedup: float
    tokens: int
    round_seconds: list[dict[str, float]] = field(default_factory=list)
    targets: dict[str, float] = field(default_factory=dict)
    met: dict[str, bool] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", type=int, default=DEFAULT_N, help=f"articles to load and parse (default {DEFAULT_N})"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help=f"spaCy batch size (default {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="gzip JSONL file whose records carry a 'dump' field "
        "(default: ../shared/eval/boilerplate/dev.jsonl.gz from the project root)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help=f"chunks over which bare and cold passes alternate "
        f"(default {DEFAULT_ROUNDS}; 1 = bare then cold)",
    )
    parser.add_argument(
        "--load-repeats",
        type=int,
        default=DEFAULT_LOAD_REPEATS,
        help="timed load_corpus runs (median reported)",
    )
    parser.add_argument(
        "--cached-repeats",
        type=int,
        default=DEFAULT_CACHED_REPEATS,
        help="timed cached reruns (median reported)",
    )
    parser.add_argument(
        "--language",
        default="",
        metavar="CODE",
        help="value for the manifest's language column (default: empty, so load_corpus detects the language; "
        "'en' skips detection)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args(argv)
    for name in ("n", "batch_size", "rounds", "load_repeats", "cached_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def read_dumps(source: Path, limit: int) -> list[dict[str, str]]:
    """The first ``limit`` records of ``source`` that have a non-empty ``dump`` (id, url, dump)."""
    records: list[dict[str, str]] = []
    with gzip.open(source, "rt", encoding="utf-8") as stream:
        for line in stream:
            if len(records) >= limit:
                break
            if not line.strip():
                continue
            record = json.loads(line)
            dump = record.get("dump") or ""
            if dump.strip():
                records.append(
                    {
                        "id": str(record.get("id") or f"article-{len(records):05d}"),
                        "url": record.get("url") or "",
                        "dump": dump,
                    }
                )
    return records


def write_corpus(records: Iterable[dict[str, str]], folder: Path, language: str = "") -> int:
    """Write one ``.txt`` per record and an ``articles.csv`` manifest; returns the file count.

    An empty ``language`` leaves the manifest's language column empty (the loader detects it).
    """
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with (folder / "articles.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "file", "outlet", "url", "language"])
        for index, record in enumerate(records):
            article_id = record["id"] or f"article-{index:05d}"
            file_name = f"{index:05d}-{article_id}.txt"
            (folder / file_name).write_text(record["dump"], encoding="utf-8")
            writer.writerow([article_id, file_name, urlparse(record["url"]).netloc, record["url"], language])
            count += 1
    return count


def timed(action: Callable[[], int]) -> tuple[float, int]:
    """Run ``action`` after a garbage collection; (seconds, its result)."""
    gc.collect()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bare_pass(language: Language, texts: list[str], batch_size: int) -> int:
    """Parse ``texts`` with a bare ``nlp.pipe``, consuming every Doc; the token count."""
    return sum(len(doc) for doc in language.pipe(texts, batch_size=batch_size))


def docs_pass(corpus: Corpus, batch_size: int) -> int:
    """Consume ``corpus_docs(corpus)`` fully; the token count."""
    return sum(len(doc) for doc in corpus_docs(corpus, progress=False, batch_size=batch_size))


def sub_corpus(corpus: Corpus, start: int, stop: int, cache: DiskCache) -> Corpus:
    """Rows ``start:stop`` of the annotatable articles as a corpus sharing ``cache``."""
    return Corpus(
        articles=corpus.annotatable.iloc[start:stop].reset_index(drop=True),
        problems=corpus.problems,
        root=corpus.root,
        cache=cache,
    )


def chunk_bounds(total: int, rounds: int) -> list[tuple[int, int]]:
    """``rounds`` contiguous, near-equal, non-empty ``(start, stop)`` ranges covering ``range(total)``."""
    rounds = max(1, min(rounds, total))
    edges = [round(i * total / rounds) for i in range(rounds + 1)]
    return [(edges[i], edges[i + 1]) for i in range(rounds)]


def run(args: argparse.Namespace) -> Results:
    """Do the whole benchmark in a temporary folder and return the figures."""
    source = args.source.expanduser().resolve()
    if not source.is_file():
        raise SystemExit(f"source file not found: {source} (use --source PATH)")
    records = read_dumps(source, args.n)
    if len(records) < args.n:
        print(
            f"note: {source.name} has only {len(records)} usable records; using n={len(records)}", flush=True
        )
    if not records:
        raise SystemExit(f"no records with a 'dump' field in {source}")
    n = len(records)

    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as scratch:
        scratch_path = Path(scratch)
        folder = scratch_path / "corpus"
        write_corpus(records, folder, args.language)
        warm_folder = scratch_path / "warmup"
        write_corpus(records[:WARMUP_TEXTS], warm_folder, args.language)

        # Warm-up: spaCy model, language identifier, ftfy, the cache code path.
        print(f"warming up (model load, {WARMUP_TEXTS} texts) ...", flush=True)
        language = newsdesk.nlp()
        warm = load_corpus(warm_folder, cache_dir=scratch_path / "cache-warmup", progress=False)
        warm_texts = warm.annotatable["text"].tolist()
        bare_pass(language, warm_texts, args.batch_size)
        docs_pass(warm, args.batch_size)

        # 1. Loading.
        print(f"loading {n} articles x{args.load_repeats} ...", flush=True)
        load_seconds: list[float] = []
        corpus: Corpus | None = None
        cold_cache = scratch_path / "cache-cold"
        for _ in range(args.load_repeats):
            gc.collect()
            start = time.perf_counter()
            corpus = load_corpus(folder, cache_dir=cold_cache, progress=False)
            load_seconds.append(time.perf_counter() - start)
        assert corpus is not None
        if len(corpus) != n:
            print(f"note: {n - len(corpus)} file(s) were not loaded; see corpus.problems", flush=True)

        # 2. Bare nlp.pipe vs cold corpus_docs(corpus), alternating over chunks.
        texts = corpus.annotatable["text"].tolist()
        n_annotated = len(texts)
        if n_annotated < len(corpus):
            print(
                f"note: {len(corpus) - n_annotated} article(s) are not English and are not parsed", flush=True
            )
        if n_annotated == 0:
            raise SystemExit("no annotatable (English) articles to parse")
        cache = DiskCache(cold_cache)
        rounds: list[dict[str, float]] = []
        bare_tokens = cold_tokens = 0
        bounds = chunk_bounds(n_annotated, args.rounds)
        bodies_cache = DiskCache(scratch_path / "cache-bodies")
        for index, (start, stop) in enumerate(bounds):
            # corpus_docs(corpus) parses the stripped bodies; the bare pass parses the same bodies, computed
            # here with a separate cache so that the cold pass still strips from scratch.
            chunk_texts = corpus_bodies(sub_corpus(corpus, start, stop, bodies_cache))["body"].tolist()
            chunk_corpus = sub_corpus(corpus, start, stop, cache)
            order = ("bare", "cold") if index % 2 == 0 else ("cold", "bare")
            timings: dict[str, float] = {"docs": float(stop - start)}
            for side in order:
                print(
                    f"round {index + 1}/{len(bounds)}: {side} pass over {stop - start} texts ...", flush=True
                )
                if side == "bare":
                    seconds, tokens = timed(lambda t=chunk_texts: bare_pass(language, t, args.batch_size))
                    bare_tokens += tokens
                else:
                    seconds, tokens = timed(lambda c=chunk_corpus: docs_pass(c, args.batch_size))
                    cold_tokens += tokens
                timings[side] = seconds
            rounds.append(timings)
        if bare_tokens != cold_tokens:
            print(
                f"WARNING: token counts differ: bare {bare_tokens}, corpus_docs {cold_tokens}", flush=True
            )
        bare_seconds = sum(r["bare"] for r in rounds)
        cold_seconds = sum(r["cold"] for r in rounds)

        # 3. Fully cached rerun of corpus_docs(corpus) over the whole corpus.
        print(f"cached rerun x{args.cached_repeats} ...", flush=True)
        cached_corpus = sub_corpus(corpus, 0, n_annotated, cache)
        cached_seconds: list[float] = []
        for _ in range(args.cached_repeats):
            seconds, tokens = timed(lambda: docs_pass(cached_corpus, args.batch_size))
            cached_seconds.append(seconds)
            if tokens != cold_tokens:
                print(f"WARNING: cached token count {tokens} differs from cold {cold_tokens}", flush=True)

    load_median = statistics.median(load_seconds)
    cached_median = statistics.median(cached_seconds)
    ratio = bare_seconds / cold_seconds  # throughput ratio corpus_docs()/bare for the same texts
    speedup = cold_seconds / cached_median
    return Results(
        n=n,
        n_annotated=n_annotated,
        batch_size=args.batch_size,
        rounds=len(rounds),
        source=str(source),
        manifest_language=args.language,
        total_chars=sum(len(t) for t in texts),
        load_seconds=load_seconds,
        load_articles_per_s=len(corpus) / load_median,
        bare_seconds=bare_seconds,
        cold_seconds=cold_seconds,
        bare_docs_per_s=n_annotated / bare_seconds,
        cold_docs_per_s=n_annotated / cold_seconds,
        docs_over_bare=ratio,
        cached_seconds=cached_seconds,
        cached_docs_per_s=n_annotated / cached_median,
        cached_speedup=speedup,
        tokens=cold_tokens,
        round_seconds=rounds,
        targets={"docs_over_bare": TARGET_DOCS_RATIO, "cached_speedup": TARGET_CACHED_SPEEDUP},
        met={
            "docs_over_bare": ratio >= TARGET_DOCS_RATIO,
            "cached_speedup": speedup >= TARGET_CACHED_SPEEDUP,
        },
        environment={
            "python": platform.python_version(),
            "spacy": spacy.__version__,
            "newsdesk": newsdesk.__version__,
            "pipeline": ",".join(language.pipe_names),
            "machine": platform.machine(),
        },
    )


def report(results: Results) -> None:
    """Print the table of figures and targets, then the one-line summary."""

    def status(key: str) -> str:
        return "ok" if results.met[key] else "MISSED"

    load_runs = ", ".join(f"{s:.2f}" for s in results.load_seconds)
    cached_runs = ", ".join(f"{s:.2f}" for s in results.cached_seconds)
    rows = [
        ("articles", f"{results.n} loaded, {results.n_annotated} parsed", "", ""),
        ("characters parsed", f"{results.total_chars:,}", "", ""),
        ("manifest language", results.manifest_language or "(empty: detected on load)", "", ""),
        ("tokens", f"{results.tokens:,}", "", ""),
        (
            "load_corpus time (s, median)",
            f"{statistics.median(results.load_seconds):.2f} [{load_runs}]",
            "",
            "",
        ),
        ("load throughput", f"{results.load_articles_per_s:.1f} articles/s", "", ""),
        (
            "bare nlp.pipe time (s)",
            f"{results.bare_seconds:.2f} ({results.bare_docs_per_s:.2f} docs/s)",
            "",
            "",
        ),
        (
            "cold corpus_docs(corpus) time (s)",
            f"{results.cold_seconds:.2f} ({results.cold_docs_per_s:.2f} docs/s)",
            "",
            "",
        ),
        (
            "corpus_docs()/bare throughput",
            f"{results.docs_over_bare:.3f}",
            f">= {TARGET_DOCS_RATIO:.2f}",
            status("docs_over_bare"),
        ),
        (
            "cached corpus_docs() time (s, median)",
            f"{statistics.median(results.cached_seconds):.2f} [{cached_runs}]",
            "",
            "",
        ),
        ("cached throughput", f"{results.cached_docs_per_s:.1f} docs/s", "", ""),
        (
            "cached speed-up over cold",
            f"{results.cached_speedup:.1f}x",
            f">= {TARGET_CACHED_SPEEDUP:.0f}x",
            status("cached_speedup"),
        ),
    ]
    header = ("metric", "value", "target", "status")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    print()
    print(f"newsdesk annotate benchmark (batch size {results.batch_size}, {results.rounds} rounds)")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print()
    print(
        "per round (s):  "
        + "; ".join(f"bare {r['bare']:.1f} / cold {r['cold']:.1f}" for r in results.round_seconds)
    )
    ratio_flag = "" if results.met["docs_over_bare"] else " MISSED"
    speedup_flag = "" if results.met["cached_speedup"] else " MISSED"
    print(
        f"load {results.load_articles_per_s:.1f} articles/s"
        f" | docs/bare {results.docs_over_bare:.2f}{ratio_flag}"
        f" | cached speed-up {results.cached_speedup:.1f}x{speedup_flag}"
        f" | n={results.n}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the report, optionally write JSON; always 0 unless it cannot run."""
    args = parse_args(argv)
    overall = time.perf_counter()
    results = run(args)
    report(results)
    print(f"(whole run {time.perf_counter() - overall:.0f} s)", file=sys.stderr)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
