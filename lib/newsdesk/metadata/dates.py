"""Publication dates: the manifest's date, else the date inferred from the article's raw text.

:func:`publication_dates` gives one row per annotatable article with the date every later stage
uses (``effective_date``) and where it came from; inference (:func:`newsdesk.infer_published`) is
cached per article by text hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from newsdesk.core.cache import DiskCache
from newsdesk.core.progress import show_progress
from newsdesk.extract.pubdate import pubdate_namespace

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus


DATE_SOURCES = ("manifest", "inferred", "unknown")


PUBDATE_COLUMNS = [
    "article_id",
    "outlet",
    "given",
    "inferred",
    "inferred_source",
    "confidence",
    "effective_date",
    "date_source",
    "url_date",
    "text_date",
    "date_conflict",
    "ambiguous_date",
]
_EVIDENCE_FIELDS = [
    "inferred",
    "inferred_source",
    "confidence",
    "url_date",
    "text_date",
    "conflict",
    "ambiguous",
]


def _read_combined(cache: DiskCache, namespace: str, keys: Sequence[str]) -> tuple[str, pd.DataFrame | None]:
    """One stored frame for a whole corpus (keyed by every article key), so reruns read one file."""
    key = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    return key, cache.read_frame(f"{namespace}/corpus", key)


def _evidence_key(sha256: str, url: str | None, order: str | None) -> str:
    """Cache key of one article's inference: its text, URL and the numeric date order it was given."""
    if not url and not order:
        return sha256
    return hashlib.sha256(f"{sha256}\n{url or ''}\n{order or ''}".encode()).hexdigest()


def _inferred_cached(
    text: str, url: str | None, order: str | None, key: str, cache: DiskCache, namespace: str
) -> list[Any]:
    data = cache.read(namespace, key, ".json")
    if data is not None:
        try:
            stored = json.loads(data)
            return [stored[name] for name in _EVIDENCE_FIELDS]
        except (ValueError, KeyError, TypeError):
            pass  # unreadable entry: infer again
    from newsdesk.extract.pubdate import DateEvidence, publication_evidence

    try:
        found = publication_evidence(text, url, order)
    except Exception:  # the inference never raises by contract; a stage must not fail if it does
        found = DateEvidence(None, "none", 0.0)
    values = [
        _iso(found.date), found.source, found.confidence, _iso(found.url_date), _iso(found.text_date),
        found.conflict, found.ambiguous,
    ]  # fmt: skip
    cache.write(
        namespace, key, ".json", json.dumps(dict(zip(_EVIDENCE_FIELDS, values, strict=True))).encode()
    )
    return values


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def site_date_orders(rows: pd.DataFrame) -> pd.Series:
    """How each article's site writes all-numeric dates (``DMY``/``MDY``/None), one value per row.

    The order the outlet's own pages prove (a part over 12 in any of its articles, and no page proving
    the other), else its country's convention (``outlet_country``, from the registry), else None.
    """
    from newsdesk.extract.pubdate import country_date_order, numeric_date_order

    texts = rows["text"].where(rows["text"].map(lambda t: isinstance(t, str)), "")
    page_order = texts.map(numeric_date_order)
    outlets = rows["outlet"] if "outlet" in rows.columns else pd.Series(None, index=rows.index)
    site_order: dict[Any, str | None] = {}
    for outlet, orders in page_order.groupby(outlets.fillna("\0"), sort=False):
        proven = set(orders.dropna())
        site_order[outlet] = proven.pop() if len(proven) == 1 and outlet != "\0" else None
    country = (
        rows["outlet_country"] if "outlet_country" in rows.columns else pd.Series(None, index=rows.index)
    )
    by_site = outlets.fillna("\0").map(site_order)
    return by_site.where(by_site.notna(), country.map(country_date_order))


def publication_dates(
    corpus: Corpus, *, infer: str = "missing", progress: bool | None = None
) -> pd.DataFrame:
    """One row per annotatable article: the manifest's date, the inferred one, and which is used.

    Args:
        corpus: a loaded corpus.
        infer: ``"missing"`` runs :func:`newsdesk.infer_published` only where the manifest gives no
            date; ``"all"`` on every article (to compare inference with the given dates).
        progress: show a progress bar while inferring (default: only for 500 articles or more).

    Returns:
        ``article_id``, ``outlet``, ``given`` (manifest date), ``inferred``, ``inferred_source``,
        ``confidence``, ``effective_date`` (given, else inferred; dates as day Timestamps),
        ``date_source`` (``manifest``, ``inferred`` or ``unknown``), ``url_date`` (the date in the
        article's URL), ``text_date`` and ``date_conflict`` (the date the text states, when it
        disagrees with the URL's) and ``ambiguous_date`` (an all-numeric date left unread because its
        day and month could be swapped and nothing told which). Inference reads the article's ``url``
        and the numeric date order of its site (:func:`site_date_orders`).
    """
    from tqdm import tqdm

    if infer not in ("missing", "all"):
        raise ValueError(f"infer must be 'missing' or 'all', not {infer!r}")
    rows = corpus.annotatable
    given = pd.to_datetime(rows["published_date"]).dt.normalize().reset_index(drop=True)
    wanted = np.ones(len(rows), dtype=bool) if infer == "all" else given.isna().to_numpy()
    namespace = pubdate_namespace()
    texts, hashes = rows["text"].tolist(), rows["sha256"].tolist()
    urls = rows["url"].tolist() if "url" in rows.columns else [None] * len(rows)
    urls = [u.strip() if isinstance(u, str) and u.strip() else None for u in urls]
    orders = site_date_orders(rows).tolist()
    keys = [_evidence_key(hashes[i], urls[i], orders[i]) for i in range(len(rows))]
    selected = [i for i in range(len(rows)) if wanted[i]]
    combined_key, combined = _read_combined(corpus.cache, namespace, [keys[i] for i in selected])
    if combined is None or len(combined) != len(selected) or list(combined.columns) != _EVIDENCE_FIELDS:
        show = show_progress(progress, len(selected), 500)
        results = [
            _inferred_cached(
                texts[i] if isinstance(texts[i], str) else "",
                urls[i],
                orders[i],
                keys[i],
                corpus.cache,
                namespace,
            )
            for i in tqdm(selected, desc="Publication dates", unit="doc", disable=not show)
        ]
        combined = pd.DataFrame(results, columns=_EVIDENCE_FIELDS)
        corpus.cache.write_frame(f"{namespace}/corpus", combined_key, combined)
    n = len(rows)
    inferred = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    source = pd.Series(None, index=range(n), dtype=object)
    confidence = pd.Series(np.nan, index=range(n), dtype=float)
    from_url = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    from_text = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    conflict = pd.Series(False, index=range(n), dtype=bool)
    ambiguous = pd.Series(None, index=range(n), dtype=object)
    if selected:
        inferred.iloc[selected] = pd.to_datetime(combined["inferred"]).to_numpy()
        source.iloc[selected] = combined["inferred_source"].to_numpy()
        confidence.iloc[selected] = combined["confidence"].astype(float).to_numpy()
        from_url.iloc[selected] = pd.to_datetime(combined["url_date"]).to_numpy()
        from_text.iloc[selected] = pd.to_datetime(combined["text_date"]).to_numpy()
        conflict.iloc[selected] = combined["conflict"].astype(bool).to_numpy()
        ambiguous.iloc[selected] = combined["ambiguous"].to_numpy()
    effective = given.fillna(inferred)
    date_source = np.select([given.notna(), inferred.notna()], ["manifest", "inferred"], "unknown")
    return pd.DataFrame(
        {
            "article_id": rows["article_id"].to_numpy(),
            "outlet": rows["outlet"].to_numpy(),
            "given": given,
            "inferred": inferred,
            "inferred_source": source,
            "confidence": confidence.round(2),
            "effective_date": effective,
            "date_source": date_source,
            "url_date": from_url,
            "text_date": from_text,
            "date_conflict": conflict,
            "ambiguous_date": ambiguous,
        },
        columns=PUBDATE_COLUMNS,
    )
