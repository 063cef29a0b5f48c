"""Copies of one story: the same page twice, a mirror on another site, a wire story re-edited.

Stripped bodies are compared as sets of word 5-grams. Candidate pairs come from MinHash LSH Ensemble
(datasketch), which finds sets that *contain* much of a query set, so a shortened copy is found beside
its long original without comparing every pair; each candidate is confirmed on the exact sets.

A pair is a copy of one of these kinds (``copy_kind``):

- ``verbatim``: Jaccard similarity >= ``SAME_TEXT`` and the same outlet (or no outlet known): one page
  read twice;
- ``mirror``: the same text (Jaccard >= ``SAME_TEXT``) on another outlet, with no shared wire credit;
- ``wire re-edit``: both credit the same wire agency (``source``) and the shorter shares at least
  ``WIRE_CONTAINMENT`` of its 5-grams with the longer (edited, shortened or re-headlined wire copy).

Two independently written articles on one event share quotes, not half their 5-grams, and do not
both carry one wire's credit: they are never grouped. Copies form groups; the earliest article of a
group (effective date, then corpus order) is the original, and every other member gets ``copy_of``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from datasketch import MinHashLSHEnsemble

from newsdesk.stripping.dedup import MIN_SHINGLES, NUM_PERM, minhash, shingles

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

COPY_KINDS = ("verbatim", "mirror", "wire re-edit")
COPY_COLUMNS = ["article_id", "copy_of", "copy_kind", "copy_similarity"]
#: Jaccard similarity of two bodies' 5-gram sets from which they are the same text.
SAME_TEXT = 0.7
#: Share of the shorter body's 5-grams found in the longer one that makes a re-edit of one wire story.
WIRE_CONTAINMENT = 0.5
_PARTITIONS = 8


def find_copies(articles: pd.DataFrame, *, text: str = "body") -> pd.DataFrame:
    """``COPY_COLUMNS`` for each row of ``articles`` (same order; ``copy_of`` None for originals).

    ``articles`` needs ``article_id`` and ``text``; ``outlet``, ``source`` and ``effective_date`` are
    used when present (see the module's text). ``copy_similarity`` is the containment of the shorter
    body in the longer.
    """
    frame = articles.reset_index(drop=True)
    n = len(frame)
    outlets = _column(frame, "outlet")
    sources = _column(frame, "source")
    sets = [shingles(t if isinstance(t, str) else "") for t in frame[text]]
    usable = [i for i in range(n) if len(sets[i]) >= MIN_SHINGLES]
    signatures = {i: minhash(sets[i]) for i in usable}
    pairs: dict[tuple[int, int], tuple[str, float]] = {}
    if len(usable) >= 2:
        ensemble = MinHashLSHEnsemble(threshold=WIRE_CONTAINMENT, num_perm=NUM_PERM, num_part=_PARTITIONS)
        ensemble.index([(i, signatures[i], len(sets[i])) for i in usable])
        for i in usable:
            for j in ensemble.query(signatures[i], len(sets[i])):
                if j == i or (min(i, j), max(i, j)) in pairs:
                    continue
                kind = _kind(sets[i], sets[j], outlets[i], outlets[j], sources[i], sources[j])
                if kind is not None:
                    pairs[(min(i, j), max(i, j))] = kind
    return _groups(frame, pairs)


def _column(frame: pd.DataFrame, name: str) -> list[str | None]:
    if name not in frame.columns:
        return [None] * len(frame)
    return [v.strip() if isinstance(v, str) and v.strip() and v != "None" else None for v in frame[name]]


def _kind(
    first: set[int], second: set[int], outlet_a: str | None, outlet_b: str | None, source_a: str | None,
    source_b: str | None,
) -> tuple[str, float] | None:  # fmt: skip
    shared = len(first & second)
    containment = shared / min(len(first), len(second))
    jaccard = shared / len(first | second)
    shared_wire = (
        source_a is not None and source_a == source_b and (source_a != outlet_a or source_b != outlet_b)
    )
    if jaccard >= SAME_TEXT:
        if shared_wire:
            return "wire re-edit", containment
        return ("verbatim" if outlet_a == outlet_b else "mirror"), containment
    if containment >= WIRE_CONTAINMENT and shared_wire:
        return "wire re-edit", containment
    return None


def _groups(frame: pd.DataFrame, pairs: dict[tuple[int, int], tuple[str, float]]) -> pd.DataFrame:
    """Union the copy pairs into groups; the earliest member is the original of the others."""
    parent = list(range(len(frame)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(i)] = root(j)
    dates = pd.to_datetime(frame["effective_date"], errors="coerce") if "effective_date" in frame else None
    members: dict[int, list[int]] = {}
    for i in range(len(frame)):
        members.setdefault(root(i), []).append(i)
    copy_of: list[str | None] = [None] * len(frame)
    kind: list[str | None] = [None] * len(frame)
    similarity: list[float | None] = [None] * len(frame)
    ids = frame["article_id"].tolist()
    for group in members.values():
        if len(group) < 2:
            continue
        original = min(
            group, key=lambda i: (pd.isna(dates[i]) if dates is not None else True, _day(dates, i), i)
        )
        for i in group:
            if i == original:
                continue
            link = pairs.get((min(i, original), max(i, original))) or _closest(i, group, pairs)
            copy_of[i], kind[i], similarity[i] = ids[original], link[0], round(link[1], 3)
    return pd.DataFrame(
        {"article_id": ids, "copy_of": copy_of, "copy_kind": kind, "copy_similarity": similarity},
        columns=COPY_COLUMNS,
    )


def _day(dates: pd.Series | None, i: int) -> pd.Timestamp:
    if dates is None or pd.isna(dates[i]):
        return pd.Timestamp.max
    return dates[i]


def _closest(i: int, group: list[int], pairs: dict[tuple[int, int], tuple[str, float]]) -> tuple[str, float]:
    """The strongest direct link of ``i`` inside its group (it may reach the original through others)."""
    links = [pairs[(min(i, j), max(i, j))] for j in group if (min(i, j), max(i, j)) in pairs]
    return max(links, key=lambda link: link[1])


def syndicated_share(articles: pd.DataFrame, *, group: str = "outlet") -> pd.DataFrame:
    """Per ``group``: articles, copies among them, and the share of its body characters that are copies.

    ``articles`` needs ``group``, ``copy_of`` and ``n_chars`` (body characters) columns.
    """
    frame = articles.assign(_copy=articles["copy_of"].notna())
    frame = frame.assign(_copied_chars=frame["n_chars"].where(frame["_copy"], 0))
    table = frame.groupby(group, dropna=False).agg(
        articles=("article_id", "size"), copies=("_copy", "sum"), chars=("n_chars", "sum"),
        copied_chars=("_copied_chars", "sum"),
    )  # fmt: skip
    table["syndicated_share"] = (table["copied_chars"] / table["chars"].where(table["chars"] > 0)).round(3)
    return table.drop(columns=["chars", "copied_chars"]).reset_index()


def corpus_copies(corpus: Corpus) -> pd.DataFrame:
    """``COPY_COLUMNS`` for every annotatable article of ``corpus`` (from its resolved columns if any)."""
    articles = corpus.annotatable
    if "copy_of" in articles.columns:
        return articles[COPY_COLUMNS].reset_index(drop=True)

    def compute() -> pd.DataFrame:
        from newsdesk.stripping.corpus import corpus_bodies

        bodies = corpus_bodies(corpus)[["article_id", "body"]]
        columns = [c for c in ("article_id", "outlet", "source", "effective_date") if c in articles.columns]
        return find_copies(bodies.merge(articles[columns], on="article_id", how="left"))

    return corpus.memo(("copies",), compute)


def count_once(
    frame: pd.DataFrame, corpus: Corpus, *, include_copies: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``frame`` (with ``article_id``) that come from original articles, and the copies
    left out (``COPY_COLUMNS``). With ``include_copies`` every row is kept and nothing is left out.

    The one policy for counting a story once: quote spread, key quotes, key dates and the timeline
    read their rows through this function, and framing leaves out the same :func:`corpus_copies`.
    """
    copies = corpus_copies(corpus)
    left_out = copies[copies["copy_of"].notna()].reset_index(drop=True)
    if include_copies or left_out.empty:
        return frame, left_out.iloc[0:0]
    return frame[~frame["article_id"].isin(set(left_out["article_id"]))].reset_index(drop=True), left_out
