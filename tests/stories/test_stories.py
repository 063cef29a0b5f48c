"""Stories, claims and the story map on the hand-made gold corpus (tests/stories/gold)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import newsdesk
from newsdesk.analysis import stories as st
from newsdesk.present import stories as story_report

GOLD = Path(__file__).resolve().parent / "gold"


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("stories") / "gold"
    shutil.copytree(GOLD, folder)
    corpus = newsdesk.open_corpus(folder, cache_dir=folder.parent / "cache")
    return st.corpus_stories(corpus), st.corpus_claims(corpus)


@pytest.fixture(scope="module")
def gold() -> dict:
    return yaml.safe_load((GOLD / "gold.yaml").read_text(encoding="utf-8"))


def _gold_story(gold: dict) -> dict[str, str]:
    return {article: key for key, story in gold["stories"].items() for article in story["articles"]}


def test_no_two_articles_about_different_events_share_a_story(found, gold) -> None:
    stories, _ = found
    predicted = dict(zip(stories["article_id"], stories["story_id"], strict=True))
    truth = _gold_story(gold)
    wrong = [
        (a, b) for a, b in itertools.combinations(sorted(truth), 2)
        if truth[a] != truth[b] and predicted[a] == predicted[b]
    ]  # fmt: skip
    assert wrong == []


def test_most_articles_about_one_event_share_its_story(found, gold) -> None:
    stories, _ = found
    predicted = dict(zip(stories["article_id"], stories["story_id"], strict=True))
    truth = _gold_story(gold)
    same = [(a, b) for a, b in itertools.combinations(sorted(truth), 2) if truth[a] == truth[b]]
    kept = [pair for pair in same if predicted[pair[0]] == predicted[pair[1]]]
    assert len(kept) >= 0.8 * len(same)


def test_a_wire_copy_joins_its_originals_story_marked_as_a_copy(found) -> None:
    stories, claims = found
    row = stories.set_index("article_id").loc["a19"]
    assert bool(row["is_copy"]) and row["copy_of"] == "a10"
    assert row["story_id"] == stories.set_index("article_id").loc["a10", "story_id"]
    assert "a19" not in set(claims["article_id"])  # a copy carries no claim of its own


def test_a_claim_takes_at_most_one_sentence_per_article_and_two_articles(found) -> None:
    _, claims = found
    assert not claims.duplicated(["claim_id", "article_id"]).any()
    assert (claims.groupby("claim_id")["article_id"].nunique() >= 2).all()
    assert set(claims["position"]) <= set(st.POSITIONS) and set(claims["voice"]) <= set(st.VOICES)



def test_reading_the_sentences_a_few_articles_at_a_time_changes_nothing(
    found, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "gold"
    shutil.copytree(GOLD, folder)
    monkeypatch.setattr(st, "READ_CHUNK", 2)
    corpus = newsdesk.open_corpus(folder, cache_dir=tmp_path / "cache")
    stories, claims = st.corpus_stories(corpus), st.corpus_claims(corpus)
    pd.testing.assert_frame_equal(stories, found[0])
    pd.testing.assert_frame_equal(claims, found[1])
    assert len(claims) > 20

def test_the_story_map_marks_omissions_only_for_outlets_that_covered_the_story(found) -> None:
    stories, claims = found
    story_id = story_report.largest_story(stories)
    cells = st.story_map(stories, claims, story_id)
    covering = set(stories[(stories["story_id"] == story_id) & ~stories["is_copy"]]["outlet"])
    assert set(cells["group"]) == covering
    assert set(cells["state"]) <= {st.CARRIED_OWN, st.CARRIED_QUOTED, st.NOT_CARRIED}
    carriers = claims[claims["story_id"] == story_id].groupby("claim_id")["outlet"].agg(set)
    for row in cells.itertuples(index=False):
        assert (row.state == st.NOT_CARRIED) == (row.group not in carriers.get(row.claim_id, set()))
    for row in st.omissions(cells).itertuples(index=False):
        others = cells[(cells["claim_id"] == row.claim_id) & (cells["state"] != st.NOT_CARRIED)]
        assert row.group not in set(others["group"]) and len(others) >= 2


def test_placement_counts_each_claim_once_per_article_at_its_highest_place(found) -> None:
    _, claims = found
    table = st.placement(claims)
    assert (table[list(st.POSITIONS)].sum(axis=1) == table["n_claims"]).all()
    assert table["n_claims"].sum() == len(claims.drop_duplicates(["article_id", "claim_id"]))


@pytest.mark.parametrize(
    ("numbers", "disagree"),
    [
        (["26", ">20"], True), (["12", "10"], True), (["2", "22"], False), (["12", "12|3"], False),
        (["26", ""], False),
    ],
)
def test_figures_disagree_when_members_state_different_figures_of_one_size(numbers, disagree) -> None:
    members = pd.DataFrame({"claim": [0] * len(numbers), "numbers": numbers})
    assert st._figures_disagree(members) == {0: disagree}


def test_the_finding_names_the_largest_story_from_the_data(found) -> None:
    stories, claims = found
    story_id = story_report.largest_story(stories)
    cells = st.story_map(stories, claims, story_id)
    finding = story_report.story_finding(stories, claims, cells, story_id)
    assert f"{len(stories[~stories['is_copy']]):,} articles form " in finding and story_id in finding
    assert story_report.story_table(stories)["n_articles"].sum() == len(stories)


def test_framing_terms_are_placed_in_the_headline_lede_or_body(tmp_path: Path) -> None:
    from newsdesk.analysis import framing

    folder = tmp_path / "gold"
    shutil.copytree(GOLD, folder)
    corpus = newsdesk.open_corpus(folder, cache_dir=tmp_path / "cache")
    matches = framing.collect(corpus).matches
    positions = st.match_positions(corpus, matches)
    assert set(positions) <= set(st.POSITIONS) and len(positions) == len(matches)
    # "Ukraine war: China's peace plan greeted with scepticism" (a18) names the war in its headline
    headline = matches[(matches["article_id"] == "a18") & (positions == "headline")]
    assert "war" in set(headline["term"])
    table = st.term_placement(matches, positions)
    assert table["n_matches"].sum() == len(matches)
    assert ((table["headline"] + table["lede"] + table["body"]) == table["n_matches"]).all()
    # the map by outlet country: one column per country that covered the story
    stories, claims = st.corpus_stories(corpus), st.corpus_claims(corpus)
    story_id = story_report.largest_story(stories)
    cells = st.story_map(stories, claims, story_id, group="country", articles=corpus.articles)
    in_story = stories.loc[(stories["story_id"] == story_id) & ~stories["is_copy"], "article_id"]
    members = corpus.articles[corpus.articles["article_id"].isin(in_story)]
    assert set(cells["group"]) == set(members["outlet_country"].fillna("(unknown)"))
    with pytest.raises(ValueError, match="cannot group by 'colour'"):
        st.story_map(stories, claims, story_id, group="colour", articles=corpus.articles)


def test_a_corpus_with_one_article_has_one_story_and_no_claims(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(GOLD / "articles" / "a15.txt", tmp_path / "data" / "a15.txt")
    corpus = newsdesk.open_corpus(tmp_path / "data", cache_dir=tmp_path / "cache")
    stories, claims = st.corpus_stories(corpus), st.corpus_claims(corpus)
    assert stories["story_id"].tolist() == ["s001"] and claims.empty
    cells = st.story_map(stories, claims, "s001", articles=corpus.articles)
    assert cells.empty and st.omissions(cells).empty and st.disagreeing_figures(claims).empty
    finding = story_report.story_finding(stories, claims, cells, "s001")
    assert finding.startswith("1 article forms 1 story; 0 of them are covered")


def test_the_corpus_answers_stories_and_claims_itself(found, tmp_path: Path) -> None:
    folder = tmp_path / "gold"
    shutil.copytree(GOLD, folder)
    corpus = newsdesk.open_corpus(folder, cache_dir=tmp_path / "cache")
    pd.testing.assert_frame_equal(corpus.stories(), found[0])
    pd.testing.assert_frame_equal(corpus.claims(), found[1])
