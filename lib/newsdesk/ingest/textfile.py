"""Read one article file into clean text, reporting every repair and refusing unusable input.

The reader never guesses silently: each repair (byte-order mark, legacy encoding, mojibake, odd
whitespace, HTML) adds a warning, and each unusable input (empty, binary, too large) an error.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ftfy

from newsdesk.ingest.problems import Problem

#: Files above this size are refused: one article is never this big, and parsing it would stall.
MAX_BYTES = 64 * 1024 * 1024

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.xlsx file)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}

# Spaces that look like a space but are not U+0020 (no-break, typographic, ideographic ...).
_ODD_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
# Invisible characters that only get in the way of tokenisation.
_INVISIBLES = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ODD_BREAKS = "\u2028\u2029\x0b\x0c\x85"
_WHITESPACE_TABLE = str.maketrans(
    {
        **dict.fromkeys(_ODD_SPACES, " "),
        **dict.fromkeys(_INVISIBLES, None),
        **dict.fromkeys(_ODD_BREAKS, "\n"),
    }
)
_ODD_WHITESPACE_RE = re.compile(f"[{_ODD_SPACES}{_INVISIBLES}{_ODD_BREAKS}]")
#: Bidirectional controls (embeddings, overrides, isolates, marks): invisible, and able to show a
#: line's text in another order than it is stored (a U+202E makes "txt.exe" look like "exe.txt").
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
BIDI_CONTROL_RE = re.compile(f"[{BIDI_CONTROLS}]")
# C0/C1 control characters other than tab and newline (carriage returns are handled before).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")

_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,2000}>")
_DOCUMENT_START_RE = re.compile(r"<(!doctype\s+html|html[\s>]|head[\s>])", re.I)
_HTML_TAGS = frozenset(
    (
        "a abbr article aside b body br div em footer h1 h2 h3 h4 h5 h6 head header hr html i img li link "
        "main meta nav ol p script section span strong style table td th title tr ul"
    ).split()
)


@dataclass
class ReadResult:
    """Outcome of reading one file: the clean text (None when unusable) and what was found."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)
    was_html: bool = False

    @property
    def usable(self) -> bool:
        return self.text is not None

    @property
    def repaired(self) -> bool:
        return any(p.severity == "warning" for p in self.problems)


def _line_of(data: bytes | str, offset: int) -> int:
    """1-based line of ``offset``, counting LF, CRLF and lone CR as line ends."""
    head = data[:offset]
    if isinstance(head, bytes):
        return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def read_article_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> ReadResult:
    """Read ``path`` as an article; see :func:`decode_article_bytes` for what is repaired."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadResult(
                None,
                [
                    Problem(
                        "error",
                        f"file is {size:,} bytes, above the {max_bytes:,}-byte limit for one article; "
                        "split it into articles or raise max_bytes",
                    )
                ],
            )
        data = path.read_bytes()
    except OSError as exc:
        return ReadResult(None, [Problem("error", f"cannot read file: {exc.strerror or exc}")])
    return decode_article_bytes(data)


def decode_article_bytes(data: bytes) -> ReadResult:
    """Turn raw bytes into clean article text.

    Handles UTF-8 with or without BOM (a few bad bytes in clear UTF-8, such as a last character cut
    in half, are replaced by U+FFFD), UTF-16 with or without BOM (any script), Windows-1252/Latin-1
    fallback, NUL bytes, CRLF/CR line ends, mojibake (via ftfy), non-breaking and invisible spaces,
    bidirectional controls, and whole HTML documents (converted to visible text). Empty and binary
    input is refused with an error.
    """
    problems: list[Problem] = []
    if not data.strip():
        what = "empty file (0 bytes)" if not data else "file contains only whitespace"
        return ReadResult(None, [Problem("error", what)])
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            return ReadResult(None, [Problem("error", f"binary file: looks like {kind}, not text")])

    text = _decode(data, problems)
    if text is None:
        return ReadResult(None, problems)

    controls = _CONTROL_RE.findall(text[:65536])
    if len(controls) > 0.05 * min(len(text), 65536):
        return ReadResult(None, [*problems, Problem("error", "binary file: too many control characters")])

    nul_count = text.count("\x00")
    if nul_count:
        problems.append(
            Problem("warning", f"removed {nul_count} NUL byte(s)", line=_line_of(text, text.index("\x00")))
        )
    match = _CONTROL_RE.search(text.replace("\x00", " ")) if nul_count else _CONTROL_RE.search(text)
    if match or nul_count:
        other = len(_CONTROL_RE.findall(text)) - nul_count
        if match:
            problems.append(
                Problem(
                    "warning", f"removed {other} control character(s)", line=_line_of(text, match.start())
                )
            )
        text = _CONTROL_RE.sub("", text)

    text = _normalise_line_ends(text, problems)

    was_html = looks_like_html_document(text)
    if was_html:
        text = html_to_text(text)
        problems.append(Problem("warning", "HTML document given as text: converted to its visible text"))

    fixed = ftfy.fix_encoding(text)
    if fixed != text:
        first = next((i for i, (a, b) in enumerate(zip(text, fixed, strict=False)) if a != b), 0)
        problems.append(
            Problem(
                "warning",
                "repaired mojibake (text decoded with the wrong encoding)",
                line=_line_of(text, first),
            )
        )
        text = _CONTROL_RE.sub("", fixed)  # a repair can decode bytes into control characters
    text = unicodedata.normalize("NFC", text)

    text = _clean(
        text, BIDI_CONTROL_RE, lambda whole: BIDI_CONTROL_RE.sub("", whole), problems,
        "removed {count} bidirectional control character(s) (U+202A-U+202E, U+2066-U+2069, "
        "U+200E/U+200F, U+061C), which can make text display in another order than it reads",
    )  # fmt: skip
    text = _clean(
        text, _ODD_WHITESPACE_RE, lambda whole: whole.translate(_WHITESPACE_TABLE), problems,
        "replaced {count} non-breaking, invisible or unusual space character(s)",
    )  # fmt: skip

    if not text.strip():
        return ReadResult(None, [*problems, Problem("error", "no visible text after cleaning")], was_html)
    return ReadResult(text, problems, was_html)


def _clean(
    text: str, pattern: re.Pattern[str], repair: Callable[[str], str], problems: list[Problem], message: str
) -> str:
    """``repair(text)`` when ``pattern`` occurs in it, with a warning (``message`` with ``{count}``)
    naming the line of the first occurrence; else ``text`` as it is."""
    found = pattern.search(text)
    if not found:
        return text
    count = len(pattern.findall(text))
    problems.append(Problem("warning", message.format(count=count), line=_line_of(text, found.start())))
    return repair(text)


def _decode(data: bytes, problems: list[Problem]) -> str | None:
    """Decode bytes, trying BOMs, UTF-16 without BOM, UTF-8 (whole or nearly), then Windows-1252, Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        problems.append(Problem("warning", "removed UTF-8 byte-order mark"))
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            problems.append(Problem("error", "starts with a UTF-16 byte-order mark but is not valid UTF-16"))
            return None
        problems.append(Problem("warning", "decoded as UTF-16 (byte-order mark found)"))
        return text
    else:
        utf16 = _sniff_utf16(data)
        if utf16:
            even = data[: len(data) - len(data) % 2]
            try:
                text = even.decode(utf16)
            except UnicodeDecodeError:
                pass
            else:
                odd_byte = "; its last byte, half a character, was dropped" if len(data) % 2 else ""
                problems.append(
                    Problem("warning", f"decoded as {utf16.upper()} (no byte-order mark){odd_byte}")
                )
                return text

    sample_nuls = data.count(b"\x00", 0, 65536)
    if sample_nuls > _binary_nul_limit(data):
        problems.append(Problem("error", "binary file: contains many NUL bytes"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        cut_short = exc.reason == "unexpected end of data"
    nearly = _nearly_utf8(data, cut_short=cut_short)
    if nearly is not None:
        text, bad = nearly
        if cut_short and bad == 1:
            message = (
                f"file ends in the middle of a UTF-8 character (cut short?); the incomplete character "
                f"on line {line} is replaced by U+FFFD (\ufffd)"
            )
        else:
            message = (
                f"not valid UTF-8 in {bad} place(s) (first on line {line}), though the rest is UTF-8; "
                "the bad bytes are replaced by U+FFFD (\ufffd)"
            )
        problems.append(Problem("warning", message, line=line))
        return text
    for encoding, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        problems.append(
            Problem(
                "warning", f"not valid UTF-8 (first bad byte on line {line}); decoded as {label}", line=line
            )
        )
        return text
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


#: UTF-8 with bad bytes is read as UTF-8 when it holds at least this many valid multi-byte
#: characters per bad place, and bad places are at most this share of its bytes.
_UTF8_EVIDENCE_PER_BAD_PLACE = 10
_UTF8_MAX_BAD_SHARE = 0.01


def _nearly_utf8(data: bytes, *, cut_short: bool) -> tuple[str, int] | None:
    """``data`` decoded as UTF-8 with its few bad bytes replaced, and the number of bad places; else None.

    Windows-1252 text is never valid multi-byte UTF-8 (its accented letters are single bytes), so
    valid multi-byte characters are the evidence: one is enough when the only bad place is a
    character cut at the end of the file (``cut_short``); otherwise they must outnumber the bad
    places ten to one, and the bad places be at most 1% of the bytes.
    """
    text = data.decode("utf-8", errors="replace")
    replacements = text.count("\ufffd")
    bad = replacements - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    multibyte = non_ascii - replacements
    if bad == 1 and cut_short and multibyte >= 1:
        return text, bad
    if multibyte >= _UTF8_EVIDENCE_PER_BAD_PLACE * bad and bad <= _UTF8_MAX_BAD_SHARE * len(data):
        return text, bad
    return None


def _binary_nul_limit(data: bytes) -> float:
    """More NUL bytes than this in the first 64 KiB make a file binary (unless it is UTF-16)."""
    return max(0.01 * min(len(data), 65536), 8)


# Unicode blocks real text is written in: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Indic,
# Thai, general punctuation, CJK symbols, kana, bopomofo, CJK ideographs, Hangul, full-width forms.
_SCRIPT_RANGES = (
    (0x0000, 0x024F), (0x0370, 0x06FF), (0x0900, 0x0DFF), (0x0E00, 0x0E7F), (0x1E00, 0x1EFF),
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x3000, 0x30FF), (0x3100, 0x312F), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF), (0xFF00, 0xFFEF),
)  # fmt: skip
_TEXT_SHARE = 0.97


def _reads_as_text(text: str) -> bool:
    """True when nearly every character is printable (or a line end or tab) and in a script's block."""
    sample = text[:20_000]
    if not sample:
        return False
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in sample)
    in_scripts = sum(any(low <= ord(ch) <= high for low, high in _SCRIPT_RANGES) for ch in sample)
    return printable >= _TEXT_SHARE * len(sample) and in_scripts >= _TEXT_SHARE * len(sample)


def _sniff_utf16(data: bytes) -> str | None:
    """Recognise BOM-less UTF-16 (LE or BE) by where its NUL bytes fall and by what it decodes to.

    Mostly-ASCII UTF-16 has a NUL in every other byte. Other scripts (Chinese, Russian ...) have
    NULs only where a space, digit, line end or Latin letter is, mostly on one side of the pairs;
    then the file must also decode to printable text in the blocks real scripts use. A UTF-8 or
    Windows-1252 file with a few stray NULs is left alone: without its NULs it is valid UTF-8, or
    it has no more NULs than a text file may.
    """
    sample = data[:65536]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    nuls = sample.count(0)
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if nuls >= 0.3 * len(sample):
        if odd_nuls > 0.7 * half and even_nuls < 0.1 * half:
            return "utf-16-le"
        if even_nuls > 0.7 * half and odd_nuls < 0.1 * half:
            return "utf-16-be"
        return None
    few = nuls <= _binary_nul_limit(data)
    if not nuls or (few and (nuls < 2 or len(sample) < 64)):
        return None  # too little to tell UTF-16 from a short text with a stray NUL
    if few:  # stray NULs in UTF-8 text, or UTF-16 with little ASCII
        try:
            data.replace(b"\x00", b"").decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return None
    for encoding, side, other in (("utf-16-le", odd_nuls, even_nuls), ("utf-16-be", even_nuls, odd_nuls)):
        if side >= 2 * other:  # a CJK character ending in 00 (言 U+8A00) puts a NUL on the other side
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                continue  # may be a character cut at the sample's end: too rare to try harder
            if _reads_as_text(text):
                return encoding
    return None


def _normalise_line_ends(text: str, problems: list[Problem]) -> str:
    if "\r" not in text:
        return text
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    if crlf:
        problems.append(Problem("warning", f"converted {crlf} Windows (CRLF) line end(s) to LF"))
    if lone_cr:
        problems.append(Problem("warning", f"converted {lone_cr} old Mac (CR) line end(s) to LF"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_like_html_document(text: str) -> bool:
    """True for a whole HTML page; false for prose that merely mentions a tag or two.

    A page starts with a doctype, ``<html>`` or ``<head>``, or is dominated by markup: at least
    ten known HTML tags that together cover a fifth of the first 100,000 characters.
    """
    head = text[:10_000].lstrip()
    while head.startswith("<!--"):  # leading comments, skipped without regex backtracking
        end = head.find("-->")
        head = head[end + 3 :].lstrip() if end >= 0 else ""
    if _DOCUMENT_START_RE.match(head):
        return True
    sample = text[:100_000]
    tags = [m for m in _TAG_RE.finditer(sample) if m.group(2).lower() in _HTML_TAGS]
    if len(tags) < 10:
        return False
    return sum(m.end() - m.start() for m in tags) >= 0.2 * len(sample.strip())


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, one block per line (inscriptis keeps the layout)."""
    from inscriptis import get_text
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    text = get_text(html, ParserConfig(css=CSS_PROFILES["strict"], display_images=False, display_links=False))
    lines = [line.rstrip() for line in text.splitlines()]
    # inscriptis pads blocks with blank lines; keep at most one between paragraphs.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
