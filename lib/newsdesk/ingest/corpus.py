"""Load a folder of article dumps (with or without a manifest) into a ``Corpus``.

Every input file ends up in ``corpus.articles`` (usable), in ``corpus.problems`` (why not, or
what was repaired), or in both. Nothing is dropped silently.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from newsdesk.core.cache import DiskCache, content_hash
from newsdesk.core.progress import show_progress
from newsdesk.ingest.language import MIN_CONFIDENCE, detect_language
from newsdesk.ingest.manifest import MANIFEST_NAME, ManifestRow, parse_published, read_manifest
from newsdesk.ingest.paths import ALLOW_HINT, discover_text_files, is_inside, outside_message
from newsdesk.ingest.problems import CorpusError, Problem, problems_frame
from newsdesk.ingest.selection import Selection, select_articles
from newsdesk.ingest.textfile import BIDI_CONTROL_RE, MAX_BYTES, read_article_file

ARTICLE_COLUMNS = [
    "article_id",
    "file",
    "outlet",
    "url",
    "published",
    "published_date",
    "language",
    "text",
    "n_chars",
    "sha256",
    "status",
    "in_manifest",
    "note",
]
#: ``status`` values: usable as read, usable after a repair (see problems), or not English.
STATUSES = ("ok", "repaired", "not-english")
SUPPORTED_LANGUAGE = "en"
#: Show a progress bar while reading when a corpus has at least this many files.
READ_PROGRESS_MIN_FILES = 500


@dataclass
class Corpus:
    """A loaded corpus: one row per usable article, one row per problem."""

    articles: pd.DataFrame
    problems: pd.DataFrame
    root: Path
    cache: DiskCache = field(default_factory=DiskCache)
    #: How this corpus was chosen from a larger one (``select``); None when loaded whole.
    selection: Selection | None = None
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.articles)

    def __repr__(self) -> str:
        errors = int((self.problems["severity"] == "error").sum())
        warnings = len(self.problems) - errors
        return f"<Corpus {len(self)} articles, {errors} error(s), {warnings} warning(s)>"

    def select(
        self,
        *,
        since: str | date | None = None,
        until: str | date | None = None,
        outlets: str | Iterable[str] | None = None,
        undated: str = "keep",
    ) -> Corpus:
        """The articles published ``since``..``until`` (inclusive ISO dates) by ``outlets``, as a new Corpus.

        Dates are the manifest's ``published_date``. With a date window, articles without a date are
        kept (``undated="keep"``) or dropped (``"drop"``); ``.selection`` records the rule and the counts
        (``str(corpus.selection)`` is a sentence). Problems of articles left out are left out too;
        problems of files that could not be loaded stay. Raises ValueError for an unknown outlet, a bad
        date or a selection that leaves no article.
        """
        articles, selection = select_articles(
            self.articles, since=since, until=until, outlets=outlets, undated=undated
        )
        left_out = set(self.articles["article_id"]) - set(articles["article_id"])
        problems = self.problems[~self.problems["article_id"].isin(left_out)].reset_index(drop=True)
        return Corpus(articles, problems, self.root, cache=self.cache, selection=selection)

    @property
    def annotatable(self) -> pd.DataFrame:
        """Articles that are parsed: everything except those in another language."""
        return self.articles[self.articles["status"] != "not-english"]

    def stored(self, name: str, **params: Any) -> Any | None:
        """A corpus-level result this corpus already holds (``name`` and its parameters), else None.

        A loaded corpus holds none; a store (:class:`newsdesk.store.corpus.Store`) answers what it
        was annotated with (``"stripping"`` for its settings, ``"overview"``). Stage functions ask
        here before computing.
        """
        return None

    def with_articles(self, articles: pd.DataFrame, *, keep_results: bool) -> Corpus:
        """A copy of this corpus with ``articles`` replaced (the same articles, more or other metadata).

        ``keep_results`` keeps the corpus-level results computed so far (:meth:`memo`); pass False when
        the change can alter them (an outlet decides which articles' lines are compared as one site's).
        """
        other = copy.copy(self)
        other.articles = articles.reset_index(drop=True)
        other._memo = dict(self._memo) if keep_results else {}
        return other

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per corpus and ``key`` (a stage's corpus-level result), then kept here."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def stories(self, *, progress: bool | None = None) -> pd.DataFrame:
        """One row per article with its ``story_id``: :func:`newsdesk.analysis.stories.corpus_stories`."""
        return _later_stage("newsdesk.analysis.stories", "corpus_stories")(self, progress=progress)

    def claims(self, *, progress: bool | None = None) -> pd.DataFrame:
        """One row per sentence that carries a claim: :func:`newsdesk.analysis.stories.corpus_claims`."""
        return _later_stage("newsdesk.analysis.stories", "corpus_claims")(self, progress=progress)


def _later_stage(module: str, name: str) -> Callable[..., Any]:
    """A corpus-level function of a later stage, imported when first called (the stages import only
    earlier ones, so the corpus cannot import it at the top; docs/architecture.md)."""
    from importlib import import_module

    return getattr(import_module(module), name)


def _display_name(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _locate(path: Path) -> tuple[Path, Path | None, list[Path]]:
    """Corpus root, manifest (or None) and explicitly given text files for ``path``."""
    if not path.exists():
        raise CorpusError([Problem("error", "corpus path does not exist", str(path))])
    if path.is_file():
        if path.suffix.lower() == ".csv":
            return path.parent, path, []
        return path.parent, None, [path]
    manifest = path / MANIFEST_NAME
    return path, (manifest if manifest.is_file() else None), []


def load_corpus(
    path: str | Path,
    *,
    strict: bool = False,
    cache_dir: str | Path | None = None,
    max_bytes: int = MAX_BYTES,
    progress: bool | None = None,
    allow_outside: bool = False,
) -> Corpus:
    """Load a corpus from a folder (``articles.csv`` + text files, or just ``*.txt``) or a manifest.

    The manifest's rows win; ``*.txt`` files below the folder that it does not list are loaded too,
    with a warning. Problems (unreadable or repaired files, bad manifest rows) are collected in
    ``corpus.problems``.

    Only files inside the corpus folder are read: a manifest ``file`` cell, a linked file or a linked
    subfolder that resolves elsewhere (``../../etc/passwd``, an absolute path, a symbolic link) is
    refused with an error naming the manifest line or the file, unless ``allow_outside=True``.

    Raises:
        CorpusError: when ``path`` does not exist or the manifest is unusable, and with
            ``strict=True`` when any file or manifest row has an error.
    """
    root, manifest_path, given_files = _locate(Path(path))
    root = root.resolve()
    problems: list[Problem] = []
    rows: list[ManifestRow] = []
    mentioned: set[Path] = set()
    if manifest_path is not None:
        manifest = read_manifest(
            manifest_path, root, _display_name(manifest_path.resolve(), root), allow_outside=allow_outside
        )
        rows, mentioned = manifest.rows, manifest.mentioned
        problems.extend(manifest.problems)

    used_ids = {row.article_id for row in rows}
    if given_files:
        candidates = [(given, given.resolve()) for given in given_files]
    else:
        found, linked_folders = discover_text_files(root, allow_outside=allow_outside)
        candidates = [(file.path, file.resolved) for file in found]
        for folder in linked_folders:
            problems.append(
                Problem(
                    "error",
                    f"folder is a symbolic link to {folder.resolved}, outside the corpus folder; "
                    f"its files are not loaded ({ALLOW_HINT})",
                    _display_name(folder.path, root),
                )
            )
    for given_path, file_path in candidates:
        if file_path in mentioned:
            continue
        if not allow_outside and not is_inside(file_path, root):
            mentioned.add(file_path)  # reported once, even when several links lead to it
            name = _display_name(given_path.absolute(), root)
            problems.append(Problem("error", outside_message("file", file_path), name))
            continue
        name = _display_name(file_path, root)
        article_id = _unique_id(file_path, name, used_ids)
        used_ids.add(article_id)
        if manifest_path is not None:
            problems.append(
                Problem(
                    "warning",
                    f"not listed in the manifest; loaded with id {article_id!r}",
                    name,
                    None,
                    article_id,
                )
            )
        rows.append(ManifestRow(0, article_id, name, file_path, None, None, None, None, None, {}))

    records = []
    show = show_progress(progress, len(rows), READ_PROGRESS_MIN_FILES)
    for row in tqdm(rows, desc="Reading", unit="file", disable=not show):
        record, found = _read_row(row, root, in_manifest=row.line > 0, max_bytes=max_bytes)
        problems.extend(found)
        if record is not None:
            records.append(record)

    if strict:
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise CorpusError(errors)
    return Corpus(
        articles=_articles_frame(records),
        problems=problems_frame(problems),
        root=root,
        cache=DiskCache(cache_dir),
    )




def _unique_id(file_path: Path, name: str, used_ids: set[str]) -> str:
    """The file name's stem, else its relative path without suffix, else that with ``~2``, ``~3`` ...

    Bidirectional control characters are left out, so an id reads in a table as it is stored.
    """
    stem = BIDI_CONTROL_RE.sub("", file_path.stem)
    for candidate in (stem, BIDI_CONTROL_RE.sub("", str(Path(name).with_suffix("")))):
        if candidate not in used_ids:
            return candidate
    number = 2
    while f"{stem}~{number}" in used_ids:
        number += 1
    return f"{stem}~{number}"


def _read_row(
    row: ManifestRow, root: Path, *, in_manifest: bool, max_bytes: int
) -> tuple[dict | None, list[Problem]]:
    name = _display_name(row.path, root)
    result = read_article_file(row.path, max_bytes=max_bytes)
    problems = [p.located(file=name, article_id=row.article_id) for p in result.problems]
    if BIDI_CONTROL_RE.search(name):
        problems.append(
            Problem(
                "warning",
                "the file name holds bidirectional control characters, so it may display in another "
                f"order than it reads ({name!a})",
                name,
                None,
                row.article_id,
            )
        )
    if in_manifest:  # errors also name the manifest row that listed the file
        problems = [
            Problem(
                p.severity, f"{p.message} (listed on manifest line {row.line})", p.file, p.line, p.article_id
            )
            if p.severity == "error"
            else p
            for p in problems
        ]
    if result.text is None:
        return None, problems

    status = "repaired" if result.repaired else "ok"
    language = row.language
    if language is not None and language != SUPPORTED_LANGUAGE:
        problems.append(
            Problem(
                "warning",
                f"manifest gives language {language!r}; only English is analysed, so it is not annotated",
                name,
                None,
                row.article_id,
            )
        )
        status = "not-english"
    elif language is None:
        detected, probability = detect_language(result.text)
        if detected is not None and detected != SUPPORTED_LANGUAGE and probability >= MIN_CONFIDENCE:
            problems.append(
                Problem(
                    "warning",
                    f"text looks like language {detected!r} (p={probability:.2f}), not English; "
                    "not annotated",
                    name,
                    None,
                    row.article_id,
                )
            )
            language, status = detected, "not-english"
        else:
            language = SUPPORTED_LANGUAGE

    _, published_date, _ = parse_published(row.published or "")
    record = {
        "article_id": row.article_id,
        "file": name,
        "outlet": row.outlet,
        "url": row.url,
        "published": row.published,
        "published_date": published_date,
        "language": language,
        "text": result.text,
        "n_chars": len(result.text),
        "sha256": content_hash(result.text),
        "status": status,
        "in_manifest": in_manifest,
        "note": row.note,
        **{key: value for key, value in row.extra.items() if key not in ARTICLE_COLUMNS},
    }
    return record, problems


def _articles_frame(records: list[dict]) -> pd.DataFrame:
    if not records:
        frame = pd.DataFrame({column: pd.Series(dtype=object) for column in ARTICLE_COLUMNS})
    else:
        frame = pd.DataFrame.from_records(records)
    extra = [c for c in frame.columns if c not in ARTICLE_COLUMNS]
    frame = frame.reindex(columns=[*ARTICLE_COLUMNS, *extra])
    frame["published_date"] = pd.to_datetime(frame["published_date"])
    frame["n_chars"] = frame["n_chars"].astype("int64")
    frame["in_manifest"] = frame["in_manifest"].astype(bool)
    return frame.reset_index(drop=True)
