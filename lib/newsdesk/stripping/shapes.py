"""Dump shapes: how a scraper laid a page out, and the units the line classifier scores.

Analysts do not choose their scraper, so a dump is first read as one of four shapes:

- ``lines``: layout text (html-text, inscriptis, most scrapers): one block per line; a unit is a line.
- ``excerpt``: short layout text (at most :data:`EXCERPT_MAX_CHARS` characters, a line break in it)
  whose last line reads as a sentence cut short (:func:`cut_short`): a page's beginning cut at a
  character budget. Read as ``lines``, but decided by a model of its own, which does not assume that
  a page footer or comment section follows, and drops the cut line. (A stripped body seldom ends so,
  and is read as ``lines`` again; a short text that ends a sentence is too.)
- ``markdown``: html2text-style Markdown: a unit is a line with its markup read and left out (heading
  marks, list bullets, block quotes, emphasis, escapes, images, link targets and reference
  definitions), so the body is plain text.
- ``blob``: few or no line breaks (BeautifulSoup ``get_text``): its long lines are cut into
  sentence-sized units, so chrome at the start and end of the page can be cut (also where a sentence
  opens right after a menu, which has no full stop to cut at). A blob's stripped body
  (its units, one a line, and no blank line, which layout text puts between its paragraphs) is read
  as a blob too, so it is decided by the same model when it is stripped again.

In every shape a line longer than :data:`MAX_LINE_CHARS` is cut into sentences, and a unit never
exceeds :data:`MAX_UNIT_CHARS`, so no input makes the classifier's work superlinear.

:func:`read_shape` returns a :class:`View`: the units joined by "\\n" (what the classifier reads) and,
for every unit, its *pieces*: verbatim runs of the loaded text whose concatenation is the unit. So
every offset in a unit maps back to the loaded text exactly, even where Markdown was left out. Cutting
is local (a cut depends only on the characters around it) and a unit holds no place where it would be
cut, which is why reading a stripped body again gives the same units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

SHAPES: tuple[str, ...] = ("lines", "markdown", "blob", "excerpt")
#: Layout text of at most this many characters (with a line break in it) is an excerpt.
EXCERPT_MAX_CHARS = 2100
#: A dump of at least this many characters ...
BLOB_MIN_CHARS = 200
#: ... whose lines longer than :data:`MAX_LINE_CHARS` hold at least this share of its characters
#: is a blob (so is a one-line dump of 200+ characters).
BLOB_SHARE = 0.5
#: Layout text of at least :data:`BLOB_MIN_CHARS` characters in at least this many lines, without a
#: blank line and with at most this many sentence ends inside a line per line is a blob's body (its
#: sentences, one a line), so a blob too.
BLOB_BODY_MIN_LINES = 3
BLOB_BODY_MAX_CUTS = 0.1
#: ... and at least this share of its lines ending a sentence (a blob's body is its kept sentences;
#: layout text written without blank lines has menu items and headings: 56 of the kit's 484 layout
#: pages, their blank lines removed, read as a blob's body without this, 1 with it).
BLOB_BODY_MIN_ENDS = 0.6
#: In every shape, a line (a Markdown line without its markup) longer than this is cut into
#: sentence-sized units. The rule is the same everywhere and looks at one line only, so the units of
#: a stripped body, read again in whatever shape it has, are the units it was made of.
MAX_LINE_CHARS = 1000
#: A unit longer than this is cut at its last space before the limit (or at the limit).
MAX_UNIT_CHARS = 2000
#: Markdown signals (links and headings) a dump needs to be read as Markdown ...
MARKDOWN_MIN_SIGNALS = 3
#: ... and the share of its non-blank lines that carry one.
MARKDOWN_MIN_SHARE = 0.05

# A sentence end ("." "!" "?" "…" or a closing quote after one), the white space after it, then what
# opens a sentence. The space is where a unit ends; "Mr. Smith"-style abbreviations are not cut.
_SENTENCE_CUT_RE = re.compile(
    r"(?<=[.!?…\"”’])(?<!\b[A-Z]\.)(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|No|vs|Mt|Lt|Co)\.)"
    r"(?<!\b(?:Mrs|Gen|Gov|Sen|Rep|Sgt|Col|Maj|Inc|Ltd)\.)[ \t](?=[\"“‘(\[]?[A-Z0-9])"
)
#: A line cut inside a sentence has at least this many words ...
CUT_MIN_WORDS = 8
#: ... and at most this share of them capitalised (so it is no headline).
CUT_MAX_CAPITALISED = 0.5
_LETTERS_RE = re.compile(r"[^\W\d_]+")
# The end of a line that ends a sentence or opens what follows (a colon).
_SENTENCE_END_RE = re.compile(r"[.!?…。！？:][\"'”’)\]»]{0,3}\s*$")
_MD_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S", re.M)
_MD_HEADING_LEVEL_RE = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+\S")
_MD_LINK_RE = re.compile(r"\]\([^()\s]{0,2000}")
# What a Markdown line starts with: block quote marks, then a heading mark or a list bullet.
_MD_PREFIX_RE = re.compile(r"[ \t]{0,16}(?:>[ \t]?){0,8}(?:#{1,6}[ \t]+|(?:[*+-]|\d{1,4}\\?[.)])[ \t]+)?")
_MD_RULE_RE = re.compile(r"[ \t]{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_MD_REFERENCE_RE = re.compile(r"[ \t]{0,3}\[[^\]\n]{1,200}\]:[ \t]*\S+")
# Inline markup left out of a Markdown line: images (whole), link targets (with the "[" they close),
# emphasis marks, backslash escapes and a heading's closing hashes.
_MD_INLINE_RE = re.compile(
    r"(?P<image>!\[[^\[\]\n]{0,500}\]\([^()\s]{0,2000}(?:[ \t]+\"[^\"\n]{0,300}\")?\))"
    r"|(?P<target>\]\([^()\s]{0,2000}(?:[ \t]+\"[^\"\n]{0,300}\")?\))"
    r"|(?P<open>\[)"
    r"|(?P<emphasis>(?<![\w*\\])(?:\*\*|__|\*|_)(?=[^\s*_])|(?<=[^\s*_\\])(?:\*\*|__|\*|_)(?![\w*]))"
    r"|(?P<escape>\\(?=[\\`*_{}\[\]()#+\-.!>|]))"
    r"|(?P<closing>[ \t]+#{1,6}[ \t]*$)"
)


@dataclass(frozen=True)
class View:
    """A dump read as units.

    ``text`` is the units joined by "\\n". Piece ``k`` is the loaded text's
    ``[starts[k], starts[k] + lengths[k])``, found at ``view_starts[k]`` in ``text``, inside unit
    ``units[k]``; every unit has at least one piece (an empty one for an empty unit). A Markdown
    view also knows each unit's heading level.
    """

    shape: str
    text: str
    units: np.ndarray
    starts: np.ndarray
    view_starts: np.ndarray
    lengths: np.ndarray
    heading_levels: np.ndarray | None = None  # per unit of a Markdown dump: 1 for "# ", 0 for none
    markdown_signals: int = 0  # Markdown links and headings in the loaded text


def markdown_signals(text: str) -> int:
    """Markdown links and headings in ``text`` (counted up to 10,000 links)."""
    links = 0
    if "](" in text:  # most dumps have no link: no pattern to run
        links = sum(1 for _ in zip(range(10_000), _MD_LINK_RE.finditer(text), strict=False))
    headings = len(_MD_HEADING_RE.findall(text)) if "#" in text else 0
    return links + headings  # layout text has bullets too, not these


def cut_short(line: str) -> bool:
    """Whether ``line`` reads as a sentence cut short (the text was cut at a character budget): at
    least :data:`CUT_MIN_WORDS` words (runs of letters), mostly lower case, no sentence end."""
    words = _LETTERS_RE.findall(line[:MAX_LINE_CHARS])
    return (
        len(words) >= CUT_MIN_WORDS
        and sum(w[:1].isupper() for w in words) <= CUT_MAX_CAPITALISED * len(words)
        and not _SENTENCE_END_RE.search(line[-40:])
    )


def detect_shape(text: str, signals: int | None = None) -> str:
    """``markdown``, ``excerpt``, ``blob`` or ``lines`` (see the module docstring); ``signals``: the
    text's :func:`markdown_signals`, when known."""
    signals = markdown_signals(text) if signals is None else signals
    if signals >= MARKDOWN_MIN_SIGNALS:
        nonblank = sum(1 for line in text.split("\n") if line.strip())
        if signals >= MARKDOWN_MIN_SHARE * nonblank:
            return "markdown"
    short = len(text) <= EXCERPT_MAX_CHARS and "\n" in text.strip()
    if short and cut_short(text.rstrip().rsplit("\n", 1)[-1]):
        return "excerpt"
    if len(text) >= BLOB_MIN_CHARS:
        long_chars = sum(n for n in map(len, text.split("\n")) if n > MAX_LINE_CHARS)
        if "\n" not in text.strip() or long_chars >= BLOB_SHARE * len(text):
            return "blob"
        if blob_body(text):
            return "blob"
    return "lines"


def blob_body(text: str) -> bool:
    """Whether ``text`` reads as a blob's body: at least :data:`BLOB_BODY_MIN_LINES` lines, no blank
    line among them (lines of white space only are blank), mostly sentences (at least
    :data:`BLOB_BODY_MIN_ENDS` of the lines end one) and about one sentence a line (at most
    :data:`BLOB_BODY_MAX_CUTS` places a long line would be cut at per line)."""
    text = text.strip()
    if "\n\n" in text:  # a blank line (most layout text): no need to look further
        return False
    lines = text.split("\n")
    if len(lines) < BLOB_BODY_MIN_LINES or not all(line.strip() for line in lines):
        return False
    ends = sum(1 for line in lines if _SENTENCE_END_RE.search(line[-40:]))
    if ends < BLOB_BODY_MIN_ENDS * len(lines):  # layout text without blank lines: menus, headings
        return False
    cuts = sum(1 for _ in zip(range(len(lines)), _SENTENCE_CUT_RE.finditer(text), strict=False))
    return cuts <= BLOB_BODY_MAX_CUTS * len(lines)


def read_shape(text: str, shape: str | None = None) -> View:
    """``text`` read as units of its (detected, or given) ``shape``, one of :data:`SHAPES`."""
    if shape is not None and shape not in SHAPES:
        raise ValueError(f"unknown dump shape {shape!r}: use one of {', '.join(SHAPES)}")
    signals = markdown_signals(text)
    shape = shape or detect_shape(text, signals)
    view = _markdown_view(text) if shape == "markdown" else _cut_view(text, shape)
    return replace(view, markdown_signals=signals)


def unit_spans(line: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the units of one line: the line itself, or its sentences when it is
    longer than :data:`MAX_LINE_CHARS` (also cut where a sentence opens after chrome, see
    :func:`_opener_cuts`), each at most :data:`MAX_UNIT_CHARS` long (cut at its last space before the
    limit, else at the limit). The white space at a cut belongs to no unit."""
    if len(line) <= MAX_LINE_CHARS:
        return [(0, len(line))]
    spans: list[tuple[int, int]] = []
    start = 0
    cuts = sorted({*(m.start() for m in _SENTENCE_CUT_RE.finditer(line)), *_opener_cuts(line)})
    for cut in [*cuts, len(line)]:
        while cut - start > MAX_UNIT_CHARS:
            limit = start + MAX_UNIT_CHARS
            space = line.rfind(" ", start + 1, limit)
            spans.append((start, space if space > start else limit))
            start = space + 1 if space > start else limit
        spans.append((start, cut))
        start = cut + 1
    return spans


# Words that open a sentence (capitalised there), and gerunds ("Giving", "Looking"): never a name. Not
# "I" or "May", which are capitalised inside a sentence too ("... John Early I caught").
_OPENERS = (
    "The A An In On At As If When While With For From By To So But And Or After Before Since Although Though "
    "Because During Despite Under Over Its It This That These Those There Here What Why How Who Where Which "
    "We You He She They Our Your My His Her Their Are Is Was Were Do Does Did Have Has Had Can Could Will "
    "Would Should Might Not No Every Each Many Most Some All Any More Few Ever Never Now Today Yesterday "
    "Last Next One Imagine Whether Once Just Even Only Let"
)
_OPENER_CUT_RE = re.compile(rf"[ \t](?=[A-Z])(?=(?:{'|'.join(_OPENERS.split())}|[A-Z][a-z]{{2,}}ing)[ \t,])")
_OPENER_CONTEXT_CHARS = 120  # characters looked at on either side of an opening word
_OPENER_LOWER_WITHIN = 8  # words after the opening word in which two lower-case words must follow


def _opener_cuts(line: str) -> list[int]:
    """Where a sentence starts right after chrome: an opening word (:data:`_OPENERS`) after two words
    that are not lower case (menu items, a byline's name and date), followed within
    :data:`_OPENER_LOWER_WITHIN` words (of its sentence) by two lower-case words in a row. A blob
    glues the article's first sentence to the menu before it ("... Contact Us Ever wonder how coffee
    was discovered?"), which would drop the sentence with the menu. Both sides are looked at only a
    few words deep, so a cut depends only on the text around it, and a unit holds no place where it
    would be cut."""
    cuts = []
    for m in _OPENER_CUT_RE.finditer(line):
        at = m.start()
        before = line[max(0, at - _OPENER_CONTEXT_CHARS) : at].split()[-2:]
        if len(before) < 2 or any(word[:1].islower() for word in before):
            continue
        lower = []
        for word in line[at + 1 : at + 1 + _OPENER_CONTEXT_CHARS].split()[1 : 1 + _OPENER_LOWER_WITHIN]:
            lower.append(word[:1].islower())
            if word[-1] in ".!?…":  # the words of this sentence only
                break
        if any(a and b for a, b in pairwise(lower)):
            cuts.append(at)
    return cuts


def _cut_view(text: str, shape: str) -> View:
    """Lines (long lines cut into sentence-sized units) of ``text``: one piece per unit."""
    lines = text.split("\n")
    lengths = np.fromiter(map(len, lines), np.int64, len(lines))
    line_starts = np.cumsum(lengths + 1) - lengths - 1
    if not (lengths > MAX_LINE_CHARS).any():
        return View(shape, text, np.arange(len(lines)), line_starts, line_starts.copy(), lengths)
    starts: list[int] = []
    ends: list[int] = []
    for line, at in zip(lines, line_starts.tolist(), strict=True):
        for start, end in unit_spans(line):
            starts.append(at + start)
            ends.append(at + end)
    piece_starts = np.asarray(starts, np.int64)
    piece_lengths = np.asarray(ends, np.int64) - piece_starts
    view_starts = np.cumsum(piece_lengths + 1) - piece_lengths - 1
    view = "\n".join(text[s:e] for s, e in zip(starts, ends, strict=True))
    return View(shape, view, np.arange(len(starts)), piece_starts, view_starts, piece_lengths)


def _cut_pieces(pieces: list[tuple[int, int]], line: str) -> list[list[tuple[int, int]]]:
    """The pieces of one Markdown line grouped into its units: the text they make is cut by
    :func:`unit_spans`, and a piece that spans a cut is split there."""
    offsets = [0]
    for start, end in pieces:
        offsets.append(offsets[-1] + end - start)
    text = "".join(line[s:e] for s, e in pieces)
    units: list[list[tuple[int, int]]] = []
    k = 0
    for unit_start, unit_end in unit_spans(text):
        unit: list[tuple[int, int]] = []
        while k < len(pieces) and offsets[k + 1] <= unit_start:
            k += 1
        j = k
        while j < len(pieces) and offsets[j] < unit_end:
            start, _ = pieces[j]
            lo = max(unit_start, offsets[j]) - offsets[j]
            hi = min(unit_end, offsets[j + 1]) - offsets[j]
            if hi > lo:
                unit.append((start + lo, start + hi))
            j += 1
        if not unit:  # an empty unit still maps to a place in the line
            at = pieces[k][0] if k < len(pieces) else len(line)
            unit = [(at, at)]
        units.append(unit)
    return units


def _markdown_line_pieces(line: str) -> list[tuple[int, int]]:
    """The runs of a Markdown line that are text: ``(start, end)`` offsets in the line."""
    if _MD_RULE_RE.match(line) or _MD_REFERENCE_RE.match(line):
        return []
    removed: list[tuple[int, int]] = []
    prefix = _MD_PREFIX_RE.match(line)
    begin = prefix.end() if prefix else 0
    removed.append((0, begin))
    opens: list[int] = []
    for m in _MD_INLINE_RE.finditer(line, begin):
        kind = m.lastgroup
        if kind == "open":
            opens.append(len(removed))
            removed.append((m.start(), m.start()))  # filled in if a link target closes it
        elif kind == "target":
            if opens:
                at = opens.pop()
                removed[at] = (removed[at][0], removed[at][0] + 1)
            removed.append(m.span())
        else:
            removed.append(m.span())
    pieces: list[tuple[int, int]] = []
    position = 0
    for start, end in sorted(removed):
        if start > position:
            pieces.append((position, start))
        position = max(position, end)
    if position < len(line):
        pieces.append((position, len(line)))
    return pieces


def _markdown_view(text: str) -> View:
    """A Markdown dump: one unit per line, each line's text without its markup (long lines cut)."""
    units: list[int] = []
    starts: list[int] = []
    lengths: list[int] = []
    view_parts: list[str] = []
    levels: list[int] = []
    unit = 0
    at = 0
    for line in text.split("\n"):
        heading = _MD_HEADING_LEVEL_RE.match(line)
        pieces = _markdown_line_pieces(line) or [(0, 0)]
        long = sum(end - start for start, end in pieces) > MAX_LINE_CHARS
        for unit_pieces in _cut_pieces(pieces, line) if long else [pieces]:
            levels.append(len(heading.group(1)) if heading else 0)
            for start, end in unit_pieces:
                units.append(unit)
                starts.append(at + start)
                lengths.append(end - start)
            view_parts.append("".join(line[s:e] for s, e in unit_pieces))
            unit += 1
        at += len(line) + 1
    unit_of = np.asarray(units, np.int64)
    piece_lengths = np.asarray(lengths, np.int64)
    unit_lengths = np.bincount(unit_of, weights=piece_lengths, minlength=unit).astype(np.int64)
    unit_view_starts = np.cumsum(unit_lengths + 1) - unit_lengths - 1
    within = np.cumsum(piece_lengths) - piece_lengths
    first_of_unit = np.searchsorted(unit_of, unit_of)
    within = within - within[first_of_unit]
    view_starts = unit_view_starts[unit_of] + within
    piece_starts = np.asarray(starts, np.int64)
    return View(
        "markdown",
        "\n".join(view_parts),
        unit_of,
        piece_starts,
        view_starts,
        piece_lengths,
        np.asarray(levels, np.int64),
    )
