"""Metadata resolved once, right after loading: every article's outlet and publication date.

:func:`resolve_metadata` returns the corpus with these columns in ``corpus.articles``, which every later
stage, notebook, chart and the store read, so an article has one outlet and one date everywhere:

- ``outlet``: the manifest's, else the URL's site, else the site's own chrome that stripping dropped
  (:func:`newsdesk.metadata.outlets.infer_outlets`); empty when nothing tells it. ``outlet_source``
  says which (``manifest``, ``url``, ``site-line``, ``copyright-line``, ``shared-chrome`` or
  ``unknown``) and ``outlet_evidence`` what was read (the URL, the line);
- ``effective_date``: the manifest's date, else the date inferred from the raw text
  (:func:`newsdesk.metadata.dates.publication_dates`); ``date_source`` (``manifest``, ``inferred`` or
  ``unknown``) and ``date_confidence`` (1.0 for the manifest, the inference's confidence otherwise).

``published`` and ``published_date`` stay the manifest's, and a selection (``corpus.select``) still
windows by them. Resolving is idempotent: a corpus already resolved (a store annotated after
resolving) is returned as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from newsdesk.metadata.dates import publication_dates
from newsdesk.metadata.outlets import infer_outlets
from newsdesk.stripping.corpus import strip_corpus

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

OUTLET_COLUMNS = ["outlet_source", "outlet_evidence"]
DATE_COLUMNS = ["effective_date", "date_source", "date_confidence"]
UNKNOWN = "unknown"


def resolve_metadata(corpus: Corpus, *, progress: bool | None = None) -> Corpus:
    """``corpus`` with each article's outlet and publication date resolved (see the module's text)."""
    return resolve_dates(resolve_outlets(corpus, progress=progress), progress=progress)


def resolve_outlets(corpus: Corpus, *, progress: bool | None = None) -> Corpus:
    """``corpus`` with ``outlet`` resolved and ``outlet_source``/``outlet_evidence`` added.

    The chrome searched for a site's name is what stripping drops with the outlets known before (the
    manifest's); the corpus-level stripping of the result then groups articles by the resolved outlets.
    """
    articles = corpus.articles
    if "outlet_source" in articles.columns:
        return corpus
    stripping = strip_corpus(corpus, progress=progress)
    found = infer_outlets(articles, stripping.lines).set_index("article_id")
    ids = articles["article_id"]
    outlet = ids.map(found["outlet"]).astype("str")
    source = ids.map(found["outlet_source"]).astype("str").where(outlet.notna(), UNKNOWN)
    evidence = ids.map(found["outlet_evidence"]).astype("str")
    resolved = articles.assign(outlet=outlet, outlet_source=source, outlet_evidence=evidence)
    resolved = _ordered(resolved, after="outlet", columns=OUTLET_COLUMNS)
    unchanged = _same(articles["outlet"], resolved["outlet"])
    return corpus.with_articles(resolved, keep_results=unchanged)


def resolve_dates(corpus: Corpus, *, progress: bool | None = None) -> Corpus:
    """``corpus`` with ``effective_date``, ``date_source`` and ``date_confidence`` per article.

    Articles that are not annotated (not in English) keep the manifest's date or none.
    """
    articles = corpus.articles
    if "date_source" in articles.columns:
        return corpus
    dates = publication_dates(corpus, progress=progress).set_index("article_id")
    ids = articles["article_id"]
    given = pd.to_datetime(articles["published_date"]).dt.normalize()
    effective = ids.map(dates["effective_date"]).astype("datetime64[ns]").fillna(given)
    source = ids.map(dates["date_source"]).astype("str")
    fallback = pd.Series(np.where(given.notna(), "manifest", UNKNOWN), index=source.index, dtype="str")
    source = source.where(source.notna(), fallback)
    confidence = ids.map(dates["confidence"]).astype(float)
    confidence = confidence.where(source != "manifest", 1.0).where(source != UNKNOWN, np.nan)
    resolved = articles.assign(effective_date=effective, date_source=source, date_confidence=confidence)
    resolved = _ordered(resolved, after="published_date", columns=DATE_COLUMNS)
    return corpus.with_articles(resolved, keep_results=True)


def _ordered(frame: pd.DataFrame, *, after: str, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` moved right after the column ``after``."""
    rest = [c for c in frame.columns if c not in columns]
    position = rest.index(after) + 1
    return frame[[*rest[:position], *columns, *rest[position:]]]


def _same(before: pd.Series, after: pd.Series) -> bool:
    """Whether two outlet columns name the same outlet for every article (empty counting as None)."""
    left = before.astype("str").str.strip().replace("", None).fillna("\0")
    return bool((left == after.astype("str").fillna("\0")).all())
