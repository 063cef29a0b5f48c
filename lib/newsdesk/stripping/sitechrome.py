"""Lines that recur across many articles of one site: chrome that one article alone cannot reveal.

A corpus-level pass over the per-article stripping results. Articles of a known outlet are compared
with the other articles of that outlet; articles of unknown outlet with the whole corpus. Near
duplicate articles are left out of the counts, since every line of a republished article recurs.
"""

from __future__ import annotations

import re

import pandas as pd

REASON = "repeated-across-site"
#: A line must recur in at least this many articles of its group ...
MIN_ARTICLES = 3
#: ... and in at least this share of them ...
MIN_SHARE = 0.2
#: ... and the group must have at least this many articles to tell chrome from coincidence.
MIN_GROUP = 5
#: Longer lines are prose, even when an outlet repeats them (a standard background paragraph).
MAX_CHARS = 300
ALL_ARTICLES = "(whole corpus)"

_DIGITS_RE = re.compile(r"\d+")
_SPACE_RE = re.compile(r"\s+")


def normalise_line(text: str) -> str:
    """Case, spacing and numbers folded, so that "3 min read" and "5 min read" match."""
    return _SPACE_RE.sub(" ", _DIGITS_RE.sub("0", text.lower())).strip()


def _whole_units(lines: pd.DataFrame) -> pd.Series:
    """True for rows that are a whole unit: a piece of a Markdown line with a link in it is only part
    of a sentence, so it is never compared across articles (nor dropped alone)."""
    if "line_no" not in lines.columns:
        return pd.Series(True, index=lines.index)
    return ~lines.duplicated(["article_id", "line_no"], keep=False)


def group_sizes(
    articles: pd.DataFrame, *, exclude: set[str] | frozenset[str] = frozenset(), min_group: int = MIN_GROUP
) -> pd.DataFrame:
    """Articles counted per group (each outlet, and the whole corpus) and whether it is large enough."""
    counted = articles.loc[~articles["article_id"].isin(exclude)]
    sizes = counted.dropna(subset=["outlet"]).groupby("outlet").size()
    sizes[ALL_ARTICLES] = len(counted)
    table = sizes.rename_axis("group").reset_index(name="n_articles")
    return table.assign(judged=table["n_articles"] >= min_group).sort_values(
        ["n_articles", "group"], ascending=[False, True], ignore_index=True
    )


def repeated_lines(
    lines: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    exclude: set[str] | frozenset[str] = frozenset(),
    min_articles: int = MIN_ARTICLES,
    min_share: float = MIN_SHARE,
    min_group: int = MIN_GROUP,
    max_chars: int = MAX_CHARS,
) -> pd.DataFrame:
    """Lines that recur in many articles of one group.

    Args:
        lines: per-line stripping results with ``article_id``, ``text`` and ``kept``.
        articles: ``article_id`` and ``outlet`` (None where unknown).
        exclude: article ids left out of the counts (near-duplicates of another article).

    Returns:
        ``group``, ``line`` (normalised), ``n_articles``, ``group_size``, ``share``, ``example``,
        sorted by group and falling count. Only groups with at least ``min_group`` articles count.
    """
    columns = ["group", "line", "n_articles", "group_size", "share", "example"]
    outlets = articles.set_index("article_id")["outlet"]
    counted = articles.loc[~articles["article_id"].isin(exclude), ["article_id", "outlet"]]
    counted_rows = lines["article_id"].isin(counted["article_id"]) & _whole_units(lines)
    candidates = lines.loc[counted_rows & (lines["text"].str.strip() != ""), ["article_id", "text"]]
    candidates = candidates[candidates["text"].str.len() <= max_chars]
    if candidates.empty:
        return pd.DataFrame(columns=columns)
    candidates = candidates.assign(
        line=candidates["text"].map(normalise_line), outlet=candidates["article_id"].map(outlets)
    )
    # Per outlet for known outlets; and over the whole corpus, which is what unknown outlets use.
    per_outlet = candidates.dropna(subset=["outlet"]).assign(group=lambda f: f["outlet"])
    whole = candidates.assign(group=ALL_ARTICLES)
    sizes = group_sizes(articles, exclude=exclude).set_index("group")["n_articles"]
    found = []
    for frame in (per_outlet, whole):
        if frame.empty:
            continue
        counts = frame.groupby(["group", "line"]).agg(
            n_articles=("article_id", "nunique"), example=("text", "first")
        )
        counts = counts.reset_index()
        counts["group_size"] = counts["group"].map(sizes)
        counts["share"] = (counts["n_articles"] / counts["group_size"]).round(3)
        keep = (
            (counts["group_size"] >= min_group)
            & (counts["n_articles"] >= min_articles)
            & (counts["share"] >= min_share)
        )
        found.append(counts[keep])
    result = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=columns)
    return result[columns].sort_values(
        ["group", "n_articles", "line"], ascending=[True, False, True], ignore_index=True
    )


def mark_repeated(lines: pd.DataFrame, articles: pd.DataFrame, repeated: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``lines`` where kept lines found in ``repeated`` are dropped as repeated-across-site.

    A line of an article with a known outlet is matched against its outlet's repeats; a line of an
    article with unknown outlet against the whole corpus's.
    """
    outlets = articles.set_index("article_id")["outlet"]
    group = lines["article_id"].map(outlets).fillna(ALL_ARTICLES)
    keys = set(zip(repeated["group"], repeated["line"], strict=True))
    normalised = lines["text"].map(normalise_line)
    hit = pd.Series(
        [(g, n) in keys for g, n in zip(group, normalised, strict=True)], index=lines.index, dtype=bool
    )
    hit &= lines["kept"].astype(bool) & _whole_units(lines)
    marked = lines.copy()
    marked.loc[hit, "kept"] = False
    marked.loc[hit, "reason"] = REASON
    return marked
