"""Clutter phrases ("already a subscriber", "join us on Telegram", "all rights reserved") found per unit.

The phrases live in the packaged, editable ``lexicons/clutter.txt``. They are data, so they are never
compiled as regular expressions: a phrase is a sequence of words (with ``*`` standing for up to
:data:`GAP_WORDS` words), matched over the document's word tokens with integer codes and numpy, in
time linear in the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import repeat
from pathlib import Path

import numpy as np

CLUTTER_PATH = Path(__file__).resolve().parent / "lexicons" / "clutter.txt"
#: ``*`` in a phrase stands for at most this many words.
GAP_WORDS = 6
#: Phrases (or the parts around a ``*``) longer than this many words are ignored.
MAX_PHRASE_WORDS = 5
#: Distinct phrase words kept (word ids fit in 16 bits); phrases with further words are ignored.
MAX_WORDS = 0xFFFF


def read_phrases(path: Path = CLUTTER_PATH) -> list[str]:
    """The phrases of a clutter file: one per line, ``#`` starts a comment line, blank lines skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class ClutterMatcher:
    """Counts clutter phrases per line over a document's word tokens."""

    def __init__(self, phrases: Iterable[str], tokenize: Callable[[str], list[bytes]]) -> None:
        self.word_id: dict[bytes, int] = {}
        self.gapped: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        whole: list[tuple[int, ...]] = []
        for phrase in phrases:
            words = [tokenize(part) for part in phrase.split("*")]
            if any(not part or len(part) > MAX_PHRASE_WORDS for part in words) or len(words) > 2:
                continue
            if len(self.word_id | dict.fromkeys(w for part in words for w in part)) > MAX_WORDS:
                continue
            parts = [tuple(self._ids(part)) for part in words]
            if len(parts) == 1:
                whole.append(parts[0])
            else:
                self.gapped.append((parts[0], parts[1]))
        exact: dict[int, set[int]] = {}
        for words in whole:  # codes once every word has its id (the base is the vocabulary size)
            exact.setdefault(len(words), set()).add(self._code(words))
        self.exact = {n: np.sort(np.fromiter(codes, np.int64, len(codes))) for n, codes in exact.items()}

    def _ids(self, words: list[bytes]) -> list[int]:
        return [self.word_id.setdefault(word, len(self.word_id) + 1) for word in words]

    @property
    def _base(self) -> int:
        return len(self.word_id) + 1

    def _code(self, ids: tuple[int, ...]) -> int:
        return sum(i * self._base**j for j, i in enumerate(ids))

    def line_hits(self, tokens: list[bytes], line_of: np.ndarray, n_lines: int) -> np.ndarray:
        """Phrases found on each of ``n_lines`` lines; ``line_of`` is each token's line (a line break
        token is not a phrase word, so no phrase spans two lines)."""
        ids = np.fromiter(map(self.word_id.get, tokens, repeat(0)), np.int64, len(tokens))
        return self.hits(ids, line_of, n_lines)

    def hits(self, ids: np.ndarray, line_of: np.ndarray, n_lines: int) -> np.ndarray:
        """:meth:`line_hits` given each token's phrase-word id (``word_id``; 0: not a phrase word)."""
        return self.hits_and_cover(ids, line_of, n_lines)[0]

    def hits_and_cover(
        self, ids: np.ndarray, line_of: np.ndarray, n_lines: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Phrases found on each line, and the number of the line's tokens inside a found phrase.

        Only tokens that are phrase words are looked at: the code of the ``n`` words from such a token
        is a number in base (vocabulary size + 1); a word that is no phrase word is digit 0, which no
        phrase has, so it matches nothing.
        """
        starts = np.flatnonzero(ids)
        if len(starts) == 0:
            return np.zeros(n_lines), np.zeros(n_lines)
        padded = np.concatenate([ids, np.zeros(MAX_PHRASE_WORDS, np.int64)])
        codes: dict[int, np.ndarray] = {}

        def codes_of(n: int) -> np.ndarray:
            if n not in codes:
                code = np.zeros(len(starts), np.int64)
                for j in range(n):
                    code += padded[starts + j] * self._base**j
                codes[n] = code
            return codes[n]

        hits, first, after = [], [], []  # each found phrase: a token of it, its first token, the next one
        for n, phrase_codes in self.exact.items():  # sorted: a binary search per candidate
            code = codes_of(n)
            found = phrase_codes[np.minimum(np.searchsorted(phrase_codes, code), len(phrase_codes) - 1)]
            at = starts[found == code]
            hits.append(at)
            first.append(at)
            after.append(at + n)
        for head, tail in self.gapped:
            ends = starts[codes_of(len(head)) == self._code(head)] + len(head)
            tails = starts[codes_of(len(tail)) == self._code(tail)]
            if len(ends) == 0 or len(tails) == 0:
                continue
            nearest = tails[np.minimum(np.searchsorted(tails, ends), len(tails) - 1)]
            hit = (nearest >= ends) & (nearest - ends <= GAP_WORDS) & (line_of[nearest] == line_of[ends - 1])
            hits.append(ends[hit] - 1)
            first.append(ends[hit] - len(head))
            after.append(nearest[hit] + len(tail))
        positions = np.concatenate(hits) if hits else np.zeros(0, np.int64)
        count = np.bincount(line_of[positions], minlength=n_lines + 1)[:n_lines].astype(np.float64)
        if len(positions) == 0:
            return count, np.zeros(n_lines)
        size = len(ids) + 1
        opened = np.bincount(np.concatenate(first), minlength=size)
        depth = np.cumsum(opened - np.bincount(np.concatenate(after), minlength=size))
        inside = np.flatnonzero(depth[: len(ids)] > 0)
        cover = np.bincount(line_of[inside], minlength=n_lines + 1)[:n_lines].astype(np.float64)
        return count, cover
