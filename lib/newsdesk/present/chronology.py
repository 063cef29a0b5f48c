"""Tables and findings for the chronology notebook: publication dates, timexes and the timeline."""

from __future__ import annotations

import pandas as pd

from newsdesk.analysis.chronology import value_period
from newsdesk.metadata.outlets import outlet_labels


def date_comparison(dates: pd.DataFrame) -> pd.DataFrame:
    """Per article: given and inferred date, whether they agree, and the date used (sorted by article)."""
    table = dates.assign(outlet=outlet_labels(dates))
    both = table["given"].notna() & table["inferred"].notna()
    agrees = pd.Series(pd.NA, index=table.index, dtype="boolean")
    agrees[both] = (table.loc[both, "given"] == table.loc[both, "inferred"]).to_numpy()
    table = table.assign(agrees=agrees)
    for column in ("given", "inferred", "effective_date"):
        table[column] = table[column].dt.date
    columns = ["article_id", "outlet", "given", "inferred", "inferred_source", "confidence", "agrees",
               "effective_date", "date_source"]  # fmt: skip
    return table[columns].sort_values("article_id", ignore_index=True)


def date_finding(dates: pd.DataFrame) -> str:
    """One sentence: how many dates come from the manifest, from inference, or are unknown."""
    counts = dates["date_source"].value_counts()
    both = dates["given"].notna() & dates["inferred"].notna()
    agree = int((dates.loc[both, "given"] == dates.loc[both, "inferred"]).sum())
    checked = (
        f"; where both exist, inference agrees with the manifest for {agree} of {int(both.sum())}"
        if both.any()
        else ""
    )
    return (
        f"Of {len(dates)} articles, {counts.get('manifest', 0)} take their date from the manifest, "
        f"{counts.get('inferred', 0)} from inference and {counts.get('unknown', 0)} have none{checked}."
    )


def timex_summary(timexes: pd.DataFrame, dates: pd.DataFrame) -> pd.DataFrame:
    """Per article: its effective date and source, temporal expressions found, and how many are dated."""
    known = {v: value_period(v) is not None for v in timexes["value"].unique()}
    dated = timexes["type"].isin(["DATE", "TIME"]) & timexes["value"].map(known).fillna(False).astype(bool)
    counts = (
        timexes.assign(dated=dated)
        .groupby("article_id")
        .agg(n_timexes=("value", "size"), n_dated=("dated", "sum"))
        .reset_index()
    )
    table = dates[["article_id", "outlet", "effective_date", "date_source"]].merge(
        counts, on="article_id", how="left"
    )
    table = table.assign(outlet=outlet_labels(table), effective_date=table["effective_date"].dt.date)
    for column in ("n_timexes", "n_dated"):
        table[column] = table[column].fillna(0).astype("int64")
    return table.sort_values("article_id", ignore_index=True)


def timeline_table(events: pd.DataFrame) -> pd.DataFrame:
    """The rows behind the chart: date, outlet label, article, timex, value, event and the sentence."""
    table = events.assign(outlet=outlet_labels(events), date=events["date"].dt.date)
    columns = ["date", "outlet", "article_id", "timex", "value", "granularity", "event", "conflict",
               "conflict_with", "sentence"]  # fmt: skip
    return table[columns].reset_index(drop=True)


def conflict_table(events: pd.DataFrame) -> pd.DataFrame:
    """Flagged mentions only, grouped by event: who dated it when, and in which sentence."""
    flagged = events[events["conflict"].astype(bool)]
    table = flagged.assign(outlet=outlet_labels(flagged), date=flagged["date"].dt.date)
    columns = ["event_key", "date", "value", "outlet", "article_id", "conflict_with", "sentence"]
    return table[columns].sort_values(["event_key", "date", "article_id"], ignore_index=True)


def timeline_finding(events: pd.DataFrame, dates: pd.DataFrame) -> str:
    """One sentence: dated mentions, articles, date span, labelled events and conflicts."""
    undated = int((dates["date_source"] == "unknown").sum())
    note = (
        f"; {undated} article(s) without an effective date contribute only absolute dates" if undated else ""
    )
    if events.empty:
        return f"No dated event mentions were found{note}."
    keyed = events["event_key"].dropna()
    conflicts = events.loc[events["conflict"].astype(bool), "event_key"].nunique()
    return (
        f"{len(events)} dated mention(s) in {events['article_id'].nunique()} article(s), periods starting "
        f"{events['date'].min():%Y-%m-%d} to {events['date'].max():%Y-%m-%d}; "
        f"{int(events['event'].notna().sum())} have an event label, {keyed.nunique()} distinct "
        f"comparable event(s), {conflicts} with conflicting dates{note}."
    )
