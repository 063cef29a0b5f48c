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
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

PACKAGED_DIR = Path(__file__).with_name("lexicons")
TERM_FILES = ("framing_terms.yaml", "hedges.yaml")
VERBS_FILE = "attribution_verbs.yaml"
AFFILIATIONS_FILE = "affiliations.csv"
AFFILIATION_FIELDS = ("name", "role", "any")
MATCH_COLUMNS = ["question", "term", "text", "start", "end", "sentence_start", "sentence_end"]


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
        questions[str(key)] = Question(str(key), str(spec.get("title") or key), terms, path.name)
    return questions


def _user_files(lexicon_dir: Path | None, pattern: str) -> list[Path]:
    if lexicon_dir is None or not Path(lexicon_dir).is_dir():
        return []
    return sorted(Path(lexicon_dir).glob(pattern))


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
                try:
                    re.compile(row["pattern"])
                except re.error as exc:
                    raise LexiconError(f"{path} line {line}: bad pattern {row['pattern']!r} ({exc})") from exc
                rows.append((field, row["pattern"], row["affiliation"].strip(), f"{path.name}:{line}"))
    return pd.DataFrame(rows, columns=["field", "pattern", "affiliation", "rule"])


class TermMatcher:
    """Finds a lexicon's terms in parsed Docs (surface words or lemmas, longest match per question)."""

    def __init__(self, lexicon: TermLexicon, language: Language):
        self.lexicon = lexicon
        self._matcher = Matcher(language.vocab, validate=True)
        self._labels: dict[int, tuple[str, str]] = {}
        for question in lexicon.questions.values():
            for term, phrases in question.terms.items():
                label = f"{question.key}\x1f{term}"
                patterns = [p for phrase in phrases for p in _patterns(phrase, language)]
                self._matcher.add(label, patterns)
                self._labels[language.vocab.strings[label]] = (question.key, term)

    def __call__(self, doc: Doc) -> pd.DataFrame:
        """One row per match: question, term, matched text, character offsets and its sentence."""
        by_question: dict[str, list] = {}
        for match_id, start, end in self._matcher(doc):
            question, term = self._labels[match_id]
            span = doc[start:end]
            span.label_ = term
            by_question.setdefault(question, []).append(span)
        rows = []
        for question, spans in by_question.items():
            for span in filter_spans(spans):
                sentence = span.sent if doc.has_annotation("SENT_START") else doc[:]
                rows.append(
                    (question, span.label_, span.text, span.start_char, span.end_char,
                     sentence.start_char, sentence.end_char)
                )  # fmt: skip
        return pd.DataFrame(rows, columns=MATCH_COLUMNS).sort_values("start", ignore_index=True)


def _patterns(phrase: Phrase, language: Language) -> list[list[dict]]:
    """Token patterns for one phrase: on its lower-cased words, and on their lemmas."""
    words = [t.lower_ for t in language.make_doc(phrase.text)]
    lemmas = [t.lemma_.lower() for t in language(phrase.text)]
    pos = {"POS": phrase.pos} if phrase.pos and len(words) == 1 else {}
    patterns = [[{"LOWER": w, **pos} for w in words]]
    if len(lemmas) == len(words):
        patterns.append([{"LEMMA": lemma, **pos} for lemma in lemmas])
    return patterns
