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
import hashlib
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
#: The key of a batch marker that records each part's size and checksum (table -> bytes, sha256).
PARTS_KEY = "parts"
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

    A table missing from ``frames`` gets an empty part, so a committed batch has every part. The
    marker records each part's size and SHA-256 (``parts``), so that a part damaged later is found
    (:func:`committed_batches` with ``verify``) and its batch redone.
    """
    layout = Layout(Path(root))
    checks: dict[str, dict[str, Any]] = {}
    for table, schema in table_schemas().items():
        frame = frames.get(table, pd.DataFrame())
        data = parquet_bytes(frame, schema)
        write_atomic(layout.part(table, batch_id), data)
        checks[table] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    marker = {"batch": batch_id, **info, PARTS_KEY: checks}
    write_atomic(layout.marker(batch_id), json.dumps(marker, sort_keys=True).encode())


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def part_damage(path: Path, recorded: dict[str, Any] | None, *, checksum: bool) -> str | None:
    """What is wrong with a batch's part, or None when it is as its marker recorded it.

    Without ``checksum`` only the size is compared (one ``stat``); with it the bytes are hashed too.
    A marker written before parts were recorded (``recorded`` None) is checked for a readable Parquet
    footer instead, when ``checksum`` is asked for.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if recorded is None:
        if not checksum:
            return None
        try:
            pq.read_metadata(path)
        except (OSError, pa.ArrowException) as exc:
            return f"not a Parquet file ({exc})"
        return None
    if size != recorded.get("bytes"):
        return f"{size} bytes where its batch marker records {recorded.get('bytes')}"
    if checksum:
        try:
            found = file_sha256(path)
        except OSError as exc:
            return f"unreadable ({exc.strerror or exc})"
        if found != recorded.get("sha256"):
            return "its checksum differs from the one its batch marker records"
    return None


def read_marker(path: Path) -> dict[str, Any] | None:
    """A batch marker's contents, or None when it cannot be read or lacks its unit lists."""
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(marker.get("units"), list) or not isinstance(marker.get("date_units"), list):
            raise ValueError("no unit lists")
        if not isinstance(marker.get(PARTS_KEY, {}), dict):
            raise ValueError("no part checks")
    except (OSError, ValueError, AttributeError):
        return None
    return marker


def batch_damage(root: str | Path, batch_id: str, marker: dict[str, Any], *, verify: bool) -> list[str]:
    """The damaged parts of one committed batch (``"tables/<table>/part-<batch>.parquet: why"``)."""
    layout = Layout(Path(root))
    recorded = marker.get(PARTS_KEY, {})
    damaged = []
    for table in table_schemas():
        path = layout.part(table, batch_id)
        problem = part_damage(path, recorded.get(table) if recorded else None, checksum=verify)
        if problem is not None:
            damaged.append(f"{path.relative_to(layout.root).as_posix()}: {problem}")
    return damaged


def committed_batches(root: str | Path, *, verify: bool = False) -> dict[str, dict[str, Any]]:
    """Every committed batch's marker (batch id -> its contents).

    A marker that cannot be read, or whose batch lacks a part or has one of another size than its
    marker records (a part deleted or overwritten by hand, or removed while a task of a run presumed
    dead was still writing), does not count: that batch is redone. With ``verify`` every part's bytes
    are also checked against the checksum its marker records (``annotate`` does this once per run).
    """
    layout = Layout(Path(root))
    markers: dict[str, dict[str, Any]] = {}
    if layout.batches.is_dir():
        for path in sorted(layout.batches.glob("*.json")):
            if path.name.startswith("."):  # a marker being written
                continue
            marker = read_marker(path)
            if marker is None:
                logger.warning("unreadable batch marker %s; its batch is redone", path.name)
                continue
            damaged = batch_damage(root, path.stem, marker, verify=verify)
            if damaged:
                logger.warning("batch %s is damaged (%s); it is redone", path.stem, "; ".join(damaged))
            else:
                markers[path.stem] = marker
    return markers


def remove_uncommitted(root: str | Path) -> int:
    """Delete temporary files, damaged batches and parts of batches without a marker (left by a killed
    run); the batches removed are redone by the run.

    Every part of every committed batch is verified against its marker's checksum: a batch with a
    damaged or missing part loses its marker (and so its parts), and an unreadable marker is deleted.
    """
    layout = Layout(Path(root))
    committed = committed_batches(root, verify=True)
    removed = 0
    if layout.batches.is_dir():
        for path in layout.batches.glob("*.json"):
            if not path.name.startswith(".") and path.stem not in committed:
                path.unlink(missing_ok=True)  # marker first: its parts are then unreferenced
                removed += 1
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


def prepare_store_folder(root: Path) -> None:
    """Create the store folder if needed and check that a run can write in it and its subfolders.

    Raises:
        StoreError: when ``root`` is a file, cannot be created, or a folder of it cannot be written
            (read-only), with the path and the reason.
    """
    if root.exists() and not root.is_dir():
        raise StoreError(f"the store path {root} is a file; give a folder (created if missing) for the store")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder {root} ({exc.strerror or exc})") from exc
    layout = Layout(root)
    folders = [root, layout.batches, layout.snapshots, layout.root / "tables"]
    if (layout.root / "tables").is_dir():
        folders += sorted(path for path in (layout.root / "tables").iterdir() if path.is_dir())
    for folder in folders:
        if not folder.exists():
            continue
        if not folder.is_dir():
            raise StoreError(f"{root}: {folder.name} should be a folder of the store but is a file")
        try:
            handle, probe = tempfile.mkstemp(dir=folder, prefix=".tmp-probe-")
            os.close(handle)
            os.unlink(probe)
        except OSError as exc:
            raise StoreError(
                f"cannot write to the store folder {folder} ({exc.strerror or exc}); `newsdesk annotate` "
                "needs a writable store (reading it with open_store or `briefing --store` does not)"
            ) from exc


@contextlib.contextmanager
def writer_lock(root: str | Path) -> Iterator[None]:
    """Hold the store's lock file for the duration (one writing run per store at a time).

    The folder is created and checked first (:func:`prepare_store_folder`).
    """
    prepare_store_folder(Path(root))
    path = Path(root) / LOCK_FILE
    try:
        handle = path.open("a+")
    except OSError as exc:
        raise StoreError(f"cannot open the store's lock file {path} ({exc.strerror or exc})") from exc
    with handle:
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

    The snapshot id is a hash of its contents, so an unchanged corpus keeps its snapshot; a snapshot
    folder of that id whose files differ from what would be written (damaged) is written again.
    """
    layout = Layout(Path(root))
    payload = {f"{name}.parquet": parquet_bytes(frame) for name, frame in sorted(frames.items())}
    payload.update(files or {})
    payload["snapshot.json"] = json.dumps(meta, sort_keys=True, indent=1, default=str).encode()
    digest = hashlib.sha256()
    for name, data in sorted(payload.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    snapshot_id = digest.hexdigest()[:16]
    target = layout.snapshots / snapshot_id
    if not _holds(target, payload):
        if target.exists():
            logger.warning("snapshot %s of %s was damaged; it is written again", snapshot_id, root)
        layout.snapshots.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=layout.snapshots, prefix=".tmp-"))
        try:
            for name, data in payload.items():
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_bytes(data)
            if target.exists():  # the damaged folder is moved aside, then deleted
                damaged = Path(tempfile.mkdtemp(dir=layout.snapshots, prefix=".tmp-damaged-"))
                os.replace(target, damaged / snapshot_id)
                shutil.rmtree(damaged, ignore_errors=True)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    previous = current_snapshot_id(root)
    write_atomic(layout.root / CURRENT_FILE, snapshot_id.encode())
    if previous and previous != snapshot_id:
        write_atomic(layout.root / "PREVIOUS", previous.encode())
    return snapshot_id


def _holds(folder: Path, payload: dict[str, bytes]) -> bool:
    """Whether ``folder`` holds exactly the files of ``payload`` with those bytes."""
    if not folder.is_dir():
        return False
    try:
        found = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
        return found == set(payload) and all((folder / n).read_bytes() == d for n, d in payload.items())
    except OSError:
        return False


def current_snapshot_id(root: str | Path) -> str | None:
    """The id of the current snapshot, or None before the first complete run."""
    try:
        return (Path(root) / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def vacuum(root: str | Path) -> int:
    """Delete snapshots and batches that neither the current nor the previous snapshot uses.

    The previous snapshot is kept so that a reader that opened it just before the switch can finish;
    a previous snapshot that cannot be read is skipped with a warning (its batches are not kept for
    it). When the current snapshot cannot be read, no batch is deleted. Returns the number of batches
    deleted.
    """
    layout = Layout(Path(root))
    current = current_snapshot_id(root)
    keep_ids = {current}
    with contextlib.suppress(OSError):
        keep_ids.add((layout.root / "PREVIOUS").read_text(encoding="utf-8").strip())
    keep_ids.discard(None)
    keep_ids.discard("")
    used: set[str] = set()
    for snapshot_id in sorted(str(i) for i in keep_ids):
        index = layout.snapshots / snapshot_id / "articles.parquet"
        if not index.is_file():
            continue
        try:
            frame = pd.read_parquet(index)
        except (OSError, ValueError, pa.ArrowException) as exc:
            if snapshot_id == current:
                logger.warning("the current snapshot %s cannot be read (%s); no batch is deleted", index, exc)
                return 0
            logger.warning("skipping the unreadable previous snapshot %s (%s)", index, exc)
            continue
        for column in (UNIT_KEYS[1], DATE_KEYS[1], MATCH_KEYS[1]):
            if column in frame.columns:
                used |= set(frame[column].dropna())
    if layout.snapshots.is_dir():
        for folder in layout.snapshots.iterdir():
            if folder.is_dir() and not folder.name.startswith(".") and folder.name not in keep_ids:
                shutil.rmtree(folder, ignore_errors=True)
    deleted = 0
    markers = sorted(layout.batches.glob("*.json")) if layout.batches.is_dir() else []
    for marker in markers:  # committed or not: a marker whose batch was damaged goes too
        batch_id = marker.stem
        if marker.name.startswith(".") or batch_id in used:
            continue
        marker.unlink(missing_ok=True)  # marker first: the parts are then unreferenced
        for table in table_schemas():
            layout.part(table, batch_id).unlink(missing_ok=True)
        deleted += 1
    return deleted

