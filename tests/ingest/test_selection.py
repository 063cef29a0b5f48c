"""Corpus.select: one date window and outlet list for every notebook, undated articles counted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import newsdesk
from newsdesk.ingest.selection import parse_day, select_articles


@pytest.fixture(scope="module")
def seeds(seed_corpus_dir: Path) -> newsdesk.Corpus:
    # Seed dates: 2022-03-07 (GEOPOLITIKI), 2025-03-28, 2025-03-31, 2025-08-18 and one undated article.
    return newsdesk.load_corpus(seed_corpus_dir)


def test_no_rule_selects_everything(seeds: newsdesk.Corpus) -> None:
    selected = seeds.select()
    assert len(selected) == len(seeds) == 5
    assert selected.selection is not None and selected.selection.is_everything
    assert str(selected.selection) == "All 5 article(s): no date window or outlet was selected."


def test_date_window_keeps_undated_articles_and_says_so(seeds: newsdesk.Corpus) -> None:
    selected = seeds.select(since="2025-01-01")
    assert sorted(selected.articles["article_id"].str[:3]) == ["000", "001", "003", "004"]
    sel = selected.selection
    assert (sel.n_out_of_window, sel.n_undated_kept, sel.n_undated_dropped) == (1, 1, 0)
    assert "4 of 5 article(s) selected: published on or after 2025-01-01" in str(sel)
    assert "1 outside the dates" in str(sel)
    assert "1 article(s) without a publication date are kept (undated='keep')" in str(sel)


def test_date_window_can_drop_undated_articles(seeds: newsdesk.Corpus) -> None:
    selected = seeds.select(since="2025-03-28", until="2025-03-31", undated="drop")
    assert sorted(selected.articles["article_id"].str[:3]) == ["001", "003"], "both ends are inclusive"
    assert "1 without a publication date (undated='drop')" in str(selected.selection)
    assert "2 outside the dates" in str(selected.selection)
    assert "2 of 5 article(s) selected: published 2025-03-28 to 2025-03-31;" in str(selected.selection)


def test_outlets_match_case_insensitively(seeds: newsdesk.Corpus) -> None:
    selected = seeds.select(outlets=["  geopolitiki "])
    assert selected.articles["outlet"].tolist() == ["GEOPOLITIKI"]
    assert "4 from other or unknown outlets" in str(selected.selection)


def test_problems_of_left_out_articles_are_left_out(seeds: newsdesk.Corpus) -> None:
    assert seeds.problems["article_id"].str.startswith("001").any(), "the seeds have a repaired article"
    assert seeds.select(outlets="GEOPOLITIKI").problems.empty
    kept = seeds.select(since="2025-03-28", until="2025-03-28", undated="drop")
    assert kept.problems["article_id"].str.startswith("001").all() and len(kept.problems)


def test_problems_of_unloadable_files_stay(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Wang Yi met Sergey Lavrov in Moscow on Monday.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("   \n", encoding="utf-8")
    corpus = newsdesk.load_corpus(tmp_path)
    assert (corpus.problems["severity"] == "error").sum() == 1
    selected = corpus.select(since="2025-01-01")
    assert (selected.problems["severity"] == "error").sum() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outlets": ["Xinhua"]}, r"no article from outlet\(s\) Xinhua; outlets in the corpus: GEOPOLITIKI"),
        ({"since": "2025-04-01", "until": "2025-03-01"}, r"since \(2025-04-01\) is after until"),
        ({"since": "31/03/2025"}, r"since must be a date like 2025-03-31"),
        ({"undated": "maybe"}, r"undated must be one of keep, drop"),
        ({"since": "2030-01-01", "undated": "drop"}, r"the selection leaves no article"),
    ],
)
def test_bad_selections_are_refused(seeds: newsdesk.Corpus, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        seeds.select(**kwargs)


def test_corpus_without_outlets_names_none() -> None:
    articles = pd.DataFrame(
        {
            "article_id": ["a"],
            "outlet": [None],
            "published_date": pd.to_datetime([None]).astype("datetime64[s]"),
        }
    )
    with pytest.raises(ValueError, match="none \\(no article states its outlet\\)"):
        select_articles(articles, outlets=["Reuters"])


def test_parse_day() -> None:
    assert parse_day(None) is None and parse_day("") is None
    assert str(parse_day(" 2025-03-31 ")) == "2025-03-31"
