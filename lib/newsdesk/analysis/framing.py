"""How outlets frame one story: term choice, attribution verbs, hedges, voices, distinctive terms, tone.

:func:`collect` gathers the per-article inputs once; every other function is a plain function over the
DataFrames it returns, so the notebook (and a test) can recompute any table from the frames alone.

Per article, :func:`article_frames` gives the body's sentences with their tone and entities
(:func:`sentence_frame`) and its lexicon matches (a :class:`~newsdesk.extract.lexicons.TermMatcher`).
They are looked up through the corpus's cache by body hash, under :func:`sentences_namespace` and
:func:`terms_namespace` (which names the lexicon's hash), so a store (:mod:`newsdesk.store.format`) answers
them from its tables when it holds them for the same versions and lexicon; anything else is computed
from the parsed bodies, each Doc loaded once for both frames.

Groups: an article's group is its outlet (manifest, else inferred: :mod:`newsdesk.metadata.outlets`) or, when
no outlet can be told, ``(unknown: <article id>)``: unknown articles are compared one by one and never
pooled. Groups with fewer than :data:`THIN_GROUP_ARTICLES` articles are flagged ``thin``.
Copies of another article (``copy_of``: verbatim, mirror, wire re-edit; see
:func:`newsdesk.metadata.syndication.count_once`) are left out by default so a story counts once.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from spacy.lang.en.stop_words import STOP_WORDS

from newsdesk.analysis.quotes import corpus_quotes, speaker_roles
from newsdesk.core.text import one_line
from newsdesk.extract.lexicons import (
    TermLexicon,
    affiliation_rule,
    read_affiliations,
    read_term_lexicon,
    read_verb_classes,
)
from newsdesk.extract.run import step_frames
from newsdesk.extract.tone import SENTENCE_COLUMNS
from newsdesk.metadata.outlets import outlet_labels
from newsdesk.metadata.resolve import resolve_outlets
from newsdesk.metadata.syndication import corpus_copies
from newsdesk.stripping.corpus import corpus_bodies

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

#: Groups with fewer articles than this are "thin": shown, but their rates are not read as a pattern.
THIN_GROUP_ARTICLES = 3
#: z-score beyond which a term counts as distinctive (two-sided 5% under the normal approximation).
Z_DISTINCTIVE = 1.96
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


# --- per-article inputs --------------------------------------------------------------------------


@dataclass
class FramingInputs:
    """Everything the framing tables are computed from (one row per article, sentence, match, quote)."""

    articles: pd.DataFrame
    sentences: pd.DataFrame
    matches: pd.DataFrame
    quotes: pd.DataFrame
    lexicon: TermLexicon
    verb_classes: dict[str, str]
    affiliations: pd.DataFrame
    excluded_copies: pd.DataFrame


def article_inputs(
    corpus: Corpus, lexicon: TermLexicon, *, progress: bool | None = None
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Every article's sentence frame and lexicon matches, in ``corpus_bodies(corpus)`` order.

    The steps ``framing_sentences`` and ``framing_terms`` (:func:`newsdesk.extract.run.step_frames`).
    """
    names = ["framing_sentences", "framing_terms"]
    frames = step_frames(corpus, names, lexicon=lexicon, progress=progress, description="Framing")
    return frames["framing_sentences"], frames["framing_terms"]


def lexicon_dir_for(corpus: Corpus) -> Path:
    """Where the analyst's lexicons for ``corpus`` live: ``<corpus root>/lexicons``."""
    return Path(corpus.root) / "lexicons"


def collect(
    corpus: Corpus,
    *,
    lexicon_dir: str | Path | None = None,
    include_copies: bool = False,
    group_by: str = "outlet",
    pool_single: bool = True,
    quotes: pd.DataFrame | None = None,
    progress: bool | None = None,
) -> FramingInputs:
    """Articles with outlets and groups, sentences with tone, lexicon matches and quotes of ``corpus``.

    Lexicons come from ``lexicon_dir`` (default ``<corpus root>/lexicons``) over the packaged defaults;
    ``quotes`` is ``corpus_quotes(corpus)`` when the caller already has it (it is computed otherwise).
    ``group_by`` (:data:`GROUP_BY`) decides what an article's ``group`` is: its outlet (the publisher),
    its wire ``source``, the outlet's registry ``type`` or ``country``. With ``pool_single``, outlets
    (or sources) with one article and a known type are pooled as ``"<type> (1-article outlets)"``
    instead of each filling a row; unknown outlets are never pooled.
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}, not {group_by!r}")
    lexicon_dir = Path(lexicon_dir) if lexicon_dir is not None else lexicon_dir_for(corpus)
    lexicon = read_term_lexicon(lexicon_dir)
    corpus = resolve_outlets(corpus, progress=progress)  # no work when the corpus was opened resolved
    bodies = corpus_bodies(corpus)
    metadata = ["outlet_source", "outlet_evidence", "source", "outlet_type", "outlet_country"]
    outlets = corpus.annotatable.reindex(columns=["article_id", "outlet", *metadata])
    sentences, matches = article_inputs(corpus, lexicon, progress=progress)
    articles = bodies[["article_id", "published_date", "title"]].merge(outlets, on="article_id", how="left")
    copies = corpus_copies(corpus).set_index("article_id")
    articles["copy_of"] = articles["article_id"].map(copies["copy_of"])
    articles["copy_kind"] = articles["article_id"].map(copies["copy_kind"])
    articles["group"] = article_groups(articles, group_by, pool_single=pool_single)
    articles["n_words"] = [int(frame["n_words"].sum()) if len(frame) else 0 for frame in sentences]
    articles["n_sentences"] = [len(frame) for frame in sentences]
    ids = articles["article_id"].tolist()
    sentence_table = _stack(sentences, ids, SENTENCE_COLUMNS)
    match_table = _stack(matches, ids, list(matches[0].columns) if matches else [])
    if quotes is None:
        quotes = corpus_quotes(corpus, include_copies=include_copies, progress=progress)
    affiliations = read_affiliations(lexicon_dir)
    match_table = match_voices(match_table, bodies, voices(quotes, affiliations) if len(quotes) else quotes)
    keep = articles["copy_of"].isna() | include_copies
    excluded = articles.loc[~keep, ["article_id", "group", "copy_of", "copy_kind"]].reset_index(drop=True)
    articles = articles[keep].reset_index(drop=True)
    articles["thin"] = articles.groupby("group")["article_id"].transform("size") < THIN_GROUP_ARTICLES
    kept = set(articles["article_id"])
    group_of = articles.set_index("article_id")["group"]

    def restrict(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[frame["article_id"].isin(kept)].reset_index(drop=True)
        return frame.assign(group=frame["article_id"].map(group_of))

    return FramingInputs(
        articles=articles,
        sentences=restrict(sentence_table),
        matches=restrict(_with_sentences(match_table, sentence_table)),
        quotes=restrict(quotes.drop(columns=["outlet"], errors="ignore")),
        lexicon=lexicon,
        verb_classes=read_verb_classes(lexicon_dir),
        affiliations=affiliations,
        excluded_copies=excluded,
    )


#: Whose words a lexicon match is: the outlet's own, or inside a quotation (``voiced_by`` says whose).
VOICES = ("own", "quoted")


def match_voices(matches: pd.DataFrame, bodies: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    """``matches`` with ``voice`` (``own`` or ``quoted``: inside quotation marks of the body),
    ``voiced_by`` (the canonical speaker of the direct or partial quote around it, when one is known)
    and ``voiced_affiliation`` (that quote's ``affiliation`` when ``quotes`` has one, see :func:`voices`)."""
    from newsdesk.extract.quotes import scan_quotes

    voice = np.full(len(matches), "own", dtype=object)
    voiced_by = np.full(len(matches), None, dtype=object)
    voiced_affiliation = np.full(len(matches), None, dtype=object)
    if matches.empty:
        return matches.assign(voice=voice, voiced_by=voiced_by, voiced_affiliation=voiced_affiliation)
    body_of = dict(zip(bodies["article_id"], bodies["body"], strict=True))
    quoted = quotes[quotes["kind"].isin(["direct", "partial"])] if len(quotes) else quotes
    if len(quoted) and "affiliation" not in quoted.columns:
        quoted = quoted.assign(affiliation=None)
    speakers = {
        article_id: list(zip(frame["start"], frame["end"], frame["speaker_canonical"], frame["affiliation"],
                             strict=True))
        for article_id, frame in quoted.groupby("article_id")
    } if len(quoted) else {}  # fmt: skip
    for article_id, rows in matches.groupby("article_id").indices.items():
        body = body_of.get(article_id)
        if not isinstance(body, str):
            continue
        spans = [(span.start, span.end) for span in scan_quotes(body)]
        starts = [start for start, _ in spans]
        for row in rows:
            start, end = int(matches["start"].iat[row]), int(matches["end"].iat[row])
            at = bisect.bisect_right(starts, start) - 1
            if at >= 0 and end <= spans[at][1]:
                voice[row] = "quoted"
                quotes_here = speakers.get(article_id, [])
                around = [(who, aff) for s, e, who, aff in quotes_here if s <= start and end <= e]
                if around:
                    voiced_by[row], voiced_affiliation[row] = around[0]
    return matches.assign(voice=voice, voiced_by=voiced_by, voiced_affiliation=voiced_affiliation)


#: What framing can group articles by (``collect(group_by=...)``).
GROUP_BY = ("outlet", "source", "type", "country")
UNKNOWN_GROUP = "(unknown {})"


def article_groups(
    articles: pd.DataFrame, group_by: str = "outlet", *, pool_single: bool = True
) -> pd.Series:
    """The group label of each article (see :func:`collect`)."""
    if group_by in ("type", "country"):
        column = articles[f"outlet_{group_by}"] if f"outlet_{group_by}" in articles.columns else None
        if column is None:
            return pd.Series(UNKNOWN_GROUP.format(group_by), index=articles.index)
        return column.where(column.notna() & (column.astype(str) != "None"), UNKNOWN_GROUP.format(group_by))
    name = "source" if group_by == "source" and "source" in articles.columns else "outlet"
    labels = outlet_labels(articles, outlet=name)
    if not pool_single or "outlet_type" not in articles.columns:
        return labels
    known = (
        articles[name].notna()
        & articles["outlet_type"].notna()
        & (articles["outlet_type"].astype(str) != "None")
    )
    single = labels.map(labels.value_counts()) == 1
    pooled = articles["outlet_type"].astype(str) + " (1-article outlets)"
    return labels.where(~(single & known), pooled)


def _stack(frames: list[pd.DataFrame], ids: list[str], columns: list[str]) -> pd.DataFrame:
    """One frame of every article's rows, ``article_id`` first."""
    lengths = [len(frame) for frame in frames]
    parts = [frame for frame in frames if len(frame)]
    if not parts:
        return pd.DataFrame(columns=["article_id", *columns])
    stacked = pd.concat(parts, ignore_index=True)
    stacked.insert(0, "article_id", pd.Series(ids, dtype="str").repeat(lengths).to_numpy())
    return stacked


def _with_sentences(matches: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Attach each match's sentence text (for the examples behind every count)."""
    if matches.empty:
        return matches.assign(sentence=pd.Series(dtype=object))
    lookup = sentences[["article_id", "start", "text"]].rename(
        columns={"start": "sentence_start", "text": "sentence"}
    )
    merged = matches.merge(lookup, on=["article_id", "sentence_start"], how="left")
    return merged.assign(sentence=merged["sentence"].fillna(merged["text"]))


# --- intervals -----------------------------------------------------------------------------------


def wilson_interval(successes, trials, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions ``successes / trials`` (NaN where ``trials`` is 0)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def _group_sizes(articles: pd.DataFrame) -> pd.DataFrame:
    return articles.groupby("group").agg(
        n_articles=("article_id", "size"), n_words=("n_words", "sum"), thin=("thin", "first")
    )


# --- term choice ---------------------------------------------------------------------------------


def term_table(matches: pd.DataFrame, articles: pd.DataFrame, lexicon: TermLexicon) -> pd.DataFrame:
    """Per group, question and term: mentions (``n_own`` in the outlet's own words plus ``n_quoted``
    inside quotations), articles using it, share of the question's mentions (with a 95% Wilson
    interval) and mentions per 10,000 words.

    Every term of the lexicon appears for every group, with zero counts where it is not used.
    """
    terms = [(q.key, q.title, term) for q in lexicon.questions.values() for term in q.terms]
    grid = pd.MultiIndex.from_tuples(
        [(group, key, term) for group in sorted(articles["group"].unique()) for key, _, term in terms],
        names=["group", "question", "term"],
    )
    voiced = matches.assign(
        _own=matches["voice"].eq("own") if "voice" in matches.columns else True,
        _quoted=matches["voice"].eq("quoted") if "voice" in matches.columns else False,
    )
    counts = voiced.groupby(["group", "question", "term"]).agg(
        n_mentions=("article_id", "size"),
        n_own=("_own", "sum"),
        n_quoted=("_quoted", "sum"),
        n_articles_using=("article_id", "nunique"),
    )
    table = counts.reindex(grid, fill_value=0).reset_index()
    table = table.merge(_group_sizes(articles), left_on="group", right_index=True)
    table["question_mentions"] = table.groupby(["group", "question"])["n_mentions"].transform("sum")
    table["share"] = table["n_mentions"] / table["question_mentions"].where(table["question_mentions"] > 0)
    table["share_low"], table["share_high"] = wilson_interval(table["n_mentions"], table["question_mentions"])
    table["per_10k_words"] = 1e4 * table["n_mentions"] / table["n_words"].where(table["n_words"] > 0)
    titles = {key: title for key, title, _ in terms}
    table.insert(2, "question_title", table["question"].map(titles))
    return table


def term_examples(matches: pd.DataFrame, *, per_cell: int = 2) -> pd.DataFrame:
    """Up to ``per_cell`` example sentences for every group, question and term that has matches."""
    if matches.empty:
        return pd.DataFrame(columns=["group", "question", "term", "article_id", "text", "sentence"])
    ordered = matches.sort_values(["group", "question", "term", "article_id", "start"])
    examples = ordered.drop_duplicates(["group", "question", "term", "sentence"])
    examples = examples.groupby(["group", "question", "term"]).head(per_cell)
    table = examples[["group", "question", "term", "article_id", "text", "sentence"]].reset_index(drop=True)
    return table.assign(sentence=table["sentence"].map(one_line))


# --- attribution verbs ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def cue_lemma(cue: str) -> str:
    """The dictionary form of an attribution cue: "stressed" -> "stress", "According to" -> "according to"."""
    from newsdesk.parsing.pipeline import nlp

    words = cue.strip().lower()
    if not words or not any(character.isalpha() for character in words):
        return "(headline colon)" if words == ":" else words
    if words in {"according to", "in a statement", "in remarks"}:
        return words
    doc = nlp()(f"They {words}")
    verbs = [t for t in doc[1:] if t.pos_ in {"VERB", "AUX"}]
    head = verbs[0] if verbs else doc[1]
    return head.lemma_.lower()


def verb_table(quotes: pd.DataFrame, articles: pd.DataFrame, verb_classes: dict[str, str]) -> pd.DataFrame:
    """Per group and attribution verb: quotes it introduces, its class, its share of the group's quotes."""
    columns = ["group", "verb", "verb_class", "n_quotes", "group_quotes", "share", "share_low", "share_high"]
    cues = quotes.dropna(subset=["cue"])
    if cues.empty:
        return pd.DataFrame(columns=columns)
    cues = cues.assign(verb=cues["cue"].map(cue_lemma))
    table = cues.groupby(["group", "verb"]).size().rename("n_quotes").reset_index()
    table["verb_class"] = table["verb"].map(lambda verb: verb_classes.get(verb, "other"))
    table["group_quotes"] = table.groupby("group")["n_quotes"].transform("sum")
    table["share"] = table["n_quotes"] / table["group_quotes"]
    table["share_low"], table["share_high"] = wilson_interval(table["n_quotes"], table["group_quotes"])
    table = table.merge(_group_sizes(articles)[["thin"]], left_on="group", right_index=True)
    return table.sort_values(["group", "n_quotes", "verb"], ascending=[True, False, True], ignore_index=True)


def verb_class_table(verbs: pd.DataFrame) -> pd.DataFrame:
    """Per group and verb class (neutral, emphatic, contested, evaluative, other): quotes and shares."""
    table = verbs.groupby(["group", "verb_class"], as_index=False).agg(
        n_quotes=("n_quotes", "sum"), group_quotes=("group_quotes", "first"), thin=("thin", "first")
    )
    table["share"] = table["n_quotes"] / table["group_quotes"]
    table["share_low"], table["share_high"] = wilson_interval(table["n_quotes"], table["group_quotes"])
    return table


def hedge_table(matches: pd.DataFrame, articles: pd.DataFrame, lexicon: TermLexicon,
                questions: Iterable[str] = ("hedges", "boosters")) -> pd.DataFrame:  # fmt: skip
    """Per group: hedges and boosters per 1,000 words with a 95% Wilson interval, and counts."""
    wanted = [q for q in questions if q in lexicon.questions]
    sizes = _group_sizes(articles)
    counts = (
        matches[matches["question"].isin(wanted)]
        .groupby(["group", "question"]).size()
        .reindex(pd.MultiIndex.from_product([sizes.index, wanted], names=["group", "question"]), fill_value=0)
        .rename("n_mentions").reset_index()
    )  # fmt: skip
    table = counts.merge(sizes, left_on="group", right_index=True)
    table["per_1k_words"] = 1e3 * table["n_mentions"] / table["n_words"].where(table["n_words"] > 0)
    low, high = wilson_interval(table["n_mentions"], table["n_words"])
    table["per_1k_low"], table["per_1k_high"] = 1e3 * low, 1e3 * high
    return table


# --- voices --------------------------------------------------------------------------------------


def affiliation_of(speaker: object, role: object, org: object, rules: pd.DataFrame) -> tuple[str, str]:
    """The affiliation of one speaker and the rule (``file:line``) that decided it.

    Rules are tried in order: ``name`` rules match the whole speaker name (case-insensitive), ``role``
    rules a word in the speaker, role or organisation (case-sensitive, so "US" is not "us"), ``any``
    rules anywhere (case-insensitive). No speaker is ``unnamed``; no matching rule ``other``.
    """
    name = speaker if isinstance(speaker, str) else ""
    context = " ".join(v for v in (name, role, org) if isinstance(v, str))
    for field, pattern, affiliation, rule in rules.itertuples(index=False):
        compiled = affiliation_rule(field, pattern)  # RE2: linear time whatever the data folder holds
        if field == "name" and name and compiled.fullmatch(name):
            return affiliation, rule
        if field == "role" and context and compiled.search(context):
            return affiliation, rule
        if field == "any" and compiled.search(context):
            return affiliation, rule
    return ("unnamed", "no speaker") if not name else ("other", "no rule")


def voices(quotes: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """``quotes`` with each quote's speaker affiliation, the rule behind it and its number of words."""
    speaker = quotes["speaker_canonical"]  # None where unresolved (a parse's stray noun included)
    # Each distinct speaker, role and organisation is decided once (a value that is no text is absent).
    role = speaker_roles(quotes)  # the office held that day speaks where the text gives no role
    triples = [
        tuple(value if isinstance(value, str) else None for value in triple)
        for triple in zip(speaker, role, quotes["speaker_org"], strict=True)
    ]
    known = {triple: affiliation_of(*triple, rules) for triple in dict.fromkeys(triples)}
    decided = [known[triple] for triple in triples]
    return quotes.assign(
        speaker_name=speaker,
        affiliation=[a for a, _ in decided],
        affiliation_rule=[r for _, r in decided],
        n_quoted_words=quotes["text"].fillna("").map(lambda text: len(_WORD_RE.findall(text))),
    )


@dataclass
class Coverage:
    """What the lexicons miss on this corpus (:func:`lexicon_coverage`)."""

    #: the most quoted speakers no affiliation rule knows (``speaker``, ``n_quotes``)
    unaffiliated: pd.DataFrame
    #: term questions no article answers
    silent_questions: list[str]
    #: (question, term) pairs that never matched
    unused_terms: list[tuple[str, str]]
    n_quotes: int
    n_unaffiliated_quotes: int


def lexicon_coverage(inputs: FramingInputs, *, top: int = 10) -> Coverage:
    """The lexicon coverage check: speakers quoted with no affiliation, silent questions, unused terms."""
    voiced = voices(inputs.quotes, inputs.affiliations)
    other = voiced[voiced["affiliation"] == "other"]
    unaffiliated = (
        other.groupby("speaker_name").size().reset_index(name="n_quotes")
        .rename(columns={"speaker_name": "speaker"})
        .sort_values(["n_quotes", "speaker"], ascending=[False, True], ignore_index=True)
        .head(top)
    )  # fmt: skip
    matched = set(zip(inputs.matches["question"], inputs.matches["term"], strict=True))
    questions = [q for q in inputs.lexicon.questions.values() if q.key not in ("hedges", "boosters")]
    silent = [q.key for q in questions if not any((q.key, term) in matched for term in q.terms)]
    answered = [q for q in questions if q.key not in silent]
    unused = [(q.key, term) for q in answered for term in q.terms if (q.key, term) not in matched]
    return Coverage(unaffiliated, silent, unused, len(voiced), len(other))


def voice_table(voiced: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Per group and affiliation: quotes and quoted words, each as a share of the group's (95% interval)."""
    columns = ["group", "affiliation", "n_quotes", "n_words", "quote_share", "quote_share_low",
               "quote_share_high", "word_share", "speakers", "thin"]  # fmt: skip
    if voiced.empty:
        return pd.DataFrame(columns=columns)
    table = voiced.groupby(["group", "affiliation"], as_index=False).agg(
        n_quotes=("article_id", "size"),
        n_words=("n_quoted_words", "sum"),
        speakers=(
            "speaker_name",
            lambda names: ", ".join(pd.Series(names).dropna().value_counts().index[:4]),
        ),
    )
    totals = table.groupby("group")[["n_quotes", "n_words"]].transform("sum")
    table["quote_share"] = table["n_quotes"] / totals["n_quotes"]
    table["quote_share_low"], table["quote_share_high"] = wilson_interval(
        table["n_quotes"], totals["n_quotes"]
    )
    table["word_share"] = table["n_words"] / totals["n_words"].where(totals["n_words"] > 0)
    table = table.merge(_group_sizes(articles)[["thin"]], left_on="group", right_index=True)
    return table[columns]


# --- distinctive terms ---------------------------------------------------------------------------


def tokenize(text: str, *, stop_words: frozenset[str] | set[str] = STOP_WORDS) -> list[str]:
    """Lower-cased words of ``text`` (letters, inner apostrophes and hyphens), stop words removed."""
    words = (word.lower().replace("’", "'") for word in _WORD_RE.findall(text or ""))
    return [word for word in words if word not in stop_words and len(word) > 1]


def _count_terms(texts: Iterable) -> Counter:
    counts: Counter = Counter()
    for value in texts:
        counts.update(value if isinstance(value, list | tuple) else tokenize(value))
    return counts


def keyness(
    df: pd.DataFrame,
    group: str,
    text: str,
    *,
    min_count: int = 5,
    prior: pd.Series | Iterable | None = None,
) -> pd.DataFrame:
    """Distinctive terms per group: weighted log-odds ratio with an informative Dirichlet prior.

    Monroe, Colaresi and Quinn (2008), "Fightin' Words", eq. 16-22, each group against all the others
    (one-vs-rest). For term ``w`` and group ``i`` with counts ``y_wi``, group size ``n_i``, the rest
    ``y_wj``, ``n_j``, and prior counts ``a_w`` summing to ``a_0``::

        delta = log((y_wi + a_w) / (n_i + a_0 - y_wi - a_w)) - log((y_wj + a_w) / (n_j + a_0 - y_wj - a_w))
        var   = 1 / (y_wi + a_w) + 1 / (y_wj + a_w)
        z     = delta / sqrt(var)

    ``text`` is a column of strings (tokenised by :func:`tokenize`) or of token lists. The prior is the
    pooled counts of ``df`` itself unless ``prior`` gives a background corpus (term counts as a Series,
    or texts / token lists); terms missing from the background get a prior count of 1.
    Only terms used at least ``min_count`` times in ``df`` are returned, for every group (negative z:
    the group uses the term less than the rest). Columns: ``term, group, count, log_odds, z``.
    """
    columns = ["term", "group", "count", "log_odds", "z"]
    per_group = {name: _count_terms(values) for name, values in df.groupby(group, sort=True)[text]}
    pooled: Counter = Counter()
    for counts in per_group.values():
        pooled.update(counts)
    vocabulary = sorted(term for term, count in pooled.items() if count >= min_count)
    if len(per_group) < 2 or not vocabulary:
        return pd.DataFrame(columns=columns)
    if prior is None:
        background = pooled
    elif isinstance(prior, pd.Series):
        background = Counter(prior.to_dict())
    else:
        background = _count_terms(prior)
    alpha_all = np.array([float(background.get(term, 0)) or 1.0 for term in pooled], dtype=float)
    alpha_0 = alpha_all.sum()
    index = {term: i for i, term in enumerate(pooled)}
    columns_of = np.array([index[term] for term in vocabulary])
    alpha = alpha_all[columns_of]
    total = np.array([pooled[term] for term in vocabulary], dtype=float)
    n_total = float(sum(pooled.values()))
    position = {term: i for i, term in enumerate(vocabulary)}
    counts_of, deltas, zs = [], [], []
    for counts in per_group.values():
        used = [(position[term], count) for term, count in counts.items() if term in position]
        y_i = np.zeros(len(vocabulary), dtype=float)
        if used:
            where, how_many = zip(*used, strict=True)
            y_i[list(where)] = how_many
        n_i = float(sum(counts.values()))
        y_j, n_j = total - y_i, n_total - n_i
        delta = np.log((y_i + alpha) / (n_i + alpha_0 - y_i - alpha)) - np.log(
            (y_j + alpha) / (n_j + alpha_0 - y_j - alpha)
        )
        counts_of.append(y_i.astype(int))
        deltas.append(delta)
        zs.append(delta / np.sqrt(1 / (y_i + alpha) + 1 / (y_j + alpha)))
    # Groups as plain Python strings: the table has a row per term and group (millions in a large
    # corpus), and callers go through its groups one by one (``set(table["group"])``).
    groups = np.repeat(np.array(list(per_group), dtype=object), len(vocabulary))
    return pd.DataFrame(
        {
            "term": pd.Series(vocabulary * len(per_group), dtype="str"),
            "group": pd.Series(groups, dtype=object),
            "count": np.concatenate(counts_of),
            "log_odds": np.concatenate(deltas),
            "z": np.concatenate(zs),
        }
    )[columns]


def top_distinctive(
    table: pd.DataFrame, *, per_group: int = 10, z_min: float = Z_DISTINCTIVE
) -> pd.DataFrame:
    """The most over-used terms of each group (``z >= z_min``), highest z first."""
    distinctive = table[table["z"] >= z_min].sort_values(["group", "z"], ascending=[True, False])
    return distinctive.groupby("group").head(per_group).reset_index(drop=True)


# --- tone ----------------------------------------------------------------------------------------


def _mean_interval(values: pd.Series) -> tuple[float, float, float]:
    n = len(values)
    mean = float(values.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan
    half = 1.96 * float(values.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def tone_table(sentences: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Per group: sentences, mean VADER tone with a 95% interval, and shares of clearly negative and
    positive sentences (compound <= -0.05 / >= 0.05, VADER's own thresholds)."""
    rows = []
    sizes = _group_sizes(articles)
    for name, frame in sentences.groupby("group"):
        mean, low, high = _mean_interval(frame["tone"])
        rows.append((name, len(frame), mean, low, high, float((frame["tone"] <= -0.05).mean()),
                     float((frame["tone"] >= 0.05).mean())))  # fmt: skip
    table = pd.DataFrame(
        rows, columns=["group", "n_sentences", "tone", "tone_low", "tone_high", "negative", "positive"]
    )
    return table.merge(sizes[["n_articles", "thin"]], left_on="group", right_index=True)


def entity_tone(sentences: pd.DataFrame, *, top: int = 12, min_sentences: int = 2) -> pd.DataFrame:
    """Mean tone of the sentences that name each of the ``top`` most-named entities, per group."""
    columns = ["entity", "group", "n_sentences", "tone", "tone_low", "tone_high"]
    mentions = sentences[["group", "tone", "entities"]].explode("entities").dropna(subset=["entities"])
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    mentions = mentions.rename(columns={"entities": "entity"})
    leaders = mentions["entity"].value_counts()
    leaders = leaders[leaders >= min_sentences].index[:top]
    rows = []
    for (entity, name), frame in mentions[mentions["entity"].isin(leaders)].groupby(["entity", "group"]):
        rows.append((entity, name, len(frame), *_mean_interval(frame["tone"])))
    return pd.DataFrame(rows, columns=columns)


def tone_examples(sentences: pd.DataFrame, *, per_group: int = 1) -> pd.DataFrame:
    """The most negative and most positive sentence of each group."""
    if sentences.empty:
        return pd.DataFrame(columns=["group", "article_id", "tone", "text"])
    ordered = sentences.sort_values("tone")
    negative = ordered.groupby("group").head(per_group)
    positive = ordered.iloc[::-1].groupby("group").head(per_group)
    both = pd.concat([negative, positive]).drop_duplicates(["article_id", "start"])
    table = both.sort_values(["group", "tone"])[["group", "article_id", "tone", "text"]]
    table = table.reset_index(drop=True)
    return table.assign(text=table["text"].map(one_line))
