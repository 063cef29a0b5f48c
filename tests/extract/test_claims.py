"""Claim keys per sentence: content lemmas, names, figures with their hedges, and place in the body."""

from __future__ import annotations

from newsdesk.extract.claims import claim_keys
from newsdesk.parsing.parse import parse

BODY = (
    "China Unveils Peace Plan as Envoy Heads to Kyiv\n"
    "BEIJING (Reuters) - China on Friday published a 12-point plan backed by more than 20 countries, "
    "officials said.\n"
    "The plan drew twenty six responses and $1.5 billion in pledges in 2023.\n"
    "\n"
    "Analysts said it would change little."
)


def _row(keys, word: str):
    return keys[keys["lemmas"].str.split().map(lambda lemmas: word in lemmas)].iloc[0]


def test_each_sentence_gets_its_lemmas_names_figures_and_line() -> None:
    keys = claim_keys(parse(BODY))
    assert keys["paragraph"].iloc[0] == 0 and bool(keys["heading"].iloc[0])
    plan, pledges, analysts = _row(keys, "publish"), _row(keys, "pledge"), _row(keys, "analyst")
    # a blank line takes no number
    assert (plan["paragraph"], pledges["paragraph"], analysts["paragraph"]) == (1, 2, 3)
    assert not plan["heading"] and not analysts["heading"]
    assert (plan["numbers"], pledges["numbers"], analysts["numbers"]) == ("12|>20", "26|1500000000", "")
    assert "China" in plan["names"].split("|")
    assert {"publish", "plan", "country"} <= set(plan["lemmas"].split())
    assert "say" not in plan["lemmas"].split()  # who reports a claim is not part of it


def test_offsets_point_at_the_sentences_in_the_body() -> None:
    keys = claim_keys(parse(BODY))
    texts = [BODY[s:e].strip() for s, e in zip(keys["start"], keys["end"], strict=True)]
    assert texts[0] == "China Unveils Peace Plan as Envoy Heads to Kyiv"
    assert texts[-1] == "Analysts said it would change little."
