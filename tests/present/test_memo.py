"""The one-page briefing summary: key quotes, key events and the corpus line follow their stated rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import newsdesk
from newsdesk.analysis import chronology
from newsdesk.analysis.quotes import corpus_quotes
from newsdesk.metadata.dates import publication_dates
from newsdesk.present import memo

LONG = "We will keep working for a political settlement of the crisis, step by step."


def _quotes(rows: list[tuple]) -> pd.DataFrame:
    columns = ["article_id", "outlet", "kind", "speaker_canonical", "speaker_role", "text", "quote_id"]
    return pd.DataFrame(rows, columns=columns)


def test_key_quotes_one_per_speaker_first_and_travelling_quotes_first() -> None:
    quotes = _quotes(
        [
            ("a1", "Desk", "direct", "Wang Yi", "Foreign Minister", LONG, "q1"),
            ("a2", "Wire", "direct", "Wang Yi", "Foreign Minister", LONG, "q1"),
            ("a1", "Desk", "partial", "Wang Yi", "Foreign Minister", LONG + " And more words.", "q2"),
            ("a2", "Wire", "direct", "Mao Ning", "spokesperson", LONG.upper(), "q3"),
            ("a2", "Wire", "direct", None, None, LONG + " unresolved", "q4"),
            ("a2", "Wire", "indirect", "Sergey Lavrov", None, LONG, "q5"),
            ("a1", "Desk", "direct", "Sergey Lavrov", None, "Too short.", "q6"),
        ]
    )
    table = memo.key_quotes(quotes, n=3)
    assert table["speaker"].tolist() == ["Wang Yi", "Mao Ning", "Wang Yi"]
    assert table.loc[0, "n_articles"] == 2 and table.loc[0, "quote"] == LONG  # q1 is carried by two articles
    assert table.loc[2, "quote"].endswith("And more words.")
    assert memo.key_quotes(quotes.iloc[4:], n=3).empty  # unresolved, reported or short quotes only


def test_key_events_rank_by_articles_and_show_earliest_date() -> None:
    events = pd.DataFrame(
        {
            "article_id": ["a", "b", "c", "a", "b"],
            "date": pd.to_datetime(["2025-03-31", "2025-04-01", "2025-03-31", "2025-08-15", "2025-02-01"]),
            "event": ["Wang visit Russia", "Wang visit Russia", "Wang visit Russia", "summit", None],
            "event_key": ["wang|visit|russia"] * 3 + [None, None],
            "conflict": [False, True, False, False, False],
            "sentence": ["s1", "s2", "s3", "s4", "s5"],
        }
    )
    table = memo.key_events(events, n=5)
    assert table["event"].tolist() == ["Wang visit Russia", "summit"]  # sorted by date; unlabelled left out
    first = table.iloc[0]
    assert (first["n_articles"], first["n_mentions"], bool(first["conflict"])) == (3, 3, True)
    assert str(first["date"]) == "2025-03-31"
    assert memo.key_events(events, n=1)["event"].tolist() == ["Wang visit Russia"]


@pytest.fixture(scope="module")
def seed_corpus(seed_corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    return newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path_factory.mktemp("cache"))


def test_memo_on_the_seeds(seed_corpus) -> None:
    dates = publication_dates(seed_corpus)
    line = memo.corpus_line(seed_corpus.articles, dates)
    assert line.startswith("5 article(s) from 1 named outlet(s) and 4 of unstated outlet")
    assert "07 Mar 2022" in line
    quotes = memo.key_quotes(corpus_quotes(seed_corpus), n=6)
    assert len(quotes) == 6 and quotes["speaker"].is_unique
    assert {"Wang Yi", "Mao Ning"} <= set(quotes["speaker"])
    assert (quotes["quote"].str.len() >= memo.MIN_KEY_QUOTE_CHARS).all()
    events = memo.key_events(chronology.timeline(seed_corpus), n=8)
    assert 0 < len(events) <= 8 and events["date"].is_monotonic_increasing
