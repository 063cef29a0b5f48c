"""The story/claim gold set (tests/stories/gold) is consistent, and bench/eval_stories.py scores right.

These tests check the hand-made labels and the scoring math only, not the library's stories and
claims (bench/eval_stories.py reports those figures).
"""

from __future__ import annotations

import csv
import difflib
import importlib.util
import itertools
import re
import sys
import types
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

PROJECT = Path(__file__).resolve().parents[2]
GOLD = Path(__file__).resolve().parent / "gold"
SCRIPT = PROJECT / "bench" / "eval_stories.py"


def _load_script() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("eval_stories", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("eval_stories", module)
    spec.loader.exec_module(module)
    return module


ev = _load_script()


@pytest.fixture(scope="module")
def manifest() -> list[dict[str, str]]:
    with (GOLD / "articles.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def texts(manifest: list[dict[str, str]]) -> dict[str, str]:
    return {row["id"]: (GOLD / row["file"]).read_text(encoding="utf-8") for row in manifest}


@pytest.fixture(scope="module")
def gold() -> dict:
    return ev.load_gold(GOLD)


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


def test_manifest_lists_every_article_file_once(manifest: list[dict[str, str]]) -> None:
    assert list(manifest[0]) == ["id", "file", "outlet", "url", "published", "language"]
    ids = [row["id"] for row in manifest]
    assert len(ids) == len(set(ids))
    assert 24 <= len(ids) <= 30
    files = {row["file"] for row in manifest}
    on_disk = {f"articles/{p.name}" for p in (GOLD / "articles").glob("*.txt")}
    assert files == on_disk
    for row in manifest:
        assert row["file"] == f"articles/{row['id']}.txt"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["published"]), row
        assert row["url"].startswith("https://"), row
        assert row["outlet"] and row["language"] == "en", row


def test_articles_look_like_scraped_bodies(texts: dict[str, str]) -> None:
    for article_id, text in texts.items():
        words = len(text.split())
        assert 150 <= words <= 500, (article_id, words)
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        # headline (+ optional byline/dateline or standfirst) then 4-10 paragraphs
        assert 5 <= len(paragraphs) <= 13, (article_id, len(paragraphs))
        assert text.isascii(), article_id


def test_outlets_and_urls_agree(manifest: list[dict[str, str]]) -> None:
    domains = {
        "Reuters": "reuters.com", "Xinhua": "news.cn", "TASS": "tass.com", "BBC News": "bbc.com",
        "The Guardian": "theguardian.com", "South China Morning Post": "scmp.com",
        "Kyiv Independent": "kyivindependent.com", "Al Jazeera": "aljazeera.com",
    }  # fmt: skip
    outlets = {row["outlet"] for row in manifest}
    assert outlets <= set(domains)
    assert 6 <= len(outlets) <= 8
    for row in manifest:
        host = row["url"].split("/")[2]
        assert host == domains[row["outlet"]] or host.endswith("." + domains[row["outlet"]]), row


# --------------------------------------------------------------------------------------------
# The story labels
# --------------------------------------------------------------------------------------------


def test_every_article_is_in_exactly_one_story(manifest: list[dict[str, str]], gold: dict) -> None:
    listed = Counter(str(a) for story in gold["stories"].values() for a in story["articles"])
    assert all(n == 1 for n in listed.values()), [a for a, n in listed.items() if n > 1]
    assert set(listed) == {row["id"] for row in manifest}


def test_story_shape(manifest: list[dict[str, str]], gold: dict) -> None:
    outlet = {row["id"]: row["outlet"] for row in manifest}
    events = {k: s for k, s in gold["stories"].items() if len(s["articles"]) > 1}
    singletons = [k for k, s in gold["stories"].items() if len(s["articles"]) == 1]
    assert 6 <= len(events) <= 8
    assert 2 <= len(singletons) <= 3
    for key, story in gold["stories"].items():
        assert story["label"], key
        articles = [str(a) for a in story["articles"]]
        assert len(articles) <= 6, key
        copies = [str(c) for c in story.get("copies") or []]
        assert set(copies) <= set(articles), key
        # different outlets within a story (a wire copy republished elsewhere is another outlet too)
        assert len({outlet[a] for a in articles}) == len(articles), key


def test_copies_are_near_verbatim_copies_of_a_story_mate(texts: dict[str, str], gold: dict) -> None:
    n_copies = 0
    for story in gold["stories"].values():
        for copy in story.get("copies") or []:
            n_copies += 1
            others = [a for a in story["articles"] if a != copy and a not in story["copies"]]
            body = texts[copy].split("\n", 1)[1]  # headlines differ
            best = max(
                difflib.SequenceMatcher(None, body, texts[a].split("\n", 1)[1]).ratio() for a in others
            )
            assert best > 0.8, (copy, best)
            assert "(Reuters)" in texts[copy] or "Reuters" in texts[copy]
    assert n_copies >= 1


# --------------------------------------------------------------------------------------------
# The claim labels
# --------------------------------------------------------------------------------------------


def test_claim_keys_unique_and_enough_claims(gold: dict) -> None:
    keys = [c["key"] for c in gold["claims"]]
    assert len(keys) == len(set(keys))
    assert len(keys) >= 40
    assert sum(1 for c in gold["claims"] if c.get("figures_disagree")) >= 2
    stories_with_disagreement = {c["story"] for c in gold["claims"] if c.get("figures_disagree")}
    assert len(stories_with_disagreement) >= 2
    for claim in gold["claims"]:
        assert claim["text"], claim["key"]
        assert set(claim) <= {"key", "story", "text", "members", "figures_disagree"}, claim["key"]


def test_claims_have_two_members_from_different_articles(gold: dict) -> None:
    for claim in gold["claims"]:
        articles = [str(m["article"]) for m in claim["members"]]
        assert len(articles) >= 2, claim["key"]
        assert len(articles) == len(set(articles)), claim["key"]


def test_claim_story_matches_its_members_stories(gold: dict) -> None:
    for claim in gold["claims"]:
        assert claim["story"] in gold["stories"], claim["key"]
        for member in claim["members"]:
            assert gold["article_story"][str(member["article"])] == claim["story"], (claim["key"], member)


def test_member_substrings_occur_exactly_once(texts: dict[str, str], gold: dict) -> None:
    bad = []
    for _, claim, article, substring in gold["members"]:
        if len(substring) < 10 or texts[article].count(substring) != 1:
            bad.append((claim, article, substring, texts[article].count(substring)))
    assert not bad


def test_no_sentence_carries_two_gold_claims(texts: dict[str, str], gold: dict) -> None:
    """Members of different claims in one article lie in different sentences (a scorer assumption)."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for _, claim, article, substring in gold["members"]:
        start = texts[article].index(substring)
        spans.setdefault(article, []).append((start, start + len(substring), claim))
    boundary = re.compile(r"[.!?][\"')]*\s|\n")
    for article, items in spans.items():
        items.sort()
        for (_, e1, c1), (s2, _, c2) in itertools.pairwise(items):
            assert c1 != c2, (article, c1)  # one member per claim and article
            assert e1 <= s2, (article, c1, c2)
            assert boundary.search(texts[article][e1 - 1 : s2 + 1]), (article, c1, c2)


def test_members_are_own_voice_and_quoted(texts: dict[str, str], gold: dict) -> None:
    """Both carriages are present: some members inside quotation marks, most in the outlet's voice."""

    def quoted(article: str, substring: str) -> bool:
        text = texts[article]
        start = text.index(substring)
        line_start = text.rfind("\n", 0, start) + 1
        return text[line_start:start].count('"') % 2 == 1 or substring.lstrip().startswith('"')

    flags = [quoted(article, s) for _, _, article, s in gold["members"]]
    assert sum(flags) >= 5
    assert len(flags) - sum(flags) >= 100


# --------------------------------------------------------------------------------------------
# The scorer's math on hand-made predictions
# --------------------------------------------------------------------------------------------

GOLD_GROUPS = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}  # gold pairs: ab ac bc de


def test_perfect_grouping() -> None:
    s = ev.pairwise_scores(GOLD_GROUPS, {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"})
    assert (s.true_pairs, s.predicted_pairs, s.gold_pairs) == (4, 4, 4)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert ev.cross_group_pairs(GOLD_GROUPS, {"a": 7, "b": 7, "c": 7, "d": 8, "e": 8}) == []


def test_all_in_one() -> None:
    s = ev.pairwise_scores(GOLD_GROUPS, dict.fromkeys(GOLD_GROUPS, "all"))
    assert (s.true_pairs, s.predicted_pairs, s.gold_pairs) == (4, 10, 4)
    assert s.precision == pytest.approx(0.4)
    assert s.recall == 1.0
    assert s.f1 == pytest.approx(2 * 0.4 / 1.4)
    assert len(ev.cross_group_pairs(GOLD_GROUPS, dict.fromkeys(GOLD_GROUPS, "all"))) == 6


def test_all_singletons() -> None:
    for pred in ({k: k for k in GOLD_GROUPS}, {}, dict.fromkeys(GOLD_GROUPS)):
        s = ev.pairwise_scores(GOLD_GROUPS, pred)
        assert (s.true_pairs, s.predicted_pairs) == (0, 0)
        assert s.precision == 1.0  # nothing predicted, nothing wrong
        assert s.recall == 0.0
        assert s.f1 == 0.0
        assert ev.cross_group_pairs(GOLD_GROUPS, pred) == []


def test_one_wrong_merge() -> None:
    pred = {"a": "x", "b": "x", "c": "x", "d": "x", "e": "y"}  # d joins a-b-c, leaves e
    s = ev.pairwise_scores(GOLD_GROUPS, pred)
    assert (s.true_pairs, s.predicted_pairs, s.gold_pairs) == (3, 6, 4)
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(0.75)
    assert s.f1 == pytest.approx(0.6)
    assert ev.cross_group_pairs(GOLD_GROUPS, pred) == [("a", "d"), ("b", "d"), ("c", "d")]


def test_predicted_items_outside_gold_are_ignored() -> None:
    pred = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y", "zz": "x"}
    assert ev.pairwise_scores(GOLD_GROUPS, pred) == ev.PairScores(4, 4, 4)
    assert ev.cross_group_pairs(GOLD_GROUPS, pred) == []


def test_nan_group_is_a_singleton() -> None:
    s = ev.pairwise_scores({"a": 1, "b": 1}, {"a": float("nan"), "b": float("nan")})
    assert s.predicted_pairs == 0


def test_overlap_and_matching() -> None:
    gold = "the resolution received 10 votes in favor"
    assert ev.overlap(gold, "Yes, The resolution received 10 votes in favor. ") == 0  # case matters
    assert ev.overlap(gold, "In the end the resolution received 10 votes in favor.") == len(gold)
    assert ev.overlap(gold, "the  resolution\nreceived 10 votes in favor") == len(gold)  # whitespace
    # a splitter cut the span in two: the longer piece wins
    rows = [("r1", "Then the resolution"), ("r2", "received 10 votes in favor, with five abstaining.")]
    assert ev.match_member(gold, rows) == "r2"
    assert ev.match_member(gold, [("r1", "Something else entirely.")]) is None
    assert ev.match_member(gold, []) is None
    # containment beats a partial overlap
    rows = [("p", "received 10 votes"), ("w", "In the end the resolution received 10 votes in favor.")]
    assert ev.match_member(gold, rows) == "w"
    # curly quotes in the prediction match straight quotes in the gold set
    curly = [("q", "\u201cno expansion of the battlefield")]
    assert ev.match_member('"no expansion of the battlefield', curly) == "q"


def test_claim_pairs_count_only_matched_members() -> None:
    members = {"c1#a": "c1", "c1#b": "c1", "c1#c": "c1", "c2#a2": "c2", "c2#d": "c2"}
    # gold pairs: (c1#a,c1#b) (c1#a,c1#c) (c1#b,c1#c) (c2#a2,c2#d) = 4
    perfect = {"c1#a": {1}, "c1#b": {1}, "c1#c": {1}, "c2#a2": {2}, "c2#d": {2}}
    assert ev.claim_pair_scores(members, perfect) == ev.PairScores(4, 4, 4)
    # c1#c unmatched: recall loses its two pairs, precision is untouched
    partial = {**perfect, "c1#c": None}
    s = ev.claim_pair_scores(members, partial)
    assert s == ev.PairScores(2, 2, 4)
    assert (s.precision, s.recall) == (1.0, 0.5)
    # one wrong merge: c2#d put into claim 1
    merged = {**perfect, "c2#d": {1}}
    s = ev.claim_pair_scores(members, merged)
    assert s == ev.PairScores(3, 6, 4)
    # a sentence in two predicted claims pairs with members of either
    multi = {**perfect, "c2#d": {1, 2}}
    assert ev.claim_pair_scores(members, multi) == ev.PairScores(4, 7, 4)
    # everything in one claim; everything unmatched
    assert ev.claim_pair_scores(members, {key: {9} for key in members}) == ev.PairScores(4, 10, 4)
    assert ev.claim_pair_scores(members, {}) == ev.PairScores(0, 0, 4)


def test_score_claims_matches_rows_by_article(gold: dict) -> None:
    small = {
        "members": [
            ("k1#x", "k1", "x", "China supports all efforts"),
            ("k1#y", "k1", "y", "said Beijing supported all efforts"),
            ("k2#x", "k2", "x", "passed with 10 votes"),
        ]
    }
    rows = pd.DataFrame(
        [
            (5, "x", '"China supports all efforts that help."', 0, 9),
            (5, "y", "He said Beijing supported all efforts.", 4, 9),
            # the same sentence text in another article must not match article x's member
            (6, "y", "It passed with 10 votes.", 10, 20),
        ],
        columns=["claim_id", "article_id", "sentence", "start", "end"],
    )
    scores, matched, _ = ev.score_claims(small, rows)
    assert matched == {"k1#x": frozenset({5}), "k1#y": frozenset({5}), "k2#x": None}
    assert scores == ev.PairScores(1, 1, 1)


def test_summary_line_format() -> None:
    line = ev.summary_line(ev.PairScores(3, 6, 4), ev.PairScores(1, 1, 2), 3)
    assert line == (
        "stories P 0.500 R 0.750 F1 0.600 | claims P 1.000 R 0.500 F1 0.667 | cross-story pairs 3"
    )


def test_script_exits_1_when_the_library_is_missing(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "newsdesk.analysis.stories", None)  # import raises ImportError
    assert ev.main(["--gold", str(GOLD)]) == 1
    assert "cannot import newsdesk.analysis.stories" in capsys.readouterr().err


def test_script_on_an_oracle_prediction(
    monkeypatch: pytest.MonkeyPatch, capsys, gold: dict, tmp_path: Path
) -> None:
    """End to end with a fake library that answers the gold set itself: every figure is 1."""
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))

    def corpus_stories(corpus):
        ids = corpus.articles["article_id"].astype(str)
        copies = {c for s in gold["stories"].values() for c in s["copies"]}
        return pd.DataFrame(
            {
                "article_id": ids,
                "story_id": [gold["article_story"][a] for a in ids],
                "is_copy": [a in copies for a in ids],
            }
        )

    def corpus_claims(corpus):
        return pd.DataFrame(
            [
                {"claim_id": claim, "article_id": article, "sentence": f"... {s} ...", "start": 0, "end": 1}
                for _, claim, article, s in gold["members"]
            ]
        )

    fake = types.ModuleType("newsdesk.analysis.stories")
    fake.corpus_stories = corpus_stories
    fake.corpus_claims = corpus_claims
    monkeypatch.setitem(sys.modules, "newsdesk.analysis.stories", fake)
    assert ev.main(["--gold", str(GOLD), "--strict"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == (
        "stories P 1.000 R 1.000 F1 1.000 | claims P 1.000 R 1.000 F1 1.000 | cross-story pairs 0"
    )
    assert "copies: gold 1, flagged 1, both 1" in out
