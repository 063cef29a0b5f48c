"""Metadata resolved up front: one outlet and one publication date per article, read by every stage."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import newsdesk
from newsdesk.analysis import framing
from newsdesk.analysis.quotes import corpus_quotes
from newsdesk.briefing.runner import default_notebooks_dir, run_briefing
from newsdesk.metadata.resolve import resolve_metadata
from newsdesk.store.annotate import annotate

from ..conftest import SEEDS

#: Addresses written for these tests (not the seeds' real ones): two sites, one article without a URL.
URLS = {
    SEEDS[0].stem: "https://www.example-wire.com/world/2025/04/01/wang-yi-moscow/",
    SEEDS[1].stem: "https://news.example-daily.co.uk/article/wang-lavrov",
    SEEDS[2].stem: "",
    SEEDS[3].stem: "https://example-wire.com/asia/lavrov-wang-talks",
    SEEDS[4].stem: "https://amp.example-daily.co.uk/china-russia",
}
SITES = {"example-wire.com", "example-daily.co.uk"}


@pytest.fixture(scope="module")
def url_only_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed articles with a manifest of ``id,file,url`` only: no outlet, no date."""
    folder = tmp_path_factory.mktemp("url-only")
    (folder / "articles").mkdir()
    with (folder / "articles.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "file", "url"])
        for seed in SEEDS:
            shutil.copy(seed, folder / "articles" / seed.name)
            writer.writerow([seed.stem, f"articles/{seed.name}", URLS[seed.stem]])
    return folder


@pytest.fixture(scope="module")
def resolved(url_only_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("cache")
    return newsdesk.open_corpus(url_only_dir, cache_dir=cache)


def test_outlets_come_from_the_url_else_the_sites_own_chrome(resolved) -> None:
    articles = resolved.articles.set_index("article_id")
    for article_id, url in URLS.items():
        if url:
            assert articles.loc[article_id, "outlet"] in SITES
            assert articles.loc[article_id, "outlet_source"] == "url"
            assert articles.loc[article_id, "outlet_evidence"] == url
    # The seed without a URL names its site in its share line ("GEOPOLITIKI.COM - Share the news ...").
    no_url = articles.loc[SEEDS[2].stem]
    assert no_url["outlet"] == "geopolitiki.com" and no_url["outlet_source"] == "site-line"


def test_manifest_outlet_and_date_win_and_sources_are_stated(seed_corpus_dir: Path, tmp_path: Path) -> None:
    corpus = resolve_metadata(newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path))
    articles = corpus.articles.set_index("article_id")
    manifest = pd.read_csv(seed_corpus_dir / "articles.csv", dtype=str, keep_default_na=False).set_index("id")
    for article_id, row in manifest.iterrows():
        if row["outlet"]:
            found = articles.loc[article_id, ["outlet", "outlet_source"]].tolist()
            assert found == [row["outlet"], "manifest"]
        if row["published"]:
            assert articles.loc[article_id, "date_source"] == "manifest"
            assert articles.loc[article_id, "date_confidence"] == 1.0
            assert articles.loc[article_id, "effective_date"] == pd.Timestamp(row["published"])
        else:  # the undated seed gets the date inferred from its text, with the inference's confidence
            assert articles.loc[article_id, "date_source"] in ("inferred", "unknown")
            if articles.loc[article_id, "date_source"] == "inferred":
                assert 0 < articles.loc[article_id, "date_confidence"] < 1
    assert articles["published_date"].isna().sum() == (manifest["published"] == "").sum()  # manifest's


def test_resolving_twice_changes_nothing(resolved) -> None:
    assert resolve_metadata(resolved) is resolved


def test_every_stage_sees_the_resolved_outlet(resolved) -> None:
    outlet_of = resolved.articles.set_index("article_id")["outlet"]
    quotes = corpus_quotes(resolved)
    assert len(quotes) and (quotes["outlet"] == quotes["article_id"].map(outlet_of)).all()
    inputs = framing.collect(resolved)
    assert (inputs.articles["outlet"] == inputs.articles["article_id"].map(outlet_of)).all()
    chosen = resolved.select(outlets="example-wire.com")
    assert set(chosen.articles["article_id"]) == {SEEDS[0].stem, SEEDS[3].stem}


def test_a_store_holds_the_resolved_outlets(url_only_dir: Path, resolved, tmp_path: Path) -> None:
    annotate(url_only_dir, tmp_path / "store", progress=False)
    store = newsdesk.open_corpus(store=tmp_path / "store")
    columns = ["article_id", "outlet", "outlet_source", "effective_date", "date_source"]
    pd.testing.assert_frame_equal(store.articles[columns], resolved.articles[columns])


def _outputs(notebook: Path) -> str:
    """Every text and HTML output of an executed notebook, joined."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    parts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            data = output.get("data", {})
            parts.append("".join(data.get("text/plain", "")) + "".join(data.get("text/html", "")))
    return "\n".join(parts)


def test_notebooks_name_the_outlets_of_a_url_only_manifest(url_only_dir: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "notebooks"
    chosen.mkdir()
    for name in ("00_corpus.ipynb", "02_quotes.ipynb", "03_chronology.ipynb", "05_briefing.ipynb"):
        shutil.copy(default_notebooks_dir() / name, chosen / name)
    run_briefing(url_only_dir, tmp_path / "out", notebooks_dir=chosen, log=lambda line: None)
    for name in ("00_corpus.ipynb", "02_quotes.ipynb", "03_chronology.ipynb", "05_briefing.ipynb"):
        text = _outputs(tmp_path / "out" / name)
        assert "example-wire.com" in text, name
        assert "(not stated)" not in text and "0 named outlet" not in text, name
    assert "from 3 named outlet(s)" in _outputs(tmp_path / "out" / "00_corpus.ipynb")
    assert "5 article(s) from 3 named outlet(s)" in _outputs(tmp_path / "out" / "05_briefing.ipynb")


_PROSE = (
    "China and Russia held talks in Moscow on the war in Ukraine, the two foreign ministries said.\n"
    "The ministers discussed trade, energy and the situation in the region, officials told reporters.\n"
    "Neither side gave details of any agreement, and a further round is expected later in the year.\n"
)


def test_registry_dates_and_wire_sources_of_a_corpus_i_wrote(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "articles").mkdir(parents=True)
    pages = {
        "ambiguous": ("World\nPublished: 09.04.2024\n\n" + _PROSE, ""),
        "conflict": ("World\nPublished: 3 May 2024\n\n" + _PROSE, "https://www.example-daily.co.uk/2024/04/30/x"),
        "reprint": (
            "World\nBEIJING, March 28 (Reuters) - " + _PROSE + "(Reporting by A. Writer; Editing by B. Ed)\n",
            "https://www.google.com/url?q=https://www.example-daily.co.uk/asia/wang-visit&sa=D",
        ),
    }
    with (folder / "articles.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "file", "url"])
        for name, (text, url) in pages.items():
            (folder / "articles" / f"{name}.txt").write_text(text, encoding="utf-8")
            writer.writerow([name, f"articles/{name}.txt", url])
    (folder / "outlets.csv").write_text(
        "name,domains,country,type,wire\n"
        "Example Daily,example-daily.co.uk,GB,commercial,no\n"
        "Broken,https://broken.example/path,GB,commercial,no\n",
        encoding="utf-8",
    )
    corpus = newsdesk.open_corpus(folder, cache_dir=tmp_path / "cache")
    articles = corpus.articles.set_index("article_id")

    reprint = articles.loc["reprint"]
    assert reprint[["outlet", "outlet_source", "source"]].tolist() == ["Example Daily", "url", "Reuters"]
    assert (reprint["outlet_type"], reprint["outlet_country"]) == ("commercial", "GB")
    assert pd.isna(articles.loc["ambiguous", "effective_date"])
    assert articles.loc["ambiguous", "ambiguous_date"] == "09.04.2024"
    assert articles.loc["conflict", "effective_date"] == pd.Timestamp("2024-04-30")
    assert articles.loc["conflict", "date_conflict"]

    problems = corpus.problems
    messages = dict(zip(problems["article_id"].fillna(problems["file"]), problems["message"], strict=True))
    assert "'09.04.2024' could be read day-first or month-first" in messages["ambiguous"]
    assert "the URL says 2024-04-30 but the text says 2024-05-03" in messages["conflict"]
    registry_problem = problems[problems["file"] == "outlets.csv"]
    assert registry_problem["line"].tolist() == [3] and "not a domain" in registry_problem["message"].iloc[0]
