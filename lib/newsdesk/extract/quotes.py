"""Quotations and reported speech: who said, wrote, believed or found what, with which cue.

``quotes(text)`` returns one row per attribution in the text as given: direct quotes (a whole quoted
utterance), partial quotes (a few quoted words inside a paraphrase) and indirect ones (reported
speech, beliefs, intentions and findings: "Wang said Beijing is ready ...", "the report found ...",
"according to ..."). Quoted stretches that nobody is said to have said (scare quotes such as a
"no limits" partnership, quoted titles in headlines) are ``quoted_terms`` instead.

Method, loosely after the rule-based systems of the Gender Gap Tracker and Citron: quotation marks
are paired by a scanner over the raw text (any style, British single quotes told apart from
apostrophes, quotes that run over several paragraphs, unbalanced marks flagged); attribution cues
come from an editable lexicon (``lexicons/attribution_cues.yaml``) and are matched on the dependency
parse, whose subject is the speaker and whose complement is the content; quotes without their own
cue take the nearest cue of the same sentence (or the one after a colon, or the sentence right after
them), or continue the latest speaker's quote. Single marks are quotes only in articles that do not
quote with double ones (British style); elsewhere they are headline style or scare quotes. Speakers
are resolved within the article by :mod:`newsdesk.extract.speakers`.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
import yaml
from spacy.tokens import Doc, Span, Token

from newsdesk.core.cache import PACKAGED_LEXICONS
from newsdesk.core.text import WORD_RE
from newsdesk.extract.registry import Step, StepInputs, register, schema
from newsdesk.extract.speakers import Resolved, SpeakerResolver, role_lexicon
from newsdesk.parsing.parse import parse
from newsdesk.parsing.pipeline import doc_text

LEXICON_DIR = PACKAGED_LEXICONS
CUES_FILE = LEXICON_DIR / "attribution_cues.yaml"

#: Columns of ``quotes``; the evaluation kit relies on the first eight.
SCHEMA = schema(
    kind="str",
    start="int",
    end="int",
    text="str",
    speaker="str",
    speaker_start="int?",
    speaker_end="int?",
    cue="str",
    cue_start="int?",
    cue_end="int?",
    speaker_role="str",
    speaker_org="str",
    speaker_mention="str",
    sentence_start="int",
    sentence_end="int",
    unbalanced="bool",
    continued="bool",
    relayed_by="str",
)
COLUMNS = SCHEMA.names
#: Columns of ``quoted_terms``.
TERM_SCHEMA = schema(start="int", end="int", text="str", sentence="str", unbalanced="bool")
TERM_COLUMNS = TERM_SCHEMA.names
KINDS = ("direct", "partial", "indirect")
#: A quoted stretch of at most this many words with no cue of its own is a quoted term.
TERM_MAX_WORDS = 4
#: A quotation with no cue of its own continues the latest speaker if a quote came within this many
#: sentences; further away it is not reported as anyone's quote.
CONTINUATION_REGIONS = 6
#: A content may have this many words outside quote marks and still count as a direct quote.
DIRECT_MAX_UNQUOTED_WORDS = 2

_MARKS = re.compile(r"``|''|[\"“”„‟«»‘’'‹›\n]")
_OPEN_CONTEXT = set(' \t\r\n([{<—–-/“„«‘‹"') | {""}
_CLOSE_CONTEXT = set(' \t\r\n)]}>.,;:!?—–-/”»’›"') | {""}
#: A short quote that ends like an utterance ("Yes," / "Never!") rather than a title or a term.
_UTTERANCE_END = re.compile(r"[,.!?…]\W{0,2}$")
_SMALL_WORDS = frozenset("a an the of and or for to in on at by with from as vs via de".split())


# ---------------------------------------------------------------- lexicon
@dataclass(frozen=True)
class CueLexicon:
    """The cue classes of ``attribution_cues.yaml``."""

    speech: frozenset[str]
    belief: frozenset[str]
    object: frozenset[str]
    intention: frozenset[str]
    prepositional: dict[str, frozenset[str]]
    phrases: tuple[tuple[str, ...], ...]
    nouns: frozenset[str]
    exclude: dict[str, frozenset[str]]

    @property
    def verbs(self) -> frozenset[str]:
        """Every verb lemma that can be a cue."""
        preps = {lemma for lemmas in self.prepositional.values() for lemma in lemmas}
        return self.speech | self.belief | self.object | self.intention | preps


def _lower_set(values: Iterable | None) -> frozenset[str]:
    return frozenset(str(v).strip().lower() for v in values or ())


@lru_cache(maxsize=1)
def cue_lexicon() -> CueLexicon:
    """The attribution cue lexicon, read once."""
    raw = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8")) or {}
    verbs = raw.get("verbs") or {}
    return CueLexicon(
        speech=_lower_set(verbs.get("speech")),
        belief=_lower_set(verbs.get("belief")),
        object=_lower_set(verbs.get("object")),
        intention=_lower_set(verbs.get("intention")),
        prepositional={
            str(prep).lower(): _lower_set(lemmas) for prep, lemmas in (raw.get("prepositional") or {}).items()
        },
        phrases=tuple(tuple(str(p).lower().split()) for p in raw.get("phrases") or ()),
        nouns=_lower_set(raw.get("nouns")),
        exclude={str(k).lower(): _lower_set(v) for k, v in (raw.get("exclude") or {}).items()},
    )


# ---------------------------------------------------------------- quote marks
@dataclass(frozen=True)
class QuoteSpan:
    """A quoted stretch of the text: ``start`` at its opening mark, ``end`` after its closing mark.

    An unbalanced quote (no closing mark before the paragraph ends, or a closing mark with no
    opening one) runs to the paragraph's end (or from its start) and has ``unbalanced=True``.
    """

    start: int
    end: int
    unbalanced: bool = False
    single: bool = False


def _mark_role(mark: str, before: str, after: str, double_open: bool) -> str:
    """'open', 'close', 'toggle' or 'apostrophe' for one mark in its context."""
    if mark in ("“", "„", "‟", "«", "``"):
        if double_open and before not in _OPEN_CONTEXT and after in _CLOSE_CONTEXT:
            return "close"  # an opening mark used as a closing one ("word“ ")
        return "open"
    if mark in ("”", "»", "''"):
        if not double_open and before in _OPEN_CONTEXT and after.isalnum():
            return "open"  # a closing mark used as an opening one (" ”word")
        return "close"
    if mark == '"':
        opens, closes = before in _OPEN_CONTEXT, after in _CLOSE_CONTEXT
        if opens and not closes:
            return "open"
        if closes and not opens:
            return "close"
        return "toggle"
    # single marks: ‘ ’ ' ‹ ›
    if mark == "‹":
        return "single_open"
    if mark == "›":
        return "single_close"
    if before.isalnum() and after.isalnum():
        return "apostrophe"  # don't, the Kremlin's
    if before in _OPEN_CONTEXT and (after.isalpha() or after in '“"«'):
        if mark == "’":
            return "apostrophe"  # ’em, ’tis
        return "single_open"
    if after in _CLOSE_CONTEXT and before not in (" ", "\t", "\n", ""):
        return "single_close"
    return "apostrophe"


def scan_quotes(text: str) -> list[QuoteSpan]:
    """Every top-level quoted stretch of ``text``, in order; nested quotes stay inside their outer one.

    Double marks (straight, curly, low-9, guillemets, ```` '' ````) are paired within a paragraph (a
    line). A quote still open at a paragraph's end continues when the next paragraph opens with a
    quote mark (the multi-paragraph convention); otherwise it is flagged unbalanced. Single marks
    quote only at the top level and only when paired in the paragraph, so apostrophes stay apostrophes.
    """
    spans: list[QuoteSpan] = []
    double_start: int | None = None
    double_unbalanced = False
    continue_at = -1  # offset of an opening mark that continues a multi-paragraph quote
    singles: list[int] = []
    line_start = 0
    length = len(text)

    def line_end_before(position: int) -> int:
        end = position
        while end > line_start and text[end - 1].isspace():
            end -= 1
        return end

    def close_double(end: int, unbalanced: bool) -> None:
        nonlocal double_start, double_unbalanced
        if double_start is not None and end > double_start:
            spans.append(QuoteSpan(double_start, end, unbalanced or double_unbalanced))
        double_start, double_unbalanced = None, False

    for match in _MARKS.finditer(text):
        position, mark = match.start(), match.group()
        if mark == "\n":
            singles.clear()
            if double_start is not None:
                following = text[position + 1 :]
                stripped = following.lstrip(" \t\r\n•·-–—*")
                offset = length - len(stripped)
                if stripped[:1] in ("“", '"', "«", "„") or stripped[:2] == "``":
                    continue_at = offset
                elif following.strip():
                    close_double(line_end_before(position), True)
                else:
                    close_double(line_end_before(position), True)
            line_start = position + 1
            continue
        end = match.end()
        before = text[position - 1] if position > 0 else ""
        after = text[end] if end < length else ""
        if position == continue_at:
            continue_at = -1
            continue
        role = _mark_role(mark, before, after, double_start is not None)
        if role == "toggle":
            role = "close" if double_start is not None else "open"
        if role == "open":
            if double_start is not None:  # a new quote opens before the last one closed
                double_unbalanced = True
                close_double(line_end_before(position), True)
            double_start = position
            singles.clear()
        elif role == "close":
            if double_start is not None:
                close_double(end, False)
            else:  # a closing mark with no opening one: the quote ran from the paragraph's start
                begin = max(line_start, spans[-1].end if spans and spans[-1].end > line_start else 0)
                while begin < position and text[begin].isspace():
                    begin += 1
                if any(c.isalnum() for c in text[begin:position]):
                    spans.append(QuoteSpan(begin, end, True))
            singles.clear()
        elif role == "single_open":
            if double_start is None:
                singles.append(position)
        elif role == "single_close" and singles and double_start is None:
            begin = singles.pop()
            if not singles and any(c.isalpha() for c in text[begin:position]):
                spans.append(QuoteSpan(begin, end, False, True))
    if double_start is not None:
        spans.append(QuoteSpan(double_start, line_end_before(length), True))
    spans.sort(key=lambda s: (s.start, -s.end))
    top: list[QuoteSpan] = []
    for span in spans:
        if top and span.start < top[-1].end:
            continue  # nested or overlapping: the outer quote wins
        top.append(span)
    return top


def house_style(spans: list[QuoteSpan]) -> list[QuoteSpan]:
    """The quotes that use the article's own quote style.

    An article that quotes with double marks uses single ones only in headlines (US style) or for
    scare quotes, so those are not quotations there; an article with no double-quoted stretch at all
    quotes with single marks (British style), which then count.
    """
    if any(not s.single for s in spans):
        return [s for s in spans if not s.single]
    return spans


# ---------------------------------------------------------------- attribution frames
@dataclass
class _Frame:
    """One attribution cue with its source token and content span (character offsets)."""

    cue: list[Token]
    source: Token | None
    content: tuple[int, int] | None
    speech: bool
    records: int = 0
    quoted: bool = False


@dataclass
class _Record:
    kind: str
    start: int
    end: int
    frame: _Frame | None
    speaker: Resolved | None
    sentence: tuple[int, int]
    unbalanced: bool = False
    continued: bool = False


@dataclass
class _Article:
    """Per-Doc working state: quotes, token-to-quote map and sentence regions."""

    doc: Doc
    quotes: list[QuoteSpan]
    quote_of: list[int] = field(default_factory=list)
    region_of: list[int] = field(default_factory=list)
    regions: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        doc, quotes = self.doc, self.quotes
        self.quote_of = [-1] * len(doc)
        starts = [q.start for q in quotes]
        for token in doc:
            k = bisect_right(starts, token.idx) - 1
            if k >= 0 and token.idx < quotes[k].end:
                self.quote_of[token.i] = k
        self._build_regions()
        self._build_lines()

    def _build_regions(self) -> None:
        """Sentences that never split a quote nor a trailing attribution (", he said.")."""
        doc = self.doc
        quote_of = self.quote_of
        bounds: list[list[int]] = []
        previous_newline = True
        for token in doc:
            i = token.i
            if i == 0:
                bounds.append([0, 1])
                previous_newline = "\n" in token.text or "\n" in token.whitespace_
                continue
            newline = previous_newline
            previous_newline = "\n" in token.text or "\n" in token.whitespace_
            if token.is_space and "\n" in token.text:
                bounds[-1][1] = i + 1
                continue
            inside = quote_of[i] >= 0 and quote_of[i] == quote_of[i - 1]
            if inside or not (newline or token.is_sent_start):
                bounds[-1][1] = i + 1
                continue
            lowercase = token.is_lower or token.text in (",", ";", "”", "’", "»", ")", ":")
            if lowercase and not newline:
                bounds[-1][1] = i + 1
            else:
                bounds.append([i, i + 1])
        self.regions = [(a, b) for a, b in bounds]
        self.region_of = [0] * len(doc)
        for index, (a, b) in enumerate(self.regions):
            for i in range(a, b):
                self.region_of[i] = index

    def _build_lines(self) -> None:
        """Line starts, and which lines are title-case headlines (other than the first line)."""
        text = doc_text(self.doc)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.title_lines: set[int] = set()
        first = True
        for index, start in enumerate(self.line_starts):
            end = self.line_starts[index + 1] - 1 if index + 1 < len(self.line_starts) else len(text)
            line = text[start:end].strip()
            if not line:
                continue
            if first:
                first = False
                continue
            words = [w for w in WORD_RE.findall(line) if w[0].isalpha() and w.lower() not in _SMALL_WORDS]
            if (
                len(words) >= 3
                and not line.endswith(".")
                and sum(w[0].isupper() for w in words) >= 0.8 * len(words)
            ):
                self.title_lines.add(index)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset) - 1

    def in_title_list(self, token: Token) -> bool:
        """Whether the token sits on a title-case line such as a list of related headlines."""
        return bool(self.title_lines) and self.line_of(token.idx) in self.title_lines

    def paragraph_of(self, offset: int) -> tuple[int, int]:
        """The line around ``offset``, widened over quotes that run across line breaks."""
        line = self.line_of(offset)
        start = self.line_starts[line]
        end = self.line_starts[line + 1] - 1 if line + 1 < len(self.line_starts) else len(doc_text(self.doc))
        for quote in self.quotes:
            if quote.start < end and quote.end > start:
                start, end = min(start, quote.start), max(end, quote.end)
        return start, end

    def region_chars(self, index: int) -> tuple[int, int]:
        a, b = self.regions[index]
        doc = self.doc
        while b > a + 1 and doc[b - 1].is_space:
            b -= 1
        while a < b - 1 and doc[a].is_space:
            a += 1
        return doc[a].idx, doc[b - 1].idx + len(doc[b - 1])


def _span_chars(doc: Doc, tokens: Iterable[Token]) -> tuple[int, int] | None:
    items = [t for t in tokens if not t.is_space]
    if not items:
        return None
    first = min(items, key=lambda t: t.i)
    last = max(items, key=lambda t: t.i)
    while (
        last.i > first.i and (last.is_punct or last.is_space) and last.text not in ("”", '"', "’", "»", "''")
    ):
        last = doc[last.i - 1]
    while first.i < last.i and first.is_punct and first.text not in ("“", '"', "‘", "«", "``"):
        first = doc[first.i + 1]
    return first.idx, last.idx + len(last)


def _subtree_chars(token: Token, exclude: Token | None = None) -> tuple[int, int] | None:
    if exclude is None:
        return _span_chars(token.doc, token.subtree)
    skip = {t.i for t in exclude.subtree}
    tokens = [t for t in token.subtree if t.i not in skip]
    if not tokens:
        return None
    # keep the contiguous side of the excluded part that holds the token itself
    if token.i < exclude.left_edge.i:
        tokens = [t for t in tokens if t.i < exclude.left_edge.i]
    else:
        tokens = [t for t in tokens if t.i > exclude.right_edge.i]
    return _span_chars(token.doc, tokens)


def _clause_chars(head: Token, cues: frozenset[str]) -> tuple[int, int] | None:
    """A content clause's span, cut before a conjoined cue ("said A and predicted B" -> A)."""
    limit = None
    for child in head.rights:
        if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX") and child.lemma_.lower() in cues:
            limit = child.left_edge.i
            break
    if limit is None:
        return _span_chars(head.doc, head.subtree)
    tokens = [t for t in head.subtree if t.i < limit]
    while len(tokens) > 1 and (tokens[-1].dep_ == "cc" or tokens[-1].is_punct):
        tokens.pop()
    return _span_chars(head.doc, tokens)


def _find_source(verb: Token, cues: frozenset[str] = frozenset()) -> Token | None:
    """The subject of a cue verb, inherited from the governing verb when it has none.

    A participle hanging off a reported clause ("stated that X would be ..., emphasizing ...") takes
    the subject of the reporting verb, not of the reported clause.
    """
    token: Token | None = verb
    for _ in range(4):
        if token is None:
            return None
        agent = None
        for child in token.children:
            if child.dep_ == "nsubj":
                return child
            if child.dep_ == "agent":
                agent = next((c for c in child.children if c.dep_ == "pobj"), None)
        if agent is not None:
            return agent
        if (
            token.tag_ in ("VBG", "VBN")
            and token.dep_ not in ("advcl", "xcomp", "conj", "ROOT")
            and (token.head.pos_ in ("NOUN", "PROPN") and token.head.i < token.i)
        ):
            return token.head  # a participle on its speaker: "Pope Francis calling ...", "calls saying ..."
        if (
            token.dep_ == "acl"
            and token.i > 0
            and token.doc[token.i - 1].text == ","
            and token.head.head.pos_
            in (
                "VERB",
                "AUX",
            )
        ):
            token = (
                token.head.head
            )  # ", saying ..." misparsed as a noun modifier: the clause's subject speaks
            continue
        if token.dep_ in ("acl", "relcl") and token.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return token.head
        if token.dep_ in ("advcl", "xcomp", "conj", "pcomp", "prep") and token.head is not token:
            token = token.head
            if (
                verb.dep_ == "advcl"
                and token.dep_ == "ccomp"
                and token.head.lemma_.lower() in cues
                and token.head.i < token.i
            ):
                token = token.head
            continue
        return None
    return None


def _build_frames(article: _Article, lexicon: CueLexicon) -> list[_Frame]:
    doc = article.doc
    quote_of = article.quote_of
    frames: list[_Frame] = []
    verbs = lexicon.verbs
    phrase_starts = {p[0] for p in lexicon.phrases}
    for token in doc:
        if quote_of[token.i] >= 0:
            continue
        lower = token.lower_
        if lower in phrase_starts:
            frame = _phrase_frame(token, lexicon)
            if frame is not None:
                frames.append(frame)
                continue
        if token.pos_ not in ("VERB", "AUX") and not (token.pos_ == "NOUN" and token.lemma_ in lexicon.nouns):
            continue
        lemma = token.lemma_.lower()
        if token.pos_ == "NOUN":
            frame = _noun_frame(token)
            if frame is not None:
                frames.append(frame)
            continue
        if lemma not in verbs or article.in_title_list(token):
            continue
        if token.i >= 2 and doc[token.i - 1].text == "-" and doc[token.i - 2].lower_ == "so":
            continue  # "so-called"
        if (
            lemma == "ask"
            and token.tag_ == "VBN"
            and token.dep_ in ("advcl", "ROOT")
            and not any(c.dep_ in ("aux", "auxpass", "nsubjpass") for c in token.children)
        ):
            continue  # "Asked about X, she said ...": the question is not an attribution
        following = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
        if following in lexicon.exclude.get(lemma, ()):
            continue
        frame = _verb_frame(token, lemma, lexicon)
        if frame is not None:
            frames.append(frame)
    frames.extend(_colon_frames(article))
    return frames


_COLON_LINE = re.compile(r"^[ \t]*([A-Z][^:\n]{1,60}?)[ \t]*:[ \t]+(\S[^\n]*?)[ \t]*$", re.MULTILINE)
#: Labels of page furniture that look like "Speaker: text" lines.
_NOT_SPEAKERS = frozenset(
    "read also|also read|read more|see also|related|photo|photos|source|sources|category|updated|share|watch|"
    "listen|video|image|images|editor's note|note|caption|credit|tags|tag|topics|filed under|posted by|by|"
    "question|answer|q|a|update|updates|correction|advertisement|breaking|breaking news|exclusive|opinion|"
    "analysis|live|editorial|comment|subscribe|follow us|latest|latest news|home|news".split("|")
)


def _colon_frames(article: _Article) -> list[_Frame]:
    """Headline-style attributions: "Speaker: what they said" on a line of its own.

    The label must be able to speak: a person or organisation named there, a known speaker of the
    article (a name it gives elsewhere), or a role or speaking group ("Spokesperson:"). A country or
    people ("China:") speaks only a quotation of six words or more that follows it. Headlines ("Russia and
    China Reimagined:"), datelines ("KYIV:") and section labels ("Details:") are not speakers.
    """
    doc, text = article.doc, doc_text(article.doc)
    frames: list[_Frame] = []
    if ":" not in text:
        return frames
    lexicon = role_lexicon()
    groups = lexicon.speaking_groups
    known_words = {t.lower_ for ent in doc.ents if ent.label_ == "PERSON" for t in ent if t.is_alpha}
    for match in _COLON_LINE.finditer(text):
        prefix = match.group(1)
        if (
            prefix.lower().strip() in _NOT_SPEAKERS
            or len(prefix.split()) > 6
            or any(c.isdigit() for c in prefix)
            or re.search(r"\s[-–—]\s", prefix)  # a topic label ("China – Russia: ...")
        ):
            continue
        if len(WORD_RE.findall(match.group(2))) < 3:
            continue
        span = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        colon = doc.char_span(match.end(1), match.start(2), alignment_mode="expand")
        if span is None or colon is None or not len(span):
            continue
        colon_tokens = [t for t in colon if t.text == ":"]
        if not colon_tokens or article.quote_of[colon_tokens[0].i] >= 0:
            continue
        if any(t.pos_ in ("VERB", "AUX") and t.tag_ != "VBN" for t in span):
            continue
        if not _label_speaks(span, match.group(2), groups | lexicon.role_words, known_words):
            continue
        root = next((t for t in reversed(span) if t.ent_type_ == "PERSON"), None) or span.root
        content = (match.start(2), match.end(2) - (1 if match.group(2).endswith(".") else 0))
        frames.append(_Frame(colon_tokens[:1], root, content, True))
    return frames


def _label_speaks(span: Span, content: str, roles: frozenset[str] | set[str], known: set[str]) -> bool:
    """Whether the label of a "Label: text" line can be the speaker of the text (see _colon_frames)."""
    types = {t.ent_type_ for t in span if t.ent_type_}
    if types & {"PERSON", "ORG"}:
        return True
    words = [t.lower_ for t in span if t.is_alpha]
    if words and all(w in known for w in words):
        return True
    if span[-1].lower_ in roles and span[-1].pos_ in ("NOUN", "PROPN"):
        return True
    quoted = content.lstrip()[:1] in "\"“«„‘'"
    return bool(types & {"GPE", "NORP"}) and quoted and len(WORD_RE.findall(content)) >= 6


#: Speech verbs whose direct object is what was said ("said so", "wrote the same").
_SAY_OBJECT = frozenset({"say", "write", "repeat", "echo", "add"})
_SAY_LIKE = frozenset(
    "say tell add state note explain argue claim insist write warn predict suggest stress emphasize".split()
)
_CLAUSE_DEPS = frozenset({"advcl", "xcomp", "parataxis", "dep", "attr", "oprd", "acomp", "intj"})
_PERSONAL_OBJECTS = frozenset({"me", "us", "him", "her", "them", "you"})


def _nearby_name(verb: Token) -> Token | None:
    """A named speaker the parse did not link: "said Robin Maynard", "Col. X, a spokesman, said"."""
    doc = verb.doc
    for i in range(verb.i + 1, min(verb.i + 3, len(doc))):
        token = doc[i]
        if token.ent_type_ in ("PERSON", "ORG") or token.lower_ in ("mr.", "ms.", "mrs.", "dr."):
            while token.i + 1 < len(doc) and doc[token.i + 1].ent_iob_ == "I":
                token = doc[token.i + 1]
            return token
        if not (token.is_punct or token.pos_ in ("ADV", "DET")):
            break
    sent_start = verb.sent.start
    for i in range(verb.i - 1, max(sent_start, verb.i - 14) - 1, -1):
        token = doc[i]
        if token.ent_type_ == "PERSON" and token.dep_ not in ("pobj", "dobj", "poss"):
            while token.i + 1 < verb.i and doc[token.i + 1].ent_iob_ == "I":
                token = doc[token.i + 1]
            return token
        if token.pos_ in ("VERB",) and token.dep_ not in ("acl", "relcl"):
            break
    return None


def _verb_frame(verb: Token, lemma: str, lexicon: CueLexicon) -> _Frame | None:
    speech = lemma in lexicon.speech
    clause = speech or lemma in lexicon.belief or lemma in lexicon.object
    content: tuple[int, int] | None = None
    cue = [verb]
    children = list(verb.children)
    if clause:
        for child in children:
            if child.dep_ == "ccomp" and child.i > verb.i - 60:
                content = _clause_chars(child, lexicon.verbs)
                break
    if content is None and lemma in _SAY_OBJECT:
        for child in children:
            if child.dep_ == "dobj" and child.lower_ not in _PERSONAL_OBJECTS and child.ent_type_ != "PERSON":
                content = _subtree_chars(child)
                break
    if content is None and lemma in lexicon.intention:
        for child in children:
            if child.dep_ == "xcomp" and child.pos_ in ("VERB", "AUX"):
                content = _subtree_chars(child)
                break
    if content is None and lemma in lexicon.object:
        for child in children:
            if (child.dep_ in ("dobj", "dative") and child.pos_ != "PRON") or child.dep_ == "dobj":
                objects = [child] + [
                    c
                    for c in children
                    if c.i > child.i
                    and (
                        c.dep_ in ("oprd", "xcomp")
                        or (c.dep_ == "prep" and lemma in lexicon.prepositional.get(c.lower_, ()))
                    )
                ]
                if len(objects) == 1 and child.ent_type_ == "PERSON":
                    break  # "welcomed Xi Jinping to the Kremlin" greets a person; it reports nothing
                spans = [_subtree_chars(o) for o in objects]
                spans = [s for s in spans if s]
                if spans:
                    content = (min(s[0] for s in spans), max(s[1] for s in spans))
                break
    if content is None:
        for child in children:
            if child.dep_ == "prep" and verb.lemma_.lower() in lexicon.prepositional.get(child.lower_, ()):
                objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if objects:
                    content = _subtree_chars(objects[0])
                    cue = [verb, child]
                    break
            if child.dep_ == "prt" and verb.lemma_.lower() in lexicon.prepositional.get(child.lower_, ()):
                cue = [verb, child]
    if content is None and speech and verb.dep_ == "parataxis":
        if verb.head.i < verb.i:
            content = _subtree_chars(verb.head, exclude=verb)
        else:  # a parenthetical cue: "This campaign, he says, is different."
            content = _span_chars(verb.doc, verb.head.subtree)
    if (
        content is None and lemma in _SAY_LIKE
    ):  # a misparsed clause after the cue: "said if elected he could ..."
        clauses = [c for c in verb.rights if c.dep_ in _CLAUSE_DEPS]
        if clauses:
            content = _span_chars(verb.doc, [t for c in clauses for t in c.subtree])
    source = _find_source(verb, lexicon.speech)
    if source is None and speech:
        source = _nearby_name(verb)
    if content is None and not speech:
        return None
    return _Frame(cue, source, content, speech)


def _phrase_frame(token: Token, lexicon: CueLexicon) -> _Frame | None:
    doc = token.doc
    for phrase in lexicon.phrases:
        n = len(phrase)
        if token.i + n > len(doc) or tuple(t.lower_ for t in doc[token.i : token.i + n]) != phrase:
            continue
        cue = list(doc[token.i : token.i + n])
        if phrase == ("according", "to"):
            to = cue[-1]
            source = next((c for c in to.children if c.dep_ == "pobj"), None)
            if source is None:
                source = next((c for c in token.children if c.dep_ == "pobj"), None)
            head = token.head
            while head.dep_ == "prep" and head.head is not head:
                head = head.head
            if head is token or head.i == token.i:
                return _Frame(cue, source, None, True)
            subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children)
            relays = head.lemma_.lower() in ("report", "write", "publish")  # "X reports ..., according to Y"
            if subject and head.lemma_.lower() in lexicon.speech and not relays:
                return None  # "Lavrov said, according to TASS": Lavrov speaks, TASS only relays
            content = _subtree_chars(head, exclude=token)
            return _Frame(cue, source, content, True)
        return None
    return None


def _noun_frame(noun: Token) -> _Frame | None:
    """A cue noun with a clause ("the claim that ..."): its owner speaks."""
    content = None
    for child in noun.children:
        if child.dep_ in ("acl", "ccomp") and any(
            c.dep_ == "mark" and c.lower_ == "that" for c in child.children
        ):
            content = _subtree_chars(child)
            break
    if content is None:
        return None
    source = next((c for c in noun.children if c.dep_ == "poss"), None)
    return _Frame([noun], source, content, False)


# ---------------------------------------------------------------- assembling records
def _drop_nested(frames: list[_Frame]) -> list[_Frame]:
    """Beliefs, intentions and judgements reported inside another attribution's content are part of it."""
    spans = [f.content for f in frames if f.content is not None]
    if not spans:
        return frames
    kept = []
    for frame in frames:
        at = frame.cue[0].idx
        if any(s <= at < e for s, e in spans):
            if not frame.speech:
                continue
            frame.content = None  # a nested speech cue can still introduce a quotation of its own
        kept.append(frame)
    return kept


def _following_candidates(
    article: _Article, span: Span, frames_by_region: dict[int, list[_Frame]]
) -> list[_Frame]:
    """Frames of the sentence right after a quote that ends a sentence (“... .” Trump said.)."""
    doc = article.doc
    end = span.end
    if end >= len(doc) or doc[end].is_space or article.quote_of[end] >= 0:
        return []
    region = article.region_of[end]
    if region == article.region_of[span.end - 1]:
        return []
    first = article.regions[region][0]
    frames = frames_by_region.get(region, [])
    return [f for f in frames if (f.content is None or f.quoted) and f.cue[0].i - first <= 8]


def _latest_speaker(records: list[_Record], last_direct: _Record, before: int) -> _Record:
    """The record whose speech cue comes last before ``before``: the last quote, or later reported speech."""
    best = last_direct
    best_at = last_direct.frame.cue[0].i if last_direct.frame is not None else -1
    for record in records:
        frame = record.frame
        if frame is None or not frame.speech or record.speaker is None or record.start >= before:
            continue
        if frame.cue[0].i > best_at and frame.cue[0].idx < before:
            best, best_at = record, frame.cue[0].i
    return best


def _colon_candidates(
    article: _Article, span: Span, frames_by_region: dict[int, list[_Frame]], n_words: int
) -> list[_Frame]:
    """Frames for a quote introduced by a colon ("Cruz continued:", "pollster Daron Shaw: ...")."""
    doc = article.doc
    i = span.start - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0 or doc[i].text != ":" or n_words <= TERM_MAX_WORDS:
        return []
    colon = doc[i]
    text = doc_text(doc)
    line_start = text.rfind("\n", 0, colon.idx) + 1
    if re.search(r"\s[-–—]\s", text[line_start : colon.idx]):
        return []  # a topic label ("China – Russia: “...”"), not a speaker
    frames = [f for f in frames_by_region.get(article.region_of[i], []) if f.content is None or f.quoted]
    if frames:
        return frames
    before = doc[i - 1] if i > 0 else None
    if before is None or before.pos_ not in ("PROPN", "NOUN", "PRON") or article.quote_of[before.i] >= 0:
        return []
    head = before
    while head.dep_ in ("compound", "flat") and head.head.i > head.i and head.head.i < i:
        head = head.head
    if head.dep_ in ("dobj", "attr") and head.head.pos_ in ("VERB", "AUX"):
        subject = _find_source(head.head)  # "X released the following statement: “...”"
        if subject is not None:
            return [_Frame([head.head, colon], subject, None, True)]
    return [_Frame([colon], head, None, True)]


def _quoted_words(
    text: str, start: int, end: int, quotes: list[QuoteSpan], starts: list[int]
) -> tuple[int, int]:
    """(words inside quotes, words outside) in ``text[start:end]``."""
    inside = outside = 0
    k = max(0, bisect_right(starts, start) - 1)
    relevant = [q for q in quotes[k:] if q.start < end]
    for match in WORD_RE.finditer(text, start, end):
        position = match.start()
        if any(q.start <= position < q.end for q in relevant):
            inside += 1
        else:
            outside += 1
    return inside, outside


def quotes_from_doc(doc: Doc) -> pd.DataFrame:
    """Attributed quotations and reported speech in a parsed Doc: one row per attribution.

    Columns (:data:`COLUMNS`; an empty frame has them too), offsets into ``doc.text``:
    ``kind`` (direct, partial or indirect), ``start``/``end``/``text`` (the quote with its marks, or
    the reported content), ``speaker`` (resolved name, or None), ``speaker_start``/``speaker_end``/
    ``speaker_mention`` (the mention the sentence attributes it to: "he", "Wang", "the ministry"),
    ``cue`` with ``cue_start``/``cue_end``, ``speaker_role``, ``speaker_org``, ``sentence_start``/
    ``sentence_end``, ``unbalanced`` (its quote marks did not pair), ``continued`` (a quotation
    with no cue of its own, given to the latest speaker) and ``relayed_by`` (who passed it on:
    "..., Lavrov said, according to TASS" -> TASS; "X reported" beside another speaker). Never raises
    on odd quote marks.
    """
    records = list(_extract(doc))
    return _frame(doc_text(doc), records, doc)


def _extract(doc: Doc) -> Iterator[_Record]:
    text = doc_text(doc)
    if not text.strip() or not len(doc):
        return
    lexicon = cue_lexicon()
    quotes = house_style(scan_quotes(text))
    article = _Article(doc, quotes)
    resolver = SpeakerResolver(doc)
    starts = [q.start for q in quotes]
    frames = _drop_nested(_build_frames(article, lexicon))
    claimed: set[int] = set()
    out: list[_Record] = []
    resolved: dict[int, Resolved | None] = {}

    def speaker_of(frame: _Frame | None) -> Resolved | None:
        if frame is None or frame.source is None:
            return None
        key = frame.source.i
        if key not in resolved:
            resolved[key] = resolver.resolve(frame.source)
        return resolved[key]

    # 1. frames whose content is a clause or phrase: absorb the quotes it overlaps
    for frame in frames:
        if frame.content is None:
            continue
        start, end = frame.content
        low, high = article.paragraph_of(frame.cue[0].idx)
        start, end = max(start, low), min(end, high)
        if end <= start or not WORD_RE.search(text, start, end):
            frame.content = None  # its clause lies in another paragraph: a quote may still follow
            continue
        touched = [k for k, q in enumerate(quotes) if q.start < end and q.end > start]
        if touched and not frame.speech and all(_set_phrase(doc, quotes[k]) for k in touched):
            continue  # "hailed a “no limits” partnership": a set phrase (quoted_terms), nobody's words
        unbalanced = False
        if touched:
            start = min(start, *(quotes[k].start for k in touched))
            end = max(end, *(quotes[k].end for k in touched))
            unbalanced = any(quotes[k].unbalanced for k in touched)
            claimed.update(touched)
        inside, outside = _quoted_words(text, start, end, quotes, starts) if touched else (0, 1)
        if inside and outside <= DIRECT_MAX_UNQUOTED_WORDS:
            kind = "direct"
            if len(touched) == 1:
                start, end = quotes[touched[0]].start, quotes[touched[0]].end
        elif inside:
            kind = "partial"
        else:
            kind = "indirect"
        region = article.region_of[frame.cue[0].i]
        frame.records += 1
        frame.quoted = frame.quoted or kind == "direct"
        out.append(
            _Record(kind, start, end, frame, speaker_of(frame), article.region_chars(region), unbalanced)
        )

    # 2. quotes still unclaimed: the nearest speech cue of their sentence, else a continuation
    frames_by_region: dict[int, list[_Frame]] = {}
    for frame in frames:
        if frame.speech:
            frames_by_region.setdefault(article.region_of[frame.cue[0].i], []).append(frame)
    last_direct: _Record | None = None
    last_direct_region = -10
    span_of = {k: doc.char_span(q.start, q.end, alignment_mode="expand") for k, q in enumerate(quotes)}
    for k, quote in enumerate(quotes):
        span = span_of[k]
        if span is None or not len(span):
            continue
        region = article.region_of[span[0].i]
        if k in claimed:
            record = next((r for r in reversed(out) if r.start <= quote.start < r.end), None)
            if record is not None and record.kind == "direct":
                last_direct, last_direct_region = record, article.region_of[span[-1].i]
            continue
        n_words = len(WORD_RE.findall(text, quote.start, quote.end))
        utterance = n_words > TERM_MAX_WORDS or _UTTERANCE_END.search(text, quote.start, quote.end)
        candidates = [
            f
            for f in frames_by_region.get(region, [])
            if (f.content is None or f.quoted or n_words > TERM_MAX_WORDS)
            and (utterance or abs(f.cue[0].i - span.start) <= 3 or abs(f.cue[0].i - span.end) <= 3)
        ]
        if not candidates:
            candidates = _colon_candidates(article, span, frames_by_region, n_words)
        if not candidates and n_words > TERM_MAX_WORDS:
            candidates = _following_candidates(article, span, frames_by_region)
        if candidates:
            frame = min(
                candidates, key=lambda f: min(abs(f.cue[0].i - span.start), abs(f.cue[0].i - span.end))
            )
            frame.records += 1
            record = _Record(
                "direct",
                quote.start,
                quote.end,
                frame,
                speaker_of(frame),
                article.region_chars(region),
                quote.unbalanced,
            )
            out.append(record)
            claimed.add(k)
            last_direct, last_direct_region = record, article.region_of[span[-1].i]
            continue
        lo, hi = article.region_chars(region)
        outside = len(WORD_RE.findall(text, lo, quote.start)) + len(WORD_RE.findall(text, quote.end, hi))
        if (
            last_direct is not None
            and region - last_direct_region <= CONTINUATION_REGIONS
            and n_words > TERM_MAX_WORDS
        ):
            # a quotation with no cue of its own continues the latest speaker nearby
            source = _latest_speaker(out, last_direct, quote.start)
            record = _Record(
                "direct",
                quote.start,
                quote.end,
                source.frame,
                source.speaker,
                (lo, hi),
                quote.unbalanced,
                True,
            )
            out.append(record)
            claimed.add(k)
            last_direct, last_direct_region = record, article.region_of[span[-1].i]
    out.sort(key=lambda r: (r.start, r.end))
    seen: set[tuple[int, int]] = set()
    for record in out:
        if (record.start, record.end) in seen:
            continue
        seen.add((record.start, record.end))
        yield record


def _set_phrase(doc: Doc, quote: QuoteSpan) -> bool:
    """A short quoted stretch that modifies the noun right after it ("the “no limits” partnership")."""
    if quote.unbalanced or len(WORD_RE.findall(doc_text(doc), quote.start, quote.end)) > TERM_MAX_WORDS:
        return False
    span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
    if span is None or span.end >= len(doc):
        return False
    following = doc[span.end]
    words = [t for t in span if not t.is_punct and not t.is_quote]
    return (
        following.pos_ in ("NOUN", "PROPN")
        and bool(words)
        and all(t.head.i == following.i or span.start <= t.head.i < span.end for t in words)
    )


def _relayed_by(doc: Doc, record: _Record) -> str | None:
    """Who relays the quote in its sentence: the object of "according to", or the subject of a
    "report" verb, when that is not the speaker's own mention."""
    sentence = doc.char_span(*record.sentence, alignment_mode="expand")
    if sentence is None or record.speaker is None:
        return None
    own = (record.speaker.start, record.speaker.end)
    for token in sentence:
        source = None
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            source = next((c for c in doc[token.i + 1].children if c.dep_ == "pobj"), None)
        elif token.lemma_ == "report" and token.pos_ == "VERB":
            source = next((c for c in token.children if c.dep_ == "nsubj"), None)
        if source is None or source.pos_ not in ("PROPN", "NOUN"):
            continue
        words = [t for t in source.subtree if t.i - source.i <= 6]
        start, end = words[0].idx, words[-1].idx + len(words[-1])
        if start >= own[1] or end <= own[0]:
            return doc_text(doc)[start:end].strip(" ,.") or None
    return None


def _frame(text: str, records: list[_Record], doc: Doc | None = None) -> pd.DataFrame:
    rows = []
    for r in records:
        speaker = r.speaker
        cue = r.frame.cue if r.frame is not None else []
        cue_start = cue[0].idx if cue else None
        cue_end = cue[-1].idx + len(cue[-1]) if cue else None
        rows.append(
            {
                "kind": r.kind,
                "start": r.start,
                "end": r.end,
                "text": text[r.start : r.end],
                "speaker": speaker.name if speaker else None,
                "speaker_start": speaker.start if speaker else None,
                "speaker_end": speaker.end if speaker else None,
                "cue": text[cue_start:cue_end] if cue else None,
                "cue_start": cue_start,
                "cue_end": cue_end,
                "speaker_role": speaker.role if speaker else None,
                "speaker_org": speaker.org if speaker else None,
                "speaker_mention": text[speaker.start : speaker.end] if speaker else None,
                "sentence_start": r.sentence[0],
                "sentence_end": r.sentence[1],
                "unbalanced": bool(r.unbalanced),
                "continued": bool(r.continued),
                "relayed_by": _relayed_by(doc, r) if doc is not None else None,
            }
        )
    if not rows:
        return _empty(COLUMNS)
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    for column in ("speaker_start", "speaker_end", "cue_start", "cue_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


def quotes(text: str) -> pd.DataFrame:
    """Attributed quotations in ``text`` (parsed with ``newsdesk.nlp()``); see :func:`quotes_from_doc`."""
    return quotes_from_doc(parse(text))


def quoted_terms_from_doc(doc: Doc, quotes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quoted stretches that nobody is said to say: scare quotes, quoted titles and terms.

    Columns: ``start``, ``end`` (offsets of the stretch with its marks), ``text``, ``sentence``
    (the sentence's text) and ``unbalanced``. ``quotes`` is :func:`quotes_from_doc` of ``doc`` when
    the caller already has it (the attributions are not extracted a second time).
    """
    text = doc_text(doc)
    if quotes is None:
        attributed = [(r.start, r.end) for r in _extract(doc)]
    else:
        attributed = list(zip(quotes["start"].tolist(), quotes["end"].tolist(), strict=True))
    rows = []
    article = None
    for quote in scan_quotes(text):
        if any(s <= quote.start and quote.end <= e for s, e in attributed):
            continue
        if len(WORD_RE.findall(text, quote.start, quote.end)) == 0:
            continue
        if article is None:
            article = _Article(doc, scan_quotes(text))
        span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        lo, hi = article.region_chars(article.region_of[span[0].i])
        rows.append(
            {
                "start": quote.start,
                "end": quote.end,
                "text": text[quote.start : quote.end],
                "sentence": text[lo:hi],
                "unbalanced": quote.unbalanced,
            }
        )
    if not rows:
        return _empty(TERM_COLUMNS)
    return pd.DataFrame.from_records(rows, columns=TERM_COLUMNS)


def quoted_terms(text: str) -> pd.DataFrame:
    """Scare quotes and quoted terms in ``text``; see :func:`quoted_terms_from_doc`."""
    return quoted_terms_from_doc(parse(text))


def quotes_fingerprint() -> str:
    """Cache version of per-article quotes: code version, lexicon contents and the spaCy pipeline."""
    from newsdesk.extract.quotes import LEXICON_DIR
    from newsdesk.parsing.pipeline import pipeline_fingerprint

    digest = hashlib.sha256()
    for path in sorted(LEXICON_DIR.glob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"quotes-{QUOTES_CODE_VERSION}-{digest.hexdigest()[:12]}-{pipeline_fingerprint()}"


#: Bump when quote extraction changes its output; lexicon edits are picked up by their hash.
QUOTES_CODE_VERSION = "2"


def _quotes_step(doc: Doc, inputs: StepInputs) -> pd.DataFrame:
    return quotes_from_doc(doc)


def _terms_step(doc: Doc, inputs: StepInputs) -> pd.DataFrame:
    return quoted_terms_from_doc(doc, inputs.frames.get("quotes"))


register(Step("quotes", _quotes_step, SCHEMA, version=quotes_fingerprint))
register(Step("terms", _terms_step, TERM_SCHEMA, version=quotes_fingerprint, after=("quotes",)))
