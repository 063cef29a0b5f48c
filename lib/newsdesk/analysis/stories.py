"""Stories and claims: which outlet carried which claim, and who left it out.

A **story** is the set of articles that report the same specific event (the same meeting, the same
vote). A **claim** is one statement of a fact, event, figure or position that several articles of a
story carry ("Putin received Wang Yi in the Kremlin"). Both come from the per-article step
``claim_keys`` (:mod:`newsdesk.extract.claims`: each sentence's content lemmas, names and figures):

1. **Stories.** Each article becomes a vector of its content lemmas and names (places folded to their
   country: "Beijing", "Chinese" -> ``china``), weighted by log term frequency times inverse
   document frequency over the corpus. Articles published at most ``STORY_DAYS`` apart whose cosine
   similarity reaches ``SAME_STORY`` are joined, most similar first, but two groups merge only when
   their centroids are that similar too and the merged story spans at most ``STORY_SPAN_DAYS``, so a
   running topic does not chain into one story. Copies of another article
   (:mod:`newsdesk.metadata.syndication`) join their original's story and are marked.
2. **Claims.** Within a story, two sentences of different articles are compared when they share
   ``MIN_SHARED_FEATURES`` lemmas or names; pairs whose weighted Jaccard similarity reaches
   ``SAME_CLAIM`` are joined, most similar first, into claims of at most one sentence per article.

Candidates come from inverted indexes over rare words within a date window, so the cost grows with
the corpus, not with its square.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from newsdesk.analysis.quotes import canonical_speakers, read_aliases
from newsdesk.core.text import one_line
from newsdesk.extract.run import step_frames
from newsdesk.metadata.outlets import outlet_labels
from newsdesk.metadata.syndication import corpus_copies
from newsdesk.stripping.corpus import corpus_bodies

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

#: A sentence needs this many features (content lemmas and names) to be compared at all.
MIN_FEATURES = 3
#: Two sentences are compared when they share this many features ...
MIN_SHARED_FEATURES = 2
#: ... among those found in at most this many sentences of the story (a story's own topic words,
#: in nearly every sentence of a large story, would make every pair a candidate).
MAX_INDEX_SENTENCES = 200
#: Weighted Jaccard similarity from which two sentences of one story state the same claim.
SAME_CLAIM = 0.15
#: Cosine similarity of two articles' word vectors from which they report the same event.
SAME_STORY = 0.23
#: Articles joined directly were published at most this many days apart ...
STORY_DAYS = 7
#: ... and one story spans at most this many days.
STORY_SPAN_DAYS = 14
#: A word in more articles than this does not index articles (it finds too many to compare).
MAX_INDEX_ARTICLES = 100
#: An article looks for candidates through its this many heaviest indexing words.
CANDIDATE_WORDS = 30
#: Places and their peoples folded to one word, so "Beijing said" and "China said" agree.
PLACE_WORDS = {
    "beijing": "china", "chinese": "china", "prc": "china",
    "moscow": "russia", "russian": "russia", "kremlin": "russia",
    "washington": "us", "american": "us", "u.s.": "us", "america": "us",
    "kyiv": "ukraine", "kiev": "ukraine", "ukrainian": "ukraine",
    "brasilia": "brazil", "brazilian": "brazil", "delhi": "india", "indian": "india",
    "brussels": "eu", "european": "eu", "london": "britain", "british": "britain",
    "paris": "france", "french": "france", "berlin": "germany", "german": "germany",
    "tokyo": "japan", "japanese": "japan", "tehran": "iran", "iranian": "iran",
}  # fmt: skip
#: The first paragraphs after a headline that make the lede.
LEDE_PARAGRAPHS = 2
POSITIONS = ("headline", "lede", "body")
VOICES = ("own", "quoted", "reported")
CLAIM_COLUMNS = [
    "claim_id", "story_id", "article_id", "outlet", "published", "sentence", "start", "end", "position",
    "voice", "speaker", "numbers", "names", "is_first", "representative", "n_articles", "figures_disagree",
]  # fmt: skip
STORY_COLUMNS = [
    "article_id", "outlet", "published", "story_id", "is_copy", "copy_of", "label", "first_published",
]  # fmt: skip


def corpus_stories(corpus: Corpus, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per annotatable article: its ``story_id``, whether it is a copy (and of which article),
    the story's ``label`` (the headline of its most connected article) and ``first_published``."""
    return _analysed(corpus, progress)[0]


def corpus_claims(corpus: Corpus, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per sentence that carries a claim (claims carried by two or more articles).

    Columns (:data:`CLAIM_COLUMNS`): the claim and its story, the article, outlet and date, the
    sentence with its body offsets, its ``position`` (headline, lede = the first two paragraphs after
    the headline, body), its ``voice`` (``own`` words, ``quoted`` inside quotation marks, or
    ``reported`` speech) and ``speaker``, the numbers and names it states, whether it is the claim's
    first appearance, the claim's representative sentence, its number of articles and whether its
    members state different figures.
    """
    return _analysed(corpus, progress)[1]


def _analysed(corpus: Corpus, progress: bool | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    return corpus.memo(("stories",), lambda: _compute(corpus, progress))


def _compute(corpus: Corpus, progress: bool | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    bodies = corpus_bodies(corpus)
    copies = corpus_copies(corpus).set_index("article_id")["copy_of"]
    articles = bodies[["article_id", "outlet", "published", "published_date"]].copy()
    articles["outlet"] = outlet_labels(articles)
    dates = _article_dates(corpus, articles)
    sentences = _story_sentences(corpus, progress).copy()
    story_of = _group_stories(articles["article_id"].tolist(), sentences, dates, copies)
    sentences["claim"] = _cluster_claims(sentences, story_of)
    stories = _story_table(articles, sentences, story_of, copies)
    claims = _claim_table(sentences, stories, articles)
    return stories, claims


def _story_sentences(corpus: Corpus, progress: bool | None = None) -> pd.DataFrame:
    """Every sentence of the corpus with its keys, features (``words``), position, voice and
    canonical speaker; computed once per corpus, for the stories, the claims and the placements."""

    def compute() -> pd.DataFrame:
        bodies = corpus_bodies(corpus)
        frames = step_frames(corpus, ["claim_keys", "quotes"], progress=progress, description="Claims")
        copies = corpus_copies(corpus).set_index("article_id")["copy_of"]
        sentences = _sentences(bodies, frames["claim_keys"], frames["quotes"], copies)
        sentences["speaker"] = canonical_speakers(sentences["speaker"], read_aliases(corpus.root))
        pairs = zip(sentences["lemmas"], sentences["names"], strict=True)
        sentences["words"] = [_words(lemmas, names) for lemmas, names in pairs]
        return sentences

    return corpus.memo(("story-sentences",), compute)


# --- sentences -------------------------------------------------------------------------------------


def _article_dates(corpus: Corpus, articles: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each article's effective date (resolved where the corpus has one, else the manifest's)."""
    table = corpus.articles
    column = "effective_date" if "effective_date" in table.columns else "published_date"
    known = dict(zip(table["article_id"], pd.to_datetime(table[column]), strict=True))
    return {a: known.get(a, pd.NaT) for a in articles["article_id"]}


def _sentences(
    bodies: pd.DataFrame, keys: list[pd.DataFrame], quotes: list[pd.DataFrame], copies: pd.Series
) -> pd.DataFrame:
    """Every sentence of every article, with its features, position, voice and speaker."""
    rows = zip(bodies["article_id"], bodies["body"], keys, quotes, strict=True)
    kept = [
        (article, body if isinstance(body, str) else "", frame, found)
        for article, body, frame, found in rows
        if len(frame)
    ]
    if not kept:
        columns = ["article_id", "is_copy", "sentence", "position", "voice", "speaker", "start", "end"]
        return pd.DataFrame(columns=[*columns, "lemmas", "names", "numbers", "paragraph", "heading"])
    sentence: list[str] = []
    position: list[str] = []
    voice: list[str] = []
    speaker: list[object] = []
    for _, body, frame, found in kept:
        sentence += [one_line(body[s:e]) for s, e in zip(frame["start"], frame["end"], strict=True)]
        position += _positions(frame)
        voices, speakers = _voices(frame, found)
        voice += voices
        speaker += speakers
    sizes = [len(frame) for _, _, frame, _ in kept]
    article_ids = np.repeat(np.asarray([article for article, *_ in kept], dtype=object), sizes)
    is_copy = [isinstance(copies.get(article), str) for article in article_ids]
    return pd.concat([frame for _, _, frame, _ in kept], ignore_index=True).assign(
        article_id=article_ids, is_copy=is_copy, sentence=sentence, position=position, voice=voice,
        speaker=speaker,
    )  # fmt: skip


def _positions(frame: pd.DataFrame) -> list[str]:
    """Headline (a heading on the first line), lede (the first paragraphs after it) or body."""
    paragraphs = frame["paragraph"].to_numpy()
    headings = frame["heading"].to_numpy(bool)
    has_headline = len(paragraphs) > 0 and paragraphs[0] == 0 and bool(headings[0])
    first_text = 1 if has_headline else 0
    out = []
    for paragraph, heading in zip(paragraphs, headings, strict=True):
        if has_headline and paragraph == 0 and heading:
            out.append("headline")
        elif first_text <= paragraph < first_text + LEDE_PARAGRAPHS:
            out.append("lede")
        else:
            out.append("body")
    return out


def _voices(frame: pd.DataFrame, quotes: pd.DataFrame) -> tuple[list[str], list[object]]:
    """Each sentence's voice: inside a direct or partial quote (over half of it), reported speech,
    or the outlet's own words; with the quote's speaker."""
    voice: list[str] = ["own"] * len(frame)
    speaker: list[object] = [None] * len(frame)
    if quotes.empty:
        return voice, speaker
    spans = sorted(zip(quotes["start"], quotes["end"], quotes["kind"], quotes["speaker"], strict=True))
    starts = np.asarray([s for s, *_ in spans])
    for index, (start, end) in enumerate(zip(frame["start"], frame["end"], strict=True)):
        first = max(int(np.searchsorted(starts, start, side="right")) - 1, 0)
        for q_start, q_end, kind, who in spans[first : first + 8]:
            if q_start >= end:
                break
            overlap = min(end, q_end) - max(start, q_start)
            if overlap * 2 >= end - start:
                voice[index] = "quoted" if kind in ("direct", "partial") else "reported"
                speaker[index] = who if isinstance(who, str) else None
                break
    return voice, speaker


# --- claims ----------------------------------------------------------------------------------------


def _words(lemmas: object, names: object) -> list[str]:
    """A sentence's features: content lemmas (places folded to their country) and names (``@``)."""
    words = [PLACE_WORDS.get(word, word) for word in lemmas.split()] if isinstance(lemmas, str) else []
    if isinstance(names, str) and names:
        words += [f"@{PLACE_WORDS.get(name.lower(), name.lower())}" for name in names.split("|")]
    return words


def _features(sentences: pd.DataFrame) -> list[frozenset[str]]:
    """Each sentence's features (its ``words``, :func:`_words`) as a set."""
    return [frozenset(words) for words in sentences["words"]]


def _cluster_claims(sentences: pd.DataFrame, story_of: dict[str, int]) -> list[int | None]:
    """A claim number per sentence (None: carried by no other article of its story)."""
    n = len(sentences)
    if n == 0:
        return []
    features = _features(sentences)
    articles = sentences["article_id"].tolist()
    stories = [story_of.get(article) for article in articles]
    copies = sentences["is_copy"].tolist()
    usable = [len(f) >= MIN_FEATURES and not copy for f, copy in zip(features, copies, strict=True)]
    frequency = Counter(word for f, use in zip(features, usable, strict=True) if use for word in f)
    weight = {word: math.log(1 + n / count) for word, count in frequency.items()}
    by_story: dict[int | None, list[int]] = defaultdict(list)
    for index, use in enumerate(usable):
        if use:
            by_story[stories[index]].append(index)
    pairs: list[tuple[float, int, int]] = []
    for members in by_story.values():
        if len({articles[i] for i in members}) < 2:
            continue
        in_story = Counter(word for index in members for word in features[index])
        postings: dict[str, list[int]] = defaultdict(list)
        for index in members:
            indexing = [word for word in features[index] if in_story[word] <= MAX_INDEX_SENTENCES]
            shared = Counter(other for word in indexing for other in postings.get(word, ()))
            for other, count in shared.items():
                if count >= MIN_SHARED_FEATURES and articles[other] != articles[index]:
                    similarity = _similarity(features[index], features[other], weight)
                    if similarity >= SAME_CLAIM:
                        pairs.append((similarity, other, index))
            for word in indexing:
                postings[word].append(index)
    return _join(pairs, articles, n)


def _similarity(first: frozenset[str], second: frozenset[str], weight: dict[str, float]) -> float:
    union = sum(weight[w] for w in first | second)
    return sum(weight[w] for w in first & second) / union if union else 0.0


def _join(pairs: list[tuple[float, int, int]], articles: list[str], n: int) -> list[int | None]:
    """Claims from the pairs, most similar first, never two sentences of one article in a claim."""
    parent = list(range(n))
    members: dict[int, set[str]] = {i: {articles[i]} for i in range(n)}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, a, b in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        root_a, root_b = find(a), find(b)
        if root_a == root_b or members[root_a] & members[root_b]:
            continue
        if len(members[root_a]) < len(members[root_b]):
            root_a, root_b = root_b, root_a
        parent[root_b] = root_a
        members[root_a] |= members.pop(root_b)
    roots = [find(i) for i in range(n)]
    sizes = Counter(roots)
    numbers: dict[int, int] = {}
    out: list[int | None] = []
    for root in roots:
        if sizes[root] < 2:
            out.append(None)
            continue
        out.append(numbers.setdefault(root, len(numbers)))
    return out


# --- stories ---------------------------------------------------------------------------------------


def _group_stories(
    article_ids: list[str], sentences: pd.DataFrame, dates: dict[str, pd.Timestamp], copies: pd.Series
) -> dict[str, int]:
    """A story number per article (:data:`SAME_STORY`, :data:`STORY_DAYS`, :data:`STORY_SPAN_DAYS`)."""
    originals = [a for a in article_ids if not isinstance(copies.get(a), str)]
    vectors = _article_vectors(originals, sentences)
    day = {a: dates.get(a) for a in originals}
    pairs = _similar_articles(originals, vectors, day)
    story = {a: a for a in originals}
    members = {a: [a] for a in originals}
    centroid = {a: dict(vectors[a]) for a in originals}
    length = {a: 1.0 for a in originals}  # each centroid's norm (an article's vector has norm 1)
    dated = {a: day[a] for a in originals if day[a] is not None and not pd.isna(day[a])}
    span = {a: (dated[a], dated[a]) if a in dated else None for a in originals}  # each group's dates
    for _, first, second in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        a, b = story[first], story[second]
        if a == b:
            continue
        ends = [end for end in (span[a], span[b]) if end is not None]
        joined = (min(e[0] for e in ends), max(e[1] for e in ends)) if ends else None
        if joined is not None and (joined[1] - joined[0]).days > STORY_SPAN_DAYS:
            continue
        scale = length[a] * length[b]
        if not scale or _dot(centroid[a], centroid[b]) < SAME_STORY * scale:
            continue  # the groups as a whole are about different things: no chaining through one pair
        if len(members[a]) < len(members[b]):
            a, b = b, a
        for member in members[b]:
            story[member] = a
        members[a] += members.pop(b)
        span[a] = joined
        del span[b]
        for word, value in centroid.pop(b).items():
            centroid[a][word] = centroid[a].get(word, 0.0) + value
        length[a] = _norm(centroid[a])
        del length[b]
    numbers = {root: position for position, root in enumerate(dict.fromkeys(story[a] for a in originals))}
    found = {a: numbers[story[a]] for a in originals}
    for article in article_ids:  # a copy joins its original's story (or stands alone without it)
        if article not in found:
            original = copies.get(article)
            found[article] = found.get(original, len(numbers) + len(found))
    return found


def _article_vectors(article_ids: list[str], sentences: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Each article's unit vector of word weights: (1 + log count) x log(N / document frequency).

    A word in every article weighs nothing, so in a corpus about one topic the topic's own words
    ("China", "Russia", "talks") do not make every article look alike.
    """
    counts: dict[str, Counter[str]] = {a: Counter() for a in article_ids}
    for article, words in zip(sentences["article_id"], sentences["words"], strict=True):
        if article in counts:
            counts[article].update(words)
    frequency = Counter(word for words in counts.values() for word in words)
    n = len(article_ids)
    vectors = {}
    for article, words in counts.items():
        weights = {
            w: (1 + math.log(count)) * math.log(n / frequency[w])
            for w, count in words.items()
            if frequency[w] > 1
        }
        norm = _norm(weights)
        vectors[article] = {w: v / norm for w, v in weights.items()} if norm else {}
    return vectors


def _similar_articles(
    article_ids: list[str], vectors: dict[str, dict[str, float]], day: dict[str, pd.Timestamp | None]
) -> list[tuple[float, str, str]]:
    """Pairs of articles at most STORY_DAYS apart (undated: any) with cosine >= SAME_STORY.

    Candidates share one of an article's CANDIDATE_WORDS heaviest words that at most
    MAX_INDEX_ARTICLES articles have, found through an inverted index of the articles in a sliding
    date window: the work per article is bounded whatever the size of the corpus.
    """
    frequency = Counter(word for a in article_ids for word in vectors[a])

    def heaviest(article: str) -> list[str]:
        weights = vectors[article]
        usable = [w for w in weights if frequency[w] <= MAX_INDEX_ARTICLES]
        return sorted(usable, key=lambda w: (-weights[w], w))[:CANDIDATE_WORDS]

    keys = {a: heaviest(a) for a in article_ids}
    dated = sorted((d, a) for a in article_ids if (d := day[a]) is not None and not pd.isna(d))
    undated = [a for a in article_ids if day[a] is None or pd.isna(day[a])]
    pairs: list[tuple[float, str, str]] = []
    index: dict[str, set[str]] = defaultdict(set)  # indexing word -> articles of the current window

    def add(article: str) -> None:
        for word in keys[article]:
            index[word].add(article)

    def remove(article: str) -> None:
        for word in keys[article]:
            index[word].discard(article)

    def compare(article: str) -> None:
        candidates = {other for word in keys[article] for other in index.get(word, ())}
        for other in sorted(candidates - {article}):
            similarity = _dot(vectors[article], vectors[other])  # unit vectors: the cosine
            if similarity >= SAME_STORY:
                pairs.append((similarity, min(article, other), max(article, other)))

    window_start = 0
    for when, article in dated:  # each dated article against the earlier ones of its window
        while (when - dated[window_start][0]).days > STORY_DAYS:
            remove(dated[window_start][1])
            window_start += 1
        compare(article)
        add(article)
    for _, article in dated[window_start:]:
        remove(article)
    for article in article_ids:  # undated articles against every article
        add(article)
    for article in undated:
        compare(article)
        remove(article)  # each undated pair once
    return pairs


def _dot(first: dict[str, float], second: dict[str, float]) -> float:
    """The dot product of two sparse vectors (the cosine of two unit vectors)."""
    if len(first) > len(second):
        first, second = second, first
    return sum(value * second.get(word, 0.0) for word, value in first.items())


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(value * value for value in vector.values()))


def _story_table(
    articles: pd.DataFrame, sentences: pd.DataFrame, story_of: dict[str, int], copies: pd.Series
) -> pd.DataFrame:
    """One row per article with its story id, copy status, story label and first publication."""
    table = articles.assign(
        story=articles["article_id"].map(story_of),
        copy_of=articles["article_id"].map(copies).where(lambda s: s.map(lambda v: isinstance(v, str))),
    )
    table["is_copy"] = table["copy_of"].notna()
    links = sentences.dropna(subset=["claim"]).groupby("article_id")["claim"].nunique()
    table["n_claims"] = table["article_id"].map(links).fillna(0).astype(int)
    headlines = (
        sentences[sentences["position"] == "headline"].groupby("article_id")["sentence"].first()
        if len(sentences) else pd.Series(dtype=object)
    )  # fmt: skip
    firsts = (
        sentences.groupby("article_id")["sentence"].first() if len(sentences) else pd.Series(dtype=object)
    )
    table["headline"] = table["article_id"].map(headlines).fillna(table["article_id"].map(firsts))
    published = pd.to_datetime(table["published_date"])
    table["first_published"] = published.groupby(table["story"]).transform("min")
    central = table.sort_values(["story", "is_copy", "n_claims", "published_date", "article_id"],
                                ascending=[True, True, False, True, True])  # fmt: skip
    label = central.groupby("story")["headline"].first()
    table["label"] = table["story"].map(label)
    sizes = table.groupby("story")["article_id"].transform("size")
    ranked = table.assign(size=sizes).sort_values(
        ["size", "first_published", "story"], ascending=[False, True, True]
    )
    order = ranked["story"].drop_duplicates().tolist()
    names = {story: f"s{position + 1:03d}" for position, story in enumerate(order)}
    table["story_id"] = table["story"].map(names)
    return table[STORY_COLUMNS].reset_index(drop=True)


def _claim_table(sentences: pd.DataFrame, stories: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The member sentences of every claim, with claim-level columns."""
    members = sentences.dropna(subset=["claim"]).copy()
    if members.empty:
        return _empty_claims()
    info = articles.set_index("article_id")
    members["outlet"] = members["article_id"].map(info["outlet"])
    members["published"] = members["article_id"].map(pd.to_datetime(info["published_date"]))
    members["story_id"] = members["article_id"].map(stories.set_index("article_id")["story_id"])
    members = members.sort_values(["claim", "published", "article_id", "start"], kind="stable")
    first = members.groupby("claim")["article_id"].transform("first")
    members["is_first"] = members["article_id"] == first
    members["n_articles"] = members.groupby("claim")["article_id"].transform("nunique")
    members["representative"] = members["claim"].map(_representatives(members))
    members["figures_disagree"] = members["claim"].map(_figures_disagree(members)).astype(bool)
    # a claim's story is its first article's (members of other stories keep theirs in story_id)
    order = members.groupby("claim")["published"].min().sort_values(kind="stable")
    names = {claim: f"c{position + 1:04d}" for position, claim in enumerate(order.index)}
    members["claim_id"] = members["claim"].map(names)
    members = members.sort_values(["claim_id", "published", "article_id"], kind="stable")
    return members[CLAIM_COLUMNS].reset_index(drop=True)


def _empty_claims() -> pd.DataFrame:
    """A claims table with no rows and typed columns (boolean masks on it stay masks)."""
    types = {"start": "int64", "end": "int64", "n_articles": "int64", "is_first": bool,
             "figures_disagree": bool, "published": "datetime64[ns]"}  # fmt: skip
    return pd.DataFrame({column: pd.Series(dtype=types.get(column, object)) for column in CLAIM_COLUMNS})


def _representatives(members: pd.DataFrame) -> dict[object, str]:
    """Each claim's most central sentence: the one sharing most lemmas with the other members."""
    out: dict[object, str] = {}
    for claim, group in members.groupby("claim"):
        words = [set(str(x).split()) for x in group["lemmas"]]
        scores = [sum(len(w & other) for other in words) for w in words]
        out[claim] = group["sentence"].iloc[int(np.argmax(scores))]
    return out


def _figures_disagree(members: pd.DataFrame) -> dict[object, bool]:
    """Whether two members of a claim state different figures for it: "26" vs "more than 20", "12"
    vs "10". Figures compared are within a factor of FIGURE_RATIO of each other, so a count of
    statements ("two") is not read against a number of countries ("26")."""
    out: dict[object, bool] = {}
    for claim, group in members.groupby("claim"):
        stated = [_figures(x) for x in group["numbers"] if isinstance(x, str) and x]
        out[claim] = any(
            _differ(first, second) for i, first in enumerate(stated) for second in stated[i + 1 :]
        )
    return out


#: Two figures further apart than this factor are not figures of the same thing.
FIGURE_RATIO = 3.0


def _figures(numbers: str) -> set[tuple[str, float]]:
    """``"12|>20"`` -> {("", 12.0), (">", 20.0)}."""
    out = set()
    for item in numbers.split("|"):
        mark, value = (item[0], item[1:]) if item[:1] in "<>~" else ("", item)
        try:
            out.add((mark, float(value)))
        except ValueError:
            continue
    return out


def _differ(first: set[tuple[str, float]], second: set[tuple[str, float]]) -> bool:
    if first & second:
        return False  # one figure both state
    return any(
        min(a, b) > 0 and max(a, b) / min(a, b) <= FIGURE_RATIO for _, a in first for _, b in second
    )


# --- the story map ---------------------------------------------------------------------------------

#: Groups of the story map and the article columns they read.
GROUP_COLUMNS = {"outlet": "outlet", "type": "outlet_type", "country": "outlet_country", "source": "source"}
#: The states of a claim × group cell.
CARRIED_OWN, CARRIED_QUOTED, NOT_CARRIED = "own voice", "only in quotes", "not carried"


def story_map(
    stories: pd.DataFrame, claims: pd.DataFrame, story_id: str, *, group: str = "outlet",
    articles: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Claim × group for one story: ``state`` (own voice, only in quotes, not carried), the number of
    the group's articles that carry the claim and that cover the story.

    Only groups with an article in the story appear; "not carried" means the group covered the story
    but none of its articles carried the claim: an omission. ``group`` is ``outlet``, ``type``,
    ``country`` or ``source`` (the wire credit), or another column of ``articles`` (the corpus's
    articles; without them, ``stories``' own columns, so only ``outlet``).
    """
    members = stories[(stories["story_id"] == story_id) & ~stories["is_copy"]]
    table = articles if articles is not None else stories
    column = GROUP_COLUMNS.get(group, group)
    if column not in table.columns:
        raise ValueError(f"cannot group by {group!r}: the articles have no column {column!r}")
    group_of = table.set_index("article_id")[column]
    covering = members.assign(group=members["article_id"].map(group_of).fillna("(unknown)"))
    n_covering = covering.groupby("group")["article_id"].nunique()
    story_claims = claims[claims["article_id"].isin(members["article_id"])]
    ids = story_claims["claim_id"].drop_duplicates().tolist()
    carried = story_claims.assign(group=story_claims["article_id"].map(group_of).fillna("(unknown)"))
    rows = []
    for claim_id in ids:
        of_claim = carried[carried["claim_id"] == claim_id]
        for name in n_covering.index:
            mine = of_claim[of_claim["group"] == name]
            own = mine[mine["voice"] != "quoted"]["article_id"].nunique()
            state = CARRIED_OWN if own else CARRIED_QUOTED if len(mine) else NOT_CARRIED
            rows.append((claim_id, name, state, mine["article_id"].nunique(), int(n_covering[name])))
    columns = ["claim_id", "group", "state", "n_articles", "n_covering"]
    return pd.DataFrame(rows, columns=columns)


def omissions(cells: pd.DataFrame, *, share: float = 0.6) -> pd.DataFrame:
    """Per group: the claims that at least ``share`` of the other groups carried and this one did not."""
    carried = cells.assign(carried=cells["state"] != NOT_CARRIED)
    n_groups = carried["group"].nunique()
    if n_groups < 2:
        return pd.DataFrame(columns=["group", "claim_id", "n_other_groups", "share_of_others"])
    by_claim = carried.groupby("claim_id")["carried"].sum()
    missing = carried[~carried["carried"]].copy()
    missing["n_other_groups"] = missing["claim_id"].map(by_claim).astype(int)
    missing["share_of_others"] = missing["n_other_groups"] / (n_groups - 1)
    kept = missing[(missing["share_of_others"] >= share) & (missing["n_other_groups"] >= 2)]
    return kept[["group", "claim_id", "n_other_groups", "share_of_others"]].sort_values(
        ["group", "share_of_others", "claim_id"], ascending=[True, False, True]
    ).reset_index(drop=True)


def disagreeing_figures(claims: pd.DataFrame) -> pd.DataFrame:
    """The member sentences of claims whose members state different figures."""
    columns = ["claim_id", "outlet", "article_id", "numbers", "sentence"]
    return claims.loc[claims["figures_disagree"].astype(bool), columns].reset_index(drop=True)


def placement(claims: pd.DataFrame, story_id: str | None = None) -> pd.DataFrame:
    """Per outlet: how many of the claims it carries it puts in its headline, lede or body (the
    highest place each claim reaches in each article)."""
    chosen = claims if story_id is None else claims[claims["story_id"] == story_id]
    if chosen.empty:
        return pd.DataFrame(columns=["outlet", *POSITIONS, "n_claims"])
    rank = {position: order for order, position in enumerate(POSITIONS)}
    best = (
        chosen.assign(rank=chosen["position"].map(rank))
        .groupby(["outlet", "article_id", "claim_id"])["rank"].min().reset_index()
    )  # fmt: skip
    best["position"] = best["rank"].map(dict(enumerate(POSITIONS)))
    table = best.pivot_table(
        index="outlet", columns="position", values="claim_id", aggfunc="count", fill_value=0
    )
    table = table.reindex(columns=list(POSITIONS), fill_value=0)
    table["n_claims"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index()


def match_positions(corpus: Corpus, matches: pd.DataFrame) -> pd.Series:
    """Where each framing match (``framing.collect(corpus).matches``: ``article_id`` and body
    ``start``) sits in its article: ``headline``, ``lede`` or ``body``."""
    if matches.empty:
        return pd.Series(dtype=object, index=matches.index)
    sentences = _story_sentences(corpus, progress=False)  # the table the stories were built from
    layout = {
        article: (group["start"].to_numpy(np.int64), group["position"].to_numpy(object))
        for article, group in sentences.groupby("article_id", sort=False)
    }
    out = []
    for article, start in zip(matches["article_id"], matches["start"], strict=True):
        starts, positions = layout.get(article, (np.zeros(0, np.int64), np.zeros(0, dtype=object)))
        at = int(np.searchsorted(starts, int(start), side="right")) - 1
        out.append(positions[at] if at >= 0 else "body")
    return pd.Series(out, index=matches.index, dtype=object)


def term_placement(matches: pd.DataFrame, positions: pd.Series, *, group: str = "group") -> pd.DataFrame:
    """Per group, question and term: matches in the headline, the lede and the body (own voice and
    quoted alike), and the share placed up front (headline or lede)."""
    columns = [group, "question", "term", *POSITIONS, "n_matches", "share_up_front"]
    if matches.empty:
        return pd.DataFrame(columns=columns)
    table = matches.assign(position=positions).pivot_table(
        index=[group, "question", "term"], columns="position", values="start", aggfunc="count", fill_value=0
    )
    table = table.reindex(columns=list(POSITIONS), fill_value=0)
    table["n_matches"] = table.sum(axis=1)
    table["share_up_front"] = (table["headline"] + table["lede"]) / table["n_matches"]
    table.columns.name = None
    return table.reset_index()[columns]
