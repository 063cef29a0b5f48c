"""Offsets in a stripped body -> offsets in the article's loaded text.

A body is the kept lines of the loaded text joined; each body line knows where it starts in the body
(``body_start``) and in the loaded text (``start``). A span of the body lies within one line, so its
offsets move by that line's shift. Every stage that reports a span in the loaded text maps it here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Bodies are far shorter than this many characters: (article, offset) pairs pack into one int64.
_ARTICLE_SHIFT = np.int64(1) << np.int64(40)


def map_spans(
    line_body_starts: np.ndarray, line_text_starts: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Body spans ``[start, end)`` -> spans in the loaded text, given the body lines' starts (sorted by
    ``line_body_starts``) in the body and in the loaded text. No lines: every span maps to -1."""
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if not len(line_body_starts):
        return np.full(len(starts), -1, dtype=np.int64), np.full(len(ends), -1, dtype=np.int64)

    def convert(offsets: np.ndarray) -> np.ndarray:
        index = np.clip(np.searchsorted(line_body_starts, offsets, side="right") - 1, 0, None)
        return line_text_starts[index] + (offsets - line_body_starts[index])

    return convert(starts), convert(ends - 1) + 1


def to_original_offsets(lines: pd.DataFrame, article_id: str, body_offsets: np.ndarray) -> np.ndarray:
    """Character offsets in one article's body -> offsets in its loaded text."""
    own = lines[(lines["article_id"] == article_id) & lines["body_start"].notna()]
    offsets = np.asarray(body_offsets, dtype=np.int64)
    line_starts = own["body_start"].to_numpy(np.int64), own["start"].to_numpy(np.int64)
    mapped, _ = map_spans(*line_starts, offsets, offsets + 1)
    return mapped


def to_original_spans(
    lines: pd.DataFrame, article_ids: np.ndarray | pd.Series, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Body spans of many articles (``article_ids[i]`` is the article of span ``i``) -> the same spans in
    their loaded texts, at once: each body line is keyed by (article, offset in its body), so one
    :func:`map_spans` maps every span. Spans of an article without body lines map to -1."""
    in_body = lines[lines["body_start"].notna()]
    articles = pd.Index(pd.unique(in_body["article_id"].to_numpy()))
    line_codes = articles.get_indexer(in_body["article_id"].to_numpy()).astype(np.int64)
    line_keys = line_codes * _ARTICLE_SHIFT + in_body["body_start"].to_numpy(np.int64)
    order = np.argsort(line_keys, kind="stable")
    codes = articles.get_indexer(np.asarray(article_ids, dtype=object)).astype(np.int64)
    base = codes * _ARTICLE_SHIFT
    mapped_starts, mapped_ends = map_spans(
        line_keys[order],
        in_body["start"].to_numpy(np.int64)[order],
        base + np.asarray(starts, dtype=np.int64),
        base + np.asarray(ends, dtype=np.int64),
    )
    known = codes >= 0
    return np.where(known, mapped_starts, -1), np.where(known, mapped_ends, -1)
