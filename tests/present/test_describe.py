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


def test_caveats_are_computed_from_the_corpus() -> None:
    import pandas as pd

    from newsdesk.present.describe import corpus_caveats

    articles = pd.DataFrame(
        {
            "article_id": ["a", "b", "c", "d"],
            "outlet": ["Dawn", "Dawn", "Dawn", None],
            "effective_date": pd.to_datetime(["2024-04-08", None, "2024-04-09", "2024-04-10"]),
            "date_source": ["manifest", "unknown", "inferred", "inferred"],
            "date_confidence": [1.0, None, 0.9, 0.25],
            "outlet_source": ["manifest", "manifest", "manifest", "unknown"],
        }
    )
    caveats = corpus_caveats(articles)
    assert "1 of 4 article(s) have no known outlet" in caveats[0]
    assert any("1 of 4 article(s) have no publication date" in c for c in caveats)
    inferred = [c for c in caveats if "2 publication date(s) are inferred" in c]
    assert inferred and "(1 with confidence under 0.5)" in inferred[0]
    assert not any("fewer than 3 articles" in c for c in caveats)  # Dawn has three
    assert "fewer than 3 articles" in corpus_caveats(articles.iloc[2:])[0]
