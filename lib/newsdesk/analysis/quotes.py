"""Quotes across a corpus: speakers canonicalised between articles, and quotes that travel.

Per article, :func:`newsdesk.extract.quotes.quotes_from_doc` finds quotes in the stripped body (cached).
Over the corpus, and never stored in the per-article cache:

- spelling and transliteration variants of one name merge into its most frequent form: the same
  words but one, accents folded, and the differing word (5 letters or more) Jaro-Winkler similar
  (``SAME_NAME_SIMILARITY``; "Sergey Lavrov" / "Sergei Lavrov", "Volodymyr Zelensky" / "Zelenskyy");
- a speaker that is only a common noun phrase whose head is no person, role or speaking group
  ("phone", "the visit": a parse error) is left unresolved (None);
- a speaker named by one word only ("Mao") becomes the full name ("Mao Ning") when exactly one full
  name in the corpus has that word (or a variant of it) as its first or last word; an editable alias
  table (``lexicons/speaker_aliases.csv`` beside the corpus: ``alias,canonical``) wins over both;
- a known officeholder (``lexicons/officeholders.csv``: name, aliases, office, start, end; a corpus's
  own ``lexicons/officeholders.csv`` rows come first) gets the office held on the article's date as
  ``speaker_office``, so "Wang Yi" quoted in March 2023 is the director of the foreign affairs office
  and in 2024 the foreign minister; the text's own role, where it gives one, stays in ``speaker_role``;
- the same or nearly the same quoted words in several articles get one ``quote_id``: word 3-gram
  sets with Jaccard similarity >= 0.5, or one containing 80% of the other (a shortened quote).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rapidfuzz.distance import JaroWinkler

from newsdesk.core.cache import PACKAGED_LEXICONS
from newsdesk.core.text import WORD_RE, normal_words
from newsdesk.extract.lexicons import LexiconError
from newsdesk.extract.run import step_frames
from newsdesk.ingest.paths import settings_file
from newsdesk.metadata.outlets import outlet_labels
from newsdesk.metadata.syndication import count_once
from newsdesk.stripping.corpus import corpus_bodies, strip_corpus
from newsdesk.stripping.offsets import to_original_spans

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

ALIASES_FILE = Path("lexicons") / "speaker_aliases.csv"
OFFICES_FILE = Path("lexicons") / "officeholders.csv"
#: Word 3-gram Jaccard similarity at or above which two quotes are the same quote.
SAME_QUOTE_JACCARD = 0.5
#: Share of the shorter quote's 3-grams found in the longer one that makes it a shortened copy.
SHORTENED_CONTAINMENT = 0.8
#: 3-grams shared by more quotes than this are too common to suggest a match ("the United States").
MAX_SHINGLE_QUOTES = 200
#: Quotes with fewer words than this are not clustered (a quoted word or two is a term, not a quote).
MIN_QUOTE_WORDS = 4
#: Jaro-Winkler similarity from which two spellings of one name word are variants ("Sergey"/"Sergei").
SAME_NAME_SIMILARITY = 0.92
#: Name words shorter than this are never merged as variants ("Yi"/"Yu" are two people).
MIN_VARIANT_LETTERS = 5

_QUOTED_RE = re.compile(r"[\"“«„‘]([^\"“”«»„‘’]{2,}?)[\"”»’]|``(.+?)''")
_NAME_WORD_RE = re.compile(r"^[A-Z][\w'’.-]*$")
_NOT_NAMES = frozenset(
    "he she they it we i you the a an this that ministry government spokesperson spokesman "
    "spokeswoman".split()
)


# --- speakers --------------------------------------------------------------------------------------


def read_aliases(corpus_root: Path) -> dict[str, str]:
    """The corpus's alias table (``alias`` -> ``canonical``), or an empty one."""
    path = settings_file(corpus_root / ALIASES_FILE, corpus_root)
    if path is None:
        return {}
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"alias", "canonical"} - set(table.columns)
    if missing:
        raise ValueError(
            f"{path}: alias table needs the columns alias and canonical (missing {sorted(missing)})"
        )
    return {
        a.strip(): c.strip() for a, c in zip(table["alias"], table["canonical"], strict=True) if a.strip()
    }


def canonical_speakers(speakers: pd.Series, aliases: dict[str, str] | None = None) -> pd.Series:
    """Map each speaker string to its canonical form across the corpus.

    The alias table wins; then spelling variants of a name merge into its most frequent form; then a
    one-word name becomes the single full name (two or more words) among ``speakers`` that starts or
    ends with it (or a variant of it); anything else is kept as it is.
    """
    aliases = aliases or {}
    counts = Counter(s for s in speakers.dropna() if isinstance(s, str))
    variant_of = name_variants(counts)
    full_names = {
        variant_of.get(name, name) for name in counts if len(name.split()) >= 2 and _looks_like_name(name)
    }
    by_prefix: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name in full_names:
        for word in (_fold(name.split()[0]), _fold(name.split()[-1])):
            by_prefix[word[:4]][word].add(name)

    def full_names_of(word: str) -> set[str]:
        """The full names whose first or last word is ``word`` or a variant of it."""
        word = _fold(word)
        found: set[str] = set()
        for other, owners in by_prefix.get(word[:4], {}).items():
            if other == word or _close(other, word):
                found |= owners
        return found

    def canonical(speaker: object) -> object:
        if not isinstance(speaker, str):
            return speaker
        if speaker in aliases:
            return aliases[speaker]
        if _not_a_speaker(speaker):
            return None
        speaker = variant_of.get(speaker, speaker)
        if len(speaker.split()) == 1 and _looks_like_name(speaker):
            candidates = full_names_of(speaker)
            if len(candidates) == 1:
                return aliases.get(next(iter(candidates)), next(iter(candidates)))
        return aliases.get(speaker, speaker)

    return speakers.map(canonical)


@dataclass(frozen=True)
class Office:
    """One office a person held from ``start`` (inclusive) to ``end`` (exclusive); None is open."""

    office: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None

    def held_on(self, day: pd.Timestamp) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def read_officeholders(corpus_root: Path | None = None) -> dict[str, list[Office]]:
    """Offices per folded name or alias: the corpus's own table's rows first, then the packaged ones.

    A bad row (no name or office, a date that is no ``YYYY-MM-DD``) raises :class:`LexiconError`
    naming the file and line.
    """
    own = settings_file(corpus_root / OFFICES_FILE, corpus_root) if corpus_root is not None else None
    offices: dict[str, list[Office]] = defaultdict(list)
    for path in [own, PACKAGED_LEXICONS / OFFICES_FILE.name]:
        if path is None:
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"name", "aliases", "office", "start", "end"} - set(reader.fieldnames or ())
            if missing:
                raise LexiconError(f"{path}: officeholders need the columns {sorted(missing)}")
            for line, row in enumerate(reader, start=2):
                name, office = (row.get("name") or "").strip(), (row.get("office") or "").strip()
                if not name or not office:
                    raise LexiconError(f"{path}, line {line}: a row needs a name and an office")
                entry = Office(office, _day(row.get("start"), path, line), _day(row.get("end"), path, line))
                for alias in [name, *(row.get("aliases") or "").split("|")]:
                    if alias.strip():
                        offices[_fold(alias.strip())].append(entry)
    return dict(offices)


def _day(value: str | None, path: Path, line: int) -> pd.Timestamp | None:
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise LexiconError(f"{path}, line {line}: {value!r} is no date (write YYYY-MM-DD)")
    try:
        return pd.Timestamp(value)
    except ValueError as error:
        raise LexiconError(f"{path}, line {line}: {value!r} is no date ({error})") from None


def speaker_offices(
    speakers: pd.Series, published: pd.Series, offices: dict[str, list[Office]]
) -> pd.Series:
    """The office each speaker held on the article's date (the first listed that covers it).

    Without a date, a person's office is given only when every row of theirs names the same office.
    """

    def office_of(speaker: object, day: object) -> str | None:
        if not isinstance(speaker, str):
            return None
        held = offices.get(_fold(speaker), [])
        if pd.isna(day):
            names = {entry.office for entry in held}
            return names.pop() if len(names) == 1 else None
        return next((entry.office for entry in held if entry.held_on(pd.Timestamp(day))), None)

    held = [office_of(speaker, day) for speaker, day in zip(speakers, published, strict=True)]
    return pd.Series(held, index=speakers.index, dtype=object)


def speaker_roles(quotes: pd.DataFrame) -> pd.Series:
    """Each quote's speaker role as the text gives it, else the office held on the article's date."""
    role = quotes["speaker_role"].where(quotes["speaker_role"].fillna("").astype(str).str.strip() != "")
    return role.fillna(quotes["speaker_office"]) if "speaker_office" in quotes else role


def name_variants(counts: Counter[str]) -> dict[str, str]:
    """Each name that is a spelling variant of a more frequent one (see the module), mapped to it.

    Names are compared only with names of as many words that share a folded word, so the cost stays
    near-linear in the number of distinct names.
    """
    names = sorted((n for n in counts if _looks_like_name(n)), key=lambda n: (-counts[n], n))
    by_word: dict[tuple[int, str], list[str]] = defaultdict(list)
    chosen: dict[str, str] = {}
    for name in names:  # most frequent first: the first of a family is its canonical form
        words = [_fold(w) for w in name.split()]
        blocks = _blocks(words)
        match = next(
            (
                other
                for block in blocks
                for other in by_word.get(block, [])
                if _one_word_apart(words, [_fold(w) for w in other.split()])
            ),
            None,
        )
        if match is not None:
            chosen[name] = match
            continue
        for block in blocks:
            by_word[block].append(name)
    return chosen


def _blocks(words: list[str]) -> list[tuple[int, str]]:
    """Where a name's variants are looked for: names of as many words sharing a word, or for a one-word
    name, one-word names with the same first four letters."""
    return [(1, words[0][:4])] if len(words) == 1 else [(len(words), word) for word in words]


def _one_word_apart(first: list[str], second: list[str]) -> bool:
    """The same words but at most one, and that one a close spelling of a long word."""
    differ = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    return len(differ) == 0 or (len(differ) == 1 and _close(*differ[0]))


def _close(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= MIN_VARIANT_LETTERS and JaroWinkler.similarity(a, b) >= SAME_NAME_SIMILARITY


_AGENT_SUFFIXES = ("er", "ers", "or", "ors", "ist", "ists", "ian", "ians", "ant", "ants", "ent", "ents")


def _not_a_speaker(speaker: str) -> bool:
    """A common noun phrase whose head is no person, role or speaking group ("phone", "the visit")."""
    from newsdesk.parsing.components import role_lexicon

    words = re.findall(r"[\w'’-]+", speaker)
    if len(words) > 1 and len({w.lower() for w in words}) == 1:
        return True  # a stammered word ("Sim Sim") is a scraping artefact, not a name
    if not words or any(w[:1].isupper() for w in words):
        return False  # a name or a capitalised body speaks for itself
    head = words[-1].lower()
    lexicon = role_lexicon()
    known = lexicon.role_words | lexicon.speaking_groups | lexicon.people_nouns
    singular = head[:-3] + "y" if head.endswith("ies") else head.rstrip("s")
    if head in known or singular in known:
        return False
    if head in lexicon.not_people or singular in lexicon.not_people:
        return True
    if head.endswith(_AGENT_SUFFIXES):
        return False
    return head not in {"he", "she", "they", "it", "we", "i", "you", "who"}


def _fold(word: str) -> str:
    """Lower case without accents ("Zelenskyy" stays, "Šefčovič" -> "sefcovic")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _looks_like_name(text: str) -> bool:
    """Capitalised words with no possessive ("Wang Yi", not "China’s Neutral Stance")."""
    words = text.split()
    return (
        all(_NAME_WORD_RE.match(w) and not w.endswith(("’s", "'s")) for w in words)
        and words[0].lower() not in _NOT_NAMES
    )


# --- quotes that travel ----------------------------------------------------------------------------


def quoted_portion(text: str) -> str:
    """The words inside quotation marks (joined), or the whole text when it has none."""
    parts = [a or b for a, b in _QUOTED_RE.findall(text)]
    return " ".join(parts) if parts else text


def _shingles(text: str) -> frozenset[str]:
    words = [w.lower() for w in WORD_RE.findall(text)]
    if len(words) < 3:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + 3]) for i in range(len(words) - 2))


def _relation(member: str, first: str) -> str:
    """How a later appearance relates to the first: same words, fewer, more, or other words."""
    member_words, first_words = normal_words(member).split(), normal_words(first).split()
    if member_words == first_words:
        return "same"
    if set(member_words) <= set(first_words):
        return "shortened"
    if set(first_words) <= set(member_words):
        return "extended"
    return "reworded"


def cluster_quotes(quotes: pd.DataFrame) -> pd.DataFrame:
    """Give the same or nearly the same quoted words one ``quote_id``.

    Args:
        quotes: one row per quote with ``kind``, ``text``, ``published_date`` and ``article_id``,
            in corpus order. Only direct and partial quotes of at least ``MIN_QUOTE_WORDS`` words
            are clustered; indirect (reported) speech gets no ``quote_id``.

    Returns:
        ``quotes`` with ``quote_id`` (``Q001`` ... numbered by first appearance: earliest
        publication date, then corpus order) and ``relation`` to the first appearance
        (``first``, ``same``, ``shortened``, ``extended``, ``reworded``).
    """
    frame = quotes.reset_index(drop=True)
    portions = frame["text"].fillna("").map(quoted_portion)
    eligible = frame["kind"].isin(["direct", "partial"]) & (
        portions.map(lambda t: len(WORD_RE.findall(t))) >= MIN_QUOTE_WORDS
    )
    order = frame.assign(_position=range(len(frame))).sort_values(
        ["published_date", "_position"], na_position="last", kind="stable"
    )["_position"]
    shingles = {i: _shingles(portions[i]) for i in order if eligible[i]}

    # Union-find over pairs that share an uncommon 3-gram and are similar enough.
    parent = {i: i for i in shingles}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: dict[str, list[int]] = defaultdict(list)
    for i, grams in shingles.items():
        for gram in grams:
            postings[gram].append(i)
    for i, grams in shingles.items():
        candidates = {
            j for g in grams if len(postings[g]) <= MAX_SHINGLE_QUOTES for j in postings[g] if j != i
        }
        for j in candidates:
            other = shingles[j]
            shared = len(grams & other)
            jaccard = shared / len(grams | other)
            containment = shared / min(len(grams), len(other))
            if jaccard >= SAME_QUOTE_JACCARD or containment >= SHORTENED_CONTAINMENT:
                parent[find(i)] = find(j)

    members: dict[int, list[int]] = defaultdict(list)
    for i in order:  # in order of first appearance
        if i in shingles:
            members[find(i)].append(i)
    quote_ids: dict[int, str] = {}
    relations: dict[int, str] = {}
    rank = {row: position for position, row in enumerate(order)}
    clusters = sorted(members.values(), key=lambda rows: rank[rows[0]])
    width = max(3, len(str(len(clusters))))
    for number, rows in enumerate(clusters, start=1):
        first = rows[0]
        for row in rows:
            quote_ids[row] = f"Q{number:0{width}d}"
            relations[row] = "first" if row == first else _relation(portions[row], portions[first])
    return frame.assign(
        quote_id=pd.Series(quote_ids, dtype=object).reindex(frame.index),
        relation=pd.Series(relations, dtype=object).reindex(frame.index),
    )


def quote_spread(quotes: pd.DataFrame) -> pd.DataFrame:
    """Per quote_id that appears in more than one article: where it first appeared and who repeated it."""
    clustered = quotes.dropna(subset=["quote_id"])
    rows = []
    for quote_id, group in clustered.groupby("quote_id", sort=True):
        if group["article_id"].nunique() < 2:
            continue
        first = group[group["relation"] == "first"].iloc[0]
        rows.append(
            {
                "quote_id": quote_id,
                "speaker": first.get("speaker"),
                "first_article": first["article_id"],
                "first_outlet": first.get("outlet"),
                "first_published": first.get("published_date"),
                "n_articles": group["article_id"].nunique(),
                "n_outlets": group["outlet"].nunique(),
                "relations": ", ".join(sorted(set(group["relation"]) - {"first"})),
                "text": quoted_portion(first["text"]),
            }
        )
    columns = [
        "quote_id",
        "speaker",
        "first_article",
        "first_outlet",
        "first_published",
        "n_articles",
        "n_outlets",
        "relations",
        "text",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- the corpus stage ------------------------------------------------------------------------------


def corpus_quotes(
    corpus: Corpus, *, include_copies: bool = False, progress: bool | None = None
) -> pd.DataFrame:
    """Every quote in every article's stripped body, with corpus-level speakers and quote ids.

    Copies of another article (:func:`newsdesk.metadata.syndication.count_once`) are left out unless
    ``include_copies``, so a wire story reprinted five times is one source of its quotes.

    Columns: ``article_id``, ``outlet``, ``published``, ``published_date``, the columns of
    :func:`newsdesk.extract.quotes.quotes_from_doc` (offsets into the body), ``text_start`` and
    ``text_end`` (the same offsets in the article's loaded text), ``speaker_canonical``,
    ``speaker_office`` (:func:`speaker_offices`), ``quote_id`` and ``relation``.
    """
    from newsdesk.extract.quotes import COLUMNS

    bodies = corpus_bodies(corpus)
    frames = step_frames(corpus, ["quotes"], progress=progress, description="Quotes")["quotes"]
    meta = ["article_id", "outlet", "published", "published_date"]
    keep = [position for position, frame in enumerate(frames) if len(frame)]
    if not keep:
        empty = pd.DataFrame(
            columns=[*meta, *COLUMNS, "text_start", "text_end", "speaker_canonical", "speaker_office"]
        )
        return empty.assign(quote_id=pd.Series(dtype=object), relation=pd.Series(dtype=object))
    quotes = pd.concat([frames[position] for position in keep], ignore_index=True)
    positions = np.repeat(np.asarray(keep, dtype=np.int64), [len(frames[p]) for p in keep])
    for column in meta:  # each quote's article, taken in one go
        quotes[column] = bodies[column].array.take(positions)
    quotes["published_date"] = quotes["published_date"].astype("datetime64[ns]")
    quotes["text_start"], quotes["text_end"] = to_original_spans(
        strip_corpus(corpus).lines,
        quotes["article_id"].to_numpy(),
        quotes["start"].to_numpy(np.int64),
        quotes["end"].to_numpy(np.int64),
    )
    quotes = quotes[[*meta, *COLUMNS, "text_start", "text_end"]]
    quotes["speaker_canonical"] = canonical_speakers(quotes["speaker"], read_aliases(corpus.root))
    quotes["speaker_office"] = speaker_offices(
        quotes["speaker_canonical"], quotes["published_date"], read_officeholders(corpus.root)
    )
    quotes, _ = count_once(quotes, corpus, include_copies=include_copies)
    return cluster_quotes(quotes)


def corpus_quoted_terms(corpus: Corpus, *, progress: bool | None = None) -> pd.DataFrame:
    """Scare quotes and quoted terms per article (no speaker), with their sentence (step ``terms``)."""
    from newsdesk.extract.quotes import TERM_COLUMNS

    bodies = corpus_bodies(corpus)
    frames = step_frames(corpus, ["terms"], progress=progress, description="Quoted terms")["terms"]
    parts = [
        frame.assign(article_id=article_id, outlet=outlet)
        for article_id, outlet, frame in zip(bodies["article_id"], bodies["outlet"], frames, strict=True)
        if len(frame)
    ]
    if not parts:
        return pd.DataFrame(columns=["outlet", "article_id", *TERM_COLUMNS])
    terms = pd.concat(parts, ignore_index=True)
    return terms.assign(outlet=outlet_labels(terms))[["outlet", "article_id", *TERM_COLUMNS]]
