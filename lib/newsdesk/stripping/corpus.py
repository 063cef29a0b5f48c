"""Boilerplate stripping over a corpus: cached per-article results plus the corpus-level passes.

Per article, :func:`newsdesk.strip` decides every line (cached by text hash and stripper version).
Then, over the whole corpus and never baked into the per-article cache: near-duplicate articles are
found on the stripped bodies, and lines repeated across many articles of a site are dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from tqdm import tqdm

from newsdesk.core.cache import DiskCache, source_digest
from newsdesk.core.progress import show_progress
from newsdesk.stripping import dedup, sitechrome
from newsdesk.stripping.clutter import CLUTTER_PATH
from newsdesk.stripping.stripper import model_files, strip

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

#: Bump when this module changes what it stores; strip's code and model files are hashed automatically.
STRIP_CODE_VERSION = "2"
#: Modules whose code decides strip()'s output: any change to them invalidates cached strip results.
STRIP_SOURCES = (
    "newsdesk.stripping.stripper",
    "newsdesk.stripping.features",
    "newsdesk.stripping.shapes",
    "newsdesk.stripping.clutter",
)
LINE_COLUMNS = ["article_id", "line_no", "start", "end", "text", "kept", "reason", "score"]
PROGRESS_MIN_ITEMS = 500


@lru_cache(maxsize=1)
def strip_fingerprint() -> str:
    """Version key of the stripper: code version plus a hash of its source files, trained models and
    clutter phrases."""
    digest = hashlib.sha256(CLUTTER_PATH.read_bytes())
    for path in model_files():
        digest.update(path.name.encode() + path.read_bytes())
    model = digest.hexdigest()[:12]
    return f"strip-{STRIP_CODE_VERSION}-{model}-{source_digest(*STRIP_SOURCES)}"


def strip_namespace(version: str | None = None) -> str:
    """The cache namespace of per-article stripping results (``version`` default: this installation's)."""
    return f"strip/{version or strip_fingerprint()}"


@dataclass(frozen=True)
class SiteSettings:
    """Thresholds of the corpus-level passes: lines repeated across a site, near-duplicate articles."""

    min_articles: int = sitechrome.MIN_ARTICLES
    min_share: float = sitechrome.MIN_SHARE
    min_group: int = sitechrome.MIN_GROUP
    max_chars: int = sitechrome.MAX_CHARS
    duplicate_threshold: float = dedup.DUPLICATE_THRESHOLD


@dataclass
class CorpusStripping:
    """Everything the boilerplate stage produced for a corpus.

    ``lines``: one row per input line of every article (``LINE_COLUMNS`` plus ``body_start``, the
    line's offset in the article's body, NA for lines not in the body). ``bodies``: one row per
    article with ``title``, ``body``, line and character counts, ``duplicate_of`` and
    ``similarity``. ``repeated``: the lines found repeated across a site; ``site_groups``: the groups compared
    (each outlet and the whole corpus), their sizes and whether they were large enough to judge.
    """

    lines: pd.DataFrame
    bodies: pd.DataFrame
    repeated: pd.DataFrame
    duplicates: pd.DataFrame
    site_groups: pd.DataFrame
    settings: SiteSettings = field(default_factory=SiteSettings)


def _strip_lines_cached(text: str, sha256: str, cache: DiskCache) -> pd.DataFrame:
    namespace = strip_namespace()
    frame = cache.read_frame(namespace, sha256)
    if (
        frame is not None
        and list(frame.columns) == _STRIP_COLUMNS
        and frame["end"].iloc[-1:].le(len(text)).all()
    ):
        return frame
    frame = strip(text).lines.assign(reason=lambda f: f["reason"].astype(str))
    cache.write_frame(namespace, sha256, frame)
    return frame


_STRIP_COLUMNS = ["line_no", "start", "end", "text", "kept", "reason", "score"]


def article_lines(text: str, sha256: str, cache: DiskCache) -> pd.DataFrame:
    """The article-level decision on every line of ``text`` (before the corpus-level passes), cached."""
    return _strip_lines_cached(text, sha256, cache)


def render_body(lines: pd.DataFrame) -> tuple[str, np.ndarray]:
    """Body text of one article from its decided pieces, and each piece's offset in it (-1 if absent).

    Kept pieces other than the title are joined, "" within a unit (``line_no``) and "\\n" between
    units; one blank line is kept between paragraphs, none at the start or end.
    """
    return _render(
        lines["text"].tolist(),
        lines["kept"].to_numpy(bool).tolist(),
        lines["reason"].astype(str).tolist(),
        lines["line_no"].tolist(),
    )


def _render(
    texts: list[str], kept: list[bool], reasons: list[str], units: list[int]
) -> tuple[str, np.ndarray]:
    """:func:`render_body` over one article's piece texts, kept flags, reasons and unit numbers."""
    body_start = np.full(len(texts), -1, dtype=np.int64)
    parts: list[str] = []
    offset = 0
    pending_blank = -1
    last_unit = None
    for index, (text, is_kept, reason, unit) in enumerate(zip(texts, kept, reasons, units, strict=True)):
        if not is_kept or reason == "title":
            continue
        if reason == "blank":
            if parts and pending_blank < 0:
                pending_blank = index
            continue
        if parts and unit != last_unit:
            parts.append("\n")
            offset += 1
        if pending_blank >= 0:  # the blank unit between two paragraphs, as it is, then its "\n"
            body_start[pending_blank] = offset
            parts.append(texts[pending_blank] + "\n")
            offset += len(texts[pending_blank]) + 1
            pending_blank = -1
        body_start[index] = offset
        parts.append(text)
        offset += len(text)
        last_unit = unit
    return "".join(parts), body_start


def strip_articles(
    articles: pd.DataFrame,
    cache: DiskCache,
    settings: SiteSettings | None = None,
    *,
    progress: bool | None = None,
) -> CorpusStripping:
    """Strip every article (cached), find near-duplicates, then drop lines repeated across a site."""
    settings = settings or SiteSettings()
    show = show_progress(progress, len(articles), PROGRESS_MIN_ITEMS)
    per_article = [
        _strip_lines_cached(text, sha, cache)
        for text, sha in tqdm(
            zip(articles["text"], articles["sha256"], strict=True),
            total=len(articles),
            desc="Stripping",
            unit="doc",
            disable=not show,
        )
    ]
    if per_article:
        lines = pd.concat(per_article, ignore_index=True)
        ids = articles["article_id"].repeat([len(frame) for frame in per_article])
        lines.insert(0, "article_id", ids.reset_index(drop=True))
        lines = lines[LINE_COLUMNS]
    else:
        lines = pd.DataFrame(columns=LINE_COLUMNS)

    first_bodies, _ = _bodies(lines, articles)
    duplicates = dedup.find_duplicates(
        first_bodies.merge(articles[["article_id", "published_date"]], on="article_id"),
        threshold=settings.duplicate_threshold,
    )
    exclude = set(duplicates.loc[duplicates["duplicate_of"].notna(), "article_id"])
    repeated = sitechrome.repeated_lines(
        lines,
        articles,
        exclude=exclude,
        min_articles=settings.min_articles,
        min_share=settings.min_share,
        min_group=settings.min_group,
        max_chars=settings.max_chars,
    )
    if len(repeated):
        lines = sitechrome.mark_repeated(lines, articles, repeated)
    bodies, body_starts = _bodies(lines, articles)
    lines = lines.assign(body_start=pd.array(np.where(body_starts >= 0, body_starts, None), dtype="Int64"))
    bodies = bodies.merge(duplicates, on="article_id", how="left")
    site_groups = sitechrome.group_sizes(articles, exclude=exclude, min_group=settings.min_group)
    return CorpusStripping(lines, bodies, repeated, duplicates, site_groups, settings)


BODY_COLUMNS = ["article_id", "title", "body", "n_lines", "n_lines_kept", "n_chars", "n_chars_kept"]


def _bodies(lines: pd.DataFrame, articles: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per article (in ``articles`` order) and every line's offset in its body (-1: absent)."""
    rows = []
    body_starts = np.full(len(lines), -1, dtype=np.int64)
    positions_of = lines.groupby("article_id", sort=False).indices
    all_texts = lines["text"].tolist()
    all_kept = lines["kept"].to_numpy(bool).tolist()
    all_reasons = lines["reason"].astype(str).tolist()
    all_units = lines["line_no"].tolist()
    for article_id in articles["article_id"]:
        positions = positions_of.get(article_id, np.array([], dtype=np.int64)).tolist()
        texts = [all_texts[i] for i in positions]
        kept = [all_kept[i] for i in positions]
        reasons = [all_reasons[i] for i in positions]
        units = [all_units[i] for i in positions]
        body, starts = _render(texts, kept, reasons, units)
        body_starts[positions] = starts
        titles = "".join(text for text, reason in zip(texts, reasons, strict=True) if reason == "title")
        nonblank = {unit for unit, reason in zip(units, reasons, strict=True) if reason != "blank"}
        in_body = {
            unit
            for unit, is_kept, reason in zip(units, kept, reasons, strict=True)
            if is_kept and reason not in ("title", "blank")
        }
        rows.append(
            {
                "article_id": article_id,
                "title": titles.strip() or None,
                "body": body,
                "n_lines": len(nonblank),
                "n_lines_kept": len(in_body),
                "n_chars": sum(len(text) for text in texts),
                "n_chars_kept": len(body),
            }
        )
    return pd.DataFrame(rows, columns=BODY_COLUMNS), body_starts


def strip_corpus(
    corpus: Corpus, settings: SiteSettings | None = None, *, progress: bool | None = None
) -> CorpusStripping:
    """Boilerplate stripping of every annotatable article of ``corpus``, with the corpus-level passes.

    Per-article decisions come from the cache; near-duplicates and lines repeated across a site are
    computed over the corpus once per settings and kept on it (a store answers for the settings it
    was annotated with, see :meth:`newsdesk.ingest.corpus.Corpus.stored`).
    """
    settings = settings or SiteSettings()

    def compute() -> CorpusStripping:
        stored = corpus.stored("stripping", settings=settings)
        if stored is not None:
            return stored
        return strip_articles(corpus.annotatable, corpus.cache, settings, progress=progress)

    return corpus.memo(("stripping", settings), compute)


def corpus_bodies(corpus: Corpus) -> pd.DataFrame:
    """One row per annotatable article: outlet, date, title, stripped body, duplicate_of."""
    return corpus.annotatable[["article_id", "outlet", "published", "published_date"]].merge(
        strip_corpus(corpus).bodies, on="article_id", how="left"
    )
