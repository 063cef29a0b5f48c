"""Plain descriptions of a loaded corpus: tables and one-sentence findings for notebook 00."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from newsdesk.parsing.parse import corpus_docs

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

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


def corpus_overview(corpus: Corpus, *, progress: bool | None = None) -> pd.DataFrame:
    """Per article: outlet, date, characters of the loaded text; tokens, sentences, entities of its body.

    The counts come from the parsed stripped bodies, which every later stage reuses from the cache (a
    store gives the counts it holds).
    """
    counts = corpus.stored("overview")
    if counts is None:
        counts = pd.DataFrame(
            [
                (doc._.newsdesk_article_id, len(doc), sum(1 for _ in doc.sents), len(doc.ents))
                for doc in corpus_docs(corpus, progress=progress)
            ],
            columns=["article_id", "n_tokens", "n_sentences", "n_entities"],
        )
    columns = ["article_id", "outlet", "published", "n_chars", "status"]
    table = corpus.articles[columns].merge(counts, on="article_id", how="left")
    for column in ("n_tokens", "n_sentences", "n_entities"):
        table[column] = table[column].astype("Int64")
    return table[[*columns[:-1], "n_tokens", "n_sentences", "n_entities", "status"]]
