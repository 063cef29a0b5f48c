"""The registry of per-article steps: each computation over a parsed body, declared once.

A :class:`Step` names a computation (``quotes``, ``timexes`` ...), what it needs besides the parsed
body (the article's effective date, the framing lexicon, the frames of earlier steps), its version,
its output schema and its compute function. Everything that runs or stores steps iterates the
registry instead of naming them:

- the in-memory path (:func:`newsdesk.extract.run.step_frames`) reads and fills the disk cache under
  ``step.namespace()`` and ``step.key(body_sha, date)``;
- ``newsdesk annotate`` computes every registered step per article and writes one store table per step
  (``step.name``) with ``step.schema``; its workers record ``step.version()`` in the store's versions;
- a store (:func:`newsdesk.open_store`) serves every registered step it holds under the same
  namespaces and keys, so the in-memory path reads it as it reads the disk cache.

Adding a step is one module with a compute function and one :func:`register` call::

    def shouting(doc, inputs):
        text = doc_text(doc)
        rows = [(t.idx, t.idx + len(t), t.text) for t in doc if t.is_upper and len(t) > 2]
        return pd.DataFrame(rows, columns=["start", "end", "text"])

    register(Step("shouting", shouting, pa.schema([("start", pa.int64()), ("end", pa.int64()),
                                                   ("text", pa.string())]), version=lambda: "1"))

Its frames are then ``step_frames(corpus, ["shouting"])`` in memory and the ``shouting`` table of a
store annotated afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from newsdesk.core.cache import content_hash

#: Columns every step frame with ``spans=True`` has: offsets into the stripped body.
SPAN_COLUMNS = ("start", "end")


@dataclass(frozen=True)
class StepInputs:
    """What a step gets besides the parsed body: the article's effective date (ISO day or None), the
    framing lexicon's matcher (for ``needs_lexicon`` steps) and the frames of the steps it runs after."""

    date: str | None = None
    matcher: Any = None
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One per-article computation over a parsed, stripped body.

    Attributes:
        name: the step's name: its cache namespace prefix and its store table.
        compute: ``compute(doc, inputs) -> DataFrame`` with exactly ``schema``'s columns.
        schema: the frame's columns and Arrow types (the store's table adds keys and text offsets).
        version: the step's version (code, model, lexicon files): a cache key part, recorded in stores.
        needs_date: the result depends on the article's effective publication date.
        needs_lexicon: the result depends on the corpus's framing lexicon (its hash names the cache
            namespace; a store keeps these rows apart, so a lexicon edit redoes only them).
        after: steps whose frames of the same article ``compute`` receives in ``inputs.frames``.
        spans: rows carry ``start``/``end`` body offsets, which the store maps to the loaded text.
    """

    name: str
    compute: Callable[[Any, StepInputs], pd.DataFrame]
    schema: pa.Schema
    version: Callable[[], str]
    needs_date: bool = False
    needs_lexicon: bool = False
    after: tuple[str, ...] = ()
    spans: bool = True

    @property
    def columns(self) -> list[str]:
        return list(self.schema.names)

    def namespace(self, version: str | None = None, lexicon: str | None = None) -> str:
        """The cache namespace of this step's frames (``version`` default: this installation's)."""
        base = f"{self.name}/{version or self.version()}"
        if self.needs_lexicon:
            if not lexicon:
                raise ValueError(f"step {self.name!r} needs the framing lexicon's fingerprint")
            return f"{base}-{lexicon}"
        return base

    def key(self, body_sha: str, date: str | None = None) -> str:
        """The cache key of one article's frame: its body's hash (:func:`~newsdesk.core.cache.content_hash`),
        combined with its effective date when the step needs it."""
        return content_hash(f"{body_sha}\0{date or ''}") if self.needs_date else body_sha

    def empty(self) -> pd.DataFrame:
        """A frame with no rows and the step's columns and dtypes."""
        return arrow_frame(self.schema.empty_table())


_STEPS: dict[str, Step] = {}


def register(step: Step) -> Step:
    """Add ``step`` to the registry (a step of the same name is replaced); returns it."""
    for name in step.after:
        if name not in _STEPS:
            raise ValueError(f"step {step.name!r} runs after {name!r}, which is not registered")
    missing = [c for c in SPAN_COLUMNS if c not in step.schema.names] if step.spans else []
    if missing:
        raise ValueError(f"step {step.name!r} has spans but no {', '.join(missing)} column")
    _STEPS[step.name] = step
    return step


def unregister(name: str) -> None:
    """Remove a step (for tests that register their own)."""
    _STEPS.pop(name, None)


def registered() -> list[Step]:
    """Every registered step, in registration order (a step's ``after`` steps come before it)."""
    return list(_STEPS.values())


def get(name: str) -> Step:
    """The registered step called ``name``."""
    try:
        return _STEPS[name]
    except KeyError:
        raise KeyError(f"no step {name!r}; registered: {', '.join(_STEPS)}") from None


def conform(step: Step, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with exactly the step's columns and the dtypes it has from the cache and the store.

    That is the frame after an Arrow round trip with the step's schema: whether a result was just
    computed, read from the disk cache or served by a store, its columns have the same dtypes.
    """
    if not len(frame):
        return step.empty()
    table = pa.Table.from_pandas(frame[step.columns], schema=step.schema, preserve_index=False)
    return arrow_frame(table)


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow -> pandas as newsdesk reads every step frame: nullable integer fields as ``Int64``, the
    others as ``int64``; text as pandas' string dtype; lists as arrays."""
    frame = table.replace_schema_metadata(None).to_pandas()
    for schema_field in table.schema:
        if pa.types.is_integer(schema_field.type) and schema_field.nullable:
            frame[schema_field.name] = frame[schema_field.name].astype("Int64")
    return frame


#: Column kinds of :func:`schema`: Arrow type and whether a value may be missing.
KINDS: dict[str, tuple[pa.DataType, bool]] = {
    "str": (pa.string(), True),
    "int": (pa.int64(), False),
    "int?": (pa.int64(), True),
    "bool": (pa.bool_(), False),
    "float": (pa.float64(), True),
    "list[str]": (pa.list_(pa.string()), True),
}


def schema(**columns: str) -> pa.Schema:
    """A step schema from column kinds, in order: ``schema(start="int", text="str", role="str")``.

    Kinds: ``str``, ``int`` (never missing), ``int?`` (may be missing), ``bool``, ``float``, ``list[str]``.
    """
    return pa.schema([pa.field(name, *KINDS[kind]) for name, kind in columns.items()])
