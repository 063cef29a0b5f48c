"""Tables and findings for the quotes notebook, computed from ``corpus_quotes(corpus)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from newsdesk.analysis.quotes import quote_spread, speaker_roles
from newsdesk.core.text import counted, one_line
from newsdesk.metadata.outlets import outlet_labels

if TYPE_CHECKING:
    pass

UNRESOLVED = "(unresolved)"
KINDS = ("direct", "partial", "indirect")


def _speaker(quotes: pd.DataFrame) -> pd.Series:
    return quotes["speaker_canonical"].fillna(UNRESOLVED)


def quote_table(quotes: pd.DataFrame) -> pd.DataFrame:
    """One row per quote: outlet, article, speaker, role, kind, cue, who relayed it, the quote and its
    quote_id. The role is the text's own, else the office the speaker held that day."""
    text = quotes["text"].map(one_line)
    table = quotes.assign(
        outlet=outlet_labels(quotes), speaker=_speaker(quotes), text=text, speaker_role=speaker_roles(quotes)
    )
    columns = [
        "outlet", "article_id", "speaker", "speaker_role", "kind", "cue", "relayed_by", "text", "quote_id",
    ]  # fmt: skip
    return table[columns].reset_index(drop=True)


def speaker_counts(quotes: pd.DataFrame, *, top: int = 15) -> pd.DataFrame:
    """Quotes per speaker and outlet (long form) for the ``top`` speakers by total count.

    The remaining speakers are summed into one row per outlet named "(N more speakers)".
    """
    frame = quotes.assign(outlet=outlet_labels(quotes), speaker=_speaker(quotes))
    totals = frame.groupby("speaker").size().sort_values(ascending=False, kind="stable")
    totals = totals.reset_index(name="n").sort_values(["n", "speaker"], ascending=[False, True])
    leaders = totals["speaker"].head(top).tolist()
    rest = len(totals) - len(leaders)
    if rest:
        frame.loc[~frame["speaker"].isin(leaders), "speaker"] = f"({rest} more speakers)"
    counts = frame.groupby(["speaker", "outlet"]).size().reset_index(name="n_quotes")
    rank = {name: position for position, name in enumerate(leaders)}
    return counts.sort_values(
        ["speaker", "outlet"], key=lambda s: s.map(rank).fillna(len(rank)) if s.name == "speaker" else s
    ).reset_index(drop=True)


def kind_shares(quotes: pd.DataFrame) -> pd.DataFrame:
    """Per outlet: direct, partial and reported quotes, counts and shares of the outlet's quotes."""
    frame = quotes.assign(outlet=outlet_labels(quotes))
    counts = frame.pivot_table(index="outlet", columns="kind", values="start", aggfunc="size", fill_value=0)
    counts = counts.reindex(columns=list(KINDS), fill_value=0)
    counts.columns = [f"n_{kind}" for kind in KINDS]
    counts["n_quotes"] = counts.sum(axis=1)
    for kind in KINDS:
        counts[f"share_{kind}"] = (counts[f"n_{kind}"] / counts["n_quotes"]).round(2)
    return counts.reset_index().sort_values("outlet", ignore_index=True)


def shared_quotes(quotes: pd.DataFrame) -> pd.DataFrame:
    """Quotes found in more than one article, with where they first appeared."""
    spread = quote_spread(quotes)
    return spread.assign(first_outlet=outlet_labels(spread, outlet="first_outlet", article="first_article"))


def quote_finding(quotes: pd.DataFrame) -> str:
    """One sentence: how many quotes, the most quoted speaker, and how many quotes travel."""
    if quotes.empty:
        return "No quotes were found."
    speakers = _speaker(quotes)
    resolved = speakers[speakers != UNRESOLVED]
    counts = resolved.value_counts()
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0] if len(counts) else None
    kinds = quotes["kind"].value_counts()
    shared = len(quote_spread(quotes))
    unresolved = len(speakers) - len(resolved)
    n_articles = quotes["article_id"].nunique()
    parts = [
        f"{counted(len(quotes), 'quote')} in {counted(n_articles, 'article')} "
        f"({kinds.get('direct', 0)} direct, {kinds.get('partial', 0)} partial, "
        f"{kinds.get('indirect', 0)} reported)",
        f"{top[0]} is quoted most ({counted(top[1], 'time')})" if top else "no speaker could be resolved",
        f"{unresolved} {'has' if unresolved == 1 else 'have'} no resolved speaker",
        f"{counted(shared, 'quote')} {'appears' if shared == 1 else 'appear'} in more than one article",
    ]
    return "; ".join(parts) + "."
