"""newsdesk.infer_published: publication dates from raw dumps (the seeds and texts written here)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

import newsdesk
from newsdesk.extract.pubdate import _date_lines_only, _evidence_spans, publication_evidence

from ..conftest import SEEDS


@pytest.fixture(scope="module", autouse=True)
def nlp() -> Language:
    """Load the shared pipeline once for this module."""
    return newsdesk.nlp()


def seed_text(prefix: str) -> str:
    return next(p for p in SEEDS if p.name.startswith(prefix)).read_text(encoding="utf-8")


def test_seed_001_weekday_and_caption() -> None:
    # Caption: March 27, 2025 (a Thursday); "confirmed on Friday" (past) -> Friday 28 March;
    # the visit that "will" run from March 31 is still to come, which agrees.
    date, source, confidence = newsdesk.infer_published(seed_text("001"))
    assert date == dt.date(2025, 3, 28)
    assert source == "weekday+absolute date"
    assert 0.5 <= confidence < 0.9


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_seeds_without_a_full_date_are_not_guessed(prefix: str) -> None:
    # 000: only "February 2022" and a "2027" in the related headlines; 002-004: weekdays and months
    # without any year (their known dates need world knowledge the text lacks).
    date, source, confidence = newsdesk.infer_published(seed_text(prefix))
    assert date is None and source == "none" and confidence <= 0.2


def test_dateline_with_year() -> None:
    text = "World\nBEIJING, March 28, 2025 (Reuters) - China and Russia confirmed the visit on Friday.\n"
    assert newsdesk.infer_published(text) == (dt.date(2025, 3, 28), "dateline", 0.9)


def test_dateline_borrows_the_year() -> None:
    text = (
        "BEIJING, March 28 (Reuters) - China said talks with France held on March 27, 2025 were useful.\n"
        "The foreign minister will travel to Moscow next week.\n"
    )
    date, source, confidence = newsdesk.infer_published(text)
    assert (date, source) == (dt.date(2025, 3, 28), "dateline+absolute date")
    assert 0.5 <= confidence < 0.9


def test_byline() -> None:
    text = (
        "Home | World | Asia\n"
        "China welcomes improved Russia-US ties\n"
        "Published: 18 Aug 2025\n"
        "By Staff Writer\n\n"
        "China welcomed the Alaska summit held on Friday, a spokesperson said on Monday.\n"
    )
    assert newsdesk.infer_published(text) == (dt.date(2025, 8, 18), "byline", 0.9)


def test_related_headline_dates_are_not_evidence() -> None:
    text = (
        "Ministers met in Brussels on Thursday, officials said, and will meet again next month.\n\n"
        "Related\n"
        "Europe to Take Over NATO Defense Burden by 2027\n"
        "Summit Set for March 3, 2027 in Brussels\n"
        "Leaders Agree New Trade Pact Amid Rising Tensions\n"
    )
    assert newsdesk.infer_published(text) == (None, "none", 0.0)
    dated = (
        "The agreement was signed on March 27, 2025, officials said on Thursday.\n\n"
        + text.split("\n\n", 1)[1]
    )
    date, source, _ = newsdesk.infer_published(dated)
    assert date == dt.date(2025, 3, 27) and source == "weekday+absolute date"


def test_caption_date_alone_is_a_weak_lower_bound() -> None:
    text = (
        "The minister spoke to reporters after the meeting.\n"
        "The minister at a press conference in Paris on March 27, 2025. (Source: Getty Images)\n"
        "He said the talks had been useful.\n"
    )
    date, _, confidence = newsdesk.infer_published(text)
    assert date == dt.date(2025, 3, 27) and confidence < 0.5


@pytest.mark.parametrize("text", ["", "   \n", "\x00\x00", "Friday " * 3000, "March 31 " * 2000])
def test_never_raises(text: str) -> None:
    date, source, confidence = newsdesk.infer_published(text)
    assert date is None or isinstance(date, dt.date)
    assert isinstance(source, str) and 0.0 <= confidence <= 1.0


def test_only_the_lines_with_dates_are_parsed() -> None:
    text = (
        "Leaders meet in Beijing\n"
        "Share on X\n"
        "The ministers met on Friday, officials said.\n"
        "Trade was not on the agenda.\n"
        "A first round took place on March 27, 2025 in Paris.\n"
    )
    kept = _date_lines_only(text, _evidence_spans(text))
    assert len(kept) == len(text)
    assert [i for i, c in enumerate(kept) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
    lines, original = kept.split("\n"), text.split("\n")
    assert lines[2] == original[2] and lines[4] == original[4]
    assert all(not lines[i].strip() and len(lines[i]) == len(original[i]) for i in (0, 1, 3))


def test_only_the_lines_with_evidence_are_parsed_for_inference() -> None:
    text = (
        "Talks in recent weeks\n"
        "The ministers met on Friday, officials said.\n"
        "Trade grew last year and will grow for years.\n"
        "The summit on June 3 will follow.\n"
        "A first round took place on March 27, 2025 in Paris.\n"
    )
    kept = _date_lines_only(text, _evidence_spans(text)).split("\n")
    original = text.split("\n")
    # a weekday, a month and day, a full date: what step 4 reads; "recent weeks", "last year" are not
    assert [i for i, line in enumerate(kept) if line.strip()] == [1, 3, 4]
    assert all(kept[i] == original[i] for i in (1, 3, 4))
    assert newsdesk.infer_published(text)[:2] == (dt.date(2025, 3, 28), "weekday+absolute date")


def test_a_date_alone_on_its_line_is_not_read_with_the_next_lines_verb() -> None:
    text = (
        "Minister visits Moscow\n"
        "March 28, 2025\n"
        "The two sides will sign a new agreement, the ministry said.\n"
    )
    # a header line holding only the date is taken as the publication date
    assert newsdesk.infer_published(text)[:2] == (dt.date(2025, 3, 28), "header date")
    body = "The talks opened in Moscow.\n" * 20 + "March 28, 2025\nThe two sides will sign a deal.\n"
    date, source, _ = newsdesk.infer_published(body)
    assert date == dt.date(2025, 3, 28) and source == "latest absolute date"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 19May,\n\r2025-03-")), max_size=200))
def test_date_lines_only_keeps_length_and_line_breaks(text: str) -> None:
    kept = _date_lines_only(text, _evidence_spans(text))
    assert len(kept) == len(text)
    assert [c == "\n" for c in kept] == [c == "\n" for c in text]
    for line, original in zip(kept.split("\n"), text.split("\n"), strict=True):
        assert line == original or line == " " * len(original)


# --- URL dates, widgets and day/month order ------------------------------------------------------

_BODY = (
    "China and Russia held talks in Moscow on the war in Ukraine, the two foreign ministries said.\n"
    "The ministers discussed trade, energy and the situation in the region, officials told reporters.\n"
)


def test_a_url_date_agreeing_with_the_byline_makes_it_surer() -> None:
    text = "World\nPublished: 18 Aug 2025\n\n" + _BODY
    found = publication_evidence(text, "https://www.example.com/world/2025/08/18/china-russia/")
    assert (found.date, found.source, found.conflict) == (dt.date(2025, 8, 18), "byline+url", False)
    assert found.confidence > 0.9


def test_a_url_date_the_text_contradicts_is_used_and_flagged() -> None:
    text = "World\nPublished: 3 May 2024\n\n" + _BODY
    found = publication_evidence(text, "https://www.example.com/news/2024/04/30/china-russia/")
    assert (found.date, found.source, found.conflict) == (dt.date(2024, 4, 30), "url", True)
    assert (found.text_date, found.text_source) == (dt.date(2024, 5, 3), "byline")


def test_the_url_date_beats_a_caption_date() -> None:
    text = "China and Russia\n\nXi and Putin meet in Moscow on March 21, 2023. (Reuters)\n\n" + _BODY
    assert newsdesk.infer_published(text, "https://www.example.com/2024/04/30/x")[:2] == (
        dt.date(2024, 4, 30),
        "url",
    )


def test_a_weather_widget_date_is_not_the_header_date() -> None:
    text = "Moscow 18°C\nTuesday, June 17, 2025\nHome | World\n\nLavrov meets Wang\nPublished: 5 May 2025\n\n"
    assert newsdesk.infer_published(text + _BODY)[:2] == (dt.date(2025, 5, 5), "byline")


@pytest.mark.parametrize("written", ["09.04.2024", "12/05/2023"])
def test_an_ambiguous_numeric_date_is_not_read_month_first(written: str) -> None:
    text = f"World\nPublished: {written}\n\n" + _BODY
    found = publication_evidence(text)
    assert found.date is None and found.ambiguous == written


def test_the_page_its_url_or_its_site_order_resolve_a_numeric_date() -> None:
    text = "World\nPublished: 09.04.2024\n\n" + _BODY
    proven = text + "Related: talks on 15.03.2024 were postponed.\n"  # a day over 12: day first
    assert newsdesk.infer_published(proven)[0] == dt.date(2024, 4, 9)
    assert newsdesk.infer_published(text, "https://x.example/2024/09/04/story")[:2] == (
        dt.date(2024, 9, 4),
        "byline+url",
    )
    assert newsdesk.infer_published(text, date_order="DMY")[0] == dt.date(2024, 4, 9)
    assert newsdesk.infer_published(text, date_order="MDY")[0] == dt.date(2024, 9, 4)


def test_a_byline_without_a_space_after_the_comma() -> None:
    assert newsdesk.infer_published("World\nPublished May 12,2023\n\n" + _BODY)[0] == dt.date(2023, 5, 12)
