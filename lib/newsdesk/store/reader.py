"""Reading a store: one snapshot's rows (only its batches' parts, only its units), and the cache stand-in
that serves registered steps, stripped lines, inferred dates and parsed Docs to the library."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from newsdesk.core.cache import DiskCache
from newsdesk.extract.pubdate import pubdate_namespace
from newsdesk.extract.registry import Step, arrow_frame
from newsdesk.extract.steps import all_steps
from newsdesk.parsing.parse import DOC_SUFFIX, docs_namespace
from newsdesk.store.format import (
    BASE_SCHEMAS,
    DATE_KEYS,
    MATCH_KEYS,
    NULLABLE_INTS,
    REPEATED_REASON,
    STRIP_FIELDS,
    UNIT_KEYS,
    Layout,
    StoreError,
    batch_damage,
    keys_of,
    read_marker,
    table_schemas,
)
from newsdesk.store.versions import FORMAT_VERSION
from newsdesk.stripping.corpus import (
    strip_namespace,
)

logger = logging.getLogger(__name__)


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


class UnitFrames:
    """One frame per unit of a table of rows sorted by unit, each built when it is read.

    A frame is a slice of one frame of all rows (no copy), made on each ``get`` and not kept, so a
    store of many articles holds one table per step, not one DataFrame object per article. With
    ``text_none`` (for stripped lines, which are not a registered step) a text column without any
    value in a unit's rows becomes a column of None there, as :func:`library_dtypes` gives it; step
    frames keep their schema's dtypes.
    """

    def __init__(self, rows: pd.DataFrame, columns: list[str], *, text_none: bool = True):
        units = rows["unit"].to_numpy(dtype=object)
        starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]]) if len(units) else np.zeros(0, int)
        ends = np.r_[starts[1:], len(units)].astype(int)
        self._base = rows[columns].reset_index(drop=True)
        self._spans = {
            units[start]: (number, start, end)
            for number, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True))
        }
        self._has_value = {
            column: np.add.reduceat(rows[column].notna().to_numpy(dtype=np.int64), starts) > 0
            for column in columns
            if len(units) and text_none and pd.api.types.is_string_dtype(rows[column].dtype)
        }

    def __contains__(self, unit: object) -> bool:
        return unit in self._spans

    def __len__(self) -> int:
        return len(self._spans)

    def get(self, unit: object) -> pd.DataFrame | None:
        """The unit's rows (index from 0), or None when the table has none."""
        span = self._spans.get(unit)
        if span is None:
            return None
        number, start, end = span
        frame = self._base.iloc[start:end]
        frame.index = pd.RangeIndex(end - start)
        empty = [column for column, found in self._has_value.items() if not found[number]]
        if empty:
            frame = frame.assign(**{column: np.full(end - start, None, dtype=object) for column in empty})
        return frame


def read_part(
    root: str | Path, table: str, batch_id: str, units: Sequence[str], columns: Sequence[str]
) -> pa.Table:
    """The rows of ``units`` (values of the table's key column) in one batch's part of ``table``."""
    layout = Layout(Path(root))
    path = layout.part(table, batch_id)
    name = path.relative_to(layout.root).as_posix()
    if not path.is_file():
        raise StoreError(f"{root}: part {name} of table {table!r} is missing; {RERUN_HINT}")
    key = keys_of(table)[0]
    try:
        dataset = ds.dataset(str(path), schema=table_schemas()[table], format="parquet")
        wanted = ds.field(key).isin(pa.array(list(units), pa.string()))
        return dataset.to_table(columns=list(columns), filter=wanted)
    except (OSError, pa.ArrowException) as exc:
        raise StoreError(f"{root}: part {name} is damaged ({exc}); {RERUN_HINT}") from exc


#: What to do about a damaged store (annotate verifies every part and redoes the damaged batches).
RERUN_HINT = "rerun `newsdesk annotate` on this store (same --data): it redoes the damaged batches"


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
        path = self.folder / f"{name}.parquet"
        try:
            frame = pd.read_parquet(path)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise StoreError(
                f"{self.root}: {path.relative_to(self.root).as_posix()} of the current snapshot is damaged "
                f"({exc}); rerun `newsdesk annotate` on this store (same --data) to write it again"
            ) from exc
        units = self.meta.get("datetime_units", {}).get(name, {})
        return frame.astype({c: t for c, t in units.items() if c in frame.columns}) if units else frame

    def check_parts(self, limit: int = 5) -> None:
        """Raise a StoreError naming the snapshot's damaged or missing parts (sizes against the batch
        markers: one ``stat`` per part, no reading), with what to do about them."""
        batches = set()
        for column in (UNIT_KEYS[1], DATE_KEYS[1], MATCH_KEYS[1]):
            if column in self.index.columns:
                batches |= {str(b) for b in self.index[column].dropna()}
        damaged: list[str] = []
        for batch_id in sorted(batches):
            marker = read_marker(self.layout.marker(batch_id)) or {}
            damaged += batch_damage(self.root, batch_id, marker, verify=False)
        if damaged:
            more = f"; and {len(damaged) - limit} more" if len(damaged) > limit else ""
            shown = "; ".join(damaged[:limit]) + more
            raise StoreError(f"{self.root}: {len(damaged)} damaged part(s): {shown}; {RERUN_HINT}")

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
        self.strip_namespace = strip_namespace(versions["strip"])
        self.pubdate_namespace = pubdate_namespace(versions["pubdate"])
        self.docs_namespace = docs_namespace(versions["pipeline"])
        self._doc_units: dict[str, str] | None = None
        self._keyed: pd.DataFrame | None = None
        self._doc_batch: dict[str, bytes] = {}
        self._frames: dict[str, tuple[dict[str, str], UnitFrames, pd.DataFrame]] = {}
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
        """The step's cache key of each stored article (its body hash and effective date) -> its unit."""
        if self._keyed is None:
            self._keyed = self.reader.read("articles", ["unit", "body_sha", "effective_date"])
            self._keyed = self._keyed.dropna(subset=["body_sha"]).reset_index(drop=True)
        articles = self._keyed
        dates = articles["effective_date"].astype(object).where(articles["effective_date"].notna(), None)
        keys = pd.Series(
            [step.key(sha, date) for sha, date in zip(articles["body_sha"], dates, strict=True)], dtype=object
        )
        return self._to_units(keys, articles["unit"], keys_of(step.name)[0])

    def _load(self, namespace: str) -> tuple[dict[str, str], UnitFrames, pd.DataFrame]:
        if namespace not in self._frames:
            if namespace == self.strip_namespace:  # the article-level decision, before the site pass
                columns = [n for n, _ in STRIP_FIELDS]
                units = self._units_by_key("sha256")
                rows = self.reader.read("lines", ["unit", *columns, "own_reason"])
                repeated = rows["reason"] == REPEATED_REASON
                rows = rows.assign(kept=rows["kept"] | repeated, reason=rows["own_reason"])
                rows = rows.sort_values(["unit", "line_no"], kind="stable")
                groups = UnitFrames(rows.reset_index(drop=True), columns)
                empty = library_dtypes(rows.iloc[:0][columns].reset_index(drop=True))
            else:
                step = self.served[namespace]
                unit_column = keys_of(step.name)[0]
                units = self._step_units(step)
                rows = self.reader.read(step.name, [unit_column, "row", *step.columns])
                rows = rows.rename(columns={unit_column: "unit"}).sort_values(["unit", "row"], kind="stable")
                groups = UnitFrames(rows.reset_index(drop=True), step.columns, text_none=False)
                empty = step.empty()
            keyed = {key: u for key, u in units.items() if key is not None and not pd.isna(key)}
            self._frames[namespace] = (keyed, groups, empty)
        return self._frames[namespace]

    def _stored_frame(self, namespace: str, key: str) -> pd.DataFrame | None:
        """The stored rows of the article with this cache key (an empty frame when it has none), or
        None when the store does not hold the article under this namespace."""
        keyed, groups, empty = self._load(namespace)
        unit = keyed.get(key)
        if unit is None:
            return None
        found = groups.get(unit)
        return empty if found is None else found

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
            frame = self._stored_frame(namespace, key)
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
