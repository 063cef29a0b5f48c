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

The article's URL, when given, is evidence too (``/2023/02/18/``, ``/20230918/``): a stated date that
agrees with it is surer (``byline+url``), one that disagrees is flagged (``conflict``) and the URL's
date is used, and the URL's date beats captions and body dates. A weather or "today is" widget's date
is not a header date. An all-numeric date whose day and month can be swapped (``09.04.2024``) is read
in the order the page's other numeric dates prove (``15.04.2024``), else the one that matches the URL
date, else ``date_order`` (the site's or its country's convention, from the caller); otherwise it is
left unread and reported (``ambiguous``), never read month-first by default.
:func:`publication_evidence` returns all of this; :func:`infer_published` the ``(date, source,
confidence)`` triple.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from newsdesk.core.cache import source_digest
from newsdesk.extract import timex_grammar as g
from newsdesk.extract import timexes as temporal
from newsdesk.ingest.urls import url_date

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: Line reasons (from :func:`newsdesk.strip`) whose dates are not evidence about the article.
EXCLUDED_REASONS = frozenset(
    {"related-headlines", "navigation", "read-more", "share-bar", "comment-form", "contact",
     "repeated-across-site", "outside-article"}
)  # fmt: skip
_BYLINE = re.compile(
    r"(?:^|(?<=[|•·])|(?<=\s))\W{0,3}(?:published|updated|posted|last\s+updated|first\s+published|"
    r"publication\s+date|date|released|modified)(?:\s+on)?(?:\s+in\s+[^,\n]{1,60},)?\s*[:|-]?\s*",
    re.IGNORECASE,
)
_BYLINE_WITHIN = 60  # a byline word this far into a short line ("Source: Global Times Published: ...")
_BYLINE_LINE_CHARS = 140
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


_PROSE_WORDS = 12  # a kept unit this long starts the article


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

    article_started = False
    for i, (s, e, reason) in enumerate(rows):
        line = text[s:e].strip()
        if reason == "blank" or not line:
            continue
        words = line.split()
        if not article_started:  # a run above the article is its header (title, byline), not a list
            article_started = reason == "body" and len(words) >= _PROSE_WORDS
            continue
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


_NUMERIC_DATE_RE = re.compile(r"(?<![\w./-])(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d\d|\d\d)(?![\w/-]|[.,]\d)")
#: A date shown by a widget, not a byline: weather, "today is", a clock line.
_WIDGET_RE = re.compile(
    r"°\s?[CF]\b|\b(?:weather|humidity|sunrise|sunset|forecast|today is|today's date)\b", re.I
)
_WIDGET_SPAN = 2  # units around a header date looked at for widget words
#: Day and month orders of all-numeric dates, per country (all others write day first).
MONTH_FIRST_COUNTRIES = frozenset({"US", "PH", "FM", "MH", "PW"})
MIXED_ORDER_COUNTRIES = frozenset({"CA"})


def country_date_order(country: str | None) -> str | None:
    """How a country writes all-numeric dates: ``MDY``, ``DMY``, or None (mixed or unknown)."""
    if not isinstance(country, str) or not country.strip():
        return None
    country = country.strip().upper()
    if country in MIXED_ORDER_COUNTRIES:
        return None
    return "MDY" if country in MONTH_FIRST_COUNTRIES else "DMY"


def numeric_date_order(text: str) -> str | None:
    """The order the text's own all-numeric dates prove (a part over 12: ``15.04.2024`` is DMY).

    Reads the first ``_ORDER_CHARS`` characters: a page's dates sit in its header and first
    paragraphs, and every article of a corpus is read on every run.
    """
    day_first = month_first = 0
    for m in _NUMERIC_DATE_RE.finditer(text, 0, _ORDER_CHARS):
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b >= 1:
            day_first += 1
        elif b > 12 >= a >= 1:
            month_first += 1
    if day_first and not month_first:
        return "DMY"
    if month_first and not day_first:
        return "MDY"
    return None


_ORDER_CHARS = 20_000


def _is_ambiguous(expression: str) -> bool:
    m = _NUMERIC_DATE_RE.fullmatch(expression.strip())
    return bool(m) and int(m.group(1)) <= 12 and int(m.group(3)) <= 12 and m.group(1) != m.group(3)


def _full_dates(
    text: str, order: str | None = "MDY", prefer: dt.date | None = None
) -> list[tuple[int, dt.date]]:
    """(offset, date) of every date in ``text`` that names day, month and year.

    An all-numeric date whose day and month can be swapped is read in ``order``; with no order it is
    read only when one reading is ``prefer`` (the URL's date), else left out.
    """
    found = []
    for out in temporal._extract(text, None, order or "MDY", None):
        # a day, or a time on a day ("Updated 4:12 PM EST, February 13, 2024")
        if (
            out.type in ("DATE", "TIME")
            and _FULL_DATE.fullmatch(out.value[:10])
            and out.value[10:11] in ("", "T")
        ):
            day = dt.date.fromisoformat(out.value[:10])
            if order is None and out.rule == "numeric" and _is_ambiguous(text[out.start : out.end]):
                swapped = temporal._safe_date(day.year, day.day, day.month)
                if prefer is None or prefer not in (day, swapped):
                    continue
                day = prefer
            found.append((out.start, day))
    return found


def _ambiguous_dates(text: str) -> list[str]:
    return [m.group(0) for m in _NUMERIC_DATE_RE.finditer(text) if _is_ambiguous(m.group(0))]


@dataclass(frozen=True)
class DateEvidence:
    """What the text and URL say about the publication date (see :func:`publication_evidence`)."""

    date: dt.date | None
    source: str
    confidence: float
    url_date: dt.date | None = None
    #: the date the text states (byline, dateline, header) and how, when it disagrees with the URL's
    text_date: dt.date | None = None
    text_source: str | None = None
    conflict: bool = False
    #: the first all-numeric date left unread because its day and month could be swapped
    ambiguous: str | None = None


def infer_published(
    text: str, url: str | None = None, date_order: str | None = None
) -> tuple[dt.date | None, str, float]:
    """Infer an article's publication date from its raw text -> ``(date or None, source, confidence)``.

    ``source`` names the evidence used (``byline``, ``dateline``, ``dateline+absolute date``,
    ``header date``, any of these ``+url`` when the URL agrees, ``url``, ``weekday+absolute date``,
    ``caption date``, ``latest absolute date`` or ``none``); ``confidence`` is a rough probability
    that the date is the publication day. ``url`` and ``date_order``: see :func:`publication_evidence`.
    """
    found = publication_evidence(text, url, date_order)
    return found.date, found.source, found.confidence


def publication_evidence(text: str, url: str | None = None, date_order: str | None = None) -> DateEvidence:
    """The publication date with its evidence, URL agreement and any ambiguous numeric date.

    ``url``: the article's address (its path may carry the date). ``date_order`` (``DMY``/``MDY``):
    how the site writes all-numeric dates when the page itself does not prove it (see the module).
    """
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes | bytearray) else str(text or "")
    from_url = url_date(url) if isinstance(url, str) else None
    order = numeric_date_order(text) or (date_order if date_order in ("DMY", "MDY") else None)
    lines = _lines(text) if text.strip() else []
    stated, ambiguous = _stated_date(text, lines, order, from_url)
    if stated is not None:
        day, how, confidence = stated
        if from_url is None:
            return DateEvidence(day, how, confidence, ambiguous=ambiguous)
        if abs((day - from_url).days) <= 1:
            return DateEvidence(day, f"{how}+url", 0.95, from_url, ambiguous=ambiguous)
        return DateEvidence(from_url, "url", 0.7, from_url, day, how, True, ambiguous)
    if from_url is not None:
        return DateEvidence(from_url, "url", 0.85, from_url, ambiguous=ambiguous)
    day, how, confidence = _weak_date(text, lines, order)
    return DateEvidence(day, how, confidence, ambiguous=ambiguous)


def _stated_date(
    text: str, lines: list[tuple[int, int, str]], order: str | None, from_url: dt.date | None
) -> tuple[tuple[dt.date, str, float] | None, str | None]:
    """The date the page states (byline, dateline, header date), and the first ambiguous numeric date.

    A byline counts whatever stripping decided about its line (a "Published April 8, 2024" line is
    often dropped as chrome); datelines and header dates only in lines that are evidence.
    """
    ambiguous = None
    rank = 0
    for s, e, reason in lines:
        if reason == "blank":
            continue
        line = text[s:e]
        evidence = reason not in EXCLUDED_REASONS
        byline = _byline_date(line, order, from_url, late=rank >= _MAX_BYLINE_RANK)
        if (evidence or byline) and order is None and ambiguous is None:
            ambiguous = next(iter(_ambiguous_dates(line[:_AMBIGUITY_CHARS])), None)
        if byline is not None:
            return (byline, "byline", 0.9), ambiguous
        if not evidence:
            continue
        m = _DATELINE.match(line)
        if m:
            mon = g.MONTHS.get((m.group("mon") or "").lower().rstrip("."))
            day = int(m.group("day"))
            if mon and m.group("year"):
                d = temporal._safe_date(int(m.group("year")), mon, day)
                if d is not None:
                    return (d, "dateline", 0.9), ambiguous
        if rank < _MAX_HEADER_LINES and len(line.strip()) <= _MAX_LINE_FOR_HEADER_DATE:
            dates = _full_dates(line, order, from_url)
            words = re.findall(r"[A-Za-z]{3,}", line)
            if dates and len(words) <= 4 and not _widget(text, lines, s):
                return (dates[0][1], "header date", 0.8), ambiguous
        rank += 1
    return None, ambiguous


_MAX_BYLINE_RANK = 40  # evidence units after which only "Published in <outlet>, <date>" counts


def _byline_date(line: str, order: str | None, from_url: dt.date | None, *, late: bool) -> dt.date | None:
    """The date right after a byline word ("Published: 18 Aug 2025", "Source: X Updated 4:12 PM, ...")."""
    short = len(line) <= _BYLINE_LINE_CHARS
    m = _BYLINE.search(line, 0, _BYLINE_WITHIN) if short else _BYLINE.match(line)
    if m is None or (late and not re.match(r"\W{0,3}published\s+in\s", line[m.start() :], re.I)):
        return None
    dates = _full_dates(line[m.end() :], order, from_url)
    return dates[0][1] if dates and dates[0][0] <= 3 else None


_AMBIGUITY_CHARS = 300


def _widget(text: str, lines: list[tuple[int, int, str]], start: int) -> bool:
    """Whether the unit starting at ``start`` sits in a weather or "today is" widget (the units around
    it are read whatever stripping decided: a widget is chrome)."""
    units = [(s, e) for s, e, r in lines if r != "blank"]
    at = bisect.bisect_left([s for s, _ in units], start)
    nearby = units[max(at - _WIDGET_SPAN, 0) : at + _WIDGET_SPAN + 1]
    return any(_WIDGET_RE.search(text[s:e][:200]) for s, e in nearby)


def _weak_date(
    text: str, lines: list[tuple[int, int, str]], order: str | None
) -> tuple[dt.date | None, str, float]:
    """Step 4: the latest full date of captions and the body, moved to the latest past weekday."""
    if not any(r not in EXCLUDED_REASONS and r != "blank" for _, _, r in lines):
        return None, "none", 0.0
    dateline_md: tuple[int, int] | None = None
    for s, e, r in lines:
        if r in EXCLUDED_REASONS or r == "blank":
            continue
        m = _DATELINE.match(text[s:e])
        if m and not m.group("year"):
            mon = g.MONTHS.get((m.group("mon") or "").lower().rstrip("."))
            if mon:
                dateline_md = (mon, int(m.group("day")))
                break
    # 4: full dates in captions and the body, then weekdays
    starts = [s for s, _, _ in lines]
    reasons = [r for _, _, r in lines]

    def reason_at(offset: int) -> str:
        return reasons[max(bisect.bisect_right(starts, offset) - 1, 0)]

    doc = _parse(_date_lines_only(text, _evidence_spans(text)))
    ctx = temporal._Ctx(text, None, order or "MDY", doc)
    outs = temporal._extract(text, None, order or "MDY", doc)
    caption: list[dt.date] = []
    body: list[dt.date] = []
    past_weekdays: list[int] = []
    future_month_days: list[tuple[int, int]] = []
    for out in outs:
        kind = _evidence_kind(out)
        reason = reason_at(out.start)
        if kind is None or reason in EXCLUDED_REASONS:
            continue
        if order is None and out.rule == "numeric" and _is_ambiguous(text[out.start : out.end]):
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


#: A line longer than this (a one-blob dump) keeps only a window of EVIDENCE_WINDOW characters on
#: each side of its date expressions for the parse, so the parse never grows with the page.
LONG_LINE_CHARS = 2_000
EVIDENCE_WINDOW = 400
#: At most this many characters are kept for the parse; expressions beyond are read without one
#: (tense from cue words), so a page with thousands of dates costs no more than one with a few.
PARSE_BUDGET_CHARS = 40_000


def _date_lines_only(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every line that holds none of ``spans`` blanked to spaces.

    Same length and line breaks, so the parse of it lines up with ``text``. The extraction reads the
    parse only at its expressions (tense, "May" the verb), whose lines are kept whole, and a sentence
    never spans lines in a dump: parsing the lines that hold evidence costs a fraction of the page.
    In a line of over LONG_LINE_CHARS only EVIDENCE_WINDOW characters around each expression stay,
    and lines or windows stop being kept once PARSE_BUDGET_CHARS characters are.
    """
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    kept: list[tuple[int, int]] = []
    budget = PARSE_BUDGET_CHARS
    for start, end in sorted(spans):
        if budget <= 0:
            break
        first = bisect.bisect_right(line_starts, start) - 1
        last = bisect.bisect_right(line_starts, max(end - 1, start)) - 1
        line_start = line_starts[first]
        line_end = line_starts[last + 1] - 1 if last + 1 < len(line_starts) else len(text)
        if line_end - line_start <= LONG_LINE_CHARS:
            left, right = line_start, line_end
        else:
            left, right = max(line_start, start - EVIDENCE_WINDOW), min(line_end, end + EVIDENCE_WINDOW)
            space = text.rfind(" ", max(left - 50, line_start), left)  # start and end on a word's edge
            left = space + 1 if space >= 0 else left
            space = text.find(" ", right, min(right + 50, line_end))
            right = space if space >= 0 else right
        if kept and left < kept[-1][1]:  # overlapping the window before: count the new part only
            budget -= max(right - kept[-1][1], 0)
        else:
            budget -= right - left
        kept.append((left, right))
    out: list[str] = []
    position = 0
    for left, right in sorted(kept):
        if right <= position:
            continue
        left = max(left, position)
        out += [_NOT_NEWLINE_RE.sub(" ", text[position:left]), text[left:right]]
        position = right
    out.append(_NOT_NEWLINE_RE.sub(" ", text[position:]))
    return "".join(out)


_NOT_NEWLINE_RE = re.compile(r"[^\n]")


def _parse(text: str) -> Doc | None:
    """The shared pipeline's parse (for tense), or None if parsing fails."""
    try:
        from newsdesk.parsing.parse import parse

        return parse(text)
    except Exception:  # without a parse, tense falls back to cue words
        return None


#: Bump when the inference changes what it stores per article.
PUBDATE_CODE_VERSION = "2"


@lru_cache(maxsize=1)
def pubdate_fingerprint() -> str:
    """Cache version of inferred publication dates: code of the inference, stripper and pipeline."""
    from newsdesk.parsing.pipeline import pipeline_fingerprint
    from newsdesk.stripping.corpus import strip_fingerprint

    code = source_digest(
        "newsdesk.extract.pubdate",
        "newsdesk.extract.timexes",
        "newsdesk.extract.timex_grammar",
        "newsdesk.ingest.urls",
    )
    return f"pubdate-{PUBDATE_CODE_VERSION}-{code}-{strip_fingerprint()}-{pipeline_fingerprint()}"


def pubdate_namespace(version: str | None = None) -> str:
    """The cache namespace of inferred publication dates (``version`` default: this installation's)."""
    return f"pubdate/{version or pubdate_fingerprint()}"
