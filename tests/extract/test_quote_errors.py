"""Quote and speaker errors seen on real pages, in sentences shaped like them (written for these tests)."""

from __future__ import annotations

import pandas as pd
import pytest
from spacy.language import Language

import newsdesk
from newsdesk.analysis.quotes import canonical_speakers


@pytest.fixture(scope="module", autouse=True)
def nlp() -> Language:
    return newsdesk.nlp()


def _speakers(text: str) -> list[str | None]:
    return [s if isinstance(s, str) else None for s in newsdesk.quotes(text)["speaker"]]


@pytest.mark.parametrize(
    "text",
    [
        "Russia and China Reimagined: A new era of partnership begins in Moscow.\n\nThe leaders met.",
        "Details: During the conversation the two ministers reviewed the state of their cooperation.",
        "Analysis: The summit shows how far the two countries have moved since the war began.",
    ],
)
def test_a_headline_or_section_label_before_a_colon_is_not_a_speaker(text: str) -> None:
    assert newsdesk.quotes(text).query("cue == ':'").empty


def test_a_dateline_before_a_colon_is_not_a_speaker() -> None:
    text = "KYIV: Ukraine's top diplomat held talks with his Chinese counterpart on Monday, officials said."
    assert "KYIV" not in _speakers(text)


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Mao Ning: China will continue to promote peace talks in its own way.", "Mao Ning"),
        ("Wang Yi met Lavrov in Beijing.\nWang: “We oppose unilateral sanctions on partners.”", "Wang Yi"),
        ("Foreign Ministry Spokesperson: The two sides reached broad consensus on trade.", None),
    ],
)
def test_a_person_or_a_role_before_a_colon_still_speaks(text: str, speaker: str | None) -> None:
    quotes = newsdesk.quotes(text).query("cue == ':'")
    assert len(quotes) == 1
    if speaker is not None:
        assert quotes["speaker"].iloc[0] == speaker


def test_who_said_it_speaks_and_according_to_only_relays() -> None:
    text = "“We have agreed on your visit to Moscow,” Lavrov said, according to TASS."
    assert _speakers(text) == ["Lavrov"]
    # with nobody else saying it, the source after "according to" is the speaker
    text = "According to TASS, the talks were “constructive and useful for both sides.”"
    assert _speakers(text) == ["TASS"]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a role nominal after the name: the one person in the article who holds such a role
        (
            "Russian President Vladimir Putin met Chinese leader Xi Jinping on Tuesday. "
            "“We will continue to cooperate,” the president said.",
            "Vladimir Putin",
        ),
        (
            "Chinese Foreign Minister Wang Yi arrived in Moscow. "
            "“Dialogue is the only way out,” the Chinese diplomat told reporters.",
            "Wang Yi",
        ),
        # before the name: the delegate is named only in the next sentence
        (
            "“We call for a ceasefire,” a Chinese delegate said. "
            "China's envoy to the UN, Zhang Jun, later repeated the call at the Security Council.",
            "Zhang Jun",
        ),
    ],
)
def test_a_role_nominal_resolves_to_the_one_compatible_person(text: str, speaker: str) -> None:
    assert _speakers(text)[0] == speaker


def test_a_nationality_that_does_not_fit_is_not_resolved() -> None:
    text = (
        "Chinese Foreign Minister Wang Yi arrived in Moscow. "
        "“The visit is important,” the Russian diplomat told reporters."
    )
    assert _speakers(text)[0] != "Wang Yi"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "China's foreign ministry released a 12-point position paper on Friday. The paper said that "
            "“dialogue and negotiation are the only viable way out.”",
            "China's foreign ministry",
        ),
        (
            "The White House issued a fact sheet on the sanctions. "
            "“These measures target Russia's war machine,” the fact sheet said.",
            "The White House",
        ),
    ],
)
def test_a_document_speaks_for_whoever_issued_it(text: str, speaker: str) -> None:
    assert _speakers(text) == [speaker]


def test_spelling_variants_of_a_name_are_one_speaker() -> None:
    speakers = pd.Series(
        ["Sergey Lavrov", "Sergei Lavrov", "Sergey Lavrov", "Lavrov", "Volodymyr Zelensky",
         "Volodymyr Zelenskyy", "Zelenskiy", "Zelensky", "Wang Yi", "Wang Yu", "Yi"]
    )  # fmt: skip
    canonical = canonical_speakers(speakers).tolist()
    assert canonical[:4] == ["Sergey Lavrov"] * 4  # the most frequent spelling
    assert canonical[4:8] == ["Volodymyr Zelensky"] * 4
    assert canonical[8:] == ["Wang Yi", "Wang Yu", "Wang Yi"]  # two letters apart is two people


def test_the_alias_table_wins_over_variants() -> None:
    speakers = pd.Series(["Sergey Lavrov", "Sergei Lavrov"])
    assert canonical_speakers(speakers, {"Sergey Lavrov": "Sergei Lavrov"}).tolist() == ["Sergei Lavrov"] * 2


def test_the_relay_is_recorded_beside_the_speaker() -> None:
    found = newsdesk.quotes("“We have agreed on your visit to Moscow,” Lavrov said, according to TASS.")
    assert found[["speaker", "relayed_by"]].values.tolist() == [["Lavrov", "TASS"]]
    found = newsdesk.quotes(
        "Foreign ministry spokesman Wang Wenbin said “the sanctions are illegal,” Western media reported."
    )
    assert found[["speaker", "relayed_by"]].values.tolist() == [["Wang Wenbin", "Western media"]]
    assert newsdesk.quotes("“We will continue,” Putin said.")["relayed_by"].isna().all()


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("The two sides hailed a “no limits” partnership before the war.", "“no limits”"),
        ("Moscow hosted the “Victory Day” parade on May 9.", "“Victory Day”"),
    ],
)
def test_a_set_phrase_in_quotes_is_a_quoted_term_not_a_quote(text: str, term: str) -> None:
    assert newsdesk.quotes(text).empty
    assert newsdesk.quoted_terms(text)["text"].tolist() == [term]


def test_a_set_phrase_a_speaker_says_stays_the_speakers() -> None:
    found = newsdesk.quotes("Putin said the partnership had “no limits” at all.")
    assert found[["kind", "speaker"]].values.tolist() == [["partial", "Putin"]]


def test_a_stray_common_noun_is_no_speaker_across_the_corpus() -> None:
    speakers = pd.Series(["phone", "the visit", "critics", "officials", "the ministry", "Wang Yi", "experts"])
    canonical = [s if isinstance(s, str) else None for s in canonical_speakers(speakers)]
    assert canonical[:2] == [None, None]
    assert canonical[2:] == ["critics", "officials", "the ministry", "Wang Yi", "experts"]


def test_it_after_a_document_speaks_for_whoever_issued_it() -> None:
    text = (
        "China's foreign ministry released a 12-point position paper on Friday. It said that "
        "“dialogue and negotiation are the only viable way out.”"
    )
    assert _speakers(text) == ["China's foreign ministry"]


def test_a_thing_that_ends_like_an_agent_noun_or_a_stammer_is_no_speaker() -> None:
    speakers = pd.Series(["maneuvers", "the border", "Sim Sim", "negotiators", "the protesters", "Wang Yi"])
    canonical = [s if isinstance(s, str) else None for s in canonical_speakers(speakers)]
    assert canonical == [None, None, None, "negotiators", "the protesters", "Wang Yi"]


def test_welcoming_a_person_reports_nothing_but_praising_one_as_something_does() -> None:
    welcomed = "Russian President Vladimir Putin welcomed Chinese President Xi Jinping to the Kremlin."
    assert newsdesk.quotes(welcomed).empty
    praised = "Putin praised Xi Jinping as a dear friend of Russia."
    assert _speakers(praised) == ["Putin"]


HEADINGS = [
    "China’s Neutral Stance on Ukraine Conflict",
    "Chinese Foreign Minister Heads to Moscow Amid Western Moves on Ukraine",  # 11 words, title case
]


@pytest.mark.parametrize("heading", HEADINGS)
def test_a_heading_line_is_not_the_subject_of_the_paragraph_under_it(heading: str) -> None:
    paragraph = "China’s Foreign Ministry spokesperson, Guo Jiakun, reiterated Beijing’s neutrality."
    text = f"{heading}\n{paragraph}"
    assert _speakers(text) == ["Guo Jiakun"]
    assert next(s.text.strip() for s in newsdesk.nlp()(text).sents) == heading


def test_a_hard_wrapped_sentence_still_parses_as_one() -> None:
    text = "The minister said the talks would\ncontinue next week in Geneva with both sides present."
    assert [s.text.strip() for s in newsdesk.nlp()(text).sents] == [text]


def test_a_one_word_speaker_is_not_expanded_into_a_headline() -> None:
    speakers = pd.Series(["China’s Neutral Stance", "China", "Wang Yi", "Wang"])
    assert canonical_speakers(speakers).tolist() == ["China’s Neutral Stance", "China", "Wang Yi", "Wang Yi"]
