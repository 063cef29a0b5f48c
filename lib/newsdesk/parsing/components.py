"""newsdesk's own spaCy pipeline components: entity fixes after the statistical NER.

A surname tagged as an organisation or place once the article gives the full name becomes a
person, and a place tagged as a person becomes a place (the lists are in ``speaker_roles.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from newsdesk.core.cache import PACKAGED_LEXICONS

ROLES_FILE = PACKAGED_LEXICONS / "speaker_roles.yaml"


#: Entity labels that a mislabelled surname can carry.
_NAME_CONFUSIONS = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"})


@dataclass(frozen=True)
class RoleLexicon:
    """The lists of ``speaker_roles.yaml``."""

    role_words: frozenset[str]
    abbreviations: dict[str, str]
    female_words: frozenset[str]
    male_words: frozenset[str]
    female_names: frozenset[str]
    male_names: frozenset[str]
    speaking_groups: frozenset[str]
    places: frozenset[str]
    people_nouns: frozenset[str] = frozenset()
    not_people: frozenset[str] = frozenset()


def _words(values: list | None) -> frozenset[str]:
    return frozenset(str(v).lower() for v in values or ())


@lru_cache(maxsize=1)
def role_lexicon() -> RoleLexicon:
    """The role and name lexicon, read once."""
    raw = yaml.safe_load(ROLES_FILE.read_text(encoding="utf-8")) or {}
    return RoleLexicon(
        role_words=_words(raw.get("role_words")),
        abbreviations={str(k).lower(): str(v) for k, v in (raw.get("abbreviations") or {}).items()},
        female_words=_words(raw.get("female_words")),
        male_words=_words(raw.get("male_words")),
        female_names=_words(raw.get("female_names")),
        male_names=_words(raw.get("male_names")),
        speaking_groups=_words(raw.get("speaking_groups")),
        places=_words(raw.get("places")),
        people_nouns=_words(raw.get("people_nouns")),
        not_people=_words(raw.get("not_people")),
    )


def entity_at(token: Token) -> Span | None:
    """The named entity ``token`` is part of (with its label), found from the IOB tags: a scan of
    ``doc.ents`` per token would make a long article quadratic."""
    if token.ent_iob_ not in ("B", "I"):
        return None
    doc, start, end = token.doc, token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def name_tokens(span: Span) -> list[Token]:
    """The name's tokens, up to a possessive ("Trump’s Frustration" -> "Trump")."""
    tokens = []
    for token in span:
        if token.tag_ == "POS" or token.text in ("’s", "'s", "’", "'"):
            break
        tokens.append(token)
    return tokens


def fix_entities(doc: Doc) -> Doc:
    """Relabel surnames tagged as organisations or places, and places tagged as people."""
    if not doc.has_annotation("ENT_IOB"):
        return doc
    lexicon = role_lexicon()
    ents = list(doc.ents)
    parts: set[str] = set()
    for ent in ents:
        if ent.label_ == "PERSON":
            tokens = name_tokens(ent)
            if len(tokens) >= 2 and all(t.text[:1].isupper() for t in tokens):
                parts.update(t.text for t in tokens)
    changed = False
    new: list[Span] = []
    for ent in ents:
        label = ent.label_
        tokens = name_tokens(ent)
        if label == "PERSON" and ent.text.lower().rstrip("’'s") in lexicon.places:
            label = "GPE"
        elif label in _NAME_CONFUSIONS and tokens and all(t.text in parts for t in tokens):
            label = "PERSON"
        if label != ent.label_:
            changed = True
            new.append(Span(doc, ent.start, ent.end, label=label))
        else:
            new.append(ent)
    if parts:  # bare surnames the model left untagged
        covered = {i for ent in new for i in range(ent.start, ent.end)}
        for token in doc:
            if (
                token.i not in covered
                and token.pos_ == "PROPN"
                and token.text in parts
                and token.dep_ != "compound"
            ):
                new.append(Span(doc, token.i, token.i + 1, label="PERSON"))
                changed = True
    if changed:
        doc.ents = sorted(new, key=lambda s: s.start)
    return doc


ENTITY_FIXES = "newsdesk_entity_fixes"


@Language.component(ENTITY_FIXES, requires=["doc.ents"], assigns=["doc.ents"])
def entity_fixes_component(doc: Doc) -> Doc:
    """Pipeline step: :func:`fix_entities`."""
    return fix_entities(doc)


LINE_BREAKS = "newsdesk_line_breaks"
#: A line of fewer words than this that ends without a full stop is a heading, a label or a byline.
HEADING_MAX_WORDS = 10
#: A longer line up to this many words is a headline too when most of its words are capitalised.
TITLE_MAX_WORDS = 20
_LINE_END = frozenset('.!?:;"”’»)…')


def mark_line_breaks(doc: Doc) -> Doc:
    """Start a sentence after a line that ends a sentence or is a short heading.

    A stripped body has one paragraph, heading or list item per line; without this the parser joins
    a heading to the paragraph under it ("China's Neutral Stance on Ukraine Conflict China's
    spokesperson reiterated ..."). A heading is a line of under HEADING_MAX_WORDS words, or of up to
    TITLE_MAX_WORDS words most of them capitalised ("Chinese Foreign Minister Heads to Moscow Amid
    Western Moves on Ukraine"). A line that ends mid-sentence (hard-wrapped text) runs on: a long one,
    or a short one followed by a lower-case word.
    """
    words_on_line = capitalised = 0
    last_word: Token | None = None
    for token in doc:
        if "\n" in token.text or "\n" in token.whitespace_:
            following = token.i + 1
            if last_word is not None and following < len(doc):
                next_word = doc[following].text
                short = words_on_line < HEADING_MAX_WORDS
                title_case = words_on_line <= TITLE_MAX_WORDS and capitalised * 10 >= words_on_line * 6
                heading = (short or title_case) and not next_word[:1].islower()
                if last_word.text[-1] in _LINE_END or heading:
                    doc[following].is_sent_start = True
            words_on_line = capitalised = 0
            last_word = None
            continue
        if not token.is_space:
            words_on_line += not token.is_punct
            capitalised += token.text[:1].isupper()
            last_word = token
    return doc


@Language.component(LINE_BREAKS, assigns=["token.is_sent_start"])
def line_breaks_component(doc: Doc) -> Doc:
    """Pipeline step: :func:`mark_line_breaks`."""
    return mark_line_breaks(doc)
