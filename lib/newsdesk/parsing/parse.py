"""Parse texts with spaCy through the disk cache: each distinct text is parsed once per pipeline."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from tqdm import tqdm

from newsdesk.core.cache import DiskCache, content_hash
from newsdesk.core.progress import show_progress
from newsdesk.parsing.pipeline import nlp, pipeline_fingerprint
from newsdesk.stripping.corpus import corpus_bodies

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

logger = logging.getLogger(__name__)

DOC_SUFFIX = ".spacy"
#: Texts longer than this are parsed in pieces split at line breaks: the parser's working memory
#: grows with the text it is given (about 1 GB per 100,000 characters), so pieces keep memory flat.
CHUNK_CHARS = 20_000
#: A run of characters without white space longer than this is cut before tokenising: spaCy's
#: tokenizer takes time quadratic in the length of one such run (30,000 ``"`` took over a minute).
MAX_RUN_CHARS = 500
#: With ``progress=None`` a bar is shown only when at least this many texts need parsing.
PROGRESS_MIN_ITEMS = 20


def docs_namespace(version: str | None = None) -> str:
    """The cache namespace of parsed Docs: the pipeline's fingerprint (default: the shared pipeline's)."""
    return f"docs/{version or pipeline_fingerprint()}"


def split_for_parsing(text: str, limit: int | None = None) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` (default CHUNK_CHARS) characters.

    Cuts fall after a line break where possible, else after a space. The pieces concatenate back
    to ``text`` exactly.
    """
    limit = CHUNK_CHARS if limit is None else limit
    if limit < 1:
        raise ValueError(f"limit must be at least 1 character, not {limit}")
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = text.rfind("\n", start + limit // 2, window_end)
        if cut < 0:
            cut = text.rfind(" ", start + limit // 2, window_end)
        cut = window_end if cut < 0 else cut + 1
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return [cut for piece in pieces for cut in _cut_long_runs(piece)]


_LONG_RUN_RE = re.compile(rf"\S{{{MAX_RUN_CHARS + 1},}}")


def _cut_long_runs(piece: str) -> list[str]:
    """``piece`` cut inside every run of more than MAX_RUN_CHARS non-space characters (rare: a wall of
    quotation marks, a base64 blob), so that no run the tokenizer sees is longer; joins back exactly."""
    cuts = [
        position
        for run in _LONG_RUN_RE.finditer(piece)
        for position in range(run.start() + MAX_RUN_CHARS, run.end(), MAX_RUN_CHARS)
    ]
    if not cuts:
        return [piece]
    bounds = [0, *cuts, len(piece)]
    return [piece[a:b] for a, b in pairwise(bounds)]


def _pipe_in_pieces(
    language: Language, texts: Iterator[str], batch_size: int, n_process: int
) -> Iterator[Doc]:
    """``language.pipe`` that accepts texts of any length and yields one Doc per text, in order."""

    def pieces() -> Iterator[tuple[str, tuple[int, int]]]:
        for index, text in enumerate(texts):
            parts = split_for_parsing(text)
            for position, part in enumerate(parts):
                yield part, (index, len(parts) - position - 1)

    collected: list[Doc] = []
    for doc, (_, remaining) in language.pipe(
        pieces(), as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        collected.append(doc)
        if remaining == 0:
            yield collected[0] if len(collected) == 1 else Doc.from_docs(collected, ensure_whitespace=False)
            collected = []


def parse(text: str, language: Language | None = None) -> Doc:
    """Parse one text of any length with the shared pipeline (pieces of CHUNK_CHARS, joined)."""
    return next(_pipe_in_pieces(language or nlp(), iter([text]), batch_size=1, n_process=1))


def _to_bytes(doc: Doc) -> bytes:
    return DocBin(docs=[doc], store_user_data=False).to_bytes()


def _from_bytes(data: bytes, language: Language) -> Doc:
    docs = list(DocBin().from_bytes(data).get_docs(language.vocab))
    if len(docs) != 1:
        raise ValueError(f"expected one Doc, found {len(docs)}")
    return docs[0]


def parse_cached(
    texts: Sequence[str],
    *,
    cache: DiskCache,
    language: Language | None = None,
    batch_size: int = 16,
    n_process: int = 1,
    progress: bool | None = None,
    description: str = "Parsing",
) -> Iterator[Doc]:
    """Yield one parsed Doc per text, in order, reading and filling the cache.

    A cached entry is used only if it decodes and its text equals the input; anything else
    (corrupt, truncated, a hash collision) is parsed again and the entry rewritten.
    """
    language = language or nlp()
    namespace = docs_namespace(pipeline_fingerprint(language))
    keys = [content_hash(text) for text in texts]
    to_parse: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in to_parse and not cache.path(namespace, key, DOC_SUFFIX).is_file():
            to_parse[key] = text
    show = show_progress(progress, len(to_parse), PROGRESS_MIN_ITEMS)
    parsed = _pipe_in_pieces(language, iter(list(to_parse.values())), batch_size, n_process)
    pending = set(to_parse)
    with tqdm(total=len(to_parse), desc=description, unit="doc", disable=not show) as bar:
        for key, text in zip(keys, texts, strict=True):
            if key in pending:
                pending.discard(key)
                doc = next(parsed)
                cache.write(namespace, key, DOC_SUFFIX, _to_bytes(doc))
                bar.update()
            else:
                doc = _load_or_reparse(cache, namespace, key, text, language)
            yield doc


def _load_or_reparse(cache: DiskCache, namespace: str, key: str, text: str, language: Language) -> Doc:
    data = cache.read(namespace, key, DOC_SUFFIX)
    if data is not None:
        try:
            doc = _from_bytes(data, language)
        except Exception as exc:  # any decoding failure means the entry cannot be trusted
            logger.info("cache entry %s is unreadable (%s); parsing again", key[:12], exc)
        else:
            if doc.text == text:
                return doc
            logger.info("cache entry %s does not match its text; parsing again", key[:12])
    doc = parse(text, language)
    cache.write(namespace, key, DOC_SUFFIX, _to_bytes(doc))
    return doc


def frames_from_docs(
    texts: Sequence[str],
    keys: Sequence[str],
    compute: Callable[..., pd.DataFrame],
    *,
    namespace: str,
    cache: DiskCache,
    arguments: Sequence[object] | None = None,
    progress: bool | None = None,
    description: str = "Annotating",
) -> list[pd.DataFrame]:
    """One result frame per text, ``compute(doc)`` (or ``compute(doc, arguments[i])``), cached under ``keys``.

    Only texts whose frame is not cached are parsed (through the Doc cache); ``keys`` must change
    whenever the result would (text hash plus whatever else ``compute`` depends on).
    """
    frames: list[pd.DataFrame | None] = [cache.read_frame(namespace, key) for key in keys]
    missing = [index for index, frame in enumerate(frames) if frame is None]
    docs = parse_cached([texts[i] for i in missing], cache=cache, progress=progress, description=description)
    for index, doc in zip(missing, docs, strict=True):
        frame = compute(doc) if arguments is None else compute(doc, arguments[index])
        cache.write_frame(namespace, keys[index], frame)
        frames[index] = frame
    return [frame for frame in frames if frame is not None]


def body_frames(
    corpus: Corpus,
    compute: Callable[[Doc], pd.DataFrame],
    *,
    namespace: str,
    progress: bool | None = None,
    description: str = "Annotating",
) -> list[pd.DataFrame]:
    """``compute(doc)`` for each parsed body, in ``corpus_bodies(corpus)`` order, cached by body hash.

    ``namespace`` names the computation and its version: results are reused only within it and
    only with the same pipeline (its fingerprint is added), since a new parse may change them.
    """
    texts = corpus_bodies(corpus)["body"].tolist()
    return frames_from_docs(
        texts,
        [content_hash(body) for body in texts],
        compute,
        namespace=f"{namespace}/{pipeline_fingerprint()}",
        cache=corpus.cache,
        progress=progress,
        description=description,
    )


def corpus_docs(
    corpus: Corpus,
    *,
    source: str = "body",
    progress: bool | None = None,
    batch_size: int = 16,
    n_process: int = 1,
) -> Iterator[Doc]:
    """Stream a parsed spaCy Doc per annotatable article, in corpus order, through the cache.

    ``source="body"`` (the default) parses the stripped body; ``"text"`` the whole loaded text.
    Each Doc carries ``doc._.newsdesk_article_id``, ``newsdesk_outlet`` and ``newsdesk_published``.
    """
    if source not in ("body", "text"):
        raise ValueError(f"source must be 'body' or 'text', not {source!r}")
    rows = corpus.annotatable
    texts = corpus_bodies(corpus)["body"].tolist() if source == "body" else rows["text"].tolist()
    parsed = parse_cached(
        texts, cache=corpus.cache, batch_size=batch_size, n_process=n_process, progress=progress
    )
    for doc, article_id, outlet, published in zip(
        parsed, rows["article_id"], rows["outlet"], rows["published"], strict=True
    ):
        doc._.newsdesk_article_id = article_id
        doc._.newsdesk_outlet = None if pd.isna(outlet) else outlet
        doc._.newsdesk_published = None if pd.isna(published) else published
        yield doc
