"""Read and validate the corpus manifest (``articles.csv``): one row per article, problems by line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from newsdesk.ingest.paths import is_inside, outside_message
from newsdesk.ingest.problems import CorpusError, Problem
from newsdesk.ingest.textfile import BIDI_CONTROL_RE

MANIFEST_NAME = "articles.csv"
REQUIRED_COLUMNS = ("id", "file")
KNOWN_COLUMNS = ("id", "file", "outlet", "url", "published", "language", "note")
#: Column names the loader and the metadata resolution use for their own values (``corpus.articles``).
#: A manifest column with one of these names (or none) is kept as ``manifest_<name>``, with a warning.
RESERVED_COLUMNS = frozenset(
    (
        "article_id published_date text n_chars sha256 status in_manifest "
        "outlet_source outlet_evidence site source source_evidence outlet_type outlet_country "
        "effective_date date_source date_confidence date_conflict ambiguous_date "
        "copy_of copy_kind copy_similarity"
    ).split()
)
#: Prefix of a manifest column renamed because its name is reserved, empty or repeated.
EXTRA_PREFIX = "manifest_"
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


@dataclass(frozen=True)
class _Record:
    """One CSV record of the manifest: its first physical line (1-based) and its fields."""

    line: int
    fields: list[str]


def _physical_lines(text: str) -> list[str]:
    """The lines the csv module reads (ends kept; LF, CRLF and lone CR end a line)."""
    return io.StringIO(text, newline="").readlines()


def _parse_line_alone(line: str) -> list[str]:
    """Fields of one physical line read on its own (an unclosed quote then ends at the line end)."""
    return next(csv.reader([line.rstrip("\r\n")]), [])


@dataclass(frozen=True)
class _Shape:
    """What a manifest row looks like: how many fields, and which one names the file."""

    n_columns: int
    file_index: int

    @classmethod
    def of_header(cls, fields: list[str]) -> _Shape:
        names = [field.strip().lower() for field in fields]
        return cls(len(names), names.index("file") if "file" in names else -1)

    def rows_in(self, lines: list[str]) -> int:
        """How many of ``lines`` read, each on its own, as a row: all fields, a file name with a suffix."""
        if self.n_columns < 2 or self.file_index < 0:
            return 0
        count = 0
        for line in lines:
            try:
                fields = _parse_line_alone(line)
            except csv.Error:
                continue
            count += len(fields) == self.n_columns and bool(Path(fields[self.file_index].strip()).suffix)
        return count


def _records(text: str, display_name: str, problems: list[Problem]) -> Iterator[_Record]:
    """The manifest's CSV records, each with the line it starts on; the first is the header.

    A quote left open (``"Le Temps,...``) makes the csv module read every later line into one
    cell. A record that spans lines and either runs to the end of the file with its quote open, or
    holds lines that read as complete rows on their own, or makes the csv module give up (its cell
    outgrows the field size limit) is read again as its one line, with a warning; reading resumes
    on the next line, so the later rows keep their cells. A line the csv module refuses even on its
    own (a cell above the limit, a NUL) is an error on that line and is skipped.
    """
    lines = _physical_lines(text)
    shape: _Shape | None = None  # known once the header is read
    position = 0  # index of the next line to read
    while position < len(lines):
        reader = csv.reader(map(lines.__getitem__, range(position, len(lines))))  # starts in O(1)
        consumed = 0
        try:
            for fields in reader:
                first, span = position + consumed, reader.line_num - consumed
                consumed = reader.line_num
                raw = lines[first : first + span]
                swallowed = shape.rows_in(raw[1:]) if span > 1 and shape else 0
                ends_open = span > 1 and first + span == len(lines) and "".join(raw).count('"') % 2 == 1
                if swallowed or ends_open or (span > 1 and not shape):
                    message = _unclosed_quote_message(first + 1, span, swallowed)
                    problems.append(Problem("warning", message, display_name, first + 1))
                    fields = _parse_line_alone(lines[first])
                    position = first + 1
                    shape = shape or _Shape.of_header(fields)
                    yield _Record(first + 1, fields)
                    break
                shape = shape or _Shape.of_header(fields)
                yield _Record(first + 1, fields)
            else:
                return
        except csv.Error as exc:
            first = position + consumed
            position = first + 1
            try:
                fields = _parse_line_alone(lines[first])
            except csv.Error as line_exc:
                problems.append(Problem("error", _refused_line_message(line_exc), display_name, first + 1))
                continue
            if lines[first].count('"') % 2 == 1:
                message = _unclosed_quote_message(first + 1, reader.line_num - consumed, 0)
            else:
                message = f"the CSV reader gave up on this row ({exc}); it is read as its one line"
            problems.append(Problem("warning", message, display_name, first + 1))
            shape = shape or _Shape.of_header(fields)
            yield _Record(first + 1, fields)


def _unclosed_quote_message(line: int, span: int, swallowed: int) -> str:
    last = line + span - 1
    taken = f"{swallowed} later row(s) (lines {line + 1}-{last})" if swallowed else f"lines {line + 1}-{last}"
    return (
        f'a quote (") opened on this line is not closed, so one cell would take in {taken}; '
        "the row is read as ending at the end of its line, and the lines after it as rows of their own. "
        "Check this row's cells"
    )


def _refused_line_message(exc: csv.Error) -> str:
    reason = str(exc)
    if "field larger than field limit" in reason:
        reason = f"a cell is longer than the CSV limit of {csv.field_size_limit():,} characters"
    return f"row cannot be read: {reason}; not loaded"


def _extra_column_names(columns: list[str], display_name: str, problems: list[Problem]) -> list[str]:
    """``columns`` with each extra column that is unnamed, reserved or repeated renamed ``manifest_...``.

    The first ``id``, ``file`` ... column is the one read; a later one of the same name is kept as an
    extra column. Each rename is a warning on the header line.
    """
    named: list[str] = []
    for position, column in enumerate(columns, start=1):
        if column and column not in RESERVED_COLUMNS and column not in named:
            named.append(column)
            continue
        base = f"{EXTRA_PREFIX}{column}" if column else f"{EXTRA_PREFIX}column_{position}"
        new_name, number = base, 2
        while new_name in columns or new_name in named:
            new_name, number = f"{base}_{number}", number + 1
        if not column:
            why = f"column {position} has no name"
        elif column in named:
            why = f"column {position} repeats the name {column!r}"
        else:
            why = f"column {position} is named {column!r}, which the loader uses for its own values"
        problems.append(Problem("warning", f"{why}; kept as {new_name!r}", display_name, 1))
        named.append(new_name)
    return named


@dataclass
class Manifest:
    """The usable rows, the problems found, and every file the manifest names (usable or not)."""

    rows: list[ManifestRow]
    problems: list[Problem]
    mentioned: set[Path]


def read_manifest(path: Path, root: Path, display_name: str, *, allow_outside: bool = False) -> Manifest:
    """Read ``path``; every problem names the manifest line it comes from.

    ``root`` is the resolved corpus folder; a ``file`` that resolves outside it (``..``, an absolute
    path, a symbolic link) is an error on its line unless ``allow_outside``.

    Extra columns named like the loader's own (``text``, ``status`` ...), unnamed or repeated are kept
    as ``manifest_<name>`` with a warning; a broken quote or an oversized cell is reported on its line
    (see :func:`_records`).

    Raises:
        CorpusError: when the manifest cannot be read, its header line cannot be parsed, or it lacks
            the ``id`` or ``file`` column.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(
            [Problem("error", f"cannot read manifest: {exc.strerror or exc}", display_name)]
        ) from exc
    text, problems = _decode_manifest(data, display_name)
    records = _records(text, display_name, problems)
    header = next(records, None)
    if header is None or header.line != 1:  # no line at all, or the header line was refused
        refused = [p for p in problems if p.severity == "error" and p.line == 1]
        raise CorpusError(refused or [Problem("error", "manifest is empty (no header row)", display_name, 1)])
    columns = [c.strip().lower() for c in header.fields]
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
    columns = _extra_column_names(columns, display_name, problems)

    rows: list[ManifestRow] = []
    mentioned: set[Path] = set()
    first_line_of_id: dict[str, int] = {}
    first_line_of_file: dict[Path, int] = {}
    for record_read in records:
        line, fields = record_read.line, record_read.fields
        if not any(f.strip() for f in fields):
            continue

        def problem(severity: str, message: str, article_id: str | None = None, line: int = line) -> None:
            problems.append(Problem(severity, message, display_name, line, article_id))  # type: ignore[arg-type]

        if len(fields) != len(columns):
            problem("warning", f"row has {len(fields)} fields but the header has {len(columns)}")
        record = {c: (fields[i].strip() if i < len(fields) else "") for i, c in enumerate(columns)}
        bidi = sum(len(BIDI_CONTROL_RE.findall(value)) for value in record.values())
        if bidi:
            record = {c: BIDI_CONTROL_RE.sub("", value).strip() for c, value in record.items()}
            problem(
                "warning",
                f"removed {bidi} bidirectional control character(s) from this row's cells "
                "(they can make a cell display in another order than it reads)",
                record["id"] or None,
            )
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
        if not allow_outside and not is_inside(resolved, root):
            problem("error", outside_message(f"file {file!r}", resolved), article_id)
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
                extra={c: v for c, v in record.items() if c not in KNOWN_COLUMNS},
            )
        )
    return Manifest(rows, problems, mentioned)
