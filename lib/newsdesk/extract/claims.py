"""What each sentence claims, as comparable keys: content lemmas, names, numbers and its place.

The per-article step ``claim_keys`` turns every sentence of a stripped body into the pieces that
:mod:`newsdesk.analysis.stories` compares across articles to find the same claim in several outlets:

- ``lemmas``: the sentence's content words, lemmatised and lower-cased (nouns, proper nouns, verbs,
  adjectives, numbers; no stop words, no reporting verbs such as "said"), space-separated;
- ``names``: its named people, organisations, places, groups, events and laws ("|"-separated);
- ``numbers``: the amounts it states, normalised ("26", "12", "0.5", "1000000"; "|"-separated), with
  the words that hedge them ("more than 20" -> ``>20``) so figures can be compared;
- ``paragraph``: the number of the body line it starts on (0 = the first line), and ``heading``: whether
  that line reads as a headline (short, no final full stop).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from newsdesk.core.cache import source_digest
from newsdesk.extract.registry import Step, StepInputs, register, schema
from newsdesk.parsing.pipeline import doc_text, pipeline_fingerprint

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

SCHEMA = schema(
    start="int",
    end="int",
    lemmas="str",
    names="str",
    numbers="str",
    paragraph="int",
    heading="bool",
)
COLUMNS = SCHEMA.names
#: Parts of speech whose lemmas say what a sentence is about.
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
#: Entity labels that name who or what a claim is about.
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT"})
#: Reporting and filler verbs: "said" and "according" say who claims, not what.
_SAY_LEMMAS = frozenset(
    "say tell add note state report claim according accord quote stress emphasise emphasize "
    "underline be have do make".split()
)
#: A headline is a first line of at most this many words without a final full stop.
HEADLINE_MAX_WORDS = 25
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_MORE = frozenset({"more", "over", "above", "least", "exceeding"})
_LESS = frozenset({"less", "fewer", "under", "below", "nearly", "almost"})
_ABOUT = frozenset({"about", "around", "approximately", "roughly", "some", "nearly", "almost"})
_DIGITS_RE = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
_YEAR_RE = re.compile(r"^(1[89]|20)\d\d$")
_AMOUNT_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})


def claim_keys(doc: Doc, inputs: StepInputs | None = None) -> pd.DataFrame:
    """One row per sentence of ``doc``: body offsets, content lemmas, names, numbers, line, heading."""
    text = doc_text(doc)
    lines = text.split("\n")
    line_starts = [0]
    for line in lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    paragraph_of = []  # each line's number among the non-empty lines (blank lines take the next one's)
    count = 0
    for line in lines:
        paragraph_of.append(count)
        count += bool(line.strip())
    rows = []
    index = 0
    for sentence in doc.sents:
        if not sentence.text.strip():
            continue
        start = sentence.start_char + (len(sentence.text) - len(sentence.text.lstrip()))
        while index + 1 < len(line_starts) and line_starts[index + 1] <= start:
            index += 1
        rows.append((
            start,
            sentence.end_char,
            " ".join(_content_lemmas(sentence)),
            "|".join(dict.fromkeys(_names(sentence))),
            "|".join(dict.fromkeys(_numbers(sentence))),
            paragraph_of[index],
            _reads_as_heading(lines[index].strip()),
        ))  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _reads_as_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= HEADLINE_MAX_WORDS and not line.rstrip("\"”’')").endswith((".", "!", "?", ":"))


def _content_lemmas(sentence: Span) -> list[str]:
    return [
        token.lemma_.lower()
        for token in sentence
        if token.pos_ in CONTENT_POS
        and not token.is_stop
        and token.is_alpha
        and len(token) > 1
        and token.lemma_.lower() not in _SAY_LEMMAS
    ]


def _names(sentence: Span) -> list[str]:
    return [
        " ".join(ent.text.replace("’s", "").replace("'s", "").split())
        for ent in sentence.ents
        if ent.label_ in NAME_LABELS and ent.text.strip()
    ]


def _numbers(sentence: Span) -> list[str]:
    """The amounts stated in ``sentence`` (years and dates left out), normalised, with a hedge mark."""
    found: list[str] = []
    tokens = list(sentence)
    for position, token in enumerate(tokens):
        if token.ent_type_ in ("DATE", "TIME", "ORDINAL"):
            continue
        value = _value(token.lower_)
        if value is None or (_YEAR_RE.match(token.text) and token.ent_type_ not in _AMOUNT_LABELS):
            continue
        previous = _value(tokens[position - 1].lower_) if position else None
        if previous is not None and previous >= 20 and previous % 10 == 0 and value < 10:
            continue  # "twenty six": read with "twenty"
        following = [_value(t.lower_) for t in tokens[position + 1 : position + 2]]
        if value >= 20 and value % 10 == 0 and following and following[0] is not None and following[0] < 10:
            value += following[0]
        scale = tokens[position + 1].lower_ if position + 1 < len(tokens) else ""
        scale = tokens[position + 2].lower_ if scale not in _SCALES and position + 2 < len(tokens) else scale
        value *= _SCALES.get(scale, 1.0)
        before = {t.lower_ for t in tokens[max(position - 3, 0) : position]}
        mark = ">" if before & _MORE else "<" if before & _LESS else "~" if before & _ABOUT else ""
        found.append(f"{mark}{int(value) if value.is_integer() else round(value, 6)}")
    return found


def _value(word: str) -> float | None:
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    if _DIGITS_RE.match(word):
        return float(word.replace(",", ""))
    return None


def claims_version() -> str:
    """The step's version: this module's code and the pipeline."""
    return f"claims-{source_digest('newsdesk.extract.claims')}-{pipeline_fingerprint()}"


register(Step("claim_keys", claim_keys, SCHEMA, version=claims_version))
