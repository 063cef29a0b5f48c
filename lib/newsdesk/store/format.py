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
  token/sentence/entity counts, the body's hash and the effective date its steps were computed with;
- ``lines``: the stripper's decision for every input line (``kept``, ``reason``, ``body_start``) after
  the corpus-level pass; ``own_reason`` is the article-level decision before it;
- ``pubdates``: the publication date inferred from the text (where it was inferred);
- ``docs``: each body's parsed spaCy Doc (a ``DocBin``), so that a per-article computation the store
  does not hold starts from the stored parse instead of parsing again;
- one table per registered step (:mod:`newsdesk.extract.registry`: ``timexes``, ``quotes``, ``terms``,
  ``sentences``, ``entities``, ``framing_sentences``, ``framing_terms``), with the step's own columns
  (:func:`table_schemas`). Rows of steps that need the framing lexicon are keyed by ``match_unit``
  (the article's unit and the lexicon's hash): rerunning ``annotate`` after a lexicon edit redoes only
  them, on the stored Docs, and a reader with other lexicons is not served them.

This module holds the format (schemas, layout, batch and snapshot writing); :mod:`.reader` reads a
snapshot and :mod:`.corpus` opens it as a corpus.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newsdesk.core.cache import write_atomic
from newsdesk.extract.registry import Step
from newsdesk.extract.steps import all_steps

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


















