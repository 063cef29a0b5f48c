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
            parts = [tuple(self._ids(tokenize(part))) for part in phrase.split("*")]
            if any(not part or len(part) > MAX_PHRASE_WORDS for part in parts) or len(parts) > 2:
                continue
            if len(parts) == 1:
                whole.append(parts[0])
            else:
                self.gapped.append((parts[0], parts[1]))
        exact: dict[int, set[int]] = {}
        for words in whole:  # codes once every word has its id (the base is the vocabulary size)
            exact.setdefault(len(words), set()).add(self._code(words))
        self.exact = {n: np.fromiter(codes, np.int64, len(codes)) for n, codes in exact.items()}

    def _ids(self, words: list[bytes]) -> list[int]:
        return [self.word_id.setdefault(word, len(self.word_id) + 1) for word in words]

    @property
    def _base(self) -> int:
        return len(self.word_id) + 1

    def _code(self, ids: tuple[int, ...]) -> int:
        return sum(i * self._base**j for j, i in enumerate(ids))

    def _codes(self, ids: np.ndarray, n: int) -> np.ndarray:
        """Code of the ``n`` words starting at every token (0 where one of them is not a phrase word)."""
        code = np.zeros(len(ids), np.int64)
        ok = np.ones(len(ids), bool)
        for j in range(n):
            shifted = np.zeros(len(ids), np.int64)
            if j < len(ids):
                shifted[: len(ids) - j] = ids[j:]
            ok &= shifted > 0
            code += shifted * self._base**j
        return np.where(ok, code, 0)

    def _starts(self, ids: np.ndarray, words: tuple[int, ...]) -> np.ndarray:
        """Token positions where ``words`` start."""
        return np.flatnonzero(self._codes(ids, len(words)) == self._code(words))

    def line_hits(self, tokens: list[bytes], line_of: np.ndarray, n_lines: int) -> np.ndarray:
        """Phrases found on each of ``n_lines`` lines; ``line_of`` is each token's line (a line break
        token is not a phrase word, so no phrase spans two lines)."""
        ids = np.fromiter(map(self.word_id.get, tokens, repeat(0)), np.int64, len(tokens))
        hits: list[np.ndarray] = []
        if ids.any():
            for n, codes in self.exact.items():
                hits.append(np.flatnonzero(np.isin(self._codes(ids, n), codes)))
            for head, tail in self.gapped:
                ends = self._starts(ids, head) + len(head)
                tails = self._starts(ids, tail)
                if len(ends) == 0 or len(tails) == 0:
                    continue
                nxt = np.searchsorted(tails, ends)
                found = nxt < len(tails)
                near = tails[np.minimum(nxt, len(tails) - 1)] - ends <= GAP_WORDS
                same = line_of[np.minimum(tails[np.minimum(nxt, len(tails) - 1)], len(line_of) - 1)]
                hit = found & near & (same == line_of[np.minimum(ends - 1, len(line_of) - 1)])
                hits.append(ends[hit] - 1)
        positions = np.concatenate(hits) if hits else np.zeros(0, np.int64)
        return np.bincount(line_of[positions], minlength=n_lines + 1)[:n_lines].astype(np.float64)
