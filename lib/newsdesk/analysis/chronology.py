"""Chronology across a corpus: publication dates, resolved temporal expressions and a timeline of events.

Three corpus stages, each a module function taking the :class:`~newsdesk.ingest.corpus.Corpus`:

- :func:`publication_dates`: the manifest's date always wins; an article without one gets the date
  :func:`newsdesk.infer_published` finds in its raw text (cached per article by text hash).
- :func:`corpus_timexes`: every temporal expression of each stripped body, resolved against the
  article's effective date (cached per article by body hash, effective date and code version), with
  offsets in the loaded text, the sentence and the event it dates (from the dependency parse).
- :func:`timeline`: one row per dated event mention (a DATE or TIME whose value names a calendar
  point or period), with conflicts: the same event given non-overlapping dates by two mentions.

"Same event" is deliberately narrow: the same subject (canonicalised across the corpus as for quote
speakers), the same verb lemma (and negation) and the same object, all three present and the subject
a name. Pronoun or common-noun subjects, reporting verbs ("say", "tell") and events named by a noun
only ("the summit on Friday") are never compared. Mentions further apart than ``max_gap_days`` are
taken as recurrences, not conflicts. A flag is a prompt to read both sentences, not a verdict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from newsdesk.core.cache import DiskCache, content_hash, source_digest
from newsdesk.parsing.parse import frames_from_docs
from newsdesk.parsing.pipeline import doc_text
from newsdesk.present.describe import outlet_labels

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from newsdesk.ingest.corpus import Corpus

#: Bump when this module changes what it stores per article.
CHRONOLOGY_CODE_VERSION = "1"
#: Two mentions of one event whose periods lie further apart than this many days are taken as two
#: occurrences (an annual meeting, a second visit), not as a conflict.
MAX_GAP_DAYS = 30

DATE_SOURCES = ("manifest", "inferred", "unknown")
PUBDATE_COLUMNS = [
    "article_id",
    "outlet",
    "given",
    "inferred",
    "inferred_source",
    "confidence",
    "effective_date",
    "date_source",
]
#: Columns computed per article from the parsed body (besides :data:`newsdesk.extract.timexes.COLUMNS`).
EVENT_COLUMNS = [
    "sent_start",
    "sent_end",
    "sentence",
    "subject",
    "verb",
    "object",
    "negated",
    "nominal",
    "named_subject",
    "event",
]
TIMELINE_COLUMNS = [
    "article_id",
    "outlet",
    "date_source",
    "sentence",
    "timex",
    "value",
    "date",
    "date_end",
    "granularity",
    "event",
    "subject",
    "verb",
    "object",
    "event_key",
    "conflict",
    "conflict_with",
    "text_start",
    "text_end",
]

#: Verbs of saying: the date is when something was said, and one speaker says things every day.
REPORTING_VERBS = frozenset(
    "say tell add note state stress reiterate emphasize emphasise explain announce claim insist "
    "confirm deny report write comment remark respond reply argue warn urge declare describe".split()
)
_PRONOUNS = frozenset("i you he she it we they this that these those who which one someone".split())
_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
_OBJECT_DEPS = ("dobj", "obj", "attr", "dative", "oprd")
_NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
)
_TIME_LABELS = frozenset({"DATE", "TIME"})
_SEASONS = {"WI": (12, 3), "SP": (3, 3), "SU": (6, 3), "FA": (9, 3)}  # start month, length in months
_VALUE = re.compile(
    r"^(?P<y>\d{4})(?:"
    r"-(?P<m>\d\d)(?:-(?P<d>\d\d)(?:T(?:(?P<hh>\d\d):(?P<mm>\d\d)|(?P<part>MO|AF|EV|NI|DT)))?)?"
    r"|-W(?P<w>\d\d)(?P<we>-WE)?"
    r"|-Q(?P<q>[1-4])"
    r"|-H(?P<h>[12])"
    r"|-(?P<season>SP|SU|FA|WI)"
    r")?$"
)


# --- fingerprints and small caches ----------------------------------------------------------------


@lru_cache(maxsize=1)
def pubdate_fingerprint() -> str:
    """Cache version of inferred publication dates: code of the inference, stripper and pipeline."""
    from newsdesk.parsing.pipeline import pipeline_fingerprint
    from newsdesk.stripping.corpus import strip_fingerprint

    code = source_digest(
        "newsdesk.extract.pubdate", "newsdesk.extract.timexes", "newsdesk.extract.timex_grammar"
    )
    return f"pubdate-{CHRONOLOGY_CODE_VERSION}-{code}-{strip_fingerprint()}-{pipeline_fingerprint()}"


@lru_cache(maxsize=1)
def timex_fingerprint() -> str:
    """Cache version of per-article timexes and events: this module, the timex rules and the pipeline."""
    from newsdesk.parsing.pipeline import pipeline_fingerprint

    code = source_digest(
        "newsdesk.analysis.chronology", "newsdesk.extract.timexes", "newsdesk.extract.timex_grammar"
    )
    return f"chronology-{CHRONOLOGY_CODE_VERSION}-{code}-{pipeline_fingerprint()}"


def _read_combined(cache: DiskCache, namespace: str, keys: Sequence[str]) -> tuple[str, pd.DataFrame | None]:
    """One stored frame for a whole corpus (keyed by every article key), so reruns read one file."""
    key = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    return key, cache.read_frame(f"{namespace}/corpus", key)


# --- publication dates ----------------------------------------------------------------------------


def _inferred_cached(text: str, sha256: str, cache: DiskCache, namespace: str) -> tuple[Any, str, float]:
    data = cache.read(namespace, sha256, ".json")
    if data is not None:
        try:
            stored = json.loads(data)
            return stored["date"], str(stored["source"]), float(stored["confidence"])
        except (ValueError, KeyError, TypeError):
            pass  # unreadable entry: infer again
    from newsdesk.extract.pubdate import infer_published

    try:
        date, source, confidence = infer_published(text)
    except Exception:  # the inference never raises by contract; a stage must not fail if it does
        date, source, confidence = None, "none", 0.0
    iso = date.isoformat() if date is not None else None
    payload = {"date": iso, "source": source, "confidence": confidence}
    cache.write(namespace, sha256, ".json", json.dumps(payload).encode())
    return iso, source, confidence


def publication_dates(
    corpus: Corpus, *, infer: str = "missing", progress: bool | None = None
) -> pd.DataFrame:
    """One row per annotatable article: the manifest's date, the inferred one, and which is used.

    Args:
        corpus: a loaded corpus.
        infer: ``"missing"`` runs :func:`newsdesk.infer_published` only where the manifest gives no
            date; ``"all"`` on every article (to compare inference with the given dates).
        progress: show a progress bar while inferring (default: only for 500 articles or more).

    Returns:
        ``article_id``, ``outlet``, ``given`` (manifest date), ``inferred``, ``inferred_source``,
        ``confidence``, ``effective_date`` (given, else inferred; dates as day Timestamps) and
        ``date_source`` (``manifest``, ``inferred`` or ``unknown``).
    """
    from tqdm import tqdm

    if infer not in ("missing", "all"):
        raise ValueError(f"infer must be 'missing' or 'all', not {infer!r}")
    rows = corpus.annotatable
    given = pd.to_datetime(rows["published_date"]).dt.normalize().reset_index(drop=True)
    wanted = np.ones(len(rows), dtype=bool) if infer == "all" else given.isna().to_numpy()
    namespace = f"pubdate/{pubdate_fingerprint()}"
    texts, hashes = rows["text"].tolist(), rows["sha256"].tolist()
    selected = [i for i in range(len(rows)) if wanted[i]]
    combined_key, combined = _read_combined(corpus.cache, namespace, [hashes[i] for i in selected])
    if combined is None or len(combined) != len(selected):
        show = progress if progress is not None else len(selected) >= 500
        results = [
            _inferred_cached(
                texts[i] if isinstance(texts[i], str) else "", hashes[i], corpus.cache, namespace
            )
            for i in tqdm(selected, desc="Publication dates", unit="doc", disable=not show)
        ]
        combined = pd.DataFrame(results, columns=["inferred", "inferred_source", "confidence"])
        corpus.cache.write_frame(f"{namespace}/corpus", combined_key, combined)
    inferred = pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]")
    source = pd.Series(None, index=range(len(rows)), dtype=object)
    confidence = pd.Series(np.nan, index=range(len(rows)), dtype=float)
    if selected:
        inferred.iloc[selected] = pd.to_datetime(combined["inferred"]).to_numpy()
        source.iloc[selected] = combined["inferred_source"].to_numpy()
        confidence.iloc[selected] = combined["confidence"].astype(float).to_numpy()
    effective = given.fillna(inferred)
    date_source = np.select([given.notna(), inferred.notna()], ["manifest", "inferred"], "unknown")
    return pd.DataFrame(
        {
            "article_id": rows["article_id"].to_numpy(),
            "outlet": rows["outlet"].to_numpy(),
            "given": given,
            "inferred": inferred,
            "inferred_source": source,
            "confidence": confidence.round(2),
            "effective_date": effective,
            "date_source": date_source,
        },
        columns=PUBDATE_COLUMNS,
    )


# --- events from the dependency parse -------------------------------------------------------------


def _entity_of(token: Token) -> Span | None:
    if token.ent_iob_ in ("B", "I") and token.ent_type_ in _NAME_LABELS:
        for ent in token.doc.ents:
            if ent.start <= token.i < ent.end:
                return ent
    return None


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


# --- timexes over the corpus ----------------------------------------------------------------------


def _body_frames(
    bodies: list[str], dates: list[str | None], cache: DiskCache, progress: bool | None
) -> list[pd.DataFrame]:
    """Per-article frames of :func:`events_from_doc`, cached by body hash, date and version."""
    keys = [content_hash(f"{body}\0{date or ''}") for body, date in zip(bodies, dates, strict=True)]
    return frames_from_docs(
        bodies,
        keys,
        events_from_doc,
        namespace=f"timexes/{timex_fingerprint()}",
        cache=cache,
        arguments=dates,
        progress=progress,
        description="Timexes",
    )


def corpus_timexes(
    corpus: Corpus, *, dates: pd.DataFrame | None = None, progress: bool | None = None
) -> pd.DataFrame:
    """Every temporal expression in every stripped body, resolved against the effective date.

    Args:
        corpus: a loaded corpus.
        dates: :func:`publication_dates` of the corpus (computed when not given).
        progress: show a progress bar while parsing.

    Returns:
        ``article_id``, ``outlet``, ``effective_date``, ``date_source``, the columns of
        :func:`newsdesk.extract.timexes.timexes_from_doc` (``start``/``end`` in the body, ``anchor`` as ISO
        text), ``text_start``/``text_end`` (the same span in the loaded text), and the sentence and
        event columns of :func:`events_from_doc` (``sent_start``/``sent_end`` in the body).
    """
    from newsdesk.extract.timexes import COLUMNS

    dates = publication_dates(corpus, progress=progress) if dates is None else dates
    bodies = corpus.bodies()[["article_id", "outlet", "body"]].merge(
        dates[["article_id", "effective_date", "date_source"]], on="article_id", how="left"
    )
    texts = bodies["body"].fillna("").astype(str).tolist()
    isodates = [None if pd.isna(d) else d.date().isoformat() for d in bodies["effective_date"]]
    frames = _body_frames(texts, isodates, corpus.cache, progress)
    meta = ["article_id", "outlet", "effective_date", "date_source"]
    columns = [*meta, *COLUMNS, "text_start", "text_end", *EVENT_COLUMNS]
    keep = [position for position, frame in enumerate(frames) if len(frame)]
    if not keep:
        empty = pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
        return empty.astype({"effective_date": "datetime64[ns]"})
    found = pd.concat([frames[position] for position in keep], ignore_index=True)
    positions = np.repeat(np.asarray(keep, dtype=np.int64), [len(frames[p]) for p in keep])
    for column in ("article_id", "outlet", "effective_date", "date_source"):
        found[column] = bodies[column].to_numpy()[positions]
    text_start, text_end = _loaded_offsets(
        corpus.boilerplate().lines,
        bodies["article_id"],
        positions,
        found["start"].to_numpy(np.int64),
        found["end"].to_numpy(np.int64),
    )
    return found.assign(text_start=text_start, text_end=text_end)[columns]


def _loaded_offsets(
    lines: pd.DataFrame, article_ids: pd.Series, positions: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Body spans -> spans in the loaded text, for all articles at once.

    The vectorised form of :func:`newsdesk.stripping.corpus.to_original_offsets`: each body line is keyed
    by (article position, offset in the body), so one ``searchsorted`` finds every span's line.
    """
    shift = np.int64(1) << np.int64(40)  # bodies are far shorter than 2**40 characters
    in_body = lines[lines["body_start"].notna()]
    line_article = pd.Series(range(len(article_ids)), index=article_ids.to_numpy())
    line_position = line_article.reindex(in_body["article_id"].to_numpy()).to_numpy()
    known = ~np.isnan(line_position)
    line_keys = line_position[known].astype(np.int64) * shift + in_body["body_start"].to_numpy()[
        known
    ].astype(np.int64)
    originals = in_body["start"].to_numpy(np.int64)[known]
    order = np.argsort(line_keys, kind="stable")
    line_keys, originals = line_keys[order], originals[order]

    def convert(offsets: np.ndarray) -> np.ndarray:
        keys = positions * shift + offsets
        index = np.clip(np.searchsorted(line_keys, keys, side="right") - 1, 0, None)
        if not len(line_keys):
            return np.full(len(offsets), -1, dtype=np.int64)
        return originals[index] + (keys - line_keys[index])

    return convert(starts), convert(ends - 1) + 1


# --- the timeline ---------------------------------------------------------------------------------


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    total = year * 12 + month - 1 + n
    return total // 12, total % 12 + 1


def value_period(value: object) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``(start, end)`` of a TIMEX3 value naming a calendar point or period; end is exclusive.

    ``2025``, ``2025-03``, ``2025-03-31``, ``2025-W14``, ``2025-W14-WE``, ``2025-Q1``, ``2025-H1``,
    ``2025-SU``, ``2025-03-31T15:00`` and ``2025-03-31TMO`` (a clock time or part of day is its
    minute or its day); anything else (``XXXX-03-31``, ``P3D``, ``PAST_REF``, decades) gives None.
    """
    match = _VALUE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    parts = match.groupdict()
    year = int(parts["y"])
    try:
        if parts["w"]:
            monday = dt.date.fromisocalendar(year, int(parts["w"]), 1)
            if parts["we"]:
                start = pd.Timestamp(monday + dt.timedelta(days=5))
                return start, start + pd.Timedelta(days=2)
            return pd.Timestamp(monday), pd.Timestamp(monday + dt.timedelta(days=7))
        if parts["d"]:
            day = pd.Timestamp(year, int(parts["m"]), int(parts["d"]))
            if parts["hh"]:
                start = day + pd.Timedelta(hours=int(parts["hh"]), minutes=int(parts["mm"]))
                return start, start + pd.Timedelta(minutes=1)
            return day, day + pd.Timedelta(days=1)
        if parts["m"]:
            month = int(parts["m"])
            if not 1 <= month <= 12:
                return None
            return pd.Timestamp(year, month, 1), pd.Timestamp(*_add_months(year, month, 1), 1)
        first, length = (1, 12)
        if parts["q"]:
            first, length = 3 * (int(parts["q"]) - 1) + 1, 3
        elif parts["h"]:
            first, length = 6 * (int(parts["h"]) - 1) + 1, 6
        elif parts["season"]:
            first, length = _SEASONS[parts["season"]]
            if parts["season"] == "WI":  # TIMEX3 winter of a year: December of the year before
                year, first = year - 1, 12
        return pd.Timestamp(year, first, 1), pd.Timestamp(*_add_months(year, first, length), 1)
    except (ValueError, OverflowError):
        return None


def _normal(text: object) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.lower())) if isinstance(text, str) else ""


def event_keys(mentions: pd.DataFrame) -> pd.Series:
    """The conservative "same event" key of each mention, or None where it may not be compared.

    Subject (canonical across the mentions, see :func:`newsdesk.analysis.quotes.canonical_speakers`),
    verb lemma with negation, and object, lowercased; None without all three, when the subject is
    not a name (a pronoun, "the comments"), for reporting verbs and for nominal events.
    """
    from newsdesk.analysis.quotes import canonical_speakers

    subject = canonical_speakers(mentions["subject"]).map(_normal)
    verb = mentions["verb"].fillna("").astype(str)
    obj = mentions["object"].map(_normal)
    negated = mentions["negated"].fillna(False).astype(bool)
    comparable = (
        (subject != "")
        & (verb != "")
        & (obj != "")
        & ~subject.isin(_PRONOUNS)
        & mentions["named_subject"].fillna(False).astype(bool)
        & ~verb.isin(REPORTING_VERBS)
        & ~mentions["nominal"].fillna(False).astype(bool)
    )
    key = subject + " | " + np.where(negated, "not ", "") + verb + " | " + obj
    return key.where(comparable, None)


def flag_conflicts(events: pd.DataFrame, *, max_gap_days: int = MAX_GAP_DAYS) -> pd.DataFrame:
    """Add ``conflict`` and ``conflict_with`` to dated event mentions.

    Mentions of one ``event_key`` in one sentence form one period (a range "from March 31 to April 2"
    is one mention). Two such periods of the same key in different sentences (in one article or two)
    conflict when they do not overlap and lie at most ``max_gap_days`` apart. ``conflict_with`` lists
    the other values, sorted and comma-separated.
    """
    frame = events.reset_index(drop=True)
    conflict = np.zeros(len(frame), dtype=bool)
    conflict_with = np.full(len(frame), None, dtype=object)
    keyed = frame[frame["event_key"].notna()]
    if keyed.empty:
        return frame.assign(conflict=conflict, conflict_with=conflict_with)
    # A mention: one event key in one sentence of one article; its period spans all its dates.
    mention = keyed.groupby(["event_key", "article_id", "sent_start"], sort=False)
    rows = keyed[["event_key", "value"]].assign(
        start=mention["date"].transform("min"), end=mention["date_end"].transform("max")
    )
    # Compare distinct periods per key, not mentions: a much-reported event has few distinct dates.
    span_id = rows.groupby(["event_key", "start", "end"], sort=True).ngroup().to_numpy()
    spans = rows.assign(span_id=span_id).drop_duplicates("span_id").sort_values("span_id")
    values_of = rows.assign(span_id=span_id).drop_duplicates(["span_id", "value"])
    span_values = values_of.groupby("span_id")["value"].agg(lambda v: sorted(v)).to_dict()
    labels: dict[int, str] = {}
    gap = pd.Timedelta(days=max_gap_days).to_timedelta64()
    keys = spans["event_key"].to_numpy()
    starts, ends = spans["start"].to_numpy(), spans["end"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
    for first, last in itertools.pairwise(bounds):
        if last - first < 2:
            continue
        s, e = starts[first:last], ends[first:last]
        disjoint = (e[:, None] <= s[None, :]) | (e[None, :] <= s[:, None])
        distance = np.maximum(s[None, :] - e[:, None], s[:, None] - e[None, :])
        pairs = disjoint & (distance <= gap)
        for a in np.flatnonzero(pairs.any(axis=1)):
            others = {v for b in np.flatnonzero(pairs[a]) for v in span_values[first + b]}
            labels[first + a] = ", ".join(sorted(others))
    if labels:
        found = pd.Series(span_id).map(labels).to_numpy(dtype=object)
        positions = keyed.index.to_numpy()
        conflict_with[positions] = found
        conflict[positions] = pd.notna(found)
    return frame.assign(conflict=conflict, conflict_with=conflict_with)


def timeline(
    corpus: Corpus,
    *,
    timexes: pd.DataFrame | None = None,
    max_gap_days: int = MAX_GAP_DAYS,
    progress: bool | None = None,
) -> pd.DataFrame:
    """One row per dated event mention across the corpus, sorted by date, with conflicts flagged.

    A dated mention is a DATE or TIME expression whose value names a calendar point or period
    (:func:`value_period`); unresolved ones (no effective date) give no row.

    Returns:
        ``article_id``, ``outlet``, ``date_source``, ``sentence``, ``timex`` (its text), ``value``,
        ``date`` (start of the period, a Timestamp), ``date_end`` (exclusive end), ``granularity``,
        ``event`` (label), ``subject``, ``verb``, ``object``, ``event_key`` (None where the mention is
        not compared), ``conflict``, ``conflict_with``, ``text_start`` and ``text_end``.
    """
    timexes = corpus_timexes(corpus, progress=progress) if timexes is None else timexes
    dated = timexes[timexes["type"].isin(["DATE", "TIME"])]
    periods = dated["value"].map({v: value_period(v) for v in dated["value"].unique()})
    dated = dated[periods.notna()]
    periods = periods[periods.notna()]
    if dated.empty:
        empty = pd.DataFrame({column: pd.Series(dtype=object) for column in TIMELINE_COLUMNS})
        return empty.astype({"date": "datetime64[ns]", "date_end": "datetime64[ns]", "conflict": bool})
    events = dated.assign(
        timex=dated["text"],
        date=pd.to_datetime([p[0] for p in periods]),
        date_end=pd.to_datetime([p[1] for p in periods]),
    )
    events = events.assign(event_key=event_keys(events))
    events = flag_conflicts(events, max_gap_days=max_gap_days)
    events = events.sort_values(["date", "article_id", "text_start"], kind="stable", ignore_index=True)
    return events[TIMELINE_COLUMNS]


# --- tables and chart for the notebook ------------------------------------------------------------


def date_comparison(dates: pd.DataFrame) -> pd.DataFrame:
    """Per article: given and inferred date, whether they agree, and the date used (sorted by article)."""
    table = dates.assign(outlet=outlet_labels(dates))
    both = table["given"].notna() & table["inferred"].notna()
    agrees = pd.Series(pd.NA, index=table.index, dtype="boolean")
    agrees[both] = (table.loc[both, "given"] == table.loc[both, "inferred"]).to_numpy()
    table = table.assign(agrees=agrees)
    for column in ("given", "inferred", "effective_date"):
        table[column] = table[column].dt.date
    columns = ["article_id", "outlet", "given", "inferred", "inferred_source", "confidence", "agrees",
               "effective_date", "date_source"]  # fmt: skip
    return table[columns].sort_values("article_id", ignore_index=True)


def date_finding(dates: pd.DataFrame) -> str:
    """One sentence: how many dates come from the manifest, from inference, or are unknown."""
    counts = dates["date_source"].value_counts()
    both = dates["given"].notna() & dates["inferred"].notna()
    agree = int((dates.loc[both, "given"] == dates.loc[both, "inferred"]).sum())
    checked = (
        f"; where both exist, inference agrees with the manifest for {agree} of {int(both.sum())}"
        if both.any()
        else ""
    )
    return (
        f"Of {len(dates)} articles, {counts.get('manifest', 0)} take their date from the manifest, "
        f"{counts.get('inferred', 0)} from inference and {counts.get('unknown', 0)} have none{checked}."
    )


def timex_summary(timexes: pd.DataFrame, dates: pd.DataFrame) -> pd.DataFrame:
    """Per article: its effective date and source, temporal expressions found, and how many are dated."""
    known = {v: value_period(v) is not None for v in timexes["value"].unique()}
    dated = timexes["type"].isin(["DATE", "TIME"]) & timexes["value"].map(known).fillna(False).astype(bool)
    counts = (
        timexes.assign(dated=dated)
        .groupby("article_id")
        .agg(n_timexes=("value", "size"), n_dated=("dated", "sum"))
        .reset_index()
    )
    table = dates[["article_id", "outlet", "effective_date", "date_source"]].merge(
        counts, on="article_id", how="left"
    )
    table = table.assign(outlet=outlet_labels(table), effective_date=table["effective_date"].dt.date)
    for column in ("n_timexes", "n_dated"):
        table[column] = table[column].fillna(0).astype("int64")
    return table.sort_values("article_id", ignore_index=True)


def timeline_table(events: pd.DataFrame) -> pd.DataFrame:
    """The rows behind the chart: date, outlet label, article, timex, value, event and the sentence."""
    table = events.assign(outlet=outlet_labels(events), date=events["date"].dt.date)
    columns = ["date", "outlet", "article_id", "timex", "value", "granularity", "event", "conflict",
               "conflict_with", "sentence"]  # fmt: skip
    return table[columns].reset_index(drop=True)


def conflict_table(events: pd.DataFrame) -> pd.DataFrame:
    """Flagged mentions only, grouped by event: who dated it when, and in which sentence."""
    flagged = events[events["conflict"].astype(bool)]
    table = flagged.assign(outlet=outlet_labels(flagged), date=flagged["date"].dt.date)
    columns = ["event_key", "date", "value", "outlet", "article_id", "conflict_with", "sentence"]
    return table[columns].sort_values(["event_key", "date", "article_id"], ignore_index=True)


def timeline_finding(events: pd.DataFrame, dates: pd.DataFrame) -> str:
    """One sentence: dated mentions, articles, date span, labelled events and conflicts."""
    undated = int((dates["date_source"] == "unknown").sum())
    note = (
        f"; {undated} article(s) without an effective date contribute only absolute dates" if undated else ""
    )
    if events.empty:
        return f"No dated event mentions were found{note}."
    keyed = events["event_key"].dropna()
    conflicts = events.loc[events["conflict"].astype(bool), "event_key"].nunique()
    return (
        f"{len(events)} dated mention(s) in {events['article_id'].nunique()} article(s), periods starting "
        f"{events['date'].min():%Y-%m-%d} to {events['date'].max():%Y-%m-%d}; "
        f"{int(events['event'].notna().sum())} have an event label, {keyed.nunique()} distinct "
        f"comparable event(s), {conflicts} with conflicting dates{note}."
    )
