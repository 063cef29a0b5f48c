"""Who is speaking: speaker mentions resolved within one article.

A surname or a pronoun maps to the full name introduced earlier ("Wang", "he" -> "Wang Yi"); roles and
titles found beside a name are kept with it ("Foreign Ministry spokesperson Mao Ning"); organisations
and capitals speak under their own name. Pronouns respect the gender the text reveals (titles,
gendered role words, a few given names, and pronouns already resolved to the same person) and prefer
the most recent compatible subject. Everything is rules over the parsed Doc; the word lists live in
``lexicons/speaker_roles.yaml``.

The module also provides the ``newsdesk_entity_fixes`` pipeline component, which corrects two
common mistakes of the small English model: a person's surname tagged as an organisation or place
once the full name has been seen ("Wang" after "Wang Yi"), and well-known places tagged as people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from newsdesk.core.cache import PACKAGED_LEXICONS
from newsdesk.parsing.components import RoleLexicon, entity_at, name_tokens, role_lexicon
from newsdesk.parsing.pipeline import doc_text

LEXICON_DIR = PACKAGED_LEXICONS

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_PERSON_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
_GROUP_PRONOUNS = frozenset({"they", "them", "it", "its", "we", "us", "i", "me", "you"})
_ROLE_DEPS = frozenset({"compound", "amod", "poss", "case", "nmod", "npadvmod", "punct", "nummod"})
_ORG_WORDS = ("ministry", "department", "office", "committee", "commission", "council", "agency", "party")
_TITLES = frozenset("mr mrs ms dr prof sen rep gov gen adm col lt capt sgt rev".split())
#: How many characters back a pronoun looks for its antecedent.
PRONOUN_WINDOW = 1500
#: Role words that can name the same office as another ("the diplomat" may be the foreign minister).
ROLE_FAMILIES: dict[str, frozenset[str]] = {
    "diplomat": frozenset("diplomat minister ambassador envoy delegate representative spokesperson spokesman "
                          "spokeswoman secretary counselor counsellor".split()),
    "delegate": frozenset("delegate ambassador envoy representative diplomat".split()),
    "envoy": frozenset("envoy ambassador representative diplomat".split()),
    "leader": frozenset("leader president premier chancellor prime king queen chairman chair emir".split()),
}  # fmt: skip
#: A document that speaks for whoever issued it ("the statement said", "the paper says").
DOCUMENT_WORDS = frozenset(
    "statement paper document sheet readout communique communiqué declaration white-paper".split()
)








# ---------------------------------------------------------------- entity fixes (pipeline component)








# ---------------------------------------------------------------- resolution
@dataclass
class Person:
    """A person named in the article: the longest form of the name seen, and what is known."""

    name: str
    parts: tuple[str, ...]
    gender: str | None = None
    role: str | None = None
    org: str | None = None


@dataclass(frozen=True)
class Resolved:
    """A resolved speaker mention: the name, role and organisation, and the mention's offsets."""

    name: str | None
    role: str | None
    org: str | None
    start: int
    end: int
    kind: str  # "person", "pronoun", "group" or "other"


@dataclass
class _Mention:
    start_char: int
    person: Person
    subject: bool
    sent_start: int


@dataclass
class SpeakerResolver:
    """Resolve speaker mentions of one Doc against the people it names."""

    doc: Doc
    lexicon: RoleLexicon = field(default_factory=role_lexicon)

    def __post_init__(self) -> None:
        self.people: list[Person] = []
        self._by_part: dict[str, list[Person]] = {}
        self._mentions: list[_Mention] = []
        self._ent_of: dict[int, Span] = {}
        self._orgs: list[Span] = []
        for ent in self.doc.ents:
            if ent.label_ == "PERSON":
                for token in ent:
                    self._ent_of[token.i] = ent
                person = self._register(ent)
                if person is not None:
                    head = ent.root
                    self._mentions.append(
                        _Mention(ent.start_char, person, head.dep_ in _SUBJECT_DEPS, ent.sent.start_char)
                    )
            elif ent.label_ in ("ORG", "GPE", "NORP"):
                self._orgs.append(ent)

    # -- people
    def _words(self, ent: Span) -> tuple[str, ...]:
        """The name's words, without leading titles or role words ("Spokesperson Guo Jiakun")."""
        words = [t.text for t in name_tokens(ent) if t.text[:1].isalpha()]
        lexicon = self.lexicon
        while len(words) > 1 and (
            words[0].lower() in lexicon.role_words
            or words[0].lower().rstrip(".") in lexicon.male_words | lexicon.female_words
            or words[0].lower() in lexicon.abbreviations
            or words[0].lower().rstrip(".") in _TITLES
        ):
            words.pop(0)
        return tuple(words)

    def _register(self, ent: Span) -> Person | None:
        words = self._words(ent)
        if not words:
            return None
        person = self._lookup(words, ent.start_char)
        if person is None:
            person = Person(" ".join(words), words)
            self.people.append(person)
            for word in words:
                self._by_part.setdefault(word, []).append(person)
        elif len(words) > len(person.parts):
            person.name, person.parts = " ".join(words), words
            for word in words:
                if person not in self._by_part.setdefault(word, []):
                    self._by_part[word].append(person)
        self._learn(person, ent)
        return person

    def _lookup(self, words: tuple[str, ...], _: int) -> Person | None:
        if len(words) == 1:
            candidates = self._by_part.get(words[0], [])
            return candidates[-1] if candidates else None
        last = self._by_part.get(words[-1], [])
        for person in reversed(last):
            if person.parts[-1] == words[-1] and (
                len(person.parts) == 1 or person.parts[0] == words[0] or len(words) == 1
            ):
                return person
        return None

    def _learn(self, person: Person, ent: Span) -> None:
        """Gender and role from the words around a name."""
        lexicon = self.lexicon
        if person.gender is None:
            before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
            first = person.parts[0].lower()
            if before in lexicon.female_words or first in lexicon.female_names:
                person.gender = "f"
            elif before in lexicon.male_words or first in lexicon.male_names:
                person.gender = "m"
        if person.role is None:
            role, org = self.role_of(ent)
            if role:
                person.role, person.org = role, org
                words = set(role.lower().split())
                if person.gender is None and words & lexicon.female_words:
                    person.gender = "f"
                elif person.gender is None and words & lexicon.male_words:
                    person.gender = "m"

    def role_of(self, ent: Span) -> tuple[str | None, str | None]:
        """Role and organisation written beside a name: before it, or in an apposition."""
        doc, lexicon = ent.doc, self.lexicon
        inside = set(range(ent.start, ent.end))
        start = ent.start
        while start > 0:
            token = doc[start - 1]
            if token.dep_ == "det" or token.is_space or token.text in (",", "(", ":", "-", "—"):
                break
            if token.head.i in inside or (token.dep_ in _ROLE_DEPS and token.head.i >= start):
                start -= 1
                inside.add(token.i)
                continue
            break
        lead = 0  # titles inside the entity itself ("Spokesperson Guo Jiakun")
        names = [t for t in name_tokens(ent) if t.text[:1].isalpha()]
        while (
            lead < len(names) - 1 and names[lead].lower_ in lexicon.role_words | lexicon.abbreviations.keys()
        ):
            lead += 1
        role_tokens: list[Token] = list(doc[start : ent.start + lead])
        if not self._has_role_word(role_tokens):
            role_tokens = []
            root = ent.root
            for child in root.children:
                if child.dep_ == "appos":
                    role_tokens = [t for t in child.subtree if t.dep_ != "det" or t.i > child.left_edge.i]
                    break
            else:
                if root.dep_ == "appos" and root.head.i < ent.start:
                    head = root.head
                    role_tokens = [t for t in doc[head.left_edge.i : head.i + 1] if t.dep_ != "det"]
            if role_tokens and role_tokens[0].dep_ == "det":
                role_tokens = role_tokens[1:]
            if len(role_tokens) > 8 or not self._has_role_word(role_tokens):
                role_tokens = []
        if not role_tokens:
            return None, None
        words = []
        for token in role_tokens:
            if token.text in (",",):
                break
            expanded = lexicon.abbreviations.get(token.lower_)
            words.append(expanded if expanded else token.text)
            words.append(token.whitespace_)
        role = "".join(words).strip().strip(",")
        return role or None, self._org_of(role_tokens)

    def _has_role_word(self, tokens: list[Token]) -> bool:
        lexicon = self.lexicon
        return any(t.lower_ in lexicon.role_words or t.lower_ in lexicon.abbreviations for t in tokens)

    def _org_of(self, tokens: list[Token]) -> str | None:
        lexicon = self.lexicon
        for token in tokens:
            if token.ent_type_ == "ORG":
                ent = entity_at(token)
                if ent is not None:
                    return ent.text
        words = []
        for token in tokens:
            expanded = lexicon.abbreviations.get(token.lower_)
            words.append(expanded if expanded else token.text)
            if token.lower_ in _ORG_WORDS or (expanded and "Ministry" in expanded):
                return " ".join(w for w in words if w not in ("’s", "'s"))
        return None

    # -- mentions
    def mention_span(self, head: Token) -> tuple[int, int]:
        """Character offsets of the noun phrase headed by ``head`` (modifiers and conjuncts, no clauses)."""
        start, end = head.i, head.i
        for child in head.lefts:
            if child.dep_ in ("det", "amod", "compound", "poss", "nmod", "nummod", "quantmod", "predet"):
                start = min(start, child.left_edge.i)
        for child in head.rights:
            conjunct = child.dep_ == "conj" and child.pos_ in ("PROPN", "NOUN")
            if child.dep_ in ("compound", "flat") or conjunct:
                end = max(end, child.i)
        doc = head.doc
        while start < head.i and (doc[start].is_punct or doc[start].is_space):
            start += 1
        return doc[start].idx, doc[end].idx + len(doc[end])

    def resolve(self, head: Token) -> Resolved:
        """Name, role and organisation of the speaker mention headed by ``head``."""
        start, end = self.mention_span(head)
        lower = head.lower_
        if head.pos_ == "PRON" or lower in _PERSON_PRONOUNS or lower in _GROUP_PRONOUNS:
            if lower in ("who", "that", "which"):
                clause = head.head
                if clause.dep_ == "relcl" and clause.head is not head:
                    named = self.resolve(clause.head)
                    return Resolved(named.name, named.role, named.org, start, end, "pronoun")
                return Resolved(None, None, None, start, end, "pronoun")
            return self._resolve_pronoun(head, start, end)
        ent = self._ent_of.get(head.i)
        if ent is None:  # a name inside the phrase ("spokesperson Guo Jiakun" headed by a role noun)
            for token in head.doc[max(0, head.left_edge.i) : head.i + 1]:
                if token.i in self._ent_of:
                    ent = self._ent_of[token.i]
                    break
        if ent is None:  # a name after the role ("Chair of the committee Admiral X")
            for child in head.rights:
                if child.dep_ in ("appos", "compound", "flat", "prep", "pobj"):
                    for token in child.subtree:
                        if token.i - head.i > 10 or token.dep_ in ("relcl", "acl"):
                            break
                        if token.i in self._ent_of:
                            ent = self._ent_of[token.i]
                            break
                if ent is not None:
                    break
        if ent is not None:
            person = self._person_at(ent)
            if person is not None:
                role, org = self.role_of(ent)
                return Resolved(person.name, role or person.role, org or person.org, start, end, "person")
        return self._resolve_group(head, start, end)

    def _document_before(self, head: Token) -> Token | None:
        """The document "it" stands for: a document noun earlier in this sentence or the one before."""
        sentence = head.sent
        start = sentence.start
        if start > 0:
            start = head.doc[start - 1].sent.start
        for token in reversed(head.doc[start : head.i]):
            if token.lower_ in DOCUMENT_WORDS and token.pos_ == "NOUN":
                return token
        return None

    def _issuer_of(self, head: Token) -> str | None:
        """Who issued the document ``head`` names: the subject of the verb that issued it earlier
        ("the ministry released a paper ... the paper said"), else the nearest organisation before."""
        doc = head.doc
        for token in reversed(doc[max(0, head.i - 400) : head.i + 1]):
            if token.lower_ == head.lower_ and token.dep_ == "dobj" and token.head.pos_ == "VERB":
                subject = next((c for c in token.head.children if c.dep_ == "nsubj"), None)
                if subject is not None and subject.pos_ in ("NOUN", "PROPN"):
                    s, e = self.mention_span(subject)
                    return doc_text(doc)[s:e].strip() or None
        start = head.idx
        before = (e for e in reversed(self._orgs) if e.end_char <= start)
        issuer = next((e for e in before if start - e.start_char <= PRONOUN_WINDOW), None)
        return issuer.text if issuer is not None else None

    def _person_at(self, ent: Span) -> Person | None:
        words = self._words(ent)
        return self._lookup(words, ent.start_char) if words else None

    def _resolve_pronoun(self, head: Token, start: int, end: int) -> Resolved:
        lower = head.lower_
        gender = _PERSON_PRONOUNS.get(lower)
        if gender is None:
            return self._resolve_group(head, start, end)
        sent_start = head.sent.start_char
        best: _Mention | None = None
        fallback: _Mention | None = None
        for mention in reversed(self._mentions):
            if mention.start_char >= start:
                continue
            if start - mention.start_char > PRONOUN_WINDOW:
                break
            if mention.person.gender not in (None, gender):
                continue
            if fallback is None:
                fallback = mention
            if mention.subject or mention.sent_start == sent_start:
                best = mention
                break
        chosen = best or fallback
        if chosen is None:
            return Resolved(None, None, None, start, end, "pronoun")
        person = chosen.person
        if person.gender is None:
            person.gender = gender
        return Resolved(person.name, person.role, person.org, start, end, "pronoun")

    def _resolve_group(self, head: Token, start: int, end: int) -> Resolved:
        """Organisations, places and other noun phrases speak under their own words."""
        doc = head.doc
        whole = doc_text(doc)
        text = whole[start:end]
        first = doc.char_span(start, end, alignment_mode="expand")
        if first is not None and len(first) and first[0].dep_ == "det":
            text = whole[first[0].idx + len(first[0]) : end].lstrip()
        if head.pos_ == "PRON":
            document = self._document_before(head) if head.lower_ == "it" else None
            issuer = self._issuer_of(document) if document is not None else None
            return Resolved(issuer, None, None, start, end, "group" if issuer else "pronoun")
        kind = "group" if head.ent_type_ in ("ORG", "GPE", "NORP") else "other"
        if kind == "other" and head.lower_ in DOCUMENT_WORDS and head.pos_ == "NOUN":
            issuer = self._issuer_of(head)
            if issuer is not None:
                return Resolved(issuer, None, None, start, end, "group")
        if kind == "other" and head.lower_ in self.lexicon.role_words:
            compatible = [p for p in self.people if p.role and _fits_role(head, p)]
            if len(compatible) == 1:  # the one person, named before or after, who holds such a role
                person = compatible[0]
                return Resolved(person.name, person.role, person.org, start, end, "person")
            for mention in reversed(self._mentions):
                role = mention.person.role
                if mention.start_char < start and role and head.lower_ in role.lower().split():
                    person = mention.person
                    return Resolved(person.name, person.role, person.org, start, end, "person")
        if kind == "other" and head.lower_ in self.lexicon.speaking_groups and head.pos_ == "NOUN":
            for ent in reversed(self._orgs):
                if ent.start_char < start and head.lower_ in ent.text.lower():
                    return Resolved(ent.text, None, None, start, end, "group")
        return Resolved(text.strip() or None, None, None, start, end, kind)


def _fits_role(head: Token, person: Person) -> bool:
    """Whether a role nominal ("the president", "the Chinese diplomat") can name ``person``: a role
    word of the same family, and any nationality or country before it found in the person's role."""
    held = {w.strip("’'s,.").lower() for w in f"{person.role or ''} {person.org or ''}".split()}
    family = ROLE_FAMILIES.get(head.lower_, frozenset()) | {head.lower_}
    if not held & family:
        return False
    places = [
        c for c in head.lefts if c.ent_type_ in ("NORP", "GPE") or (c.dep_ == "poss" and c.pos_ == "PROPN")
    ]
    return all(any(w[:4] == place.lower_[:4] for w in held if len(w) >= 4) for place in places)
