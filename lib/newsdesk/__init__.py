"""newsdesk: compare how news outlets cover one story.

The public surface is small: ``load_corpus`` for a folder of article dumps, ``open_store`` for an
annotated Parquet store, ``open_corpus`` for either with every article's outlet and date resolved
(what the notebooks call), ``nlp`` for the shared spaCy pipeline, and text-level functions added by
later modules. Each stage's corpus-level frames come from the stage's module (docs/architecture.md).
"""

from newsdesk.ingest.corpus import Corpus, load_corpus
from newsdesk.ingest.problems import CorpusError, Problem
from newsdesk.parsing.pipeline import nlp
from newsdesk.stripping.stripper import Stripped, strip

__all__ = [
    "Corpus",
    "CorpusError",
    "Problem",
    "Stripped",
    "__version__",
    "infer_published",
    "load_corpus",
    "nlp",
    "open_corpus",
    "open_store",
    "quoted_terms",
    "quotes",
    "strip",
    "timexes",
]
__version__ = "0.1.0"

# Text-level functions whose modules load on first use (module name, attribute).
_LAZY = {
    "quotes": ("extract.quotes", "quotes"),
    "quoted_terms": ("extract.quotes", "quoted_terms"),
    "timexes": ("extract.timexes", "timexes"),
    "infer_published": ("extract.pubdate", "infer_published"),
    "open_store": ("store.corpus", "open_store"),
    "open_corpus": ("store.corpus", "open_corpus"),
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        module, attribute = _LAZY[name]
        value = getattr(import_module(f".{module}", __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
