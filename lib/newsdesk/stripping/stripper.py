"""Boilerplate stripping: keep the article lines of a plain-text page dump, drop the site chrome.

``strip(text)`` scores every line of a scraped dump with a two-pass line classifier (cheap line and
neighbourhood features plus a learned word lexicon, then the same features plus the first pass's
probabilities around each line), both passes additive logistic models read from the model of the
dump's shape (``models/boilerplate*.json``, trained by :mod:`newsdesk.stripping.training`; an
excerpt, a page's beginning, has its own model, and its last line, cut short, is dropped). A few
high-precision rules overrule it (share bars, "Read more:" lines, captions, metadata, comment forms,
repeated paragraphs, headline lists after the article, and in a blob the kept text that chrome cuts
off from the article). The body is then re-scored as it sits in the body until nothing more is
dropped, so stripping a stripped body keeps it. Each dropped line carries a reason from
:data:`REASONS`. All work is linear in the input: whole-document numpy passes, bounded regexes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from newsdesk.stripping import features as sf
from newsdesk.stripping import shapes

if TYPE_CHECKING:
    import pandas as pd

#: Why a line was kept or dropped. Kept lines are ``body`` (or ``title``); blank lines are ``blank``.
REASONS: tuple[str, ...] = (
    "body",
    "title",
    "blank",
    "share-bar",
    "read-more",
    "related-headlines",
    "caption",
    "byline-metadata",
    "comment-form",
    "navigation",
    "contact",
    "duplicate-paragraph",
    "fragment",
    "repeated-across-site",
    "outside-article",
)
#: Reasons a non-blank line can be dropped for.
DROP_REASONS: tuple[str, ...] = REASONS[3:]

MODEL_DIR = Path(__file__).resolve().parent / "models"
#: The model of layout text (the ``lines`` shape), trained on layout-text pages ...
MODEL_PATH = MODEL_DIR / "boilerplate.json"
#: ... the model of the other shapes (Markdown, blob), trained on the pages in every shape ...
SHAPES_MODEL_PATH = MODEL_DIR / "boilerplate-shapes.json"
#: ... and the model of excerpts (short layout text, a page's beginning), trained on excerpts.
EXCERPT_MODEL_PATH = MODEL_DIR / "boilerplate-excerpt.json"
_DUP_MIN_WORDS = 8  # a paragraph must have this many words to count as a repeat
_DUP_SHARE = 0.85  # share of a paragraph's word triples seen earlier that makes it a repeat
_DUP_MAX_WORDS = 80  # words of a line looked at for repeats
_RULE_CHARS = 300  # characters of a line the reason heuristics look at

_R = {name: i for i, name in enumerate(REASONS)}
_CHUNK = 1024  # lines per block when evaluating the step functions (bounded memory, cache-sized)


class Model:
    """A learned word lexicon and two stacked additive logistic passes, read from the weights file."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if spec.get("base_names") != sf.BASE_NAMES or spec.get("context_names") != sf.CONTEXT_NAMES:
            raise ValueError("boilerplate model was trained on other features; retrain it")
        self.threshold = float(spec.get("threshold", 0.5))
        decide = spec.get("decision") or {}
        self.precision_weight = decide.get("precision_weight")
        self.threshold_range = tuple(decide.get("threshold_range", (0.0, 1.0)))
        # the text may end inside a line (an excerpt cut at a character budget): see _cut_tail
        self.cut_tail = bool(decide.get("cut_tail", False))
        lex = spec.get("lexicon")
        self.lexicon = sf.Lexicon(lex["words"], lex["weights"], lex["bias"]) if lex else None
        # the range of each first-pass feature in training: a page beyond it (a 20 MB dump) is read
        # at its edge, never extrapolated by a linear term
        base_range = spec.get("base_range")
        self.base_range = np.asarray(base_range, np.float64)[:, :, None] if base_range else None
        self.stage1 = Additive(spec["stage1"])
        self.stage2 = Additive(spec["stage2"])
        title = spec.get("title")
        self.title = Additive(title) if title else None
        self.title_threshold = float(title.get("threshold", 0.5)) if title else 1.0

    def predict(self, stats: sf.LineStats, positions: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Keep probability of lines with ``stats`` at ``positions``, and the feature side arrays."""
        x, aux = sf.layout_features(stats, positions)
        if x.shape[1] == 0:
            return np.zeros(0), aux
        if self.base_range is not None:
            np.clip(x, self.base_range[0], self.base_range[1], out=x)
        p1 = self.stage1.predict(x)
        aux["x"] = x
        return self.stage2.predict(sf.context_features(x, p1, aux)), aux

    def keep(self, prob: np.ndarray, words: np.ndarray) -> np.ndarray:
        """Which lines to keep, given their keep probabilities and word counts.

        With a precision weight ``a``, the page's threshold is the one that maximises the expected
        ``a * precision + (1 - a) * recall`` of the page (lines weighted by words + 1, expected body
        mass from the probabilities), clipped to ``threshold_range``: an uncertain line is kept where
        it may be much of the page's body (recall gains more than precision loses) and dropped beside a
        long confident body. Otherwise a fixed threshold.
        """
        if self.precision_weight is None or len(prob) == 0:
            return prob >= self.threshold
        a = float(self.precision_weight)
        w = words + 1.0
        order = np.argsort(-prob, kind="stable")
        mass = np.cumsum((prob * w)[order])
        score = a * mass / np.cumsum(w[order]) + (1 - a) * mass / max(float(mass[-1]), 1e-9)
        lo, hi = self.threshold_range
        return prob >= min(max(float(prob[order[int(np.argmax(score))]]), lo), hi)


class Additive:
    """Logistic regression on standardised features plus a step function of each feature.

    Evaluated as ``w @ x + b + delta @ (x[cols] >= thresholds)``: every step of every feature's
    step function is one threshold, so a pass is two small matrix products.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        mean = np.asarray(spec["mean"], np.float64)
        scale = np.asarray(spec["scale"], np.float64)
        coef = np.asarray(spec["coef"], np.float64)
        self.w = coef / scale
        self.b = float(spec["intercept"]) - float(mean @ self.w)
        cols, thresholds, delta = [], [], []
        pairs = zip(spec.get("edges") or [], spec.get("steps") or [], strict=True)
        for j, (edges, steps) in enumerate(pairs):
            self.b += steps[0]
            cols += [j] * len(edges)
            thresholds += edges
            delta += np.diff(steps).tolist()
        self.cols = np.asarray(cols, np.int64)
        self.thresholds = np.asarray(thresholds, np.float64)[:, None]
        self.delta = np.asarray(delta, np.float64)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities for the columns of ``x`` (features x lines)."""
        z = self.w @ x + self.b
        if len(self.cols):
            for at in range(0, x.shape[1], _CHUNK):  # bounded memory on huge documents
                part = x[self.cols, at : at + _CHUNK]
                # as floats: a product with a boolean matrix misses the fast (BLAS) path, 10x slower
                z[at : at + _CHUNK] += self.delta @ (part >= self.thresholds).astype(np.float64)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def model_path(shape: str = "lines") -> Path:
    """The shipped model file of a dump shape (the layout model where a shape has none)."""
    path = {"lines": MODEL_PATH, "excerpt": EXCERPT_MODEL_PATH}.get(shape, SHAPES_MODEL_PATH)
    return path if path.exists() else MODEL_PATH


def model_files() -> list[Path]:
    """Every shipped model file (they all decide what ``strip`` returns)."""
    return sorted(MODEL_DIR.glob("boilerplate*.json"))


@cache
def default_model(shape: str = "lines") -> Model:
    """The shipped model of a dump shape (:func:`model_path`), loaded once."""
    return Model(json.loads(model_path(shape).read_text(encoding="utf-8")))


# ---------------------------------------------------------------- rules
# Rules see one line: a prefix pattern on lines of up to _PREFIX_CHARS characters, and two caption
# patterns on lines that hold a caption word. All quantifiers are bounded: no backtracking blow-up.
_PREFIX_CHARS = 400
_EOL = r"[ \t\r]*$"
_PREFIX_RULES: dict[str, str] = {
    "read_more": r"(?:read more|read also|also read|read next|see also|related|recommended|read)[ \t]?:"
    r"|(?:read more|read also|also read|read next|see also|related articles?|related stories"
    r"|related posts?|you may also like|you might also like|more stories|recommended for you)" + _EOL,
    "share_bar": r"(?:[\w.-]{1,60} [-–—|:] )?share (?:this|the news|on|via|with)\b|share[ \t]*:?" + _EOL
    + r"|shareable url|(?:facebook|twitter|linkedin|whatsapp|pinterest|reddit|email|print|copy link|tweet)"
    r"(?:[ \t|,/·•]{1,5}(?:facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|email|print|copy link"
    r"|tweet|telegram)){1,12}" + _EOL,
    "byline_metadata": r"\d{1,3}[ \t]?[- \t]?(?:min|mins|minute|minutes)\.?[ \t](?:read|to read)" + _EOL
    + r"|(?:categor(?:y|ies)|authors?|tags?|filed under|posted in)[ \t]*:?" + _EOL,
    "caption": r"(?:photo|image|picture|photograph|illustration)?(?: ?credits?)?[ \t]?:",
    "comment_form": r"(?:please )?enter your (?:comment|name|email)|leave a (?:reply|comment)|post comment"
    r"|your email address will not be published|save my name, email|cancel reply"
    r"|(?:name|email|website|comment)[ \t]?\*?" + _EOL,
    "navigation": r"(?:prev(?:ious)?|next) (?:post|article|story)" + _EOL + r"|back to top" + _EOL
    + r"|skip to (?:main )?content",
    "contact": r"(?:have|got) (?:a question|questions)\b|questions\?|get in touch\b|contact us\b|reach us\b"
    r"|call us\b|(?:tel|phone|call|fax)?[.:]?[ \t]*\+?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,5}" + _EOL,
}
_PREFIX_RE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _PREFIX_RULES.items()), re.I)
_PREFIX_CODES = {k: _R[k.replace("_", "-")] for k in _PREFIX_RULES}
_CAPTION_TAIL_RE = re.compile(
    r"(?:getty images|shutterstock|ap photo|afp photo|reuters photo|file photo)[^.\n]{0,40}$"
    r"|\((?:photo|image|credit|picture|photograph)s?(?: credit)?[ \t]?(?::|by)[^()\n]{1,80}\)[ \t\r]*$",
    re.I,
)
_CAPTION_ANY_RE = re.compile(
    r"\b(?:seen|pictured|shown)(?: here)? (?:in|during|at) (?:an?|this) (?:undated |file |handout ){0,3}"
    r"(?:photo|image|picture)|\bin this (?:undated |file |handout ){0,3}(?:photo|image|picture)",
    re.I,
)


# A site's copyright line ("Copyright © 2020 CGTN. All rights reserved."): never the article, and its
# year is no event. A longer line that mentions copyright, or one on copyright ("Copyright is
# territorial"), is prose.
_COPYRIGHT_RE = re.compile(
    r"^(?:copyright[ \t]*(?:©|\(c\))?[ \t]*(?:\d{4}|by\b)|©|\(c\)[ \t]*\d{4})|\ball rights reserved\b", re.I
)
_COPYRIGHT_MAX_WORDS = 15
_RULE_CANDIDATE_ROWS = [sf.STAT_ROW[name] for name in ("rule0", "start_digit", "fam_share")]
_PHONE_DIGITS = 9  # a line that is only a phone number has at least this many digits (dates have 8)


def _rule_reasons(doc: sf.Lines, stats: sf.LineStats) -> np.ndarray:
    """Reason code of the rule matching each non-blank line, else -1."""
    out = np.full(len(doc.nonblank), -1, np.int64)
    v = stats.values
    n_digit = v[sf.STAT_ROW["n_digit"]]
    match = _PREFIX_RE.match
    phone = (n_digit >= _PHONE_DIGITS) & (v[sf.STAT_ROW["n_alpha"]] <= 12)
    for i in np.flatnonzero(v[_RULE_CANDIDATE_ROWS].any(axis=0) | phone).tolist():
        s = doc.stripped[i]
        if len(s) <= _PREFIX_CHARS:
            m = match(s)
            if m is not None:
                group = m.lastgroup or "caption"
                if group != "contact" or m.group()[:1].isalpha() or n_digit[i] >= _PHONE_DIGITS:
                    out[i] = _PREFIX_CODES[group]
    for i in np.flatnonzero((v[sf.STAT_ROW["n_hint"]] > 0) & (out < 0)).tolist():
        s = doc.stripped[i]
        if _CAPTION_TAIL_RE.search(s[-160:]) or _CAPTION_ANY_RE.search(s[:_PREFIX_CHARS]):
            out[i] = _R["caption"]
    # "copyright", "all rights reserved" ... or a "©"
    marked = (v[sf.STAT_ROW["clutter"]] > 0) | (v[sf.STAT_ROW["n_copyright_sign"]] > 0)
    short = v[sf.STAT_ROW["n_words"]] <= _COPYRIGHT_MAX_WORDS
    for i in np.flatnonzero(marked & short & (out < 0)).tolist():
        if _COPYRIGHT_RE.search(doc.stripped[i][:_PREFIX_CHARS]):
            out[i] = _R["navigation"]
    return out


def _duplicates(
    stripped: list[str],
    keep: np.ndarray,
    stats: sf.LineStats,
    alone: np.ndarray,
    cache: dict[str, np.ndarray],
) -> np.ndarray:
    """Later copies of paragraphs: kept lines of 8+ words, standing alone between blank lines and
    ending a sentence, whose word triples nearly all occur in earlier kept lines.

    ``cache`` keeps the word hashes of the lines looked at between calls on the same document (the
    kept lines only shrink, so the first call's lines are hashed once)."""
    dup = np.zeros(len(stripped), bool)
    n_words = stats.values[sf.STAT_ROW["n_words"]]
    idx = np.flatnonzero(keep & (n_words >= 3))
    if len(idx) < 2:
        return dup
    chosen = np.zeros(len(stripped), bool)
    chosen[idx] = True
    if "hashes" not in cache or (chosen & ~cache["hashed"]).any():
        lines = [stripped[i] for i in idx.tolist()]
        hashes, local = sf.word_hashes(lines, _DUP_MAX_WORDS, _DUP_MAX_WORDS * 12)
        cache["hashes"], cache["lines"], cache["hashed"] = hashes, idx[local], chosen.copy()
    mine = chosen[cache["lines"]]
    h = cache["hashes"][mine]
    line = np.searchsorted(idx, cache["lines"][mine])  # position of each word's line in idx
    lens = np.bincount(line, minlength=len(idx))
    if len(h) < 3:
        return dup
    with np.errstate(over="ignore"):
        tri = (h[:-2] * 1000003) ^ (h[1:-1] * 998244353) ^ h[2:]
    same = line[:-2] == line[2:]
    tri, tline = tri[same], line[:-2][same]
    _, first, inverse = np.unique(tri, return_index=True, return_inverse=True)
    seen = tline[first][inverse] < tline
    total = np.bincount(tline, minlength=len(idx))
    share = np.bincount(tline, weights=seen, minlength=len(idx)) / np.maximum(total, 1)
    candidate = (share >= _DUP_SHARE) & (lens >= _DUP_MIN_WORDS) & (total > 0)
    candidate &= alone[idx] & (stats.values[sf.STAT_ROW["ends_term"]][idx] > 0)
    dup[idx[candidate]] = True
    return dup


def _cleanup(
    doc: sf.Lines,
    stats: sf.LineStats,
    keep: np.ndarray,
    reason: np.ndarray,
    cache: dict[str, np.ndarray],
    layout: bool,
) -> bool:
    """Drop repeated paragraphs and trailing headline lists from ``keep``; True if any was dropped.

    Both look at the kept lines as they sit in the body (read as layout text or not), so they see
    what a second strip would see.
    """
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        return False
    positions = _body_positions(doc, rows, layout)
    gap = np.diff(positions, prepend=-2) > 1
    alone = np.zeros(len(keep), bool)
    alone[rows] = gap & np.append(gap[1:], True)
    dup = _duplicates(doc.stripped, keep, stats, alone, cache)
    keep &= ~dup
    reason[dup] = _R["duplicate-paragraph"]
    listed = _trailing_headlines(stats, keep)
    keep &= ~listed
    reason[listed] = _R["related-headlines"]
    return bool(dup.any() or listed.any())


def _decide(
    doc: sf.Lines, stats: sf.LineStats, model: Model, layout: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Keep flags, scores, reason codes (-1: the model's call) and features of ``doc``'s non-blank lines
    (``layout``: the text is read as layout text, see :func:`_block_positions`)."""
    n = len(doc.nonblank)
    if n == 0:
        return np.zeros(0, bool), np.zeros(0), np.zeros(0, np.int64), {}
    reason = _rule_reasons(doc, stats)
    positions = _block_positions(doc.nonblank, layout)
    prob, aux = model.predict(stats, positions)
    inline = _inline_chrome(stats, reason)
    if inline.any():  # the article's lines are scored as if the chrome among them were not there
        rest = np.flatnonzero(~inline)
        prob = prob.copy()
        prob[rest] = model.predict(stats.take(rest), positions[rest])[0]
        reason[inline & (reason < 0)] = _R["navigation"]
    if model.cut_tail and reason[-1] < 0 and _cut_tail(doc, n - 1):
        reason[-1] = _R["fragment"]
    reason[aux["opens_comments"] & (reason < 0)] = _R["comment-form"]  # "3 Comments" past the prose
    reason[aux["reader_comments"] & (reason < 0)] = _R["comment-form"]  # readers' stamped comments
    keep = model.keep(np.where(reason < 0, prob, 0.0), aux["n_words"]) & (reason < 0)
    return keep, prob, reason, aux


#: The shapes read as layout text, whose blank lines separate its blocks.
_LAYOUT_SHAPES = ("lines", "excerpt")
#: Layout text with a blank line after at most this share of its lines was written without blank lines
#: (some scrapers write one block a line and no blank line): read as it is, the whole page is one
#: block, and a news page lost half its first paragraphs. It is read as if a blank line followed every
#: line. The kit's layout pages have one after 6% of their lines at the least.
_FEW_BLANKS = 0.05


def _block_positions(positions: np.ndarray, layout: bool) -> np.ndarray:
    """The positions the features read for lines at ``positions`` (line numbers, a gap is a blank
    line): ``positions`` itself, or every line a block of its own for layout text written without
    blank lines (:data:`_FEW_BLANKS`)."""
    if layout and int((np.diff(positions) > 1).sum()) <= _FEW_BLANKS * len(positions):
        return 2 * np.arange(len(positions))
    return positions


def _body_positions(doc: sf.Lines, rows: np.ndarray, layout: bool) -> np.ndarray:
    """Where the non-blank lines ``rows`` sit in the body they make (a blank line between paragraphs),
    as the features read them (:func:`_block_positions`): what stripping that body again would see."""
    kept_lines = doc.nonblank[rows]
    return _block_positions(np.searchsorted(_body_rows(doc, kept_lines), kept_lines), layout)


_LEAD_MIN_WORDS = 15  # the lead paragraph kept back has at least this many words ...
_LEAD_MIN_SCORE = 0.05  # ... and at least this score
_LEAD_MAX_LINES = 3  # paragraphs kept back above the first kept one, at most
#: The shapes whose lead is kept back: layout text and Markdown (a page's beginning, an excerpt, kept
#: its leads; in a blob the lead is glued to the chrome before it, in one unit).
_LEAD_SHAPES = ("lines", "markdown")


def _keep_lead(
    stats: sf.LineStats, keep: np.ndarray, prob: np.ndarray, reason: np.ndarray, title: int
) -> None:
    """Keep the article's first paragraphs that the model dropped for the chrome above them: the lines
    just above the first kept prose line (at most :data:`_LEAD_MAX_LINES`, up to the first that is not
    so) that are prose too (:data:`_LEAD_MIN_WORDS` words or more, starting upper case and ending a
    sentence), hold no clutter phrase, were dropped by no rule and are not the headline. News pages
    stack subscription prompts, bylines and share bars right above the lead; under such headers the
    seeds' leads were dropped 4 times in 10 (7 in 10 in Markdown), the paragraphs after them almost
    never."""
    v = stats.values
    words = v[sf.STAT_ROW["n_words"]]
    ends = v[sf.STAT_ROW["ends_term"]] > 0
    first = np.flatnonzero(keep & (words >= sf.PROSE_MIN_WORDS) & ends)
    if len(first) == 0:
        return
    for lead in range(int(first[0]) - 1, max(int(first[0]) - 1 - _LEAD_MAX_LINES, -1), -1):
        if not (
            not keep[lead]
            and lead != title
            and reason[lead] < 0
            and words[lead] >= _LEAD_MIN_WORDS
            and ends[lead]
            and v[sf.STAT_ROW["start_upper"], lead] > 0
            and v[sf.STAT_ROW["clutter"], lead] == 0
            and prob[lead] >= _LEAD_MIN_SCORE
        ):
            return
        keep[lead] = True


_CHROME_PHRASE_WORDS = 6  # a line of at most this many words, all inside clutter phrases, is chrome


def _inline_chrome(stats: sf.LineStats, reason: np.ndarray) -> np.ndarray:
    """Chrome lines inside the article: a line a rule drops, or one made only of clutter phrases
    ("- Advertisement -", "Already a subscriber? Log in"), whose nearest other lines on both sides are
    prose. News pages put them between paragraphs; left in, they made the paragraphs around them
    look like chrome (a test page kept 78% of its article lines, 94% with them set aside)."""
    v = stats.values
    words = v[sf.STAT_ROW["n_words"]]
    chrome = (reason >= 0) | (
        (words >= 1) & (words <= _CHROME_PHRASE_WORDS) & (v[sf.STAT_ROW["clutter_cover"]] >= words)
    )
    if not chrome.any():
        return chrome
    prose = (words >= sf.PROSE_MIN_WORDS) & (v[sf.STAT_ROW["ends_term"]] > 0) & ~chrome
    n = len(words)
    idx = np.arange(n)
    # the nearest line that is not chrome before and after each line (-1 / n: none)
    before = np.maximum.accumulate(np.where(~chrome, idx, -1))
    before = np.concatenate(([-1], before[:-1]))
    after = np.minimum.accumulate(np.where(~chrome, idx, n)[::-1])[::-1]
    after = np.concatenate((after[1:], [n]))
    padded = np.append(prose, False)  # index -1 and n read False
    return chrome & padded[before] & padded[after]


def _cut_tail(doc: sf.Lines, i: int) -> bool:
    """Whether non-blank line ``i`` (the last of a text) reads as a sentence cut short
    (:func:`shapes.cut_short`): an excerpt cut at a character budget ends inside a line, whose start is
    no line of the article.

    It is checked on the last line of a text and, as the body is stabilised, on the body's last line,
    so a body never ends with such a line and stripping it again drops nothing."""
    return shapes.cut_short(doc.stripped[i])


# The section header of a headline list ("Latest News", "Must Read") and the kept teasers under it
# (headlines, or cut-off "..." blurbs) up to the first paragraph: the list sits inside the body's span.
# Every such header leaves the body, so a stripped body has none and stripping it again drops nothing.
_LIST_HEADER_RE = re.compile(
    r"(?:(?:latest|popular|trending|breaking)(?: news| stories| articles| posts| headlines| now| today)?"
    r"|(?:more|top) (?:news|stories|articles|posts|headlines)|most (?:read|popular|viewed)|must read"
    r"|editor'?s picks?|don'?t miss)[ \t]*:?[ \t]*$",
    re.I,
)
_TEASER_MAX_WORDS = 25
_TEASER_SPAN = 30  # non-blank lines after the header looked at


def _teasers(doc: sf.Lines, stats: sf.LineStats, keep: np.ndarray, reason: np.ndarray) -> np.ndarray:
    """Headline-list headers and the kept teaser lines under them, up to the first kept paragraph
    (teaser lines the model dropped already get the same reason)."""
    out = np.zeros(len(keep), bool)
    v = stats.values
    words = v[sf.STAT_ROW["n_words"]]
    header = (words <= 4) & (v[sf.STAT_ROW["fam_readmore"]] + v[sf.STAT_ROW["fam_nav"]] > 0)
    if not header.any():
        return out
    ellipsis = v[sf.STAT_ROW["ellipsis"]] > 0
    teaser = (words <= _TEASER_MAX_WORDS) & ((v[sf.STAT_ROW["ends_term"]] == 0) | ellipsis)
    for h in np.flatnonzero(header).tolist():
        if not _LIST_HEADER_RE.match(doc.stripped[h][:80]):
            continue
        if keep[h]:
            keep[h] = False
            reason[h] = _R["navigation"]
        run = []
        for i in range(h + 1, min(h + 1 + _TEASER_SPAN, len(keep))):
            if not keep[i]:
                if reason[i] < 0 and teaser[i]:  # the model dropped it already: say why
                    reason[i] = _R["related-headlines"]
                continue
            if not teaser[i]:
                break
            run.append(i)
        out[run] = True
    keep &= ~out
    reason[out] = _R["related-headlines"]
    return out


_HEADLINE_RUN = 3  # this many headline-like lines after the last kept paragraph are a headline list
_HEADLINE_WORDS = (6, 20)


def _trailing_headlines(stats: sf.LineStats, keep: np.ndarray) -> np.ndarray:
    """Runs of kept headline-like lines (Title Case, no end punctuation) after the last kept paragraph.

    Looks only at the kept lines, in order, so removing dropped lines in between changes nothing.
    """
    out = np.zeros(len(keep), bool)
    v = stats.values
    words = v[sf.STAT_ROW["n_words"]]
    ends_term = v[sf.STAT_ROW["ends_term"]] > 0
    kept = np.flatnonzero(keep)
    prose = kept[(words[kept] >= sf.PROSE_MIN_WORDS) & ends_term[kept]]
    if len(prose) == 0:
        return out
    after = kept[kept > prose[-1]]
    w = words[after]
    lo, hi = _HEADLINE_WORDS
    headline = (w >= lo) & (w <= hi) & ~ends_term[after] & (v[sf.STAT_ROW["n_uwords"]][after] >= 0.5 * w)
    if headline.sum() < _HEADLINE_RUN:
        return out
    run = sf.run_length(headline)
    out[after[run >= _HEADLINE_RUN]] = True
    return out


# A blob has no layout to tell the article from a sidebar, a teaser or a footer: the article is the run
# of units with the most kept words less twice the dropped ones, and kept units outside it, cut off from it
# by chrome that outweighs them, are not the article (unless the model is sure of them).
_OUTSIDE_GAP_WEIGHT = 2.0  # a dropped word outweighs this many kept ones
_OUTSIDE_SURE = 0.95  # a unit scored at least this stays wherever it is


def _outside_article(keep: np.ndarray, prob: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Kept units of a blob outside its article run (see :data:`_OUTSIDE_GAP_WEIGHT`)."""
    out = keep & (prob < _OUTSIDE_SURE)
    if keep.any():
        lo, hi = sf.densest_run(np.where(keep, words, -_OUTSIDE_GAP_WEIGHT * words))
        out[lo:hi] = False
    return out


def _body_rows(doc: sf.Lines, rows: np.ndarray) -> np.ndarray:
    """``rows`` (indices into doc.lines) plus the first blank line of every gap between two of them."""
    blank = doc.blank
    if len(blank) and len(rows) > 1:
        j = np.searchsorted(blank, rows[:-1] + 1)
        cand = blank[np.minimum(j, len(blank) - 1)]
        gaps = cand[(j < len(blank)) & (cand < rows[1:])]
        rows = np.sort(np.concatenate([rows, gaps]))
    return rows


def _render(doc: sf.Lines, rows: np.ndarray) -> tuple[np.ndarray, str]:
    """Body lines (indices into doc.lines: ``rows`` plus one blank line between paragraphs) and text."""
    rows = _body_rows(doc, rows)
    lines = doc.lines
    return rows, "\n".join([lines[i] for i in rows.tolist()])


@dataclass(frozen=True)
class Stripped:
    """Result of :func:`strip`: the headline, the body text, the dump's shape and a per-unit account.

    The dump is read as units of its shape (:mod:`newsdesk.stripping.shapes`): the lines of layout
    text, the lines of Markdown without their markup, or the sentence-sized pieces of a blob. ``body``
    holds the body units in input order joined with "\\n", with one blank line kept between
    paragraphs; the title is not part of it. ``lines`` is a DataFrame with one row per piece of every
    unit (a unit is one piece unless Markdown was left out of it): line_no (the unit's number,
    1-based), start and end (character offsets of the piece in the input), text (the input's
    ``text[start:end]``), kept (body units, the blank lines kept between paragraphs, and the title),
    reason (from :data:`REASONS`) and score (the model's keep probability; NaN for blank units). The
    body is the kept pieces joined, "" within a unit and "\\n" between units.
    """

    title: str | None
    body: str
    _detail: _Detail = field(repr=False)

    @property
    def shape(self) -> str:
        """The dump's shape: ``lines``, ``excerpt``, ``markdown`` or ``blob``."""
        return self._detail.view.shape

    @cached_property
    def lines(self) -> pd.DataFrame:
        """One row per piece of every unit (built on first use)."""
        return self._detail.frame()


@dataclass(frozen=True)
class _Detail:
    """What :attr:`Stripped.lines` is built from."""

    source: str  # the loaded text
    view: shapes.View
    doc: sf.Lines  # the view's units
    keep: np.ndarray  # per non-blank unit
    prob: np.ndarray
    reason: np.ndarray  # rule reason code or -1
    title: int  # non-blank unit index or -1
    body_rows: np.ndarray  # indices into doc.lines

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        doc, view = self.doc, self.view
        n_all = len(doc.lines)
        nb = doc.nonblank
        codes = np.full(n_all, _R["blank"], np.int64)
        codes[nb] = np.where(self.keep, _R["body"], np.where(self.reason >= 0, self.reason, _explain(self)))
        kept = np.zeros(n_all, bool)
        kept[self.body_rows] = True
        if self.title >= 0:
            codes[nb[self.title]] = _R["title"]
            kept[nb[self.title]] = True
        score = np.full(n_all, np.nan)
        score[nb] = self.prob
        unit = view.units
        ends = view.starts + view.lengths
        if view.text is self.source:
            texts = doc.lines  # the units are the input's lines
        else:
            source = self.source
            texts = [source[s:e] for s, e in zip(view.starts.tolist(), ends.tolist(), strict=True)]
        return pd.DataFrame(
            {
                "line_no": unit + 1,
                "start": view.starts,
                "end": ends,
                "text": pd.Series(texts, dtype=object),  # object: lone surrogates stay as they are
                "kept": kept[unit],
                "reason": pd.Categorical.from_codes(codes[unit], categories=list(REASONS)),
                "score": score[unit],
            }
        )


def strip(text: str) -> Stripped:
    """Split a scraped plain-text dump into headline, article body and dropped site chrome.

    Never raises on a string; anything else is converted first (bytes are decoded as UTF-8).
    """
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes | bytearray) else str(text or "")
    return strip_with_model(text, default_model)


def _body_shape(view: shapes.View, doc: sf.Lines, keep: np.ndarray) -> str:
    """The shape the body of ``keep`` is read in when it is stripped again."""
    if (
        view.shape in ("lines", "excerpt")
        and view.markdown_signals < shapes.MARKDOWN_MIN_SIGNALS  # the body has no more signals
        and not (view.lengths > shapes.MAX_LINE_CHARS).any()  # nor a line long enough for a blob
    ):
        kept = doc.nonblank[keep]
        rows = _body_rows(doc, kept)
        chars = int((doc.ends - doc.starts)[rows].sum()) + len(rows) - 1
        # too long for an excerpt, and a blank line (no blob's body): only counted, not rendered
        if chars > shapes.EXCERPT_MAX_CHARS and len(rows) > len(kept):
            return "lines"
    return shapes.detect_shape(_render(doc, doc.nonblank[keep])[1])


def strip_with_model(text: str, model: Model | Callable[[str], Model]) -> Stripped:
    """:func:`strip` with an explicit model, or a function giving the model of a dump shape.

    The dump's units are decided by the model of its shape; the body is then re-scored, until stable,
    by the model of the body's own shape (a Markdown body is plain lines; a blob's body, its sentences
    one a line, is a blob again), which is what stripping the body again would use.
    """
    view = shapes.read_shape(text)
    model_of = model if callable(model) else (lambda _shape: model)
    model = model_of(view.shape)
    doc = sf.split_lines(view.text)
    stats = sf.line_stats(doc, model.lexicon)
    keep, prob, reason, aux = _decide(doc, stats, model, view.shape in _LAYOUT_SHAPES)
    cache: dict[str, np.ndarray] = {}
    title, chrome = _title(doc, keep, prob, reason, aux, model, _h1_units(view, doc))
    keep[chrome] = False
    reason[chrome] = _R["navigation"]
    if title >= 0:
        # a kept headline leaves the body, and so do its kept copies just below it
        copies = keep & (aux["ids"] == aux["ids"][title]) & (np.arange(len(keep)) <= title + _TITLE_TOP)
        copies[title] = False
        keep[copies] = False
        reason[copies] = _R["duplicate-paragraph"]
        keep[title] = False
    _teasers(doc, stats, keep, reason)  # after the title: a headline under "Latest news" stays one
    if view.shape in _LEAD_SHAPES:
        _keep_lead(stats, keep, prob, reason, title)
    if view.shape == "blob":
        outside = _outside_article(keep, prob, stats.values[sf.STAT_ROW["n_words"]])
        keep[outside] = False
        reason[outside] = _R["outside-article"]
    # Stabilise: the body must survive its own stripping, so score the body's lines again as they
    # sit in the body (a line's own statistics do not change, its surroundings do) and re-run the
    # clean-up until nothing more is dropped. Each round drops a line; a budget bounds the work.
    # The body's shape (so its model) is found again each round: dropping lines can make it an excerpt.
    budget = 20 * len(keep) + 1000
    lexicon = model.lexicon
    while budget > 0:
        rows = np.flatnonzero(keep)
        if len(rows) == 0:
            break
        body_shape = _body_shape(view, doc, keep)
        body_model = model_of(body_shape)
        layout = body_shape in _LAYOUT_SHAPES
        if body_model.lexicon is not lexicon:
            lexicon = body_model.lexicon
            stats = sf.line_stats(doc, lexicon)
        positions = _body_positions(doc, rows, layout)
        budget -= len(rows)
        sub_prob, sub_aux = body_model.predict(stats.take(rows), positions)
        cut = body_model.cut_tail and _cut_tail(doc, int(rows[-1]))
        if cut:  # as _decide would drop it in the body: before the page's threshold is chosen
            sub_prob[-1] = 0.0
            reason[rows[-1]] = _R["fragment"]
        sub_keep = body_model.keep(sub_prob, sub_aux["n_words"]) & ~sub_aux["opens_comments"]
        sub_keep &= ~sub_aux["reader_comments"]
        sub_keep[-1] &= not cut
        dropped = rows[~sub_keep]
        keep[dropped] = False
        if body_shape in _LEAD_SHAPES and len(dropped):  # the lead is kept back as strip(body) would
            round_prob = np.zeros(len(keep))
            round_prob[rows] = sub_prob
            _keep_lead(stats, keep, round_prob, reason, title)
        if not _cleanup(doc, stats, keep, reason, cache, layout) and keep[rows].all():
            break
    body_rows, body = _render(doc, doc.nonblank[keep])
    head = " ".join(doc.stripped[title].split()) if title >= 0 else None
    return Stripped(head, body, _Detail(text, view, doc, keep, prob, reason, title, body_rows))


# ---------------------------------------------------------------- title
_TITLE_WINDOW = 40  # the headline is looked for this many lines before the first body line
_TITLE_TOP = 3  # ... or among this many first kept lines (before the first paragraph)
_HEADLINE_MAX_WORDS = 30
_TITLE_ROWS = [sf.BASE_NAMES.index(name) for name in (
    "log_words", "ends_term", "title_frac", "headline", "log_count", "log_sep", "chrome_kw", "short",
    "all_caps", "kw_nav", "kw_meta", "date", "ends_colon", "start_upper",
)]
TITLE_NAMES = [
    *(sf.BASE_NAMES[i] for i in _TITLE_ROWS),
    "t_log_dist", "t_inv_dist", "t_logit", "t_first_line", "t_in_first_line", "t_headline_rank", "t_long",
]


def title_candidates(
    doc: sf.Lines, keep: np.ndarray, prob: np.ndarray, reason: np.ndarray, aux: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate headline lines (dropped, no rule fired, just before the body) and their features."""
    kept = np.flatnonzero(keep)
    if len(kept) == 0:
        return np.zeros(0, np.int64), np.zeros((len(TITLE_NAMES), 0))
    first = int(kept[0])
    idx = np.arange(max(first - _TITLE_WINDOW, 0), first)
    idx = idx[(reason[idx] < 0) & ~keep[idx]]
    x = aux["x"]
    dist = (first - idx).astype(np.float64)
    head0 = doc.stripped[0][:1000].lower()
    heads = [doc.stripped[i][:300].lower() for i in idx.tolist()]
    in_first = np.fromiter((len(h) >= 8 and h in head0 for h in heads), bool, len(idx)) & (idx > 0)
    headline = x[sf.BASE_NAMES.index("headline")][idx] > 0
    rank = np.cumsum(headline[::-1])[::-1] - headline  # headline-like candidates nearer the body
    feats = np.vstack(
        [
            x[_TITLE_ROWS][:, idx],
            np.log1p(dist),
            1.0 / dist,
            np.log(np.clip(prob[idx], 1e-4, 1 - 1e-4) / np.clip(1 - prob[idx], 1e-4, 1)),
            idx == 0,
            in_first,
            np.log1p(rank),
            x[sf.BASE_NAMES.index("log_words")][idx] > np.log1p(25),
        ]
    )
    return idx, feats


def _letters(s: str) -> str:
    """Lower-cased letters and digits of ``s`` (breadcrumbs glue their items together)."""
    return "".join(filter(str.isalnum, s[:300])).lower()


def _h1_units(view: shapes.View, doc: sf.Lines) -> np.ndarray:
    """Which non-blank units are a Markdown level-1 heading ("# Headline")."""
    if view.heading_levels is None:
        return np.zeros(len(doc.nonblank), bool)
    return view.heading_levels[doc.nonblank] == 1


def _title(
    doc: sf.Lines,
    keep: np.ndarray,
    prob: np.ndarray,
    reason: np.ndarray,
    aux: dict,
    model: Model,
    h1: np.ndarray,
) -> tuple[int, list[int]]:
    """Index (among non-blank lines) of the headline, or -1; and the kept lines above it that are chrome.

    A kept line near the top is the headline when it repeats a dropped line above it or a line just
    below it, sits in a dropped first line such as "Headline | Site", or is itself the first line of
    a page that has chrome; otherwise the headline scorer picks among the dropped lines just before
    the body. A top line that ends with the letters of a kept line just below it ("HomeNEWSHeadline")
    is a breadcrumb: the line below is the headline. In Markdown, the last level-1 heading above the
    first paragraph is the headline. Only a page with a dropped line gets a title, so a stripped body
    never does.
    """
    kept = np.flatnonzero(keep)
    if len(kept) == 0 or keep.all():
        return -1, []
    v = aux["x"]
    words = np.expm1(v[sf.BASE_NAMES.index("log_words")])
    first_prose = kept[v[sf.BASE_NAMES.index("prose")][kept] > 0]
    if h1.any() and len(first_prose):
        heads = np.flatnonzero(h1[: first_prose[0]] & (reason[: first_prose[0]] < 0))
        heads = heads[(words[heads] >= 3) & (words[heads] <= _HEADLINE_MAX_WORDS)]
        if len(heads) and first_prose[0] - heads[-1] <= _TITLE_WINDOW:
            return int(heads[-1]), []
    prose = v[sf.BASE_NAMES.index("prose")] > 0
    ids = aux["ids"]
    first_line = doc.stripped[0][:1000].lower()
    for i in kept[:_TITLE_TOP].tolist():
        if prose[i]:
            break
        s = doc.stripped[i]
        if not 3 <= words[i] <= _HEADLINE_MAX_WORDS or s[-1] in ".,;:" or len(s) > 300:
            continue
        if (
            ((ids[:i] == ids[i]) & ~keep[:i]).any()
            or ((ids[i + 1 : i + 1 + _TITLE_TOP] == ids[i]) & keep[i + 1 : i + 1 + _TITLE_TOP]).any()
            or (i == 0 and not keep.all())
            or (not keep[0] and len(s) >= 8 and s.lower() in first_line)
        ):
            return _unbreadcrumb(doc, i, words)
    lead = _lead_headline(kept, v, words, prose)
    if lead >= 0:
        return lead, kept[kept < lead].tolist()
    if model.title is None:
        return -1, []
    idx, feats = title_candidates(doc, keep, prob, reason, aux)
    if len(idx) == 0:
        return -1, []
    score = model.title.predict(feats)
    best = int(np.argmax(score))
    if score[best] < model.title_threshold:
        return -1, []
    return _unbreadcrumb(doc, int(idx[best]), words)


_LEAD_WORDS = (4, 20)  # a headline above the first paragraph
_LEAD_CHROME_WORDS = 8  # kept lines above that headline up to this long are site chrome


def _lead_headline(kept: np.ndarray, v: np.ndarray, words: np.ndarray, prose: np.ndarray) -> int:
    """The first of the Title Case lines just above the first kept paragraph, when the body starts
    with a few short lines (no paragraph) before them, or with two or more such lines right under
    dropped lines (headline and standfirst); -1 otherwise."""
    first_prose = np.flatnonzero(prose[kept])
    if len(first_prose) == 0 or not 1 <= first_prose[0] <= _TITLE_TOP + 2:
        return -1
    top = kept[: first_prose[0]]
    lo, hi = _LEAD_WORDS
    headline = (
        (words[top] >= lo)
        & (words[top] <= hi)
        & (v[sf.BASE_NAMES.index("ends_term")][top] == 0)
        & (v[sf.BASE_NAMES.index("title_frac")][top] >= 0.5)
    )
    run = len(top)
    while run > 0 and headline[run - 1]:
        run -= 1
    if run == 0 and len(top) >= 2 and top[0] > 0:
        return int(top[0])  # headline and standfirst straight under the dropped page header
    if run == len(top) or run == 0 or (words[top[:run]] > _LEAD_CHROME_WORDS).any():
        return -1
    return int(top[run])


_CRUMB_MIN_LETTERS = 15


def _unbreadcrumb(doc: sf.Lines, i: int, words: np.ndarray) -> tuple[int, list[int]]:
    """(headline, breadcrumb): a line just below ``i`` (kept or not) whose letters end ``i``'s is the
    headline."""
    mine = _letters(doc.stripped[i])
    for j in range(i + 1, min(i + 1 + _TITLE_TOP, len(words))):
        theirs = _letters(doc.stripped[j])
        if (
            len(theirs) >= _CRUMB_MIN_LETTERS
            and len(mine) > len(theirs)
            and mine.endswith(theirs)
            and 3 <= words[j] <= _HEADLINE_MAX_WORDS
        ):
            return j, [i]
    return i, []


# ---------------------------------------------------------------- reasons for the model's drops
_CONTACT_RE = re.compile(
    r"(?:contact|call us|email us|phone|tel\b|fax\b|\+\d)"
    r"|.{0,200}(?:@\w|\b(?:reach us|get in touch|contact us)\b)",
    re.I,
)
_META_RE = re.compile(
    r"by\s|posted|published|updated|written by|last updated|\w{3,9}\.? \d{1,2},? \d{4}[ \t]*$"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}[ \t]*$",
    re.I,
)
_COMMENT_RE = re.compile(
    r".{0,200}\b(?:comments?|reply|replies|log ?in|sign ?in|subscribe|newsletter)\b", re.I
)


def _explain(detail: _Detail) -> np.ndarray:
    """Best-guess reason for each line the model dropped (no rule fired)."""
    keep, reason, stripped = detail.keep, detail.reason, detail.doc.stripped
    out = np.full(len(keep), _R["fragment"], np.int64)
    kept = np.flatnonzero(keep)
    body_end = int(kept[-1]) if len(kept) else -1
    for i in np.flatnonzero(~keep & (reason < 0)).tolist():
        s = stripped[i][:_RULE_CHARS]
        words = len(s.split())
        if _CONTACT_RE.match(s):
            out[i] = _R["contact"]
        elif _META_RE.match(s) and words <= 12:
            out[i] = _R["byline-metadata"]
        elif _COMMENT_RE.match(s) and words <= 12:
            out[i] = _R["comment-form"]
        elif words <= 3:
            out[i] = _R["navigation"]
        elif i > body_end and 4 <= words <= 25 and s[-1:] not in ".!?":
            out[i] = _R["related-headlines"]
    return out
