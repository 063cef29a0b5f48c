"""A store opened as a corpus: :func:`open_store`, and :func:`open_corpus` (a store or a folder, resolved)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from newsdesk.core.cache import DiskCache
from newsdesk.ingest.corpus import Corpus, load_corpus
from newsdesk.metadata.resolve import resolve_metadata
from newsdesk.store.format import (
    INDEX_COLUMNS,
    StoreError,
    current_snapshot_id,
    table_schemas,
)
from newsdesk.store.reader import StoreCache, StoreReader, library_dtypes
from newsdesk.stripping.corpus import (
    BODY_COLUMNS,
    LINE_COLUMNS,
    CorpusStripping,
    SiteSettings,
)

logger = logging.getLogger(__name__)


class Store(Corpus):
    """An annotated corpus read from a Parquet store; use it wherever a :class:`Corpus` is used.

    ``articles`` and ``problems`` are as :func:`newsdesk.load_corpus` gave them when the store was
    last annotated. Per-article results (stripped lines, quotes, quoted terms, timexes, inferred
    dates, framing's sentence tone and lexicon matches) come from the store. The corpus-level
    stripping passes (near-duplicates, lines repeated across a site) are read from the snapshot for
    the settings ``annotate`` used and recomputed for others; what is computed across articles
    (canonical speakers, quote ids, the timeline, outlets and every framing table) runs at read time
    exactly as for a loaded corpus.
    :func:`~newsdesk.parsing.parse.corpus_docs` and any ``body_frames`` computation the store does not
    hold read the stored Docs (no parsing). ``sentences()`` and ``entities()`` give the store's extra tables.
    """

    def __init__(self, path: str | Path, *, cache_dir: str | Path | None = None):
        root = Path(path).expanduser().resolve()
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a store folder written by `newsdesk annotate`")
        snapshot_id = current_snapshot_id(root)
        if snapshot_id is None:
            hint = "a run has not completed yet" if (root / "batches").is_dir() else "no such store"
            raise StoreError(f"{root}: no complete snapshot ({hint}); run `newsdesk annotate --store {path}`")
        reader = StoreReader(root, snapshot_id)
        reader.check_parts()
        texts = reader.read("articles", ["unit", "text"])
        index = reader.index
        articles = index.drop(columns=INDEX_COLUMNS)
        text_of = dict(zip(texts["unit"], texts["text"], strict=True))
        articles.insert(
            articles.columns.get_loc("language") + 1, "text", index["unit"].map(text_of).astype("str")
        )
        super().__init__(
            articles=articles,
            problems=reader.frame("problems"),
            root=reader.folder,
            cache=StoreCache(reader, DiskCache(cache_dir)),
        )
        self.path = root
        self.reader = reader
        self.data_root = Path(reader.meta.get("data_root", ""))
        self.settings = SiteSettings(**reader.meta["settings"])

    def __repr__(self) -> str:
        errors = int((self.problems["severity"] == "error").sum())
        return (
            f"<Store {len(self)} articles, {errors} error(s), {len(self.problems) - errors} warning(s); "
            f"snapshot {self.reader.snapshot_id}>"
        )

    @property
    def versions(self) -> dict[str, str]:
        """The versions of each step the store was annotated with."""
        return dict(self.reader.meta["versions"])

    def outdated(self) -> list[str]:
        """The steps (``pipeline``, ``strip``, ``quotes``, ``timexes``, ``pubdate``, ``framing``) whose
        installed version differs from the one the store was annotated with; rerun ``newsdesk annotate``
        to update them. (Framing matches are used only for the lexicons the store was annotated with:
        others are matched on the stored Docs when read.)"""
        from newsdesk.store.versions import current_versions

        installed = current_versions()
        return sorted(step for step, version in self.versions.items() if installed.get(step) != version)

    @property
    def infer_dates(self) -> str:
        """``"all"`` when ``annotate`` inferred every article's publication date, else ``"missing"``.

        With ``"missing"``, ``publication_dates(infer="all")`` parses each dated article's text again.
        """
        return str(self.reader.meta.get("infer_dates", "missing"))

    def _annotatable_units(self) -> pd.Series:
        index = self.reader.index
        return index.loc[index["status"] != "not-english", "unit"]

    def _in_corpus_order(self, frame: pd.DataFrame, by: str) -> pd.DataFrame:
        position = {u: i for i, u in enumerate(self.reader.index["unit"])}
        order = frame["unit"].map(position)
        return (
            frame.assign(_position=order)
            .sort_values(["_position", by], kind="stable")
            .drop(columns=["_position"])
            .reset_index(drop=True)
        )

    def stored(self, name: str, **params: Any) -> Any | None:
        """What the store holds of a corpus-level result: ``"stripping"`` for the settings ``annotate``
        used (other settings are recomputed by :func:`newsdesk.stripping.corpus.strip_corpus` over the
        stored article-level decisions, so nothing is stripped again) and ``"overview"`` (token,
        sentence and entity counts per article)."""
        if name == "stripping" and params.get("settings") == self.settings:
            return self._stored_stripping()
        if name == "overview":
            return self.reader.read(
                "articles", ["article_id", "n_tokens", "n_sentences", "n_entities"], self._annotatable_units()
            )
        return None

    def _stored_stripping(self) -> CorpusStripping:
        units = self._annotatable_units()
        lines = self.reader.read("lines", ["article_id", "unit", *LINE_COLUMNS[1:], "body_start"], units)
        lines = self._in_corpus_order(lines, "line_no").drop(columns=["unit"])[
            [*LINE_COLUMNS, "body_start"]
        ]
        stored = self.reader.read(
            "articles",
            [
                "article_id",
                "unit",
                "title",
                "body",
                "n_lines",
                "n_lines_kept",
                "n_chars_lines",
                "n_chars_kept",
            ],
            units,
        )
        stored = self._in_corpus_order(stored, "article_id").rename(columns={"n_chars_lines": "n_chars"})
        stored = library_dtypes(stored[BODY_COLUMNS])
        for column in ("n_lines", "n_lines_kept", "n_chars", "n_chars_kept"):
            stored[column] = stored[column].astype("int64")
        duplicates = self.reader.frame("duplicates")
        bodies = stored.merge(duplicates, on="article_id", how="left")
        return CorpusStripping(
            lines,
            bodies,
            self.reader.frame("repeated"),
            duplicates,
            self.reader.frame("site_groups"),
            self.settings,
        )

    def select(self, **criteria: Any) -> Corpus:
        """:meth:`Corpus.select` on the store: a selection that keeps every article is the store itself
        (with ``selection`` set); a smaller one is a Corpus whose corpus-level passes are recomputed
        over the articles kept, with per-article results still read from the store."""
        chosen = super().select(**criteria)
        if len(chosen.articles) < len(self.articles):
            return chosen
        whole = copy.copy(self)
        whole.selection = chosen.selection
        return whole

    def _with_outlet(self, table: str, columns: list[str]) -> pd.DataFrame:
        rows = self.reader.read(table, ["article_id", "unit", "row", *columns], self._annotatable_units())
        rows = self._in_corpus_order(rows, "row").drop(columns=["unit", "row"])
        outlets = self.articles.set_index("article_id")["outlet"]
        rows.insert(1, "outlet", rows["article_id"].map(outlets))
        return rows

    def sentences(self) -> pd.DataFrame:
        """One row per sentence of every stripped body: offsets (body and loaded text), text, tokens."""
        return self._with_outlet("sentences", ["start", "end", "text_start", "text_end", "text", "n_tokens"])

    def entities(self) -> pd.DataFrame:
        """One row per named entity of every stripped body: offsets, text and spaCy label."""
        return self._with_outlet("entities", ["start", "end", "text_start", "text_end", "text", "label"])

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The current rows of one stored table as they are stored (``columns``: only those)."""
        if name not in table_schemas():
            raise ValueError(f"unknown table {name!r}; the store has {', '.join(table_schemas())}")
        return self.reader.read(name, columns)


def open_store(path: str | Path, *, cache_dir: str | Path | None = None, check: bool = True) -> Store:
    """Open a store written by ``newsdesk annotate``; use the result wherever a loaded corpus is used.

    ``cache_dir`` is the disk cache for anything the store does not hold (default: as for
    :func:`newsdesk.load_corpus`). With ``check`` (the default; it loads the spaCy pipeline), a
    warning names the steps whose installed version differs from the store's: the store still gives
    the results it was annotated with, and ``newsdesk annotate`` brings it up to date.

    Raises:
        StoreError: when ``path`` holds no complete snapshot, one of another format, or a damaged or
            missing part (named, with what to do: rerun ``newsdesk annotate``).
    """
    store = Store(path, cache_dir=cache_dir)
    if check:
        outdated = store.outdated()
        if outdated:
            logger.warning(
                "%s was annotated with other versions of: %s; its results are those versions'. Rerun "
                "`newsdesk annotate` to update it",
                store.path,
                ", ".join(outdated),
            )
    return store


def open_corpus(
    data_dir: str | Path | None = None,
    store: str | Path | None = None,
    *,
    cache_dir: str | Path | None = None,
    allow_outside: bool = False,
) -> Corpus:
    """The corpus a notebook or a briefing works on: the store when one is given, else the folder.

    ``store`` is a folder written by ``newsdesk annotate``, opened with :func:`newsdesk.open_store`
    (a :class:`~newsdesk.store.corpus.Store`, which is a Corpus); ``data_dir`` is a corpus folder or
    manifest, loaded with :func:`load_corpus`. Either way the articles' outlets and publication dates
    are resolved (:func:`newsdesk.metadata.resolve.resolve_metadata`). With both, the store is used and
    ``data_dir`` is not read, so a notebook keeps its default ``data_dir`` beside a ``store`` parameter.
    None or an empty string counts as not given. ``allow_outside`` lets the folder's manifest and
    links name files outside it (:func:`newsdesk.load_corpus`).

    Raises:
        ValueError: when neither is given.
        StoreError: when ``store`` does not exist or holds no complete snapshot.
        CorpusError: when ``data_dir`` does not exist or its manifest is unusable.
    """
    if store:
        path = Path(store).expanduser()
        if not path.exists():
            raise StoreError(
                f"store {path} does not exist; write it with `newsdesk annotate --data DIR --store {path}`"
            )
        return resolve_metadata(open_store(path, cache_dir=cache_dir))
    if not data_dir:
        raise ValueError(
            "open_corpus needs data_dir (a corpus folder) or store (a store written by `newsdesk annotate`)"
        )
    return resolve_metadata(load_corpus(data_dir, cache_dir=cache_dir, allow_outside=allow_outside))
