"""Events dated by temporal expressions: each timex of a parsed body with its sentence and event.

:func:`events_from_doc` runs :func:`newsdesk.extract.timexes.timexes_from_doc` and reads, from the
dependency parse, the sentence and the event each expression dates (subject, verb, object).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from newsdesk.core.cache import source_digest
from newsdesk.extract.registry import Step, StepInputs, register, schema
from newsdesk.extract.timexes import SCHEMA as TIMEX_SCHEMA
from newsdesk.parsing.components import entity_at
from newsdesk.parsing.pipeline import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


#: Bump when this module changes what it stores per article.
CHRONOLOGY_CODE_VERSION = "1"


#: Columns :func:`events_from_doc` adds to each timex: the sentence and the event read from the parse.
EVENT_SCHEMA = schema(
    sent_start="int",
    sent_end="int",
    sentence="str",
    subject="str",
    verb="str",
    object="str",
    negated="bool",
    nominal="bool",
    named_subject="bool",
    event="str",
)
EVENT_COLUMNS = EVENT_SCHEMA.names
#: Columns of :func:`events_from_doc`: the timex's (:data:`~newsdesk.extract.timexes.SCHEMA`), then those.
SCHEMA = pa.schema([*TIMEX_SCHEMA, *EVENT_SCHEMA])


#: Verbs of saying: the date is when something was said, and one speaker says things every day.
REPORTING_VERBS = frozenset(
    "say tell add note state stress reiterate emphasize emphasise explain announce claim insist "
    "confirm deny report write comment remark respond reply argue warn urge declare describe".split()
)


PRONOUNS = frozenset("i you he she it we they this that these those who which one someone".split())


_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")


_OBJECT_DEPS = ("dobj", "obj", "attr", "dative", "oprd")


_NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
)


_TIME_LABELS = frozenset({"DATE", "TIME"})


@lru_cache(maxsize=1)
def timex_fingerprint() -> str:
    """Cache version of per-article timexes and events: this module, the timex rules and the pipeline."""
    from newsdesk.parsing.pipeline import pipeline_fingerprint

    code = source_digest(
        "newsdesk.extract.events", "newsdesk.extract.timexes", "newsdesk.extract.timex_grammar"
    )
    return f"chronology-{CHRONOLOGY_CODE_VERSION}-{code}-{pipeline_fingerprint()}"


def _entity_of(token: Token) -> Span | None:
    """The name (person, organisation, place ...) ``token`` is part of, or None."""
    return entity_at(token) if token.ent_type_ in _NAME_LABELS else None


def _phrase(token: Token, lemma: bool = False) -> str:
    """A short name for a noun: its named entity, else its compounds and the (lemmatised) head."""
    ent = _entity_of(token)
    if ent is not None:
        return ent.text.strip()
    compounds = [c for c in token.lefts if c.dep_ in ("compound", "flat") and not c.is_space]
    left = min((c.left_edge.i for c in compounds), default=token.i)
    words = token.doc[left : token.i].text.strip() if left < token.i else ""
    head = token.lemma_ if lemma and token.pos_ == "NOUN" else token.text
    return f"{words} {head}".strip()


def _names(token: Token) -> str:
    """The phrase of ``token`` and of nouns conjoined with it ("Xi Jinping and Vladimir Putin")."""
    parts = [_phrase(token)]
    parts += [_phrase(c) for c in token.children if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN")]
    return " and ".join(p for p in parts if p)


def _in_time_entity(token: Token) -> bool:
    return token.ent_type_ in _TIME_LABELS


def _subject(verb: Token) -> Token | None:
    """The verb's subject, borrowed from the governing verb for ``xcomp`` and ``conj`` verbs."""
    current: Token | None = verb
    for _ in range(4):
        if current is None:
            return None
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS and child.dep_ != "expl":
                return child
        if current.dep_ in ("xcomp", "conj") and current.head is not current:
            current = current.head
        else:
            return None
    return None


def _name_before(verb: Token, low: int) -> Token | None:
    """A named entity right before the verb on its line, for parses broken by a headline above it."""
    for token in reversed(verb.doc[: verb.i]):
        if token.idx < low or token.pos_ in ("VERB", "AUX") or token.text in ".;:!?\n":
            return None
        ent = _entity_of(token)
        if ent is not None and ent.label_ in ("PERSON", "ORG", "GPE", "NORP"):
            return ent.root
    return None


def _object(head: Token, skip: set[int]) -> str | None:
    """Direct object, else the first prepositional object that is not a date ("to Moscow")."""
    for child in head.children:
        if child.dep_ in _OBJECT_DEPS and child.i not in skip and not _in_time_entity(child):
            return _names(child)
    for child in head.children:
        if child.dep_ not in ("prep", "agent") or child.i in skip:
            continue
        objects = [c for c in child.children if c.dep_ == "pobj" and c.i not in skip]
        if objects and not _in_time_entity(objects[0]) and not any(t.i in skip for t in objects[0].subtree):
            return f"{child.text.lower()} {_names(objects[0])}"
    return None


def _event(doc: Doc, start: int, end: int, low: int, high: int) -> dict[str, Any]:
    """Subject, verb, object of the event a timex at ``[start, end)`` dates, within ``[low, high)``."""
    empty = {
        "subject": None,
        "verb": None,
        "object": None,
        "negated": False,
        "nominal": False,
        "named_subject": False,
        "event": None,
    }
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return empty
    skip = {t.i for t in span}
    token = span.root
    nominal = None
    if token.dep_ in ("compound", "nmod", "poss") and token.head.pos_ in ("NOUN", "PROPN"):
        nominal = token.head  # "their February fallout", "Monday's talks"
    for _ in range(0 if nominal is not None else 12):  # climb to the governing verb (or a noun)
        parent = token.head
        if parent is token:
            break
        noun = parent.head
        if (
            token.dep_ == "pobj"
            and parent.dep_ == "prep"
            and noun.pos_ in ("NOUN", "PROPN")
            and noun.i not in skip
            and not _in_time_entity(noun)
        ):
            nominal = noun
            skip.add(parent.i)  # "on" of "the summit on Friday" is not the object
            break
        token = parent
        if token.pos_ in ("VERB", "AUX") and token.i not in skip:
            break

    def inside(t: Token | None) -> bool:
        return t is not None and low <= t.idx < high

    if nominal is not None:
        if not inside(nominal):
            return empty
        obj = _object(nominal, skip)
        label = " ".join(x for x in (_phrase(nominal, lemma=True), obj) if x)
        return {**empty, "object": obj, "nominal": True, "event": label or None}
    if token.pos_ not in ("VERB", "AUX") or not inside(token):
        return empty
    subject_token = _subject(token)
    if subject_token is None or not inside(subject_token):
        subject_token = _name_before(token, low)
    subject = _names(subject_token) if subject_token is not None else None
    named = subject_token is not None and (
        _entity_of(subject_token) is not None or subject_token.pos_ == "PROPN"
    )
    negated = any(c.dep_ == "neg" for c in token.children)
    verb = token.lemma_.lower()
    obj = _object(token, skip)
    label = " ".join(x for x in (subject, "not" if negated else None, verb, obj) if x)
    return {
        "subject": subject,
        "verb": verb,
        "object": obj,
        "negated": negated,
        "nominal": False,
        "named_subject": named,
        "event": label,
    }


def _line_bounds(text: str, start: int, end: int, low: int, high: int) -> tuple[int, int]:
    """``[low, high)`` narrowed to the line(s) holding ``[start, end)``: a sentence never spans lines here."""
    left = text.rfind("\n", low, start)
    right = text.find("\n", end, high)
    low = left + 1 if left >= 0 else low
    high = right if right >= 0 else high
    while low < high and text[low].isspace():
        low += 1
    while high > low and text[high - 1].isspace():
        high -= 1
    return low, high


def events_from_doc(doc: Doc, published: Any = None) -> pd.DataFrame:
    """Timexes of a parsed body (:func:`newsdesk.extract.timexes.timexes_from_doc`) with sentence and event.

    Adds ``sent_start``/``sent_end`` (the spaCy sentence, cut to the line holding the timex),
    ``sentence``, ``subject``, ``verb`` (lemma), ``object``, ``negated``, ``nominal`` (the date
    modifies a noun such as "the summit", so there is no verb) and ``event`` (a short label such as
    "Wang Yi visit Russia").
    """
    from newsdesk.extract.timexes import COLUMNS, timexes_from_doc

    try:
        frame = timexes_from_doc(doc, published)
    except Exception:  # odd input gives no rows, never an error
        frame = pd.DataFrame(columns=list(COLUMNS))
    text = doc_text(doc)
    rows = []
    for start, end in zip(frame["start"].tolist(), frame["end"].tolist(), strict=True):
        span = doc.char_span(start, end, alignment_mode="expand")
        sent = span.sent if span is not None and len(span) and doc.has_annotation("SENT_START") else None
        low, high = (sent.start_char, sent.end_char) if sent is not None else (0, len(text))
        low, high = _line_bounds(text, start, end, low, high)
        event = _event(doc, start, end, low, high) if doc.has_annotation("DEP") else {}
        rows.append({"sent_start": low, "sent_end": high, "sentence": text[low:high], **event})
    extra = pd.DataFrame(rows, columns=EVENT_COLUMNS, index=frame.index)
    extra["sent_start"] = extra["sent_start"].astype("int64")
    extra["sent_end"] = extra["sent_end"].astype("int64")
    extra["negated"] = extra["negated"].fillna(False).astype(bool)
    extra["nominal"] = extra["nominal"].fillna(False).astype(bool)
    extra["named_subject"] = extra["named_subject"].fillna(False).astype(bool)
    out = pd.concat([frame.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)
    out["anchor"] = out["anchor"].map(lambda d: d.isoformat() if isinstance(d, dt.date) else None)
    return out


def _timexes_step(doc: Doc, inputs: StepInputs) -> pd.DataFrame:
    return events_from_doc(doc, inputs.date)


register(Step("timexes", _timexes_step, SCHEMA, version=timex_fingerprint, needs_date=True))
