"""The date grammar's shortcuts (per-rule gate strings, paragraph-by-paragraph scanning) never change
what it finds: every match of the full, ungated scan is found, and nothing else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from newsdesk.extract import timex_grammar as g
from newsdesk.extract import timexes as temporal

SEEDS = sorted((Path(__file__).resolve().parents[2] / "data" / "articles").glob("*.txt"))

WORDS = [
    "March", "MAY", "Sept.", "3", "31st", "2025", "1998", "'98", "FY24", "fiscal", "Q3", "3Q", "the",
    "last", "next", "this", "week", "weekend", "month", "year", "years", "days", "ago", "later",
    "Monday", "Thurs.", "morning", "tonight", "now", "recently", "current", "10:30", "a.m.", "pm",
    "o'clock", "noon", "GMT", "1990s", "eighties", "20th", "century", "first", "half", "quarter",
    "period", "every", "each", "daily", "per", "hour", "three", "two", "thousand", "nineteen",
    "ninety", "summer", "of", "Christmas", "Eve", "year-ago", "same", "day", "before", "2025-03-31",
    "03/04/25", "about", "more", "than", "for", "in", "recent", "future", ",", ".", "-",
]  # fmt: skip
GAPS = [" ", " ", " ", "\n", "\n\n", "\n \n", " \u00a0", "\t"]


def full_scan(text: str) -> list[tuple[int, int, str]]:
    """Every non-empty match of every rule over the whole text, with no gate."""
    if not g.HINT.search(text):
        return []
    return sorted(
        (m.start(), m.end(), name)
        for name, pattern, _ in g.RULES
        for m in pattern.finditer(text)
        if m.end() > m.start()
    )


def grammar_hits(text: str) -> list[tuple[int, int, str]]:
    return sorted((hit.start, hit.end, hit.rule) for hit in temporal._grammar_hits(text))


def test_every_gated_match_holds_one_of_its_rules_gate_strings() -> None:
    text = "\n\n".join(path.read_text(encoding="utf-8") for path in SEEDS)
    text += "\nIn FY24 and fiscal '25, the 1990s, Q3 2025, at 10:30 a.m. GMT on Monday, Sept. 8.\n"
    checked = 0
    for name, pattern, _ in g.RULES:
        gate = g.GATES.get(name)
        for m in pattern.finditer(text):
            if gate is not None and m.end() > m.start():
                assert any(word in m.group(0).lower() for word in gate), (name, m.group(0))
                checked += 1
    assert checked > 30


def test_seed_articles_give_the_full_scans_matches() -> None:
    assert SEEDS
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        assert grammar_hits(text) == full_scan(text), path.name


def test_fiscal_year_without_an_apostrophe_is_found_anywhere() -> None:
    # The old whole-text gate let "FY24" through only when an apostrophe stood elsewhere in the text.
    text = "Sales rose.\n\nRevenue in FY24 grew by a third."
    assert ("year_short", "FY24") in [(rule, text[s:e]) for s, e, rule in grammar_hits(text)]


def test_no_match_or_lookahead_crosses_a_blank_line() -> None:
    # Every pair of vocabulary words with a blank line between them: the full scan neither joins them
    # nor lets the second decide the first, which is what lets the scan go paragraph by paragraph
    # ("later\n\nMarch" was once one match; "10:30\n\nGMT" once made "10:30" a time).
    differing = []
    for first in WORDS:
        for second in WORDS:
            for gap in ("\n\n", "\n \n", " \n\t\n "):
                text = f"{first}{gap}{second} "
                if grammar_hits(text) != full_scan(text):
                    differing.append(text)
    assert differing == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)), max_size=40))
@example([("later", "\n\n"), ("March", " ")])
@example([("10:30", "\n\n"), ("GMT", " ")])
def test_paragraph_scan_equals_the_full_scan(pieces: list[tuple[str, str]]) -> None:
    text = "".join(word + gap for word, gap in pieces)
    found = grammar_hits(text)
    assert found == full_scan(text)
    for start, end, rule in found:
        gate = g.GATES.get(rule)
        assert gate is None or any(word in text[start:end].lower() for word in gate), (rule, text[start:end])
