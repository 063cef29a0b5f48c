"""The one-page briefing summary (notebook 05): key quotes, key dated events, framing highlights.

Each function picks from the tables the earlier notebooks compute, by rules stated in its docstring,
so that the memo stays true on any corpus.
"""

from __future__ import annotations

import pandas as pd

from newsdesk.analysis.quotes import speaker_roles
from newsdesk.metadata.outlets import outlet_labels
from newsdesk.present.quotes import UNRESOLVED

KEY_QUOTE_KINDS = ("direct", "partial")
#: Quotes shorter than this many characters are not memo material ("a 'decisive enabler'" aside).
MIN_KEY_QUOTE_CHARS = 40


def key_quotes(quotes: pd.DataFrame, *, n: int = 6) -> pd.DataFrame:
    """Up to ``n`` quotes for a memo: direct or partial quotes with a resolved speaker, one per speaker
    first, ranked by how many articles carry the quote, then by the speaker's number of quotes, then by
    length. Columns: speaker, role, outlet, article_id, kind, quote, n_articles.
    """
    columns = ["speaker", "role", "outlet", "article_id", "kind", "quote", "n_articles"]
    speaker = quotes["speaker_canonical"].fillna(UNRESOLVED) if len(quotes) else pd.Series(dtype=object)
    pool = quotes.assign(speaker=speaker)
    pool = pool[
        pool["kind"].isin(KEY_QUOTE_KINDS)
        & (pool["speaker"] != UNRESOLVED)
        & (pool["text"].fillna("").str.len() >= MIN_KEY_QUOTE_CHARS)
    ]
    if pool.empty:
        return pd.DataFrame(columns=columns)
    carried = quotes.groupby("quote_id")["article_id"].nunique() if "quote_id" in quotes else None
    n_articles = pool["quote_id"].map(carried).fillna(1).astype(int) if carried is not None else 1
    pool = pool.assign(
        n_articles=n_articles,
        speaker_quotes=pool["speaker"].map(pool["speaker"].value_counts()),
        length=pool["text"].str.len(),
        outlet=outlet_labels(pool),
        role=speaker_roles(pool),
        quote=pool["text"],
    )
    ranked = pool.sort_values(
        ["n_articles", "speaker_quotes", "length", "article_id"], ascending=[False, False, False, True]
    )
    if "quote_id" in ranked:
        ranked = ranked.drop_duplicates("quote_id")
    first = ranked.drop_duplicates("speaker")
    rest = ranked.drop(first.index)
    return pd.concat([first, rest]).head(n)[columns].reset_index(drop=True)


def key_events(events: pd.DataFrame, *, n: int = 8) -> pd.DataFrame:
    """Up to ``n`` dated events for a memo: labelled mentions grouped by event (or by label where the
    event is not compared), ranked by the number of articles that mention them, then by date; the date
    shown is the earliest given. Columns: date, event, n_articles, n_mentions, conflict, example.
    """
    columns = ["date", "event", "n_articles", "n_mentions", "conflict", "example"]
    labelled = events[events["event"].notna()] if len(events) else events
    if labelled.empty:
        return pd.DataFrame(columns=columns)
    key = event_groups(labelled)
    table = (
        labelled.assign(key=key)
        .groupby("key", sort=False)
        .agg(
            date=("date", "min"),
            event=("event", "first"),
            n_articles=("article_id", "nunique"),
            n_mentions=("article_id", "size"),
            conflict=("conflict", "any"),
            example=("sentence", "first"),
        )
    )
    table = table.sort_values(["n_articles", "n_mentions", "date"], ascending=[False, False, True]).head(n)
    table = table.sort_values("date").reset_index(drop=True)
    table["date"] = table["date"].dt.date
    return table[columns]


def event_groups(labelled: pd.DataFrame) -> pd.Series:
    """The group :func:`key_events` puts each labelled mention in: its compared event (``event_key``),
    else its label lower-cased."""
    return labelled["event_key"].fillna(labelled["event"].str.lower())


def corpus_line(articles: pd.DataFrame, dates: pd.DataFrame | None = None) -> str:
    """The corpus in one line: articles, outlets (named and not), date span (given or inferred)."""
    n = len(articles)
    named = articles["outlet"].dropna()
    named = named[named.astype(str).str.strip() != ""]
    unstated = n - len(named)
    effective = dates["effective_date"].dropna() if dates is not None else articles["published_date"].dropna()
    span = f", {effective.min():%d %b %Y} to {effective.max():%d %b %Y}" if len(effective) else ""
    undated = n - len(effective)
    return (
        f"{n} article(s) from {named.nunique()} named outlet(s)"
        + (f" and {unstated} of unstated outlet" if unstated else "")
        + span
        + (f" ({undated} without a date)" if undated and len(effective) else "")
        + ("; no article has a date" if not len(effective) else "")
        + "."
    )
