"""House style for charts and a helper to export them (PNG and SVG via vl-convert)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from .describe import outlet_labels

THEME = "newsdesk"
WIDTH, HEIGHT = 560, 320
FONT = "DejaVu Sans, Arial, sans-serif"
#: Altair embeds at most this many rows in a chart; larger inputs are aggregated first.
MAX_ROWS = 5000


@alt.theme.register(THEME, enable=True)
def newsdesk_theme() -> alt.theme.ThemeConfig:
    """Sizes, font and neutral colours shared by every newsdesk chart."""
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": FONT,
            "title": {"fontSize": 15, "anchor": "start", "fontWeight": "bold"},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": False},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
            "range": {"category": {"scheme": "tableau10"}},
        }
    }


def article_lengths(overview: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: characters per article, coloured by outlet."""
    data = overview.assign(outlet=overview["outlet"].fillna("(not stated)"))[
        ["article_id", "outlet", "n_chars"]
    ]
    return (
        alt.Chart(data, title="Article length")
        .mark_bar()
        .encode(
            x=alt.X("n_chars:Q", title="characters"),
            y=alt.Y("article_id:N", sort="-x", title=None),
            color=alt.Color("outlet:N", title="outlet"),
            tooltip=["article_id", "outlet", "n_chars"],
        )
    )


def save(chart: alt.TopLevelMixin, name: str, folder: str | Path = "reports/charts") -> list[Path]:
    """Write ``chart`` as ``<folder>/<name>.png`` (2x scale) and ``.svg``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.png", folder / f"{name}.svg"]
    chart.save(str(paths[0]), scale_factor=2)
    chart.save(str(paths[1]))
    return paths


def stripping_by_reason(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: characters per article, split by why each line was kept or dropped."""
    return (
        alt.Chart(counts, title="What stripping kept and dropped, by reason")
        .mark_bar()
        .encode(
            x=alt.X("sum(n_chars):Q", title="characters"),
            y=alt.Y("article_id:N", title=None),
            color=alt.Color("reason:N", title="reason"),
            order=alt.Order("reason:N"),
            tooltip=["article_id", "reason", "n_lines", "n_chars"],
        )
    )


def speaker_counts(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: quotes per speaker, coloured by outlet (from ``quote_report.speaker_counts``)."""
    order = counts.groupby("speaker", sort=False)["n_quotes"].sum().index.tolist()
    return (
        alt.Chart(counts, title="Who is quoted, by outlet")
        .mark_bar()
        .encode(
            x=alt.X("sum(n_quotes):Q", title="quotes"),
            y=alt.Y("speaker:N", sort=order, title=None),
            color=alt.Color("outlet:N", title="outlet"),
            tooltip=["speaker", "outlet", "n_quotes"],
        )
    )


def timeline(events: pd.DataFrame, *, max_points: int = MAX_ROWS) -> alt.Chart | alt.LayerChart:
    """Points on a date axis, one row per outlet (unknown outlets per article), colour by outlet.

    Periods longer than a day are drawn as a bar from start to end behind their point; conflicting
    mentions are drawn as crosses. Above ``max_points`` mentions the chart shows counts per outlet and
    day instead (Altair embeds at most 5000 rows).
    """
    data = events.assign(outlet=outlet_labels(events))
    if len(data) > max_points:
        counts = data.groupby(["outlet", "date"]).size().reset_index(name="n_mentions")
        return (
            alt.Chart(counts, title="Dated event mentions per outlet and day")
            .mark_circle()
            .encode(
                x=alt.X("date:T", title="date"),
                y=alt.Y("outlet:N", title=None),
                size=alt.Size("n_mentions:Q", title="mentions"),
                color=alt.Color("outlet:N", title="outlet"),
                tooltip=["outlet", alt.Tooltip("date:T"), "n_mentions"],
            )
        )
    data = data.assign(
        marker=np.where(data["conflict"].astype(bool), "conflict", "mention"),
        last_day=data["date_end"] - pd.Timedelta(days=1),
        event=data["event"].fillna(""),
    )[["outlet", "article_id", "date", "last_day", "timex", "value", "event", "marker", "sentence"]]
    base = alt.Chart(data, title="Dated events across articles").encode(
        y=alt.Y("outlet:N", title=None, axis=alt.Axis(labelLimit=280)),
        color=alt.Color("outlet:N", title="outlet", legend=alt.Legend(labelLimit=280)),
    )
    spans = base.transform_filter("datum.last_day > datum.date").mark_rule(opacity=0.35, strokeWidth=6)
    spans = spans.encode(x=alt.X("date:T", title="date"), x2="last_day:T")
    points = base.mark_point(size=80, filled=True).encode(
        x="date:T",
        shape=alt.Shape("marker:N", title=None, scale=alt.Scale(domain=["mention", "conflict"],
                                                                range=["circle", "cross"])),
        tooltip=["article_id", "outlet", "timex", "value", "event", "marker", "sentence"],
    )  # fmt: skip
    return alt.layer(spans, points)
