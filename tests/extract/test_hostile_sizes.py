"""What reaches the parser is bounded: degenerate runs, one-line pages and pages full of dates."""

from __future__ import annotations

import pytest

import newsdesk
from newsdesk.extract.pubdate import (
    EVIDENCE_WINDOW,
    PARSE_BUDGET_CHARS,
    _date_lines_only,
    _evidence_spans,
    infer_published,
)
from newsdesk.parsing.parse import MAX_RUN_CHARS, parse, split_for_parsing


@pytest.mark.parametrize("text", ['"' * 30_000, "x" * 1_501 + " tail", "“" * 2_000 + "\n" + "(" * 5_000])
def test_no_run_without_spaces_longer_than_the_cap_reaches_the_tokenizer(text: str) -> None:
    pieces = split_for_parsing(text)
    assert "".join(pieces) == text
    assert max(len(run) for piece in pieces for run in piece.split()) <= MAX_RUN_CHARS


@pytest.mark.timeout(60)
def test_a_wall_of_quotation_marks_parses_whole_and_finds_no_quote() -> None:
    text = "Intro line.\n" + '"' * 30_000 + "\nMr Wang said the talks went well."
    assert parse(text).text == text
    found = newsdesk.quotes(text)
    assert found[["kind", "speaker"]].values.tolist() == [["indirect", "Mr Wang"]]


def test_a_one_line_page_keeps_only_windows_around_its_dates_for_the_parse() -> None:
    sentence = "Officials met in Geneva on March 3, 2023, and talks went on for a long while afterwards. "
    text = sentence * 2_000  # one line of 180,000 characters with 2,000 dates
    kept = _date_lines_only(text, _evidence_spans(text))
    assert len(kept) == len(text)
    assert kept[: len(sentence)] == sentence  # the first dates keep their words for the tense
    assert len(kept.replace(" ", "")) < (PARSE_BUDGET_CHARS + 2 * EVIDENCE_WINDOW) * 0.9
    assert infer_published(text)[0] is not None


def test_a_short_line_keeps_its_whole_line_as_before() -> None:
    text = "Filler line without dates.\nTalks were held on Monday, March 6, 2023, in Moscow.\nMore filler."
    lines = _date_lines_only(text, _evidence_spans(text)).split("\n")
    assert lines[1] == text.split("\n")[1] and not lines[0].strip() and not lines[2].strip()
