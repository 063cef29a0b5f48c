"""``newsdesk annotate``: annotate a corpus folder into a Parquet store, in-process or on a Dask cluster.

A run (the *driver*):

1. loads the corpus, resolves its outlets and strips it (:func:`newsdesk.load_corpus`,
   :func:`~newsdesk.metadata.resolve.resolve_outlets`, ``strip_corpus(corpus)``: the article-level
   decisions come from the disk cache, then the corpus-level passes find near-duplicate articles and
   lines repeated across a site). These passes run first, over the whole corpus, because the body
   that every later step parses depends on them; their small result tables go into the snapshot. A
   Dask cluster starts and warms its workers up (:func:`~.engines.warm_up`) while the corpus loads,
   and infers the missing publication dates (:func:`~.planner.date_batches`, which need only the
   loaded texts) while it is stripped;
2. keys each article by its *unit* (article id, text hash, stripped lines and body, manifest date and
   the version of every step); units already in a committed batch of the store are skipped;
3. cuts the rest into batches in corpus order (:mod:`.planner`). Each batch is one task,
   :func:`~.task.annotate_batch`: parse the bodies (the spaCy pipeline is loaded once per worker
   process), infer the publication date where the manifest has none, run every registered step
   (:mod:`newsdesk.extract.registry`) and keep each parsed Doc (spaCy's DocBin); the task writes its
   parts and then its commit marker straight into the store.
   Lexicon matches have their own key, the *match unit* (the unit and the lexicon's hash): after an
   edit of the framing lexicons only they are redone, on the stored Docs;
4. when every batch is committed, writes the snapshot (article metadata, load problems, the
   corpus-level tables, the corpus's ``lexicons/`` folder) and makes it current, then deletes batches
   no snapshot uses.

Computed when the store is read, never stored: canonical speakers, quote ids and their spread, the
timeline and its conflicts (they change whenever any article does, and are cheap).

Engines (:mod:`.engines`): ``local`` runs the tasks one after another in this process; ``dask``
submits them to a ``distributed`` cluster (a ``LocalCluster`` of ``workers`` single-threaded
processes, or the scheduler at ``scheduler``), at most two tasks per worker in flight so the driver's
memory stays flat.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from newsdesk.core.progress import show_progress
from newsdesk.extract.lexicons import read_term_lexicon
from newsdesk.ingest.paths import settings_file
from newsdesk.metadata.resolve import resolve_outlets
from newsdesk.store.engines import DEFAULT_CONNECT_TIMEOUT, DaskEngine, LocalEngine
from newsdesk.store.format import (
    committed_batches,
    remove_uncommitted,
    vacuum,
    write_snapshot,
    writer_lock,
)
from newsdesk.store.planner import ArticleViews, date_batches, make_batches, plan
from newsdesk.store.task import AnnotateError, BatchTimeout
from newsdesk.store.versions import FORMAT_VERSION, version_key
from newsdesk.stripping.corpus import SiteSettings, strip_corpus

logger = logging.getLogger(__name__)

ENGINES = ("local", "dask")
INFER_MODES = ("missing", "all")
DEFAULT_BATCH_SIZE = 25
#: Seconds one batch may take (about 1 s per article is usual; raise it for much larger batches).
DEFAULT_BATCH_TIMEOUT = 600.0
#: With ``progress=None`` the bar is shown when at least this many articles are annotated.
PROGRESS_MIN_ITEMS = 20




# --- the run --------------------------------------------------------------------------------------------


@dataclass
class AnnotateSummary:
    """What one ``annotate`` run did."""

    store: Path
    n_articles: int
    n_annotated: int
    n_dates: int
    n_unchanged: int
    n_batches: int
    #: Articles not annotated again whose framing lexicon matches were redone (a lexicon changed).
    n_rematched: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: Batches that ran over their time budget, with their article ids (they are among ``failures``).
    over_budget: list[tuple[str, list[str]]] = field(default_factory=list)
    snapshot: str | None = None
    seconds: float = 0.0
    removed_uncommitted: int = 0
    deleted_batches: int = 0
    tokens: int = 0

    @property
    def complete(self) -> bool:
        return not self.failures and self.snapshot is not None

    def __str__(self) -> str:
        done = (
            f"{self.n_annotated} article(s) annotated, {self.n_unchanged} unchanged"
            + (f", {self.n_dates} date(s) inferred" if self.n_dates else "")
            + (f", {self.n_rematched} matched against changed lexicons" if self.n_rematched else "")
            + f" ({self.n_batches} batch(es), {self.seconds:.1f} s)"
        )
        if self.failures:
            late = ""
            if self.over_budget:
                ids = [article for _, articles in self.over_budget for article in articles]
                shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
                late = f" ({len(self.over_budget)} over the time budget, articles {shown})"
            return (
                f"{done}; {len(self.failures)} batch(es) FAILED{late}, the store was not updated: "
                "rerun to retry"
            )
        return f"{done}; store {self.store} at snapshot {self.snapshot}"


def _engine(
    engine: str, scheduler: str | None, workers: int | None, client: Any, connect_timeout: float
) -> LocalEngine | DaskEngine:
    if engine not in ENGINES:
        raise AnnotateError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if workers is not None and workers < 1:
        raise AnnotateError("workers must be at least 1")
    if engine == "local":
        if scheduler or client is not None:
            raise AnnotateError("a scheduler address needs --engine dask")
        if workers not in (None, 1):
            raise AnnotateError("the local engine runs one worker; use --engine dask for more")
        return LocalEngine()
    if scheduler and workers is not None:
        raise AnnotateError(
            "--workers starts a local cluster; with --scheduler the cluster has its own workers"
        )
    return DaskEngine(scheduler=scheduler, workers=workers, client=client, connect_timeout=connect_timeout)


def no_articles_message(data: str | Path, problems: pd.DataFrame, shown: int = 3) -> str:
    """Why a corpus has no article to annotate: nothing found, or every file refused (the first reasons)."""
    errors = problems[problems["severity"] == "error"] if "severity" in problems.columns else problems
    if errors.empty:
        return f"{data}: no articles to annotate (no text files found)"
    reasons = [f"{row.file}: {row.message}" for row in errors.head(shown).itertuples(index=False)]
    more = f"; and {len(errors) - shown} more" if len(errors) > shown else ""
    return (
        f"{data}: no usable articles to annotate, {len(errors)} file(s) refused ({'; '.join(reasons)}{more})"
    )


def _lexicon_files(data_root: Path) -> dict[str, bytes]:
    """The corpus's ``lexicons/`` folder (speaker aliases, framing terms ...), kept with the snapshot."""
    folder = data_root / "lexicons"
    if not folder.is_dir():
        return {}
    files = [
        path
        for path in sorted(folder.rglob("*"))
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    found = [(path, settings_file(path, data_root)) for path in files]  # outside the corpus: CorpusError
    return {
        f"lexicons/{path.relative_to(folder).as_posix()}": inside.read_bytes()
        for path, inside in found
        if inside is not None
    }


def annotate(
    data: str | Path,
    store: str | Path,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    infer_dates: str = "missing",
    progress: bool | None = None,
    cache_dir: str | Path | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    batch_timeout: float | None = DEFAULT_BATCH_TIMEOUT,
    allow_outside: bool = False,
) -> AnnotateSummary:
    """Annotate the corpus at ``data`` into the store at ``store``: only new or changed articles.

    Args:
        engine: ``"local"`` (this process) or ``"dask"``.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``); default a LocalCluster.
        workers: worker processes of the LocalCluster (one thread each; default: the cores).
        client: an existing ``distributed.Client`` to use instead (the caller closes it).
        batch_size: articles per task (and per part file).
        infer_dates: infer publication dates from the text only where the manifest has none
            (``"missing"``), or for every article (``"all"``, for checking inference against the
            manifest; it parses each text a second time).
        progress: show progress bars (default: when there is enough to do).
        cache_dir: the disk cache the driver strips through (default: as for ``load_corpus``).
        connect_timeout: seconds to wait for the Dask scheduler at ``scheduler`` to answer.
        batch_timeout: seconds one batch may take (None: no limit). A batch over it is not committed
            and is reported in ``summary.over_budget`` with its article ids; the time is checked after
            each article, and on Dask a batch that never finishes is cancelled once no batch has
            finished for that long.
        allow_outside: let the manifest and links name article files outside the corpus folder.

    Returns:
        The run's summary; ``summary.complete`` is False when a batch failed (nothing else is lost:
        committed batches stay, and a rerun does only what is missing).

    Raises:
        AnnotateError: for bad arguments, a corpus without usable articles, a Dask scheduler that
            cannot be reached, or workers that run other versions than each other.
        StoreError: when another run holds the store's lock, or ``store`` is a file or cannot be
            written.
        KeyboardInterrupt: passed on after the engine has stopped; committed batches stay.
    """
    from newsdesk.ingest.corpus import load_corpus

    if batch_size < 1:
        raise AnnotateError("batch_size must be at least 1")
    if batch_timeout is not None and not batch_timeout > 0:
        raise AnnotateError("batch_timeout must be a positive number of seconds (or None for no limit)")
    if infer_dates not in INFER_MODES:
        raise AnnotateError(f"infer_dates must be one of {', '.join(INFER_MODES)}, not {infer_dates!r}")
    runner = _engine(engine, scheduler, workers, client, connect_timeout)
    started = time.perf_counter()
    root = Path(store).expanduser().resolve()
    with writer_lock(root), runner:  # a Dask cluster starts meanwhile (see DaskEngine)
        removed = remove_uncommitted(root)
        corpus = load_corpus(data, cache_dir=cache_dir, progress=progress, allow_outside=allow_outside)
        if corpus.articles.empty:
            raise AnnotateError(no_articles_message(data, corpus.problems))
        lexicon = read_term_lexicon(Path(corpus.root) / "lexicons")  # as framing.collect reads it
        versions = runner.versions()
        version = version_key(versions)
        # Inferring dates needs only the loaded texts: on Dask these tasks run while the driver strips.
        early = date_batches(
            corpus, versions, committed_batches(root), batch_size, version, infer_dates=infer_dates
        )
        dated = runner.run(str(root), early, in_flight=len(early), budget=batch_timeout)
        settings = SiteSettings()
        # Outlets (manifest, URL, the site's own chrome) decide which articles' lines are one site's.
        corpus = resolve_outlets(corpus, progress=progress)
        strip_corpus(corpus, settings, progress=progress)
        inferred: dict[str, tuple[str | None, str, float]] = {}
        for batch, outcome in dated:
            if isinstance(outcome, BaseException):  # its dates are inferred again with the annotation
                logger.warning("batch %s of dates failed: %s", batch.batch_id, outcome)
            else:
                inferred.update(outcome["inferred"])
        articles = ArticleViews(corpus)
        work = plan(
            corpus,
            version,
            versions,
            committed_batches(root),
            infer_dates=infer_dates,
            lexicon_fingerprint=lexicon.fingerprint,
            articles=articles,
        )
        batches = make_batches(
            corpus, work, batch_size, version, lexicon=lexicon, articles=articles, inferred=inferred
        )
        n_batches = len(early) + -(-len(work.todo) // batch_size)
        failures: list[tuple[str, str]] = []
        over_budget: list[tuple[str, list[str]]] = []
        tokens = 0
        show = show_progress(progress, len(work.todo), PROGRESS_MIN_ITEMS)
        with tqdm(total=len(work.todo), desc="Annotating", unit="article", disable=not show) as bar:
            for batch, outcome in runner.run(str(root), batches, budget=batch_timeout):
                if isinstance(outcome, BaseException):
                    failures.append((batch.batch_id, f"{type(outcome).__name__}: {outcome}"))
                    logger.error("batch %s failed: %s", batch.batch_id, outcome)
                    if isinstance(outcome, BatchTimeout):
                        over_budget.append((batch.batch_id, outcome.article_ids))
                else:
                    tokens += int(outcome["tokens"])
                bar.update(len(batch.items))
        summary = AnnotateSummary(
            store=root,
            n_articles=len(corpus.articles),
            n_annotated=work.n_annotate,
            n_dates=len(inferred) + work.n_dates,
            n_unchanged=len(corpus.articles) - work.n_annotate,
            n_batches=n_batches,
            n_rematched=work.n_rematched,
            failures=failures,
            over_budget=over_budget,
            removed_uncommitted=removed,
            tokens=tokens,
        )
        if not failures:
            summary.snapshot = _finish(
                root, corpus, work.keys, versions, version, settings, infer_dates, lexicon.fingerprint
            )
            summary.deleted_batches = vacuum(root)
    summary.seconds = time.perf_counter() - started
    return summary


def _finish(
    root: Path,
    corpus: Any,
    keys: pd.DataFrame,
    versions: dict[str, str],
    version: str,
    settings: SiteSettings,
    infer_dates: str,
    lexicon_fingerprint: str,
) -> str:
    """The final pass: the snapshot of the corpus as now annotated, made current."""
    batch_of: dict[str, str] = {}
    date_batch_of: dict[str, str] = {}
    match_batch_of: dict[str, str] = {}
    for batch_id, marker in sorted(committed_batches(root).items()):
        for unit in marker["units"]:
            batch_of.setdefault(unit, batch_id)
        for unit in marker["date_units"]:
            date_batch_of.setdefault(unit, batch_id)
        for unit in marker.get("match_units", []):
            match_batch_of.setdefault(unit, batch_id)
    missing = [u for u in keys["unit"] if u not in batch_of]
    missing += [u for u in keys["match_unit"].dropna() if u not in match_batch_of]
    if missing:  # every batch reported success, so this is a store changed under the run
        raise AnnotateError(f"{len(missing)} article(s) have no committed batch; rerun to annotate them")
    index = corpus.articles.drop(columns=["text"]).assign(
        unit=keys["unit"].to_numpy(),
        batch=keys["unit"].map(batch_of).to_numpy(),
        date_unit=keys["date_unit"].to_numpy(),
        date_batch=keys["date_unit"].map(date_batch_of).to_numpy(),
        match_unit=keys["match_unit"].to_numpy(),
        match_batch=keys["match_unit"].map(match_batch_of).to_numpy(),
    )
    index["date_unit"] = index["date_unit"].where(index["date_batch"].notna(), None)
    stripping = strip_corpus(corpus, settings)
    meta = {
        "format": FORMAT_VERSION,
        "versions": versions,
        "version": version,
        "settings": asdict(settings),
        "data_root": str(corpus.root),
        "infer_dates": infer_dates,
        # The hash of the framing lexicons the stored matches were found with (lexicons/ over defaults).
        "framing_lexicon": lexicon_fingerprint,
        "n_articles": len(index),
        # Parquet has no second-resolution timestamps: readers restore each datetime column's unit.
        "datetime_units": {
            name: {c: str(t) for c, t in frame.dtypes.items() if pd.api.types.is_datetime64_dtype(t)}
            for name, frame in (("articles", index), ("problems", corpus.problems))
        },
    }
    frames = {
        "articles": index,
        "problems": corpus.problems,
        "duplicates": stripping.duplicates,
        "repeated": stripping.repeated,
        "site_groups": stripping.site_groups,
    }
    return write_snapshot(root, frames, meta, _lexicon_files(Path(corpus.root)))
