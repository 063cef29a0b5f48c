"""On-disk cache for per-article results, keyed by content hash and pipeline version.

Each entry is one file, ``<root>/<namespace>/<key[:2]>/<key><suffix>``, written atomically (a
temporary file renamed into place), so an interrupted run never leaves a half-written entry. A
reader that cannot decode an entry treats it as missing and recomputes it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import platformdirs

CACHE_ENV = "NEWSDESK_CACHE_DIR"
#: The lexicons that ship with newsdesk (a corpus's own ``lexicons/`` folder adds to or overrides them).
PACKAGED_LEXICONS = Path(__file__).resolve().parents[1] / "lexicons"

logger = logging.getLogger(__name__)

#: Cache folders found unwritable in this process: results are computed without caching (warned once).
_UNWRITABLE: set[Path] = set()


def default_cache_dir() -> Path:
    """``$NEWSDESK_CACHE_DIR`` if set, else the user's cache folder for newsdesk."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("newsdesk"))


def content_hash(text: str) -> str:
    """SHA-256 of the text's UTF-8 bytes (hex)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def source_digest(*modules: str) -> str:
    """A short hash of the source of ``modules`` (dotted names): a cache version that follows the code."""
    from importlib.util import find_spec

    digest = hashlib.sha256()
    for name in modules:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(f"no source file for module {name!r}")
        digest.update(name.encode() + b"\0" + Path(spec.origin).read_bytes())
    return digest.hexdigest()[:12]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class DiskCache:
    """A folder of immutable entries grouped by namespace (for example ``docs/<pipeline>``)."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()

    def path(self, namespace: str, key: str, suffix: str) -> Path:
        return self.root / namespace / key[:2] / f"{key}{suffix}"

    def read(self, namespace: str, key: str, suffix: str) -> bytes | None:
        """The stored bytes, or None when there is no entry (or it cannot be read)."""
        try:
            return self.path(namespace, key, suffix).read_bytes()
        except OSError:
            return None

    def write(self, namespace: str, key: str, suffix: str, data: bytes) -> None:
        """Store ``data`` atomically; a concurrent writer of the same entry is harmless.

        A cache folder that cannot be written (read-only, a file in its place, a full disk) is warned
        about once; from then on this process computes results without caching them there.
        """
        if self.root in _UNWRITABLE:
            return
        try:
            write_atomic(self.path(namespace, key, suffix), data)
        except OSError as exc:
            _UNWRITABLE.add(self.root)
            logger.warning(
                "cannot write to the cache folder %s (%s): results are computed without caching; set "
                "%s or cache_dir to a writable folder to cache them",
                self.root,
                exc.strerror or exc,
                CACHE_ENV,
            )

    def read_frame(self, namespace: str, key: str) -> pd.DataFrame | None:
        """A stored DataFrame (Parquet), or None when missing or unreadable."""
        data = self.read(namespace, key, ".parquet")
        if data is None:
            return None
        try:
            return pd.read_parquet(io.BytesIO(data))
        except Exception:  # a corrupt entry is recomputed, never trusted
            return None

    def write_frame(self, namespace: str, key: str, frame: pd.DataFrame) -> None:
        """Store ``frame`` as Parquet, atomically."""
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        self.write(namespace, key, ".parquet", buffer.getvalue())

    def discard(self, namespace: str, key: str, suffix: str) -> None:
        self.path(namespace, key, suffix).unlink(missing_ok=True)

    def keys(self, namespace: str, suffix: str) -> Iterable[str]:
        """Keys present in a namespace (for maintenance and tests)."""
        folder = self.root / namespace
        if folder.is_dir():
            for entry in folder.glob(f"*/*{suffix}"):
                yield entry.name[: -len(suffix)] if suffix else entry.name
