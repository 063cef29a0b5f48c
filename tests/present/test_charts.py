"""House style and exports: theme size, packaged font, stable outlet colours, source line, top-N, safety."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

import newsdesk
from newsdesk.analysis.chronology import timeline
from newsdesk.present import charts


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(autouse=True)
def fresh_context() -> Iterator[None]:
    charts.reset()
    yield
    charts.reset()


@pytest.fixture(scope="module")
def seeds(seed_corpus_dir: Path) -> newsdesk.Corpus:
    return newsdesk.load_corpus(seed_corpus_dir)


def lengths(n: int, outlets: list[str | None] | None = None) -> pd.DataFrame:
    """An overview-like frame of ``n`` articles with distinct lengths."""
    outlets = outlets or [None] * n
    return pd.DataFrame(
        {
            "article_id": [f"a{i:03d}" for i in range(n)],
            "outlet": [outlets[i % len(outlets)] for i in range(n)],
            "n_chars": [1000 + 10 * i for i in range(n)],
        }
    )


def test_theme_is_registered_and_enabled() -> None:
    assert alt.theme.active == charts.THEME
    config = alt.Chart(lengths(3)).mark_bar().encode(x="n_chars:Q").to_dict()["config"]
    assert config["autosize"] == {"type": "fit", "contains": "padding"}
    assert config["font"].startswith("Source Sans Pro")


def test_exports_have_the_theme_size_and_are_deterministic(seeds: newsdesk.Corpus, tmp_path: Path) -> None:
    charts.use_corpus(seeds)
    chart = charts.article_lengths(seeds.articles)
    first = charts.save(chart, "lengths", tmp_path / "one")
    second = charts.save(chart, "lengths", tmp_path / "two")
    assert [p.name for p in first] == ["lengths.png", "lengths.svg", "lengths.csv"]
    png = first[0].read_bytes()
    assert png_size(png) == (charts.WIDTH * charts.SCALE, charts.HEIGHT * charts.SCALE)
    svg = first[1].read_text(encoding="utf-8")
    assert re.search(rf'<svg[^>]* width="{charts.WIDTH}" height="{charts.HEIGHT}"', svg)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two exports of the same chart"
    table = pd.read_csv(first[2])
    assert sorted(table["article_id"]) == sorted(seeds.articles["article_id"])


def test_exports_use_the_packaged_font() -> None:
    chart = alt.Chart(lengths(4), title="Font check").mark_bar().encode(x="n_chars:Q", y="article_id:N")
    # Without the packaged font both names would fall back to the same default font.
    packaged = charts.to_png(chart.configure(font=charts.FONT))
    missing = charts.to_png(chart.configure(font="No Such Font Family"))
    assert packaged != missing, "text drawn with the packaged font looks like the fallback font"
    assert "Source Sans Pro" in charts.to_svg(chart)
    assert (charts.font_dir() / charts.FONT_FILES["normal"]).is_file()


def test_outlet_colours_are_stable_across_charts(seeds: newsdesk.Corpus) -> None:
    charts.use_corpus(seeds)
    geopolitiki = charts.outlet_colors()["GEOPOLITIKI"]
    assert geopolitiki == charts.OUTLET_COLORS[0]
    for chart in (
        charts.article_lengths(seeds.articles),
        charts.speaker_counts(pd.DataFrame({"speaker": ["Wang Yi"] * 2, "outlet": ["GEOPOLITIKI", None],
                                            "n_quotes": [3, 1]})),
    ):  # fmt: skip
        scale = chart.to_dict()["encoding"]["color"]["scale"]
        mapping = dict(zip(scale["domain"], scale["range"], strict=True))
        assert mapping["GEOPOLITIKI"] == geopolitiki
        assert mapping[charts.UNKNOWN_OUTLET] == charts.UNKNOWN_COLOR


def test_palette_orders_outlets_by_articles_then_name() -> None:
    outlets = pd.Series(["Tass", "BBC", "Tass", "Xinhua", "BBC", None, "(unknown: x)", "Tass"])
    palette = charts.outlet_palette(outlets)
    assert palette.outlets == ("Tass", "BBC", "Xinhua")
    groups = palette.colour_group(pd.Series(["BBC", "Reuters", None, "(unknown: a1)", "(not stated)"]))
    assert groups.tolist() == ["BBC", charts.OTHER_OUTLETS] + [charts.UNKNOWN_OUTLET] * 3
    many = charts.outlet_palette(pd.Series([f"outlet {i:02d}" for i in range(12)]))
    assert len(many.outlets) == len(charts.OUTLET_COLORS), "outlets past the palette share 'other outlets'"


def test_source_line(seeds: newsdesk.Corpus) -> None:
    assert charts.source_line(seeds.articles) == (
        "Source: 5 articles from 1 outlet (4 not stated), 2022-03-07–2025-08-18 (1 undated)"
    )
    one = seeds.articles.iloc[[2]]
    assert charts.source_line(one) == "Source: 1 article from 1 outlet, 2022-03-07"


def test_style_puts_notes_and_source_under_the_title(seeds: newsdesk.Corpus) -> None:
    charts.use_corpus(seeds)
    styled = charts.style(charts.article_lengths(lengths(40)))
    title = styled.to_dict()["title"]
    assert title["text"] == "Article length"
    assert title["subtitle"] == [
        "Showing the 25 articles with the most characters; 15 more not shown.",
        charts.source_line(seeds.articles),
    ]
    assert charts.style(styled).to_dict()["title"] == title, "styling twice adds nothing"
    own = alt.Chart(lengths(3), title=alt.Title("Mine", subtitle="my note")).mark_bar().encode(x="n_chars:Q")
    assert charts.style(own).to_dict()["title"]["subtitle"] == ["my note", charts.source_line(seeds.articles)]


def test_one_mark_per_item_charts_show_the_top_ones() -> None:
    chart = charts.article_lengths(lengths(300), top=25)
    assert chart.data["article_id"].nunique() == 25
    assert set(chart.data["article_id"]) == {f"a{i:03d}" for i in range(275, 300)}, "the longest are kept"


def test_big_timelines_are_aggregated_within_altairs_row_limit() -> None:
    n = 9000  # 30 articles of unknown outlet, 300 dated mentions each, over 90 days
    events = pd.DataFrame(
        {
            "article_id": [f"a{i % 30:02d}" for i in range(n)],
            "outlet": [None] * n,
            "date": pd.to_datetime("2025-01-01")
            + pd.to_timedelta([(i // 30) % 90 for i in range(n)], unit="D"),
            "conflict": [False] * n,
            "sentence": ["Wang Yi travelled to Moscow on Monday."] * n,
            "timex": ["Monday"] * n,
            "value": ["2025-03-31"] * n,
            "event": ["Wang Yi travel Moscow"] * n,
        }
    )
    events["date_end"] = events["date"] + pd.Timedelta(days=1)
    chart = charts.timeline(events)
    spec = chart.to_dict()  # raises MaxRowsError above 5000 rows
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 25 * 90, "counts per row (outlet or article) and day"
    assert {"n_mentions", "date", "outlet"} <= set(rows[0])
    notes = charts._meta(chart)["notes"]
    assert notes[0] == "Showing the 25 rows (outlets or articles) with the most mentions; 5 more not shown."
    assert notes[1] == "7,500 mentions: counts per day are shown."


def test_timeline_tooltip_has_the_sentence(seeds: newsdesk.Corpus) -> None:
    events = timeline(seeds)
    spec = charts.timeline(events).to_dict()
    points = spec["layer"][1]
    assert {"field": "sentence", "type": "nominal"} in points["encoding"]["tooltip"]
    params = [*spec.get("params", []), *points.get("params", [])]
    assert [p["bind"] for p in params if p["name"] == "pick_outlet"] == ["legend"], (
        "clicking an outlet in the legend highlights it"
    )


def test_show_exports_when_a_folder_is_set(seeds: newsdesk.Corpus, tmp_path: Path) -> None:
    charts.show(charts.article_lengths(seeds.articles), "00_lengths")
    assert not list(tmp_path.iterdir()), "no export folder, no files"
    charts.use_corpus(seeds, export_dir=tmp_path)
    charts.show(charts.article_lengths(seeds.articles), "00_lengths")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "00_lengths.csv",
        "00_lengths.png",
        "00_lengths.svg",
    ]
    with pytest.raises(ValueError, match="already exported"):
        charts.show(charts.article_lengths(seeds.articles), "00_lengths")


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden"])
def test_save_refuses_names_that_are_not_file_stems(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="file stem"):
        charts.save(charts.article_lengths(lengths(2)), name, tmp_path)


def test_renderer_stores_the_spec_and_no_html() -> None:
    payload = '</script><img src=x onerror="window.pwned=1">'
    chart = charts.article_lengths(lengths(2).assign(article_id=[payload, "b"]))
    bundle = charts.render(chart.to_dict())
    assert bundle[charts.SPEC_MIMETYPE]["datasets"]
    assert bundle[charts.JUPYTERLAB_MIMETYPE] == bundle[charts.SPEC_MIMETYPE]
    assert "text/html" not in bundle  # JupyterLab draws the spec itself: no script from a CDN
    assert bundle["text/plain"] == "<newsdesk chart: Article length>"
    assert json.loads(charts.script_json({"t": payload})) == {"t": payload}
    assert "<" not in charts.script_json({"t": payload})


def test_chart_data_of_a_layer(seeds: newsdesk.Corpus) -> None:
    chart = charts.timeline(timeline(seeds))
    assert isinstance(chart, alt.LayerChart)
    data = charts.chart_data(chart)
    assert data is not None and "sentence" in data.columns and len(data) > 0


def test_speaker_chart_counts_unresolved_and_remaining_speakers_in_a_note() -> None:
    counts = pd.DataFrame(
        {
            "speaker": ["Wang Yi", "Wang Yi", "Mao Ning", "(unresolved)", "(3 more speakers)"],
            "outlet": ["GEOPOLITIKI", None, None, None, None],
            "n_quotes": [4, 2, 3, 40, 30],
        }
    )
    chart = charts.speaker_counts(counts)
    assert sorted(chart.data["speaker"].unique()) == ["Mao Ning", "Wang Yi"]
    assert charts._meta(chart)["notes"] == [
        "Not drawn: 40 quotes without a resolved speaker.",
        "Not drawn: 30 quotes by 3 more speakers.",
    ]


def test_verb_class_colours_follow_meaning() -> None:
    from newsdesk.present import framing_charts

    data = pd.DataFrame({"group": ["A", "A"], "verb_class": ["neutral", "contested"], "n_quotes": [3, 1]})
    scale = framing_charts.verb_classes(data, ["A"]).to_dict()["encoding"]["color"]["scale"]
    colour = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colour["neutral"] == "#9e9e9e"  # grey, not the first colour of the palette
    assert colour["contested"] != colour["neutral"] and colour["evaluative"] != colour["neutral"]


def test_a_date_far_from_the_rest_is_left_off_the_timeline_axis_and_named() -> None:
    days = ["2022-02-24", "2023-03-20", "2024-05-16", "2025-03-31", "2025-04-01", "1945-05-09"]
    dates = pd.to_datetime(days)
    assert charts.outlying_dates(pd.Series(dates)).tolist() == [False] * 5 + [True]
    assert not charts.outlying_dates(pd.Series(dates[:3])).any()  # too few dates to call any far


def test_the_timeline_chart_names_what_it_leaves_off_the_axis() -> None:
    days = ["2025-03-28", "2025-03-31", "2025-04-01", "2025-04-02", "2025-05-09", "1945-05-09"]
    events = pd.DataFrame(
        {
            "article_id": ["a"] * 6,
            "outlet": ["Example Daily"] * 6,
            "date": pd.to_datetime(days),
            "conflict": [False] * 6,
            "sentence": ["A sentence."] * 6,
            "timex": ["March 28", "March 31", "April 1", "April 2", "May 9", "In 1945"],
            "value": days,
            "event": [None] * 6,
        }
    )
    events["date_end"] = events["date"] + pd.Timedelta(days=1)
    chart = charts.timeline(events)
    rows = next(iter(chart.to_dict()["datasets"].values()))
    assert len(rows) == 5 and all(not row["date"].startswith("1945") for row in rows)
    assert any("1945-05-09 (“In 1945”)" in note for note in charts._meta(chart)["notes"])


def test_key_dates_draws_one_point_per_key_event_in_date_order(seeds: newsdesk.Corpus) -> None:
    from newsdesk.present import memo

    table = memo.key_events(timeline(seeds), n=8)
    assert len(table)
    spec = charts.key_dates(table).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == len(table)
    order = spec["encoding"]["y"]["sort"]
    by_date = table.assign(d=pd.to_datetime(table["date"])).sort_values("d")
    assert order == by_date["event"].str.slice(0, 60).tolist()


def test_a_tone_cell_of_too_few_sentences_is_grey_and_says_so() -> None:
    from newsdesk.present import framing_charts

    table = pd.DataFrame(
        {"entity": ["Putin", "Putin"], "group": ["A", "B"], "n_sentences": [1, 8], "tone": [-1.0, -0.4]}
    )
    spec = framing_charts.entity_tone(table, ["A", "B"]).to_dict()
    cells = spec["layer"][0]["encoding"]["color"]
    assert cells["condition"]["value"] == framing_charts.TOO_FEW_COLOUR
    assert "datum.n_sentences < 3" in cells["condition"]["test"]
    rows = next(iter(spec["datasets"].values()))
    assert [row["label"] for row in rows] == ["1 (too few)", "8"]


def test_a_chart_of_the_largest_groups_says_how_many_there_are() -> None:
    from newsdesk.present import framing_charts

    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point()
    assert charts._meta(framing_charts.of_groups(chart, ["A", "B"], 2)).get("notes", []) == []
    notes = charts._meta(framing_charts.of_groups(chart, ["A", "B"], 45))["notes"]
    assert notes == ["The 2 largest of 45 groups (most articles, then name); tables show all."]
