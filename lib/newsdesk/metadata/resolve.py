"""Metadata resolved once, right after loading: every article's outlet and publication date.

:func:`resolve_metadata` returns the corpus with these columns in ``corpus.articles``, which every later
stage, notebook, chart and the store read, so an article has one outlet and one date everywhere:

- ``outlet``: the publisher: the manifest's, else the URL's site, else what the text credits
  (:func:`newsdesk.metadata.outlets.infer_outlets`); empty when nothing tells it. ``outlet_source``
  says which (:data:`~newsdesk.metadata.outlets.OUTLET_SOURCES`) and ``outlet_evidence`` what was read
  (the URL, the line). ``site`` is the URL's registrable domain; ``source`` the wire agency the text
  credits (else the outlet); ``outlet_type`` and ``outlet_country`` come from the outlet registry
  (the package's, overlaid by ``<corpus>/outlets.csv``);
- ``effective_date``: the manifest's date, else the date inferred from the raw text and the URL
  (:func:`newsdesk.metadata.dates.publication_dates`); ``date_source`` (``manifest``, ``inferred`` or
  ``unknown``) and ``date_confidence`` (1.0 for the manifest, the inference's confidence otherwise).
  ``date_conflict`` marks a URL date the text contradicts and ``ambiguous_date`` a numeric date left
  unread; both are also reported in ``corpus.problems``, as are bad rows of ``outlets.csv``;
- ``copy_of``, ``copy_kind`` (``verbatim``, ``mirror``, ``wire re-edit``) and ``copy_similarity``:
  the original this article copies (:mod:`newsdesk.metadata.syndication`), which later stages count
  once.

``published`` and ``published_date`` stay the manifest's, and a selection (``corpus.select``) still
windows by them. Resolving is idempotent: a corpus already resolved (a store annotated after
resolving) is returned as it is.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from newsdesk.core.cache import source_digest
from newsdesk.ingest.problems import Problem, problems_frame
from newsdesk.metadata.dates import publication_dates
from newsdesk.metadata.outlets import infer_outlets
from newsdesk.metadata.registry import load_registry
from newsdesk.metadata.syndication import COPY_COLUMNS, find_copies
from newsdesk.stripping.corpus import strip_corpus

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

OUTLET_COLUMNS = [
    "outlet_source", "outlet_evidence", "site", "source", "source_evidence", "outlet_type", "outlet_country",
]  # fmt: skip
DATE_COLUMNS = ["effective_date", "date_source", "date_confidence", "date_conflict", "ambiguous_date"]
UNKNOWN = "unknown"


def resolve_metadata(corpus: Corpus, *, progress: bool | None = None) -> Corpus:
    """``corpus`` with each article's outlet and publication date resolved (see the module's text)."""
    return resolve_copies(resolve_dates(resolve_outlets(corpus, progress=progress), progress=progress))


def resolve_outlets(corpus: Corpus, *, progress: bool | None = None) -> Corpus:
    """``corpus`` with ``outlet`` resolved and ``outlet_source``/``outlet_evidence`` added.

    The chrome searched for a site's name is what stripping drops with the outlets known before (the
    manifest's); the corpus-level stripping of the result then groups articles by the resolved outlets.
    """
    articles = corpus.articles
    if "outlet_source" in articles.columns:
        return corpus
    stripping = strip_corpus(corpus, progress=progress)
    registry = load_registry(corpus.root)
    found = infer_outlets(articles, stripping.lines, registry).set_index("article_id")
    ids = articles["article_id"]
    outlet = ids.map(found["outlet"]).astype("str")
    source = ids.map(found["outlet_source"]).astype("str").where(outlet.notna(), UNKNOWN)
    columns = {name: ids.map(found[name]).astype("str") for name in OUTLET_COLUMNS[1:]}
    resolved = articles.assign(outlet=outlet, outlet_source=source, **columns)
    resolved = _ordered(resolved, after="outlet", columns=OUTLET_COLUMNS)
    unchanged = _same(articles["outlet"], resolved["outlet"])
    return _with_problems(corpus.with_articles(resolved, keep_results=unchanged), registry.problems)


def resolve_dates(corpus: Corpus, *, progress: bool | None = None) -> Corpus:
    """``corpus`` with ``effective_date``, ``date_source`` and ``date_confidence`` per article.

    Articles that are not annotated (not in English) keep the manifest's date or none.
    """
    articles = corpus.articles
    if "date_source" in articles.columns:
        return corpus
    if articles.empty:  # nothing usable: the columns, typed, so that later steps find them
        resolved = articles.assign(
            effective_date=pd.Series(dtype="datetime64[ns]"),
            date_source=pd.Series(dtype="str"),
            date_confidence=pd.Series(dtype=float),
            date_conflict=pd.Series(dtype=bool),
            ambiguous_date=pd.Series(dtype="str"),
        )
        return corpus.with_articles(
            _ordered(resolved, after="published_date", columns=DATE_COLUMNS), keep_results=True
        )
    dates = publication_dates(corpus, progress=progress).set_index("article_id")
    ids = articles["article_id"]
    given = pd.to_datetime(articles["published_date"]).dt.normalize()
    effective = ids.map(dates["effective_date"]).astype("datetime64[ns]").fillna(given)
    source = ids.map(dates["date_source"]).astype("str")
    fallback = pd.Series(np.where(given.notna(), "manifest", UNKNOWN), index=source.index, dtype="str")
    source = source.where(source.notna(), fallback)
    confidence = ids.map(dates["confidence"]).astype(float)
    confidence = confidence.where(source != "manifest", 1.0).where(source != UNKNOWN, np.nan)
    inferred = source == "inferred"
    conflict = ids.map(dates["date_conflict"]).fillna(False).astype(bool) & inferred
    ambiguous = ids.map(dates["ambiguous_date"]).astype("str").where(source != "manifest")
    resolved = articles.assign(
        effective_date=effective,
        date_source=source,
        date_confidence=confidence,
        date_conflict=conflict,
        ambiguous_date=ambiguous,
    )
    resolved = _ordered(resolved, after="published_date", columns=DATE_COLUMNS)
    return _with_problems(corpus.with_articles(resolved, keep_results=True), _date_problems(resolved, dates))


def _date_problems(articles: pd.DataFrame, dates: pd.DataFrame) -> list[Problem]:
    """A warning per article whose URL date the text contradicts or whose numeric date was left unread."""
    by_id = dates.reindex(articles["article_id"])
    problems = []
    for row, found in zip(articles.itertuples(index=False), by_id.itertuples(), strict=True):
        file = str(row.file) if isinstance(getattr(row, "file", None), str) else None
        if row.date_conflict:
            problems.append(Problem(
                "warning",
                f"publication date: the URL says {_day(found.url_date)} but the text says "
                f"{_day(found.text_date)} ({found.inferred_source}); the URL's date is used",
                file, None, row.article_id,
            ))  # fmt: skip
        if isinstance(row.ambiguous_date, str) and row.ambiguous_date:
            problems.append(Problem(
                "warning",
                f"publication date: {row.ambiguous_date!r} could be read day-first or month-first and "
                "nothing on the page, in its URL or for its site tells which, so it was not used; give "
                "the date in the manifest, or the site's country in outlets.csv",
                file, None, row.article_id,
            ))  # fmt: skip
    return problems


def _day(value) -> str:
    return pd.Timestamp(value).date().isoformat() if pd.notna(value) else "?"


def _with_problems(corpus: Corpus, problems: list[Problem]) -> Corpus:
    """``corpus`` with ``problems`` added to ``corpus.problems`` (the same corpus when there are none)."""
    if not problems:
        return corpus
    added = problems_frame(problems)
    corpus.problems = (
        pd.concat([corpus.problems, added], ignore_index=True) if len(corpus.problems) else added
    )
    return corpus


def resolve_copies(corpus: Corpus) -> Corpus:
    """``corpus`` with ``copy_of``, ``copy_kind`` and ``copy_similarity`` per article
    (:func:`newsdesk.metadata.syndication.find_copies` over the stripped bodies, outlets, wire
    sources and dates). Articles that are not annotated are never copies."""
    articles = corpus.articles
    if "copy_of" in articles.columns:
        return corpus
    bodies = strip_corpus(corpus).bodies[["article_id", "body"]]
    columns = [c for c in ("article_id", "outlet", "source", "effective_date") if c in articles.columns]
    copies = _cached_copies(corpus, bodies.merge(articles[columns], on="article_id", how="left"))
    copies = copies.set_index("article_id")
    ids = articles["article_id"]
    resolved = articles.assign(**{name: ids.map(copies[name]) for name in COPY_COLUMNS[1:]})
    return corpus.with_articles(resolved, keep_results=True)


def _cached_copies(corpus: Corpus, frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`find_copies` of ``frame``, read from the corpus cache when the same bodies, outlets,
    sources and dates were compared before (one stored frame per corpus, versioned by the code)."""
    version = source_digest("newsdesk.metadata.syndication", "newsdesk.stripping.dedup")
    lines = (
        "\t".join(str(value) for value in (row.article_id, hashlib.sha256(str(row.body).encode()).hexdigest(),
                                            *row[3:]))
        for row in frame.itertuples()
    )  # fmt: skip
    key = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    namespace = f"copies/{version}"
    cached = corpus.cache.read_frame(namespace, key)
    if cached is not None and cached["article_id"].tolist() == frame["article_id"].tolist():
        return cached
    copies = find_copies(frame)
    corpus.cache.write_frame(namespace, key, copies)
    return copies


def _ordered(frame: pd.DataFrame, *, after: str, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` moved right after the column ``after``."""
    rest = [c for c in frame.columns if c not in columns]
    position = rest.index(after) + 1
    return frame[[*rest[:position], *columns, *rest[position:]]]


def _same(before: pd.Series, after: pd.Series) -> bool:
    """Whether two outlet columns name the same outlet for every article (empty counting as None)."""
    left = before.astype("str").str.strip().replace("", None).fillna("\0")
    return bool((left == after.astype("str").fillna("\0")).all())
