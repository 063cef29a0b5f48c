"""A corpus with nothing usable opens empty, with its problems, instead of crashing."""

from __future__ import annotations

from pathlib import Path

import newsdesk
from newsdesk.analysis.quotes import corpus_quotes


def test_a_folder_with_no_usable_article_opens_empty_with_its_problems(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\x00\x01\x02\x03 binary \x00\x00")
    (tmp_path / "b.txt").write_text("   \n", encoding="utf-8")
    corpus = newsdesk.open_corpus(tmp_path)
    assert corpus.articles.empty
    assert {"effective_date", "date_source", "date_confidence"} <= set(corpus.articles.columns)
    assert sorted(corpus.problems["file"]) == ["a.txt", "b.txt"]
    assert set(corpus.problems["severity"]) == {"error"}
    assert corpus_quotes(corpus).empty
