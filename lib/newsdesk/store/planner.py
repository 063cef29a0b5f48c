"""Planning a run: every article's keys (its unit, date unit and match unit) and the batches of what a
store does not hold yet."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from newsdesk.extract.lexicons import TermLexicon
from newsdesk.store.format import (
    REPEATED_REASON,
    lexicon_steps,
)
from newsdesk.store.task import NOT_ENGLISH, Batch, Item
from newsdesk.store.versions import digest
from newsdesk.stripping.corpus import strip_corpus

logger = logging.getLogger(__name__)


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


class ArticleViews:
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
    articles: ArticleViews | None = None,
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
    articles = articles or ArticleViews(corpus)
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
    articles: ArticleViews | None = None,
    inferred: dict[str, tuple[str | None, str, float]] | None = None,
) -> Iterator[Batch]:
    """The work in batches of ``batch_size`` consecutive articles, built only when asked for.

    Each batch is named by a hash of its units, so a batch that is redone keeps its name.
    ``inferred`` (date unit -> inferred date) holds the dates :func:`date_batches` found this run.
    """
    inferred = inferred or {}
    articles = articles or ArticleViews(corpus)
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


BODY_FIELDS = ("title", "body", "n_lines", "n_lines_kept", "n_chars", "n_chars_kept")
