"""One annotate task: parse a batch's bodies, run every registered step and the date inference, and commit
the batch's parts to the store (on the driver, or on a Dask worker)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from newsdesk.core.cache import content_hash
from newsdesk.extract.lexicons import TermLexicon, TermMatcher
from newsdesk.extract.registry import StepInputs
from newsdesk.extract.steps import all_steps
from newsdesk.store.format import (
    lexicon_steps,
    write_batch,
)
from newsdesk.store.reader import read_part
from newsdesk.store.versions import current_versions, version_key
from newsdesk.stripping.offsets import map_spans

logger = logging.getLogger(__name__)


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
    #: Seconds the task may take (checked after each article; None: no limit).
    budget: float | None = None


def infer_date(text: str) -> tuple[str | None, str, float]:
    """:func:`newsdesk.infer_published` as the chronology stage calls it (never raises)."""
    from newsdesk.extract.pubdate import infer_published

    try:
        date, source, confidence = infer_published(text)
    except Exception:  # the inference never raises by contract; a batch must not fail if it does
        date, source, confidence = None, "none", 0.0
    return (date.isoformat() if date is not None else None), source, float(confidence)


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
            body = lines["body_start"] >= 0
            self.offsets.append(map_spans(lines["body_start"][body], lines["start"][body], starts, ends))

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
            inferred = item.inferred if item.inferred is not None else infer_date(item.text)
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
        slowest = ("", 0.0)
        for item in batch.items:
            item_started = time.perf_counter()
            done.add(item, docs, stored)
            finished = time.perf_counter()
            slowest = max(slowest, (item.article_id, finished - item_started), key=lambda pair: pair[1])
            if batch.budget is not None and finished - started > batch.budget:
                raise BatchTimeout.of(
                    batch,
                    f"over its time budget of {batch.budget:g} s ({finished - started:.1f} s; slowest "
                    f"article {slowest[0]}: {slowest[1]:.1f} s)",
                )
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


#: spaCy's ``nlp.pipe`` batch size inside a task.
PIPE_BATCH_SIZE = 16


NOT_ENGLISH = "not-english"


class AnnotateError(RuntimeError):
    """A run that cannot start (bad arguments, workers of another version)."""


class BatchTimeout(AnnotateError):
    """A batch that ran over its time budget (nothing of it was committed)."""

    def __init__(self, message: str, batch_id: str, article_ids: list[str]):
        super().__init__(message)
        self.batch_id = batch_id
        self.article_ids = article_ids

    def __reduce__(self) -> tuple[Any, ...]:  # raised on a Dask worker, unpickled on the driver
        return (type(self), (str(self), self.batch_id, self.article_ids))

    @classmethod
    def of(cls, batch: Batch, reason: str) -> BatchTimeout:
        """The error of ``batch``: ``reason``, then its article ids and what to do."""
        ids = [item.article_id for item in batch.items]
        return cls(
            f"{reason}; not committed. Articles: {', '.join(ids)}. Rerun to retry (with a larger "
            "batch_timeout if it is only slow)",
            batch.batch_id,
            ids,
        )
