"""Words of a text, as every stage that compares names, quotes or events counts and normalises them."""

from __future__ import annotations

import re

#: A word: letters or digits, with inner apostrophes ("China's", "don't"); underscores are not words.
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def normal_words(text: object) -> str:
    """``text``'s words, lower-cased and joined by single spaces ("" for anything that is not text)."""
    return " ".join(word.lower() for word in WORD_RE.findall(text)) if isinstance(text, str) else ""


def one_line(text: object) -> object:
    """``text`` with every run of white space (a body's line breaks) as one space; non-text as it is."""
    return " ".join(text.split()) if isinstance(text, str) else text


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number: ``"1 quote"``, ``"3 quotes"``, ``"2 stories"``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def shortened(text: object, limit: int) -> str:
    """``text`` on one line, cut to at most ``limit`` characters with an ellipsis ("" for non-text)."""
    flat = " ".join(text.split()) if isinstance(text, str) else ""
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"
