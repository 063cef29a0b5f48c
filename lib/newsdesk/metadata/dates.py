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
]




def _read_combined(cache: DiskCache, namespace: str, keys: Sequence[str]) -> tuple[str, pd.DataFrame | None]:
    """One stored frame for a whole corpus (keyed by every article key), so reruns read one file."""
    key = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    return key, cache.read_frame(f"{namespace}/corpus", key)


def _inferred_cached(text: str, sha256: str, cache: DiskCache, namespace: str) -> tuple[Any, str, float]:
    data = cache.read(namespace, sha256, ".json")
    if data is not None:
        try:
            stored = json.loads(data)
            return stored["date"], str(stored["source"]), float(stored["confidence"])
        except (ValueError, KeyError, TypeError):
            pass  # unreadable entry: infer again
    from newsdesk.extract.pubdate import infer_published

    try:
        date, source, confidence = infer_published(text)
    except Exception:  # the inference never raises by contract; a stage must not fail if it does
        date, source, confidence = None, "none", 0.0
    iso = date.isoformat() if date is not None else None
    payload = {"date": iso, "source": source, "confidence": confidence}
    cache.write(namespace, sha256, ".json", json.dumps(payload).encode())
    return iso, source, confidence


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
        ``confidence``, ``effective_date`` (given, else inferred; dates as day Timestamps) and
        ``date_source`` (``manifest``, ``inferred`` or ``unknown``).
    """
    from tqdm import tqdm

    if infer not in ("missing", "all"):
        raise ValueError(f"infer must be 'missing' or 'all', not {infer!r}")
    rows = corpus.annotatable
    given = pd.to_datetime(rows["published_date"]).dt.normalize().reset_index(drop=True)
    wanted = np.ones(len(rows), dtype=bool) if infer == "all" else given.isna().to_numpy()
    namespace = pubdate_namespace()
    texts, hashes = rows["text"].tolist(), rows["sha256"].tolist()
    selected = [i for i in range(len(rows)) if wanted[i]]
    combined_key, combined = _read_combined(corpus.cache, namespace, [hashes[i] for i in selected])
    if combined is None or len(combined) != len(selected):
        show = progress if progress is not None else len(selected) >= 500
        results = [
            _inferred_cached(
                texts[i] if isinstance(texts[i], str) else "", hashes[i], corpus.cache, namespace
            )
            for i in tqdm(selected, desc="Publication dates", unit="doc", disable=not show)
        ]
        combined = pd.DataFrame(results, columns=["inferred", "inferred_source", "confidence"])
        corpus.cache.write_frame(f"{namespace}/corpus", combined_key, combined)
    inferred = pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]")
    source = pd.Series(None, index=range(len(rows)), dtype=object)
    confidence = pd.Series(np.nan, index=range(len(rows)), dtype=float)
    if selected:
        inferred.iloc[selected] = pd.to_datetime(combined["inferred"]).to_numpy()
        source.iloc[selected] = combined["inferred_source"].to_numpy()
        confidence.iloc[selected] = combined["confidence"].astype(float).to_numpy()
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
        },
        columns=PUBDATE_COLUMNS,
    )
