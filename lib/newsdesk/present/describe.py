"""Plain descriptions of a loaded corpus: tables and one-sentence findings for notebook 00."""

from __future__ import annotations

import pandas as pd

#: Label used in tables for articles whose outlet the manifest does not state.
UNSTATED = "(not stated)"


def outlet_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles, dated articles and date range per outlet, largest outlet first."""
    frame = articles.assign(outlet=articles["outlet"].fillna(UNSTATED))
    table = frame.groupby("outlet", sort=False).agg(
        n_articles=("article_id", "size"),
        n_dated=("published_date", "count"),
        first=("published_date", "min"),
        last=("published_date", "max"),
    )
    table["first"] = table["first"].dt.date
    table["last"] = table["last"].dt.date
    return table.reset_index().sort_values(
        ["n_articles", "outlet"], ascending=[False, True], ignore_index=True
    )


def problem_summary(problems: pd.DataFrame) -> pd.DataFrame:
    """Number of files and problems per severity."""
    table = problems.groupby("severity").agg(n_problems=("message", "size"), n_files=("file", "nunique"))
    return table.reindex(["error", "warning"], fill_value=0).reset_index()


def corpus_finding(articles: pd.DataFrame, problems: pd.DataFrame) -> str:
    """One sentence: how many articles, outlets, dates and problems the corpus has."""
    n = len(articles)
    outlets = articles["outlet"].dropna().nunique()
    dated = articles["published_date"].dropna()
    errors = problems.loc[problems["severity"] == "error", "file"].nunique()
    repaired = int((articles["status"] == "repaired").sum())
    other_language = int((articles["status"] == "not-english").sum())
    dates = f" ({dated.min():%Y-%m-%d} to {dated.max():%Y-%m-%d})" if len(dated) else ""
    unstated = int(articles["outlet"].isna().sum())
    return (
        f"{n} usable article(s), {int(articles['n_chars'].sum()):,} characters in all, from {outlets} named "
        f"outlet(s) ({unstated} unstated); {len(dated)} of {n} have a publication "
        f"date{dates}; {errors} file(s) could not be used, {repaired} were repaired and {other_language} "
        "are not in English."
    )


def outlet_labels(frame: pd.DataFrame, *, outlet: str = "outlet", article: str = "article_id") -> pd.Series:
    """The outlet of each row, or "(unknown: <article id>)": unknown outlets are never pooled."""
    unknown = "(unknown: " + frame[article].astype(str) + ")"
    return frame[outlet].where(frame[outlet].notna() & (frame[outlet].astype(str) != ""), unknown)
