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

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from tqdm import tqdm

from newsdesk.analysis.quotes import canonical_speakers, read_aliases
from newsdesk.core.progress import show_progress
from newsdesk.core.text import one_line
from newsdesk.extract.run import step_frames
from newsdesk.metadata.outlets import outlet_labels
from newsdesk.metadata.syndication import corpus_copies
from newsdesk.parsing.parse import PROGRESS_MIN_ITEMS
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
#: An article without a date is compared with every article, so no date window keeps two articles
#: on one topic but about different events apart: it needs this much more similarity to join.
SAME_STORY_UNDATED = 0.30
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
    keys = _story_sentences(corpus, progress)
    is_copy = np.asarray([isinstance(copies.get(a), str) for a in keys.article_ids], dtype=bool)
    story_of = _group_stories(keys, is_copy, dates, copies)
    claim_of = _cluster_claims(keys, is_copy, story_of)
    stories = _story_table(corpus, articles, keys, story_of, claim_of, copies)
    claims = _claim_table(corpus, keys, claim_of, stories, articles)
    return stories, claims


#: Articles whose sentences are read at a time (the others stay in the cache or the store).
READ_CHUNK = 256


@dataclass
class SentenceKeys:
    """Every sentence of the corpus as compact arrays (a few bytes per sentence and feature), so that
    stories, claims and placements hold no Python object per sentence, whatever the corpus size.

    Sentences run article by article in ``corpus_bodies`` order: article ``k``'s (``article_ids[k]``)
    are ``first[k]:first[k + 1]``, in the order of its ``claim_keys`` rows. Sentence ``i``'s features
    (:func:`_words`, as positions in ``vocabulary``) are ``features[offsets[i]:offsets[i + 1]]``.
    ``position``, ``voice`` and ``speaker`` index :data:`POSITIONS`, :data:`VOICES` and ``speakers``
    (canonical names; -1: no speaker).
    """

    article_ids: list[str]
    first: np.ndarray
    start: np.ndarray
    end: np.ndarray
    position: np.ndarray
    voice: np.ndarray
    speaker: np.ndarray
    speakers: list[str]
    offsets: np.ndarray
    features: np.ndarray
    vocabulary: list[str]

    def __len__(self) -> int:
        return len(self.start)

    def article_of(self) -> np.ndarray:
        """Each sentence's article (a position in ``article_ids``)."""
        return np.repeat(np.arange(len(self.article_ids)), np.diff(self.first))

    def of_article(self, k: int) -> slice:
        """The sentences of article ``k``."""
        return slice(int(self.first[k]), int(self.first[k + 1]))

    def words(self, sentence: int) -> np.ndarray:
        """Sentence ``sentence``'s feature ids (with repeats)."""
        return self.features[self.offsets[sentence] : self.offsets[sentence + 1]]


def _story_sentences(corpus: Corpus, progress: bool | None = None) -> SentenceKeys:
    """Every sentence of the corpus with its features, position, voice and canonical speaker; read
    :data:`READ_CHUNK` articles at a time and computed once per corpus, for the stories, the claims
    and the placements."""
    return corpus.memo(("story-sentences",), lambda: _read_sentence_keys(corpus, progress))


def _read_sentence_keys(corpus: Corpus, progress: bool | None) -> SentenceKeys:
    article_ids = corpus_bodies(corpus)["article_id"].tolist()
    builder = _KeysBuilder()
    show = show_progress(progress, len(article_ids), PROGRESS_MIN_ITEMS)
    with tqdm(total=len(article_ids), desc="Claims", unit="article", disable=not show) as bar:
        for chunk_start in range(0, len(article_ids), READ_CHUNK):
            chunk = range(chunk_start, min(chunk_start + READ_CHUNK, len(article_ids)))
            frames = step_frames(corpus, ["claim_keys", "quotes"], progress=False, articles=chunk)
            for frame, found in zip(frames["claim_keys"], frames["quotes"], strict=True):
                builder.add(frame, found)
            bar.update(len(chunk))
    return builder.build(article_ids, read_aliases(corpus.root))


class _KeysBuilder:
    """Collects the articles' sentence keys, one article at a time, into :class:`SentenceKeys`."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.speaker_ids: dict[str, int] = {}
        self.sizes: list[int] = []
        self.columns: dict[str, list[np.ndarray]] = defaultdict(list)

    def add(self, frame: pd.DataFrame, quotes: pd.DataFrame) -> None:
        """One article's ``claim_keys`` frame and its ``quotes``."""
        self.sizes.append(len(frame))
        if not len(frame):
            return
        voices, speakers = _voices(frame, quotes)
        words = [_words(lemmas, names) for lemmas, names in zip(frame["lemmas"], frame["names"], strict=True)]
        speaker_of, word_of = self.speaker_ids, self.vocabulary
        parts = {
            "start": frame["start"].to_numpy(np.int64),
            "end": frame["end"].to_numpy(np.int64),
            "position": np.asarray([POSITIONS.index(p) for p in _positions(frame)], np.int8),
            "voice": np.asarray([VOICES.index(v) for v in voices], np.int8),
            "speaker": np.asarray(
                [-1 if who is None else speaker_of.setdefault(who, len(speaker_of)) for who in speakers],
                np.int32,
            ),
            "n_features": np.asarray([len(w) for w in words], np.int64),
            "features": np.asarray(
                [word_of.setdefault(word, len(word_of)) for w in words for word in w], np.int32
            ),
        }
        for name, values in parts.items():
            self.columns[name].append(values)

    def build(self, article_ids: list[str], aliases: dict[str, str]) -> SentenceKeys:
        """The keys, speakers merged to their canonical names (weighed by how often each speaks)."""
        column = self.columns
        speaker = _joined(column["speaker"], np.int32)
        raw = np.asarray(list(self.speaker_ids), dtype=object)
        times = np.bincount(speaker[speaker >= 0], minlength=len(raw))
        spoken = pd.Series(np.repeat(raw, times), dtype=object)
        canonical_of = dict(zip(spoken, canonical_speakers(spoken, aliases), strict=True))
        number: dict[str, int] = {}
        renumber = [number.setdefault(canonical_of.get(who, who), len(number)) for who in raw]
        renumber.append(-1)  # index -1 (no speaker) stays -1
        return SentenceKeys(
            article_ids=article_ids,
            first=np.r_[0, np.cumsum(self.sizes, dtype=np.int64)],
            start=_joined(column["start"], np.int64),
            end=_joined(column["end"], np.int64),
            position=_joined(column["position"], np.int8),
            voice=_joined(column["voice"], np.int8),
            speaker=np.asarray(renumber, np.int32)[speaker],
            speakers=list(number),
            offsets=np.r_[0, np.cumsum(_joined(column["n_features"], np.int64))],
            features=_joined(column["features"], np.int32),
            vocabulary=list(self.vocabulary),
        )


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


# --- sentences -----------------------------------------------------------------------------------


def _article_dates(corpus: Corpus, articles: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each article's effective date (resolved where the corpus has one, else the manifest's)."""
    table = corpus.articles
    column = "effective_date" if "effective_date" in table.columns else "published_date"
    known = dict(zip(table["article_id"], pd.to_datetime(table[column]), strict=True))
    return {a: known.get(a, pd.NaT) for a in articles["article_id"]}


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


def _cluster_claims(keys: SentenceKeys, is_copy: np.ndarray, story_of: dict[str, int]) -> dict[int, int]:
    """A claim number per sentence carried by another article of its story (sentence -> claim).

    Claims are numbered in the order of their first sentence; each story is clustered on its own, so
    only one story's sentence sets are held at a time.
    """
    n = len(keys)
    if n == 0:
        return {}
    article = keys.article_of()
    sentence_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(keys.offsets))
    pairs = np.unique(sentence_of * len(keys.vocabulary) + keys.features)  # each (sentence, word) once
    sentence, word = np.divmod(pairs, max(len(keys.vocabulary), 1))
    n_distinct = np.bincount(sentence, minlength=n)
    usable = (n_distinct >= MIN_FEATURES) & ~is_copy[article]
    frequency = np.bincount(word[usable[sentence]], minlength=len(keys.vocabulary))
    weight = np.log1p(n / np.maximum(frequency, 1)).tolist()
    by_story: dict[int | None, list[int]] = defaultdict(list)
    for index in np.flatnonzero(usable).tolist():
        by_story[story_of.get(keys.article_ids[article[index]])].append(index)
    found: list[list[int]] = []
    for members in by_story.values():
        if len({article[i] for i in members}) >= 2:
            found += _story_claims(keys, members, article, weight)
    found.sort(key=min)
    return {sentence: number for number, claim in enumerate(found) for sentence in claim}


def _story_claims(
    keys: SentenceKeys, members: list[int], article: np.ndarray, weight: list[float]
) -> list[list[int]]:
    """The claims (sentence lists) of one story's usable sentences ``members``."""
    features = {index: frozenset(keys.words(index).tolist()) for index in members}
    in_story = Counter(word for index in members for word in features[index])
    postings: dict[int, list[int]] = defaultdict(list)
    pairs: list[tuple[float, int, int]] = []
    for index in members:
        indexing = [word for word in features[index] if in_story[word] <= MAX_INDEX_SENTENCES]
        shared = Counter(other for word in indexing for other in postings.get(word, ()))
        for other, count in shared.items():
            if count >= MIN_SHARED_FEATURES and article[other] != article[index]:
                similarity = _similarity(features[index], features[other], weight)
                if similarity >= SAME_CLAIM:
                    pairs.append((similarity, other, index))
        for word in indexing:
            postings[word].append(index)
    return _join(pairs, {index: int(article[index]) for index in members})


def _similarity(first: frozenset[int], second: frozenset[int], weight: list[float]) -> float:
    union = sum(weight[w] for w in first | second)
    return float(sum(weight[w] for w in first & second) / union) if union else 0.0


def _join(pairs: list[tuple[float, int, int]], article: dict[int, int]) -> list[list[int]]:
    """Claims (of two or more sentences) from the pairs, most similar first, never two sentences of
    one article in a claim."""
    parent = {index: index for index in article}
    members: dict[int, set[int]] = {index: {article[index]} for index in article}

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
    claims: dict[int, list[int]] = defaultdict(list)
    for index in article:
        claims[find(index)].append(index)
    return [sorted(claim) for claim in claims.values() if len(claim) >= 2]


# --- stories ---------------------------------------------------------------------------------------

#: A sparse vector: sorted word ids and their weights.
Vector = tuple[np.ndarray, np.ndarray]


def _group_stories(
    keys: SentenceKeys, is_copy: np.ndarray, dates: dict[str, pd.Timestamp], copies: pd.Series
) -> dict[str, int]:
    """A story number per article (:data:`SAME_STORY`, :data:`STORY_DAYS`, :data:`STORY_SPAN_DAYS`)."""
    originals = [k for k in range(len(keys.article_ids)) if not is_copy[k]]
    vectors = _article_vectors(keys, originals)
    day = {k: dates.get(keys.article_ids[k]) for k in originals}
    pairs = _similar_articles(keys, originals, vectors, day)
    story = {k: k for k in originals}
    members = {k: [k] for k in originals}
    centroid: dict[int, Vector] = {}  # groups of two or more articles: the sum of their vectors
    dated = {k: day[k] for k in originals if day[k] is not None and not pd.isna(day[k])}
    span = {k: (dated[k], dated[k]) if k in dated else None for k in originals}  # each group's dates
    for _, first, second in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        a, b = story[first], story[second]
        if a == b:
            continue
        ends = [end for end in (span[a], span[b]) if end is not None]
        joined = (min(e[0] for e in ends), max(e[1] for e in ends)) if ends else None
        if joined is not None and (joined[1] - joined[0]).days > STORY_SPAN_DAYS:
            continue
        sum_a, sum_b = centroid.get(a, vectors[a]), centroid.get(b, vectors[b])
        scale = _norm(sum_a) * _norm(sum_b)
        if not scale or _dot(sum_a, sum_b) < SAME_STORY * scale:
            continue  # the groups as a whole are about different things: no chaining through one pair
        if len(members[a]) < len(members[b]):
            a, b = b, a
        for member in members[b]:
            story[member] = a
        members[a] += members.pop(b)
        span[a] = joined
        del span[b]
        centroid[a] = _add(sum_a, sum_b)
        centroid.pop(b, None)
    numbers = {root: position for position, root in enumerate(dict.fromkeys(story[k] for k in originals))}
    found = {keys.article_ids[k]: numbers[story[k]] for k in originals}
    for article in keys.article_ids:  # a copy joins its original's story (or stands alone without it)
        if article not in found:
            original = copies.get(article)
            found[article] = found.get(original, len(numbers) + len(found))
    return found


def _article_vectors(keys: SentenceKeys, originals: list[int]) -> dict[int, Vector]:
    """Each article's unit vector of word weights: (1 + log count) x log(N / document frequency).

    A word in every article weighs nothing, so in a corpus about one topic the topic's own words
    ("China", "Russia", "talks") do not make every article look alike.
    """

    def counted(k: int) -> tuple[np.ndarray, np.ndarray]:
        sentences = keys.of_article(k)
        words = keys.features[keys.offsets[sentences.start] : keys.offsets[sentences.stop]]
        return np.unique(words, return_counts=True)

    frequency = np.zeros(len(keys.vocabulary), np.int64)
    for k in originals:
        frequency[counted(k)[0]] += 1
    n = len(originals)
    vectors = {}
    for k in originals:
        ids, counts = counted(k)
        shared = frequency[ids] > 1
        ids = ids[shared]
        weights = (1 + np.log(counts[shared])) * np.log(n / frequency[ids])
        norm = float(np.sqrt(weights @ weights))
        vectors[k] = (ids, weights / norm) if norm else (ids[:0], weights[:0])
    return vectors


def _similar_articles(
    keys: SentenceKeys, originals: list[int], vectors: dict[int, Vector], day: dict[int, pd.Timestamp | None]
) -> list[tuple[float, int, int]]:
    """Pairs of articles at most STORY_DAYS apart with cosine >= SAME_STORY, and pairs with an
    undated article (at any distance) with cosine >= SAME_STORY_UNDATED.

    Candidates share one of an article's CANDIDATE_WORDS heaviest words that at most
    MAX_INDEX_ARTICLES articles have, found through an inverted index of the articles in a sliding
    date window: the work per article is bounded whatever the size of the corpus.
    """
    frequency = np.zeros(len(keys.vocabulary), np.int64)
    for k in originals:
        frequency[vectors[k][0]] += 1
    spelling = np.argsort(np.argsort(np.asarray(keys.vocabulary, dtype=object)))  # ties: by the word

    def heaviest(k: int) -> list[int]:
        ids, weights = vectors[k]
        usable = frequency[ids] <= MAX_INDEX_ARTICLES
        ids, weights = ids[usable], weights[usable]
        return ids[np.lexsort((spelling[ids], -weights))][:CANDIDATE_WORDS].tolist()

    index_words = {k: heaviest(k) for k in originals}
    dated = sorted((d, k) for k in originals if (d := day[k]) is not None and not pd.isna(d))
    undated = [k for k in originals if day[k] is None or pd.isna(day[k])]
    pairs: list[tuple[float, int, int]] = []
    index: dict[int, set[int]] = defaultdict(set)  # indexing word -> articles of the current window

    def add(k: int) -> None:
        for word in index_words[k]:
            index[word].add(k)

    def remove(k: int) -> None:
        for word in index_words[k]:
            index[word].discard(k)

    def compare(k: int, threshold: float = SAME_STORY) -> None:
        candidates = {other for word in index_words[k] for other in index.get(word, ())}
        for other in sorted(candidates - {k}):
            similarity = _dot(vectors[k], vectors[other])  # unit vectors: the cosine
            if similarity >= threshold:
                pairs.append((similarity, min(k, other), max(k, other)))

    window_start = 0
    for when, k in dated:  # each dated article against the earlier ones of its window
        while (when - dated[window_start][0]).days > STORY_DAYS:
            remove(dated[window_start][1])
            window_start += 1
        compare(k)
        add(k)
    for _, k in dated[window_start:]:
        remove(k)
    for k in originals:  # undated articles against every article
        add(k)
    for k in undated:
        compare(k, SAME_STORY_UNDATED)
        remove(k)  # each undated pair once
    return pairs


def _dot(first: Vector, second: Vector) -> float:
    """The dot product of two sparse vectors (the cosine of two unit vectors)."""
    _, at_first, at_second = np.intersect1d(first[0], second[0], assume_unique=True, return_indices=True)
    return float(first[1][at_first] @ second[1][at_second])


def _add(first: Vector, second: Vector) -> Vector:
    """The sum of two sparse vectors."""
    ids = np.union1d(first[0], second[0])
    values = np.zeros(len(ids))
    values[np.searchsorted(ids, first[0])] += first[1]
    values[np.searchsorted(ids, second[0])] += second[1]
    return ids, values


def _norm(vector: Vector) -> float:
    return float(np.sqrt(vector[1] @ vector[1]))


# --- tables ----------------------------------------------------------------------------------------


def _sentence_text(body: object, start: int, end: int) -> str:
    return one_line(body[start:end]) if isinstance(body, str) else ""


def _story_table(
    corpus: Corpus, articles: pd.DataFrame, keys: SentenceKeys, story_of: dict[str, int],
    claim_of: dict[int, int], copies: pd.Series,
) -> pd.DataFrame:  # fmt: skip
    """One row per article with its story id, copy status, story label and first publication."""
    table = articles.assign(
        story=articles["article_id"].map(story_of),
        copy_of=articles["article_id"].map(copies).where(lambda s: s.map(lambda v: isinstance(v, str))),
    )
    table["is_copy"] = table["copy_of"].notna()
    article = keys.article_of()
    claims_of_article: dict[str, set[int]] = defaultdict(set)
    for sentence, claim in claim_of.items():
        claims_of_article[keys.article_ids[article[sentence]]].add(claim)
    table["n_claims"] = [len(claims_of_article.get(a, ())) for a in table["article_id"]]
    stripped = corpus_bodies(corpus)
    bodies = dict(zip(stripped["article_id"], stripped["body"], strict=True))
    headline = {}
    for k, article_id in enumerate(keys.article_ids):  # its headline, else its first sentence
        sentences = keys.of_article(k)
        if sentences.start < sentences.stop:
            at_top = np.flatnonzero(keys.position[sentences] == POSITIONS.index("headline"))
            chosen = sentences.start + (int(at_top[0]) if len(at_top) else 0)
            body = bodies.get(article_id)
            headline[article_id] = _sentence_text(body, keys.start[chosen], keys.end[chosen])
    table["headline"] = table["article_id"].map(headline)
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


def _claim_table(
    corpus: Corpus, keys: SentenceKeys, claim_of: dict[int, int], stories: pd.DataFrame,
    articles: pd.DataFrame,
) -> pd.DataFrame:  # fmt: skip
    """The member sentences of every claim, with claim-level columns (their names and numbers read
    again from the ``claim_keys`` of the articles that carry a claim, a chunk at a time)."""
    if not claim_of:
        return _empty_claims()
    members = _member_rows(corpus, keys, claim_of)
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


def _member_rows(corpus: Corpus, keys: SentenceKeys, claim_of: dict[int, int]) -> pd.DataFrame:
    """One row per sentence of a claim: its claim, article, offsets, place, voice, speaker, text,
    names, numbers and set of lemmas."""
    article = keys.article_of()
    bodies = corpus_bodies(corpus)["body"].tolist()
    sentences = sorted(claim_of)
    by_article: dict[int, list[int]] = defaultdict(list)
    for sentence in sentences:
        by_article[int(article[sentence])].append(sentence)
    carrying = sorted(by_article)
    rows: list[tuple[object, ...]] = []
    for chunk_start in range(0, len(carrying), READ_CHUNK):
        chunk = carrying[chunk_start : chunk_start + READ_CHUNK]
        frames = step_frames(corpus, ["claim_keys"], progress=False, articles=chunk)["claim_keys"]
        for k, frame in zip(chunk, frames, strict=True):
            names, numbers, lemmas = (frame[c].tolist() for c in ("names", "numbers", "lemmas"))
            for sentence in by_article[k]:
                row = sentence - int(keys.first[k])
                start, end = int(keys.start[sentence]), int(keys.end[sentence])
                speaker = int(keys.speaker[sentence])
                rows.append((
                    claim_of[sentence], keys.article_ids[k], start, end, POSITIONS[keys.position[sentence]],
                    VOICES[keys.voice[sentence]], keys.speakers[speaker] if speaker >= 0 else None,
                    _sentence_text(bodies[k], start, end), names[row], numbers[row],
                    frozenset(str(lemmas[row]).split()),
                ))  # fmt: skip
    columns = ["claim", "article_id", "start", "end", "position", "voice", "speaker", "sentence", "names",
               "numbers", "lemmas"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _empty_claims() -> pd.DataFrame:
    """A claims table with no rows and typed columns (boolean masks on it stay masks)."""
    types = {"start": "int64", "end": "int64", "n_articles": "int64", "is_first": bool,
             "figures_disagree": bool, "published": "datetime64[ns]"}  # fmt: skip
    return pd.DataFrame({column: pd.Series(dtype=types.get(column, object)) for column in CLAIM_COLUMNS})


def _representatives(members: pd.DataFrame) -> dict[object, str]:
    """Each claim's most central sentence: the one sharing most lemmas with the other members."""
    out: dict[object, str] = {}
    for claim, group in members.groupby("claim"):
        words = group["lemmas"].tolist()
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
    keys = _story_sentences(corpus, progress=False)  # the sentences the stories were built from
    layout = {
        article: (keys.start[keys.of_article(k)], keys.position[keys.of_article(k)])
        for k, article in enumerate(keys.article_ids)
    }
    out = []
    for article, start in zip(matches["article_id"], matches["start"], strict=True):
        starts, positions = layout.get(article, (np.zeros(0, np.int64), np.zeros(0, np.int8)))
        at = int(np.searchsorted(starts, int(start), side="right")) - 1
        out.append(POSITIONS[positions[at]] if at >= 0 else "body")
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
