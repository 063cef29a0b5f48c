"""Corpus descriptions used by notebook 00, checked on the seed corpus."""

from __future__ import annotations

from pathlib import Path

import newsdesk
from newsdesk.present import describe


def test_outlet_table_on_seeds(seed_corpus_dir: Path) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir)
    table = describe.outlet_table(corpus.articles)
    assert table.to_dict("records")[0]["outlet"] == describe.UNSTATED
    rows = {r["outlet"]: r for r in table.to_dict("records")}
    assert rows[describe.UNSTATED]["n_articles"] == 4
    assert rows[describe.UNSTATED]["n_dated"] == 3
    assert rows["GEOPOLITIKI"]["n_articles"] == 1
    assert str(rows["GEOPOLITIKI"]["first"]) == "2022-03-07"


def test_corpus_finding_counts(seed_corpus_dir: Path) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir)
    sentence = describe.corpus_finding(corpus.articles, corpus.problems)
    assert sentence.startswith("5 usable article(s)")
    assert "from 1 named outlet(s) (4 unstated)" in sentence
    assert "4 of 5 have a publication date (2022-03-07 to 2025-08-18)" in sentence
    assert "1 were repaired" in sentence


def test_problem_summary_counts_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bom.txt").write_bytes("\ufeffWang Yi met Sergei Lavrov in Moscow on Tuesday.\n".encode())
    corpus = newsdesk.load_corpus(tmp_path)
    summary = describe.problem_summary(corpus.problems).set_index("severity")
    assert summary.loc["error", "n_files"] == 1
    assert summary.loc["warning", "n_files"] == 1
