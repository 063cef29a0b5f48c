"""Grammar tables for :mod:`newsdesk.extract.timexes`: vocabularies and the rule patterns, compiled once.

Every rule is one regular expression over the raw text. The patterns are written to run in linear
time: alternations are between literal words, repetitions are bounded, and no quantified group
contains another unbounded quantifier, so there is no catastrophic backtracking on any input.
Names that are also common words (months, weekdays) match case-sensitively (``Capitalised`` or
``UPPER``); keywords match in any case.
"""

from __future__ import annotations

import re

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
    "mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4, "thurs": 4, "fri": 5, "sat": 6, "sun": 7,
}  # fmt: skip
SMALL_NUMBERS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "single": 1,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "twenty-first": 21, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip
#: Vague amounts: the TIMEX3 value keeps an ``X`` for the number ("several years" -> PXY).
VAGUE_NUMBERS = frozenset({"several", "few", "a few", "many", "some", "a number of", "numerous", "dozens of",
                           "hundreds of", "the", "recent",
                           "coming", "these"})
#: Unit word (singular, lower case) -> (TIMEX3 letter, is a clock unit, granularity).
UNITS: dict[str, tuple[str, bool, str]] = {
    "second": ("S", True, "time"), "minute": ("M", True, "time"), "hour": ("H", True, "time"),
    "day": ("D", False, "day"), "night": ("D", False, "day"), "week": ("W", False, "week"),
    "weekend": ("WE", False, "week"), "fortnight": ("W", False, "week"), "month": ("M", False, "month"),
    "quarter": ("Q", False, "quarter"), "year": ("Y", False, "year"), "decade": ("DE", False, "decade"),
    "century": ("CE", False, "century"), "centurie": ("CE", False, "century"),
    "millennium": ("ML", False, "century"), "millennia": ("ML", False, "century"),
}  # fmt: skip
SEASONS: dict[str, str] = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
#: Part of day -> TIMEX3 suffix.
DAY_PARTS: dict[str, str] = {
    "morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI",
    "tonight": "NI", "midday": "MI", "mid-afternoon": "AF", "mid afternoon": "AF",
    "mid-morning": "MO", "mid morning": "MO", "dawn": "MO", "dusk": "EV",
}  # fmt: skip
FREQUENCIES: dict[str, str] = {
    "hourly": "PT1H", "daily": "P1D", "nightly": "P1D", "weekly": "P1W", "biweekly": "P2W",
    "fortnightly": "P2W", "monthly": "P1M", "bimonthly": "P2M", "quarterly": "P3M",
    "semiannually": "P6M", "semi-annually": "P6M", "biannually": "P6M", "annually": "P1Y",
    "yearly": "P1Y",
}  # fmt: skip
#: Fixed-date holidays (month, day); movable ones are computed in temporal.py.
HOLIDAYS: dict[str, tuple[int, int] | str] = {
    "christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
    "new year's day": (1, 1), "new year's eve": (12, 31), "new year’s day": (1, 1),
    "new year’s eve": (12, 31), "halloween": (10, 31), "independence day": (7, 4),
    "valentine's day": (2, 14), "valentine’s day": (2, 14), "veterans day": (11, 11),
    "boxing day": (12, 26), "thanksgiving": "thanksgiving", "thanksgiving day": "thanksgiving",
    "easter": "easter", "easter sunday": "easter", "good friday": "good friday",
    "labor day": "labor day", "memorial day": "memorial day",
}  # fmt: skip


# ---------------------------------------------------------------- building blocks
S = r"(?:[ \t\u00a0]+|[ \t\u00a0]*\r?\n[ \t\u00a0]*)"  # one gap between words: at most one line break
H = rf"(?:-|{S})"  # a hyphen or a gap
END = r"(?![\w’'-]|[.,]\d)"  # right edge of a word (not inside a number or a hyphenated word)
START = r"\b(?<![\w’'$£€.-])"  # left edge of a word (\b first lets the scan skip ahead)


def _cased(words: list[str]) -> str:
    """Case-sensitive alternation of ``Capitalised`` and ``UPPER`` forms, longest first."""
    forms = {w[0].upper() + w[1:] for w in words} | {w.upper() for w in words}
    return "(?-i:" + "|".join(sorted(forms, key=lambda w: (-len(w), w))) + ")"


def _words(words: list[str] | tuple[str, ...]) -> str:
    """Alternation of keywords (any case), longest first, gaps written as ``S``."""
    alts = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", S) for w in alts) + ")"


_FULL_MONTHS = [m for m, n in MONTHS.items() if len(m) > 4 or m in ("may", "june", "july")]
_ABBR_MONTHS = ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]


def month(group: str) -> str:
    """A month name; abbreviations need a full stop or a following number ("Sept. 8", "Jan 14")."""
    return (
        rf"(?P<{group}>{_cased(_FULL_MONTHS)}(?!\w|['’](?!s\b))|{_cased(_ABBR_MONTHS)}"
        rf"(?:\.|(?=[ \t\u00a0]*\d|,[ \t\u00a0]*\d{{4}}(?!\d)|-\d{{4}}(?!\d))(?!\w)))"
    )


_FULL_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_ABBR_DAYS = ["mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"]


def weekday(group: str, plural: bool = False) -> str:
    """A weekday name; abbreviations need a full stop ("Mon.", "Thurs.")."""
    pl = rf"(?P<{group}_pl>s)?" if plural else ""
    return rf"(?P<{group}>{_cased(_FULL_DAYS)}{pl}(?!\w|['’](?!s\b))|{_cased(_ABBR_DAYS)}\.)"


def day(group: str) -> str:
    """Day of month, optionally with an ordinal suffix."""
    # "12,2023" (a year after the comma, no space) is a day; "12,500" is not
    return rf"(?P<{group}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\w%]|[.:]\d|,(?!\d{{4}}(?!\d))\d)"


def year(group: str) -> str:
    """A four-digit year (1000-2099) or an apostrophe year ('98)."""
    return rf"(?:(?P<{group}>1\d{{3}}|20\d\d)|['’‘](?P<{group}_yy>\d\d))(?![\w%]|[.,]\d)"


_UNIT_WORDS = (
    r"(?:sec(?:ond)?|min(?:ute)?|hour|hr|day|night|week(?:end)?|fortnight|month|quarter|year|yr"
    r"|decade|centur(?:y|ie)|millenni(?:um|a))"
)
_DIGIT_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen"]
_NUM_WORD = (
    rf"(?:{_words(list(TENS))}(?:-|{S})?{_words(_DIGIT_WORDS)}"
    rf"|{_words(list(TENS))}|{_words([w for w in SMALL_NUMBERS if len(w) > 2])})"
)
#: A count: digits ("18", "2.5", "2 1/2"), words ("twenty-four", "a hundred"), vague ("several").
NUMBER = (
    rf"(?P<num>\d{{1,4}}(?:\.\d+)?(?:{S}1/2|{S}?½)?|\d{{1,3}}(?:,\d{{3}})+"
    rf"|{_NUM_WORD}(?:{S}hundred|{S}thousand)?(?:{S}and{S}a{S}half)?"
    rf"|a{S}hundred|a{S}thousand|hundreds{S}of|dozens{S}of|a{S}dozen"
    rf"|a{S}couple{S}of|a{S}couple|couple{S}of|a{S}few|a{S}number{S}of|several|few|many|some|numerous"
    rf"|an?(?:{S}half)?|half{S}an?)"
)

# ---------------------------------------------------------------- rules
_W = weekday
_M = month
_PREMOD_WORD = r"(?P<pre>early|late|mid|middle|earlier|later)"
_PREMOD = rf"(?:{_PREMOD_WORD}{H}?)"
# a premodifier before another optional gap takes only its hyphen, so two gaps never meet (a blank line)
_PREMOD_IN = rf"{_PREMOD_WORD}-?(?:{S}in)?"
_RANGE_START = rf"(?:(?:{_words(['the end of', 'the beginning of', 'the start of', 'the middle of'])}){S})"
_REL = _words(["this past", "this coming", "this", "last", "next", "past", "previous", "coming",
               "following", "current", "prior", "preceding", "same", "that"])
_TZ = r"(?-i:[ECMP][SD]T|GMT|UTC|BST|CET|CEST|JST|local time|Eastern time|Pacific time)"
_AMPM = r"(?P<ap>[ap]\.?m\.?(?!\w)|[ap]\.m(?!\w)|o['’]clock)"

RULE_PATTERNS: list[tuple[str, str]] = [
    # 2025-03-31, 2025-03-31T15:00, 2025/03/31
    ("iso", r"(?<![\w.-])(?P<y>\d{4})(?P<sep>[-/])(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])"
            r"(?:[T ](?P<hh>[01]\d|2[0-3]):(?P<mm>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?Z?)?(?![\w:]|[.,]\d)"),
    # 03/04/25, 31.03.2025 (read with date_order)
    ("numeric", r"(?<![\w./-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{4}|\d\d)"
                r"(?![\w/%-]|[.,]\d)"),
    # (Tuesday,) March 31(, 2025); mid-March 31 is not a thing but "early March 3" is harmless
    ("mdy", rf"{START}(?:{_W('wd')},?{S})?(?:{_PREMOD})?{_M('mon')}{S}?{day('day')}"
            rf"(?:,?{S}{year('year')}|,{S}?{year('year2')})?"),
    # (Tuesday,) (the) 31(st) (of) March (2025); 28 Mar, 2025; 28-Mar-2025
    ("dmy", rf"{START}(?:{_W('wd')},?{S})?(?:the{S})?{day('day')}(?:{S}of)?(?:{S}|-(?=[A-Za-z]{{3}}-\d))"
            rf"{_M('mon')}(?:,?{S}{year('year')}|-{year('year2')})?"),
    # March 2025, mid-March 2025, March of 2025
    ("month_year", rf"{START}(?:{_RANGE_START}|{_PREMOD})?{_M('mon')},?{S}(?:of{S})?{year('year')}"),
    # (last|next|this|early|late) March
    ("month", rf"{START}(?:{_RANGE_START}|{_PREMOD_IN}{S}?)?(?:(?P<rel>{_REL}){S})?{_M('mon')}"
              rf"(?!{S}?\d)"),
    # fiscal 1989, mid-1996, the end of 1990, 1989's, the 1988 period
    ("year", rf"{START}(?:{_RANGE_START}|{_PREMOD})?(?:(?P<the>the){S})?"
             rf"(?:(?P<fiscal>fiscal(?:{S}year)?|FY|calendar(?:{S}year)?|model{S}year|the{S}year){S}?)?"
             rf"(?P<year>1[5-9]\d\d|20\d\d)(?!\w|%|['’‘](?!s\b)|[.,]\d|-\d|/\d)(?:{S}(?P<period>period))?"),
    ("year_short", rf"(?<![\w$£€.-])(?:(?P<fiscal>fiscal|FY){S}?['’‘]?|(?<![\w’'‘])['’‘])(?P<yy>\d\d)"
                   rf"(?![\w%’']|[.,]\d)"),
    # the 1980s, the mid-1990s, the '80s, the eighties
    ("decade", rf"{START}(?:(?P<the>the){S})?(?:{_PREMOD})?(?:(?P<cent>1\d|20)(?P<dec>\d)0['’]?s"
               rf"|['’‘](?P<dec2>\d)0s|(?P<word>twenties|thirties|forties|fifties|sixties|seventies|"
               rf"eighties|nineties))(?!\w|['’](?!s\b))"),
    # the 20th century, this century
    ("century", rf"{START}(?:(?P<the>the){S})?(?:{_PREMOD})?(?:(?P<n>\d{{1,2}})(?:st|nd|rd|th)"
                rf"|(?P<nw>{_words(list(ORDINALS))})|(?P<rel>this|last|next|past|previous)){H}"
                rf"centur(?:y|ies)(?![\w-])"),
    # (the) (fiscal) third(-)quarter (of 1989), the year-ago quarter, Q3 2025, 3Q
    ("quarter", rf"{START}(?:(?P<the>the){S})?"
                rf"(?:(?P<qy>1\d{{3}}|20\d\d)(?:['’]s)?{S}|(?P<qrel>this|last|next){S}year['’]s{S})?"
                rf"(?:(?P<adj>fiscal|calendar|current|latest|last|previous|past|prior|next|coming|same"
                rf"|comparable|year-ago|year-earlier|year[ -]before|recent|final|most{S}recent|corresponding"
                rf"|just-ended|just{S}ended|latest{S}fiscal|fiscal{S}(?:1\d{{3}}|20\d\d)){H}){{0,3}}"
                rf"(?:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|final|last){H}?)?"
                rf"(?:quarter(?P<pl>s)?|(?<=[a-z] )period)(?![\w-])"
                rf"(?:{S}(?:of{S}(?:fiscal{S})?)?(?P<qy2>1\d{{3}}|20\d\d)(?![\w%]))?"
                rf"(?:{S}(?P<ago>a{S}year{S}(?:ago|earlier)))?"
                rf"|{START}(?P<qq>Q[1-4]|[1-4]Q)(?:{S}?(?P<qy3>1\d{{3}}|20\d\d|['’]\d\d))?(?!\w)"),
    # the first half of 1990, the second half
    ("half", rf"{START}(?:(?P<the>the){S})?(?:(?P<qy>1\d{{3}}|20\d\d)(?:['’]s)?{S}|(?P<qrel>this|last|next)"
             rf"{S}year['’]s{S})?(?:(?:fiscal|calendar){S})?(?P<ord>first|second|latter|last|1st|2nd)"
             rf"{H}half(?![\w-])(?:{S}of{S}(?:(?P<ofy>(?:the|this|last|next){S}year)|(?:fiscal{S})?"
             rf"(?P<qy2>1\d{{3}}|20\d\d)))?"),
    # last week, earlier this month, the coming year, this past spring, the same day
    ("relunit", rf"{START}(?:{_RANGE_START}|{_PREMOD_IN}{S})?(?:(?P<the>the){S})?"
                rf"(?:(?P<rel>{_REL}){S})(?:(?P<fiscal>fiscal|calendar|school|financial){S})?"
                rf"(?P<unit>week|weekend|month|quarter|year|decade|spring|summer|fall|autumn|winter|season"
                rf"|day|morning|afternoon|evening|night)(?![\w-])"),
    # the year, the weekend, the week, the month, the day, the summer, the future, the past
    ("definite", rf"{START}(?:{_RANGE_START}|{_PREMOD_IN}{S})?(?P<the>the){S}"
                 rf"(?:(?P<adj>full|entire|whole|fiscal|calendar|same|early|late|very){S})?"
                 rf"(?P<unit>year|month|week|weekend|spring|summer|fall|autumn|winter|future|past"
                 rf"|present|near{S}future|near{S}term|long{S}term|short{S}term)(?![\w-])"),
    # years in words, as in transcripts: nineteen eighty-four, two thousand and five, May nineteen ninety
    ("year_words", rf"{START}(?:(?P<the>the{S}year){S}|{_M('mon')}{S}(?:of{S})?)?"
                   rf"(?P<words>(?:nineteen|eighteen|twenty)(?:{S}|-)(?:hundred|{_words(list(TENS))}"
                   rf"(?:(?:-|{S}){_words(_DIGIT_WORDS)})?|{_words(_TEENS)}"
                   rf"|o(?:h)?(?:-|{S}){_words(_DIGIT_WORDS)})|two{S}thousand(?:(?:{S}and)?{S}"
                   rf"{_words([*_DIGIT_WORDS, *_TEENS])})?)(?![\w-])"),
    # a season with a year: summer 1990, the spring of 1991
    ("season_year", rf"{START}(?:{_PREMOD})?(?:the{S})?(?P<season>spring|summer|fall|autumn|winter)"
                    rf"(?:{S}of)?{S}(?P<year>1\d{{3}}|20\d\d)(?![\w%])"),
    # (last|next|this) Friday (morning), Fridays
    ("weekday", rf"{START}(?:(?P<pre>early|late){S})?(?:(?P<rel>last|next|this|this{S}past|this{S}coming"
                rf"|following|previous|that){S})?{_W('wd', plural=True)}"
                rf"(?:{S}(?P<pod>morning|afternoon|evening|night|overnight))?"),
    # today, yesterday morning, now, recently, this morning, tonight
    ("deictic", rf"{START}(?:(?P<pre>early|late|later|earlier){S})?"
                rf"(?P<word>today|tonight|yesterday|tomorrow|now|nowadays|currently|recently|lately"
                rf"|these{S}days|right{S}now|just{S}now|year-end|year{S}end|recent|current)(?![\w-])(?:{S}(?P<pod>morning|afternoon|evening|night))?"),
    # durations, counted: (about) (the past) three (more) years (ago|earlier|later|old)
    ("duration", rf"{START}(?:(?P<q>about|around|roughly|approximately|nearly|almost|some|only|just|over"
                 rf"|under|within|more{S}than|less{S}than|fewer{S}than|at{S}least|at{S}most|no{S}more{S}than"
                 rf"|up{S}to|upwards{S}of|well{S}over|as{S}many{S}as|as{S}much{S}as|as{S}long{S}as|another"
                 rf"|a{S}further|an{S}additional|each{S}of){S})?(?:(?P<the>the){S})?"
                 rf"(?:(?P<dir>past|last|next|first|coming|previous|final|latest|following|ensuing|preceding"
                 rf"|subsequent|initial|remaining|same|other|additional|further|year-earlier|year-ago|"
                 rf"prior|recent|early){S}){{0,2}}"
                 rf"{NUMBER}(?:{S}or{S}so|{S}(?:to|or){S}(?P<num2>\d+|{_NUM_WORD}))?(?:{S}|-)"
                 rf"(?:(?P<extra>more|additional|extra|straight|consecutive|full|trading|business|working"
                 rf"|calendar|long|short|fiscal)(?:{S}|-))?"
                 rf"(?P<unit>{_UNIT_WORDS})(?P<pl>s)?(?:(?P<adjform>-old|-long|-plus)|(?![\w-]))"
                 rf"(?:{S}and{S}a{S}half(?![\w-]))?"
                 rf"(?:{S}(?P<post>(?:or{S}so{S})?(?:ago|earlier|later)|before|after|from{S}now|hence|or{S}so|old|in{S}a{S}row"
                 rf"|running|straight|back)(?![\w-]))?"),
    # bare plural units: for years, in recent weeks, the coming months
    ("vague", rf"{START}(?:(?P<ctx>for|in|over|within|during){S})?(?P<core>(?:the{S})?"
              rf"(?:(?P<lead>recent|coming|past|last|next|early|ensuing|following|previous){S})?(?P<unit>seconds|minutes|hours|days|weeks"
              rf"|months|years|decades|centuries)(?![\w-])(?:{S}(?P<post>ago|ahead|to{S}come))?)"),
    # daily, quarterly, every day, each Thursday, per year
    ("set", rf"{START}(?:(?P<freq>{_words(list(FREQUENCIES))})(?![\w-])"
            rf"|(?P<each>every|each|per)(?:{S}(?P<other>other|single))?"
            rf"(?:{S}(?P<n>\d+|{_NUM_WORD}))?{S}(?:(?P<unit>{_UNIT_WORDS})s?(?![\w-])"
            rf"|{_W('wd')}|{_M('mon')}|(?P<pod>morning|afternoon|evening|night)(?![\w-])"
            rf"|(?P<season>spring|summer|fall|autumn|winter)(?![\w-])))"),
    # 10:35 a.m. (EST) (Tuesday), noon Saturday, Friday at 3 p.m., 15:00 GMT
    ("time", rf"{START}(?:(?P<wd0>{_cased(_FULL_DAYS)}|today|tomorrow|yesterday|tonight){S}(?:at{S})?)?"
             rf"(?:(?P<q>around|about|at{S}about|shortly{S}(?:after|before)|just{S}(?:after|before)){S})?"
             rf"(?:(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<mi>[0-5]\d))?{S}?{_AMPM}"
             rf"|(?P<h24>[01]\d|2[0-3]):(?P<m24>[0-5]\d)(?={S}?(?:{_TZ}|h(?:ou)?rs\b|local\b))"
             rf"|(?P<named>noon|midnight|midday|mid-?afternoon|mid{S}afternoon|mid-?morning|dawn|dusk)"
             rf"(?![\w-]))(?:{S}(?P<tz>{_TZ}))?(?:{S}in{S}the{S}(?P<pod>morning|afternoon|evening))?"
             rf"(?:,?{S}(?:(?:on|this|next|last){S})?(?:(?P<wd>{_cased(_FULL_DAYS)})(?!\w|['’](?!s\b))"
             rf"|(?P<dw>today|tomorrow|yesterday|tonight)(?![\w-])|{_M('mon')}{S}?{day('day')}"
             rf"(?:,?{S}(?P<year>1\d{{3}}|20\d\d)(?!\d))?))?"),
    # the year-ago period, year-earlier (as an adjective)
    ("yearago", rf"{START}(?:(?P<the>the){S})?(?:(?:comparable|corresponding|same){S})?year{H}?"
                rf"(?P<word>ago|earlier|before)(?![\w-])(?:{S}(?P<period>period|quarter|month|week))?"),
    ("holiday", rf"{START}(?P<name>{_cased(['christmas', 'halloween', 'thanksgiving', 'easter'])}"
                rf"(?:{S}(?-i:Day|Eve|Sunday))?|(?-i:New Year['’]s (?:Day|Eve)|Independence Day"
                rf"|Valentine['’]s Day|Veterans Day|Boxing Day|Good Friday|Labor Day|Memorial Day))"
                rf"(?!\w|['’](?!s\b))"
                rf"(?:,?{S}(?P<year>1\d{{3}}|20\d\d)(?!\d))?"),
    # the same day, that day, the day before, the next morning, the following week
    ("anaphor", rf"{START}(?:(?P<that>that|the{S}same|that{S}same|the{S}(?P<dir>next|following|previous|"
                rf"preceding|prior)){S}(?P<unit>day|morning|afternoon|evening|night|week|month|year)"
                rf"|the{S}(?P<unit2>day|week|month|year){S}(?P<dir2>before|after|earlier))(?![\w-])"),
]  # fmt: skip

#: (rule name, compiled pattern, priority: lower wins ties between equally long overlapping matches)
RULES: tuple[tuple[str, re.Pattern[str], int], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE), prio) for prio, (name, pattern) in enumerate(RULE_PATTERNS)
)
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: Rules that can only match where one of these lower-case strings occurs: a paragraph without any
#: of them skips the rule (a substring test is far cheaper than scanning with the rule). Each rule's
#: strings must cover every match it can make: ``tests/extract/test_timex_grammar.py`` checks it.
GATES: dict[str, tuple[str, ...]] = {
    "iso": tuple("0123456789"),
    "numeric": ("/", ".", "-"),
    "mdy": _MONTH_STEMS,
    "dmy": _MONTH_STEMS,
    "month_year": _MONTH_STEMS,
    "month": _MONTH_STEMS,
    "year": ("15", "16", "17", "18", "19", "20"),
    "year_short": ("'", "’", "‘", "fy", "fiscal"),
    "decade": ("0s", "0's", "0’s", "ties"),
    "century": ("centur",),
    "quarter": ("quarter", "period", "q1", "q2", "q3", "q4", "1q", "2q", "3q", "4q"),
    "half": ("half",),
    "relunit": ("week", "month", "quarter", "year", "decade", "spring", "summer", "fall", "autumn",
                "winter", "season", "day", "morning", "afternoon", "evening", "night"),
    "definite": ("year", "month", "week", "spring", "summer", "fall", "autumn", "winter", "future",
                 "past", "present", "term"),
    "year_words": ("nineteen", "eighteen", "twenty", "thousand"),
    "season_year": ("spring", "summer", "fall", "autumn", "winter"),
    "weekday": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    "deictic": ("today", "tonight", "yesterday", "tomorrow", "now", "recent", "lately", "days", "year",
                "current"),
    "duration": ("sec", "min", "hour", "hr", "day", "night", "week", "fortnight", "month", "quarter",
                 "year", "yr", "decade", "centur", "millenni"),
    "vague": ("seconds", "minutes", "hours", "days", "weeks", "months", "years", "decades", "centuries"),
    "set": (*FREQUENCIES, "every", "each", "per"),
    "time": ("am", "pm", "a.m", "p.m", "o'clock", "o’clock", ":", "noon", "midnight", "midday",
             "afternoon", "morning", "dawn", "dusk"),
    "yearago": ("year",),
    "holiday": ("christmas", "halloween", "thanksgiving", "easter", "new year", "independence day",
                "valentine", "veterans day", "boxing day", "good friday", "labor day", "memorial day"),
    "anaphor": ("day", "morning", "afternoon", "evening", "night", "week", "month", "year"),
}  # fmt: skip
#: A blank line: no rule's match crosses one (a gap between words holds at most one line break).
PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0\r]*\n")
#: Cheap pre-check: a text without a digit or any of these stems has no temporal expression.
HINT = re.compile(
    r"\d|day|week|month|year|quarter|centur|decade|now|current|recent|lately|ago|night|morning|noon"
    r"|evening|time|spring|summer|fall|autumn|winter|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|mon|tue|wed|thu|fri|sat|sun|hour|minute|second|past|future|christmas|easter|half|ties|ies|morrow"
    r"|night|ly\b",
    re.IGNORECASE,
)
