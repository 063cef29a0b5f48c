"""Corpus-level boilerplate passes: near-duplicate articles, lines repeated across a site, bodies."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import newsdesk
from newsdesk.parsing.parse import corpus_docs
from newsdesk.present import boilerplate as boilerplate_report
from newsdesk.stripping import dedup, sitechrome
from newsdesk.stripping.corpus import (
    SiteSettings,
    corpus_bodies,
    render_body,
    strip_corpus,
)
from newsdesk.stripping.offsets import to_original_offsets
from newsdesk.stripping.stripper import REASONS

from ..conftest import SEEDS

SITE_FOOTER = "The Eurasia Ledger is an independent newsroom covering diplomacy between Moscow and Beijing."

# Short bodies written for these tests: distinct stories, so that only the footer recurs.
STORIES = [
    "Wang Yi met Sergei Lavrov in Moscow on Tuesday. The two ministers discussed trade, energy and the war "
    "in Ukraine, and agreed to meet again before the end of the year, officials said.",
    "China's foreign ministry said on Monday that it welcomed talks between Washington and Moscow. A "
    "spokesperson told reporters that Beijing supported every effort that could lead to peace.",
    "Russian President Vladimir Putin will travel to Beijing in the autumn, the Kremlin said. Aides are "
    "preparing agreements on gas pipelines, grain exports and payments in national currencies.",
    "European diplomats urged China to press Russia toward a ceasefire. Several ministers said privately "
    "that they doubted Beijing would risk its partnership with Moscow over the war.",
    "Analysts in Shanghai said trade between China and Russia reached a record last year, driven by energy "
    "sales, cars and machinery, while Western sanctions redirected Russian exports eastward.",
    "North Korea's leader Kim Jong Un received a Russian delegation in Pyongyang. State media said the two "
    "sides discussed military cooperation and a new rail link across the Tumen river.",
]


def _write_site(folder: Path, outlet: str | None) -> None:
    folder.mkdir(parents=True)
    rows = ["id,file,outlet"]
    for number, story in enumerate(STORIES):
        (folder / f"story{number}.txt").write_text(f"{story}\n\n{SITE_FOOTER}\n", encoding="utf-8")
        rows.append(f"story{number},story{number}.txt,{outlet or ''}")
    (folder / "articles.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _lines(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["article_id", "text", "kept"]).assign(reason="body")


def test_repeated_lines_counts_per_outlet_and_marks_only_that_outlet() -> None:
    articles = pd.DataFrame(
        {"article_id": [f"a{i}" for i in range(6)] + ["b0"], "outlet": ["Ledger"] * 6 + ["Other"]}
    )
    topics = ["trade", "energy", "grain", "visas", "rail", "banks"]
    rows = [(f"a{i}", f"A story about {topic}.", True) for i, topic in enumerate(topics)]
    rows += [(f"a{i}", "Follow the Ledger on social media", True) for i in range(4)]
    rows += [("b0", "Follow the Ledger on social media", True)]
    lines = _lines(rows)
    repeated = sitechrome.repeated_lines(lines, articles, min_articles=3, min_share=0.5, min_group=5)
    assert repeated[["group", "line", "n_articles", "group_size"]].to_dict("records") == [
        {
            "group": sitechrome.ALL_ARTICLES,
            "line": "follow the ledger on social media",
            "n_articles": 5,
            "group_size": 7,
        },
        {"group": "Ledger", "line": "follow the ledger on social media", "n_articles": 4, "group_size": 6},
    ]
    marked = sitechrome.mark_repeated(lines, articles, repeated)
    footer = marked["text"] == "Follow the Ledger on social media"
    assert (
        marked.loc[footer & marked["article_id"].str.startswith("a"), "reason"] == sitechrome.REASON
    ).all()
    # b0 has a known outlet of its own (one article): its line is judged within "Other", not marked.
    assert marked.loc[footer & (marked["article_id"] == "b0"), "kept"].all()
    assert lines["kept"].all(), "the input frame is not changed"


def test_repeated_lines_needs_a_large_enough_group() -> None:
    articles = pd.DataFrame({"article_id": ["a0", "a1", "a2"], "outlet": [None, None, None]})
    lines = _lines([(a, "Share this article", True) for a in articles["article_id"]])
    assert sitechrome.repeated_lines(lines, articles, min_group=5).empty
    assert len(sitechrome.repeated_lines(lines, articles, min_group=3, min_articles=3)) == 1


def test_excluded_copies_do_not_count() -> None:
    articles = pd.DataFrame({"article_id": [f"a{i}" for i in range(5)], "outlet": [None] * 5})
    lines = _lines([(f"a{i}", "A sentence that only copies repeat.", True) for i in (0, 1, 2)])
    assert len(sitechrome.repeated_lines(lines, articles, min_articles=3, min_group=2)) == 1
    assert sitechrome.repeated_lines(lines, articles, exclude={"a1"}, min_articles=3, min_group=2).empty


def test_normalise_line_folds_case_spaces_and_numbers() -> None:
    assert sitechrome.normalise_line("  3 min  READ ") == sitechrome.normalise_line("12 min read")


def test_find_duplicates_marks_the_later_copy() -> None:
    seed = SEEDS[1].read_text(encoding="utf-8")
    bodies = pd.DataFrame(
        {
            "article_id": ["copy", "original", "other"],
            "body": [seed.replace("Friday", "Friday morning"), seed, SEEDS[3].read_text(encoding="utf-8")],
            "published_date": pd.to_datetime(["2025-03-29", "2025-03-28", "2025-03-31"]),
        }
    )
    result = dedup.find_duplicates(bodies).set_index("article_id")
    assert result.loc["copy", "duplicate_of"] == "original"
    assert result.loc["copy", "similarity"] > 0.9
    assert pd.isna(result.loc["original", "duplicate_of"])
    assert pd.isna(result.loc["other", "duplicate_of"])
    assert list(result.index) == ["copy", "original", "other"], "rows keep the input order"


def test_short_bodies_are_never_duplicates() -> None:
    bodies = pd.DataFrame({"article_id": ["a", "b"], "body": ["Wang Yi met Lavrov."] * 2})
    assert dedup.find_duplicates(bodies, order=None)["duplicate_of"].isna().all()


def test_render_body_keeps_one_blank_between_paragraphs() -> None:
    lines = pd.DataFrame(
        {
            "text": ["Headline", "", "First para.", "", "", "Share this", "", "Second para.", ""],
            "kept": [True, True, True, True, True, False, True, True, True],
            "reason": ["title", "blank", "body", "blank", "blank", "share-bar", "blank", "body", "blank"],
            "line_no": range(1, 10),
        }
    )
    body, starts = render_body(lines)
    assert body == "First para.\n\nSecond para."
    assert starts.tolist() == [-1, -1, 0, 12, -1, -1, -1, 13, -1]


def test_render_body_joins_the_pieces_of_one_unit() -> None:
    # "Read the [report](https://x.org/r) today." read as Markdown: two pieces of unit 1, link left out
    lines = pd.DataFrame(
        {
            "text": ["Read the ", "report", " today.", "Next line."],
            "kept": [True, True, True, True],
            "reason": ["body"] * 4,
            "line_no": [1, 1, 1, 2],
        }
    )
    body, starts = render_body(lines)
    assert body == "Read the report today.\nNext line."
    assert starts.tolist() == [0, 9, 15, 23]


@pytest.fixture(scope="module")
def seed_corpus(seed_corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> newsdesk.Corpus:
    return newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path_factory.mktemp("cache"))


def test_bodies_match_strip_and_map_back(seed_corpus: newsdesk.Corpus) -> None:
    stripping = strip_corpus(seed_corpus)
    for article_id, text in zip(
        seed_corpus.articles["article_id"], seed_corpus.articles["text"], strict=True
    ):
        body = stripping.bodies.set_index("article_id").loc[article_id, "body"]
        assert body == newsdesk.strip(text).body
        # Every kept line's body offset maps back to where that line starts in the loaded text.
        own = stripping.lines[
            (stripping.lines["article_id"] == article_id) & stripping.lines["body_start"].notna()
        ]
        own = own[own["text"].str.len() >= 3]
        offsets = own["body_start"].to_numpy(np.int64)
        mapped = to_original_offsets(stripping.lines, article_id, offsets + 2)
        assert (mapped == own["start"].to_numpy() + 2).all()
        for line in own.itertuples():
            assert body[line.body_start : line.body_start + len(line.text)] == line.text


def test_stripping_is_cached_per_article(seed_corpus_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = strip_corpus(newsdesk.load_corpus(seed_corpus_dir, cache_dir=cache))
    entries = list(cache.glob("strip/*/*/*.parquet"))
    assert len(entries) == len(SEEDS)
    entries[0].write_bytes(b"not parquet")
    again = strip_corpus(newsdesk.load_corpus(seed_corpus_dir, cache_dir=cache))
    pd.testing.assert_frame_equal(first.lines, again.lines)
    assert entries[0].read_bytes().startswith(b"PAR1"), "the corrupt entry was rewritten"


def test_site_footer_is_removed_from_every_body(tmp_path: Path) -> None:
    _write_site(tmp_path / "ledger", "Eurasia Ledger")
    corpus = newsdesk.load_corpus(tmp_path / "ledger", cache_dir=tmp_path / "cache")
    stripping = strip_corpus(corpus)
    assert not stripping.bodies["body"].str.contains("independent newsroom").any()
    story_kept = stripping.bodies["body"].str.contains(
        "officials said|reporters|Kremlin said|eastward|Pyongyang"
    )
    assert story_kept.sum() >= 5
    assert stripping.site_groups.set_index("group").loc["Eurasia Ledger", "judged"]


def test_site_repeats_respect_settings(tmp_path: Path) -> None:
    _write_site(tmp_path / "site", None)
    corpus = newsdesk.load_corpus(tmp_path / "site", cache_dir=tmp_path / "cache")
    strict = strip_corpus(corpus, SiteSettings(min_group=50))
    assert strict.repeated.empty
    assert not strict.site_groups["judged"].any()
    assert "no group of articles is large enough" in boilerplate_report.repeat_finding(strict)


def test_docs_parse_the_body_by_default(seed_corpus: newsdesk.Corpus) -> None:
    docs = list(corpus_docs(seed_corpus))
    bodies = corpus_bodies(seed_corpus)
    assert [d.text for d in docs] == bodies["body"].tolist()
    assert [d._.newsdesk_article_id for d in docs] == bodies["article_id"].tolist()
    assert [d.text for d in corpus_docs(seed_corpus, source="text")] == seed_corpus.articles["text"].tolist()
    with pytest.raises(ValueError, match="source must be"):
        next(corpus_docs(seed_corpus, source="html"))


def test_notebook_tables_on_seeds(seed_corpus: newsdesk.Corpus) -> None:
    stripping = strip_corpus(seed_corpus)
    summary = boilerplate_report.article_summary(stripping).set_index("article_id")
    assert (summary["n_lines_kept"] + summary["n_lines_dropped"] == summary["n_lines"]).all()
    audit = boilerplate_report.dropped_lines(stripping.lines)
    assert set(audit["reason"]) <= set(REASONS)
    assert "body" not in set(audit["reason"])
    duplicate = audit[audit["reason"] == "duplicate-paragraph"]
    assert duplicate["text"].str.contains("itslef").any(), "001's repeated paragraph with a typo"
    counts = boilerplate_report.reason_counts(stripping.lines)
    assert counts.groupby("article_id")["n_lines"].sum().to_dict() == summary["n_lines"].to_dict()


def test_seed_copy_with_other_chrome_is_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "dups"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    text = SEEDS[4].read_text(encoding="utf-8")
    (folder / "republished.txt").write_text(
        "Home | World | Asia\n\n" + text + "\nShare on Facebook\n", "utf-8"
    )
    stripping = strip_corpus(newsdesk.load_corpus(folder, cache_dir=tmp_path / "cache"))
    result = stripping.duplicates.set_index("article_id")
    assert result.loc["republished", "duplicate_of"] == SEEDS[4].stem
    assert result["duplicate_of"].notna().sum() == 1
