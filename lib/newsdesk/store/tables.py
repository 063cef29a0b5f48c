"""A Parquet store of an annotated corpus: what ``newsdesk annotate`` writes and ``open_store`` reads.

Layout of a store folder::

    tables/<table>/part-<batch>.parquet    one part per table and batch (partitioned by batch)
    batches/<batch>.json                   commit marker: the batch's units; written after all its parts
    snapshots/<id>/                        the corpus as of one complete run: articles.parquet (metadata
                                           and which batch holds each article), problems.parquet,
                                           duplicates, repeated, site_groups, snapshot.json, lexicons/
    CURRENT                                the id of the snapshot readers use (replaced atomically)

Every file is written under a temporary name and renamed into place. A batch counts only once its
marker exists, so a run killed midway leaves parts without a marker, which readers never see and the
next run deletes. An article's results are keyed by a *unit*: a hash of the article id, its text,
its stripped lines and body, its manifest date and the versions of every step, so any change gives
a new unit and only new units are annotated.

Tables (each row carries ``article_id`` and ``unit``; ``row`` orders rows within an article;
``start``/``end`` are offsets in the stripped body, ``text_start``/``text_end`` in the loaded text):

- ``articles``: one row per article version: loaded text, title, body, line and character counts,
  token/sentence/entity counts, the keys of its per-article results and its effective date;
- ``lines``: the stripper's decision for every input line (``kept``, ``reason``, ``body_start``) after
  the corpus-level pass; ``own_reason`` is the article-level decision before it;
- ``sentences``, ``entities``: spaCy's sentences and named entities of the body;
- ``quotes``, ``terms``, ``timexes``: :func:`newsdesk.extract.quotes.quotes_from_doc`,
  :func:`~newsdesk.extract.quotes.quoted_terms_from_doc` and
  :func:`newsdesk.analysis.chronology.events_from_doc`;
- ``pubdates``: the publication date inferred from the text (where it was inferred);
- ``framing_sentences``: :func:`newsdesk.analysis.framing.sentence_frame` (sentences with VADER tone and
  entities), and ``framing_terms``: the matches of the framing lexicons (``lexicons/`` beside the
  corpus over newsdesk's defaults), keyed by ``match_unit`` (the article's unit and the lexicon's
  hash: rerunning ``annotate`` after a lexicon edit matches again on the stored Docs; a reader with
  other lexicons is not served these rows, see :class:`StoreCache`);
- ``docs``: each body's parsed spaCy Doc (a ``DocBin``), so that a per-article computation the store
  does not hold starts from the stored parse instead of parsing again.

:func:`open_store` returns a :class:`Store`, a :class:`~newsdesk.ingest.corpus.Corpus` whose per-article
results come from these tables instead of parsing: every Corpus method and every function that takes a
corpus (``chronology.corpus_timexes(store)``, ``quotes.corpus_quoted_terms(store)`` ...) works on it and
gives the same frames, because they run the same code over the same per-article results. Reads take
only the columns needed and only the rows of the current snapshot's units.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsdesk.core.cache import DiskCache, write_atomic
from newsdesk.extract.registry import Step, arrow_frame
from newsdesk.extract.steps import all_steps
from newsdesk.ingest.corpus import Corpus, load_corpus
from newsdesk.metadata.resolve import resolve_metadata
from newsdesk.parsing.parse import DOC_SUFFIX
from newsdesk.store.versions import FORMAT_VERSION
from newsdesk.stripping.corpus import BODY_COLUMNS, LINE_COLUMNS, CorpusStripping, SiteSettings

logger = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
LOCK_FILE = ".lock"
REPEATED_REASON = "repeated-across-site"

_STR = pa.string()
_INT = pa.int64()
_BOOL = pa.bool_()
_FLOAT = pa.float64()
_KEYS = [("article_id", _STR), ("unit", _STR)]
_SPAN = [("text_start", _INT), ("text_end", _INT)]

STRIP_FIELDS = [
    ("line_no", _INT),
    ("start", _INT),
    ("end", _INT),
    ("text", _STR),
    ("kept", _BOOL),
    ("reason", _STR),
    ("score", _FLOAT),
]

#: The tables every store has besides one table per registered step (:func:`table_schemas`).
BASE_SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            *_KEYS,
            ("sha256", _STR),
            ("status", _STR),
            ("text", _STR),
            ("title", _STR),
            ("body", _STR),
            ("n_lines", _INT),
            ("n_lines_kept", _INT),
            ("n_chars_lines", _INT),
            ("n_chars_kept", _INT),
            ("n_tokens", _INT),
            ("n_sentences", _INT),
            ("n_entities", _INT),
            ("body_sha", _STR),
            ("effective_date", _STR),
        ]
    ),
    "lines": pa.schema([*_KEYS, *STRIP_FIELDS, ("body_start", _INT), ("own_reason", _STR)]),
    "docs": pa.schema([*_KEYS, ("body_sha", _STR), ("doc", pa.binary())]),
    "pubdates": pa.schema(
        [
            ("article_id", _STR),
            ("date_unit", _STR),
            ("sha256", _STR),
            ("inferred", _STR),
            ("inferred_source", _STR),
            ("confidence", _FLOAT),
        ]
    ),
}
UNIT_KEYS = ("unit", "batch")
DATE_KEYS = ("date_unit", "date_batch")
MATCH_KEYS = ("match_unit", "match_batch")
#: Columns of a snapshot's article index that say where each article's rows are.
INDEX_COLUMNS = [*UNIT_KEYS, *DATE_KEYS, *MATCH_KEYS]
#: Integer columns of the base tables that may be missing (read as ``Int64``).
NULLABLE_INTS = frozenset(
    {
        "body_start",
        "n_lines",
        "n_lines_kept",
        "n_chars_lines",
        "n_chars_kept",
        "n_tokens",
        "n_sentences",
        "n_entities",
    }
)


def lexicon_steps() -> list[Step]:
    """The registered steps whose rows depend on the framing lexicon (kept under match units)."""
    return [step for step in all_steps() if step.needs_lexicon]


def step_schema(step: Step) -> pa.Schema:
    """A step's table: article id, the unit (or match unit) of its rows, row number, the step's columns
    and, for steps with spans, the same spans in the loaded text."""
    key = MATCH_KEYS[0] if step.needs_lexicon else UNIT_KEYS[0]
    fields = [pa.field("article_id", _STR), pa.field(key, _STR), pa.field("row", _INT, nullable=False)]
    return pa.schema([*fields, *step.schema, *(_SPAN if step.spans else [])])


def table_schemas() -> dict[str, pa.Schema]:
    """Every table of a store: the base tables and one per registered step."""
    return {**BASE_SCHEMAS, **{step.name: step_schema(step) for step in all_steps()}}


def keys_of(table: str) -> tuple[str, str]:
    """The key column of a table's rows and the index column naming the batch that holds them."""
    if table == "pubdates":
        return DATE_KEYS
    if any(step.name == table for step in lexicon_steps()):
        return MATCH_KEYS
    return UNIT_KEYS


class StoreError(RuntimeError):
    """A store that cannot be read or written as asked (missing, incomplete, locked)."""


# --- files ----------------------------------------------------------------------------------------------


def parquet_bytes(frame: pd.DataFrame, schema: pa.Schema | None = None) -> bytes:
    """``frame`` as Parquet bytes: with ``schema`` exactly those typed columns, else pandas' own mapping."""
    if schema is None:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    if frame.empty:
        table = schema.empty_table()
    else:
        table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    table = table.replace_schema_metadata(None)  # arrow types only: every part reads back alike
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


@dataclass(frozen=True)
class Layout:
    """Paths inside a store folder."""

    root: Path

    @property
    def batches(self) -> Path:
        return self.root / "batches"

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    def table_dir(self, table: str) -> Path:
        return self.root / "tables" / table

    def part(self, table: str, batch_id: str) -> Path:
        return self.table_dir(table) / f"part-{batch_id}.parquet"

    def marker(self, batch_id: str) -> Path:
        return self.batches / f"{batch_id}.json"


def write_batch(
    root: str | Path, batch_id: str, frames: dict[str, pd.DataFrame], info: dict[str, Any]
) -> None:
    """Write one part per table (all of :func:`table_schemas`), then the batch's commit marker.

    A table missing from ``frames`` gets an empty part, so a committed batch has every part.
    """
    layout = Layout(Path(root))
    for table, schema in table_schemas().items():
        frame = frames.get(table, pd.DataFrame())
        write_atomic(layout.part(table, batch_id), parquet_bytes(frame, schema))
    write_atomic(layout.marker(batch_id), json.dumps({"batch": batch_id, **info}, sort_keys=True).encode())


def committed_batches(root: str | Path) -> dict[str, dict[str, Any]]:
    """Every committed batch's marker (batch id -> its contents).

    A marker that cannot be read, or whose batch lacks a part (a part deleted by hand, or removed
    while a task of a run presumed dead was still writing), does not count: that batch is redone.
    """
    layout = Layout(Path(root))
    markers: dict[str, dict[str, Any]] = {}
    if layout.batches.is_dir():
        for path in sorted(layout.batches.glob("*.json")):
            if path.name.startswith("."):  # a marker being written
                continue
            try:
                marker = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(marker.get("units"), list) or not isinstance(
                    marker.get("date_units"), list
                ):
                    raise ValueError("no unit lists")
            except (OSError, ValueError, AttributeError):
                logger.warning("unreadable batch marker %s; its batch is redone", path.name)
                continue
            if all(layout.part(table, path.stem).is_file() for table in table_schemas()):
                markers[path.stem] = marker
            else:
                logger.warning("batch %s lacks a part; it is redone", path.stem)
    return markers


def remove_uncommitted(root: str | Path) -> int:
    """Delete temporary files and parts of batches without a marker (left by a killed run)."""
    layout = Layout(Path(root))
    committed = set(committed_batches(root))
    removed = 0
    for path in (layout.root / "tables").glob("*/*") if (layout.root / "tables").is_dir() else []:
        stale_temp = path.name.startswith(".tmp-")
        batch = path.name.removeprefix("part-").removesuffix(".parquet")
        if stale_temp or (path.name.startswith("part-") and batch not in committed):
            path.unlink(missing_ok=True)
            removed += 1
    for folder in (layout.batches, layout.snapshots, layout.root):
        if folder.is_dir():
            for path in folder.glob(".tmp-*"):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
    return removed


@contextlib.contextmanager
def writer_lock(root: str | Path) -> Iterator[None]:
    """Hold the store's lock file for the duration (one writing run per store at a time)."""
    path = Path(root) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no advisory locks on this platform
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise StoreError(f"{root}: another `newsdesk annotate` run is writing this store") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- snapshots ------------------------------------------------------------------------------------------


def write_snapshot(
    root: str | Path,
    frames: dict[str, pd.DataFrame],
    meta: dict[str, Any],
    files: dict[str, bytes] | None = None,
) -> str:
    """Write a snapshot (frames as Parquet, ``meta`` as snapshot.json, extra ``files``) and make it current.

    The snapshot id is a hash of its contents, so an unchanged corpus keeps its snapshot.
    """
    import hashlib

    layout = Layout(Path(root))
    payload = {f"{name}.parquet": parquet_bytes(frame) for name, frame in sorted(frames.items())}
    payload.update(files or {})
    payload["snapshot.json"] = json.dumps(meta, sort_keys=True, indent=1, default=str).encode()
    digest = hashlib.sha256()
    for name, data in sorted(payload.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    snapshot_id = digest.hexdigest()[:16]
    target = layout.snapshots / snapshot_id
    if not target.is_dir():
        layout.snapshots.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=layout.snapshots, prefix=".tmp-"))
        try:
            for name, data in payload.items():
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_bytes(data)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    previous = current_snapshot_id(root)
    write_atomic(layout.root / CURRENT_FILE, snapshot_id.encode())
    if previous and previous != snapshot_id:
        write_atomic(layout.root / "PREVIOUS", previous.encode())
    return snapshot_id


def current_snapshot_id(root: str | Path) -> str | None:
    """The id of the current snapshot, or None before the first complete run."""
    try:
        return (Path(root) / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def vacuum(root: str | Path) -> int:
    """Delete snapshots and batches that neither the current nor the previous snapshot uses.

    The previous snapshot is kept so that a reader that opened it just before the switch can finish.
    Returns the number of batches deleted.
    """
    layout = Layout(Path(root))
    keep_ids = {current_snapshot_id(root)}
    with contextlib.suppress(OSError):
        keep_ids.add((layout.root / "PREVIOUS").read_text(encoding="utf-8").strip())
    keep_ids.discard(None)
    used: set[str] = set()
    for snapshot_id in keep_ids:
        index = layout.snapshots / str(snapshot_id) / "articles.parquet"
        if index.is_file():
            frame = pd.read_parquet(index)
            for column in (UNIT_KEYS[1], DATE_KEYS[1], MATCH_KEYS[1]):
                if column in frame.columns:
                    used |= set(frame[column].dropna())
    if layout.snapshots.is_dir():
        for folder in layout.snapshots.iterdir():
            if folder.is_dir() and not folder.name.startswith(".") and folder.name not in keep_ids:
                shutil.rmtree(folder, ignore_errors=True)
    deleted = 0
    for batch_id in committed_batches(root):
        if batch_id in used:
            continue
        layout.marker(batch_id).unlink(missing_ok=True)  # marker first: the parts are then unreferenced
        for table in table_schemas():
            layout.part(table, batch_id).unlink(missing_ok=True)
        deleted += 1
    return deleted


# --- reading --------------------------------------------------------------------------------------------


def arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow -> pandas the way newsdesk builds its frames: ``Int64`` for nullable integer columns."""
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.Int64Dtype) and column not in NULLABLE_INTS:
            if frame[column].isna().any():  # never expected; keep the values rather than fail
                continue
            frame[column] = frame[column].astype("int64")
    return frame


def library_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """One article's frame with the dtypes it has when the library reads it from its disk cache.

    That is the computed frame after a Parquet round trip: a string column with no value at all is a
    column of None (``object``), any other string column is ``str``.
    """
    changes = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_string_dtype(series.dtype) and series.isna().all():
            changes[column] = pd.Series([None] * len(series), index=frame.index, dtype=object)
    return frame.assign(**changes) if changes else frame


def split_by_unit(
    rows: pd.DataFrame, columns: list[str], *, text_none: bool = True
) -> dict[str, pd.DataFrame]:
    """One frame per unit (``rows`` sorted by unit), built in one pass.

    Each frame is a slice of one frame of all rows (no copy). With ``text_none`` (for stripped lines,
    which are not a registered step) a text column without any value in a unit's rows becomes a column
    of None there, as :func:`library_dtypes` gives it; step frames keep their schema's dtypes.
    """
    units = rows["unit"].to_numpy(dtype=object)
    if not len(units):
        return {}
    starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
    ends = np.r_[starts[1:], len(units)]
    base = rows[columns].reset_index(drop=True)
    has_value = {
        column: np.add.reduceat(rows[column].notna().to_numpy(dtype=np.int64), starts) > 0
        for column in columns
        if text_none and pd.api.types.is_string_dtype(rows[column].dtype)
    }
    frames = {}
    for number, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        frame = base.iloc[start:end]
        frame.index = pd.RangeIndex(end - start)
        empty = [column for column, found in has_value.items() if not found[number]]
        if empty:
            frame = frame.assign(**{column: np.full(end - start, None, dtype=object) for column in empty})
        frames[units[start]] = frame
    return frames


def read_part(
    root: str | Path, table: str, batch_id: str, units: Sequence[str], columns: Sequence[str]
) -> pa.Table:
    """The rows of ``units`` (values of the table's key column) in one batch's part of ``table``."""
    path = Layout(Path(root)).part(table, batch_id)
    if not path.is_file():
        raise StoreError(f"{root}: part {path.name} of table {table!r} is missing")
    key = keys_of(table)[0]
    dataset = ds.dataset(str(path), schema=table_schemas()[table], format="parquet")
    return dataset.to_table(columns=list(columns), filter=ds.field(key).isin(pa.array(list(units), _STR)))


class StoreReader:
    """Reads tables of one snapshot: only the parts of its batches and the rows of its units."""

    def __init__(self, root: Path, snapshot_id: str):
        self.root = root
        self.layout = Layout(root)
        self.snapshot_id = snapshot_id
        self.folder = self.layout.snapshots / snapshot_id
        try:
            self.meta: dict[str, Any] = json.loads(
                (self.folder / "snapshot.json").read_text(encoding="utf-8")
            )
            self.index = self.frame("articles")
        except (OSError, ValueError) as exc:
            raise StoreError(f"{root}: snapshot {snapshot_id} cannot be read ({exc})") from exc
        if self.meta.get("format") != FORMAT_VERSION:
            raise StoreError(
                f"{root}: store format {self.meta.get('format')!r}, this newsdesk reads {FORMAT_VERSION!r}; "
                "annotate into a new store"
            )

    def frame(self, name: str) -> pd.DataFrame:
        """A small corpus-level frame of the snapshot (articles, problems, duplicates, repeated ...)."""
        frame = pd.read_parquet(self.folder / f"{name}.parquet")
        units = self.meta.get("datetime_units", {}).get(name, {})
        return frame.astype({c: t for c, t in units.items() if c in frame.columns}) if units else frame

    def read(
        self, table: str, columns: Sequence[str] | None = None, units: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Rows of ``table`` for ``units`` (default: every unit of the snapshot), only ``columns``."""
        key, batch_column = keys_of(table)
        wanted = self.index[[key, batch_column]].dropna()
        if units is not None:
            wanted = wanted[wanted[key].isin(set(units))]
        names = list(columns) if columns is not None else table_schemas()[table].names
        # Part by part, each with its own units: a unit committed twice (by a run that was presumed
        # dead) is read once, from the batch the snapshot names.
        parts = [
            read_part(self.root, table, str(batch_id), group[key].tolist(), names)
            for batch_id, group in wanted.groupby(batch_column, sort=True)
        ]
        result = pa.concat_tables(parts) if parts else table_schemas()[table].empty_table().select(names)
        return arrow_frame(result) if table not in BASE_SCHEMAS else arrow_to_frame(result)


class StoreCache(DiskCache):
    """A :class:`~newsdesk.core.cache.DiskCache` that answers per-article lookups from a store's tables.

    The library asks its cache for per-article results by namespace and key (``quotes/<version>`` and
    the body's hash, ``timexes/<version>`` and body + date, ``strip/<version>`` and the text's hash,
    ``pubdate/<version>`` ...). Those the store holds are served from its tables (loaded once per
    table); anything else, or a version the store was not annotated with, goes to the ordinary disk
    cache, where the library computes and caches it as usual (slower, never wrong). Framing's lexicon
    matches are served under a namespace that names the hash of the lexicons the store was annotated
    with (the snapshot's ``framing_lexicon``), so a lookup for other lexicons is computed instead.
    """

    def __init__(self, reader: StoreReader, fallback: DiskCache):
        super().__init__(fallback.root)
        self.disk = fallback
        self.reader = reader
        versions = reader.meta["versions"]
        #: namespace -> the step whose rows the store serves under it (registered steps it holds).
        self.served: dict[str, Step] = {
            step.namespace(versions[step.name], reader.meta.get("framing_lexicon")): step
            for step in all_steps()
            if step.name in versions
        }
        self.strip_namespace = f"strip/{versions['strip']}"
        self.pubdate_namespace = f"pubdate/{versions['pubdate']}"
        self.docs_namespace = f"docs/{versions['pipeline']}"
        self._doc_units: dict[str, str] | None = None
        self._doc_batch: dict[str, bytes] = {}
        self._frames: dict[str, dict[str, pd.DataFrame]] = {}
        self._pubdates: dict[str, bytes] | None = None
        self.misses: dict[str, int] = {}

    def _units_by_key(self, key_column: str, unit_column: str = "unit") -> dict[str, str]:
        """Lookup key (a column of the ``articles`` table) -> the unit (or match unit) of its rows."""
        articles = self.reader.read("articles", ["unit", key_column])
        return self._to_units(articles[key_column], articles["unit"], unit_column)

    def _to_units(self, keys: pd.Series, units: pd.Series, unit_column: str) -> dict[str, str]:
        if unit_column != "unit":
            index = self.reader.index.dropna(subset=[unit_column]).set_index("unit")[unit_column]
            units = units.map(index)
        return {key: unit for key, unit in zip(keys, units, strict=True) if not pd.isna(unit)}

    def _step_units(self, step: Step) -> dict[str, str]:
        """The step's cache key of each stored article (from its body and effective date) -> its unit."""
        articles = self.reader.read("articles", ["unit", "body", "effective_date"]).dropna(subset=["body"])
        dates = articles["effective_date"].astype(object).where(articles["effective_date"].notna(), None)
        keys = pd.Series(
            [step.key(body, date) for body, date in zip(articles["body"], dates, strict=True)], dtype=object
        )
        return self._to_units(keys, articles["unit"].reset_index(drop=True), keys_of(step.name)[0])

    def _load(self, namespace: str) -> dict[str, pd.DataFrame]:
        if namespace not in self._frames:
            if namespace == self.strip_namespace:  # the article-level decision, before the site pass
                columns = [n for n, _ in STRIP_FIELDS]
                units = self._units_by_key("sha256")
                rows = self.reader.read("lines", ["unit", *columns, "own_reason"])
                repeated = rows["reason"] == REPEATED_REASON
                rows = rows.assign(kept=rows["kept"] | repeated, reason=rows["own_reason"])
                rows = rows.sort_values(["unit", "line_no"], kind="stable")
                groups = split_by_unit(rows.reset_index(drop=True), columns)
                empty = library_dtypes(rows.iloc[:0][columns].reset_index(drop=True))
            else:
                step = self.served[namespace]
                unit_column = keys_of(step.name)[0]
                units = self._step_units(step)
                rows = self.reader.read(step.name, [unit_column, "row", *step.columns])
                rows = rows.rename(columns={unit_column: "unit"}).sort_values(["unit", "row"], kind="stable")
                groups = split_by_unit(rows.reset_index(drop=True), step.columns, text_none=False)
                empty = step.empty()
            self._frames[namespace] = {
                key: groups.get(u, empty) for key, u in units.items() if key is not None and not pd.isna(key)
            }
        return self._frames[namespace]

    def _miss(self, namespace: str) -> None:
        kind = namespace.split("/", 1)[0]
        served = {"strip", "pubdate", *(step.name for step in all_steps())}
        if kind in served and kind not in self.misses:
            logger.warning(
                "the store holds no %s result for some articles: their text, body or date differs from "
                "what was annotated (a selection can change which lines repeat across a site) or newsdesk's "
                "version does (namespace %s); computing them through the disk cache",
                kind,
                namespace,
            )
        self.misses[kind] = self.misses.get(kind, 0) + 1

    def path(self, namespace: str, key: str, suffix: str) -> Path:
        """The disk cache's path; a parsed Doc the store holds is first copied there.

        The library checks the file exists before it parses, so any per-article computation the store
        does not hold (a notebook's own ``body_frames``) starts from the stored Doc instead of parsing.
        """
        target = super().path(namespace, key, suffix)
        if namespace == self.docs_namespace and suffix == DOC_SUFFIX and not target.is_file():
            data = self._stored_doc(key)
            if data is not None:
                self.disk.write(namespace, key, suffix, data)
        return target

    def _stored_doc(self, body_sha: str) -> bytes | None:
        """The stored DocBin of the body with this hash; the Docs of one batch are read at a time."""
        if self._doc_units is None:
            self._doc_units = self._units_by_key("body_sha")
        unit = self._doc_units.get(body_sha)
        if unit is None:
            return None
        if unit not in self._doc_batch:
            index = self.reader.index
            batch = index.loc[index["unit"] == unit, "batch"].iloc[0]
            rows = self.reader.read("docs", ["unit", "doc"], index.loc[index["batch"] == batch, "unit"])
            self._doc_batch = dict(zip(rows["unit"], rows["doc"], strict=True))
        return self._doc_batch.get(unit)

    def read_frame(self, namespace: str, key: str) -> pd.DataFrame | None:
        if namespace in self.served or namespace == self.strip_namespace:
            frame = self._load(namespace).get(key)
            if frame is not None:
                return frame
            self._miss(namespace)
        return super().read_frame(namespace, key)

    def read(self, namespace: str, key: str, suffix: str) -> bytes | None:
        if namespace == self.pubdate_namespace and suffix == ".json":
            if self._pubdates is None:
                rows = self.reader.read("pubdates", ["sha256", "inferred", "inferred_source", "confidence"])
                self._pubdates = {
                    sha: json.dumps(
                        {"date": None if pd.isna(d) else d, "source": s, "confidence": float(c)}
                    ).encode()
                    for sha, d, s, c in zip(
                        rows["sha256"],
                        rows["inferred"],
                        rows["inferred_source"],
                        rows["confidence"],
                        strict=True,
                    )
                }
            found = self._pubdates.get(key)
            if found is not None:
                return found
            self._miss(namespace)
        return super().read(namespace, key, suffix)


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
        snapshot_id = current_snapshot_id(root)
        if snapshot_id is None:
            hint = "a run has not completed yet" if (root / "batches").is_dir() else "no such store"
            raise StoreError(f"{root}: no complete snapshot ({hint}); run `newsdesk annotate --store {path}`")
        reader = StoreReader(root, snapshot_id)
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
        StoreError: when ``path`` holds no complete snapshot or one of another format.
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
) -> Corpus:
    """The corpus a notebook or a briefing works on: the store when one is given, else the folder.

    ``store`` is a folder written by ``newsdesk annotate``, opened with :func:`newsdesk.open_store`
    (a :class:`~newsdesk.store.tables.Store`, which is a Corpus); ``data_dir`` is a corpus folder or
    manifest, loaded with :func:`load_corpus`. Either way the articles' outlets and publication dates
    are resolved (:func:`newsdesk.metadata.resolve.resolve_metadata`). With both, the store is used and
    ``data_dir`` is not read, so a notebook keeps its default ``data_dir`` beside a ``store`` parameter.
    None or an empty string counts as not given.

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
    return resolve_metadata(load_corpus(data_dir, cache_dir=cache_dir))
