"""Publication dates: the manifest's date wins, an undated article gets the date inferred from its text."""

from __future__ import annotations

import pandas as pd
import pytest

from newsdesk.ingest.corpus import Corpus
from newsdesk.metadata.dates import PUBDATE_COLUMNS, publication_dates
from newsdesk.metadata.resolve import resolve_dates

from ..corpora import one_row, small_dated_corpus


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """a1 dated by the manifest (its byline disagrees), b1 dated by its byline only, c1 not datable."""
    return small_dated_corpus(tmp_path_factory)


def test_manifest_date_wins_over_inference(small: Corpus) -> None:
    dates = publication_dates(small, infer="all")
    assert list(dates.columns) == PUBDATE_COLUMNS
    a1 = one_row(dates, "a1")
    assert a1["given"] == pd.Timestamp("2025-03-28")
    assert a1["inferred"] == pd.Timestamp("2025-03-20")  # the byline disagrees ...
    assert a1["effective_date"] == pd.Timestamp("2025-03-28")  # ... and loses
    assert a1["date_source"] == "manifest"
    # By default only undated articles are inferred.
    default = publication_dates(small)
    assert pd.isna(one_row(default, "a1")["inferred"])
    assert one_row(default, "a1")["effective_date"] == pd.Timestamp("2025-03-28")


def test_undated_article_gets_the_inferred_date_and_source(small: Corpus) -> None:
    dates = publication_dates(small)
    b1 = one_row(dates, "b1")
    assert pd.isna(b1["given"])
    assert b1["inferred"] == pd.Timestamp("2025-08-18")
    assert b1["inferred_source"] == "byline" and b1["confidence"] >= 0.8
    assert (b1["effective_date"], b1["date_source"]) == (pd.Timestamp("2025-08-18"), "inferred")
    c1 = one_row(dates, "c1")
    assert pd.isna(c1["effective_date"]) and c1["date_source"] == "unknown"
    assert c1["inferred_source"] == "none"


def test_seed_publication_dates(seeds: Corpus) -> None:
    dates = publication_dates(seeds, infer="all")
    assert len(dates) == len(seeds.annotatable)
    by_id = dates.set_index("article_id")
    # 001: the manifest and the inference (caption date moved to "confirmed on Friday") agree.
    assert by_id.loc["001_5c2688067300e010", "given"] == by_id.loc["001_5c2688067300e010", "inferred"]
    # 000: no manifest date and no full date in the text.
    assert by_id.loc["000_ea60f509096378bf", "date_source"] == "unknown"
    assert (by_id["date_source"] == "manifest").sum() == 4


def test_resolved_dates_carry_their_source_and_confidence(small: Corpus) -> None:
    articles = resolve_dates(small).articles.set_index("article_id")
    assert articles.loc["a1", ["date_source", "date_confidence"]].tolist() == ["manifest", 1.0]
    assert articles.loc["a1", "effective_date"] == pd.Timestamp("2025-03-28")
    b1 = articles.loc["b1"]
    assert (b1["effective_date"], b1["date_source"]) == (pd.Timestamp("2025-08-18"), "inferred")
    assert 0.8 <= b1["date_confidence"] < 1
    assert articles.loc["c1", "date_source"] == "unknown" and pd.isna(articles.loc["c1", "date_confidence"])
    assert pd.isna(articles.loc["b1", "published_date"])  # the manifest's own date stays as it was
