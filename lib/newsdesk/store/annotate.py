"""``newsdesk annotate``: annotate a corpus folder into a Parquet store, in-process or on a Dask cluster.

A run (the *driver*):

1. loads the corpus and strips it (:func:`newsdesk.load_corpus`, ``strip_corpus(corpus)``: the
   article-level decisions come from the disk cache, then the corpus-level passes find near-duplicate
   articles and lines repeated across a site). These passes run first, over the whole corpus, because
   the body that every later step parses depends on them; their small result tables go into the
   snapshot. A Dask cluster starts and warms its workers up (:func:`warm_up`) while the corpus loads,
   and infers the missing publication dates (:func:`date_batches`, which need only the loaded texts)
   while it is stripped;
2. keys each article by its *unit* (article id, text hash, stripped lines and body, manifest date and
   the version of every step); units already in a committed batch of the store are skipped;
3. cuts the rest into batches in corpus order. Each batch is one task, :func:`annotate_batch`: parse
   the bodies (the spaCy pipeline is loaded once per worker process), then sentences, entities, quotes,
   quoted terms, the publication date where the manifest has none, timexes, and the framing frames
   (sentence tone and entities, matches of the corpus's framing lexicons), and keeps each parsed Doc
   (spaCy's DocBin); the task writes its parts and then its commit marker straight into the store.
   Lexicon matches have their own key, the *match unit* (the unit and the lexicon's hash): after an
   edit of the framing lexicons only they are redone, on the stored Docs;
4. when every batch is committed, writes the snapshot (article metadata, load problems, the
   corpus-level tables, the corpus's ``lexicons/`` folder) and makes it current, then deletes batches
   no snapshot uses.

Computed when the store is read, never stored: canonical speakers, quote ids and their spread, the
timeline and its conflicts (they change whenever any article does, and are cheap).

Engines: ``local`` runs the tasks one after another in this process; ``dask`` submits them to a
``distributed`` cluster (a ``LocalCluster`` of ``workers`` single-threaded processes, or the
scheduler at ``scheduler``), at most two tasks per worker in flight so the driver's memory stays flat.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from newsdesk.core.cache import content_hash
from newsdesk.extract.lexicons import TermLexicon, TermMatcher, read_term_lexicon
from newsdesk.extract.registry import StepInputs
from newsdesk.extract.steps import all_steps
from newsdesk.metadata.resolve import resolve_outlets
from newsdesk.store.tables import (
    REPEATED_REASON,
    committed_batches,
    lexicon_steps,
    read_part,
    remove_uncommitted,
    vacuum,
    write_batch,
    write_snapshot,
    writer_lock,
)
from newsdesk.store.versions import FORMAT_VERSION, current_versions, digest, version_key
from newsdesk.stripping.corpus import SiteSettings, strip_corpus

logger = logging.getLogger(__name__)

ENGINES = ("local", "dask")
INFER_MODES = ("missing", "all")
DEFAULT_BATCH_SIZE = 25
#: spaCy's ``nlp.pipe`` batch size inside a task.
PIPE_BATCH_SIZE = 16
#: Tasks in flight per Dask worker: enough to keep it busy, few enough to keep memory flat.
TASKS_PER_WORKER = 2
NOT_ENGLISH = "not-english"
BODY_FIELDS = ("title", "body", "n_lines", "n_lines_kept", "n_chars", "n_chars_kept")
#: With ``progress=None`` the bar is shown when at least this many articles are annotated.
PROGRESS_MIN_ITEMS = 20


class AnnotateError(RuntimeError):
    """A run that cannot start (bad arguments, workers of another version)."""


# --- what a task gets and does ----------------------------------------------------------------------------


@dataclass
class Item:
    """One article in a batch: its text and, for English articles, its final stripped lines and body."""

    article_id: str
    sha256: str
    status: str
    text: str
    #: The annotation to compute and write (None: already stored, only the date is wanted).
    unit: str | None
    #: The inferred publication date to write (None: not wanted, or already stored).
    date_unit: str | None
    #: The manifest's date (ISO day), which timexes are resolved against; None: infer it.
    given: str | None
    #: Final stripped lines, column -> array (``body_start`` -1 where a line is not in the body).
    lines: dict[str, np.ndarray] | None = None
    body: dict[str, Any] | None = None
    #: The framing lexicon matches to compute and write (None: not wanted, or already stored).
    match_unit: str | None = None
    #: (batch, unit) of the stored Doc to match when the article is not parsed again.
    stored_doc: tuple[str, str] | None = None
    #: The date inferred by an earlier task of the run (date, source, confidence): not inferred again.
    inferred: tuple[str | None, str, float] | None = None


@dataclass
class Batch:
    """One task: a few articles, the store version they are keyed with, the framing lexicon."""

    batch_id: str
    version: str
    items: list[Item]
    lexicon: TermLexicon | None = None


def _infer(text: str) -> tuple[str | None, str, float]:
    """:func:`newsdesk.infer_published` as the chronology stage calls it (never raises)."""
    from newsdesk.extract.pubdate import infer_published

    try:
        date, source, confidence = infer_published(text)
    except Exception:  # the inference never raises by contract; a batch must not fail if it does
        date, source, confidence = None, "none", 0.0
    return (date.isoformat() if date is not None else None), source, float(confidence)


def _to_text_offsets(
    lines: dict[str, np.ndarray], starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Body spans -> spans in the loaded text (as :func:`newsdesk.stripping.corpus.to_original_offsets`)."""
    in_body = lines["body_start"] >= 0
    body_starts = lines["body_start"][in_body]
    originals = lines["start"][in_body]
    if not len(body_starts):
        return np.full(len(starts), -1, dtype=np.int64), np.full(len(ends), -1, dtype=np.int64)

    def convert(offsets: np.ndarray) -> np.ndarray:
        index = np.clip(np.searchsorted(body_starts, offsets, side="right") - 1, 0, None)
        return originals[index] + (offsets - body_starts[index])

    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    return convert(starts), convert(ends - 1) + 1


class _Rows:
    """The per-article frames of one table in a batch, given their key columns in one go."""

    def __init__(self, *, spans: bool = True, key: str = "unit"):
        self.spans = spans
        self.key = key
        self.frames: list[pd.DataFrame] = []
        self.keys: list[tuple[str, str | None]] = []
        self.offsets: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, frame: pd.DataFrame, item: Item, lines: dict[str, np.ndarray]) -> None:
        if not len(frame):
            return
        self.frames.append(frame)
        self.keys.append((item.article_id, getattr(item, self.key)))
        if self.spans:
            starts, ends = frame["start"].to_numpy(np.int64), frame["end"].to_numpy(np.int64)
            self.offsets.append(_to_text_offsets(lines, starts, ends))

    def frame(self) -> pd.DataFrame:
        """All rows with ``article_id``, the key (``unit``), ``row`` (order within the article) and text
        offsets."""
        if not self.frames:
            return pd.DataFrame()
        lengths = [len(frame) for frame in self.frames]
        columns: dict[str, Any] = {
            "article_id": np.repeat([k[0] for k in self.keys], lengths),
            self.key: np.repeat([k[1] for k in self.keys], lengths),
            "row": np.concatenate([np.arange(n) for n in lengths]),
        }
        if self.spans:
            columns["text_start"] = np.concatenate([o[0] for o in self.offsets])
            columns["text_end"] = np.concatenate([o[1] for o in self.offsets])
        return pd.concat(self.frames, ignore_index=True).assign(**columns)


def _parses(item: Item) -> bool:
    """Whether the task parses this item's body."""
    return (
        item.unit is not None
        and item.status != NOT_ENGLISH
        and item.body is not None
        and item.lines is not None
    )


class _Batch:
    """Everything one task computes, table by table."""

    def __init__(self, matcher: TermMatcher | None = None) -> None:
        self.rows = {
            step.name: _Rows(spans=step.spans, key="match_unit" if step.needs_lexicon else "unit")
            for step in all_steps()
        }
        self.matcher = matcher
        self.lines: list[dict[str, np.ndarray]] = []
        self.articles: list[dict[str, Any]] = []
        self.pubdates: list[dict[str, Any]] = []
        self.docs: list[dict[str, Any]] = []
        self.inferred: dict[str, tuple[str | None, str, float]] = {}
        self.tokens = 0

    def add(self, item: Item, docs: Iterator[Any], stored: dict[str, Any]) -> None:
        """One article: its inferred date if wanted, and, if it is to be annotated, its parse and results;
        else its lexicon matches if wanted, on its stored Doc (``stored``: unit -> Doc)."""
        english = item.status != NOT_ENGLISH
        inferred = None
        if english and (item.date_unit is not None or (item.unit is not None and item.given is None)):
            inferred = item.inferred if item.inferred is not None else _infer(item.text)
            if item.date_unit is not None:
                self.inferred[item.date_unit] = inferred
                self.pubdates.append(
                    {
                        "article_id": item.article_id,
                        "date_unit": item.date_unit,
                        "sha256": item.sha256,
                        "inferred": inferred[0],
                        "inferred_source": inferred[1],
                        "confidence": inferred[2],
                    }
                )
        if item.unit is None:
            if item.match_unit is not None and item.stored_doc is not None and item.lines is not None:
                self._match(item, stored[item.stored_doc[1]], item.lines)
            return
        record: dict[str, Any] = {
            "article_id": item.article_id,
            "unit": item.unit,
            "sha256": item.sha256,
            "status": item.status,
            "text": item.text,
        }
        if _parses(item):
            record.update(self._parsed(item, next(docs), item.given or (inferred[0] if inferred else None)))
        self.articles.append(record)

    def _parsed(self, item: Item, doc: Any, date: str | None) -> dict[str, Any]:
        from spacy.tokens import DocBin

        assert item.body is not None and item.lines is not None
        body = item.body["body"]
        lines = item.lines
        self.tokens += len(doc)
        body_sha = content_hash(body)
        n_lines = len(lines["start"])
        self.lines.append(
            {
                **lines,
                "article_id": np.repeat(item.article_id, n_lines),
                "unit": np.repeat(item.unit, n_lines),
            }
        )
        self.docs.append(
            {
                "article_id": item.article_id,
                "unit": item.unit,
                "body_sha": body_sha,
                "doc": DocBin(docs=[doc], store_user_data=False).to_bytes(),
            }
        )
        computed: dict[str, pd.DataFrame] = {}
        for step in all_steps():
            if not step.needs_lexicon:
                computed[step.name] = step.compute(doc, StepInputs(date=date, frames=computed))
                self.rows[step.name].add(computed[step.name], item, lines)
        if item.match_unit is not None:
            self._match(item, doc, lines)
        return {
            "title": item.body["title"],
            "body": body,
            "n_lines": item.body["n_lines"],
            "n_lines_kept": item.body["n_lines_kept"],
            "n_chars_lines": item.body["n_chars"],
            "n_chars_kept": item.body["n_chars_kept"],
            "n_tokens": len(doc),
            "n_sentences": sum(1 for _ in doc.sents),
            "n_entities": len(doc.ents),
            "body_sha": body_sha,
            "effective_date": date,
        }

    def _match(self, item: Item, doc: Any, lines: dict[str, np.ndarray]) -> None:
        """The lexicon steps' rows of one article (on its fresh or its stored Doc)."""
        if self.matcher is None:
            raise AnnotateError("a batch asks for framing lexicon matches but carries no lexicon")
        for step in lexicon_steps():
            self.rows[step.name].add(step.compute(doc, StepInputs(matcher=self.matcher)), item, lines)

    def frames(self) -> dict[str, pd.DataFrame]:
        frames = {name: collected.frame() for name, collected in self.rows.items()}
        if self.lines:
            lines = pd.DataFrame({c: np.concatenate([part[c] for part in self.lines]) for c in self.lines[0]})
            starts = lines["body_start"].to_numpy()
            frames["lines"] = lines.assign(body_start=pd.array(np.where(starts >= 0, starts, None), "Int64"))
        frames["articles"] = pd.DataFrame.from_records(self.articles)
        frames["pubdates"] = pd.DataFrame.from_records(self.pubdates)
        frames["docs"] = pd.DataFrame.from_records(self.docs)
        return frames


def annotate_batch(store: str, batch: Batch) -> dict[str, Any]:
    """Annotate one batch and commit it to ``store`` (runs on a worker); a summary of what was done.

    Raises:
        AnnotateError: when this process runs other versions than the driver keyed the batch with.
    """
    from newsdesk.parsing.parse import _pipe_in_pieces
    from newsdesk.parsing.pipeline import nlp

    started = time.perf_counter()
    if version_key(current_versions()) != batch.version:
        raise AnnotateError(
            "this worker runs other versions of newsdesk, spaCy or the model than the driver: "
            f"{current_versions()}"
        )
    language = nlp()
    bodies = [i.body["body"] for i in batch.items if _parses(i) and i.body is not None]
    done = _Batch(_matcher(batch.lexicon) if batch.lexicon is not None else None)
    # The strings spaCy adds for this batch's words are freed after it: a worker's memory stays flat.
    with language.memory_zone():
        stored = _stored_docs(store, batch.items, language)
        docs = _pipe_in_pieces(language, iter(bodies), PIPE_BATCH_SIZE, 1)
        for item in batch.items:
            done.add(item, docs, stored)
    units = sorted(i.unit for i in batch.items if i.unit is not None)
    date_units = sorted(i.date_unit for i in batch.items if i.date_unit is not None)
    match_units = sorted(i.match_unit for i in batch.items if i.match_unit is not None)
    seconds = time.perf_counter() - started
    info = {
        "version": batch.version,
        "units": units,
        "date_units": date_units,
        "match_units": match_units,
        "tokens": done.tokens,
        "seconds": round(seconds, 3),
    }
    write_batch(store, batch.batch_id, done.frames(), info)
    return {
        "batch": batch.batch_id,
        "articles": len(batch.items),
        "annotated": len(units),
        "dates": len(date_units),
        "inferred": done.inferred,
        "matches": len(match_units),
        "tokens": done.tokens,
        "seconds": seconds,
        "pid": os.getpid(),
    }


_MATCHERS: dict[str, TermMatcher] = {}


def _matcher(lexicon: TermLexicon) -> TermMatcher:
    """This process's matcher of ``lexicon`` (built once per lexicon, outside any memory zone)."""
    from newsdesk.parsing.pipeline import nlp

    if lexicon.fingerprint not in _MATCHERS:
        _MATCHERS.clear()
        _MATCHERS[lexicon.fingerprint] = TermMatcher(lexicon, nlp())
    return _MATCHERS[lexicon.fingerprint]


def _stored_docs(store: str, items: list[Item], language: Any) -> dict[str, Any]:
    """The stored Docs of the items that are only matched again (unit -> Doc), one read per part."""
    from spacy.tokens import DocBin

    wanted: dict[str, list[str]] = {}
    for item in items:
        if item.unit is None and item.match_unit is not None and item.stored_doc is not None:
            wanted.setdefault(item.stored_doc[0], []).append(item.stored_doc[1])
    docs: dict[str, Any] = {}
    for batch_id, units in sorted(wanted.items()):
        rows = read_part(store, "docs", batch_id, units, ["unit", "doc"]).to_pydict()
        for unit, data in zip(rows["unit"], rows["doc"], strict=True):
            docs[unit] = next(iter(DocBin().from_bytes(data).get_docs(language.vocab)))
    missing = {unit for units in wanted.values() for unit in units} - set(docs)
    if missing:
        raise AnnotateError(f"{len(missing)} stored Doc(s) to match are missing from the store")
    return docs


# --- planning -------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """Every article's keys (``keys``, in corpus order) and what is still to do for which article."""

    keys: pd.DataFrame
    #: (position in ``corpus.articles``, annotate it, infer its date, match the lexicons), in corpus order.
    todo: list[tuple[int, bool, bool, bool]]
    #: The committed batch of every unit already annotated (where its stored Doc is).
    batch_of: dict[str, str] = field(default_factory=dict)

    @property
    def n_annotate(self) -> int:
        return sum(annotate for _, annotate, _, _ in self.todo)

    @property
    def n_dates(self) -> int:
        return sum(infer for _, _, infer, _ in self.todo)

    @property
    def n_rematched(self) -> int:
        """Articles whose lexicon matches are redone on their stored Doc (not annotated again)."""
        return sum(match and not annotate for _, annotate, _, match in self.todo)


class _Articles:
    """Per-article views of a stripped corpus: final lines and body."""

    def __init__(self, corpus: Any):
        self.cache = corpus.cache
        stripping = strip_corpus(corpus)
        lines = stripping.lines
        self.columns = {c: lines[c].to_numpy() for c in ("line_no", "start", "end", "kept", "score")}
        self.columns["text"] = lines["text"].to_numpy(dtype=object)
        self.columns["reason"] = lines["reason"].astype(str).to_numpy(dtype=object)
        self.columns["body_start"] = lines["body_start"].fillna(-1).to_numpy(np.int64)
        self.lines_of = lines.groupby("article_id", sort=False).indices
        self.bodies = stripping.bodies.set_index("article_id")[list(BODY_FIELDS)].to_dict("index")

    def view(self, article_id: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        positions = self.lines_of.get(article_id, np.array([], dtype=np.int64))
        lines = {column: values[positions] for column, values in self.columns.items()}
        found = self.bodies[article_id]
        body = {
            "title": None if pd.isna(found["title"]) else found["title"],
            "body": found["body"],
            **{k: int(found[k]) for k in ("n_lines", "n_lines_kept", "n_chars", "n_chars_kept")},
        }
        return lines, body

    def with_own_reasons(self, lines: dict[str, np.ndarray], text: str, sha256: str) -> dict[str, np.ndarray]:
        """``lines`` with ``own_reason``: the article-level reason of each line, which differs from its
        reason where the corpus pass dropped the line as repeated across a site (read from the cache
        the driver stripped through)."""
        from newsdesk.stripping.corpus import article_lines

        reasons = lines["reason"]
        repeated = reasons == REPEATED_REASON
        if repeated.any():
            own = article_lines(text, sha256, self.cache)["reason"].astype(str).to_numpy(dtype=object)
            if len(own) == len(reasons):
                reasons = np.where(repeated, own, reasons)
        return {**lines, "own_reason": reasons}


def _given(row: Any) -> str | None:
    return None if pd.isna(row.published_date) else pd.Timestamp(row.published_date).date().isoformat()


def date_key(versions: dict[str, str], article_id: str, sha256: str) -> str:
    """The key of an article's inferred publication date: its text and the inference's version."""
    return digest(versions["pubdate"], article_id, sha256)


def match_key(versions: dict[str, str], lexicon_fingerprint: str, unit: str) -> str:
    """The key of an article's lexicon steps' rows: its unit, those steps' versions, the lexicon."""
    return digest([versions[step.name] for step in lexicon_steps()], lexicon_fingerprint, unit)


def plan(
    corpus: Any,
    version: str,
    versions: dict[str, str],
    committed: dict[str, dict[str, Any]],
    *,
    infer_dates: str = "missing",
    lexicon_fingerprint: str = "",
    articles: _Articles | None = None,
) -> Plan:
    """The unit of every article and what is missing from the ``committed`` batches.

    Keys include the versions they depend on, so a batch of other versions never matches: a unit
    covers every step, a date unit only the date inference (kept when, say, a quote lexicon changes),
    a match unit the unit and the framing lexicon (redone alone when only the lexicon changes).
    """
    batch_of: dict[str, str] = {}
    for batch_id, marker in sorted(committed.items()):
        for unit in marker["units"]:
            batch_of.setdefault(unit, batch_id)
    done_dates = {u for marker in committed.values() for u in marker["date_units"]}
    done_matches = {u for marker in committed.values() for u in marker.get("match_units", [])}
    articles = articles or _Articles(corpus)
    keys = []
    todo = []
    for position, row in enumerate(corpus.articles.itertuples(index=False)):
        english = row.status != NOT_ENGLISH
        given = _given(row)
        signature: list[Any] = []
        if english:
            lines, body = articles.view(row.article_id)
            signature = [
                lines["kept"].tolist(),
                lines["reason"].tolist(),
                body["title"],
                body["body"],
            ]
        unit = digest(version, row.article_id, row.sha256, row.status, given, signature)
        date_unit = date_key(versions, row.article_id, row.sha256) if english else None
        match_unit = match_key(versions, lexicon_fingerprint, unit) if english else None
        keys.append((row.article_id, unit, date_unit, match_unit))
        annotate = unit not in batch_of
        want_date = english and (given is None or infer_dates == "all") and date_unit not in done_dates
        want_match = english and (annotate or match_unit not in done_matches)
        if annotate or want_date or want_match:
            todo.append((position, annotate, want_date, want_match))
    keys_frame = pd.DataFrame(keys, columns=["article_id", "unit", "date_unit", "match_unit"])
    return Plan(keys_frame, todo, batch_of)


def _batch(version: str, items: list[Item], lexicon: TermLexicon | None = None) -> Batch:
    """A batch named by a hash of its keys, so that a batch that is redone keeps its name."""
    name = digest(version, [(i.unit, i.date_unit, i.match_unit) for i in items])[:24]
    return Batch(name, version, items, lexicon)


def date_batches(
    corpus: Any,
    versions: dict[str, str],
    committed: dict[str, dict[str, Any]],
    batch_size: int,
    version: str,
    *,
    infer_dates: str = "missing",
) -> list[Batch]:
    """Batches that only infer publication dates: for the articles whose date is wanted and not stored.

    They need only the loaded texts, so they can run while the driver strips the corpus.
    """
    done = {u for marker in committed.values() for u in marker["date_units"]}
    items = []
    for row in corpus.articles.itertuples(index=False):
        given = _given(row)
        if row.status == NOT_ENGLISH or (given is not None and infer_dates != "all"):
            continue
        date_unit = date_key(versions, row.article_id, row.sha256)
        if date_unit not in done:
            items.append(Item(row.article_id, row.sha256, row.status, row.text, None, date_unit, given))
    return [_batch(version, items[start : start + batch_size]) for start in range(0, len(items), batch_size)]


def make_batches(
    corpus: Any,
    work: Plan,
    batch_size: int,
    version: str,
    *,
    lexicon: TermLexicon | None = None,
    articles: _Articles | None = None,
    inferred: dict[str, tuple[str | None, str, float]] | None = None,
) -> Iterator[Batch]:
    """The work in batches of ``batch_size`` consecutive articles, built only when asked for.

    Each batch is named by a hash of its units, so a batch that is redone keeps its name.
    ``inferred`` (date unit -> inferred date) holds the dates :func:`date_batches` found this run.
    """
    inferred = inferred or {}
    articles = articles or _Articles(corpus)
    rows = list(corpus.articles.itertuples(index=False))
    units, date_units = work.keys["unit"].tolist(), work.keys["date_unit"].tolist()
    match_units = work.keys["match_unit"].tolist()
    for start in range(0, len(work.todo), batch_size):
        items = []
        for position, annotate, infer, match in work.todo[start : start + batch_size]:
            row = rows[position]
            english = row.status != NOT_ENGLISH
            lines, body = articles.view(row.article_id) if (annotate or match) and english else (None, None)
            if annotate and lines is not None:
                lines = articles.with_own_reasons(lines, row.text, row.sha256)
            unit, date_unit = units[position], date_units[position]
            items.append(
                Item(
                    article_id=row.article_id,
                    sha256=row.sha256,
                    status=row.status,
                    text=row.text,
                    unit=unit if annotate else None,
                    date_unit=date_unit if infer else None,
                    given=_given(row),
                    lines=lines,
                    body=body if annotate else None,
                    match_unit=match_units[position] if match else None,
                    stored_doc=None if annotate or not match else (work.batch_of[unit], unit),
                    inferred=inferred.get(date_unit) if annotate and not infer else None,
                )
            )
        yield _batch(version, items, lexicon)


# --- engines --------------------------------------------------------------------------------------------

Outcome = dict[str, Any] | BaseException


class LocalEngine:
    """Runs the tasks one after another in this process (one worker)."""

    workers = 1

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def ready(self) -> None:
        return None

    def versions(self) -> dict[str, str]:
        return current_versions()

    def run(
        self, store: str, batches: Iterable[Batch], *, in_flight: int | None = None
    ) -> Iterator[tuple[Batch, Outcome]]:
        """Each batch and its outcome, run one after another as they are asked for."""
        for batch in batches:
            try:
                outcome: Outcome = annotate_batch(store, batch)
            except Exception as exc:  # reported per batch; the others go on
                outcome = exc
            yield batch, outcome


try:  # distributed is a dependency, but the local engine must not need it to import
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover
    WorkerPlugin = object  # type: ignore[assignment,misc]


#: A short text written to warm a worker up: a dateline, a quote with its speaker, a quoted term.
WARM_UP_TEXT = (
    "Harbour talks resume\n\nROTTERDAM, March 3 (Wire) - Port officials met union leaders on Monday. "
    '"We expect an agreement by Friday," union spokeswoman Anja de Vries told reporters. The port '
    'authority called the plan a "fair deal" and said the backlog would clear next week.\n'
)


def warm_up() -> None:
    """Run every registered step of a task once on :data:`WARM_UP_TEXT`, writing nothing.

    What a task needs is loaded then (the spaCy pipeline, quote and speaker lexicons, timex rules, the
    date inference, VADER's lexicon), so that a worker's first task runs at full speed.
    """
    from newsdesk.parsing.pipeline import nlp

    language = nlp()
    with language.memory_zone():
        doc = language(WARM_UP_TEXT)
        computed: dict[str, pd.DataFrame] = {}
        for step in all_steps():
            if not step.needs_lexicon:
                computed[step.name] = step.compute(doc, StepInputs(date="2025-03-03", frames=computed))
        _infer(WARM_UP_TEXT)


class PipelinePlugin(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Warms a worker up when it starts (:func:`warm_up`: ``newsdesk.nlp()`` keeps the pipeline)."""

    name = "newsdesk-pipeline"

    def setup(self, worker: Any) -> None:
        from newsdesk.store.annotate import warm_up

        warm_up()


#: Worker settings for annotating: no statistical profiler (it samples the task's stack every 10 ms,
#: a cost of 10-20% on this Python-heavy work) and glibc's own malloc trimming (Dask's 64 KB threshold
#: makes spaCy's many small allocations return memory to the system over and over, about 15% slower).
WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1,
        "MKL_NUM_THREADS": 1,
        "OPENBLAS_NUM_THREADS": 1,
    },
}


def local_cluster(workers: int) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded processes set up for annotating."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(WORKER_CONFIG):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


class DaskEngine:
    """Runs the tasks on a Dask cluster: a new ``LocalCluster``, a scheduler address, or a given client.

    Entering it starts the cluster (or connects) and warms the workers up in a background thread, so
    that this happens while the driver loads and strips the corpus; :meth:`ready` waits for it.
    """

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None, client: Any = None):
        self.scheduler = scheduler
        self.n_workers = workers
        self.client = client
        self._owned: list[Any] = []
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None

    def __enter__(self) -> DaskEngine:
        self._starting = threading.Thread(target=self._start, name="newsdesk-dask-start", daemon=True)
        self._starting.start()
        return self

    def _start(self) -> None:
        from distributed import Client

        try:
            if self.client is None:
                if self.scheduler:
                    client = Client(self.scheduler)
                else:
                    cluster = local_cluster(self.n_workers or os.cpu_count() or 1)
                    self._owned.append(cluster)
                    client = Client(cluster)
                self._owned.insert(0, client)
                self.client = client
            self.client.register_plugin(PipelinePlugin())
        except BaseException as exc:  # raised again by ready(), in the driver's thread
            self._start_error = exc

    def ready(self) -> None:
        """Wait until the cluster is up and its workers are warm; raise what starting it raised."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._start_error is not None:
            raise self._start_error

    def __exit__(self, *exc_info: object) -> None:
        if self._starting is not None:  # still starting (the driver failed early): close what it made
            self._starting.join()
        for resource in self._owned:
            try:
                resource.close()
            except Exception as exc:  # closing must not hide the run's own error
                logger.debug("closing %r failed: %s", resource, exc)

    @property
    def workers(self) -> int:
        self.ready()
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def versions(self) -> dict[str, str]:
        """The workers' versions; they must all agree."""
        self.ready()
        found = self.client.run(current_versions)
        distinct = {json.dumps(v, sort_keys=True) for v in found.values()}
        if len(distinct) != 1:
            raise AnnotateError(f"the Dask workers run different versions of newsdesk or its model: {found}")
        return json.loads(distinct.pop())

    def run(
        self, store: str, batches: Iterable[Batch], *, in_flight: int | None = None
    ) -> Iterator[tuple[Batch, Outcome]]:
        """Each batch and its outcome as it completes. The first ``in_flight`` batches (default two
        per worker) are submitted at once, when this is called; each further one as one completes."""
        from distributed import as_completed

        waiting = iter(batches)
        of_future: dict[Any, Batch] = {}

        def submit() -> Any | None:
            batch = next(waiting, None)
            if batch is None:
                return None
            future = self.client.submit(
                annotate_batch, store, batch, key=f"annotate-{batch.batch_id}", pure=False
            )
            of_future[future] = batch
            return future

        limit = TASKS_PER_WORKER * self.workers if in_flight is None else in_flight
        started = [f for f in (submit() for _ in range(limit)) if f is not None]
        return self._outcomes(as_completed(started), of_future, submit)

    def _outcomes(
        self, queue: Any, of_future: dict[Any, Batch], submit: Callable[[], Any]
    ) -> Iterator[tuple[Batch, Outcome]]:
        try:
            for future in queue:
                batch = of_future.pop(future)
                try:
                    outcome: Outcome = future.result()
                except Exception as exc:  # the task raised or its worker died too often
                    outcome = exc
                future.release()
                following = submit()
                if following is not None:
                    queue.add(following)
                yield batch, outcome
        finally:
            if of_future:  # interrupted: nothing more is committed after this
                self.client.cancel(list(of_future))


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
            return f"{done}; {len(self.failures)} batch(es) FAILED, the store was not updated: rerun to retry"
        return f"{done}; store {self.store} at snapshot {self.snapshot}"


def _engine(engine: str, scheduler: str | None, workers: int | None, client: Any) -> LocalEngine | DaskEngine:
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
    return DaskEngine(scheduler=scheduler, workers=workers, client=client)


def _lexicon_files(data_root: Path) -> dict[str, bytes]:
    """The corpus's ``lexicons/`` folder (speaker aliases, framing terms ...), kept with the snapshot."""
    folder = data_root / "lexicons"
    if not folder.is_dir():
        return {}
    return {
        f"lexicons/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
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

    Returns:
        The run's summary; ``summary.complete`` is False when a batch failed (nothing else is lost:
        committed batches stay, and a rerun does only what is missing).

    Raises:
        AnnotateError: for bad arguments or workers that run other versions than each other.
        StoreError: when another run holds the store's lock.
        KeyboardInterrupt: passed on after the engine has stopped; committed batches stay.
    """
    from newsdesk.ingest.corpus import load_corpus

    if batch_size < 1:
        raise AnnotateError("batch_size must be at least 1")
    if infer_dates not in INFER_MODES:
        raise AnnotateError(f"infer_dates must be one of {', '.join(INFER_MODES)}, not {infer_dates!r}")
    runner = _engine(engine, scheduler, workers, client)
    started = time.perf_counter()
    root = Path(store).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    with writer_lock(root), runner:  # a Dask cluster starts meanwhile (see DaskEngine)
        removed = remove_uncommitted(root)
        corpus = load_corpus(data, cache_dir=cache_dir, progress=progress)
        lexicon = read_term_lexicon(Path(corpus.root) / "lexicons")  # as framing.collect reads it
        versions = runner.versions()
        version = version_key(versions)
        # Inferring dates needs only the loaded texts: on Dask these tasks run while the driver strips.
        early = date_batches(
            corpus, versions, committed_batches(root), batch_size, version, infer_dates=infer_dates
        )
        dated = runner.run(str(root), early, in_flight=len(early))
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
        articles = _Articles(corpus)
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
        tokens = 0
        show = progress if progress is not None else len(work.todo) >= PROGRESS_MIN_ITEMS
        with tqdm(total=len(work.todo), desc="Annotating", unit="article", disable=not show) as bar:
            for batch, outcome in runner.run(str(root), batches):
                if isinstance(outcome, BaseException):
                    failures.append((batch.batch_id, f"{type(outcome).__name__}: {outcome}"))
                    logger.error("batch %s failed: %s", batch.batch_id, outcome)
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
