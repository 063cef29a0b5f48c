"""Corpus chronology: publication dates, timexes resolved per article, the event timeline and conflicts."""

from __future__ import annotations

import pandas as pd
import pytest

from newsdesk.analysis import chronology
from newsdesk.ingest.corpus import Corpus

from ..corpora import small_dated_corpus


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return small_dated_corpus(tmp_path_factory)


@pytest.fixture(scope="module")
def small_timeline(small: Corpus) -> pd.DataFrame:
    return chronology.timeline(small)




# --- timexes --------------------------------------------------------------------------------------


def test_effective_dates_drive_resolution(small: Corpus) -> None:
    timexes = chronology.corpus_timexes(small)
    mondays = timexes[timexes["text"] == "Monday"].set_index("article_id")["value"]
    assert mondays["a1"] == "2025-03-31"  # "will visit on Monday" after Friday 28 March (manifest)
    assert mondays["b1"] == "2025-08-18"  # "spoke again on Monday", published Monday 18 August (inferred)
    assert mondays["c1"].startswith("XXXX")  # no effective date: left unresolved
    assert "e1" not in set(timexes["article_id"])


def test_offsets_point_at_the_timex_in_the_loaded_text(seeds: Corpus, small: Corpus) -> None:
    for corpus in (seeds, small):
        timexes = chronology.corpus_timexes(corpus)
        assert len(timexes)
        texts = corpus.articles.set_index("article_id")["text"]
        for article_id, start, end, text in zip(
            timexes["article_id"], timexes["text_start"], timexes["text_end"], timexes["text"], strict=True
        ):
            assert texts[article_id][start:end] == text


def test_seed_timexes_resolve_against_the_manifest(seeds: Corpus) -> None:
    timexes = chronology.corpus_timexes(seeds)
    own = timexes[timexes["article_id"] == "003_78216b02c8886212"].set_index("text")["value"]
    assert own["Monday"] == "2025-03-31" and own["Tuesday"] == "2025-04-01" and own["Sunday"] == "2025-03-30"


# --- timeline and events --------------------------------------------------------------------------


def test_timeline_rows_and_event_labels(small_timeline: pd.DataFrame) -> None:
    assert list(small_timeline.columns) == chronology.TIMELINE_COLUMNS
    assert small_timeline["date"].is_monotonic_increasing
    visit = small_timeline[(small_timeline["article_id"] == "a1") & (small_timeline["timex"] == "Monday")]
    assert len(visit) == 1
    row = visit.iloc[0]
    assert row["event"] == "Wang Yi visit Russia"
    assert row["date"] == pd.Timestamp("2025-03-31") and row["granularity"] == "day"
    assert row["sentence"].startswith("Chinese Foreign Minister Wang Yi will visit Russia on Monday")
    month = small_timeline[small_timeline["value"] == "2025-05"].iloc[0]
    assert month["date"] == pd.Timestamp("2025-05-01") and month["event"] == "Putin visit China"
    # No effective date: the unresolved "on Monday" of c1 gives no row, its absolute dates do.
    assert set(small_timeline.loc[small_timeline["article_id"] == "c1", "value"]) == {"2025-06", "2025-07"}
    assert "e1" not in set(small_timeline["article_id"])


def test_conflicting_dates_between_articles_are_flagged(small_timeline: pd.DataFrame) -> None:
    meet = small_timeline[small_timeline["event"] == "Wang Yi meet Sergei Lavrov"].set_index("article_id")
    assert meet.loc["a1", "value"] == "2025-04-01" and meet.loc["b1", "value"] == "2025-04-02"
    assert meet["conflict"].all()
    assert meet.loc["a1", "conflict_with"] == "2025-04-02"
    assert meet.loc["b1", "conflict_with"] == "2025-04-01"


def test_conflict_within_one_article_is_flagged(small_timeline: pd.DataFrame) -> None:
    fair = small_timeline[small_timeline["article_id"] == "c1"].set_index("value")
    assert fair["conflict"].all()
    assert fair.loc["2025-06", "conflict_with"] == "2025-07"


def test_overlapping_or_distant_dates_are_not_conflicts(small_timeline: pd.DataFrame) -> None:
    # "on May 9, 2025" lies inside "in May 2025"; June 2019 and April 2025 are two meetings.
    putin = small_timeline[small_timeline["event"] == "Putin visit China"]
    assert len(putin) == 2 and not putin["conflict"].any()
    xi = small_timeline[small_timeline["subject"] == "Xi Jinping"]
    assert set(xi["value"]) == {"2019-06", "2025-04-03"}
    assert xi["event_key"].nunique() == 1 and not xi["conflict"].any()
    # "The ministers spoke again on Monday": a common-noun subject is never compared.
    spoke = small_timeline[(small_timeline["article_id"] == "b1") & (small_timeline["timex"] == "Monday")]
    assert spoke["event_key"].isna().all() and not spoke["conflict"].any()


def test_a_range_in_one_sentence_is_one_mention() -> None:
    events = pd.DataFrame(
        {
            "article_id": ["x", "x", "y"],
            "sent_start": [0, 0, 0],
            "event_key": ["wang yi | visit | russia"] * 3,
            "value": ["2025-03-31", "2025-04-02", "2025-04-01"],
        }
    )
    periods = events["value"].map(chronology.value_period)
    events = events.assign(date=[p[0] for p in periods], date_end=[p[1] for p in periods])
    flagged = chronology.flag_conflicts(events)
    assert not flagged["conflict"].any()  # 1 April lies within "from March 31 to April 2"
    moved = events.assign(value=["2025-03-31", "2025-04-02", "2025-04-05"])
    periods = moved["value"].map(chronology.value_period)
    moved = moved.assign(date=[p[0] for p in periods], date_end=[p[1] for p in periods])
    flagged = chronology.flag_conflicts(moved)
    assert flagged["conflict"].all()
    assert flagged["conflict_with"].tolist() == ["2025-04-05", "2025-04-05", "2025-03-31, 2025-04-02"]
    assert not chronology.flag_conflicts(moved, max_gap_days=1)["conflict"].any()


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2025", "2025-01-01", "2026-01-01"),
        ("2025-03", "2025-03-01", "2025-04-01"),
        ("2025-12", "2025-12-01", "2026-01-01"),
        ("2025-03-31", "2025-03-31", "2025-04-01"),
        ("2025-W14", "2025-03-31", "2025-04-07"),
        ("2025-W09-WE", "2025-03-01", "2025-03-03"),
        ("2025-Q4", "2025-10-01", "2026-01-01"),
        ("2024-H1", "2024-01-01", "2024-07-01"),
        ("2023-SU", "2023-06-01", "2023-09-01"),
        ("2025-WI", "2024-12-01", "2025-03-01"),
        ("2025-03-04T15:00", "2025-03-04 15:00", "2025-03-04 15:01"),
        ("2025-03-04TMO", "2025-03-04", "2025-03-05"),
    ],
)
def test_value_period(value: str, start: str, end: str) -> None:
    assert chronology.value_period(value) == (pd.Timestamp(start), pd.Timestamp(end))


@pytest.mark.parametrize(
    "value", ["XXXX-03-31", "XXXX-WXX-1", "P3D", "PAST_REF", "199X", "2025-02-30", None, 3]
)
def test_value_period_refuses_what_is_not_a_calendar_period(value: object) -> None:
    assert chronology.value_period(value) is None


