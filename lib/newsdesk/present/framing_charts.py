"""Charts for the framing notebook (house style from :mod:`newsdesk.present.charts`), one per question.

Each function takes the table of the same name in :mod:`newsdesk.analysis.framing` and a list of groups to
show (the largest ones); tooltips carry the counts behind every share.
"""

from __future__ import annotations

import hashlib
import re

import altair as alt
import numpy as np
import pandas as pd

from newsdesk.analysis.framing import Z_DISTINCTIVE
from newsdesk.present import charts  # registers the house theme

#: Terms labelled per group in the keyness funnel.
FUNNEL_LABELS = 6
#: Points per group in the keyness funnel (the most distinctive either way); Altair embeds <= 5000 rows.
FUNNEL_POINTS = 400


def term_choice(terms: pd.DataFrame, groups: list[str], question: str) -> alt.LayerChart:
    """Heat map for one question: rows are groups, columns terms, colour the term's share, text the count."""
    rows = terms[terms["group"].isin(groups) & (terms["question"] == question)]
    data = rows[
        ["group", "question_title", "term", "n_mentions", "question_mentions", "share", "share_low",
         "share_high", "per_10k_words", "n_articles"]
    ].fillna({"share": 0.0})  # fmt: skip
    title = rows["question_title"].iloc[0] if len(rows) else question
    base = alt.Chart(data, title=f"{title} (count in each cell)").encode(
        x=alt.X("term:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160, grid=False)),
        y=alt.Y("group:N", title=None, sort=groups, axis=alt.Axis(labelLimit=260)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title="share", scale=alt.Scale(scheme="blues", domain=[0, 1])),
        tooltip=["group", "term", "n_mentions", "question_mentions",
                 alt.Tooltip("share:Q", format=".0%"), alt.Tooltip("share_low:Q", format=".0%"),
                 alt.Tooltip("share_high:Q", format=".0%"), alt.Tooltip("per_10k_words:Q", format=".1f"),
                 "n_articles"],
    )  # fmt: skip
    labels = base.mark_text(fontSize=11).encode(
        text="n_mentions:Q",
        color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("black")),
    )
    return alt.layer(cells, labels)


#: Colours that follow meaning: a neutral verb is grey, a contested one orange, an evaluative one red.
VERB_CLASS_COLOURS = {
    "neutral": "#9e9e9e", "emphatic": "#4c78a8", "contested": "#f58518", "evaluative": "#c0392b",
    "other": "#d9d9d9",
}  # fmt: skip


def _stacked_shares(data: pd.DataFrame, groups: list[str], *, category: str, count: str, title: str,
                    legend: str, colours: dict[str, str] | None = None) -> alt.Chart:  # fmt: skip
    data = data[data["group"].isin(groups)]
    scale = (
        alt.Scale(domain=list(colours), range=list(colours.values())) if colours else alt.Undefined
    )
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"sum({count}):Q", stack="normalize", title="share", axis=alt.Axis(format="%")),
            y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(f"{category}:N", title=legend, scale=scale),
            order=alt.Order(f"{category}:N"),
            tooltip=["group", category, count],
        )
    )


def verb_classes(classes: pd.DataFrame, groups: list[str]) -> alt.Chart:
    """Share of quotes per group by the class of their attribution verb."""
    return _stacked_shares(classes, groups, category="verb_class", count="n_quotes",
                           title="How quotes are introduced", legend="verb class",
                           colours=VERB_CLASS_COLOURS)  # fmt: skip


def voices(voice_table: pd.DataFrame, groups: list[str]) -> alt.Chart:
    """Share of quotes per group by the speaker's affiliation."""
    return _stacked_shares(voice_table, groups, category="affiliation", count="n_quotes",
                           title="Whose voices appear (share of quotes)", legend="speaker")  # fmt: skip


def hedges(hedge_table: pd.DataFrame, groups: list[str]) -> alt.Chart:
    """Hedges and boosters per 1,000 words per group, with 95% intervals."""
    data = hedge_table[hedge_table["group"].isin(groups)]
    base = alt.Chart(data, title="Hedges and boosters per 1,000 words (95% interval)").encode(
        y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260)),
        yOffset="question:N",
        color=alt.Color("question:N", title=None),
    )
    rules = base.mark_rule().encode(x=alt.X("per_1k_low:Q", title="per 1,000 words"), x2="per_1k_high:Q")
    points = base.mark_point(filled=True, size=60).encode(
        x="per_1k_words:Q", tooltip=["group", "question", "n_mentions", "n_words",
                                     alt.Tooltip("per_1k_words:Q", format=".2f")],
    )  # fmt: skip
    return alt.layer(rules, points)


def keyness_funnel(table: pd.DataFrame, group: str) -> alt.LayerChart:
    """One group against the rest: each term's z-score against how often it occurs in the corpus.

    The most distinctive terms either way are named; at most ``FUNNEL_POINTS`` points are drawn.
    """
    data = table.assign(total=table.groupby("term")["count"].transform("sum"))
    data = data[data["group"] == group].copy()
    under = np.where(data["z"] <= -Z_DISTINCTIVE, "under-used", "neither")
    data["distinctive"] = np.where(data["z"] >= Z_DISTINCTIVE, "over-used", under)
    data["strength"] = data["z"].abs()
    data = data.sort_values("strength", ascending=False).head(FUNNEL_POINTS)
    data["label"] = np.where(np.arange(len(data)) < FUNNEL_LABELS, data["term"], "")
    data = data.drop(columns="strength")
    ticks = [v for v in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)
             if v <= max(int(data["total"].max()) if len(data) else 1, 1) * 2]  # fmt: skip
    base = alt.Chart(data, title=f"Distinctive terms: {group} against the rest").encode(
        x=alt.X("total:Q", scale=alt.Scale(type="log"), title="uses in the corpus (log)",
                axis=alt.Axis(values=ticks, grid=False)),
        y=alt.Y("z:Q", title="z-score (log-odds, informative prior)"),
    )  # fmt: skip
    points = base.mark_circle(size=30, opacity=0.6).encode(
        color=alt.Color("distinctive:N", title=f"|z| >= {Z_DISTINCTIVE}",
                        scale=alt.Scale(domain=["over-used", "neither", "under-used"],
                                        range=["#c0392b", "#bbbbbb", "#2c7fb8"])),
        tooltip=["term", "count", "total", alt.Tooltip("log_odds:Q", format=".2f"),
                 alt.Tooltip("z:Q", format=".2f")],
    )  # fmt: skip
    labels = base.mark_text(align="left", dx=4, fontSize=10).encode(text="label:N")
    return alt.layer(points, labels)


def tone(tone_table: pd.DataFrame, groups: list[str]) -> alt.LayerChart:
    """Mean sentence tone per group with its 95% interval."""
    data = tone_table[tone_table["group"].isin(groups)]
    base = alt.Chart(data, title="Mean sentence tone (VADER compound, 95% interval)").encode(
        y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260))
    )
    rules = base.mark_rule().encode(x=alt.X("tone_low:Q", title="tone", scale=alt.Scale(domain=[-1, 1])),
                                    x2="tone_high:Q")  # fmt: skip
    points = base.mark_point(filled=True, size=70).encode(
        x="tone:Q", tooltip=["group", "n_sentences", alt.Tooltip("tone:Q", format="+.2f"),
                             alt.Tooltip("negative:Q", format=".0%"),
                             alt.Tooltip("positive:Q", format=".0%")],
    )  # fmt: skip
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#888", strokeDash=[3, 3]).encode(x="x:Q")
    return alt.layer(rules, points, zero)


#: A tone cell built from fewer sentences than this is drawn "too few", not in a colour.
MIN_CELL_SENTENCES = 3
TOO_FEW_COLOUR = "#eeeeee"


def entity_tone(table: pd.DataFrame, groups: list[str]) -> alt.LayerChart:
    """Mean tone of sentences naming each entity, per group (diverging colour, count as text); a cell
    of fewer than ``MIN_CELL_SENTENCES`` sentences is light grey and says "too few"."""
    data = table[table["group"].isin(groups)].assign(
        label=lambda f: [
            f"{n} (too few)" if n < MIN_CELL_SENTENCES else str(n) for n in f["n_sentences"].astype(int)
        ]
    )
    base = alt.Chart(data, title="Tone of sentences naming each entity").encode(
        x=alt.X("entity:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160, grid=False)),
        y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260)),
    )
    colour = alt.Color("tone:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1]), title="tone")
    cells = base.mark_rect().encode(
        color=alt.condition(f"datum.n_sentences < {MIN_CELL_SENTENCES}", alt.value(TOO_FEW_COLOUR), colour),
        tooltip=["entity", "group", "n_sentences", alt.Tooltip("tone:Q", format="+.2f")],
    )
    return alt.layer(cells, base.mark_text(fontSize=10).encode(text="label:N"))


def chart_name(prefix: str, label: str) -> str:
    """A file-stem chart name from a question key or group label: ``04_terms_war_naming``.

    A label that loses characters on the way (新华社, "Reuters / AP", or a very long one) gets a short
    hash of the whole label as well, so two such labels never share a file.
    """
    stem = re.sub(r"[^\w.-]+", "_", label, flags=re.ASCII).strip("_.-")
    if stem == label and len(stem) <= 60:
        return f"{prefix}_{stem}"
    digest = hashlib.sha256(label.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}_{stem[:50]}_{digest}" if stem else f"{prefix}_{digest}"


def of_groups(chart: alt.TopLevelMixin, groups: list[str], n_groups: int) -> alt.TopLevelMixin:
    """``chart`` with the note "The N largest of M groups ..." when it draws fewer groups than there are."""
    if len(groups) >= n_groups:
        return chart
    return charts.annotate(
        chart, f"The {len(groups)} largest of {n_groups} groups (most articles, then name); tables show all."
    )
