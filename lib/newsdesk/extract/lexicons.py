"""Editable framing lexicons: term questions, hedges, attribution-verb classes and voice affiliations.

Defaults ship in ``lib/newsdesk/lexicons/``; an analyst adds or overrides them, without code, with
files in ``<data folder>/lexicons/``:

- ``*_terms.yaml`` and ``hedges.yaml``: question key -> ``title`` and ``terms`` (label -> phrases);
  a question key defined there replaces the default question of that key, new keys are added;
- ``attribution_verbs.yaml``: verb class -> lemmas (replaces the default when present);
- ``affiliations.csv``: ``field,pattern,affiliation`` rows tried before the default rows.

Phrases match case-insensitively on the words as written and on their lemmas, multi-word phrases
as a whole, and the longest of overlapping matches within one question wins.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import re2
import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from newsdesk.core.cache import PACKAGED_LEXICONS
from newsdesk.extract.registry import schema
from newsdesk.ingest.paths import settings_file
from newsdesk.parsing.pipeline import doc_text

PACKAGED_DIR = PACKAGED_LEXICONS
TERM_FILES = ("framing_terms.yaml", "hedges.yaml")
VERBS_FILE = "attribution_verbs.yaml"
AFFILIATIONS_FILE = "affiliations.csv"
AFFILIATION_FIELDS = ("name", "role", "any")
MATCH_SCHEMA = schema(
    question="str", term="str", text="str", start="int", end="int", sentence_start="int", sentence_end="int"
)
MATCH_COLUMNS = MATCH_SCHEMA.names


class LexiconError(ValueError):
    """A lexicon file that cannot be read; the message names the file and, where known, the line."""


@dataclass(frozen=True)
class Phrase:
    """One way of writing a term; ``pos`` restricts a one-word phrase to a part of speech."""

    text: str
    pos: str | None = None


@dataclass(frozen=True)
class Question:
    """A framing question ("How is the war named?") and the terms that answer it."""

    key: str
    title: str
    terms: dict[str, tuple[Phrase, ...]]
    source: str
    #: phrases a term match inside of is not the term ("war" in "World War II", "Cold War")
    exclude: tuple[Phrase, ...] = ()


@dataclass(frozen=True)
class TermLexicon:
    """The questions in force, in order, and the files they came from."""

    questions: dict[str, Question]
    sources: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        """A short hash of the lexicon's contents, for cache keys."""
        digest = hashlib.sha256(repr(sorted(self.questions.items())).encode())
        return digest.hexdigest()[:12]


def _load_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise LexiconError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: expected a mapping of question keys at the top level")
    return data


def _phrase(value: object, path: Path, where: str) -> Phrase:
    if isinstance(value, str) and value.strip():
        return Phrase(value.strip())
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        pos = value.get("pos")
        return Phrase(value["text"].strip(), str(pos).upper() if pos else None)
    raise LexiconError(f"{path}: {where}: a phrase must be text or {{text: ..., pos: ...}}, not {value!r}")


def _questions(path: Path) -> dict[str, Question]:
    questions = {}
    for key, spec in _load_yaml(path).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("terms"), dict) or not spec["terms"]:
            raise LexiconError(f"{path}: question {key!r} needs a non-empty 'terms' mapping")
        terms = {}
        for label, phrases in spec["terms"].items():
            values = phrases if isinstance(phrases, list) else [phrases]
            terms[str(label)] = tuple(_phrase(v, path, f"{key} / {label}") for v in values)
        excluded = spec.get("not") or []
        excluded = excluded if isinstance(excluded, list) else [excluded]
        exclude = tuple(_phrase(v, path, f"{key} / not") for v in excluded)
        questions[str(key)] = Question(str(key), str(spec.get("title") or key), terms, path.name, exclude)
    return questions


def _user_files(lexicon_dir: Path | None, pattern: str) -> list[Path]:
    """The data folder's lexicon files matching ``pattern``; one linked to outside the corpus folder
    (the lexicon folder's parent) raises CorpusError."""
    if lexicon_dir is None or not Path(lexicon_dir).is_dir():
        return []
    root = Path(lexicon_dir).resolve().parent
    found = (settings_file(path, root) for path in sorted(Path(lexicon_dir).glob(pattern)))
    return [path for path in found if path is not None]


def read_term_lexicon(lexicon_dir: str | Path | None = None) -> TermLexicon:
    """The packaged term questions and hedges, extended or overridden by ``lexicon_dir``'s files."""
    lexicon_dir = Path(lexicon_dir) if lexicon_dir is not None else None
    questions: dict[str, Question] = {}
    sources = []
    for name in TERM_FILES:
        questions.update(_questions(PACKAGED_DIR / name))
        sources.append(f"newsdesk default {name}")
    user = _user_files(lexicon_dir, "*_terms.yaml") + _user_files(lexicon_dir, "hedges.yaml")
    for path in user:
        questions.update(_questions(path))
        sources.append(f"{path.parent.name}/{path.name} (beside the data)")
    return TermLexicon(questions, tuple(sources))


def read_verb_classes(lexicon_dir: str | Path | None = None) -> dict[str, str]:
    """Attribution verb lemma -> class (neutral, emphatic, contested, evaluative, or the file's own)."""
    user = _user_files(Path(lexicon_dir) if lexicon_dir else None, VERBS_FILE)
    path = user[0] if user else PACKAGED_DIR / VERBS_FILE
    classes = {}
    for verb_class, lemmas in _load_yaml(path).items():
        if not isinstance(lemmas, list):
            raise LexiconError(f"{path}: class {verb_class!r} needs a list of lemmas")
        for lemma in lemmas:
            classes.setdefault(str(lemma).lower(), str(verb_class))
    return classes


#: The longest affiliation pattern accepted, in characters.
MAX_PATTERN_CHARS = 2000
#: Memory RE2 may use for one compiled affiliation pattern, in bytes.
PATTERN_MAX_MEM = 8 << 20
#: Not a letter, digit or underscore, in any script: the edge of a word for ``role`` rules.
_NOT_WORD = r"[^\pL\pN_]"


@lru_cache(maxsize=4096)
def affiliation_rule(field: str, pattern: str) -> re2._Regexp:
    r"""The compiled form of one affiliation pattern, as :func:`affiliation_of` applies it.

    Patterns come from data folders, so they run on RE2, whose matching time is linear in the text
    whatever the pattern (``([\w\s]+)+!`` cannot backtrack). ``name`` rules must match the whole
    name and ``any`` rules anywhere, both ignoring case; ``role`` rules match whole words, case kept.
    Raises ValueError for a pattern RE2 cannot run (look-arounds, back-references) or a too long one.
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"longer than {MAX_PATTERN_CHARS} characters")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = PATTERN_MAX_MEM
    options.case_sensitive = field == "role"
    wrapped = {
        "name": f"(?:{pattern})",
        "role": f"(?:^|{_NOT_WORD})(?:{pattern})(?:{_NOT_WORD}|$)",
    }.get(field, pattern)
    try:
        return re2.compile(wrapped, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"{reason}; write RE2 syntax, no look-arounds or back-references") from None


def read_affiliations(lexicon_dir: str | Path | None = None) -> pd.DataFrame:
    """Affiliation rules in the order they are tried: the data folder's rows, then the defaults."""
    paths = _user_files(Path(lexicon_dir) if lexicon_dir else None, AFFILIATIONS_FILE)
    rows = []
    for path in [*paths, PACKAGED_DIR / AFFILIATIONS_FILE]:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or set(reader.fieldnames) < {"field", "pattern", "affiliation"}:
                raise LexiconError(f"{path}: needs the columns field,pattern,affiliation")
            for row in reader:
                line = reader.line_num
                field = (row["field"] or "").strip()
                if field not in AFFILIATION_FIELDS:
                    raise LexiconError(f"{path} line {line}: field must be one of {AFFILIATION_FIELDS}")
                pattern = row["pattern"] or ""
                try:
                    affiliation_rule(field, pattern)
                except ValueError as exc:
                    raise LexiconError(f"{path} line {line}: bad pattern {pattern[:80]!r} ({exc})") from None
                rows.append((field, pattern, row["affiliation"].strip(), f"{path.name}:{line}"))
    return pd.DataFrame(rows, columns=["field", "pattern", "affiliation", "rule"])


class TermMatcher:
    """Finds a lexicon's terms in parsed Docs (surface words or lemmas, longest match per question).

    Two phrase matchers, one on lower-cased words and one on lemmas, find every phrase in one pass
    each; a phrase with a part of speech keeps only the matches whose word has it. Where one question
    has several matches of the same words, the term listed first in the lexicon wins.
    """

    def __init__(self, lexicon: TermLexicon, language: Language):
        self.lexicon = lexicon
        self._words = PhraseMatcher(language.vocab, attr="LOWER")
        self._lemmas = PhraseMatcher(language.vocab, attr="LEMMA")
        #: match id -> (rank in the lexicon, question, term (None: an exclusion), part of speech or None)
        self._phrases: dict[int, tuple[int, str, str | None, str | None]] = {}
        for question in lexicon.questions.values():
            entries = [(term, phrase) for term, phrases in question.terms.items() for phrase in phrases]
            entries += [(None, phrase) for phrase in question.exclude]
            for term, phrase in entries:
                rank = len(self._phrases)
                key = f"{question.key}\x1f{term if term is not None else '(not)'}\x1f{rank}"
                words, lemmas = _pattern_docs(phrase, language)
                pos = phrase.pos if phrase.pos and len(words) == 1 else None
                self._words.add(key, [words])
                if lemmas is not None:
                    self._lemmas.add(key, [lemmas])
                self._phrases[language.vocab.strings[key]] = (rank, question.key, term, pos)

    def __call__(self, doc: Doc) -> pd.DataFrame:
        """One row per match: question, term, matched text, character offsets and its sentence."""
        # question -> (start, end) -> (rank, term): one term per stretch of words, the first listed
        found: dict[str, dict[tuple[int, int], tuple[int, str]]] = {}
        excluded: dict[str, list[tuple[int, int]]] = {}
        lemmatized = doc.has_annotation("LEMMA")
        for matcher in (self._words, self._lemmas) if lemmatized else (self._words,):
            for match_id, start, end in matcher(doc):
                rank, question, term, pos = self._phrases[match_id]
                if pos is not None and doc[start].pos_ != pos:
                    continue
                if term is None:
                    excluded.setdefault(question, []).append((start, end))
                    continue
                spans = found.setdefault(question, {})
                if (start, end) not in spans or rank < spans[start, end][0]:
                    spans[start, end] = (rank, term)
        rows = []
        text = doc_text(doc)
        sentences = doc.has_annotation("SENT_START")
        for question, spans in found.items():
            outside = [
                (start, end)
                for start, end in spans
                if not any(s <= start and end <= e for s, e in excluded.get(question, ()))
            ]
            ordered = [Span(doc, start, end, label=spans[start, end][1]) for start, end in sorted(outside)]
            for span in filter_spans(ordered):
                sentence = span.sent if sentences else doc[:]
                rows.append(
                    (question, span.label_, text[span.start_char : span.end_char], span.start_char,
                     span.end_char, sentence.start_char, sentence.end_char)
                )  # fmt: skip
        return pd.DataFrame(rows, columns=MATCH_COLUMNS).sort_values("start", ignore_index=True)


def _pattern_docs(phrase: Phrase, language: Language) -> tuple[Doc, Doc | None]:
    """A phrase's pattern on its lower-cased words, and on their lower-cased lemmas (None when the
    parse splits it differently or gives no lemmas)."""
    words = language.make_doc(phrase.text)
    parsed = language(phrase.text)
    lemmas = [t.lemma_.lower() for t in parsed]
    if len(parsed) != len(words) or not all(lemmas):
        return words, None
    spaces = [bool(t.whitespace_) for t in parsed]
    return words, Doc(language.vocab, words=[t.text for t in parsed], spaces=spaces, lemmas=lemmas)
