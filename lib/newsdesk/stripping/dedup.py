"""Near-duplicate articles: wire copy republished by several outlets, or one article scraped twice.

Bodies are compared as sets of word 5-grams (shingles). MinHash signatures and locality-sensitive
hashing (datasketch) find candidate pairs without comparing every pair, so this scales to large
corpora; each candidate is then confirmed with the exact Jaccard similarity of the shingle sets.
"""

from __future__ import annotations

import re
import zlib

import pandas as pd
from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5
#: Jaccard similarity of body shingles at or above which two articles count as the same text.
DUPLICATE_THRESHOLD = 0.7
#: Bodies with fewer shingles than this are too short to call duplicates.
MIN_SHINGLES = 20
NUM_PERM = 128
_WORD_RE = re.compile(r"\w+")

DUPLICATE_COLUMNS = ["article_id", "duplicate_of", "similarity"]


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """Stable hashes of the lower-cased word ``size``-grams of ``text``."""
    words = _WORD_RE.findall(text.lower())
    return {zlib.crc32(" ".join(words[i : i + size]).encode()) for i in range(len(words) - size + 1)}


def _stable_hash(value: bytes) -> int:
    return int.from_bytes(value[:4], "little")


def minhash(values: set[int]) -> MinHash:
    """The MinHash signature of a set of :func:`shingles` (stable across runs and machines)."""
    signature = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_stable_hash)
    signature.update_batch([value.to_bytes(4, "little") for value in sorted(values)])
    return signature


def find_duplicates(
    bodies: pd.DataFrame,
    *,
    text: str = "body",
    order: str | None = "published_date",
    threshold: float = DUPLICATE_THRESHOLD,
) -> pd.DataFrame:
    """Mark each article whose body nearly repeats an earlier one.

    Args:
        bodies: one row per article with ``article_id`` and the ``text`` column.
        order: column deciding which copy is the original (earliest first; missing values last,
            ties by corpus order). None keeps corpus order.
        threshold: minimum Jaccard similarity of the two bodies' 5-gram sets.

    Returns:
        One row per article: ``article_id``, ``duplicate_of`` (the id of the original, or None)
        and ``similarity`` to it (None for originals).
    """
    frame = bodies.reset_index(drop=True)
    if order is not None and order in frame:
        frame = frame.sort_values(order, na_position="last", kind="stable")
    ids = frame["article_id"].tolist()
    sets = [shingles(t or "") for t in frame[text]]

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    signatures: dict[int, MinHash] = {}
    for index, shingle_set in enumerate(sets):
        if len(shingle_set) < MIN_SHINGLES:
            continue
        signatures[index] = minhash(shingle_set)

    original_of: dict[int, tuple[int, float]] = {}
    for index, signature in signatures.items():
        best: tuple[int, float] | None = None
        for other in lsh.query(signature):
            root = original_of.get(other, (other, 1.0))[0]
            similarity = _jaccard(sets[index], sets[other])
            if similarity >= threshold and (best is None or similarity > best[1]):
                best = (root, similarity)
        if best is not None:
            original_of[index] = best
        lsh.insert(index, signature)

    rows = []
    for index, article_id in enumerate(ids):
        original = original_of.get(index)
        rows.append(
            (article_id, ids[original[0]] if original else None, round(original[1], 3) if original else None)
        )
    result = pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)
    order_back = {article_id: position for position, article_id in enumerate(bodies["article_id"])}
    return result.sort_values("article_id", key=lambda s: s.map(order_back), ignore_index=True)


def _jaccard(first: set[int], second: set[int]) -> float:
    union = len(first | second)
    return len(first & second) / union if union else 0.0
