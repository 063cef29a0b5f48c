"""Tables and findings for the boilerplate notebook: what was stripped from each dump, and why."""

from __future__ import annotations

import pandas as pd

from newsdesk.stripping.corpus import CorpusStripping
from newsdesk.stripping.shapes import detect_shape


def _nonblank(lines: pd.DataFrame) -> pd.DataFrame:
    return lines[lines["text"].str.strip() != ""]


def reason_counts(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines and characters per article and reason (long form, non-blank lines only)."""
    table = (
        _nonblank(lines)
        .assign(n_chars=lambda f: f["text"].str.len())
        .groupby(["article_id", "reason"], observed=True)
        .agg(n_lines=("line_no", "size"), n_chars=("n_chars", "sum"))
        .reset_index()
    )
    return table.sort_values(["article_id", "n_chars"], ascending=[True, False], ignore_index=True)


def dump_shapes(articles: pd.DataFrame) -> pd.Series:
    """The dump shape of every article (``lines``, ``excerpt``, ``markdown`` or ``blob``), by article_id."""
    return pd.Series(
        [detect_shape(text) for text in articles["text"]], index=articles["article_id"], name="shape"
    )


def article_summary(stripping: CorpusStripping, shapes: pd.Series | None = None) -> pd.DataFrame:
    """Per article: its dump shape (when ``shapes`` from :func:`dump_shapes` is given), units kept and
    dropped (a unit is a line, or a sentence of a one-blob dump), the main drop reason, duplicate_of."""
    dropped = _nonblank(stripping.lines)
    dropped = dropped[~dropped["kept"]]
    main_reason = (
        dropped.assign(n_chars=dropped["text"].str.len())
        .groupby(["article_id", "reason"], observed=True)["n_chars"]
        .sum()
        .reset_index()
        .sort_values(["article_id", "n_chars", "reason"], ascending=[True, False, True])
        .drop_duplicates("article_id")
        .set_index("article_id")["reason"]
    )
    table = stripping.bodies[
        ["article_id", "n_lines", "n_lines_kept", "n_chars", "n_chars_kept", "duplicate_of"]
    ]
    table = table.assign(
        n_lines_dropped=table["n_lines"] - table["n_lines_kept"],
        share_chars_kept=(table["n_chars_kept"] / table["n_chars"].where(table["n_chars"] > 0)).round(2),
        main_drop_reason=table["article_id"].map(main_reason),
    )
    if shapes is not None:
        table = table.assign(shape=table["article_id"].map(shapes))
    columns = [
        "article_id",
        *(["shape"] if shapes is not None else []),
        "n_lines",
        "n_lines_kept",
        "n_lines_dropped",
        "share_chars_kept",
        "main_drop_reason",
    ]
    return table[[*columns, "duplicate_of"]]


def dropped_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """The audit table: every dropped non-blank line with its article, line number and reason."""
    dropped = _nonblank(lines)
    dropped = dropped[~dropped["kept"]]
    return dropped[["article_id", "line_no", "reason", "text"]].reset_index(drop=True)


def before_after(lines: pd.DataFrame, article_id: str) -> pd.DataFrame:
    """One article line by line: the input text, whether it was kept, and why."""
    own = _nonblank(lines[lines["article_id"] == article_id])
    return own.assign(decision=own["kept"].map({True: "kept", False: "dropped"}))[
        ["line_no", "decision", "reason", "text"]
    ].reset_index(drop=True)


def most_stripped_article(stripping: CorpusStripping) -> str | None:
    """The article that lost the largest share of its characters (ties: corpus order)."""
    bodies = stripping.bodies
    if bodies.empty:
        return None
    lost = 1 - bodies["n_chars_kept"] / bodies["n_chars"].clip(lower=1)
    return str(bodies.loc[lost.idxmax(), "article_id"])


def stripping_finding(stripping: CorpusStripping) -> str:
    """One sentence: how much was dropped overall, and the most common reasons."""
    nonblank = _nonblank(stripping.lines)
    dropped = nonblank[~nonblank["kept"]]
    if nonblank.empty:
        return "The corpus has no text lines."
    share = dropped["text"].str.len().sum() / max(nonblank["text"].str.len().sum(), 1)
    counts = dropped["reason"].astype(str).value_counts()
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]
    reasons = ", ".join(f"{reason} ({count})" for reason, count in top) or "none"
    n_articles = stripping.bodies["article_id"].nunique()
    return (
        f"Stripping dropped {len(dropped)} of {len(nonblank)} non-blank lines ({share:.0%} of the "
        f"characters) across {n_articles} articles; the most common reasons were {reasons}."
    )


def repeat_finding(stripping: CorpusStripping) -> str:
    """One sentence on the corpus-level passes: near-duplicates and lines repeated across a site."""
    duplicates = int(stripping.duplicates["duplicate_of"].notna().sum())
    lines = stripping.lines
    dropped = int((lines["reason"] == "repeated-across-site").sum())
    groups = stripping.repeated["group"].nunique() if len(stripping.repeated) else 0
    duplicate_part = (
        f"{duplicates} article(s) nearly repeat an earlier one"
        if duplicates
        else "no article nearly repeats another"
    )
    judged = stripping.site_groups[stripping.site_groups["judged"]]
    if not len(judged):
        site_part = (
            f"no group of articles is large enough to find lines repeated across a site (the largest has "
            f"{int(stripping.site_groups['n_articles'].max())}, {stripping.settings.min_group} are needed)"
        )
    elif not len(stripping.repeated):
        site_part = f"no line recurs across the {len(judged)} group(s) large enough to judge"
    else:
        site_part = f"{dropped} line(s) were dropped as repeated across {groups} site group(s)"
    return f"{duplicate_part.capitalize()}; {site_part}."
