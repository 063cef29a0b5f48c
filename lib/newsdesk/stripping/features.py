"""Cheap line features for the boilerplate stripper.

Everything is computed with whole-document passes (one regex scan per pattern family, numpy
cumulative sums over a per-character class array) so a document of any size costs linear time;
per-line Python work is limited to a strip and a dictionary look-up. ``base_features`` describes
each non-blank line and its neighbourhood; ``context_features`` adds the first-pass keep
probabilities of the neighbours (stacking).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, repeat
from typing import Any

import numpy as np

from newsdesk.stripping.clutter import CLUTTER_PATH, ClutterMatcher, read_phrases

# character class bits
_ALPHA, _UPPER, _DIGIT, _SPACE, _TERM, _PUNCT, _SEP, _COMMA = 1, 2, 4, 8, 16, 32, 64, 128
_BULLET, _CLOSER = 256, 512
_SEP_CHARS = "|•·»«›‹/\\<>►▸▪●○◦■□→←"
_TERM_CHARS = ".!?…。！？"
_BULLETS = frozenset("•·-–—*►▸▪●○◦■□→✓✔➤")
_CLOSERS = frozenset("\"'”’)]»")
_TABLE: np.ndarray | None = None


def _class_table() -> np.ndarray:
    """Class bits for every BMP code point (built once, ~15 ms); index 0x10000 = astral."""
    global _TABLE
    if _TABLE is None:
        chars = list(map(chr, range(0x10000)))

        def has(test: Any) -> np.ndarray:
            return np.fromiter(map(test, chars), bool, len(chars))

        alpha, upper, digit, space = has(str.isalpha), has(str.isupper), has(str.isdigit), has(str.isspace)
        table = np.full(0x10001, _PUNCT, np.uint16)
        table[:-1][space] = _SPACE
        table[:-1][digit & ~alpha] = _DIGIT
        table[:-1][alpha] = _ALPHA
        table[:-1][alpha & upper] = _ALPHA | _UPPER
        for chars_, bit in (
            (_SEP_CHARS, _SEP), (_TERM_CHARS, _TERM), (",;", _COMMA), (_BULLETS, _BULLET), (_CLOSERS, _CLOSER)
        ):
            for c in chars_:
                table[ord(c)] |= bit
        _TABLE = table
    return _TABLE


_FOLD: np.ndarray | None = None


def _fold_table() -> np.ndarray:
    """Lower-case code point of every BMP code point (the first one where lowering gives several)."""
    global _FOLD
    if _FOLD is None:
        _FOLD = np.fromiter((ord(chr(c).lower()[:1] or chr(c)) for c in range(0x10000)), np.uint32, 0x10000)
    return _FOLD


_HASH_MUL = 0x9E3779B97F4A7C15  # odd: it has an inverse modulo 2**64
_HASH_INV = pow(_HASH_MUL, -1, 1 << 64)
_HASH_CHUNK = 1 << 20  # characters hashed at once (bounded memory on huge documents)


_POWERS: dict[int, np.ndarray] = {}


def _powers(base: int, n: int) -> np.ndarray:
    """base**0 .. base**(n-1) modulo 2**64 (kept and grown between calls; n stays below a chunk)."""
    have = _POWERS.get(base)
    if have is None or len(have) < n:
        size = max(n, 2 * len(have) if have is not None else 1 << 15)
        have = np.ones(size, np.uint64)
        have[1:] = np.cumprod(np.full(size - 1, base, np.uint64))
        _POWERS[base] = have
    return have[:n]


def _hash_words(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Polynomial hash (mod 2**64) of every run of letters and digits in ``text``, case-folded, and
    the number of line breaks before it."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    small = np.minimum(cp, 0x10000)
    word = (_class_table()[small] & (_ALPHA | _DIGIT)) != 0
    edge = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
    start, end = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
    value = _fold_table()[np.minimum(cp, 0xFFFF)].astype(np.uint64)
    astral = cp > 0xFFFF
    if astral.any():
        value[astral] = cp[astral]
    value += np.uint64(1)
    prefix = np.zeros(len(cp) + 1, np.uint64)
    np.cumsum(value * _powers(_HASH_MUL, len(cp)), out=prefix[1:])
    hashes = (prefix[end] - prefix[start]) * _powers(_HASH_INV, len(cp))[start]
    return hashes.view(np.int64), np.searchsorted(np.flatnonzero(cp == 10), start)


def word_hashes(stripped: list[str], max_words: int, max_chars: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash of each word (a run of letters and digits, case-folded) among the first ``max_chars``
    characters of each line, at most ``max_words`` per line, and the index of its line."""
    n = len(stripped)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    capped = np.minimum(np.fromiter(map(len, stripped), np.int64, n), max_chars) + 1
    group = np.cumsum(capped) // _HASH_CHUNK
    bounds = [0, *(np.flatnonzero(np.diff(group)) + 1).tolist(), n]
    hashes, lines = [], []
    for a, b in pairwise(bounds):
        h, line = _hash_words("\n".join([s[:max_chars] for s in stripped[a:b]]))
        hashes.append(h)
        lines.append(line + a)
    h, line = np.concatenate(hashes), np.concatenate(lines)
    rank = np.arange(len(line)) - np.searchsorted(line, line)
    return h[rank < max_words], line[rank < max_words]


# Keyword families, looked up per ASCII word (one bytes split of the whole document).
_FAMILIES: dict[str, str] = {
    "share": "share shares sharing shared tweet facebook twitter linkedin whatsapp pinterest reddit telegram "
    "email print copy copied flipboard messenger instagram youtube tiktok social",
    "readmore": "read more also next see related recommended like stories trending popular latest must "
    "miss further news top picks articles posts",
    "comment": "comment comments reply replies leave required post login log sign subscribe subscribers "
    "newsletter cancel notify website enter username password name",
    "caption": "photo photos photograph image images picture pictured credit credits getty reuters afp "
    "shutterstock courtesy illustration caption flickr unsplash istock file source",
    "meta": "by posted published updated min mins minute minutes author authors category categories tag "
    "tags filed written edited reviewed views ago",
    "nav": "home menu search skip next previous prev back top close toggle navigation advertisement "
    "advertise sponsored accept about careers sitemap faq more view all",
    "contact": "contact phone call address tel fax support help office hours",
    "cta": "click download buy get try learn join register order shop book free now start offer",
    "legal": "copyright rights reserved privacy terms cookie cookies policy disclaimer",
}
_STOPWORDS = (
    "the and of to a an in is that for it with as was on are be this by at from have has or not but they "
    "their we you he she his her which will can would were been also its our i if so there what when who "
    "more about than into these those them had do does may could should all some one"
)
_STOP_SET = frozenset(_STOPWORDS.split())
_MONTHS = (
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august "
    "september october november december"
)
_FAMILY_NAMES = list(_FAMILIES)
_NL, _STOP, _MONTH, _YEAR, _NUM = 1, 2, 4, 8, 16
_FAM_BIT = {name: 32 << i for i, name in enumerate(_FAMILY_NAMES)}
_HINT = 32 << len(_FAMILY_NAMES)  # words that may mark a photo caption or credit
_RULE = _HINT << 1  # words a line that a stripping rule matches can start with
_RULE_WORDS = (
    "read also see related recommended you more share shareable facebook twitter linkedin whatsapp "
    "pinterest reddit email print copy tweet telegram category categories author authors tag tags filed "
    "posted photo image picture photograph illustration credit credits please enter leave post your save "
    "cancel name website comment prev previous next back skip have got questions get contact reach call tel "
    "phone fax"
)
_HINT_WORDS = "getty shutterstock afp ap reuters photo image picture photograph undated handout pictured"


def _build_codes() -> dict[bytes, int]:
    codes: dict[bytes, int] = {b"\x01": _NL}
    for name, words in _FAMILIES.items():
        for w in words.split():
            codes[w.encode()] = codes.get(w.encode(), 0) | _FAM_BIT[name]
    for w in _STOPWORDS.split():
        codes[w.encode()] = codes.get(w.encode(), 0) | _STOP
    for w in _MONTHS.split():
        codes[w.encode()] = codes.get(w.encode(), 0) | _MONTH
    for i in range(1000):
        codes[str(i).encode()] = _NUM
        codes[f"{i:02d}".encode()] = _NUM
    for y in range(1900, 2040):
        codes[str(y).encode()] = _YEAR
    for w in _HINT_WORDS.split():
        codes[w.encode()] = codes.get(w.encode(), 0) | _HINT
    for w in _RULE_WORDS.split():
        codes[w.encode()] = codes.get(w.encode(), 0) | _RULE
    for w, i in _CLUTTER.word_id.items():
        codes[w] = codes.get(w, 0) | (i << _CLUTTER_SHIFT)
    return codes


_PUNCT_BYTES = b"".join(
    bytes(range(a, b)) for a, b in ((0, 10), (11, 32), (33, 48), (58, 65), (91, 97), (123, 128))
)
_UPPER_BYTES = bytes(range(65, 91))
# punctuation and control bytes become spaces, A-Z become a-z
_TO_SPACE = bytes.maketrans(_PUNCT_BYTES + _UPPER_BYTES, b" " * len(_PUNCT_BYTES) + _UPPER_BYTES.lower())


def _tokens(text: str) -> list[bytes]:
    """Lower-cased ASCII words of ``text``; each line break is a ``b"\\x01"`` token."""
    return text.encode("ascii", "replace").translate(_TO_SPACE).replace(b"\n", b" \x01 ").split()


#: The packaged clutter phrases (``lexicons/clutter.txt``); their word ids ride in bits 16-31 of the codes.
_CLUTTER = ClutterMatcher(read_phrases(CLUTTER_PATH), _tokens)
_CLUTTER_SHIFT = 16
_CODES = _build_codes()


_LOW32 = (1 << 32) - 1


class Lexicon:
    """Learned word weights: a line's lexical score is ``bias + sum(weights) / sqrt(words)``."""

    def __init__(self, words: list[str], weights: list[float], bias: float) -> None:
        self.words = words
        self.weights = np.asarray(weights, np.float64)
        self.bias = float(bias)
        codes = dict(_CODES)
        for i, w in enumerate(words):
            key = w.encode("ascii", "replace")
            codes[key] = (codes.get(key, 0) & _LOW32) | ((i + 1) << 32)
        self.codes = codes


def _token_codes(toks: list[bytes], lexicon: Lexicon | None) -> tuple[np.ndarray, np.ndarray]:
    """Code bits of every token and its vocabulary index (-1: not in the lexicon)."""
    table = lexicon.codes if lexicon is not None else _CODES
    codes = np.fromiter(map(table.get, toks, repeat(0)), np.int64, len(toks))
    if lexicon is None:
        return codes, np.full(len(codes), -1, np.int64)
    return codes & _LOW32, (codes >> 32) - 1


def lexical_columns(score: np.ndarray) -> list[np.ndarray]:
    """Features derived from the per-line lexical score (clipped logit)."""
    z = np.clip(score, -8.0, 8.0)
    return [z, _shift(z, 1), _shift(z, -1), window_mean(z, 2), window_mean(z, 6)]


LEXICAL_NAMES = ["lex", "lex_p1", "lex_n1", "lex_w2", "lex_w6"]


def token_lines(doc: Lines, lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(non-blank line, vocabulary index) of every lexicon word, and each line's ASCII word count."""
    n = len(doc.nonblank)
    codes, vid = _token_codes(_tokens(doc.text), lexicon)
    line_of = _line_of(codes, doc)
    words = np.bincount(line_of[(codes != _NL)], minlength=n + 1)[:n].astype(np.float64)
    ok = (vid >= 0) & (line_of < n)
    return line_of[ok], vid[ok], words


def _line_of(codes: np.ndarray, doc: Lines) -> np.ndarray:
    """Non-blank line index of every token (len(doc.nonblank) for none)."""
    n = len(doc.nonblank)
    line_all = np.cumsum(codes == _NL)
    to_nb = np.full(len(doc.lines) + 1, n, np.int64)
    to_nb[doc.nonblank] = np.arange(n)
    return to_nb[line_all]


@dataclass
class Lines:
    """A text split on newlines, with character offsets and the non-blank line indices."""

    text: str
    lines: list[str]
    starts: np.ndarray
    ends: np.ndarray
    nonblank: np.ndarray
    blank: np.ndarray
    stripped: list[str]


def split_lines(text: str) -> Lines:
    """Split ``text`` on "\\n"; a line is blank when it holds only whitespace."""
    lines = text.split("\n")
    lengths = np.fromiter(map(len, lines), np.int64, len(lines))
    ends = np.cumsum(lengths + 1) - 1
    starts = ends - lengths
    stripped_all = [s.strip() for s in lines]
    mask = np.fromiter(map(bool, stripped_all), bool, len(lines))
    nonblank = np.flatnonzero(mask)
    stripped = [stripped_all[i] for i in nonblank]
    return Lines(text, lines, starts, ends, nonblank, np.flatnonzero(~mask), stripped)


def _shift(a: np.ndarray, k: int, fill: float = 0.0) -> np.ndarray:
    """``a`` shifted along its last axis by ``k`` (positive: value of the k-th previous line)."""
    out = np.full_like(a, fill)
    n = a.shape[-1]
    if 0 < k < n:
        out[..., k:] = a[..., :-k]
    elif 0 < -k < n:
        out[..., :k] = a[..., -k:]
    return out


@lru_cache(maxsize=256)
def _window_sizes(n: int, r: int) -> np.ndarray:
    """Number of lines in the window [i - r, i + r] of each of ``n`` lines, clipped at the edges."""
    idx = np.arange(n)
    return (np.minimum(idx + r + 1, n) - np.maximum(idx - r, 0)).astype(np.float64)


def window_mean(a: np.ndarray, r: int) -> np.ndarray:
    """Mean of ``a`` over the window [i - r, i + r] of its last axis, clipped at the edges."""
    n = a.shape[-1]
    # cumulative sums padded with r copies of the first (0) and last total: windows become slices
    cs = np.empty((*a.shape[:-1], n + 1 + 2 * r))
    cs[..., : r + 1] = 0.0
    np.cumsum(a, axis=-1, out=cs[..., r + 1 : r + 1 + n])
    cs[..., r + 1 + n :] = cs[..., r + n : r + 1 + n]
    return (cs[..., 2 * r + 1 :] - cs[..., :n]) / _window_sizes(n, r)


def run_length(b: np.ndarray) -> np.ndarray:
    """Length of the run of equal values of ``b`` that each line sits in (0 where ``b`` is False),
    along the last axis (one row per flag for a 2-d ``b``)."""
    rows = b.reshape(-1, b.shape[-1])
    start = np.ones(rows.shape, bool)
    start[:, 1:] = rows[:, 1:] != rows[:, :-1]
    run = np.cumsum(start.ravel()) - 1
    lengths = np.bincount(run).astype(np.float64)
    return lengths[run].reshape(b.shape) * b


def _gap(b: np.ndarray, forward: bool) -> np.ndarray:
    """Lines since the last True of ``b`` (``forward``) or until the next one; n+1 when none
    (along the last axis)."""
    n = b.shape[-1]
    idx = np.arange(n)
    if forward:
        last = np.maximum.accumulate(np.where(b, idx, -(n + 1)), axis=-1)
        return np.minimum(idx - last, n + 1).astype(np.float64)
    nxt = np.minimum.accumulate(np.where(b, idx, 2 * n + 1)[..., ::-1], axis=-1)[..., ::-1]
    return np.minimum(nxt - idx, n + 1).astype(np.float64)


def densest_run(score: np.ndarray) -> tuple[int, int]:
    """The [lo, hi) run with the largest sum of ``score`` (maximum subarray, vectorised)."""
    n = len(score)
    if n == 0:
        return 0, 0
    cs = np.zeros(n + 1)
    np.cumsum(score, out=cs[1:])
    run_min = np.minimum.accumulate(cs[:-1])
    gain = cs[1:] - run_min
    hi = int(np.argmax(gain))
    lo = int(np.argmax(cs[: hi + 1] == run_min[hi]))
    return lo, hi + 1


def _region_features(score: np.ndarray, n: int) -> list[np.ndarray]:
    """Inside flag and log distances before / after the densest run of ``score``."""
    lo, hi = densest_run(score)
    idx = np.arange(n)
    inside = ((idx >= lo) & (idx < hi)).astype(np.float64)
    before = np.log1p(np.maximum(lo - idx, 0))
    after = np.log1p(np.maximum(idx - hi + 1, 0))
    return [inside, before, after]


# per-line token counts: stop words, dates, caption hints, then one row per keyword family
_TOKEN_BITS = np.array([_STOP, _MONTH | _YEAR, _HINT, *_FAM_BIT.values()], np.int64)[:, None]
_FAM_BITS = np.array([*_FAM_BIT.values(), _RULE], np.int64)[:, None]
# per-line character counts, one row per class (see _char_counts)
_COUNT_BITS = np.array([_ALPHA, _UPPER, _DIGIT, _PUNCT, _TERM, _COMMA, _SEP], np.uint16)[:, None]


def _char_counts(cls: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Rows: alpha, upper, digit, punct, term, comma, sep, non-space, word starts, upper word starts.

    Sums run from one non-blank line's start to the next one's: the blank lines and line breaks in
    between add only white space, which none of these classes counts.
    """
    alnum = (cls & (_ALPHA | _DIGIT)) != 0
    wstart = alnum.copy()
    wstart[1:] &= ~alnum[:-1]
    rows = np.empty((10, len(cls)), np.uint8)
    rows[:7] = (cls[None, :] & _COUNT_BITS) != 0
    rows[7] = (cls & _SPACE) == 0
    rows[8] = wstart
    rows[9] = wstart & ((cls & _UPPER) != 0)
    return np.add.reduceat(rows, starts, axis=1, dtype=np.int64).astype(np.float64)


# The header of a comment section ("12 Comments", "Leave a Reply", "Join the discussion"): past the
# article's prose, what follows it is readers' comments, not the article.
_COMMENT_HEAD_RE = re.compile(
    r"(?=[\dacdjloprsvw])(?:\d+\s+(?:comments?|responses?|replies|thoughts?)(?:\s+on\b.*)?"
    r"|(?:leave|post|add|write|submit)\s+(?:a|your|the)\s+(?:reply|comment|response)\b.*"
    r"|(?:reader\s+)?comments?|responses?|discussion|conversation"
    r"|join\s+the\s+(?:discussion|conversation)|what\s+do\s+you\s+think\??"
    r"|one\s+(?:comment|response|reply|thought)(?:\s+on\b.*)?"
    r"|(?:show|load|view|see|read)\s+(?:all\s+|more\s+)?(?:\d+\s+)?comments?)"
    r"\s*[:.]?\s*(?:\(\d+\))?\s*$",
    re.I,
)
_COMMENT_HEAD_WORDS = 12
_COMMENT_HEAD_AFTER = 0.5  # share of the page's prose words a comment header must come after
# A reader's comment that opens with its stamp: an optional vote count, a name of up to three words (no
# stop word: not "We got the keys 48 hours ago"), a relative time ("10 Sara 1 year ago Can we ...",
# "Tom Baker says: ..."). Two or more of them past the article's prose open a comment section, which runs
# to the page's end (on the kit's train pages in every shape, what that drops holds no gold text).
_STAMP_NAME = r"(?:[^\W\d_][\w.'’-]*\s+){1,3}"
_COMMENT_STAMP_RE = re.compile(
    rf"(?:\d+\s+)?({_STAMP_NAME})(?:(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b"
    r"|says\s*:)",
    re.I,
)
_COMMENT_STAMP_CHARS = 60  # characters of a unit its stamp is looked for in
_COMMENT_STAMPS = 2  # stamps past the prose that open a comment section

_STAT_NAMES = [
    "n_alpha", "n_upper", "n_digit", "n_punct", "n_term", "n_comma", "n_sep", "n_char", "n_words", "n_uwords",
    "ends_term", "ends_colon", "ends_alnum", "start_upper", "start_lower", "start_digit", "start_bullet",
    "indented", "ellipsis", "n_clock", "n_stop", "n_date", "n_hint",
    *[f"fam_{f}" for f in _FAMILY_NAMES], *[f"fam0_{f}" for f in _FAMILY_NAMES], "rule0",
    "comment_stamp", "comment_head", "clutter", "clutter_cover", "n_copyright_sign", "lex",
]
STAT_ROW = {name: i for i, name in enumerate(_STAT_NAMES)}


@dataclass
class LineStats:
    """What each non-blank line says on its own (independent of the lines around it)."""

    values: np.ndarray  # (len(_STAT_NAMES), lines)
    ids: np.ndarray  # equal ids: the same line text

    def take(self, mask: np.ndarray) -> LineStats:
        """The stats of the selected lines only."""
        return LineStats(self.values[:, mask], self.ids[mask])


def line_stats(doc: Lines, lexicon: Lexicon | None = None) -> LineStats:
    """Character classes, keyword families, lexical score and identity of every non-blank line."""
    n = len(doc.nonblank)
    out = np.zeros((len(_STAT_NAMES), n))
    if n == 0:
        return LineStats(out, np.zeros(0, np.int64))
    table = _class_table()
    cp = np.frombuffer(doc.text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    cls = table[np.minimum(cp, 0x10000)]
    starts = doc.starts[doc.nonblank]
    ends = doc.ends[doc.nonblank]

    out[:10] = _char_counts(cls, starts)
    nonspace = np.flatnonzero((cls & _SPACE) == 0)
    first_i = nonspace[np.searchsorted(nonspace, starts)]
    last_i = nonspace[np.searchsorted(nonspace, ends) - 1]
    c_first = cls[first_i]
    c_last = cls[last_i]
    c_prev = np.where(last_i > first_i, cls[np.maximum(last_i - 1, 0)], 0)
    start_upper = (c_first & _UPPER) != 0
    out[10] = ((c_last & _TERM) != 0) | (((c_last & _CLOSER) != 0) & ((c_prev & _TERM) != 0))
    out[11] = cp[last_i] == 58
    out[12] = (c_last & (_ALPHA | _DIGIT)) != 0
    out[13] = start_upper
    out[14] = ((c_first & _ALPHA) != 0) & ~start_upper
    out[15] = (c_first & _DIGIT) != 0
    out[16] = (c_first & _BULLET) != 0
    out[17] = first_i > starts
    dot = cp == 46
    three_dots = dot[last_i] & dot[np.maximum(last_i - 1, 0)] & dot[np.maximum(last_i - 2, 0)]
    out[18] = (cp[last_i] == 0x2026) | (three_dots & (last_i - first_i >= 2))  # the line's own last three
    colon = np.flatnonzero(cp == 58)
    colon = colon[(colon > 0) & (colon + 1 < len(cp))]
    clock = colon[((cls[colon - 1] & _DIGIT) != 0) & ((cls[colon + 1] & _DIGIT) != 0)]
    out[19] = np.bincount(np.searchsorted(ends, clock), minlength=n + 1)[:n]
    signs = np.flatnonzero(cp == 0xA9)  # "©"
    out[STAT_ROW["n_copyright_sign"]] = np.bincount(np.searchsorted(ends, signs), minlength=n + 1)[:n]

    # ASCII word codes: stop words, dates, keyword families, lexicon (one reduceat over all tokens)
    codes, vid = _token_codes(_tokens(doc.text), lexicon)
    clutter_ids = (codes >> _CLUTTER_SHIFT) & 0xFFFF
    out[STAT_ROW["clutter"]], out[STAT_ROW["clutter_cover"]] = _CLUTTER.hits_and_cover(
        clutter_ids, _line_of(codes, doc), n
    )
    codes = np.append(codes, 0)  # sentinel: never an empty token array
    nl = codes == _NL
    # each line's first token (its leading break)
    seg = np.concatenate(([0], np.flatnonzero(nl)))[doc.nonblank]
    tok = np.empty((len(_TOKEN_BITS) + 1, len(codes)), np.uint8)
    tok[:-1] = (codes[None, :] & _TOKEN_BITS) != 0
    tok[-1] = ~nl
    tok[-1, -1] = 0
    per_line = np.add.reduceat(tok, seg, axis=1, dtype=np.int64)
    k = len(_FAMILY_NAMES)
    out[20 : 23 + k] = per_line[:-1]
    first = np.minimum(seg + (doc.nonblank > 0), len(codes) - 1)
    first_code = np.where(nl[first], 0, codes[first])
    out[23 + k : 24 + 2 * k] = (first_code[None, :] & _FAM_BITS) != 0
    short = np.flatnonzero(out[8] <= _COMMENT_HEAD_WORDS)
    match = _COMMENT_HEAD_RE.match
    stripped = doc.stripped
    out[STAT_ROW["comment_head"], short] = [match(stripped[i][:120]) is not None for i in short.tolist()]
    out[STAT_ROW["comment_stamp"]] = [_comment_stamp(s) for s in stripped]
    if lexicon is not None:
        hit = vid >= 0
        weight = np.zeros(len(codes))
        weight[:-1][hit] = lexicon.weights[vid[hit]]
        out[-1] = lexicon.bias + np.add.reduceat(weight, seg) / np.sqrt(np.maximum(per_line[-1], 1))
    ids_map: dict[str, int] = {}
    ids = np.fromiter(map(ids_map.setdefault, doc.stripped, range(n)), np.int64, n)
    return LineStats(out, ids)


def _comment_stamp(s: str) -> bool:
    """Whether ``s`` opens with a reader's stamp (:data:`_COMMENT_STAMP_RE`)."""
    head = s[:_COMMENT_STAMP_CHARS]
    lowered = head.lower()
    if "ago" not in lowered and "says" not in lowered:  # most lines: no pattern to run
        return False
    m = _COMMENT_STAMP_RE.match(head)
    return m is not None and not any(w in _STOP_SET for w in m.group(1).lower().split())


def base_features(doc: Lines, lexicon: Lexicon | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """First-pass features, shape (len(BASE_NAMES), lines): one column per non-blank line."""
    return layout_features(line_stats(doc, lexicon), doc.nonblank)


def layout_features(stats: LineStats, positions: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """First-pass features of lines with the given stats, sitting at ``positions`` (line numbers,
    increasing; a gap means blank lines in between)."""
    v = stats.values
    n = v.shape[1]
    out = np.empty((len(BASE_NAMES), n))
    if n == 0:
        return out, {}
    row = _ROW
    n_alpha, n_upper, n_digit, n_punct, n_term, n_comma, n_sep, n_char, n_words, n_uwords = v[:10]
    ends_term = v[10] > 0
    n_clock, n_stop, n_date = v[19], v[20], v[21]
    clutter = v[STAT_ROW["clutter"]]
    k = len(_FAMILY_NAMES)
    fam = dict(zip(_FAMILY_NAMES, v[23 : 23 + k], strict=True))
    out[_KW_ROWS] = np.minimum(v[23 : 23 + k], 3.0)
    out[_KW0_ROWS] = v[23 + k : 23 + 2 * k]
    out[_FLAG_ROWS] = v[10:19]

    # repetition of the same line inside the document
    ids = stats.ids
    count = np.bincount(ids)[ids].astype(np.float64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    grp_start = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
    before = np.empty(n)
    before[order] = np.arange(n) - np.repeat(grp_start, np.diff(np.append(grp_start, n)))

    safe_c = np.maximum(n_char, 1)
    safe_w = np.maximum(n_words, 1)
    short = n_words <= 3
    prose = (n_words >= PROSE_MIN_WORDS) & ends_term
    headline = (n_words >= 4) & (n_words <= 20) & ~ends_term & (n_uwords >= 0.5 * n_words)
    header = (n_words <= 6) & ((fam["readmore"] + fam["comment"] + fam["share"]) > 0)
    chrome = v[23 : 23 + k - 1].sum(axis=0)  # every family but the last (calls to action)

    # blocks: runs of non-blank lines between blank lines
    gap = np.diff(positions, prepend=-2) > 1
    block = np.cumsum(gap) - 1
    nblocks = int(block[-1]) + 1
    blk_lines = np.bincount(block, minlength=nblocks).astype(np.float64)
    blk_chars = np.bincount(block, weights=n_char, minlength=nblocks)
    blk_term = np.bincount(block, weights=ends_term, minlength=nblocks) / blk_lines

    cols: dict[str, Any] = {
        "log_chars": np.log1p(n_char),
        "log_words": np.log1p(n_words),
        "alpha_frac": n_alpha / safe_c,
        "upper_frac": n_upper / np.maximum(n_alpha, 1),
        "digit_frac": n_digit / safe_c,
        "punct_frac": n_punct / safe_c,
        "log_term": np.log1p(n_term),
        "comma_rate": n_comma / safe_w,
        "log_sep": np.log1p(n_sep),
        "title_frac": n_uwords / safe_w,
        "stop_frac": np.minimum(n_stop / safe_w, 1.0),
        "log_stop": np.log1p(n_stop),
        "word_len": np.minimum(n_alpha / safe_w, 15.0),
        "all_caps": (n_upper >= 0.8 * n_alpha) & (n_alpha >= 3),
        "short": short,
        "one_word": n_words <= 1,
        "prose": prose,
        "log_count": np.log(count),
        "seen_before": before > 0,
        "seen_after": count - before > 1,
        "rel_pos": np.arange(n) / max(n - 1, 1),
        "rel_char": (np.cumsum(n_char) - n_char) / max(float(n_char.sum()), 1.0),
        "rel_len": n_char / max(float(n_char.max()), 1.0),
        "blank_before": gap,
        "blank_after": np.append(gap[1:], True),
        "blk_log_lines": np.log(np.minimum(blk_lines[block], _MAX_BLOCK_LINES)),
        "blk_log_chars": np.log1p(np.minimum(blk_chars[block], _MAX_BLOCK_CHARS)),
        "blk_term": blk_term[block],
        "date": np.minimum(n_date, 3.0),
        "chrome_kw": chrome > 0,
        "kw_density": np.minimum(chrome / safe_w, 2.0),
        "headline": headline,
        "clock": np.minimum(n_clock, 2.0),
        "prose_gap_after": np.log1p(_gap(prose, forward=False)),
        "clutter": np.minimum(clutter, 3.0),
        "clutter_short": (clutter > 0) & (n_words <= _CLUTTER_SHORT_WORDS),
    }
    for name, value in cols.items():
        out[row[name]] = value
    runs = np.log1p(run_length(np.vstack([short, headline, prose, ~prose])))
    since = np.log1p(_gap(np.vstack([prose, header]), forward=True))
    for name, value in zip(("run_short", "run_headline", "run_prose", "run_other"), runs, strict=True):
        out[row[name]] = value
    out[row["prose_gap_before"]], out[row["since_header"]] = since
    comment_head = v[STAT_ROW["comment_head"]] > 0
    out[row["comment_head"]] = comment_head
    prose_words = np.cumsum(np.where(prose, n_words, 0.0))
    late = prose_words >= _COMMENT_HEAD_AFTER * max(float(prose_words[-1]), 1.0)
    opens_comments = comment_head & late
    out[row["after_comments"]] = (np.cumsum(opens_comments) - opens_comments) > 0
    # readers' comments: from the first stamped comment past the prose on, when there are several
    stamps = (v[STAT_ROW["comment_stamp"]] > 0) & late
    reader_comments = (np.cumsum(stamps) > 0) & (stamps.sum() >= _COMMENT_STAMPS)
    ctx = window_mean(np.vstack([(fam["comment"] > 0) & (n_words <= 6), (n_clock > 0) | (n_date > 0)]), 3)
    out[row["comment_ctx"]], out[row["stamp_ctx"]] = ctx
    shares = window_mean(np.vstack([np.where(prose, n_words, 0.0), n_words]), 5)
    out[row["prose_share5"]] = shares[0] / np.maximum(shares[1], 1)
    # the article is a dense run of prose lines: distances to the densest run
    for name, score in (
        ("dense_w", np.minimum(n_words, 60.0) - 12.0),
        ("dense_p", np.where(prose, np.minimum(n_words, 60.0), -6.0)),
    ):
        out[row[f"{name}_in"] : row[f"{name}_in"] + 3] = _region_features(score, n)
    # neighbourhood of a few line features: previous, next, and window means
    base = out[_NEIGHBOUR_ROWS]
    k = len(_NEIGHBOURED)
    at = row[f"{_NEIGHBOURED[0]}_p1"]
    out[at : at + k] = _shift(base, 1)
    out[at + k : at + 2 * k] = _shift(base, -1)
    out[at + 2 * k : at + 3 * k] = window_mean(base, 3)
    out[at + 3 * k : at + 4 * k] = window_mean(base, 10)
    at = row[LEXICAL_NAMES[0]]
    out[at : at + len(LEXICAL_NAMES)] = lexical_columns(v[-1])
    aux = {
        "n_words": n_words, "n_char": n_char, "short": short, "block": block, "ids": ids,
        "opens_comments": opens_comments, "reader_comments": reader_comments,
    }
    return out, aux


def context_features(x: np.ndarray, prob: np.ndarray, aux: dict[str, np.ndarray]) -> np.ndarray:
    """Second-pass features, shape (len(CONTEXT_NAMES), lines): ``x`` plus the first pass's
    probabilities around each line (stacking)."""
    n = len(prob)
    out = np.empty((len(CONTEXT_NAMES), n))
    if n == 0:
        return out
    out[: len(x)] = x
    at = len(x)
    mass = prob * np.minimum(aux["n_char"], 1000.0)
    total = max(float(mass.sum()), 1.0)
    cum = np.cumsum(mass)
    block = aux["block"]
    nb = int(block[-1]) + 1
    blk_p = np.bincount(block, weights=prob, minlength=nb) / np.bincount(block, minlength=nb)
    out[at] = np.log(np.clip(prob, 1e-4, 1 - 1e-4) / np.clip(1 - prob, 1e-4, 1))
    out[at + 1] = _shift(prob, 1, 0.5)
    out[at + 2] = _shift(prob, -1, 0.5)
    out[at + 3] = _shift(prob, 2, 0.5)
    out[at + 4] = _shift(prob, -2, 0.5)
    out[at + 5] = window_mean(prob, 2)
    out[at + 6] = window_mean(prob, 5)
    out[at + 7] = window_mean(prob, 15)
    out[at + 8] = (cum - mass) / total
    out[at + 9] = (total - cum) / total
    out[at + 10] = blk_p[block]
    out[at + 11 : at + 14] = _region_features(prob - 0.5, n)
    out[at + 14] = prob * aux["short"]
    return out


#: A prose line has at least this many words and ends a sentence.
PROSE_MIN_WORDS = 12
_NEIGHBOURED = (
    "log_words", "ends_term", "stop_frac", "title_frac", "short", "chrome_kw", "prose", "headline", "clutter",
)
_CLUTTER_SHORT_WORDS = 12  # a clutter phrase in a longer unit (a prose sentence) is likely not clutter
# No feature measures the whole page: a model that learnt "big pages carry much chrome" dropped most
# of a long one-blob article (a blob is one block). A block is measured only up to these sizes.
_MAX_BLOCK_LINES = 32.0
_MAX_BLOCK_CHARS = 8000.0
BASE_NAMES: list[str] = [
    "log_chars", "log_words", "alpha_frac", "upper_frac", "digit_frac", "punct_frac", "log_term",
    "comma_rate", "log_sep", "title_frac", "stop_frac", "log_stop", "word_len", "ends_term", "ends_colon",
    "ends_alnum", "start_upper", "start_lower", "start_digit", "start_bullet", "indented", "all_caps",
    "short", "one_word", "prose", "log_count", "seen_before", "seen_after", "rel_pos", "rel_char",
    "rel_len", "blank_before", "blank_after", "blk_log_lines", "blk_log_chars", "blk_term",
    "date", "chrome_kw", "kw_density", "ellipsis", "headline", "clock", "run_short", "run_headline",
    "run_prose", "run_other", "prose_gap_before", "prose_gap_after", "prose_share5",
    "since_header", "comment_ctx", "stamp_ctx", "comment_head", "after_comments", "clutter",
    "clutter_short",
    *[f"{p}_{f}" for f in _FAMILY_NAMES for p in ("kw", "kw0")],
    *[f"{r}_{s}" for r in ("dense_w", "dense_p") for s in ("in", "before", "after")],
    *[f"{c}_{s}" for s in ("p1", "n1", "w3", "w10") for c in _NEIGHBOURED],
    *LEXICAL_NAMES,
]
CONTEXT_NAMES: list[str] = [
    *BASE_NAMES,
    "p_logit", "p_prev1", "p_next1", "p_prev2", "p_next2", "p_w2", "p_w5", "p_w15", "mass_before",
    "mass_after", "p_block", "p_dense_in", "p_dense_before", "p_dense_after", "p_short",
]
_ROW = {name: i for i, name in enumerate(BASE_NAMES)}
_NEIGHBOUR_ROWS = [_ROW[name] for name in _NEIGHBOURED]
_KW_ROWS = [_ROW[f"kw_{f}"] for f in _FAMILY_NAMES]
_KW0_ROWS = [_ROW[f"kw0_{f}"] for f in _FAMILY_NAMES]
_FLAG_ROWS = [
    _ROW[name]
    for name in ("ends_term", "ends_colon", "ends_alnum", "start_upper", "start_lower", "start_digit",
                 "start_bullet", "indented", "ellipsis")
]
_class_table()  # build the code point tables at import, not inside the first call
_fold_table()
