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
import itertools
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from newsdesk.core.text import normal_words
from newsdesk.extract.events import (
    EVENT_COLUMNS,
    PRONOUNS,
    REPORTING_VERBS,
)
from newsdesk.extract.run import step_frames
from newsdesk.metadata.dates import publication_dates
from newsdesk.metadata.syndication import count_once
from newsdesk.stripping.corpus import corpus_bodies, strip_corpus
from newsdesk.stripping.offsets import to_original_spans

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

#: Two mentions of one event whose periods lie further apart than this many days are taken as two
#: occurrences (an annual meeting, a second visit), not as a conflict.
MAX_GAP_DAYS = 30

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


# --- publication dates ----------------------------------------------------------------------------


# --- events from the dependency parse -------------------------------------------------------------


# --- timexes over the corpus ----------------------------------------------------------------------


def corpus_timexes(
    corpus: Corpus,
    *,
    dates: pd.DataFrame | None = None,
    include_copies: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Every temporal expression in every stripped body, resolved against the effective date.

    Args:
        corpus: a loaded corpus.
        dates: :func:`publication_dates` of the corpus (computed when not given).
        include_copies: keep the expressions of articles that copy another
            (:func:`newsdesk.metadata.syndication.count_once`); by default a story counts once.
        progress: show a progress bar while parsing.

    Returns:
        ``article_id``, ``outlet``, ``effective_date``, ``date_source``, the columns of
        :func:`newsdesk.extract.timexes.timexes_from_doc` (``start``/``end`` in the body, ``anchor`` as ISO
        text), ``text_start``/``text_end`` (the same span in the loaded text), and the sentence and
        event columns of :func:`events_from_doc` (``sent_start``/``sent_end`` in the body).
    """
    from newsdesk.extract.timexes import COLUMNS

    dates = publication_dates(corpus, progress=progress) if dates is None else dates
    bodies = corpus_bodies(corpus)[["article_id", "outlet", "body"]].merge(
        dates[["article_id", "effective_date", "date_source"]], on="article_id", how="left"
    )
    isodates = [None if pd.isna(d) else d.date().isoformat() for d in bodies["effective_date"]]
    frames = step_frames(corpus, ["timexes"], dates=isodates, progress=progress, description="Timexes")
    frames = frames["timexes"]
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
    text_start, text_end = to_original_spans(
        strip_corpus(corpus).lines,
        bodies["article_id"].to_numpy()[positions],
        found["start"].to_numpy(np.int64),
        found["end"].to_numpy(np.int64),
    )
    found = found.assign(text_start=text_start, text_end=text_end)[columns]
    return count_once(found, corpus, include_copies=include_copies)[0]


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


def event_keys(mentions: pd.DataFrame) -> pd.Series:
    """The conservative "same event" key of each mention, or None where it may not be compared.

    Subject (canonical across the mentions, see :func:`newsdesk.analysis.quotes.canonical_speakers`),
    verb lemma with negation, and object, lowercased; None without all three, when the subject is
    not a name (a pronoun, "the comments"), for reporting verbs and for nominal events.
    """
    from newsdesk.analysis.quotes import canonical_speakers

    subject = canonical_speakers(mentions["subject"]).map(normal_words)
    verb = mentions["verb"].fillna("").astype(str)
    obj = mentions["object"].map(normal_words)
    negated = mentions["negated"].fillna(False).astype(bool)
    comparable = (
        (subject != "")
        & (verb != "")
        & (obj != "")
        & ~subject.isin(PRONOUNS)
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
