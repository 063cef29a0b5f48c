"""Copies of one story: verbatim pages, mirrors and wire re-edits, never independent articles."""

from __future__ import annotations

import pandas as pd

from newsdesk.metadata.syndication import find_copies, syndicated_share

WIRE = [
    "BEIJING, March 28 (Reuters) - China's foreign minister Wang Yi will travel to Moscow next week for "
    "talks on bilateral ties and the war in Ukraine, both governments said on Friday.",
    "The visit, from March 31 to April 2, follows a call between the two countries' leaders in which "
    "they pledged to deepen a partnership that Western capitals view with growing unease.",
    "Wang is expected to meet Russian Foreign Minister Sergei Lavrov and possibly President Vladimir "
    "Putin, according to a statement posted on the Russian foreign ministry's website late on Thursday.",
    "Beijing has presented itself as a neutral party in the conflict and has called for talks, while "
    "refusing to condemn Moscow for sending troops into its neighbour three years ago.",
    "Trade between the two countries reached a record last year as Russia sold more oil and gas to "
    "China and bought cars, machinery and electronics in return, customs data showed in January.",
    "Diplomats in Beijing said the trip could prepare a visit by President Xi Jinping to Moscow for "
    "the anniversary of the end of the Second World War in May, which the Kremlin has confirmed.",
    "(Reporting by Laurie Chen; Additional reporting by Guy Faulconbridge in Moscow; Editing by Kim "
    "Coghill)",
]
# the same story cut to its first half, re-headlined, two sentences edited, credited to the wire
RE_EDIT = [
    "China's top diplomat heads to Moscow",
    "BEIJING, March 28 (Reuters) - Chinese Foreign Minister Wang Yi will travel to Moscow next week for "
    "talks on bilateral ties and the war in Ukraine, both governments said on Friday.",
    WIRE[1],
    "Wang is expected to meet his Russian counterpart Sergei Lavrov and possibly President Vladimir "
    "Putin, according to a statement posted on the Russian foreign ministry's website late on Thursday.",
    WIRE[3],
]
# another outlet's own article on the same event, quoting the same statement
INDEPENDENT = [
    "Wang Yi to visit Russia as Beijing courts Moscow",
    "China's foreign minister will spend three days in Russia from March 31, his ministry announced, in a "
    "trip that analysts in Washington and Brussels will watch for signs of deeper military ties.",
    "The announcement came a day after the Russian foreign ministry said Wang was expected to meet "
    "Sergei Lavrov and possibly President Vladimir Putin.",
    "A professor of international relations at Renmin University said the visit was mostly about "
    "preparing a summit, and that Beijing wanted to be seen as a broker of peace in Ukraine.",
    "Chinese exports of cars to Russia have tripled since 2022, making the country the largest buyer of "
    "Chinese vehicles, while European brands left the Russian market.",
]


def _articles() -> pd.DataFrame:
    rows = [
        ("wire", "\n".join(WIRE), "Reuters", "Reuters", "2025-03-28"),
        ("reprint", "\n".join(RE_EDIT), "The Straits Times", "Reuters", "2025-03-28"),
        ("scraped-twice", "\n".join(WIRE), "Reuters", "Reuters", "2025-03-29"),
        ("mirror", "\n".join(INDEPENDENT), "mirror.netlify.app", "mirror.netlify.app", "2025-03-30"),
        ("independent", "\n".join(INDEPENDENT), "Dawn", "Dawn", "2025-03-29"),
        ("tiny", "Too short to compare.", "Dawn", "Dawn", "2025-03-29"),
    ]
    return pd.DataFrame(rows, columns=["article_id", "body", "outlet", "source", "effective_date"])


def test_copies_are_grouped_by_kind_and_the_earliest_is_the_original() -> None:
    copies = find_copies(_articles()).set_index("article_id")
    assert copies.loc["reprint", ["copy_of", "copy_kind"]].tolist() == ["wire", "wire re-edit"]
    assert copies.loc["scraped-twice", ["copy_of", "copy_kind"]].tolist() == ["wire", "verbatim"]
    assert copies.loc["mirror", ["copy_of", "copy_kind"]].tolist() == ["independent", "mirror"]
    assert copies.loc[["wire", "independent", "tiny"], "copy_of"].isna().all()
    assert 0.5 <= copies.loc["reprint", "copy_similarity"] < 1.0


def test_independent_articles_on_one_event_are_not_grouped() -> None:
    articles = _articles().set_index("article_id").loc[["wire", "independent"]].reset_index()
    # even when both credit the same wire, sharing a quote is not sharing half the text
    articles["source"] = "Reuters"
    assert find_copies(articles)["copy_of"].isna().all()


def test_a_shared_half_without_a_shared_wire_credit_is_not_a_re_edit() -> None:
    articles = _articles().set_index("article_id").loc[["wire", "reprint"]].reset_index()
    articles["source"] = articles["outlet"]
    assert find_copies(articles)["copy_of"].isna().all()


def test_syndicated_share_per_outlet() -> None:
    articles = _articles().merge(find_copies(_articles()), on="article_id")
    articles["n_chars"] = articles["body"].str.len()
    share = syndicated_share(articles).set_index("outlet")
    assert share.loc["Reuters", ["articles", "copies"]].tolist() == [2, 1]
    assert share.loc["Reuters", "syndicated_share"] == 0.5
    assert share.loc["The Straits Times", "syndicated_share"] == 1.0
    assert share.loc["Dawn", "syndicated_share"] == 0.0


def test_copies_of_a_corpus_are_cached_and_read_back(tmp_path, monkeypatch) -> None:
    import shutil

    import newsdesk
    from newsdesk.metadata import resolve

    from ..conftest import SEEDS

    folder = tmp_path / "data"
    (folder / "articles").mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, folder / "articles" / seed.name)
    shutil.copy(SEEDS[4], folder / "articles" / "zz_copy.txt")
    first = newsdesk.open_corpus(folder, cache_dir=tmp_path / "cache")
    stored = [p for p in (tmp_path / "cache").rglob("*.parquet") if "copies" in p.parts]
    assert len(stored) == 1
    copies = first.articles.set_index("article_id")
    assert copies.loc["zz_copy", ["copy_of", "copy_kind"]].tolist() == [SEEDS[4].stem, "verbatim"]

    calls = []
    original = resolve.find_copies
    monkeypatch.setattr(resolve, "find_copies", lambda frame: calls.append(1) or original(frame))
    again = newsdesk.open_corpus(folder, cache_dir=tmp_path / "cache")
    assert calls == []  # read from the cache, not compared again
    assert again.articles["copy_of"].tolist() == first.articles["copy_of"].tolist()
