"""Offices held on the article's date: terms of office decide a speaker's role."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from newsdesk.analysis.quotes import read_officeholders, speaker_offices
from newsdesk.extract.lexicons import LexiconError


def _offices(speakers: list[str | None], days: list[str | None], root: Path | None = None) -> list:
    published = pd.Series([pd.Timestamp(d) if d else pd.NaT for d in days])
    return speaker_offices(pd.Series(speakers, dtype=object), published, read_officeholders(root)).tolist()


def test_the_office_is_the_one_held_on_the_articles_date() -> None:
    speakers = ["Wang Yi", "Wang Yi", "Wang Yi", "Qin Gang", "Sergei Lavrov", "Dmytro Kuleba"]
    days = ["2022-03-07", "2023-02-21", "2024-07-01", "2023-03-07", "2023-03-07", "2025-01-10"]
    assert _offices(speakers, days) == [
        "Chinese Foreign Minister",
        "Director of China's Central Foreign Affairs Commission Office",
        "Chinese Foreign Minister",
        "Chinese Foreign Minister",
        "Russian Foreign Minister",
        None,  # no longer in office: no office is claimed for him
    ]


def test_without_a_date_only_a_person_with_one_office_gets_it() -> None:
    assert _offices(["Sergey Lavrov", "Wang Yi", "Jane Doe", None], [None] * 4) == [
        "Russian Foreign Minister", None, None, None
    ]


def test_a_corpus_table_comes_first_and_a_bad_date_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "lexicons").mkdir()
    table = tmp_path / "lexicons" / "officeholders.csv"
    header = "name,aliases,office,start,end\n"
    table.write_text(header + "Lavrov,,Russia's top diplomat,2004-03-09,\n", encoding="utf-8")
    assert _offices(["Lavrov"], ["2024-01-01"], tmp_path) == ["Russia's top diplomat"]
    table.write_text(header + "Lavrov,,Minister,9 March 2004,\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"officeholders.csv, line 2: '9 March 2004' is no date"):
        read_officeholders(tmp_path)
