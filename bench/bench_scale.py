"""Benchmark: ``newsdesk annotate`` at scale, and the notebooks on a store.

Prints four figures and their targets:

1. throughput of the whole annotate on one worker (load, strip, parse, quotes, dates, entities,
   writing the store; the local engine in this process, model already loaded) relative to a bare
   ``nlp.pipe`` over the same raw texts (target >= 0.80), one figure for each engine. The machine's
   speed drifts within minutes, so every annotate run is bracketed by a bare parse just before and
   just after it (bare, local, bare, local, ... for ``--rounds`` rounds; then the same with a
   one-worker and a two-worker Dask cluster), its ratio is the mean of those two bare times over its
   own time, and the figure is the median of the rounds' ratios. The local engine runs with no
   cluster in the process, as a user runs it;
2. the speed-up of two Dask workers over one (target >= 1.5x on two cores): the ratio of their
   median ratios to the bare parse;
3. peak memory (summed RSS of the process tree: driver, nannies, workers) of ``newsdesk annotate``
   on N_LARGE articles over N_SMALL articles (target <= 1.3x), both on a two-worker local cluster;
4. the time of each notebook on the stores of N_SMALL and N_LARGE articles (target < 60 s each),
   executed with papermill with the store as their ``store`` parameter.

The articles are generated at run time from the page dumps in ``../shared/eval/boilerplate/`` (dev and
train, gzip JSONL): a few hundred words of each page's main text (a window that differs per copy),
one sentence with an attributed quote and one with dates written in, the page's own navigation lines
above and footer lines below, the page's site as outlet and a publication date for nine in ten. They
live in a temporary folder and are never copied into the repository.

Usage (from the project root)::

    .venv/bin/python bench/bench_scale.py                # full run: about 15-25 minutes on 2 cores
    .venv/bin/python bench/bench_scale.py --quick        # small sizes, a few minutes
    .venv/bin/python bench/bench_scale.py --skip-notebooks --json /tmp/scale.json

A benchmark, not a test: the exit code is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import gzip
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psutil

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    PROJECT_ROOT.parent / "shared" / "eval" / "boilerplate" / f"{n}.jsonl.gz" for n in ("dev", "train")
]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
TARGET_ONE_WORKER = 0.80
TARGET_TWO_WORKERS = 1.5
TARGET_MEMORY = 1.3
TARGET_NOTEBOOK_S = 60.0
BATCH_SIZE = 16
SEED = 20250331

NAMES = [
    ("Maria Lopez", "spokeswoman", "the city council"),
    ("James Carter", "chief executive", "Northwind Logistics"),
    ("Aiko Tanaka", "minister", "the trade ministry"),
    ("Peter Novak", "analyst", "Danube Capital"),
    ("Fatima Haddad", "director", "the regional health authority"),
    ("Lars Eriksen", "professor", "the University of Bergen"),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "September", "October"]
QUOTE_TEMPLATES = [
    '"{claim}," {name}, {role} at {org}, said on {weekday}.',
    "{name}, {role} at {org}, told reporters on {weekday} that {clause}.",
    '"{claim}," {surname} said. "We expect to know more by {month}."',
    "According to {org}, {clause}.",
]
DATE_TEMPLATES = [
    "The announcement came {n} days after {org} said on {month} {day} that it would review the plan.",
    "A first review is due in {month}, and {org} will publish its findings next week.",
    "Last year the figure was lower, {org} said in a statement on {weekday}.",
]


# --- articles -------------------------------------------------------------------------------------------


def read_pages(sources: Sequence[Path]) -> list[dict[str, str]]:
    """Pages with a dump and a main text of at least 150 words, from the gzip JSONL files."""
    pages = []
    for source in sources:
        with gzip.open(source, "rt", encoding="utf-8") as stream:
            for line in stream:
                record = json.loads(line) if line.strip() else {}
                if record.get("dump") and len(str(record.get("gold", "")).split()) >= 150:
                    pages.append(
                        {k: str(record.get(k) or "") for k in ("id", "url", "title", "dump", "gold")}
                    )
    return pages


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.split()) >= 8]


def _chrome(dump: str, rng: random.Random) -> tuple[list[str], list[str]]:
    lines = [line.strip() for line in dump.splitlines() if line.strip() and len(line.strip()) <= 90]
    return lines[: rng.randint(4, 12)], lines[-rng.randint(4, 10) :]


def generate(pages: list[dict[str, str]], n: int, seed: int = SEED) -> list[dict[str, str]]:
    """``n`` short articles; copy ``k`` of a page takes a window of its text starting further on."""
    rng = random.Random(seed)
    order = list(range(len(pages)))
    rng.shuffle(order)
    articles = []
    for index in range(n):
        page = pages[order[index % len(order)]]
        copy = index // len(order)
        paragraphs = _paragraphs(page["gold"]) or [page["gold"]]
        start = (copy * 3 + rng.randrange(2)) % len(paragraphs)
        target = rng.randint(250, 420)
        window: list[str] = []
        while sum(len(p.split()) for p in window) < target and len(window) < len(paragraphs):
            window.append(paragraphs[(start + len(window)) % len(paragraphs)])
        sentences = re.split(r"(?<=[.!?])\s+", rng.choice(window))
        claim = " ".join(sentences[0].split()[:25]).rstrip(".,;:")
        name, role, org = rng.choice(NAMES)
        fill = {
            "claim": claim,
            "clause": claim[:1].lower() + claim[1:],
            "name": name,
            "surname": name.split()[-1],
            "role": role,
            "org": org,
            "weekday": rng.choice(WEEKDAYS),
            "month": rng.choice(MONTHS),
            "day": rng.randint(1, 28),
            "n": rng.randint(2, 9),
        }
        window.insert(rng.randint(1, len(window)), rng.choice(QUOTE_TEMPLATES).format(**fill))
        window.insert(rng.randint(1, len(window)), rng.choice(DATE_TEMPLATES).format(**fill))
        head, tail = _chrome(page["dump"], rng)
        title = page["title"] or window[0][:70]
        title = title if copy == 0 else f"{title} ({rng.choice(['update', 'analysis', 'explainer'])} {copy})"
        text = "\n".join([*head, "", title, "", "\n\n".join(window), "", *tail]) + "\n"
        published = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(640))
        articles.append(
            {
                "id": f"a{index:05d}",
                "outlet": urlparse(page["url"]).netloc.removeprefix("www."),
                "url": page["url"],
                "published": published.isoformat() if rng.random() >= 0.1 else "",
                "text": text,
            }
        )
    return articles


def write_corpus(articles: Sequence[dict[str, str]], folder: Path) -> Path:
    """One ``.txt`` per article and an ``articles.csv`` manifest (language left to detection)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "articles.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "file", "outlet", "url", "published"])
        for article in articles:
            name = f"{article['id']}.txt"
            (folder / name).write_text(article["text"], encoding="utf-8")
            writer.writerow([article["id"], name, article["outlet"], article["url"], article["published"]])
    return folder


# --- measurements ---------------------------------------------------------------------------------------


def timed(action: Any) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def load() -> float:
    return round(os.getloadavg()[0], 2)


def tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a child that has just ended
            total += member.memory_info().rss
    return total


def run_measured(command: list[str], env: dict[str, str], interval: float = 0.1) -> dict[str, float]:
    """Run ``command``: seconds, peak RSS of its process tree, of the process itself and of its largest
    child (a Dask worker) in MB, and the exit code."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        watched = psutil.Process(child.pid)
        peaks = {"tree": 0, "driver": 0, "worker": 0}
        while child.poll() is None:
            with contextlib.suppress(psutil.Error):
                peaks["tree"] = max(peaks["tree"], tree_rss(watched))
                peaks["driver"] = max(peaks["driver"], watched.memory_info().rss)
                for member in watched.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        peaks["worker"] = max(peaks["worker"], member.memory_info().rss)
            time.sleep(interval)
        if child.wait() != 0:
            errors.seek(0)
            print(errors.read().decode(errors="replace")[-2000:], file=sys.stderr)
    return {
        "seconds": round(time.perf_counter() - start, 1),
        **{f"peak_{k}_mb": round(v / 2**20, 1) for k, v in peaks.items()},
        "exit_code": child.returncode,
    }


def store_parameters(notebook: Path, store: Path) -> dict[str, Any]:
    """The papermill parameters that run ``notebook`` on ``store`` (its ``store`` parameter)."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    if "store" not in declared:
        raise ValueError(f"{notebook.name} does not take a store parameter")
    # The stores are annotated with --infer-dates missing: inferring every date would parse every text.
    parameters: dict[str, Any] = {"infer_all": False} if "infer_all" in declared else {}
    return {**parameters, "store": str(store)}


def notebook_times(store: Path, scratch: Path, timeout: int) -> dict[str, float | str]:
    """Seconds per notebook (kernel start included) on ``store``, or the error that stopped it."""
    import papermill

    times: dict[str, float | str] = {}
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        try:
            parameters = store_parameters(notebook, store)
            seconds, _ = timed(
                lambda notebook=notebook, parameters=parameters, output=scratch / notebook.name: (
                    papermill.execute_notebook(
                        str(notebook),
                        str(output),
                        parameters=parameters,
                        cwd=str(NOTEBOOKS),
                        progress_bar=False,
                        execution_timeout=timeout,
                        extra_arguments=["--IPKernelApp.log_level=ERROR"],
                    )
                )
            )
            times[notebook.stem] = round(seconds, 1)
        except Exception as exc:  # report and go on with the next notebook
            times[notebook.stem] = f"failed: {type(exc).__name__}: {str(exc).strip().splitlines()[-1][:160]}"
        print(f"  {notebook.stem}: {times[notebook.stem]}", flush=True)
    return times


@dataclass
class Results:
    """Every figure printed (and written with ``--json``)."""

    n_throughput: int
    n_small: int
    n_large: int
    raw_words: float = 0.0
    bare_seconds: list[float] = field(default_factory=list)
    #: Bare parses, in order: one before each phase's first run and one after each run.
    local_rounds: list[float] = field(default_factory=list)
    round_ratios: list[float] = field(default_factory=list)
    dask1_rounds: list[float] = field(default_factory=list)
    dask1_ratios: list[float] = field(default_factory=list)
    dask2_rounds: list[float] = field(default_factory=list)
    dask2_ratios: list[float] = field(default_factory=list)
    local_seconds: float = 0.0
    dask1_seconds: float = 0.0
    dask2_seconds: float = 0.0
    local_over_bare: float = 0.0
    dask1_over_bare: float = 0.0
    two_over_one: float = 0.0
    memory: dict[str, dict[str, float]] = field(default_factory=dict)
    memory_ratio: float = 0.0
    notebooks: dict[str, dict[str, float | str]] = field(default_factory=dict)
    load_average: dict[str, float] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)


def throughput(
    args: argparse.Namespace, articles: list[dict[str, str]], scratch: Path, results: Results
) -> None:
    """Figures 1 and 2, in this process."""
    from distributed import Client

    import newsdesk
    from newsdesk.store.annotate import annotate
    from newsdesk.store.engines import local_cluster

    folder = write_corpus(articles, scratch / "throughput")
    warm = write_corpus(articles[:3], scratch / "warm")
    texts = [a["text"] for a in articles]
    language = newsdesk.nlp()
    list(language.pipe(texts[:3]))
    annotate(warm, scratch / "warm-store", cache_dir=scratch / "warm-cache", progress=False)

    def bare() -> int:
        return sum(len(doc) for doc in language.pipe(texts, batch_size=BATCH_SIZE))

    def whole(name: str, **options: Any) -> float:
        seconds, summary = timed(
            lambda: annotate(
                folder,
                scratch / f"store-{name}",
                cache_dir=scratch / f"cache-{name}",
                progress=False,
                **options,
            )
        )
        assert summary.complete and summary.n_annotated == len(articles), summary
        print(f"  {name}: {seconds:.1f} s ({len(articles) / seconds:.2f} articles/s)", flush=True)
        return seconds

    def warm_cluster(workers: int, client: Any) -> None:
        annotate(
            warm,
            scratch / f"warm-store-{workers}",
            engine="dask",
            client=client,
            cache_dir=scratch / "warm-cache",
            progress=False,
        )

    def time_bare() -> float:
        results.bare_seconds.append(timed(bare)[0])
        print(f"  bare: {results.bare_seconds[-1]:.1f} s", flush=True)
        return results.bare_seconds[-1]

    def phase(label: str, **options: Any) -> tuple[list[float], list[float]]:
        """``--rounds`` annotate runs, each between two bare parses: their times, and per run the mean
        of the two bare times over its own."""
        seconds: list[float] = []
        ratios: list[float] = []
        before = time_bare()
        for number in range(1, args.rounds + 1):
            print(f"{label} round {number}/{args.rounds}, then a bare parse ...", flush=True)
            seconds.append(whole(f"{label}-{number}", **options))
            after = time_bare()
            ratios.append((before + after) / 2 / seconds[-1])
            before = after
        return seconds, ratios

    results.load_average["throughput_start"] = load()
    # The machine's speed drifts by 10% and more within minutes: every annotate run sits between two
    # bare parses and is compared with their mean; the figures are medians of the rounds' ratios. The
    # local engine runs with no cluster in this process (a live scheduler's threads slow it by ~10%).
    results.local_rounds, results.round_ratios = phase("local")
    with local_cluster(1) as cluster, Client(cluster) as client:
        warm_cluster(1, client)
        results.dask1_rounds, results.dask1_ratios = phase("dask1", engine="dask", client=client)
    with local_cluster(2) as cluster, Client(cluster) as client:
        warm_cluster(2, client)
        results.dask2_rounds, results.dask2_ratios = phase("dask2", engine="dask", client=client)
    results.load_average["throughput_end"] = load()
    results.local_seconds = statistics.median(results.local_rounds)
    results.dask1_seconds = statistics.median(results.dask1_rounds)
    results.dask2_seconds = statistics.median(results.dask2_rounds)
    results.local_over_bare = statistics.median(results.round_ratios)
    results.dask1_over_bare = statistics.median(results.dask1_ratios)
    # throughputs relative to the bare parse beside them, so the drift between phases cancels
    results.two_over_one = statistics.median(results.dask2_ratios) / results.dask1_over_bare


def memory(
    pages: list[dict[str, str]], args: argparse.Namespace, scratch: Path, results: Results
) -> dict[int, Path]:
    """Figure 3: ``newsdesk annotate`` in a subprocess, two workers, for the small and the large corpus."""
    stores = {}
    articles = generate(pages, args.n_large)
    for n in (args.n_small, args.n_large):
        folder = write_corpus(articles[:n], scratch / f"corpus-{n}")
        store = scratch / f"store-{n}"
        env = {**os.environ, "NEWSDESK_CACHE_DIR": str(scratch / f"cache-{n}")}
        command = [
            sys.executable,
            "-m",
            "newsdesk",
            "annotate",
            "--data",
            str(folder),
            "--store",
            str(store),
            "--engine",
            "dask",
            "--workers",
            "2",
            "--no-progress",
        ]
        print(f"annotate {n} articles (2 workers) ...", flush=True)
        before = load()
        figures = run_measured(command, env)
        results.memory[str(n)] = {
            **figures,
            "articles_per_s": round(n / figures["seconds"], 2),
            "load_before": before,
            "load_after": load(),
        }
        print(f"  {results.memory[str(n)]}", flush=True)
        stores[n] = store
    small, large = results.memory[str(args.n_small)], results.memory[str(args.n_large)]
    results.memory_ratio = large["peak_tree_mb"] / small["peak_tree_mb"]
    return stores


def report(results: Results) -> None:
    def status(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    bare = ", ".join(f"{s:.1f}" for s in results.bare_seconds)
    rows = [
        (
            "articles (throughput)",
            f"{results.n_throughput}, {results.raw_words:.0f} words each on average",
            "",
            "",
        ),
        ("bare nlp.pipe (s)", bare, "", ""),
        ("annotate, local engine (s)", ", ".join(f"{s:.1f}" for s in results.local_rounds), "", ""),
        ("bare (both sides) / local, per round", ", ".join(f"{r:.3f}" for r in results.round_ratios), "", ""),
        ("annotate, Dask 1 worker (s)", ", ".join(f"{s:.1f}" for s in results.dask1_rounds), "", ""),
        (
            "bare (both sides) / Dask 1, per round",
            ", ".join(f"{r:.3f}" for r in results.dask1_ratios),
            "",
            "",
        ),
        ("annotate, Dask 2 workers (s)", ", ".join(f"{s:.1f}" for s in results.dask2_rounds), "", ""),
        (
            "bare (both sides) / Dask 2, per round",
            ", ".join(f"{r:.3f}" for r in results.dask2_ratios),
            "",
            "",
        ),
    ]
    if results.local_seconds:
        rows += [
            (
                "one worker / bare (local, median of rounds)",
                f"{results.local_over_bare:.2f}",
                f">= {TARGET_ONE_WORKER}",
                status(results.local_over_bare >= TARGET_ONE_WORKER),
            ),
            (
                "one worker / bare (Dask, median of rounds)",
                f"{results.dask1_over_bare:.2f}",
                f">= {TARGET_ONE_WORKER}",
                status(results.dask1_over_bare >= TARGET_ONE_WORKER),
            ),
            (
                "2 workers / 1 worker (medians of the ratios to bare)",
                f"{results.two_over_one:.2f}x",
                f">= {TARGET_TWO_WORKERS}x",
                status(results.two_over_one >= TARGET_TWO_WORKERS),
            ),
        ]
    for n, figures in results.memory.items():
        rows.append(
            (
                f"annotate {n} (2 workers)",
                f"{figures['seconds']} s, {figures['articles_per_s']} articles/s, "
                f"peak {figures['peak_tree_mb']} MB (driver {figures['peak_driver_mb']}, "
                f"largest worker {figures['peak_worker_mb']})",
                "",
                "",
            )
        )
    if results.memory:
        rows.append(
            (
                "peak memory large / small",
                f"{results.memory_ratio:.2f}x",
                f"<= {TARGET_MEMORY}x",
                status(results.memory_ratio <= TARGET_MEMORY),
            )
        )
    for n, times in results.notebooks.items():
        for name, value in times.items():
            ok = isinstance(value, float) and value < TARGET_NOTEBOOK_S
            shown = f"{value:.1f}" if isinstance(value, float) else value
            rows.append((f"{name} on {n} articles (s)", shown, f"< {TARGET_NOTEBOOK_S:.0f}", status(ok)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print("\nnewsdesk scale benchmark")
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"load average (1 min): {results.load_average}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n-throughput", type=int, default=300, help="articles for figures 1-2 (default 300)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="annotate runs per engine for figures 1-2, each between two bare parses (default 3)",
    )
    parser.add_argument("--n-small", type=int, default=400, help="small corpus for figures 3-4 (default 400)")
    parser.add_argument(
        "--n-large", type=int, default=4000, help="large corpus for figures 3-4 (default 4000)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (60 / 40 / 200) to try the script")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-memory", action="store_true", help="also skips the notebooks")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--notebook-timeout", type=int, default=900, help="seconds per notebook cell at most")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the generated corpora and stores here (default: a temporary folder)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.n_throughput, args.n_small, args.n_large = 60, 40, 200
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    missing = [str(s) for s in SOURCES if not s.is_file()]
    if missing:
        raise SystemExit(f"page dumps not found: {', '.join(missing)}")
    pages = read_pages(SOURCES)
    print(f"{len(pages)} pages to generate articles from", flush=True)
    results = Results(args.n_throughput, args.n_small, args.n_large)
    results.load_average["start"] = load()
    with contextlib.ExitStack() as stack:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=False)
            scratch = args.workdir.resolve()
        else:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsdesk-scale-")))
        os.environ["NEWSDESK_CACHE_DIR"] = str(scratch / "cache")
        articles = generate(pages, args.n_throughput)
        results.raw_words = sum(len(a["text"].split()) for a in articles) / len(articles)
        if not args.skip_throughput:
            throughput(args, articles, scratch, results)
        if not args.skip_memory:
            stores = memory(pages, args, scratch, results)
            if not args.skip_notebooks:
                for n, store in stores.items():
                    print(f"notebooks on the store of {n} articles ...", flush=True)
                    out = scratch / f"notebooks-{n}"
                    out.mkdir()
                    results.notebooks[str(n)] = notebook_times(store, out, args.notebook_timeout)
    results.load_average["end"] = load()
    import spacy

    import newsdesk

    results.environment = {
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "newsdesk": newsdesk.__version__,
        "cpus": str(os.cpu_count()),
    }
    report(results)
    if args.json:
        args.json.write_text(json.dumps(asdict(results), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
