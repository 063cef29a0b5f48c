"""Corpus-level quote handling: speakers canonicalised across articles, quotes that travel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from newsdesk.analysis.quotes import (
    canonical_speakers,
    cluster_quotes,
    quote_spread,
    quoted_portion,
    read_aliases,
)

MAO_QUOTE = (
    "China welcomes the cooperation between Russia and the United States, the improvement of bilateral "
    "relations, contributing to the political settlement of the Ukrainian crisis"
)


def test_one_word_speaker_becomes_the_unique_full_name() -> None:
    speakers = pd.Series(
        ["Mao Ning", "Mao", "Wang", "Wang Yi", "Wang Wenbin", "Lavrov", "he", None, "the ministry"]
    )
    assert canonical_speakers(speakers).replace({float("nan"): None}).tolist() == [
        "Mao Ning",
        "Mao Ning",
        "Wang",  # two full names start with Wang: ambiguous, left alone
        "Wang Yi",
        "Wang Wenbin",
        "Lavrov",  # no full name in the corpus
        "he",
        None,
        "the ministry",
    ]


def test_surname_last_names_and_alias_table(tmp_path: Path) -> None:
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "speaker_aliases.csv").write_text(
        "alias,canonical\nWang,Wang Yi\nSergey Lavrov,Sergei Lavrov\n", encoding="utf-8"
    )
    aliases = read_aliases(tmp_path)
    speakers = pd.Series(["Sergey Lavrov", "Lavrov", "Wang", "Wang Wenbin", "Wang Yi"])
    assert canonical_speakers(speakers, aliases).tolist() == [
        "Sergei Lavrov",
        "Sergei Lavrov",
        "Wang Yi",
        "Wang Wenbin",
        "Wang Yi",
    ]


def test_alias_table_needs_its_columns(tmp_path: Path) -> None:
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "speaker_aliases.csv").write_text("name,full\nWang,Wang Yi\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"speaker_aliases\.csv.*alias and canonical"):
        read_aliases(tmp_path)
    assert read_aliases(tmp_path / "nowhere") == {}


@pytest.mark.parametrize(
    ("text", "portion"),
    [
        ("NATO has described Beijing as a “decisive enabler” of the war", "decisive enabler"),
        ('"Achieving peace requires persistence," he said', "Achieving peace requires persistence,"),
        ("Wang said Beijing is ready to help", "Wang said Beijing is ready to help"),
        ("``It is over,'' she said", "It is over,"),
    ],
)
def test_quoted_portion(text: str, portion: str) -> None:
    assert quoted_portion(text) == portion


def _quotes(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["article_id", "outlet", "published", "kind", "text"])
    return frame.assign(published_date=pd.to_datetime(frame["published"]), speaker="Mao Ning")


def test_cluster_quotes_links_copies_and_orders_by_first_appearance() -> None:
    quotes = _quotes(
        [
            ("b", "Wire B", "2025-08-19", "direct", f"“{MAO_QUOTE},”"),
            ("a", "Wire A", "2025-08-18", "direct", f"“{MAO_QUOTE},”"),
            (
                "c",
                "Paper C",
                "2025-08-20",
                "partial",
                "Mao said China welcomes “the improvement of bilateral relations”",
            ),
            (
                "c",
                "Paper C",
                "2025-08-20",
                "direct",
                "“China will continue to promote reconciliation in its own way”",
            ),
            (
                "d",
                "Paper D",
                "2025-08-21",
                "indirect",
                "China welcomes the cooperation between Russia and the US",
            ),
            ("e", "Paper E", "2025-08-22", "direct", f"“{MAO_QUOTE.replace('contributing to', 'helping')},”"),
        ]
    )
    clustered = cluster_quotes(quotes).set_index(["article_id", "kind"])
    assert clustered.loc[("a", "direct"), "quote_id"] == "Q001"
    assert clustered.loc[("a", "direct"), "relation"] == "first"
    assert clustered.loc[("b", "direct"), "quote_id"] == "Q001"
    assert clustered.loc[("b", "direct"), "relation"] == "same"
    assert clustered.loc[("c", "partial"), "quote_id"] == "Q001"
    assert clustered.loc[("c", "partial"), "relation"] == "shortened"
    assert clustered.loc[("e", "direct"), "quote_id"] == "Q001"
    assert clustered.loc[("e", "direct"), "relation"] == "reworded"
    assert clustered.loc[("c", "direct"), "quote_id"] == "Q002"
    assert pd.isna(clustered.loc[("d", "indirect"), "quote_id"]), "reported speech is not clustered"

    spread = quote_spread(cluster_quotes(quotes))
    assert spread["quote_id"].tolist() == ["Q001"], "Q002 appears in one article only"
    row = spread.iloc[0]
    assert (row["first_article"], row["first_outlet"], row["n_articles"], row["n_outlets"]) == (
        "a",
        "Wire A",
        4,
        4,
    )
    assert row["relations"] == "reworded, same, shortened"


def test_short_quotes_are_not_clustered() -> None:
    quotes = _quotes([(a, a, "2025-01-01", "partial", "a “no limits” partnership") for a in "xy"])
    assert cluster_quotes(quotes)["quote_id"].isna().all()
