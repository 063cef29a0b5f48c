"""Read and validate the corpus manifest (``articles.csv``): one row per article, problems by line."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from newsdesk.ingest.problems import CorpusError, Problem

MANIFEST_NAME = "articles.csv"
REQUIRED_COLUMNS = ("id", "file")
KNOWN_COLUMNS = ("id", "file", "outlet", "url", "published", "language", "note")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_PLAUSIBLE_YEARS = range(1800, 2101)


@dataclass(frozen=True)
class ManifestRow:
    """One usable manifest row. ``file`` is as written; ``path`` is resolved against the manifest."""

    line: int
    article_id: str
    file: str
    path: Path
    outlet: str | None
    url: str | None
    published: str | None
    language: str | None
    note: str | None
    extra: dict[str, str]


def parse_published(value: str) -> tuple[str | None, date | None, str | None]:
    """Validate an ISO 8601 date or date-time. Returns (normalised text, date, error message)."""
    value = value.strip()
    if not value:
        return None, None, None
    if not _ISO_DATE_RE.match(value):
        return (
            None,
            None,
            f"published {value!r} is not an ISO 8601 date (YYYY-MM-DD, optionally with time and zone)",
        )
    try:
        stamp = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError as exc:
        return None, None, f"published {value!r} is not a valid date: {exc}"
    if stamp.year not in _PLAUSIBLE_YEARS:
        return None, None, f"published {value!r} has an implausible year"
    text = stamp.date().isoformat() if len(value) == 10 else stamp.isoformat()
    return text, stamp.date(), None


def _normalise_language(value: str) -> str | None:
    value = value.strip().lower().replace("_", "-")
    return (value.split("-")[0] or None) if value else None


def _decode_manifest(data: bytes, name: str) -> tuple[str, list[Problem]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        warning = Problem("warning", "manifest is not valid UTF-8; decoded as Windows-1252", name, line)
        return data.decode("cp1252", errors="replace"), [warning]


@dataclass
class Manifest:
    """The usable rows, the problems found, and every file the manifest names (usable or not)."""

    rows: list[ManifestRow]
    problems: list[Problem]
    mentioned: set[Path]


def read_manifest(path: Path, root: Path, display_name: str) -> Manifest:
    """Read ``path``; every problem names the manifest line it comes from.

    Raises:
        CorpusError: when the manifest cannot be read or lacks the ``id`` or ``file`` column.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(
            [Problem("error", f"cannot read manifest: {exc.strerror or exc}", display_name)]
        ) from exc
    text, problems = _decode_manifest(data, display_name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CorpusError([Problem("error", "manifest is empty (no header row)", display_name, 1)]) from None
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CorpusError(
            [
                Problem(
                    "error",
                    f"manifest has no {' or '.join(repr(c) for c in missing)} column "
                    f"(header: {', '.join(columns) or 'empty'})",
                    display_name,
                    1,
                )
            ]
        )

    rows: list[ManifestRow] = []
    mentioned: set[Path] = set()
    first_line_of_id: dict[str, int] = {}
    first_line_of_file: dict[Path, int] = {}
    previous_end = reader.line_num
    for fields in reader:
        line, previous_end = previous_end + 1, reader.line_num
        if not any(f.strip() for f in fields):
            continue

        def problem(severity: str, message: str, article_id: str | None = None, line: int = line) -> None:
            problems.append(Problem(severity, message, display_name, line, article_id))  # type: ignore[arg-type]

        if len(fields) != len(columns):
            problem("warning", f"row has {len(fields)} fields but the header has {len(columns)}")
        record = {c: (fields[i].strip() if i < len(fields) else "") for i, c in enumerate(columns)}
        article_id, file = record["id"], record["file"]
        if not file:
            problem(
                "error",
                f"no file given for id {article_id!r}" if article_id else "row has neither id nor file",
            )
            continue
        resolved = (root / file).resolve()
        mentioned.add(resolved)
        if not article_id:
            article_id = Path(file).stem
            problem("warning", f"empty id; using the file name {article_id!r}", article_id)
        if article_id in first_line_of_id:
            problem(
                "error",
                f"duplicate id {article_id!r} (first used on line {first_line_of_id[article_id]}); "
                f"this row ({file}) is not loaded",
                article_id,
            )
            continue
        if not resolved.is_file():
            problem("error", f"file {file!r} does not exist", article_id)
            continue
        if resolved in first_line_of_file:
            problem(
                "warning", f"file {file!r} is also listed on line {first_line_of_file[resolved]}", article_id
            )
        first_line_of_id[article_id] = line
        first_line_of_file.setdefault(resolved, line)

        published, _, date_error = parse_published(record.get("published", ""))
        if date_error:
            problem("warning", f"{date_error}; left empty", article_id)
        url = record.get("url") or None
        if url and not re.match(r"^https?://\S+$", url):
            problem("warning", f"url {url!r} is not an http(s) address", article_id)
        rows.append(
            ManifestRow(
                line=line,
                article_id=article_id,
                file=file,
                path=resolved,
                outlet=record.get("outlet") or None,
                url=url,
                published=published,
                language=_normalise_language(record.get("language", "")),
                note=record.get("note") or None,
                extra={c: v for c, v in record.items() if c not in KNOWN_COLUMNS and c},
            )
        )
    return Manifest(rows, problems, mentioned)
