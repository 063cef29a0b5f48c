"""Temporal expressions: find dates, times, durations and sets in news text and normalise them.

``timexes(text, published=...)`` returns one row per TIMEX3 expression with TimeML's ``type`` and
``value`` (``2025-03-31``, ``2025-W14``, ``2025-Q1``, ``P3D``, ``XXXX-WXX-1``, ``PAST_REF``...). The
rules loosely follow HeidelTime (Strötgen & Gertz, 2013): a grammar of regular expressions over the
text (:mod:`newsdesk.extract.timex_grammar`, compiled once) proposes spans; overlapping proposals are
settled leftmost-longest; each kept span is then normalised in reading order against

* the publication date, for deictic expressions ("yesterday", "last week", "three days ago");
* the tense of the governing verb in the spaCy parse, for weekdays, months and dates without a
  year ("confirmed on Friday" -> the Friday on or before publication, "will meet on Friday" -> the
  one on or after it);
* the last date mentioned, for anaphoric ones ("a year earlier" after "the third quarter" is the
  third quarter of the year before, "the same day", "the following week").

Without a publication date relative values stay underspecified (``XXXX-03-31``, ``XXXX-WXX-5``) or
unresolved (``XXXX``) rather than guessed. Nothing here raises on odd input text.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsdesk.extract import timex_grammar as g
from newsdesk.extract.registry import schema

if TYPE_CHECKING:
    import pandas as pd
    from spacy.tokens import Doc, Token

#: Columns of the frame :func:`timexes` returns.
SCHEMA = schema(
    start="int", end="int", text="str", type="str", value="str", granularity="str", anchor="str", mod="str",
    rule="str",
)
COLUMNS: tuple[str, ...] = tuple(SCHEMA.names)
DATE_ORDERS = ("MDY", "DMY", "YMD")
#: Granularity order, finest first (used to decide what a shift can keep).
_GRAIN = {"time": 0, "day": 1, "week": 2, "month": 3, "quarter": 4, "year": 5, "decade": 6, "century": 7}
_UNIT_GRAIN = {"S": "time", "M": "month", "H": "time", "D": "day", "W": "week", "WE": "week", "Q": "quarter",
               "Y": "year", "DE": "decade", "CE": "century", "ML": "century"}  # fmt: skip
_MODS = {
    "about": "APPROX", "around": "APPROX", "roughly": "APPROX", "approximately": "APPROX", "some": "APPROX",
    "nearly": "LESS_THAN", "almost": "LESS_THAN", "under": "LESS_THAN", "less than": "LESS_THAN",
    "fewer than": "LESS_THAN", "over": "MORE_THAN", "more than": "MORE_THAN", "well over": "MORE_THAN",
    "upwards of": "MORE_THAN", "at least": "EQUAL_OR_MORE", "at most": "EQUAL_OR_LESS",
    "no more than": "EQUAL_OR_LESS", "up to": "EQUAL_OR_LESS", "within": "EQUAL_OR_LESS",
    "early": "START", "late": "END", "mid": "MID", "middle": "MID", "the end of": "END",
    "the beginning of": "START", "the start of": "START", "the middle of": "MID",
}  # fmt: skip
_PAST_SET = frozenset({"last", "past", "previous", "prior", "preceding", "this past"})
_NEXT_SET = frozenset({"next", "coming", "following", "this coming"})
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "’ll", "wo", "would", "'d", "gonna"})
_PLAN_VERBS = frozenset({"schedule", "expect", "plan", "due", "set", "slate", "intend", "aim", "prepare",
                         "hope", "want", "seek", "promise", "vow", "pledge", "propose", "go", "agree",
                         "decide", "threaten", "invite", "ask", "urge"})  # fmt: skip
#: Verbs that put what they govern in the future whatever their own tense ("has scheduled ... Thursday").
_PLAN_STRONG = frozenset({"schedule", "plan", "slate", "due", "postpone", "reschedule", "delay"})
_ENDED = re.compile(r"\s+(?:ended|ending|that\s+ended|which\s+ended|through)\b", re.IGNORECASE)
_ENDED_DATE = re.compile(
    r"\s+(?:that\s+|which\s+)?(?:ended|ending|ends|through)\s+([A-Z][a-z]{2,8}\.?)\s+(\d{1,2})(?:,\s*(\d{4}))?"
)
_ENDED_BEFORE = re.compile(r"\b(?:ended|ending|through)\s+$", re.IGNORECASE)
_LEAD_DROP = re.compile(r"(earlier|later|within|only|just|as\s+long\s+as)\s+(?=\S)", re.IGNORECASE)
_THE = re.compile(r"the\s+", re.IGNORECASE)
_RATE_CUE = re.compile(
    r"(?:\d|%|percent|per\s?cent|times|once|twice|thrice|million|billion|trillion|dollars?|cents?|yen|"
    r"pounds?|euros?|marks|francs|barrels|tons|units|shares|points)\W{0,3}$",
    re.IGNORECASE,
)
#: A month-day this close to publication is read in the nearest year whatever the tense says.
_NEAR_DAYS = 60
_NEAR_MONTHS = 2
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to|through|thru|until|till|and|or)\s*", re.IGNORECASE)
_MAY_CUE = re.compile(
    r"(?:\b(?:in|since|until|till|by|from|through|during|of|before|after|to|early|late|mid|last|next|this"
    r"|and|or|between|for|on|end|beginning|start|throughout)|[-,(])\s*$",
    re.IGNORECASE,
)
#: "since their February meeting": whatever the verb, the date lies before publication.
_SENT_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*|[\"“‘(]\s*)$")
_MODAL_BEFORE = re.compile(r"\b(?:will|would|could|may|might|shall|'ll|’ll)\s+$", re.IGNORECASE)
_UNTIL = re.compile(
    r"\b(?:until|till|through|as\s+soon\s+as|as\s+early\s+as|no\s+later\s+than|effective|ahead\s+of"
    r"|in\s+time\s+for)\s+(?:next\s+|the\s+)?$",
    re.IGNORECASE,
)
_SINCE = re.compile(r"\bsince\s+(?:(?:the|their|his|her|its|our|this|last)\s+)?$", re.IGNORECASE)
_PAST_WORDS = re.compile(
    r"\b(?:said|was|were|had|did|told|announced|confirmed|met|held|made|took|went|came|\w{3,}ed)\b",
    re.IGNORECASE,
)
_FUTURE_WORDS = re.compile(
    r"\b(?:will|shall|would|'ll|’ll|going to|scheduled|expected|plans? to|due to|set to)\b", re.IGNORECASE
)


@dataclass(slots=True)
class _Hit:
    """One span a grammar rule proposed."""

    start: int
    end: int
    rule: str
    prio: int
    m: re.Match[str]

    def g(self, name: str) -> str | None:
        """A named group's text (None when the group did not take part)."""
        try:
            return self.m.group(name)
        except IndexError:
            return None

    def low(self, name: str) -> str:
        """A named group's text in lower case with gaps collapsed ("" when absent)."""
        value = self.g(name)
        return " ".join(value.lower().split()) if value else ""


@dataclass(slots=True)
class _Out:
    """A normalised expression."""

    start: int
    end: int
    type: str
    value: str
    granularity: str
    anchor: dt.date | None = None
    mod: str | None = None
    rule: str = ""
    date: dt.date | None = None  # first day of the value, when it names one period (for references)
    relative_to_ref: bool = False


class _Ctx:
    """Per-document state: publication date, parse, and the dates mentioned so far."""

    def __init__(self, text: str, dct: dt.date | None, order: str, doc: Doc | None) -> None:
        self.text = text
        self.dct = dct
        self.order = order
        self.doc = doc if doc is not None and len(doc) and doc.to_array("DEP").any() else None
        self._starts: list[int] | None = None
        self.ref: _Out | None = None  # last date resolved against the publication date or absolute
        self.ref_q: tuple[int, int] | None = None  # last quarter mentioned (year, quarter)
        self.prev: _Out | None = None  # previous output (ranges)
        self.year_hint: dict[int, int] = {}  # hit start -> year borrowed from a range partner
        self.tense_hint: dict[int, str | None] = {}

    # ---------------------------------------------------------------- parse access
    def token(self, char: int) -> Token | None:
        """The token covering character ``char`` (None without a parse)."""
        if self.doc is None or not len(self.doc):
            return None
        if self._starts is None:
            self._starts = self.doc.to_array("IDX").tolist()
        i = bisect.bisect_right(self._starts, char) - 1
        return self.doc[max(i, 0)]

    def tense(self, start: int, end: int) -> str | None:
        """``past``, ``future``, ``present`` or None for the clause governing the span."""
        if start in self.tense_hint:
            return self.tense_hint[start]
        if _SINCE.search(self.before(start, 30)):
            return "past"
        if _UNTIL.search(self.before(start, 30)):
            return "future"
        if self.doc is None:
            return self._tense_from_text(start)
        tok = self.token(start)
        if tok is None:
            return None
        # The syntactic head of the span: climb while the head stays inside it.
        while tok.head.i != tok.i and start <= tok.head.idx < end:
            tok = tok.head
        via_infinitive = False
        for _ in range(8):
            if tok.tag_.startswith("VB") or tok.tag_ == "MD":
                if tok.lemma_ in _PLAN_STRONG and not (tok.tag_ == "VBN" and tok.dep_ == "acl"):
                    had = any(
                        ch.lower_ in ("had", "'d") for ch in tok.children if ch.dep_ in ("aux", "auxpass")
                    )
                    return "past" if had else "future"
                tense, infinitive = _verb_tense(tok)
                if tense == "present" and via_infinitive:
                    return "future"
                if tense is not None:
                    return tense
                via_infinitive = via_infinitive or infinitive
            if tok.head.i == tok.i:
                break
            tok = tok.head
        return "future" if via_infinitive else None

    def _tense_from_text(self, start: int) -> str | None:
        """Without a parse: look for future or past cues earlier in the sentence."""
        left = self.text[max(0, start - 160) : start]
        cut = max(left.rfind(". "), left.rfind("\n"), left.rfind("? "), left.rfind("! "))
        left = left[cut + 1 :]
        if _FUTURE_WORDS.search(left):
            return "future"
        if _PAST_WORDS.search(left):
            return "past"
        return None

    def before(self, start: int, width: int = 40) -> str:
        """Text just before a span."""
        return self.text[max(0, start - width) : start]

    def after(self, end: int, width: int = 40) -> str:
        """Text just after a span."""
        return self.text[end : end + width]


def _verb_tense(v: Token) -> tuple[str | None, bool]:
    """Tense of one verb from its tag and auxiliaries -> (tense or None, is a to-infinitive)."""
    infinitive = False
    for child in v.children:
        if child.dep_ not in ("aux", "auxpass"):
            continue
        low = child.lower_
        if low in _FUTURE_AUX:
            return "future", False
        if low == "going" and v.tag_ == "VB":
            return "future", False
        if low == "to":
            infinitive = True
            continue
        if child.tag_ == "VBD" or low in ("had", "did", "was", "were"):
            return "past", False
        if low in ("has", "have", "'ve", "’ve"):
            return "past", False
        if child.tag_ == "MD":
            return (None if low in ("could", "might", "may", "must", "should", "can") else "future"), False
        if low in ("is", "are", "am", "'s", "'re") and v.tag_ == "VBG":
            return "future", False
        if low in ("is", "are", "'s", "'re") and v.lemma_ in _PLAN_VERBS:
            return "future", False
    if infinitive:
        return None, True
    tag = v.tag_
    if tag == "VBD":
        return "past", False
    if tag == "VBN":
        return ("future" if v.lemma_ in _PLAN_VERBS else "past"), False
    if tag == "MD":
        return ("past" if v.lower_ in ("could",) else "future"), False
    if tag in ("VBZ", "VBP"):
        return "present", False
    return None, False


# ---------------------------------------------------------------- date arithmetic
def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m0 = divmod(d.month - 1 + n, 12)
    y += d.year
    y = min(max(y, 1), 9999)
    return dt.date(y, m0 + 1, min(d.day, calendar.monthrange(y, m0 + 1)[1]))


def _shift(d: dt.date, unit: str, n: int) -> dt.date:
    """``d`` moved by ``n`` units (day, week, month, quarter, year, decade, century)."""
    try:
        if unit == "day":
            return d + dt.timedelta(days=n)
        if unit == "week":
            return d + dt.timedelta(weeks=n)
        months = {"month": 1, "quarter": 3, "year": 12, "decade": 120, "century": 1200}.get(unit)
        if months is None:
            return d
        return _add_months(d, n * months)
    except (OverflowError, ValueError):
        return d


def _week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _quarter(d: dt.date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def _quarter_start(y: int, q: int) -> dt.date:
    return dt.date(min(max(y, 1), 9999), 3 * (q - 1) + 1, 1)


def _value(gran: str, d: dt.date) -> str:
    """The TIMEX3 value naming the period of granularity ``gran`` that contains ``d``."""
    if gran == "day":
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if gran == "week":
        return _week(d)
    if gran == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if gran == "quarter":
        y, q = _quarter(d)
        return f"{y:04d}-Q{q}"
    if gran == "decade":
        return f"{d.year // 10:03d}X"
    if gran == "century":
        return f"{d.year // 100:02d}"
    return f"{d.year:04d}"


def _period_start(gran: str, d: dt.date) -> dt.date:
    if gran == "week":
        return d - dt.timedelta(days=d.weekday())
    if gran == "month":
        return d.replace(day=1)
    if gran == "quarter":
        return _quarter_start(*_quarter(d))
    if gran == "year":
        return dt.date(d.year, 1, 1)
    return d


_UNRESOLVED = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX",
               "year": "XXXX", "decade": "XXXX", "century": "XX"}  # fmt: skip


def _two_digit_year(yy: int, dct: dt.date | None) -> int:
    """'98 -> 1998, '25 -> 2025: the century that puts the year nearest the publication year."""
    if dct is None:
        return 1900 + yy if yy >= 69 else 2000 + yy
    base = dct.year - dct.year % 100
    candidates = [base - 100 + yy, base + yy, base + 100 + yy]
    return min(candidates, key=lambda y: (abs(y - dct.year) if y <= dct.year + 20 else 10_000, -y))


def _easter(y: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g_ = (b - f + 1) // 3
    h = (19 * a + b - d - g_ + 15) % 30
    i, k = c // 4, c % 4
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month = (h + ll - 7 * m + 114) // 31
    day = (h + ll - 7 * m + 114) % 31 + 1
    return dt.date(y, month, day)


def _holiday(name: str, y: int) -> dt.date | None:
    spec = g.HOLIDAYS.get(name)
    if spec is None:
        return None
    if isinstance(spec, tuple):
        return _safe_date(y, *spec)
    if spec in ("easter", "good friday"):
        return _easter(y) - dt.timedelta(days=2 if spec == "good friday" else 0)
    if spec == "thanksgiving":
        first = dt.date(y, 11, 1)
        return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
    if spec == "labor day":
        first = dt.date(y, 9, 1)
        return first + dt.timedelta(days=(0 - first.weekday()) % 7)
    if spec == "memorial day":
        last = dt.date(y, 5, 31)
        return last - dt.timedelta(days=last.weekday())
    return None


def _number(text: str) -> float | None:
    """A count written in digits or words -> its value; None for vague amounts ("several")."""
    t = " ".join(text.lower().replace("-", " ").split())
    if not t:
        return None
    half = 0.0
    for suffix in (" and a half", "½", " 1/2"):
        if t.endswith(suffix):
            t, half = t[: -len(suffix)].strip(), 0.5
    if t in ("half a", "half an", "a half", "an half"):
        return 0.5
    if t in ("a couple of", "a couple", "couple of"):
        return 2 + half
    if t in ("a dozen",):
        return 12
    if t in ("a hundred",):
        return 100
    if t in ("a thousand",):
        return 1000
    try:
        return float(t.replace(",", "")) + half
    except ValueError:
        pass
    total = 0.0
    words = t.split()
    scale = 1
    if words and words[-1] in ("hundred", "thousand"):
        scale = 100 if words[-1] == "hundred" else 1000
        words = words[:-1]
    for w in words:
        if w in g.TENS:
            total += g.TENS[w]
        elif w in g.SMALL_NUMBERS:
            total += g.SMALL_NUMBERS[w]
        else:
            return None
    return (total or (1 if scale > 1 else 0)) * scale + half


def _duration_value(n: float | None, code: str, clock: bool) -> str:
    """P3D, PT5H30M, P2Y6M, PXY ... (quarters in months, decades and centuries in years, as TimeBank does)."""
    if code == "Q":
        code, n = "M", None if n is None else n * 3
    if n is None:
        return f"PTX{code}" if clock else f"PX{code}"
    if code == "DE":
        n, code = n * 10, "Y"
    elif code in ("CE", "ML"):
        n, code = n * (100 if code == "CE" else 1000), "Y"
    elif code == "WE":
        return f"P{_num_text(n)}WE"
    whole = math.floor(n)
    frac = n - whole
    lower = {("Y", False): ("M", 12), ("M", False): ("D", 30), ("W", False): ("D", 7),
             ("D", False): ("H", 24), ("H", True): ("M", 60), ("M", True): ("S", 60),
             ("Q", False): ("M", 3)}  # fmt: skip
    if frac and (code, clock) in lower:
        sub, k = lower[(code, clock)]
        rest = frac * k
        if abs(rest - round(rest)) < 1e-6:
            head = f"{whole}{code}" if whole else ""
            if clock or sub == "H":
                prefix = "PT" if clock or sub == "H" else "P"
                if sub == "H" and not clock:
                    return f"P{head}T{round(rest)}H" if head else f"PT{round(rest)}H"
                return f"{prefix}{head}{round(rest)}{sub}"
            return f"P{head}{round(rest)}{sub}"
    return f"{'PT' if clock else 'P'}{_num_text(n)}{code}"


def _num_text(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


# ---------------------------------------------------------------- the tagger
def _parse_published(published: Any) -> dt.date | None:
    """date, datetime, pandas Timestamp or ISO string -> date; None, NaN, NaT or "" -> None."""
    if published is None:
        return None
    if isinstance(published, dt.datetime):
        return published.date()
    if isinstance(published, dt.date):
        return published
    if isinstance(published, float) and math.isnan(published):
        return None
    if type(published).__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(published, str):
        s = published.strip()
        if not s:
            return None
        try:
            return dt.date.fromisoformat(s[:10])
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).date()
        except ValueError:
            raise ValueError(f"published must be a date or an ISO date string, got {published!r}") from None
    if hasattr(published, "date") and callable(published.date):
        return _parse_published(published.date())
    raise ValueError(f"published must be a date, datetime or ISO string, got {type(published).__name__}")


def _grammar_hits(text: str) -> Iterator[_Hit]:
    """Every match of every grammar rule in ``text``, before any check."""
    if not g.HINT.search(text):
        return
    # Rules scan paragraph by paragraph (no match crosses a blank line), each only where its gate
    # strings occur; the scan sees the whole text around a paragraph (lookbehinds at its start).
    bounds = [0, *(m.end() for m in g.PARAGRAPH_BREAK.finditer(text)), len(text)]
    paragraphs = [(s, e, text[s:e].lower()) for s, e in itertools.pairwise(bounds) if e > s]
    for name, rx, prio in g.RULES:
        gate = g.GATES.get(name)
        for start, end, low in paragraphs:
            if gate is not None and not any(word in low for word in gate):
                continue
            for m in rx.finditer(text, start, end):
                s, e = m.span()
                if e > s:
                    yield _Hit(s, e, name, prio, m)


def _candidates(c: _Ctx) -> list[_Hit]:
    """All grammar matches, validated, then settled leftmost-longest."""
    hits = [hit for hit in _grammar_hits(c.text) if _valid(c, hit)]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.prio))
    chosen: list[_Hit] = []
    last_end = -1
    for h in hits:
        if h.start >= last_end:
            chosen.append(h)
            last_end = h.end
    return chosen


def _valid(c: _Ctx, h: _Hit) -> bool:
    """Cheap checks that turn a match down before overlaps are settled."""
    rule = h.rule
    if rule == "month":
        mon = h.g("mon") or ""
        ambiguous = not (h.g("rel") or h.g("pre")) and mon.lower() in ("may", "march")
        if ambiguous and (mon.isupper() or not _MAY_CUE.search(c.before(h.start, 20))):
            return False  # "May" the verb, "march" the noun
        tok = c.token(h.m.start("mon"))
        if tok is not None and tok.tag_ in ("MD", "VB", "VBP"):
            return False
        nxt = c.after(h.end, 20)
        if re.match(r"[ \t]+(?-i:[A-Z][a-z]+)", nxt) and not _MAY_CUE.search(c.before(h.start, 20)):
            word = nxt.split()[0].lower().strip(".,")
            return word in g.WEEKDAYS or word in g.MONTHS  # "June Carter": a name
        return True
    if rule == "year":
        if h.g("fiscal") or h.g("pre") or h.g("period"):
            return True
        before = c.before(h.m.start("year"), 12)
        if re.search(
            r"(?:[#№]|\bNo\.?|\bnumber|\bflight|\broute|\bpage|\bp\.|\bpp\.|\bat)\s*$", before, re.I
        ):
            return False
        tok = c.token(h.m.start("year"))
        if tok is not None:
            if tok.ent_type_ in ("MONEY", "PERCENT", "QUANTITY"):
                return False
            if tok.dep_ in ("nummod", "quantmod") and tok.head.i > tok.i and tok.ent_type_ != "DATE":
                return tok.head.tag_ != "NNS"
        return True
    if rule == "quarter":
        if h.m.group(0).lower().endswith("period"):
            return bool(
                re.search(
                    r"latest|year-ago|year-earlier|comparable|corresponding|same|recent|year before",
                    h.m.group(0),
                    re.IGNORECASE,
                )
            )
        return True
    if rule == "duration":
        num = h.low("num")
        unit = h.low("unit")
        if num in ("a", "an", "one") and unit.startswith("sec") and not h.g("post"):
            return False
        if num in ("some", "many", "few") and not (h.g("the") or h.g("dir") or h.g("q") or h.g("post")):
            return unit in ("years", "months", "weeks", "days", "decades", "hours")
        if h.g("adjform") == "-old" or h.low("post") == "old":
            return False
        # "a quarter of the vote": a fraction
        return not (unit.startswith("quarter") and re.match(r"\s+of\b", c.after(h.end, 6)))
    if rule == "vague":
        return bool(h.g("ctx") or h.g("lead") or h.g("post"))
    if rule == "set":
        if h.low("freq") == "quarterly" and re.match(r"[ \t]+[a-z]", c.after(h.end, 3)):
            return False  # "its quarterly dividend": an adjective, not a recurrence
        # "miles per hour": a speed
        return not (h.low("each") == "per" and h.low("unit").startswith(("hour", "sec", "min")))
    if rule == "half":
        return bool(h.g("qy") or h.g("qrel") or h.g("ofy") or h.g("qy2") or h.g("the"))
    if rule == "deictic":
        word = h.low("word")
        if word == "current":
            nxt = c.after(h.end, 25).lower()
            if re.match(
                r"\s+(?:account|affairs|events|issue|edition|prices?|dollars?|law|rules?|events|"
                r"population|members?|form|state|model|version|generation|crisis|conflict)\b",
                nxt,
            ):
                return False
        return True
    return True


def _resolve(c: _Ctx, h: _Hit) -> _Out | None:
    handler = _HANDLERS.get(h.rule)
    if handler is None:
        return None
    try:
        out = handler(c, h)
    except (ValueError, OverflowError, KeyError, IndexError):
        return None
    if out is not None and out.start == h.start:
        _trim_front(c, h, out)
    return out


def _trim_front(c: _Ctx, h: _Hit, out: _Out) -> None:
    """TimeBank span conventions: what a leading word belongs to.

    "the" stays with "the third quarter" or "the past three years" but not with an adjective ("the
    third-quarter loss", "the 1996 bombing", "the year-ago results"); "earlier"/"later" and
    prepositional modifiers ("within", "only") are left out.
    """
    span = c.text[out.start : out.end]
    m = _LEAD_DROP.match(span)
    if m:
        out.start += m.end()
        if m.group(1).lower() in ("within", "only", "just"):
            out.mod = None
        span = c.text[out.start : out.end]
    m = _THE.match(span)
    if not m:
        return
    rest = span[m.end() :]
    drop = False
    if h.rule == "year":
        drop = not (h.g("period") or h.low("fiscal") == "the year")
    elif h.rule in ("quarter", "duration", "decade"):
        drop = bool(re.search(r"\w-(?:quarter|[a-z]+)$", rest)) and not rest.lower().endswith("-old")
    elif h.rule == "vague":
        drop = not h.g("lead")
    elif h.rule == "yearago":
        drop = not h.g("period")
    if drop:
        out.start += m.end()


def _range_prepass(c: _Ctx, hits: list[_Hit]) -> None:
    """Dates joined as a range share a year ("March 31 to April 2, 2025") and a tense."""
    for a, b in itertools.pairwise(hits):
        if b.start - a.end > 12 or not _RANGE_JOIN.fullmatch(c.text[a.end : b.start]):
            continue
        if a.rule in ("mdy", "dmy") and b.rule in ("mdy", "dmy"):
            ya, yb = _explicit_year(c, a), _explicit_year(c, b)
            ma, mb = g.MONTHS.get(_mon_key(a.g("mon"))), g.MONTHS.get(_mon_key(b.g("mon")))
            if ya and not yb and ma and mb:
                c.year_hint[b.start] = ya + (1 if mb < ma else 0)
            elif yb and not ya and ma and mb:
                c.year_hint[a.start] = yb - (1 if ma > mb else 0)
        if a.rule == b.rule and a.rule in ("weekday", "mdy", "dmy", "month"):
            c.tense_hint[b.start] = c.tense(a.start, a.end)


def _extract(text: str, dct: dt.date | None, order: str, doc: Doc | None) -> list[_Out]:
    c = _Ctx(text, dct, order, doc)
    hits = _candidates(c)
    _range_prepass(c, hits)
    outs: list[_Out] = []
    for h in hits:
        out = _resolve(c, h)
        if out is None:
            continue
        if outs and out.start < outs[-1].end:
            continue
        if (
            h.rule == "relunit"
            and outs
            and outs[-1].rule in ("month", "mdy", "dmy")
            and re.fullmatch(r"\s*,?\s*", c.text[outs[-1].end : out.start])
        ):
            continue  # "in March this year": the year is folded into the month's value
        outs.append(out)
        c.prev = out
        if out.type in ("DATE", "TIME") and out.date is not None and not out.relative_to_ref:
            if _ENDED_BEFORE.search(c.before(out.start, 20)):
                continue  # "the quarter ended June 30": an end point, not the period talked about
            if out.granularity == "quarter" and out.value[5:6] == "Q":
                if c.dct is not None and not -450 <= (out.date - c.dct).days <= 100:
                    continue  # an old quarter: comparisons still refer to the current reporting period
                c.ref_q = _quarter(out.date)
            c.ref = out
    return _merge_anchored(c, outs)


def _merge_anchored(c: _Ctx, outs: list[_Out]) -> list[_Out]:
    """ "a year after February 29, 2024": a duration before/after an explicit date is one DATE."""
    merged: list[_Out] = []
    i = 0
    while i < len(outs):
        a = outs[i]
        b = outs[i + 1] if i + 1 < len(outs) else None
        if (
            b is not None
            and a.type == "DURATION"
            and a.rule == "duration"
            and b.type == "DATE"
            and b.date is not None
            and b.rule in ("mdy", "dmy", "iso", "numeric", "month_year", "year")
        ):
            m = re.fullmatch(
                r"\s+(after|before|from|later\s+than|earlier\s+than)\s+", c.text[a.end : b.start]
            )
            parsed = re.fullmatch(r"P(\d+)(D|W|M|Y)", a.value)
            if re.search(r"trading|business|working|school", c.text[a.start : a.end], re.IGNORECASE):
                parsed = None  # "five business days after May 2": not calendar arithmetic
            if m and parsed:
                n = int(parsed.group(1)) * (1 if m.group(1) in ("after", "from", "later than") else -1)
                unit = {"D": "day", "W": "week", "M": "month", "Y": "year"}[parsed.group(2)]
                d = _shift(b.date, unit, n)
                gran = b.granularity if _GRAIN[b.granularity] <= _GRAIN[unit] else unit
                merged.append(
                    _Out(a.start, b.end, "DATE", _value(gran, d), gran, b.date, None, "anchored", d)
                )
                i += 2
                continue
        merged.append(a)
        i += 1
    return merged


# ---------------------------------------------------------------- helpers for handlers
def _mon_key(mon: str | None) -> str:
    return (mon or "").lower().rstrip(".")


def _explicit_year(c: _Ctx, h: _Hit) -> int | None:
    for name in ("year", "year2"):
        y = h.g(name)
        if y:
            return int(y)
        yy = h.g(f"{name}_yy")
        if yy:
            return _two_digit_year(int(yy), c.dct)
    return None


def _premod(h: _Hit) -> str | None:
    pre = h.low("pre") if "pre" in h.m.re.groupindex else ""
    if pre in ("earlier", "later"):
        return None
    if pre:
        return _MODS.get(pre)
    full = h.m.group(0).lower()
    for phrase in ("the end of", "the beginning of", "the start of", "the middle of"):
        if full.startswith(phrase):
            return _MODS[phrase]
    return None


def _pick_date(c: _Ctx, options: list[dt.date], tense: str | None) -> dt.date:
    """Choose a candidate date: the nearest to publication, or by tense when all are far.

    Past: the latest on or before publication; future: the first on or after it.
    """
    dct = c.dct
    assert dct is not None
    slack = dt.timedelta(days=1)
    nearest = min(options, key=lambda d: (abs((d - dct).days), d > dct))
    if abs((nearest - dct).days) <= _NEAR_DAYS:
        return nearest
    if tense == "past":
        past = [d for d in options if d <= dct + slack]
        if past:
            return max(past)
    elif tense == "future":
        fut = [d for d in options if d >= dct - slack]
        if fut:
            return min(fut)
    return min(options, key=lambda d: (abs((d - dct).days), d > dct))


def _month_day(c: _Ctx, h: _Hit, mon: int, dd: int, year: int | None) -> _Out | None:
    if year is None:
        year = c.year_hint.get(h.start)
    if year is not None:
        d = _safe_date(year, mon, dd)
        if d is None:
            return None
        return _Out(h.start, h.end, "DATE", _value("day", d), "day", None, _premod(h), h.rule, d)
    if c.dct is None:
        if dd > calendar.monthrange(2024, mon)[1]:
            return None
        return _Out(h.start, h.end, "DATE", f"XXXX-{mon:02d}-{dd:02d}", "day", None, _premod(h), h.rule)
    follow = re.match(r"\s*,?\s+(this|last|next)\s+year\b", c.after(h.end, 20), re.IGNORECASE)
    if follow:
        d = _safe_date(c.dct.year + {"this": 0, "last": -1, "next": 1}[follow.group(1).lower()], mon, dd)
        if d is not None:
            return _Out(h.start, h.end, "DATE", _value("day", d), "day", c.dct, _premod(h), h.rule, d)
    options = [d for y in (c.dct.year - 1, c.dct.year, c.dct.year + 1) if (d := _safe_date(y, mon, dd))]
    if not options:
        return None
    wd = h.low("wd").rstrip(".") if "wd" in h.m.re.groupindex else ""
    if wd and g.WEEKDAYS.get(wd):
        same = [d for d in options if d.isoweekday() == g.WEEKDAYS[wd]]
        options = same or options
    d = _pick_date(c, options, c.tense(h.start, h.end))
    return _Out(h.start, h.end, "DATE", _value("day", d), "day", c.dct, _premod(h), h.rule, d)


def _weekday_date(c: _Ctx, wd: int, rel: str, tense: str | None) -> dt.date | None:
    dct = c.dct
    if dct is None:
        return None
    back = (dct.isoweekday() - wd) % 7
    fwd = (wd - dct.isoweekday()) % 7
    if rel in ("last", "this past", "previous"):
        return dct - dt.timedelta(days=back or 7)
    if rel in ("next", "this coming", "following"):
        return dct + dt.timedelta(days=fwd or 7)
    if rel == "this":
        return (
            dct + dt.timedelta(days=fwd) if tense == "future" or back > 3 else dct - dt.timedelta(days=back)
        )
    if tense == "future":
        return dct + dt.timedelta(days=fwd)
    if tense == "past":
        return dct - dt.timedelta(days=back)
    return dct - dt.timedelta(days=back) if back <= 4 else dct + dt.timedelta(days=fwd)


def _out(h: _Hit, typ: str, value: str, gran: str, **kw: Any) -> _Out:
    return _Out(h.start, h.end, typ, value, gran, rule=h.rule, **kw)


def _fresh_ref(c: _Ctx) -> _Out | None:
    """The last date mentioned, unless it lies far from publication (then comparisons use the present)."""
    ref = c.ref
    if ref is None or ref.date is None:
        return None
    if c.dct is not None and not -450 <= (ref.date - c.dct).days <= 100:
        return None
    return ref


def _ref_shift(c: _Ctx, h: _Hit, unit: str, n: int, *, fresh: bool = False, keep_grain: bool = False) -> _Out:
    """A DATE ``n`` units from the last date mentioned (or from publication when there is none).

    With ``keep_grain`` the value keeps the reference's finer granularity ("a year earlier" than a
    quarter is a quarter); otherwise it is that of the unit ("the following year" is a year).
    """
    ref = _fresh_ref(c) if fresh else c.ref
    if ref is not None and ref.date is not None:
        gran = "day" if ref.granularity == "time" else ref.granularity
        if not keep_grain or gran not in _GRAIN or _GRAIN[gran] > _GRAIN.get(unit, 9):
            gran = unit
        d = _shift(ref.date, unit, n)
        return _out(h, "DATE", _value(gran, d), gran, anchor=ref.date, date=d, relative_to_ref=True)
    if c.dct is None:
        return _out(h, "DATE", _UNRESOLVED.get(unit, "XXXX"), unit)
    d = _shift(c.dct, unit, n)
    return _out(
        h, "DATE", _value(unit, d), unit, anchor=c.dct, date=_period_start(unit, d), relative_to_ref=True
    )


def _year_ago(c: _Ctx, h: _Hit) -> _Out:
    """ "a year ago", "year-earlier": the period last talked about, a year before (a quarter in results)."""
    if _fresh_ref(c) is None and c.ref_q is not None:
        y, q = c.ref_q
        return _quarter_out(c, h, y - 1, q, _quarter_start(y, q), rel=True)
    return _ref_shift(c, h, "year", -1, fresh=True, keep_grain=True)


# ---------------------------------------------------------------- handlers (one per rule)
def _h_iso(c: _Ctx, h: _Hit) -> _Out | None:
    d = _safe_date(int(h.g("y") or 0), int(h.g("m") or 0), int(h.g("d") or 0))
    if d is None:
        return None
    if h.g("hh"):
        return _out(h, "TIME", f"{_value('day', d)}T{h.g('hh')}:{h.g('mm')}", "time", date=d)
    return _out(h, "DATE", _value("day", d), "day", date=d)


def _h_numeric(c: _Ctx, h: _Hit) -> _Out | None:
    a, b, cc = int(h.g("a") or 0), int(h.g("b") or 0), h.g("c") or ""
    if h.g("sep") == "." and len(cc) != 4:
        return None
    if c.order == "YMD":
        y, m, d = _two_digit_year(a, c.dct), b, int(cc)
        if len(cc) == 4:
            return None
    else:
        y = int(cc) if len(cc) == 4 else _two_digit_year(int(cc), c.dct)
        m, d = (a, b) if c.order == "MDY" else (b, a)
        if m > 12 >= d:
            m, d = d, m
    date = _safe_date(y, m, d)
    if date is None:
        return None
    return _out(h, "DATE", _value("day", date), "day", date=date)


def _h_mdy(c: _Ctx, h: _Hit) -> _Out | None:
    mon = g.MONTHS.get(_mon_key(h.g("mon")))
    if mon is None:
        return None
    return _month_day(c, h, mon, int(h.g("day") or 0), _explicit_year(c, h))


def _h_month_year(c: _Ctx, h: _Hit) -> _Out | None:
    mon = g.MONTHS.get(_mon_key(h.g("mon")))
    y = _explicit_year(c, h)
    if mon is None or y is None:
        return None
    d = dt.date(y, mon, 1)
    return _out(h, "DATE", _value("month", d), "month", mod=_premod(h), date=d)


def _h_month(c: _Ctx, h: _Hit) -> _Out | None:
    mon = g.MONTHS.get(_mon_key(h.g("mon")))
    if mon is None:
        return None
    rel = h.low("rel")
    if c.dct is None:
        return _out(h, "DATE", f"XXXX-{mon:02d}", "month", mod=_premod(h))
    y, cur = c.dct.year, c.dct.month
    follow = re.match(r"\s*,?\s+(this|last|next)\s+year\b", c.after(h.end, 20), re.IGNORECASE)
    if follow and not rel:
        y += {"this": 0, "last": -1, "next": 1}[follow.group(1).lower()]
    elif rel in _PAST_SET:
        y = y if mon < cur else y - 1
    elif rel in _NEXT_SET:
        y = y if mon > cur else y + 1
    elif rel == "this":
        pass
    else:
        back, fwd = (cur - mon) % 12, (mon - cur) % 12
        tense = c.tense(h.start, h.end) if min(back, fwd) > _NEAR_MONTHS else None
        tok = c.token(h.m.start("mon"))
        if (
            tok is not None
            and tok.dep_ == "compound"
            and tok.head.i > tok.i
            and min(back, fwd) > _NEAR_MONTHS
        ):
            tense = "past"  # "the April deal": a month naming an event already past
        if tense == "past" or (tense is None and back <= fwd):
            y = y if mon <= cur else y - 1
        else:
            y = y if mon >= cur else y + 1
    d = dt.date(y, mon, 1)
    return _out(h, "DATE", _value("month", d), "month", anchor=c.dct, mod=_premod(h), date=d)


def _h_year(c: _Ctx, h: _Hit) -> _Out | None:
    y = int(h.g("year") or 0)
    if h.g("period") and c.ref_q is not None:
        return _quarter_out(c, h, y, c.ref_q[1], _quarter_start(*c.ref_q), rel=True)  # "the 1988 period"
    d = dt.date(y, 1, 1)
    return _out(h, "DATE", f"{y:04d}", "year", mod=_premod(h), date=d)


def _h_year_short(c: _Ctx, h: _Hit) -> _Out | None:
    y = _two_digit_year(int(h.g("yy") or 0), c.dct)
    return _out(h, "DATE", f"{y:04d}", "year", date=dt.date(y, 1, 1))


def _h_year_words(c: _Ctx, h: _Hit) -> _Out | None:
    words = h.low("words").replace("-", " ").split()
    if words[:2] == ["two", "thousand"]:
        y = 2000 + int(_number(" ".join(w for w in words[2:] if w != "and")) or 0)
    else:
        head = {"eighteen": 1800, "nineteen": 1900, "twenty": 2000}[words[0]]
        rest = [w for w in words[1:] if w not in ("oh", "o")]
        y = head + (0 if rest == ["hundred"] else int(_number(" ".join(rest)) or 0))
    mon = g.MONTHS.get(_mon_key(h.g("mon")))
    if mon:
        d = dt.date(y, mon, 1)
        return _out(h, "DATE", _value("month", d), "month", date=d)
    return _out(h, "DATE", f"{y:04d}", "year", date=dt.date(y, 1, 1))


def _h_decade(c: _Ctx, h: _Hit) -> _Out | None:
    if h.g("cent"):
        decade = int(h.g("cent") or 0) * 10 + int(h.g("dec") or 0)
    else:
        dec = (
            int(h.g("dec2"))
            if h.g("dec2")
            else [
                "twenties",
                "thirties",
                "forties",
                "fifties",
                "sixties",
                "seventies",
                "eighties",
                "nineties",
            ].index(h.low("word"))
            + 2
        )
        now = c.dct.year if c.dct else 2000
        decade = (now // 100) * 10 + dec
        if decade * 10 > now:
            decade -= 10
    return _out(
        h, "DATE", f"{decade:03d}X", "decade", mod=_premod(h), date=dt.date(max(decade * 10, 1), 1, 1)
    )


def _h_century(c: _Ctx, h: _Hit) -> _Out | None:
    rel = h.low("rel")
    if rel:
        if c.dct is None:
            return _out(h, "DATE", "XX", "century")
        n = c.dct.year // 100 + (1 if rel == "next" else -1 if rel in ("last", "past", "previous") else 0)
        if rel in ("past", "last") and h.g("the"):
            return _out(h, "DURATION", "P100Y", "duration")
    else:
        n = int(h.g("n")) if h.g("n") else g.ORDINALS.get(h.low("nw"), 0)
        n -= 1
    if n < 0:
        return None
    return _out(h, "DATE", f"{n:02d}", "century", mod=_premod(h), date=dt.date(max(n * 100, 1), 1, 1))


def _quarter_out(c: _Ctx, h: _Hit, y: int | None, q: int, anchor: dt.date | None, rel: bool = False) -> _Out:
    if y is None:
        return _out(h, "DATE", f"XXXX-Q{q}", "quarter")
    d = _quarter_start(y, q)
    return _out(h, "DATE", f"{y:04d}-Q{q}", "quarter", anchor=anchor, date=d, relative_to_ref=rel)


def _last_completed_quarter(dct: dt.date) -> tuple[int, int]:
    y, q = _quarter(dct)
    return (y, q - 1) if q > 1 else (y - 1, 4)


def _h_quarter(c: _Ctx, h: _Hit) -> _Out | None:
    if h.g("qq"):
        qq = h.g("qq") or ""
        q = int(qq[1] if qq[0] in "Qq" else qq[0])
        ys = h.g("qy3")
        y = int(ys) if ys and ys[0].isdigit() else (_two_digit_year(int(ys[1:]), c.dct) if ys else None)
        if y is None and c.dct is not None:
            y = c.dct.year if _quarter_start(c.dct.year, q) <= c.dct else c.dct.year - 1
        return _quarter_out(c, h, y, q, c.dct if not ys else None)
    full = " ".join(h.m.group(0).lower().split())
    ordw = h.low("ord")
    if h.g("pl"):
        if ordw and ordw not in ("last", "final"):
            return _out(h, "SET", f"XXXX-Q{g.ORDINALS[ordw]}", "set")
        return _out(h, "DURATION", "PXM", "duration")
    q = g.ORDINALS.get(ordw) if ordw not in ("last", "final") else None
    explicit = h.g("qy") or h.g("qy2")
    fiscal_year = re.search(r"fiscal\s+(1\d{3}|20\d\d)", full)
    y: int | None = int(explicit) if explicit else int(fiscal_year.group(1)) if fiscal_year else None
    qrel = h.low("qrel")
    if y is None and qrel and c.dct is not None:
        y = c.dct.year + {"this": 0, "last": -1, "next": 1}[qrel]
    ago = bool(h.g("ago")) or any(
        w in full
        for w in ("year-ago", "year-earlier", "year before", "year-before", "comparable", "corresponding")
    )
    if ordw in ("last", "final") and (y is not None or "fiscal" in full):
        q = 4
    if ago:
        base = c.ref_q or (_last_completed_quarter(c.dct) if c.dct else None)
        if base is None:
            return _quarter_out(c, h, None, q or 0, None) if q else _out(h, "DATE", "XXXX-QX", "quarter")
        by, bq = base
        return _quarter_out(
            c, h, (y or by) - 1 if y is None else y, q or bq, _quarter_start(by, bq), rel=True
        )
    if q is None and y is not None:
        # "the 1988 quarter", "last year's quarter": the quarter talked about, in that year
        base_q = c.ref_q[1] if c.ref_q else (_last_completed_quarter(c.dct)[1] if c.dct else None)
        if base_q is None:
            return _out(h, "DATE", f"{y:04d}-QX", "quarter")
        return _quarter_out(c, h, y, base_q, c.dct, rel=True)
    if q is not None:
        if y is None and c.dct is not None:
            y = c.dct.year
            start = _quarter_start(y, q)
            tense = c.tense(h.start, h.end)
            if c.ref_q is not None and c.ref_q[0] != c.dct.year and abs(c.ref_q[0] - c.dct.year) <= 1:
                y = c.ref_q[0]
            elif start > c.dct and tense != "future":
                y -= 1
        return _quarter_out(c, h, y, q, c.dct if not explicit else None)
    ended = _ENDED_DATE.match(c.after(h.end, 40))
    if ended:
        mon = g.MONTHS.get(ended.group(1).lower().rstrip("."))
        ey = int(ended.group(3)) if ended.group(3) else None
        if mon and ey is None and c.dct is not None:
            ey = c.dct.year if mon <= c.dct.month else c.dct.year - 1
        if mon and ey:
            # a quarter that ends on the given date (fiscal quarters need not follow the calendar)
            end_day = _safe_date(ey, mon, int(ended.group(2))) or dt.date(ey, mon, 28)
            qy, qn = _quarter(end_day - dt.timedelta(days=45))
            return _quarter_out(c, h, qy, qn, None)
    if c.dct is None:
        return _out(h, "DATE", "XXXX-QX", "quarter")
    cy, cq = _quarter(c.dct)
    if "current" in full or re.search(r"\bthis\b", full):
        return _quarter_out(c, h, cy, cq, c.dct)
    if re.search(r"\b(?:next|coming)\b", full):
        d = _shift(_quarter_start(cy, cq), "quarter", 1)
        return _quarter_out(c, h, *_quarter(d), c.dct)
    if re.search(r"\b(?:previous|prior|preceding)\b", full) and c.ref_q is not None:
        d = _shift(_quarter_start(*c.ref_q), "quarter", -1)
        return _quarter_out(c, h, *_quarter(d), _quarter_start(*c.ref_q), rel=True)
    if re.search(r"\b(?:last|past|previous|prior|preceding)\b", full):
        return _quarter_out(c, h, *_last_completed_quarter(c.dct), c.dct)
    if c.ref_q is not None:
        return _quarter_out(c, h, *c.ref_q, _quarter_start(*c.ref_q), rel=True)
    return _quarter_out(c, h, *_last_completed_quarter(c.dct), c.dct)


def _h_half(c: _Ctx, h: _Hit) -> _Out | None:
    ordw = h.low("ord")
    half = 1 if ordw in ("first", "1st") else 2
    ys = h.g("qy") or h.g("qy2")
    y: int | None = int(ys) if ys else None
    rel = h.low("qrel") or h.low("ofy").split(" ")[0]
    if y is None and c.dct is not None:
        y = c.dct.year + {"this": 0, "last": -1, "next": 1}.get(rel, 0)
        if rel == "the" and c.ref is not None and c.ref.date is not None:
            y = c.ref.date.year
    if y is None:
        return _out(h, "DATE", f"XXXX-H{half}", "quarter")
    return _out(
        h,
        "DATE",
        f"{y:04d}-H{half}",
        "quarter",
        anchor=None if ys else c.dct,
        date=dt.date(y, 1 if half == 1 else 7, 1),
    )


def _season_year(c: _Ctx, season: str, rel: str, tense: str | None) -> int | None:
    if c.dct is None:
        return None
    y = c.dct.year
    order = ["WI", "SP", "SU", "FA"]
    cur = order[((c.dct.month % 12) // 3)]
    if rel in ("last", "previous", "past", "prior"):
        return y - 1
    if rel in ("next", "coming", "following"):
        return y + 1 if order.index(season) <= order.index(cur) else y
    if rel in ("this", "this past", "this coming", "current"):
        return y
    if tense == "past" and order.index(season) > order.index(cur):
        return y - 1
    if tense == "future" and order.index(season) < order.index(cur):
        return y + 1
    return y


def _weekend(c: _Ctx, h: _Hit, rel: str) -> _Out:
    if c.dct is None:
        return _out(h, "DATE", "XXXX-WXX-WE", "week")
    dct = c.dct
    sat_this = dct + dt.timedelta(days=5 - dct.weekday())
    if rel in ("last", "past", "previous", "this past"):
        sat = sat_this - dt.timedelta(days=7)
    elif rel in ("next", "coming", "this coming"):
        sat = sat_this if dct.weekday() < 5 else sat_this + dt.timedelta(days=7)
    elif rel in ("this", "current"):
        sat = sat_this
    else:
        tense = c.tense(h.start, h.end)
        sat = sat_this if tense == "future" or dct.weekday() >= 5 else sat_this - dt.timedelta(days=7)
    return _out(h, "DATE", f"{_week(sat)}-WE", "week", anchor=dct, date=sat)


def _h_relunit(c: _Ctx, h: _Hit) -> _Out | None:
    rel = h.low("rel")
    words = c.text[h.start : h.end].split()
    if (
        len(words) == 2
        and all(w[:1].isupper() and w[1:].islower() for w in words)
        and not _SENT_START.search(c.before(h.start, 4) or "\n")
    ):
        return None  # "This Week" mid-sentence: a title, not a date
    unit = h.low("unit")
    mod = _premod(h)
    if unit == "weekend":
        out = _weekend(c, h, rel)
        out.mod = mod
        return out
    if unit in g.SEASONS:
        code = g.SEASONS[unit]
        if rel in ("same", "that"):
            y = c.ref.date.year if c.ref is not None and c.ref.date else None
        else:
            y = _season_year(c, code, rel, None)
        if y is None:
            return _out(h, "DATE", f"XXXX-{code}", "quarter", mod=mod)
        return _out(
            h,
            "DATE",
            f"{y:04d}-{code}",
            "quarter",
            anchor=c.dct,
            mod=mod,
            date=dt.date(y, {"WI": 1, "SP": 3, "SU": 6, "FA": 9}[code], 1),
        )
    if unit in ("morning", "afternoon", "evening", "night"):
        if rel in ("same", "that"):
            return _anaphor_day(c, h, 0, g.DAY_PARTS[unit])
        if rel in ("following", "next"):
            return _anaphor_day(c, h, 1, g.DAY_PARTS[unit])
        if rel in ("previous", "prior", "preceding"):
            return _anaphor_day(c, h, -1, g.DAY_PARTS[unit])
        shift = -1 if rel in ("last", "past") else 1 if rel in ("next", "coming") else 0
        if rel not in ("this", "last", "next", "past", "coming", "current"):
            return None
        if c.dct is None:
            return _out(h, "TIME", f"XXXX-XX-XXT{g.DAY_PARTS[unit]}", "time")
        d = c.dct + dt.timedelta(days=shift)
        return _out(h, "TIME", f"{_value('day', d)}T{g.DAY_PARTS[unit]}", "time", anchor=c.dct, date=d)
    if unit == "day":
        if rel in ("same", "that"):
            return _anaphor_day(c, h, 0, "")
        if rel in ("following", "next"):
            return _anaphor_day(c, h, 1, "")
        if rel in ("previous", "prior", "preceding"):
            return _anaphor_day(c, h, -1, "")
        return None
    gran = {
        "week": "week",
        "month": "month",
        "quarter": "quarter",
        "year": "year",
        "decade": "decade",
        "season": "quarter",
    }.get(unit)
    if gran is None or unit == "season":
        return None
    if unit == "decade" and rel in ("past", "last", "previous"):
        return _out(h, "DURATION", "P10Y", "duration", mod=mod)
    if rel in ("same", "that"):
        return _ref_shift(c, h, gran, 0)
    if rel in ("following", "previous", "prior", "preceding") and c.ref is not None and h.g("the"):
        return _ref_shift(c, h, gran, 1 if rel == "following" else -1)
    n = -1 if rel in _PAST_SET else 1 if rel in _NEXT_SET else 0
    if c.dct is None:
        return _out(h, "DATE", _UNRESOLVED.get(gran, "XXXX"), gran, mod=mod)
    d = _shift(c.dct, gran, n)
    out = _out(h, "DATE", _value(gran, d), gran, anchor=c.dct, mod=mod, date=_period_start(gran, d))
    return out


def _anaphor_day(c: _Ctx, h: _Hit, n: int, part: str) -> _Out:
    base = (
        c.ref.date
        if c.ref is not None and c.ref.date is not None and c.ref.granularity in ("day", "time")
        else c.dct
    )
    if base is None:
        return _out(
            h,
            "TIME" if part else "DATE",
            "XXXX-XX-XX" + (f"T{part}" if part else ""),
            "time" if part else "day",
        )
    d = base + dt.timedelta(days=n)
    value = _value("day", d) + (f"T{part}" if part else "")
    return _out(
        h,
        "TIME" if part else "DATE",
        value,
        "time" if part else "day",
        anchor=base,
        date=d,
        relative_to_ref=base is not c.dct,
    )


def _h_definite(c: _Ctx, h: _Hit) -> _Out | None:
    unit = h.low("unit")
    adj = h.low("adj")
    mod = _premod(h)
    if unit in ("future", "near future", "near term", "long term", "short term"):
        return _out(h, "DATE", "FUTURE_REF", "ref")
    if unit == "past":
        return _out(h, "DATE", "PAST_REF", "ref")
    if unit in ("present", "moment"):
        return _out(h, "DATE", "PRESENT_REF", "ref")
    if unit == "weekend":
        return _weekend(c, h, "")
    if unit in g.SEASONS:
        code = g.SEASONS[unit]
        y = _season_year(c, code, "", c.tense(h.start, h.end))
        if y is None:
            return _out(h, "DATE", f"XXXX-{code}", "quarter", mod=mod)
        return _out(h, "DATE", f"{y:04d}-{code}", "quarter", anchor=c.dct, mod=mod, date=dt.date(y, 1, 1))
    if unit == "year" and not mod and adj in ("", "fiscal") and _ENDED.match(c.after(h.end, 12)):
        return _out(h, "DURATION", "P1Y", "duration")  # "the year ended June 30": a reporting period
    if unit == "year" and adj == "fiscal" and not mod:
        return _out(h, "DURATION", "P1Y", "duration")
    if unit in ("year", "month", "week"):
        if c.dct is None:
            return _out(h, "DATE", _UNRESOLVED[unit], unit, mod=mod)
        return _out(
            h,
            "DATE",
            _value(unit, c.dct),
            unit,
            anchor=c.dct,
            mod=mod,
            date=_period_start(unit, c.dct),
            relative_to_ref=True,
        )
    return None


def _h_season_year(c: _Ctx, h: _Hit) -> _Out | None:
    code = g.SEASONS[h.low("season")]
    y = int(h.g("year") or 0)
    return _out(h, "DATE", f"{y:04d}-{code}", "quarter", mod=_premod(h), date=dt.date(y, 1, 1))


def _h_weekday(c: _Ctx, h: _Hit) -> _Out | None:
    wd = g.WEEKDAYS.get(h.low("wd").rstrip(".").rstrip("s") if h.g("wd_pl") else h.low("wd").rstrip("."))
    if wd is None:
        return None
    part = g.DAY_PARTS.get(h.low("pod"), "")
    if h.g("wd_pl"):
        return _out(h, "SET", f"XXXX-WXX-{wd}" + (f"T{part}" if part else ""), "set")
    rel = h.low("rel")
    mod = _MODS.get(h.low("pre"))
    typ, gran = ("TIME", "time") if part else ("DATE", "day")
    suffix = f"T{part}" if part else ""
    if rel in ("following", "previous", "that") and c.ref is not None and c.ref.date is not None:
        base = c.ref.date
        delta = (wd - base.isoweekday()) % 7
        d = (
            base + dt.timedelta(days=delta or 7)
            if rel == "following"
            else base - dt.timedelta(days=(base.isoweekday() - wd) % 7 or 7)
        )
        return _out(
            h, typ, _value("day", d) + suffix, gran, anchor=base, mod=mod, date=d, relative_to_ref=True
        )
    if c.dct is None:
        return _out(h, typ, f"XXXX-WXX-{wd}{suffix}", gran, mod=mod)
    possessive = re.match(r"['’]s\b", c.after(h.end, 3))
    tense = "past" if possessive and not rel else c.tense(h.start, h.end)
    d = _weekday_date(c, wd, rel, tense)
    if d is None:
        return None
    prev = c.prev
    if (
        prev is not None
        and prev.rule == "weekday"
        and prev.date is not None
        and d < prev.date
        and _RANGE_JOIN.fullmatch(c.text[prev.end : h.start])
    ):
        d += dt.timedelta(days=7)
    return _out(h, typ, _value("day", d) + suffix, gran, anchor=c.dct, mod=mod, date=d)


def _h_deictic(c: _Ctx, h: _Hit) -> _Out | None:
    word = h.low("word")
    part = g.DAY_PARTS.get(h.low("pod"), "")
    mod = _MODS.get(h.low("pre"))
    if word in ("now", "nowadays", "currently", "these days", "right now", "just now", "current"):
        return _out(h, "DATE", "PRESENT_REF", "ref")
    if word in ("recently", "lately", "recent"):
        return _out(h, "DATE", "PAST_REF", "ref")
    if word in ("year-end", "year end"):
        if c.dct is None:
            return _out(h, "DATE", "XXXX-12-31", "day")
        tense = c.tense(h.start, h.end)
        y = (
            c.dct.year - 1
            if tense == "past" and (c.dct.month <= 3 or _SINCE.search(c.before(h.start, 30)))
            else c.dct.year
        )
        d = dt.date(y, 12, 31)
        return _out(h, "DATE", _value("day", d), "day", anchor=c.dct, date=d)
    shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}.get(word)
    if shift is None:
        return None
    if word == "tonight":
        part = "NI"
    typ, gran = ("TIME", "time") if part else ("DATE", "day")
    suffix = f"T{part}" if part else ""
    if c.dct is None:
        return _out(h, typ, f"XXXX-XX-XX{suffix}", gran, mod=mod)
    d = c.dct + dt.timedelta(days=shift)
    return _out(h, typ, _value("day", d) + suffix, gran, anchor=c.dct, mod=mod, date=d)


def _h_yearago(c: _Ctx, h: _Hit) -> _Out | None:
    if h.low("period") == "quarter" and c.ref_q is not None:
        y, q = c.ref_q
        return _quarter_out(c, h, y - 1, q, _quarter_start(y, q), rel=True)
    return _year_ago(c, h)


def _h_duration(c: _Ctx, h: _Hit) -> _Out | None:
    unit_word = h.low("unit")
    unit_key = {
        "sec": "second",
        "min": "minute",
        "hr": "hour",
        "yr": "year",
        "centurie": "century",
        "millennia": "millennium",
    }.get(unit_word, unit_word)
    code, clock, gran = g.UNITS.get(unit_key, ("", False, ""))
    if not code:
        return None
    numw = h.low("num")
    n = None if h.g("num2") else _number(numw)
    if re.search(r"\band\s+a\s+half\b", h.m.group(0), re.IGNORECASE) and n is not None and "half" not in numw:
        n += 0.5
    if numw in g.VAGUE_NUMBERS or numw in ("a few", "a number of"):
        n = None
    q = h.low("q")
    mod = _MODS.get(q)
    post = h.low("post")
    if post.startswith("or so "):
        post, mod = post[6:], mod or "APPROX"
    dirw = h.low("dir")
    start, end = h.start, h.end
    if (
        numw == "one"
        and unit_key == "day"
        and not (dirw or q or post)
        and _MODAL_BEFORE.search(c.before(h.start, 12))
    ):
        return _out(h, "DATE", "FUTURE_REF", "ref")  # "will one day be": some day
    if q in ("over", "within", "under", "each of") and h.g("the"):
        start, mod = h.m.start("the"), None  # "over the past three years": a preposition
    if post in ("before", "after"):
        nxt = c.after(h.end, 3)
        if nxt[:1] and nxt[:1] not in ",.;:)\n" and not nxt.startswith(" the"):
            end = h.m.start("post")
            while end > start and c.text[end - 1].isspace():
                end -= 1
            post = ""
    if post in ("or so", "in a row", "running", "straight"):
        post = ""
    if post in ("later", "earlier") and unit_key not in ("year", "decade", "century"):
        end = h.m.start("post")  # "three days later": TimeBank marks the duration alone
        while end > start and c.text[end - 1].isspace():
            end -= 1
        post = ""
    if post in ("ago", "back", "earlier", "later", "before", "after", "from now", "hence"):
        sign = 1 if post in ("later", "after", "from now", "hence") else -1
        step = {"time": "day", "decade": "year", "century": "year"}.get(gran, gran)
        mult = {"decade": 10, "century": 100}.get(gran, 1)
        if n is None or not float(n).is_integer():
            if post in ("ago", "back", "earlier", "before"):
                return _Out(start, end, "DATE", "PAST_REF", "ref", None, mod, h.rule)
            return _Out(start, end, "DATE", "FUTURE_REF", "ref", None, mod, h.rule)
        k = int(n) * mult * sign
        if gran == "time":
            k = 0 if abs(int(n)) < 24 or unit_key != "hour" else round(k / 24)
        if step == "week" and unit_key == "weekend":
            step = "week"
        anchored_to_ref = post in ("earlier", "later", "before", "after")
        if unit_key == "year" and k == -1 and post in ("ago", "earlier", "before", "back"):
            out = _year_ago(c, h)
        elif anchored_to_ref and _fresh_ref(c) is not None:
            out = _ref_shift(c, h, step, k, fresh=True)
        elif c.dct is None:
            out = _out(h, "DATE", _UNRESOLVED.get(step, "XXXX"), step)
        else:
            d = _shift(c.dct, step, k)
            out = _out(
                h,
                "DATE",
                _value(step, d),
                step,
                anchor=c.dct,
                date=_period_start(step, d),
                relative_to_ref=True,
            )
        out.start, out.end, out.mod = start, end, mod
        return out
    # "$5 a year", "twice a day": a rate, not a stretch of time
    if (
        numw in ("a", "an")
        and not (dirw or q or h.g("the") or h.g("extra"))
        and _RATE_CUE.search(c.before(h.start, 30))
    ):
        return _Out(start, end, "SET", _duration_value(1, code, clock), "set", None, None, h.rule)
    value = _duration_value(n, code, clock)
    return _Out(start, end, "DURATION", value, "duration", None, mod, h.rule)


def _h_vague(c: _Ctx, h: _Hit) -> _Out | None:
    unit = h.low("unit").rstrip("s")
    unit = "century" if unit == "centurie" else unit
    code, clock, _ = g.UNITS.get(unit, ("", False, ""))
    if not code:
        return None
    start = h.m.start("core")
    lead = h.low("lead")
    post = h.low("post")
    if post == "ago":
        return _Out(start, h.end, "DATE", "PAST_REF", "ref", None, None, h.rule)
    if lead == "recent" and unit == "year":
        return _Out(start, h.end, "DATE", "PAST_REF", "ref", None, None, h.rule)
    if code in ("DE", "CE", "ML"):
        code = "Y"
    return _Out(start, h.end, "DURATION", _duration_value(None, code, clock), "duration", None, None, h.rule)


def _h_set(c: _Ctx, h: _Hit) -> _Out | None:
    freq = h.low("freq")
    if freq:
        return _out(h, "SET", g.FREQUENCIES[freq], "set")
    n = _number(h.low("n")) if h.g("n") else 1.0
    if n is None:
        n = 1.0
    if h.g("other"):
        n *= 2 if h.low("other") == "other" else 1
    if h.g("wd"):
        wd = g.WEEKDAYS.get(h.low("wd").rstrip("."))
        return _out(h, "SET", f"XXXX-WXX-{wd}", "set") if wd else None
    if h.g("mon"):
        mon = g.MONTHS.get(_mon_key(h.g("mon")))
        return _out(h, "SET", f"XXXX-{mon:02d}", "set") if mon else None
    if h.g("pod"):
        return _out(h, "SET", f"XXXX-XX-XXT{g.DAY_PARTS[h.low('pod')]}", "set")
    if h.g("season"):
        return _out(h, "SET", f"XXXX-{g.SEASONS[h.low('season')]}", "set")
    unit_word = h.low("unit")
    unit_key = {"sec": "second", "min": "minute", "hr": "hour", "yr": "year", "centurie": "century"}.get(
        unit_word.rstrip("s"), unit_word.rstrip("s")
    )
    code, clock, _ = g.UNITS.get(unit_key, ("", False, ""))
    if not code:
        return None
    if code == "Q" and n == 1:
        return _out(h, "SET", "P1Q" if h.low("each") != "per" else "P3M", "set")
    return _out(h, "SET", _duration_value(n, code, clock), "set")


def _h_time(c: _Ctx, h: _Hit) -> _Out | None:
    named = h.low("named")
    part = ""
    if named:
        hh, mm = {"noon": (12, 0), "midday": (12, 0), "midnight": (24, 0)}.get(named, (-1, 0))
        if hh < 0:
            part = g.DAY_PARTS.get(named.replace(" ", "-"), "AF")
    elif h.g("h24"):
        hh, mm = int(h.g("h24") or 0), int(h.g("m24") or 0)
    else:
        hh, mm = int(h.g("h") or 0), int(h.g("mi") or 0)
        ap = h.low("ap").replace(".", "")
        pod = h.low("pod")
        if ap.startswith("p") or pod in ("afternoon", "evening"):
            hh = hh % 12 + 12
        elif ap.startswith("a") or pod == "morning":
            hh = hh % 12
    clock = f"T{part}" if part else f"T{hh:02d}:{mm:02d}"
    # the date part
    date: dt.date | None = None
    anchor = None
    day_word = h.low("dw") or (
        h.low("wd0") if h.low("wd0") in ("today", "tomorrow", "yesterday", "tonight") else ""
    )
    wd_name = h.low("wd") or (h.low("wd0") if not day_word else "")
    if h.g("mon"):
        mon = g.MONTHS.get(_mon_key(h.g("mon")))
        if mon is None:
            return None
        sub = _month_day(c, h, mon, int(h.g("day") or 0), int(h.g("year")) if h.g("year") else None)
        if sub is None:
            return None
        if sub.date is None:
            return _out(h, "TIME", sub.value + clock, "time")
        date, anchor = sub.date, sub.anchor
    elif day_word:
        if c.dct is None:
            return _out(h, "TIME", "XXXX-XX-XX" + clock, "time")
        date = c.dct + dt.timedelta(days={"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[day_word])
        anchor = c.dct
    elif wd_name:
        wd = g.WEEKDAYS.get(wd_name)
        if wd is None:
            return None
        if c.dct is None:
            return _out(h, "TIME", f"XXXX-WXX-{wd}{clock}", "time")
        date = _weekday_date(c, wd, "", c.tense(h.start, h.end))
        anchor = c.dct
    else:
        if c.dct is None:
            return _out(h, "TIME", "XXXX-XX-XX" + clock, "time")
        date, anchor = c.dct, c.dct
    assert date is not None
    return _out(
        h, "TIME", _value("day", date) + clock, "time", anchor=anchor, mod=_MODS.get(h.low("q")), date=date
    )


def _h_holiday(c: _Ctx, h: _Hit) -> _Out | None:
    name = h.low("name").replace("’", "'")
    key = name if name in g.HOLIDAYS else name.split(" ")[0]
    if key not in g.HOLIDAYS:
        return None
    if h.g("year"):
        d = _holiday(key, int(h.g("year") or 0))
        return _out(h, "DATE", _value("day", d), "day", date=d) if d else None
    if c.dct is None:
        spec = g.HOLIDAYS[key]
        value = f"XXXX-{spec[0]:02d}-{spec[1]:02d}" if isinstance(spec, tuple) else "XXXX-XX-XX"
        return _out(h, "DATE", value, "day")
    options = [d for y in (c.dct.year - 1, c.dct.year, c.dct.year + 1) if (d := _holiday(key, y))]
    d = _pick_date(c, options, c.tense(h.start, h.end))
    return _out(h, "DATE", _value("day", d), "day", anchor=c.dct, date=d)


def _h_anaphor(c: _Ctx, h: _Hit) -> _Out | None:
    unit = h.low("unit") or h.low("unit2")
    dirw = h.low("dir") or h.low("dir2")
    n = (
        1
        if dirw in ("next", "following", "after")
        else -1
        if dirw in ("previous", "preceding", "prior", "before", "earlier")
        else 0
    )
    if unit in ("day", "morning", "afternoon", "evening", "night"):
        return _anaphor_day(c, h, n, g.DAY_PARTS.get(unit, ""))
    return _ref_shift(c, h, unit, n)


_HANDLERS = {
    "iso": _h_iso, "numeric": _h_numeric, "mdy": _h_mdy, "dmy": _h_mdy, "month_year": _h_month_year,
    "month": _h_month, "year": _h_year, "year_short": _h_year_short, "year_words": _h_year_words,
    "decade": _h_decade, "century": _h_century, "quarter": _h_quarter, "half": _h_half, "relunit": _h_relunit,
    "definite": _h_definite, "season_year": _h_season_year, "weekday": _h_weekday, "deictic": _h_deictic,
    "yearago": _h_yearago, "duration": _h_duration, "vague": _h_vague, "set": _h_set, "time": _h_time,
    "holiday": _h_holiday, "anaphor": _h_anaphor,
}  # fmt: skip


# ---------------------------------------------------------------- public API
def _frame(text: str, outs: list[_Out]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    def obj(values: list[Any]) -> np.ndarray:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return arr

    columns = {
        "start": np.fromiter((o.start for o in outs), dtype=np.int64, count=len(outs)),
        "end": np.fromiter((o.end for o in outs), dtype=np.int64, count=len(outs)),
        "text": [text[o.start : o.end] for o in outs],
        "type": [o.type for o in outs],
        "value": [o.value for o in outs],
        "granularity": [o.granularity for o in outs],
        "anchor": obj([o.anchor for o in outs]),
        "mod": obj([o.mod for o in outs]),
        "rule": [o.rule for o in outs],
    }
    frame = pd.DataFrame(columns, columns=list(COLUMNS))
    frame["mod"] = pd.Series(columns["mod"], dtype=object, index=frame.index)
    return frame


def _check_order(date_order: str) -> str:
    order = str(date_order).upper()
    if order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, got {date_order!r}")
    return order


def timexes_from_doc(doc: Doc, published: Any = None, *, date_order: str = "MDY") -> pd.DataFrame:
    """Temporal expressions in an already parsed Doc (offsets refer to ``doc.text``).

    Args:
        doc: a Doc from ``newsdesk.nlp()``; without a dependency parse, tense falls back to cue words.
        published: the publication date (date, datetime or ISO string) relative values are resolved
            against; None leaves them underspecified (``XXXX-03-31``, ``XXXX-WXX-5``).
        date_order: how to read all-numeric dates such as ``03/04/25``: ``MDY``, ``DMY`` or ``YMD``.

    Returns:
        One row per expression in text order: start, end, text, type (DATE, TIME, DURATION, SET),
        value (TIMEX3), granularity (day, week, month, quarter, year, decade, century, time,
        duration, set or ref; seasons and half-years count as quarter), anchor (the date a relative
        value was resolved against, or None), mod (TIMEX3 mod such as APPROX or START, or None) and
        rule (the grammar rule that matched).

        Spans follow TimeBank: "the third quarter" and "the past three years" keep their "the",
        "earlier this month" is tagged as "this month", "three days later" as the duration.

    Raises:
        ValueError: for an unparseable ``published`` or an unknown ``date_order`` (never for the text).
    """
    dct = _parse_published(published)
    order = _check_order(date_order)
    from newsdesk.parsing.pipeline import doc_text

    text = doc_text(doc)
    return _frame(text, _extract(text, dct, order, doc))


def timexes(text: str, published: Any = None, *, date_order: str = "MDY") -> pd.DataFrame:
    """Temporal expressions in ``text``, normalised to TIMEX3 values against ``published``.

    Parses ``text`` with ``newsdesk.nlp()`` (for tense; long texts in pieces) and calls
    :func:`timexes_from_doc`.
    """
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes | bytearray) else str(text or "")
    dct = _parse_published(published)
    order = _check_order(date_order)
    doc = None
    if text.strip() and g.HINT.search(text):
        from newsdesk.parsing.parse import parse

        doc = parse(text)
    return _frame(text, _extract(text, dct, order, doc))
