"""One house style for every newsdesk chart, and the exports that go into memos.

How notebooks use it (00-05 follow this; an analyst's own notebook can too)::

    # parameters cell: the briefing parameters every notebook declares, then its own
    data_dir = "../data"
    title = None
    since = None                            # "YYYY-MM-DD" or None
    until = None
    outlets = None                          # list of outlet names or None
    undated = "keep"                        # or "drop": articles without a date, given since/until
    export_dir = None                       # the briefing sets it to <out>/charts

    # import-and-load cell
    corpus = newsdesk.load_corpus(data_dir).select(since=since, until=until, outlets=outlets, undated=undated)
    charts.use_corpus(corpus, export_dir=export_dir)
    print(corpus.selection)

    # a chart cell, tagged nbval-ignore-output
    charts.show(charts.timeline(events), "03_timeline")

- ``use_corpus`` fixes, for the whole notebook, the colour of each outlet (named outlets by number of
  articles, then name: the same outlet has the same colour in every chart of every notebook run on that
  corpus) and the source line, "Source: N articles from M outlets, DATE–DATE".
- ``show(chart, name)`` adds the source line (and any "and N more" note the chart function left),
  displays the chart and, when an export folder is set, writes ``<name>.png`` (2x), ``<name>.svg`` and
  ``<name>.csv`` (the table behind the chart) there. Names are file stems: prefix them with the
  notebook's number (``"04_framing_terms"``) so that names stay unique across a briefing.
- ``save(chart, name, folder)`` writes the same three files anywhere, for an analyst's own chart.
- Chart functions (``article_lengths``, ``timeline`` ...) take tidy frames, aggregate before plotting,
  show at most ``TOP`` items where a chart would draw one mark per item (saying how many more there
  are) and let a click on the legend highlight one outlet. A new one follows the same recipe:
  ``with_outlet_colors(frame)`` for the outlet colour column and encoding, ``outlet_highlight()`` for
  the legend click, ``top_items(...)`` to cut a long list and ``annotate(chart, note)`` to say so.

Every chart is exactly ``WIDTH`` x ``HEIGHT`` pixels, title, axes and legend included (Vega-Lite
``autosize: fit``). The font, Source Sans Pro, comes from the ``font-source-sans-pro`` package and is
registered with vl-convert, so PNG and SVG exports are laid out the same on every machine; the HTML
report embeds the same font files. The ``newsdesk`` Altair renderer (enabled on import) stores each chart's
Vega-Lite spec, not HTML: JupyterLab draws it with the Vega libraries it bundles and the briefing's
report with the libraries vl-convert ships, so charts draw offline in both.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd

from newsdesk.core.export import write_csv
from newsdesk.metadata.outlets import outlet_labels

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

THEME = "newsdesk"
#: Size of a whole chart in pixels (title, axes and legend included); PNG exports are ``SCALE`` times this.
WIDTH, HEIGHT = 640, 400
SCALE = 2
FONT = "Source Sans Pro"
#: Font stack: the packaged font first; browsers without it (JupyterLab) fall back to the next ones.
FONT_STACK = f"{FONT}, Helvetica Neue, Arial, sans-serif"
#: Font files shipped by the ``font-source-sans-pro`` package, embedded in the HTML report.
FONT_FILES = {"normal": "SourceSansPro-Regular.otf", "bold": "SourceSansPro-Bold.otf"}
#: Altair embeds at most this many rows in a chart; larger inputs are aggregated first.
MAX_ROWS = 5000
#: At most this many items (articles, outlets) get a mark of their own; the rest are counted in a note.
TOP = 25
#: Mimetype under which the ``newsdesk`` renderer stores each chart's Vega-Lite spec in notebook outputs.
SPEC_MIMETYPE = "application/vnd.vegalite.v6+json"
#: The newest Vega-Lite mimetype JupyterLab renders with its bundled libraries (offline); v6 specs draw.
JUPYTERLAB_MIMETYPE = "application/vnd.vegalite.v5+json"
#: Colour-blind-safe categorical colours (Tableau 10 without its grey), given to named outlets in order.
OUTLET_COLORS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
)  # fmt: skip
OTHER_OUTLETS = "other outlets"
UNKNOWN_OUTLET = "outlet not stated"
OTHER_COLOR, UNKNOWN_COLOR = "#8c8c8c", "#c9c9c9"
#: Colours of stripping reasons: kept lines dark blue and light blue, dropped lines warm to grey.
REASON_COLORS = {
    "body": "#2b5d8a",
    "title": "#79a6d2",
    "share-bar": "#e15759",
    "read-more": "#f28e2b",
    "related-headlines": "#edc948",
    "caption": "#b07aa1",
    "byline-metadata": "#9c755f",
    "comment-form": "#ff9da7",
    "navigation": "#76b7b2",
    "contact": "#59a14f",
    "duplicate-paragraph": "#bab0ac",
    "fragment": "#d4a6c8",
    "repeated-across-site": "#7f7f7f",
    "outside-article": "#b6992d",
}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_USERMETA = "newsdesk"


# --- fonts and theme ----------------------------------------------------------------------------------


def font_dir() -> Path:
    """The folder of font files installed by the ``font-source-sans-pro`` package."""
    return Path(str(resources.files("font_source_sans_pro") / "files"))


@cache
def register_fonts() -> None:
    """Register the packaged font with vl-convert (once per process), so exports do not use system fonts."""
    import vl_convert

    vl_convert.register_font_directory(str(font_dir()))


def font_face_css() -> str:
    """``@font-face`` rules that embed the packaged font (regular and bold) as data URLs."""
    rules = []
    for weight, filename in FONT_FILES.items():
        data = base64.b64encode((font_dir() / filename).read_bytes()).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: '{FONT}'; font-style: normal; font-weight: {weight}; "
            f"src: url(data:font/otf;base64,{data}) format('opentype'); }}"
        )
    return "\n".join(rules)


@alt.theme.register(THEME, enable=True)
def newsdesk_theme() -> alt.theme.ThemeConfig:
    """Size, font, text sizes and neutral colours shared by every newsdesk chart."""
    return {
        "config": {
            "autosize": {"type": "fit", "contains": "padding"},
            "padding": 8,
            "view": {
                "continuousWidth": WIDTH,
                "continuousHeight": HEIGHT,
                "discreteWidth": WIDTH,
                "discreteHeight": HEIGHT,
                "stroke": None,
            },
            "font": FONT_STACK,
            "title": {
                "fontSize": 16,
                "fontWeight": "bold",
                "anchor": "start",
                "color": "#222222",
                "subtitleFontSize": 11,
                "subtitleColor": "#666666",
                "subtitlePadding": 4,
                "offset": 10,
            },
            "axis": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "labelColor": "#444444",
                "titleColor": "#444444",
                "grid": False,
                "labelLimit": 220,
            },
            "axisX": {"grid": True, "gridColor": "#ececec"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 200, "symbolType": "square"},
            "range": {"category": list(OUTLET_COLORS)},
            "bar": {"color": OUTLET_COLORS[0]},
            "point": {"color": OUTLET_COLORS[0]},
        }
    }


# --- outlets, source line and export folder for one corpus ----------------------------------------------


@dataclass(frozen=True)
class OutletPalette:
    """Named outlets that get a colour of their own, in colour order; the rest share two greys."""

    outlets: tuple[str, ...] = ()

    def colour_group(self, outlets: pd.Series) -> pd.Series:
        """Each value's colour group: the outlet itself, ``OTHER_OUTLETS`` or ``UNKNOWN_OUTLET``.

        Missing outlets and the labels ``describe`` uses for them ("(unknown: <id>)", "(not stated)")
        are ``UNKNOWN_OUTLET``: articles whose outlet is not known are never given an outlet's colour.
        """
        text = outlets.astype("string").str.strip()
        unknown = text.isna() | (text == "") | text.str.startswith("(unknown").fillna(True)
        unknown |= text == "(not stated)"
        named = text.isin(list(self.outlets)).fillna(False).astype(bool)
        return pd.Series(
            np.where(unknown, UNKNOWN_OUTLET, np.where(named, text.fillna(""), OTHER_OUTLETS)),
            index=outlets.index,
            dtype=object,
        )

    def colors(self) -> dict[str, str]:
        """Colour group -> colour, for every group this palette can produce."""
        mapping = dict(zip(self.outlets, OUTLET_COLORS, strict=False))
        return {**mapping, OTHER_OUTLETS: OTHER_COLOR, UNKNOWN_OUTLET: UNKNOWN_COLOR}


def outlet_palette(outlets: pd.Series) -> OutletPalette:
    """The palette for a corpus: named outlets by number of articles (most first), then by name."""
    named = outlets.dropna().astype(str).str.strip()
    named = named[(named != "") & ~named.str.startswith("(unknown") & (named != "(not stated)")]
    counts = named.value_counts()
    order = sorted(counts.index, key=lambda name: (-counts[name], name))
    return OutletPalette(tuple(order[: len(OUTLET_COLORS)]))


def source_line(articles: pd.DataFrame) -> str:
    """ "Source: N articles from M outlets, DATE–DATE", with unstated outlets and dates counted."""
    n = len(articles)
    named = articles["outlet"].dropna().astype(str).str.strip()
    named = named[named != ""]
    m = named.nunique()
    text = f"Source: {n} article{'s' if n != 1 else ''}"
    if m == 0:
        text += " (outlets not stated)"
    else:
        text += f" from {m} outlet{'s' if m != 1 else ''}"
        text += f" ({n - len(named)} not stated)" if len(named) < n else ""
    dates = articles["published_date"].dropna()
    if len(dates):
        first, last = f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"
        text += f", {first}" if first == last else f", {first}–{last}"
        if len(dates) < n:
            text += f" ({n - len(dates)} undated)"
    else:
        text += ", publication dates not stated"
    return text


@dataclass
class _Context:
    palette: OutletPalette | None = None
    source: str | None = None
    export_dir: Path | None = None
    exported: dict[str, Path] = field(default_factory=dict)


_CONTEXT = _Context()


def use_corpus(corpus: Corpus | pd.DataFrame, *, export_dir: str | Path | None = None) -> None:
    """Fix outlet colours and the source line for ``corpus`` (or its articles); set the export folder.

    With ``export_dir`` (the briefing passes ``<out>/charts``) every ``show`` also writes PNG, SVG and
    CSV there; ``None`` only displays.
    """
    articles = corpus if isinstance(corpus, pd.DataFrame) else corpus.articles
    _CONTEXT.palette = outlet_palette(articles["outlet"])
    _CONTEXT.source = source_line(articles)
    _CONTEXT.export_dir = Path(export_dir) if export_dir else None
    _CONTEXT.exported = {}


def reset() -> None:
    """Forget the corpus set by ``use_corpus`` (colours then follow each chart's own data)."""
    global _CONTEXT
    _CONTEXT = _Context()


def with_outlet_colors(frame: pd.DataFrame, column: str = "outlet") -> tuple[pd.DataFrame, alt.Color]:
    """``frame`` with an ``outlet_color`` column (colour group) and the colour encoding for it.

    The palette is the corpus's (``use_corpus``), else one made from ``frame``. The scale lists only
    the groups present, each with its fixed colour, so an outlet keeps its colour in every chart.
    """
    palette = _CONTEXT.palette or outlet_palette(frame[column])
    groups = palette.colour_group(frame[column])
    colors = palette.colors()
    present = [group for group in colors if (groups == group).any()]
    placement = {"orient": "bottom", "columns": 4} if len(present) > 4 else {}
    encoding = alt.Color(
        "outlet_color:N",
        title="outlet",
        scale=alt.Scale(domain=present, range=[colors[g] for g in present]),
        legend=alt.Legend(symbolOpacity=1, **placement),
    )
    return frame.assign(outlet_color=groups.to_numpy()), encoding


def outlet_highlight() -> tuple[alt.Parameter, Any]:
    """A click on the legend selects an outlet; the opacity condition dims the others."""
    pick = alt.selection_point(name="pick_outlet", fields=["outlet_color"], bind="legend")
    return pick, alt.condition(pick, alt.value(1.0), alt.value(0.2))


def top_items(
    frame: pd.DataFrame,
    key: str,
    weight: str | None,
    *,
    top: int = TOP,
    what: str = "items",
    measure: str = "rows",
) -> tuple[pd.DataFrame, str | None]:
    """The rows of the ``top`` values of ``key`` (by summed ``weight``, else by rows), and a note.

    Ties are broken by ``key`` so that the choice does not depend on row order. The note says what is
    shown and how many more there are ("Showing the 25 articles with the most characters; 175 more
    not shown."), or is None when nothing was left out.
    """
    sizes = frame.groupby(key)[weight].sum() if weight else frame.groupby(key).size()
    ranked = sorted(sizes.index, key=lambda k: (-sizes[k], str(k)))
    if len(ranked) <= top:
        return frame, None
    keep = set(ranked[:top])
    note = f"Showing the {top} {what} with the most {measure}; {len(ranked) - top} more not shown."
    return frame[frame[key].isin(keep)], note


def annotate(chart: alt.TopLevelMixin, *notes: str | None) -> alt.TopLevelMixin:
    """Attach notes (shown under the title by ``style``) to ``chart``; None notes are skipped."""
    meta = _meta(chart)
    meta["notes"] = [*meta.get("notes", []), *(n for n in notes if n)]
    return chart.properties(usermeta={_USERMETA: meta})


def _meta(chart: alt.TopLevelMixin) -> dict[str, Any]:
    usermeta = chart.usermeta if chart.usermeta is not alt.Undefined else {}
    return dict(usermeta.get(_USERMETA, {}))


# --- style, show and save -----------------------------------------------------------------------------------


def _title_parts(chart: alt.TopLevelMixin) -> tuple[Any, list[str]]:
    """The title text and subtitle lines of ``chart`` (or of its first titled layer)."""
    title = chart.title if chart.title is not alt.Undefined else None
    if title is None:
        for layer in getattr(chart, "layer", []) or []:
            if getattr(layer, "title", alt.Undefined) is not alt.Undefined:
                title = layer.title
                break
    if isinstance(title, alt.TitleParams):
        title = title.to_dict()
    if isinstance(title, dict):
        subtitle = title.get("subtitle", [])
        return title.get("text", ""), [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return title or "", []


def style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A copy of ``chart`` with its notes and the corpus's source line under the title (applied once).

    A subtitle the chart already has stays first.
    """
    meta = _meta(chart)
    if meta.get("styled"):
        return chart
    styled = copy.deepcopy(chart)
    text, subtitle = _title_parts(styled)
    lines = [*subtitle, *meta.get("notes", []), *([_CONTEXT.source] if _CONTEXT.source else [])]
    if isinstance(styled, alt.LayerChart):
        for layer in styled.layer:
            if getattr(layer, "title", alt.Undefined) is not alt.Undefined:
                layer.title = alt.Undefined
    styled.title = alt.TitleParams(text=text or " ", subtitle=lines) if lines else (text or alt.Undefined)
    return styled.properties(usermeta={_USERMETA: {**meta, "styled": True}})


def chart_data(chart: alt.TopLevelMixin) -> pd.DataFrame | None:
    """The table behind ``chart``: its data frame, else the first data frame among its layers/views."""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        return data
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        for part in getattr(chart, attr, None) or []:
            found = chart_data(part)
            if found is not None:
                return found
    return None


def to_png(chart: alt.TopLevelMixin, *, scale: float = SCALE) -> bytes:
    """The chart as PNG (vl-convert, packaged font, ``scale`` times ``WIDTH`` x ``HEIGHT``)."""
    import vl_convert

    register_fonts()
    return vl_convert.vegalite_to_png(chart.to_dict(), vl_version=_vl_version(), scale=scale)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG (vl-convert, text laid out with the packaged font)."""
    import vl_convert

    register_fonts()
    return vl_convert.vegalite_to_svg(chart.to_dict(), vl_version=_vl_version())


def _vl_version() -> str:
    return "_".join(alt.SCHEMA_VERSION.split(".")[:2])


def save(
    chart: alt.TopLevelMixin, name: str, folder: str | Path = "reports/charts", *, scale: float = SCALE
) -> list[Path]:
    """Write ``chart`` in the house style as ``<folder>/<name>.png``, ``.svg`` and ``.csv``; return the paths.

    The CSV is the table behind the chart (omitted when the chart has no data frame). ``name`` is a file
    stem: letters, digits, ``_``, ``-`` and ``.``.
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"chart name {name!r} must be a file stem (letters, digits, _ - .)")
    styled = style(chart)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png, svg, csv = (folder / f"{name}{suffix}" for suffix in (".png", ".svg", ".csv"))
    png.write_bytes(to_png(styled, scale=scale))
    svg.write_text(to_svg(styled), encoding="utf-8")
    paths = [png, svg]
    data = chart_data(styled)
    if data is not None:
        write_csv(data, csv)
        paths.append(csv)
    return paths


def show(chart: alt.TopLevelMixin, name: str) -> None:
    """Display ``chart`` in the house style; with an export folder set (``use_corpus``), also ``save`` it.

    Raises ValueError when ``name`` was already exported in this session (two charts, one file).
    """
    styled = style(chart)
    folder = _CONTEXT.export_dir
    if folder is not None:
        if name in _CONTEXT.exported:
            raise ValueError(f"a chart named {name!r} was already exported; give each chart its own name")
        save(styled, name, folder)
        _CONTEXT.exported[name] = folder
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with the notebook dependencies
        return
    if get_ipython() is not None:
        display(styled)


# --- renderer: the spec beside the HTML, so the briefing can draw charts offline ----------------------------


class SafeJSONEncoder(json.JSONEncoder):
    """JSON that is safe inside an HTML ``<script>``: ``<``, ``>`` and ``&`` are written as escapes."""

    def encode(self, o: Any) -> str:
        text = super().encode(o)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_json(value: Any) -> str:
    """``value`` as JSON for inlining in a ``<script>`` element (no ``</script>`` can close it early)."""
    return json.dumps(value, cls=SafeJSONEncoder, sort_keys=False)


def render(spec: dict, **metadata: Any) -> dict[str, Any]:
    """Altair renderer ``newsdesk``: the spec under JupyterLab's Vega-Lite mimetype and ``SPEC_MIMETYPE``.

    JupyterLab draws the first with the Vega libraries it bundles (no CDN, so charts draw offline and
    stay interactive); the briefing's report reads the second and draws it with the Vega libraries
    inlined. No HTML with scripts is stored in the notebook.
    """
    return {
        JUPYTERLAB_MIMETYPE: spec,
        SPEC_MIMETYPE: spec,
        "text/plain": f"<newsdesk chart: {_spec_title(spec)}>",
    }


def _spec_title(spec: dict) -> str:
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title).strip() or "untitled"


alt.renderers.register(THEME, render)
alt.renderers.enable(THEME)


# --- chart functions ----------------------------------------------------------------------------------------


def article_lengths(overview: pd.DataFrame, *, top: int = TOP) -> alt.Chart:
    """Horizontal bars: characters per article (the ``top`` longest), coloured by outlet."""
    frame = overview[["article_id", "outlet", "n_chars"]]
    frame, note = top_items(frame, "article_id", "n_chars", top=top, what="articles", measure="characters")
    data, color = with_outlet_colors(frame.assign(outlet=outlet_labels(frame)))
    pick, opacity = outlet_highlight()
    chart = (
        alt.Chart(data, title="Article length")
        .mark_bar()
        .encode(
            x=alt.X("n_chars:Q", title="characters"),
            y=alt.Y("article_id:N", sort="-x", title=None),
            color=color,
            opacity=opacity,
            tooltip=["article_id", "outlet", alt.Tooltip("n_chars:Q", format=",")],
        )
        .add_params(pick)
    )
    return annotate(chart, note)


def stripping_by_reason(counts: pd.DataFrame, *, top: int = TOP) -> alt.Chart:
    """Stacked bars: characters per article (the ``top`` largest), split by why lines were kept or dropped."""
    data, note = top_items(counts, "article_id", "n_chars", top=top, what="articles", measure="characters")
    present = [reason for reason in REASON_COLORS if reason in set(data["reason"].astype(str))]
    data = data.assign(reason=data["reason"].astype(str))
    chart = (
        alt.Chart(data, title="What stripping kept and dropped, by reason")
        .mark_bar()
        .encode(
            x=alt.X("sum(n_chars):Q", title="characters"),
            y=alt.Y("article_id:N", sort="-x", title=None),
            color=alt.Color(
                "reason:N",
                title="reason",
                scale=alt.Scale(domain=present, range=[REASON_COLORS[r] for r in present]),
            ),
            order=alt.Order("reason_rank:Q"),
            tooltip=["article_id", "reason", "n_lines", alt.Tooltip("n_chars:Q", format=",")],
        )
        .transform_calculate(reason_rank=f"indexof({json.dumps(present)}, datum.reason)")
    )
    return annotate(chart, note)


def speaker_counts(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: quotes per named speaker, coloured by outlet (from ``quote_report.speaker_counts``).

    Outlets are summed per colour group first (articles of unstated outlet together), so the chart
    has at most one bar segment per speaker and colour. The rows for unresolved speakers and for
    "(N more speakers)" are not drawn, since either can dwarf every named speaker; a note counts them.
    """
    from newsdesk.present.quotes import UNRESOLVED

    rest = counts["speaker"].astype(str).str.fullmatch(r"\(\d+ more speakers\)")
    unresolved = counts["speaker"] == UNRESOLVED
    notes = []
    if unresolved.any():
        notes.append(
            f"Not drawn: {int(counts.loc[unresolved, 'n_quotes'].sum()):,} quotes without a resolved speaker."
        )
    if rest.any():
        label = counts.loc[rest, "speaker"].iloc[0].strip("()")
        notes.append(f"Not drawn: {int(counts.loc[rest, 'n_quotes'].sum()):,} quotes by {label}.")
    named = counts[~rest & ~unresolved]
    order = named.groupby("speaker", sort=False)["n_quotes"].sum().index.tolist()
    coloured, color = with_outlet_colors(named)
    data = coloured.groupby(["speaker", "outlet_color"], sort=False, as_index=False).agg(
        n_quotes=("n_quotes", "sum"), n_outlets=("outlet", "nunique")
    )
    pick, opacity = outlet_highlight()
    chart = (
        alt.Chart(data, title="Who is quoted, by outlet")
        .mark_bar()
        .encode(
            x=alt.X("sum(n_quotes):Q", title="quotes"),
            y=alt.Y("speaker:N", sort=order, title=None),
            color=color,
            opacity=opacity,
            tooltip=["speaker", alt.Tooltip("outlet_color:N", title="outlet"), "n_quotes"],
        )
        .add_params(pick)
    )
    return annotate(chart, *notes)


def timeline(
    events: pd.DataFrame, *, max_points: int = MAX_ROWS, top: int = TOP
) -> alt.Chart | alt.LayerChart:
    """Points on a date axis, one row per outlet (unknown outlets per article), colour by outlet.

    Periods longer than a day are drawn as a bar from start to end behind their point; conflicting
    mentions are drawn as crosses; the tooltip shows the sentence behind each point. Only the ``top``
    rows with the most mentions are drawn (a note counts the rest). Above ``max_points`` mentions the
    chart shows counts per outlet and day instead (Altair embeds at most 5000 rows).
    """
    data = events.assign(outlet=outlet_labels(events))
    data, note = top_items(
        data, "outlet", None, top=top, what="rows (outlets or articles)", measure="mentions"
    )
    far = outlying_dates(data["date"]) if len(data) else pd.Series(False, index=data.index)
    if far.any():
        outliers = data[far].sort_values("date").head(5)
        shown = ", ".join(f"{row.date:%Y-%m-%d} (“{row.timex}”)" for row in outliers.itertuples())
        more = f" and {int(far.sum()) - 5} more" if far.sum() > 5 else ""
        note = " ".join(filter(None, [note, f"Far from the rest, left off the axis: {shown}{more}."]))
        data = data[~far]
    pick, opacity = outlet_highlight()
    if len(data) > max_points:
        counts = data.groupby(["outlet", "date"]).size().reset_index(name="n_mentions")
        counts, color = with_outlet_colors(counts)
        chart = (
            alt.Chart(counts, title="Dated event mentions per outlet and day")
            .mark_circle()
            .encode(
                x=alt.X("date:T", title="date"),
                y=alt.Y("outlet:N", title=None),
                size=alt.Size("n_mentions:Q", title="mentions"),
                color=color,
                opacity=opacity,
                tooltip=["outlet", alt.Tooltip("date:T"), "n_mentions"],
            )
            .add_params(pick)
        )
        return annotate(chart, note, f"{len(data):,} mentions: counts per day are shown.")
    data = data.assign(
        marker=np.where(data["conflict"].astype(bool), "conflict", "mention"),
        last_day=data["date_end"] - pd.Timedelta(days=1),
        event=data["event"].fillna(""),
    )[["outlet", "article_id", "date", "last_day", "timex", "value", "event", "marker", "sentence"]]
    data, color = with_outlet_colors(data)
    years = (data["date"].max() - data["date"].min()).days / 365.25 if len(data) else 0
    x = alt.X("date:T", title="date", axis=alt.Axis(format="%Y" if years > 4 else "%b %Y", labelOverlap=True))
    y = alt.Y("outlet:N", title=None, axis=alt.Axis(labelLimit=280))
    base = alt.Chart(data).encode(x=x, y=y, color=color)
    spans = base.transform_filter("datum.last_day > datum.date").mark_rule(strokeWidth=6, opacity=0.35)
    spans = spans.encode(x2="last_day:T")
    shape = alt.Shape(
        "marker:N", title=None, scale=alt.Scale(domain=["mention", "conflict"], range=["circle", "cross"])
    )
    points = (
        base.mark_point(size=80, filled=True)
        .encode(
            shape=shape,
            opacity=opacity,
            tooltip=["article_id", "outlet", "timex", "value", "event", "marker", "sentence"],
        )
        .add_params(pick)
    )
    chart = alt.layer(spans, points).properties(title="Dated events across articles")
    return annotate(chart, note)


def key_dates(table: pd.DataFrame) -> alt.Chart:
    """The memo's key dates (:func:`newsdesk.present.memo.key_events`) on one axis: a labelled point per
    event, in date order, sized by the articles that mention it; a conflict is a cross."""
    data = table.assign(
        date=pd.to_datetime(table["date"]),
        marker=np.where(table["conflict"].astype(bool), "conflict", "mention"),
        event=table["event"].fillna("").str.slice(0, 60),
    )[["date", "event", "n_articles", "n_mentions", "marker", "example"]]
    order = data.sort_values("date")["event"].tolist()
    shape = alt.Shape(
        "marker:N", title=None, scale=alt.Scale(domain=["mention", "conflict"], range=["circle", "cross"])
    )
    return (
        alt.Chart(data, title="Key dates")
        .mark_point(filled=True, color=OUTLET_COLORS[0])
        .encode(
            x=alt.X("date:T", title="date", axis=alt.Axis(format="%d %b %Y", labelOverlap=True)),
            y=alt.Y("event:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            size=alt.Size("n_articles:Q", title="articles", scale=alt.Scale(range=[60, 400])),
            shape=shape,
            tooltip=["event", alt.Tooltip("date:T"), "n_articles", "n_mentions", "example"],
        )
    )


#: Dates this many interquartile ranges (at least ``MIN_SPREAD_DAYS``) beyond the quartiles are far.
FAR_SPREADS = 3.0
MIN_SPREAD_DAYS = 60


def outlying_dates(dates: pd.Series) -> pd.Series:
    """Which dates lie far from the bulk ("In 1945" among mentions of 2022-2025): beyond the quartiles
    by ``FAR_SPREADS`` interquartile ranges (at least ``MIN_SPREAD_DAYS`` days)."""
    values = pd.to_datetime(dates)
    if values.notna().sum() < 4:
        return pd.Series(False, index=dates.index)
    low, high = values.quantile(0.25), values.quantile(0.75)
    spread = max(high - low, pd.Timedelta(days=MIN_SPREAD_DAYS)) * FAR_SPREADS
    return (values < low - spread) | (values > high + spread)


def outlet_colors(palette: OutletPalette | None = None) -> dict[str, str]:
    """Colour group -> colour for the corpus set by ``use_corpus`` (or for ``palette``)."""
    palette = palette or _CONTEXT.palette or OutletPalette()
    return palette.colors()
