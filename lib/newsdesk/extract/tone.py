"""Framing's per-article steps: sentences with their tone and named entities, and lexicon matches.

Tone is VADER's compound score per sentence; entities are people, organisations and places, a
one-word person name standing for the article's full name where there is exactly one. Lexicon
matches are those of the corpus's framing lexicon (:class:`~newsdesk.extract.lexicons.TermMatcher`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

import numpy as np
import pandas as pd
from spacy.attrs import IS_ALPHA
from spacy.tokens import Doc

from newsdesk.extract.lexicons import MATCH_SCHEMA, TermMatcher
from newsdesk.extract.registry import Step, StepInputs, register, schema
from newsdesk.parsing.pipeline import doc_text, pipeline_fingerprint

#: Bump when the per-article framing frames change shape or meaning (stores re-annotate then too).
FRAMING_CODE_VERSION = "3"
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE"})
SENTENCE_SCHEMA = schema(
    sentence_no="int", start="int", end="int", text="str", n_words="int", tone="float", entities="list[str]"
)
SENTENCE_COLUMNS = SENTENCE_SCHEMA.names


@lru_cache(maxsize=1)
def _tone_analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def tone(text: str) -> float:
    """VADER's compound score of ``text``, from -1 (most negative) to +1 (most positive)."""
    return float(_tone_analyzer().polarity_scores(text)["compound"])


def _entity_name(text: str) -> str:
    text = re.sub(r"^(?:the|The)\s+", "", text.strip())
    return re.sub(r"['’]s$", "", text).strip()


def _full_names(doc: Doc) -> dict[str, str]:
    """One-word person names that stand for exactly one full name in ``doc`` ("Wang" -> "Wang Yi")."""
    full = {_entity_name(ent.text) for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1}
    candidates: dict[str, set[str]] = {}
    for name in full:
        words = name.split()
        for word in (words[0], words[-1]):
            candidates.setdefault(word, set()).add(name)
    return {word: next(iter(names)) for word, names in candidates.items() if len(names) == 1}


def sentence_frame(doc: Doc, inputs: StepInputs | None = None) -> pd.DataFrame:
    """Per sentence of ``doc``: offsets, text, word count, VADER tone and the named entities in it.

    Entities are people, organisations and places; a one-word person name becomes the article's
    full name for it where there is exactly one.
    """
    full_names = _full_names(doc)
    sentences = list(doc.sents)
    # Words per sentence from one pass over the tokens; each entity to the sentence that holds it
    # whole (as ``Span.ents`` gives them).
    alpha = np.concatenate([[0], np.cumsum(doc.to_array(IS_ALPHA), dtype=np.int64)])
    starts = [sentence.start for sentence in sentences]
    names_in: list[set[str]] = [set() for _ in sentences]
    for ent in doc.ents:
        if ent.label_ in ENTITY_LABELS:
            position = bisect_right(starts, ent.start) - 1
            if position >= 0 and ent.end <= sentences[position].end:
                names_in[position].add(_entity_name(ent.text))
    rows = []
    doc_chars = doc_text(doc)
    for number, sentence in enumerate(sentences):
        text = doc_chars[sentence.start_char : sentence.end_char].strip()
        if not text:
            continue
        n_words = int(alpha[sentence.end] - alpha[sentence.start])
        entities = sorted({full_names.get(name, name) for name in names_in[number]} - {""})
        rows.append((number, sentence.start_char, sentence.end_char, text, n_words, tone(text), entities))
    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS)


@lru_cache(maxsize=1)
def framing_fingerprint() -> str:
    """Version of the per-article framing frames: code version, VADER's version and the spaCy pipeline."""
    from importlib.metadata import version

    return f"framing-{FRAMING_CODE_VERSION}-vader{version('vaderSentiment')}-{pipeline_fingerprint()}"


def lexicon_matches(doc: Doc, inputs: StepInputs) -> pd.DataFrame:
    """The framing lexicon's matches in ``doc`` (``inputs.matcher``, a :class:`TermMatcher`)."""
    if not isinstance(inputs.matcher, TermMatcher):
        raise ValueError("framing_terms needs the corpus's framing lexicon matcher")
    return inputs.matcher(doc)


register(Step("framing_sentences", sentence_frame, SENTENCE_SCHEMA, version=framing_fingerprint))
register(
    Step("framing_terms", lexicon_matches, MATCH_SCHEMA, version=framing_fingerprint, needs_lexicon=True)
)
