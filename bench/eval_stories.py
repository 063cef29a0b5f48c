"""Evaluation of story grouping and claim clustering on the hand-made gold set (issue 21).

Run from the project root::

    .venv/bin/python bench/eval_stories.py [--gold tests/stories/gold] [--show N]

The gold folder is a corpus in the usual format (``articles.csv`` + ``articles/*.txt``) plus
``gold.yaml`` (see ``tests/stories/gold/README.md``):

- ``stories``: ``key -> {label, articles: [id, ...], copies: [id, ...]}``; every article in exactly one.
- ``claims``: ``[{key, story, text, members: [{article, sentence}], figures_disagree}]``; ``sentence``
  is an exact substring of one sentence of that article.

The corpus is opened with :func:`newsdesk.open_corpus` and scored against
:func:`newsdesk.analysis.stories.corpus_stories` (one row per article: ``article_id``, ``story_id``,
``is_copy``, ...) and :func:`newsdesk.analysis.stories.corpus_claims` (one row per member sentence:
``claim_id``, ``article_id``, ``sentence``, ``start``, ``end``, ...).

Figures (all pairwise, over unordered pairs):

- stories: pairs of articles in the same predicted story vs in the same gold story. An article the
  prediction leaves out is a singleton. ``cross-story pairs`` counts gold different-story pairs that
  share a predicted story (the issue's bar: 0), and each one is listed.
- claims: pairs of gold member sentences. Each gold member is matched to the predicted member row
  of the same article whose sentence contains the gold substring, else the row that overlaps it
  most (at least ``MIN_OVERLAP`` characters). Two matched gold members are a predicted pair when
  their rows share a ``claim_id``. Precision counts predicted pairs among matched gold members only,
  so sentences the gold set does not label never count against it; recall counts every gold pair
  (an unmatched member pairs with nothing).

The last line is ``stories P x R x F1 x | claims P x R x F1 x | cross-story pairs N``. This is an
evaluation, not a test: the exit code is 0 whatever the figures (``--strict``: 1 when a cross-story
pair exists), and 1 when the library functions cannot be imported.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = PROJECT / "tests" / "stories" / "gold"
#: Fewest characters a predicted sentence must share with a gold substring (when it does not contain
#: it whole) for the two to be matched: a sentence splitter may cut a gold span in two.
MIN_OVERLAP = 10

STORY_COLUMNS = ("article_id", "story_id", "is_copy")
CLAIM_COLUMNS = ("claim_id", "article_id", "sentence")


# ---------------------------------------------------------------------------------------------
# Pure scoring functions (tested in tests/stories/test_gold.py with hand-made predictions)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairScores:
    """Pairwise precision/recall/F1 and the counts behind them."""

    true_pairs: int  # predicted and gold
    predicted_pairs: int
    gold_pairs: int

    @property
    def precision(self) -> float:
        # no predicted pair: nothing wrong was claimed
        return self.true_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_pairs / self.gold_pairs if self.gold_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def group_pairs(assignment: Mapping[Hashable, Any]) -> set[frozenset]:
    """Unordered pairs of items with the same group; an item whose group is None pairs with nothing."""
    groups: dict[Any, list[Hashable]] = {}
    for item, group in assignment.items():
        if group is None or (isinstance(group, float) and group != group):
            continue
        groups.setdefault(group, []).append(item)
    return {
        frozenset(pair) for members in groups.values() for pair in combinations(sorted(members, key=str), 2)
    }


def pairwise_scores(gold: Mapping[Hashable, Any], predicted: Mapping[Hashable, Any]) -> PairScores:
    """Pairwise scores of a predicted grouping against a gold one, over the gold items.

    Items missing from ``predicted`` (or predicted None) are singletons; predicted items that are not
    in ``gold`` are ignored.
    """
    pred = {item: predicted.get(item) for item in gold}
    gold_p, pred_p = group_pairs(gold), group_pairs(pred)
    return PairScores(len(gold_p & pred_p), len(pred_p), len(gold_p))


def cross_group_pairs(gold: Mapping[Hashable, Any], predicted: Mapping[Hashable, Any]) -> list[tuple]:
    """Pairs of gold items from different gold groups that share a predicted group, sorted."""
    pred = {item: predicted.get(item) for item in gold}
    wrong = group_pairs(pred) - group_pairs(gold)
    return sorted(tuple(sorted(pair, key=str)) for pair in wrong)


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def overlap(gold: str, sentence: str) -> int:
    """Characters a gold substring and a predicted sentence share, as one contiguous piece.

    The whole gold length when the sentence contains it; the sentence length when the gold span
    contains it; else the longest end of one that is the start of the other (a span cut in two by a
    sentence boundary). Whitespace runs count as one space, typographic quotes as straight ones.
    """
    g, s = _norm(gold), _norm(sentence)
    if not g or not s:
        return 0
    if g in s:
        return len(g)
    if s in g:
        return len(s)
    best = 0
    for k in range(min(len(g), len(s)) - 1, 0, -1):
        if s.endswith(g[:k]) or g.endswith(s[:k]):
            best = k
            break
    return best


def match_member(gold_sentence: str, rows: Iterable[tuple[Hashable, str]]) -> Hashable | None:
    """Key of the predicted row (``(key, sentence)``) that contains, else most overlaps, the gold span.

    None when no row shares ``MIN_OVERLAP`` characters with it (or the whole span when shorter).
    Ties go to the first row.
    """
    need = min(MIN_OVERLAP, len(_norm(gold_sentence)))
    best_key, best = None, 0
    for key, sentence in rows:
        n = overlap(gold_sentence, sentence)
        if n > best:
            best_key, best = key, n
    return best_key if best >= max(need, 1) else None


def claim_pair_scores(
    gold_members: Mapping[Hashable, Any], matched: Mapping[Hashable, frozenset | set | None]
) -> PairScores:
    """Pairwise scores of claim clustering over gold members.

    ``gold_members``: member key -> gold claim key. ``matched``: member key -> the predicted
    claim ids of the row it was matched to (a sentence may sit in several claims), or None/empty when
    unmatched. Two matched members are a predicted pair when their claim-id sets intersect; predicted
    pairs are counted among matched members only.
    """
    gold_p = group_pairs(gold_members)
    hits = {m: frozenset(c) for m, c in matched.items() if m in gold_members and c}
    pred_p = {frozenset((a, b)) for a, b in combinations(sorted(hits, key=str), 2) if hits[a] & hits[b]}
    return PairScores(len(gold_p & pred_p), len(pred_p), len(gold_p))


def summary_line(stories: PairScores, claims: PairScores, n_cross: int) -> str:
    """The one-line result the issue's closing note quotes."""
    return (
        f"stories P {stories.precision:.3f} R {stories.recall:.3f} F1 {stories.f1:.3f} | "
        f"claims P {claims.precision:.3f} R {claims.recall:.3f} F1 {claims.f1:.3f} | "
        f"cross-story pairs {n_cross}"
    )


# ---------------------------------------------------------------------------------------------
# The gold set
# ---------------------------------------------------------------------------------------------


def load_gold(folder: str | Path) -> dict:
    """``gold.yaml`` of a gold folder, with ``article_story`` (id -> story key) and ``members`` added.

    ``members`` is a list of ``(member_key, claim_key, article_id, substring)`` where member_key is
    ``"<claim_key>#<article_id>"``.
    """
    import yaml

    gold = yaml.safe_load((Path(folder) / "gold.yaml").read_text(encoding="utf-8"))
    article_story: dict[str, str] = {}
    for key, story in gold["stories"].items():
        for article in story["articles"]:
            article_story[str(article)] = key
    members = [
        (f"{claim['key']}#{m['article']}", claim["key"], str(m["article"]), m["sentence"])
        for claim in gold["claims"]
        for m in claim["members"]
    ]
    gold["article_story"] = article_story
    gold["members"] = members
    return gold


# ---------------------------------------------------------------------------------------------
# Running against the library
# ---------------------------------------------------------------------------------------------


def _missing(frame: Any, columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c not in frame.columns]


def score_claims(gold: dict, claims: Any) -> tuple[PairScores, dict, dict]:
    """Match gold members to the rows of ``corpus_claims`` and score; also return the matches."""
    rows_by_article: dict[str, list[tuple[Hashable, str]]] = {}
    ids_by_row: dict[Hashable, set] = {}
    for row in claims.itertuples(index=False):
        start, end = getattr(row, "start", None), getattr(row, "end", None)
        key = (str(row.article_id), start, end, row.sentence)
        if key not in ids_by_row:
            rows_by_article.setdefault(str(row.article_id), []).append((key, str(row.sentence)))
            ids_by_row[key] = set()
        if not _missing_value(row.claim_id):
            ids_by_row[key].add(row.claim_id)
    gold_members = {m: claim for m, claim, _, _ in gold["members"]}
    matched: dict[str, frozenset | None] = {}
    matched_row: dict[str, Hashable | None] = {}
    for member, _, article, substring in gold["members"]:
        row_key = match_member(substring, rows_by_article.get(article, []))
        matched_row[member] = row_key
        matched[member] = frozenset(ids_by_row[row_key]) if row_key is not None else None
    return claim_pair_scores(gold_members, matched), matched, matched_row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", default=str(DEFAULT_GOLD), help="gold folder (corpus + gold.yaml)")
    parser.add_argument("--show", type=int, default=15, help="misses of each kind to list")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a cross-story pair exists")
    args = parser.parse_args(argv)

    try:
        import newsdesk
        from newsdesk.analysis.stories import corpus_claims, corpus_stories
    except ImportError as exc:
        print(
            f"eval_stories: cannot import newsdesk.analysis.stories (corpus_stories, corpus_claims): {exc}",
            file=sys.stderr,
        )
        return 1

    folder = Path(args.gold)
    gold = load_gold(folder)
    corpus = newsdesk.open_corpus(folder)

    stories = corpus_stories(corpus)
    claims = corpus_claims(corpus)
    checks = (("corpus_stories", stories, STORY_COLUMNS), ("corpus_claims", claims, CLAIM_COLUMNS))
    for name, frame, columns in checks:
        missing = _missing(frame, columns)
        if missing:
            print(f"eval_stories: {name} lacks column(s) {', '.join(missing)}", file=sys.stderr)
            return 1

    # --- stories ---
    article_story = gold["article_story"]
    predicted = {str(a): s for a, s in zip(stories["article_id"], stories["story_id"], strict=True)}
    story_scores = pairwise_scores(article_story, predicted)
    cross = cross_group_pairs(article_story, predicted)
    split = group_pairs(article_story) - group_pairs({a: predicted.get(a) for a in article_story})
    missed = sorted(tuple(sorted(pair)) for pair in split)
    print(
        f"gold: {len(article_story)} articles, {len(gold['stories'])} stories, "
        f"{len(gold['claims'])} claims, {len(gold['members'])} claim members"
    )
    print(f"predicted: {stories['story_id'].nunique()} stories over {len(stories)} article rows; "
          f"{claims['claim_id'].nunique()} claims over {len(claims)} member rows")
    print(f"story pairs: gold {story_scores.gold_pairs}, predicted {story_scores.predicted_pairs}, "
          f"both {story_scores.true_pairs}")
    print(f"cross-story pairs (gold different stories sharing a predicted story; must be 0): {len(cross)}")
    for a, b in cross[: args.show]:
        print(f"  {a} ({article_story[a]}) + {b} ({article_story[b]}) -> {predicted.get(a)}")
    if missed:
        print(f"gold same-story pairs split by the prediction: {len(missed)}")
        for a, b in missed[: args.show]:
            print(f"  {a} + {b} ({article_story[a]}): {predicted.get(a)} vs {predicted.get(b)}")

    copies = {str(c) for s in gold["stories"].values() for c in s.get("copies") or []}
    flagged = {str(a) for a, c in zip(stories["article_id"], stories["is_copy"], strict=True) if _truthy(c)}
    print(f"copies: gold {len(copies)}, flagged {len(flagged & set(article_story))}, "
          f"both {len(copies & flagged)}")

    # --- claims ---
    claim_scores, matched, _ = score_claims(gold, claims)
    n_matched = sum(1 for c in matched.values() if c)
    print(f"claim members matched to a predicted member row: {n_matched}/{len(matched)}")
    print(f"claim pairs: gold {claim_scores.gold_pairs}, predicted (among matched) "
          f"{claim_scores.predicted_pairs}, both {claim_scores.true_pairs}")
    unmatched = [m for m, c in matched.items() if not c]
    for member in unmatched[: args.show]:
        print(f"  unmatched: {member}")
    disagree = [c for c in gold["claims"] if c.get("figures_disagree")]
    together = 0
    for claim in disagree:
        sets = [matched.get(f"{claim['key']}#{m['article']}") for m in claim["members"]]
        if all(sets) and frozenset.intersection(*sets):
            together += 1
    print(f"claims whose figures disagree kept in one predicted claim: {together}/{len(disagree)}")

    print(summary_line(story_scores, claim_scores, len(cross)))
    return 1 if args.strict and cross else 0


def _missing_value(value: Any) -> bool:
    """True for None, NaN and pd.NA."""
    try:
        return value is None or bool(value != value)
    except TypeError:  # pd.NA
        return True


def _truthy(value: Any) -> bool:
    """True for a true flag; False for false, None, NaN and pd.NA."""
    try:
        return bool(value) and value == value
    except TypeError:  # pd.NA
        return False


if __name__ == "__main__":
    sys.exit(main())
