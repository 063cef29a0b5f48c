"""newsdesk.timexes: temporal expressions in the seed articles and in sentences written for the tests.

Seed expectations were written by hand from reading each article with the publication date given
(000 has no known date; 2025-04-01, a day of the visit it describes, is assumed there).
"""

from __future__ import annotations

import datetime as dt

import pytest
from spacy.language import Language

import newsdesk
from newsdesk.extract.timexes import COLUMNS, timexes_from_doc

from ..conftest import SEEDS


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The shared pipeline, loaded once for this module."""
    return newsdesk.nlp()


def rows(nlp: Language, text: str, published: str | dt.date | None, **kw: str) -> list[tuple[str, str, str]]:
    """(text, type, value) of every expression found."""
    df = timexes_from_doc(nlp(text), published, **kw)
    return list(zip(df["text"], df["type"], df["value"], strict=True))


def find(nlp: Language, text: str, published: str | dt.date | None, span: str, **kw: str) -> dict:
    """The row whose text is ``span`` (fails when there is none)."""
    df = timexes_from_doc(nlp(text), published, **kw)
    hit = df[df["text"] == span]
    assert len(hit) == 1, f"{span!r} not found as one expression in {list(df['text'])}"
    return hit.iloc[0].to_dict()


# ---------------------------------------------------------------- seeds
SEED_EXPECTED: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "000": (
        "2025-04-01",
        [
            ("recent", "DATE", "PAST_REF"),  # "the recent diplomatic thaw"
            ("three-day", "DURATION", "P3D"),
            ("today", "DATE", "2025-04-01"),  # "today's uncertain international landscape"
            ("February 2022", "DATE", "2022-02"),
            ("the past decade", "DURATION", "P10Y"),
            ("recently", "DATE", "PAST_REF"),
            ("2027", "DATE", "2027"),  # a related headline ("... by 2027"): a date in the text all the same
        ],
    ),
    "001": (
        "2025-03-28",
        [
            ("3 min", "DURATION", "PT3M"),  # "3 min read"
            ("March 27, 2025", "DATE", "2025-03-27"),
            ("March 31", "DATE", "2025-03-31"),
            ("April 2", "DATE", "2025-04-02"),
            ("Friday", "DATE", "2025-03-28"),  # "both countries confirmed on Friday"
            ("Currently", "DATE", "PRESENT_REF"),
            ("Last month", "DATE", "2025-02"),
            ("February 28", "DATE", "2025-02-28"),  # "traveled to Beijing": past
            ("Thursday", "DATE", "2025-03-27"),  # "during a meeting ... told": past
            ("May 9", "DATE", "2025-05-09"),  # "scheduled to attend": future
            ("this year", "DATE", "2025"),  # "later this year": TimeBank leaves "later" out of the span
        ],
    ),
    "002": (
        "2022-03-07",
        [
            ("a few hours ago", "DATE", "PAST_REF"),
            ("Monday", "DATE", "2022-03-07"),
        ],
    ),
    "003": (
        "2025-03-31",
        [
            ("Monday", "DATE", "2025-03-31"),  # "traveled to Moscow on Monday"
            ("Tuesday", "DATE", "2025-04-01"),  # "is scheduled to meet ... on Tuesday"
            ("Sunday", "DATE", "2025-03-30"),  # "expressed frustration ... on Sunday"
            ("late February", "DATE", "2025-02"),  # "a report from late February suggested"
            ("2025", "DATE", "2025"),  # a next-post headline: a date in the text all the same
        ],
    ),
    "004": (
        "2025-08-18",
        [
            ("recent", "DATE", "PAST_REF"),
            ("Monday", "DATE", "2025-08-18"),  # "said on Monday"
            ("Friday", "DATE", "2025-08-15"),  # "a summit in Alaska on Friday": past
            ("Monday", "DATE", "2025-08-18"),  # "is scheduled to receive ... on Monday": same day
            ("February", "DATE", "2025-02"),  # "since their February fallout": past
        ],
    ),
}


@pytest.mark.parametrize("seed", sorted(SEED_EXPECTED))
def test_seed_articles(nlp: Language, seed: str) -> None:
    path = next(p for p in SEEDS if p.name.startswith(seed))
    published, expected = SEED_EXPECTED[seed]
    assert rows(nlp, path.read_text(encoding="utf-8"), published) == expected


def test_seed_offsets_and_columns(nlp: Language) -> None:
    path = next(p for p in SEEDS if p.name.startswith("001"))
    text = path.read_text(encoding="utf-8")
    df = newsdesk.timexes(text, published=dt.date(2025, 3, 28))
    assert tuple(df.columns) == COLUMNS
    assert all(text[s:e] == t for s, e, t in zip(df["start"], df["end"], df["text"], strict=True))
    friday = df[df["text"] == "Friday"].iloc[0]
    assert friday["anchor"] == dt.date(2025, 3, 28) and friday["granularity"] == "day"
    caption = df[df["text"] == "March 27, 2025"].iloc[0]
    assert caption["anchor"] is None  # absolute: nothing to resolve against


# ---------------------------------------------------------------- relative rules
RELATIVE = [
    ("2025-03-28", "Both countries confirmed the visit on Friday.", "Friday", "2025-03-28"),
    ("2025-03-26", "The minister will arrive on Friday.", "Friday", "2025-03-28"),
    ("2025-03-26", "The minister arrived on Friday.", "Friday", "2025-03-21"),
    ("2025-03-26", "The minister is expected to arrive on Friday.", "Friday", "2025-03-28"),
    ("2025-03-26", "The ministers met last Friday.", "last Friday", "2025-03-21"),
    ("2025-03-26", "The ministers meet again next Friday.", "next Friday", "2025-03-28"),
    ("2025-03-28", "Prices rose sharply last week.", "last week", "2025-W12"),
    ("2025-03-28", "The ministers will meet this week.", "this week", "2025-W13"),
    ("2025-03-28", "Talks resume next month.", "next month", "2025-04"),
    ("2025-03-28", "Exports fell last month.", "last month", "2025-02"),
    ("2025-03-28", "The envoy left three days ago.", "three days ago", "2025-03-25"),
    ("2025-03-28", "The envoy left two weeks ago.", "two weeks ago", "2025-W11"),
    ("2025-03-28", "Sales have doubled this year.", "this year", "2025"),
    ("2025-03-28", "Sales doubled last year.", "last year", "2024"),
    ("2025-03-28", "The deal was signed earlier this month.", "this month", "2025-03"),
    ("2025-03-28", "Putin is expected in China later this year.", "this year", "2025"),
    ("2025-03-28", "Growth will pick up early next year.", "early next year", "2026"),
    ("2025-03-28", "The ministers met yesterday.", "yesterday", "2025-03-27"),
    ("2025-03-28", "The ministers meet tomorrow.", "tomorrow", "2025-03-29"),
    ("2025-03-28", "The talks ended today.", "today", "2025-03-28"),
    ("2025-03-28", "The envoy arrived this morning.", "this morning", "2025-03-28TMO"),
    (
        "2025-03-28",
        "The treaty was signed on March 20, and protests began the same day.",
        "the same day",
        "2025-03-20",
    ),
    (
        "2025-03-28",
        "The talks began on March 20 and ended the following day.",
        "the following day",
        "2025-03-21",
    ),
    ("2025-10-28", "Third-quarter profit rose 5% from a year earlier.", "a year earlier", "2024-Q3"),
    ("2025-10-28", "Third-quarter profit rose 5% from a year ago.", "a year ago", "2024-Q3"),
    ("2025-10-28", "Third-quarter profit beat the year-ago quarter.", "the year-ago quarter", "2024-Q3"),
    ("2025-10-28", "Profit fell in the first quarter.", "the first quarter", "2025-Q1"),
    ("2025-10-28", "Third-quarter sales rose.", "Third-quarter", "2025-Q3"),
    ("2025-03-28", "Revenue rose in the fourth quarter of 2024.", "the fourth quarter of 2024", "2024-Q4"),
    ("2025-03-28", "Profit rose in fiscal 2024.", "fiscal 2024", "2024"),
    ("2025-03-28", "The report from late February said so.", "late February", "2025-02"),
    ("2025-03-28", "The summit will be held in May.", "May", "2025-05"),
    ("2025-03-28", "The summit was held in November.", "November", "2024-11"),
    ("2025-03-28", "It has not happened since their February meeting.", "February", "2025-02"),
    ("2025-03-28", "It was a boom in the 1980s.", "the 1980s", "198X"),
    ("2025-03-28", "It peaked in the mid-1990s.", "the mid-1990s", "199X"),
    ("2025-03-28", "Markets have changed since 1998.", "1998", "1998"),
    ("2025-03-28", "Shares are up 12% now.", "now", "PRESENT_REF"),
    ("2025-03-28", "The firm recently hired staff.", "recently", "PAST_REF"),
    ("2025-03-28", "Prices may rise in the future.", "the future", "FUTURE_REF"),
    ("2025-03-28", "The law comes into force at 3 p.m. on Friday.", "3 p.m. on Friday", "2025-03-28T15:00"),
    ("2025-08-13", "Leaders will meet in Alaska on Friday at 3 p.m.", "Friday at 3 p.m.", "2025-08-15T15:00"),
    ("2025-03-28", "Christmas 2024 was quiet.", "Christmas 2024", "2024-12-25"),
]


@pytest.mark.parametrize(("published", "sentence", "span", "value"), RELATIVE)
def test_relative_rules(nlp: Language, published: str, sentence: str, span: str, value: str) -> None:
    assert find(nlp, sentence, published, span)["value"] == value


RANGES = [
    (
        "2025-03-28",
        "The minister will visit from March 31 to April 2.",
        [("March 31", "2025-03-31"), ("April 2", "2025-04-02")],
    ),
    (
        "2025-01-05",
        "Offices closed from Dec. 30 to Jan. 2.",
        [("Dec. 30", "2024-12-30"), ("Jan. 2", "2025-01-02")],
    ),
    (
        "2025-03-26",
        "The talks will run from Monday to Wednesday.",
        [("Monday", "2025-03-31"), ("Wednesday", "2025-04-02")],
    ),
    (
        "2025-06-01",
        "The fair ran from December 30 to January 2, 2024.",
        [("December 30", "2023-12-30"), ("January 2, 2024", "2024-01-02")],
    ),
]


@pytest.mark.parametrize(("published", "sentence", "expected"), RANGES)
def test_ranges(nlp: Language, published: str, sentence: str, expected: list[tuple[str, str]]) -> None:
    assert [(t, v) for t, _, v in rows(nlp, sentence, published)] == expected


# ---------------------------------------------------------------- calendar edge cases
CALENDAR = [
    # year boundaries
    ("2025-01-02", "It snowed heavily last December.", "last December", "2024-12"),
    ("2025-01-02", "The minister resigned on December 30.", "December 30", "2024-12-30"),
    ("2025-01-02", "Sales fell last week.", "last week", "2024-W52"),
    ("2025-01-02", "Sales fell last year.", "last year", "2024"),
    ("2024-12-30", "The results are due this week.", "this week", "2025-W01"),  # ISO week 1 of 2025
    ("2021-01-03", "The results came out this week.", "this week", "2020-W53"),  # 2020 has 53 ISO weeks
    ("2024-12-30", "The company will report next month.", "next month", "2025-01"),
    # leap days
    ("2024-03-01", "The law took effect on Feb. 29.", "Feb. 29", "2024-02-29"),
    ("2025-06-01", "She was born on February 29, 2024.", "February 29, 2024", "2024-02-29"),
    (
        "2025-06-01",
        "The pact expires a year after February 29, 2024.",
        "a year after February 29, 2024",
        "2025-02-28",
    ),
    (
        "2024-03-30",
        "The vote was held a month after Jan. 31, 2024.",
        "a month after Jan. 31, 2024",
        "2024-02-29",
    ),
    # two-digit years and numeric dates
    ("2025-03-28", "The bank failed in '98.", "'98", "1998"),
    ("2025-03-28", "The case returns in '26.", "'26", "2026"),
    ("2025-03-28", "The filing is dated 03/04/25.", "03/04/25", "2025-03-04"),
    ("2025-03-28", "The filing is dated 31/03/2025.", "31/03/2025", "2025-03-31"),  # day > 12: unambiguous
    ("2025-03-28", "Published 2025-03-28T15:00 in Berlin.", "2025-03-28T15:00", "2025-03-28T15:00"),
    # abbreviations
    ("2025-09-10", "The vote is set for Mon., Sept. 15.", "Mon., Sept. 15", "2025-09-15"),
    ("2025-10-01", "The offer expired Sept. 30.", "Sept. 30", "2025-09-30"),
    ("2025-10-01", "Trading will resume Mon. after the holiday.", "Mon.", "2025-10-06"),
]


@pytest.mark.parametrize(("published", "sentence", "span", "value"), CALENDAR)
def test_calendar_edges(nlp: Language, published: str, sentence: str, span: str, value: str) -> None:
    assert find(nlp, sentence, published, span)["value"] == value


def test_date_order(nlp: Language) -> None:
    text = "The filing is dated 03/04/25."
    assert find(nlp, text, None, "03/04/25", date_order="MDY")["value"] == "2025-03-04"
    assert find(nlp, text, None, "03/04/25", date_order="DMY")["value"] == "2025-04-03"
    with pytest.raises(ValueError, match="date_order"):
        newsdesk.timexes(text, date_order="XYZ")


# ---------------------------------------------------------------- durations and sets
DURATIONS_AND_SETS = [
    ("Talks lasted two weeks.", "two weeks", "DURATION", "P2W"),
    ("Sales fell over the past three years.", "the past three years", "DURATION", "P3Y"),
    ("He served 2 1/2 years in prison.", "2 1/2 years", "DURATION", "P2Y6M"),
    ("He served two and a half years in prison.", "two and a half years", "DURATION", "P2Y6M"),
    ("The ban lasts a year and a half.", "a year and a half", "DURATION", "P1Y6M"),
    ("The flight took five hours.", "five hours", "DURATION", "PT5H"),
    ("The siege lasted 18 months.", "18 months", "DURATION", "P18M"),
    ("It signed a two-year contract.", "two-year", "DURATION", "P2Y"),
    ("Profit rose in the first nine months.", "the first nine months", "DURATION", "P9M"),
    ("The strike lasted several weeks.", "several weeks", "DURATION", "PXW"),
    ("It has grown for nearly a decade.", "nearly a decade", "DURATION", "P10Y"),
    ("The firm pays dividends quarterly.", "quarterly", "SET", "P3M"),
    ("The festival is held each year.", "each year", "SET", "P1Y"),
    ("The council meets every Monday.", "every Monday", "SET", "XXXX-WXX-1"),
    ("The paper appears daily.", "daily", "SET", "P1D"),
    ("The plant costs $5 million a year to run.", "a year", "SET", "P1Y"),
    ("The ministers meet on Mondays.", "Mondays", "SET", "XXXX-WXX-1"),
]


@pytest.mark.parametrize(("sentence", "span", "typ", "value"), DURATIONS_AND_SETS)
def test_durations_and_sets(nlp: Language, sentence: str, span: str, typ: str, value: str) -> None:
    row = find(nlp, sentence, "2025-03-28", span)
    assert (row["type"], row["value"]) == (typ, value)


def test_mod_and_granularity(nlp: Language) -> None:
    row = find(nlp, "He waited nearly two years.", "2025-03-28", "nearly two years")
    assert (row["value"], row["mod"], row["granularity"]) == ("P2Y", "LESS_THAN", "duration")
    row = find(nlp, "It peaked in early 2024.", "2025-03-28", "early 2024")
    assert (row["value"], row["mod"], row["granularity"]) == ("2024", "START", "year")


# ---------------------------------------------------------------- no publication date
UNRESOLVED = [
    ("The ministers met on Friday.", "Friday", "XXXX-WXX-5"),
    ("The minister will visit on March 31.", "March 31", "XXXX-03-31"),
    ("Prices rose last week.", "last week", "XXXX-WXX"),
    ("Prices rose last month.", "last month", "XXXX-XX"),
    ("The envoy left three days ago.", "three days ago", "XXXX-XX-XX"),
    ("Sales doubled this year.", "this year", "XXXX"),
    ("Profit fell in the third quarter.", "the third quarter", "XXXX-Q3"),
    ("The ministers met yesterday.", "yesterday", "XXXX-XX-XX"),
    ("The visit lasted three days.", "three days", "P3D"),  # durations need no anchor
    ("The treaty was signed on March 31, 2025.", "March 31, 2025", "2025-03-31"),
]


@pytest.mark.parametrize(("sentence", "span", "value"), UNRESOLVED)
def test_without_published(nlp: Language, sentence: str, span: str, value: str) -> None:
    row = find(nlp, sentence, None, span)
    assert row["value"] == value and row["anchor"] is None


@pytest.mark.parametrize(
    "published", ["2025-03-28", dt.date(2025, 3, 28), dt.datetime(2025, 3, 28, 23, 5), "2025-03-28T23:05:00Z"]
)
def test_published_forms(nlp: Language, published: object) -> None:
    assert find(nlp, "The ministers met yesterday.", published, "yesterday")["value"] == "2025-03-27"


# ---------------------------------------------------------------- robustness
ODD_TEXTS = [
    "",
    "   \n\n ",
    "\x00\x01 May may MAY march March",
    "9" * 5000,
    "Jan. " * 2000,
    "the past " * 3000 + "year",
    "1999-99-99 13/45/2020 02/30/2021 Feb. 30 31 June 2025",
    "🙂 March 31 🙂 ٣١ مارس 2025",
    "a " * 4000 + "years ago",
    "from " + "Monday to " * 500 + "Friday",
]


@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
def test_never_raises(text: str) -> None:
    df = newsdesk.timexes(text, published="2025-03-28")
    assert tuple(df.columns) == COLUMNS
    assert all(text[s:e] == t for s, e, t in zip(df["start"], df["end"], df["text"], strict=True))


def test_invalid_dates_are_not_tagged(nlp: Language) -> None:
    found = [t for t, _, _ in rows(nlp, "Deadlines: Feb. 30 and 13/45/2020.", "2025-03-28")]
    assert "Feb. 30" not in found and "13/45/2020" not in found
