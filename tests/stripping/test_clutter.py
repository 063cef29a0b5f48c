"""Clutter phrases: whole words, a bounded gap for "*", never a pattern, never across a line break."""

from __future__ import annotations

import numpy as np

from newsdesk.stripping import features as sf
from newsdesk.stripping.clutter import GAP_WORDS, ClutterMatcher, read_phrases


def _hits(phrases: list[str], text: str) -> list[float]:
    doc = sf.split_lines(text)
    tokens = sf._tokens(doc.text)
    codes, _ = sf._token_codes(tokens, None)
    return (
        ClutterMatcher(phrases, sf._tokens)
        .line_hits(tokens, sf._line_of(codes, doc), len(doc.nonblank))
        .tolist()
    )


def test_phrases_match_whole_words_case_insensitively() -> None:
    text = "Already a subscriber? LOG IN\nThe login page\nBlog input\nlog\nin"
    assert _hits(["log in", "login"], text) == [1, 1, 0, 0, 0]


def test_a_star_spans_a_bounded_number_of_words_on_one_line() -> None:
    near = "Updated " + "x " * GAP_WORDS + "ago"
    far = "Updated " + "x " * (GAP_WORDS + 1) + "ago"
    text = f"{near}\n{far}\nUpdated 27 min\nago"
    assert _hits(["updated * ago"], text) == [1, 0, 0, 0]


def test_phrases_are_data_not_patterns() -> None:
    # a regular expression in the file is read as the words it contains, so it cannot blow up
    phrases = ["([\\w\\s]+)+!", "a.*b"]
    text = "w s here\n" + "a" * 50_000 + "!\nab"
    hits = _hits(phrases, text)
    assert hits == [1, 0, 0]


def test_the_packaged_lexicon_marks_real_clutter() -> None:
    phrases = read_phrases()
    assert "already a subscriber" in phrases and not any(p.startswith("#") for p in phrases)
    lines = [
        "Already a subscriber? Log in",
        "JOIN US ON TELEGRAM",
        "Updated / 40 sec ago / Published / 27 min ago",
        "Copyright © 2020 CGTN. Beijing ICP prepared NO.16065310-3",
        "- Advertisement -",
        "Wang Yi met Sergei Lavrov in Moscow on Monday for talks on Ukraine.",
    ]
    stats = sf.line_stats(sf.split_lines("\n".join(lines)))
    clutter = stats.values[sf.STAT_ROW["clutter"]]
    assert (clutter[:5] > 0).all() and clutter[5] == 0
    assert np.isfinite(clutter).all()
