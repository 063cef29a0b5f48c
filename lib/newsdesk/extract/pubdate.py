"""Publication dates for undated article dumps, from the evidence in the raw text.

``infer_published(text)`` returns ``(date or None, source, confidence)``. It reads the raw dump, not
the stripped body: header, byline and caption lines are evidence even though stripping drops them,
while related-headline lists, navigation and read-more lines are not (a "2027" in a related headline
says nothing about the article). Evidence, strongest first:

1. a byline ("Published: 18 Aug 2025", "Updated March 28, 2025 10:15 GMT") -> ``byline``;
2. a dateline with a year ("BEIJING, March 28, 2025 (Reuters) -") -> ``dateline``; without a year it
   borrows one from a full date elsewhere in the text -> ``dateline+absolute date``;
3. a header line that is only a date -> ``header date``;
4. the latest full date (day, month and year) in a caption or the body, moved forward to the latest
   weekday the article mentions in the past tense ("confirmed on Friday" after a caption dated
   Thursday 27 March 2025 -> Friday 28 March) -> ``weekday+absolute date``; alone it is only a lower
   bound, returned with low confidence (``caption date``, ``latest absolute date``).

Weekdays, months and "last month" without any full date pin nothing down: the answer is then
``(None, "none", 0.0)`` rather than a guess. Never raises on odd input.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from newsdesk.core.cache import source_digest
from newsdesk.extract import timex_grammar as g
from newsdesk.extract import timexes as temporal

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: Line reasons (from :func:`newsdesk.strip`) whose dates are not evidence about the article.
EXCLUDED_REASONS = frozenset(
    {"related-headlines", "navigation", "read-more", "share-bar", "comment-form", "contact",
     "repeated-across-site"}
)  # fmt: skip
_BYLINE = re.compile(
    r"^\W{0,3}(?:published|updated|posted|last\s+updated|first\s+published|publication\s+date|date|"
    r"released|modified)(?:\s+on)?\s*[:|-]?\s*",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    rf"^\W{{0,3}}[A-Z][A-Za-z.'’ -]{{1,40}}?,\s+(?:[A-Z][A-Za-z.]+,\s+)?(?:{g.weekday('wd')}\s*,?\s*)?"
    rf"(?P<date>{g.month('mon')}\s*{g.day('day')}(?:,?\s*(?P<year>1\d{{3}}|20\d\d))?)\s*"
    rf"(?:\((?:[A-Za-z .&]{{2,30}})\)\s*)?(?:-|–|—|--|:)",
)
_MAX_HEADER_LINES = 15
_MAX_LINE_FOR_HEADER_DATE = 60
_FULL_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, reason) per unit of the dump (a line, or a sentence of a blob); every line counts
    as body when stripping fails."""
    try:
        from newsdesk.stripping.stripper import strip

        frame = strip(text).lines
        units = frame.groupby("line_no", sort=True).agg(
            start=("start", "min"), end=("end", "max"), reason=("reason", "first")
        )
        reasons = units["reason"].astype(str).tolist()
        rows = list(zip(units["start"].tolist(), units["end"].tolist(), reasons, strict=True))
    except Exception:  # evidence gathering must not fail because the classifier did
        rows, pos = [], 0
        for line in text.split("\n"):
            rows.append((pos, pos + len(line), "body" if line.strip() else "blank"))
            pos += len(line) + 1
    return _mark_headline_runs(text, rows)


def _mark_headline_runs(text: str, rows: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Three or more short title-like lines in a row after the article are a headline list."""
    out = list(rows)
    run: list[int] = []

    def close() -> None:
        if len(run) >= 3:
            for i in run:
                s, e, _ = out[i]
                out[i] = (s, e, "related-headlines")
        run.clear()

    for i, (s, e, reason) in enumerate(rows):
        line = text[s:e].strip()
        if reason == "blank" or not line:
            continue
        words = line.split()
        capitals = sum(1 for w in words if w[:1].isupper())
        if (
            3 <= len(words) <= 18
            and not line.endswith((".", "?", "!", "”", '"', ":"))
            and capitals >= len(words) / 2
        ):
            run.append(i)
        else:
            close()
    close()
    return out


def _full_dates(text: str) -> list[tuple[int, dt.date]]:
    """(offset, date) of every date in ``text`` that names day, month and year."""
    found = []
    for out in temporal._extract(text, None, "MDY", None):
        if out.granularity == "day" and out.type == "DATE" and _FULL_DATE.fullmatch(out.value):
            found.append((out.start, dt.date.fromisoformat(out.value)))
    return found


def infer_published(text: str) -> tuple[dt.date | None, str, float]:
    """Infer an article's publication date from its raw text -> ``(date or None, source, confidence)``.

    ``source`` names the evidence used (``byline``, ``dateline``, ``dateline+absolute date``,
    ``header date``, ``weekday+absolute date``, ``caption date``, ``latest absolute date`` or
    ``none``); ``confidence`` is a rough probability that the date is the publication day.
    """
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes | bytearray) else str(text or "")
    if not text.strip():
        return None, "none", 0.0
    lines = _lines(text)
    evidence = [(s, e, r) for s, e, r in lines if r not in EXCLUDED_REASONS and r != "blank"]
    if not evidence:
        return None, "none", 0.0

    # 1-3: a date the page states outright
    dateline_md: tuple[int, int] | None = None
    for rank, (s, e, _reason) in enumerate(evidence):
        line = text[s:e]
        m = _BYLINE.match(line)
        if m and rank < 40:
            dates = _full_dates(line[m.end() :])
            if dates and dates[0][0] <= 3:
                return dates[0][1], "byline", 0.9
        m = _DATELINE.match(line)
        if m:
            mon = g.MONTHS.get((m.group("mon") or "").lower().rstrip("."))
            day = int(m.group("day"))
            if mon and m.group("year"):
                d = temporal._safe_date(int(m.group("year")), mon, day)
                if d is not None:
                    return d, "dateline", 0.9
            elif mon and dateline_md is None:
                dateline_md = (mon, day)
        if rank < _MAX_HEADER_LINES and len(line.strip()) <= _MAX_LINE_FOR_HEADER_DATE:
            dates = _full_dates(line)
            words = re.findall(r"[A-Za-z]{3,}", line)
            if dates and len(words) <= 4:
                return dates[0][1], "header date", 0.8

    # 4: full dates in captions and the body, then weekdays
    starts = [s for s, _, _ in lines]
    reasons = [r for _, _, r in lines]

    def reason_at(offset: int) -> str:
        return reasons[max(bisect.bisect_right(starts, offset) - 1, 0)]

    doc = _parse(_date_lines_only(text, _evidence_spans(text)))
    ctx = temporal._Ctx(text, None, "MDY", doc)
    outs = temporal._extract(text, None, "MDY", doc)
    caption: list[dt.date] = []
    body: list[dt.date] = []
    past_weekdays: list[int] = []
    future_month_days: list[tuple[int, int]] = []
    for out in outs:
        kind = _evidence_kind(out)
        reason = reason_at(out.start)
        if kind is None or reason in EXCLUDED_REASONS:
            continue
        if kind == "full date":
            d = dt.date.fromisoformat(out.value)
            if reason == "caption":
                caption.append(d)
            elif ctx.tense(out.start, out.end) != "future":
                body.append(d)
        elif kind == "weekday":
            if ctx.tense(out.start, out.end) == "past" and not text[out.start : out.end].lower().startswith(
                ("next", "last", "this")
            ):
                past_weekdays.append(int(out.value[-1]))
        elif ctx.tense(out.start, out.end) == "future":
            future_month_days.append((int(out.value[5:7]), int(out.value[8:10])))

    known = caption + body
    if dateline_md is not None and known:
        latest = max(known)
        options = [d for y in (latest.year, latest.year + 1) if (d := temporal._safe_date(y, *dateline_md))]
        options = [d for d in options if d >= latest - dt.timedelta(days=3)]
        if options:
            return min(options), "dateline+absolute date", 0.75
    if not known:
        return None, "none", 0.0
    anchor = max(known)
    source = "caption date" if caption and anchor == max(caption) else "latest absolute date"
    if not past_weekdays:
        return anchor, source, 0.35 if source == "caption date" else 0.25
    published = anchor + dt.timedelta(days=max((w - anchor.isoweekday()) % 7 for w in past_weekdays))
    confidence = 0.65
    for mon, day in future_month_days:
        d = temporal._safe_date(published.year, mon, day)
        if d is not None and abs((d - published).days) < 180 and d < published:
            confidence = 0.4  # a date the article says is still to come lies before the inferred one
    return published, "weekday+absolute date", confidence


def _evidence_kind(out: temporal._Out) -> str | None:
    """What a date expression (read without a publication date) tells step 4, or None."""
    if out.type == "DATE" and _FULL_DATE.fullmatch(out.value):
        return "full date"
    if out.rule == "weekday" and out.value.startswith("XXXX-WXX-") and len(out.value) == 10:
        return "weekday"
    if out.rule in ("mdy", "dmy") and out.value.startswith("XXXX-"):
        return "month and day"
    return None


def _evidence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the expressions step 4 can use, found without a parse (the parse only settles tense,
    "May" the verb and years that are amounts, never whether an expression is a full date)."""
    return [
        (out.start, out.end)
        for out in temporal._extract(text, None, "MDY", None)
        if _evidence_kind(out) is not None
    ]


def _date_lines_only(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every line that holds none of ``spans`` blanked to spaces.

    Same length and line breaks, so the parse of it lines up with ``text``. The extraction reads the
    parse only at its expressions (tense, "May" the verb), whose lines are kept whole, and a sentence
    never spans lines in a dump: parsing the lines that hold evidence costs a fraction of the page.
    """
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    keep = [False] * len(line_starts)
    for start, end in spans:
        first = bisect.bisect_right(line_starts, start) - 1
        last = bisect.bisect_right(line_starts, max(end - 1, start)) - 1
        keep[first : last + 1] = [True] * (last - first + 1)
    lines = text.split("\n")
    return "\n".join(line if kept else " " * len(line) for line, kept in zip(lines, keep, strict=True))


def _parse(text: str) -> Doc | None:
    """The shared pipeline's parse (for tense), or None if parsing fails."""
    try:
        from newsdesk.parsing.parse import parse

        return parse(text)
    except Exception:  # without a parse, tense falls back to cue words
        return None


#: Bump when the inference changes what it stores per article.
PUBDATE_CODE_VERSION = "1"


@lru_cache(maxsize=1)
def pubdate_fingerprint() -> str:
    """Cache version of inferred publication dates: code of the inference, stripper and pipeline."""
    from newsdesk.parsing.pipeline import pipeline_fingerprint
    from newsdesk.stripping.corpus import strip_fingerprint

    code = source_digest(
        "newsdesk.extract.pubdate", "newsdesk.extract.timexes", "newsdesk.extract.timex_grammar"
    )
    return f"pubdate-{PUBDATE_CODE_VERSION}-{code}-{strip_fingerprint()}-{pipeline_fingerprint()}"


def pubdate_namespace(version: str | None = None) -> str:
    """The cache namespace of inferred publication dates (``version`` default: this installation's)."""
    return f"pubdate/{version or pubdate_fingerprint()}"
