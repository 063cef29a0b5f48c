"""Load a folder of article dumps (with or without a manifest) into a ``Corpus``.

Every input file ends up in ``corpus.articles`` (usable), in ``corpus.problems`` (why not, or
what was repaired), or in both. Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from spacy.tokens import Doc
from tqdm import tqdm

from newsdesk.core.cache import DiskCache, content_hash
from newsdesk.ingest.language import MIN_CONFIDENCE, detect_language
from newsdesk.ingest.manifest import MANIFEST_NAME, ManifestRow, parse_published, read_manifest
from newsdesk.ingest.problems import CorpusError, Problem, problems_frame
from newsdesk.ingest.selection import Selection, select_articles
from newsdesk.ingest.textfile import MAX_BYTES, read_article_file
from newsdesk.parsing.parse import frames_from_docs, parse_cached
from newsdesk.stripping.corpus import CorpusStripping, SiteSettings, strip_corpus

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
    _stripping: dict[SiteSettings, CorpusStripping] = field(default_factory=dict, init=False, repr=False)

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

    def boilerplate(
        self, settings: SiteSettings | None = None, *, progress: bool | None = None
    ) -> CorpusStripping:
        """Boilerplate stripping of every annotatable article, with the corpus-level passes.

        Per-article decisions come from the cache; near-duplicates and lines repeated across a site
        are recomputed over the corpus (once per settings, then kept on this object).
        """
        settings = settings or SiteSettings()
        if settings not in self._stripping:
            self._stripping[settings] = strip_corpus(
                self.annotatable, self.cache, settings, progress=progress
            )
        return self._stripping[settings]

    def bodies(self) -> pd.DataFrame:
        """One row per annotatable article: outlet, date, title, stripped body, duplicate_of."""
        return self.annotatable[["article_id", "outlet", "published", "published_date"]].merge(
            self.boilerplate().bodies, on="article_id", how="left"
        )

    def body_frames(
        self,
        compute: Callable[[Doc], pd.DataFrame],
        *,
        namespace: str,
        progress: bool | None = None,
        description: str = "Annotating",
    ) -> list[pd.DataFrame]:
        """``compute(doc)`` for each article's parsed body, in ``bodies()`` order, cached by body hash.

        ``namespace`` names the computation and its version: results are reused only within it.
        """
        bodies = self.bodies()["body"].tolist()
        return frames_from_docs(
            bodies,
            [content_hash(body) for body in bodies],
            compute,
            namespace=namespace,
            cache=self.cache,
            progress=progress,
            description=description,
        )

    def quotes(self, *, progress: bool | None = None) -> pd.DataFrame:
        """Every quote in the stripped bodies, with canonical speakers and cross-article quote ids."""
        from newsdesk.analysis.quotes import corpus_quotes

        return corpus_quotes(self, progress=progress)

    def publication_dates(self, *, infer: str = "missing", progress: bool | None = None) -> pd.DataFrame:
        """One row per annotatable article: manifest date, inferred date, effective date and its source."""
        from newsdesk.analysis.chronology import publication_dates

        return publication_dates(self, infer=infer, progress=progress)

    def timexes(self, *, progress: bool | None = None) -> pd.DataFrame:
        """Every temporal expression in the stripped bodies, resolved against each effective date."""
        from newsdesk.analysis.chronology import corpus_timexes

        return corpus_timexes(self, progress=progress)

    def timeline(self, *, max_gap_days: int | None = None, progress: bool | None = None) -> pd.DataFrame:
        """One row per dated event mention, sorted by date, with conflicting dates flagged."""
        from newsdesk.analysis.chronology import MAX_GAP_DAYS, timeline

        gap = MAX_GAP_DAYS if max_gap_days is None else max_gap_days
        return timeline(self, max_gap_days=gap, progress=progress)

    def docs(
        self,
        *,
        source: str = "body",
        progress: bool | None = None,
        batch_size: int = 16,
        n_process: int = 1,
    ) -> Iterator[Doc]:
        """Stream a parsed spaCy Doc per annotatable article, in corpus order, through the cache.

        ``source="body"`` (the default) parses the stripped body; ``"text"`` the whole loaded text.
        Each Doc carries ``doc._.newsdesk_article_id``, ``newsdesk_outlet`` and ``newsdesk_published``.
        """
        if source not in ("body", "text"):
            raise ValueError(f"source must be 'body' or 'text', not {source!r}")
        rows = self.annotatable
        texts = self.bodies()["body"].tolist() if source == "body" else rows["text"].tolist()
        docs = parse_cached(
            texts, cache=self.cache, batch_size=batch_size, n_process=n_process, progress=progress
        )
        for doc, article_id, outlet, published in zip(
            docs, rows["article_id"], rows["outlet"], rows["published"], strict=True
        ):
            doc._.newsdesk_article_id = article_id
            doc._.newsdesk_outlet = None if pd.isna(outlet) else outlet
            doc._.newsdesk_published = None if pd.isna(published) else published
            yield doc

    def overview(self, *, progress: bool | None = None) -> pd.DataFrame:
        """Per article: outlet, date, characters of the loaded text; tokens, sentences, entities of its body.

        The counts come from the parsed stripped bodies, which every later stage reuses from the cache.
        """
        counts = pd.DataFrame(
            [
                (doc._.newsdesk_article_id, len(doc), sum(1 for _ in doc.sents), len(doc.ents))
                for doc in self.docs(progress=progress)
            ],
            columns=["article_id", "n_tokens", "n_sentences", "n_entities"],
        )
        columns = ["article_id", "outlet", "published", "n_chars", "status"]
        table = self.articles[columns].merge(counts, on="article_id", how="left")
        for column in ("n_tokens", "n_sentences", "n_entities"):
            table[column] = table[column].astype("Int64")
        return table[[*columns[:-1], "n_tokens", "n_sentences", "n_entities", "status"]]


def _display_name(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _discover_text_files(root: Path) -> list[Path]:
    """Every ``*.txt`` below ``root``, skipping hidden folders (caches, checkpoints)."""
    return sorted(
        path.resolve()
        for path in root.rglob("*")
        if path.suffix.lower() == ".txt"
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def _locate(path: Path) -> tuple[Path, Path | None, list[Path]]:
    """Corpus root, manifest (or None) and explicitly given text files for ``path``."""
    if not path.exists():
        raise CorpusError([Problem("error", "corpus path does not exist", str(path))])
    if path.is_file():
        if path.suffix.lower() == ".csv":
            return path.parent, path, []
        return path.parent, None, [path.resolve()]
    manifest = path / MANIFEST_NAME
    return path, (manifest if manifest.is_file() else None), []


def load_corpus(
    path: str | Path,
    *,
    strict: bool = False,
    cache_dir: str | Path | None = None,
    max_bytes: int = MAX_BYTES,
    progress: bool | None = None,
) -> Corpus:
    """Load a corpus from a folder (``articles.csv`` + text files, or just ``*.txt``) or a manifest.

    The manifest's rows win; ``*.txt`` files below the folder that it does not list are loaded too,
    with a warning. Problems (unreadable or repaired files, bad manifest rows) are collected in
    ``corpus.problems``.

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
        manifest = read_manifest(manifest_path, root, _display_name(manifest_path.resolve(), root))
        rows, mentioned = manifest.rows, manifest.mentioned
        problems.extend(manifest.problems)

    used_ids = {row.article_id for row in rows}
    candidates = given_files or _discover_text_files(root)
    for file_path in candidates:
        if file_path in mentioned:
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
    show = progress if progress is not None else len(rows) >= READ_PROGRESS_MIN_FILES
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


def open_corpus(
    data_dir: str | Path | None = None,
    store: str | Path | None = None,
    *,
    cache_dir: str | Path | None = None,
) -> Corpus:
    """The corpus a notebook or a briefing works on: the store when one is given, else the folder.

    ``store`` is a folder written by ``newsdesk annotate``, opened with :func:`newsdesk.open_store`
    (a :class:`~newsdesk.store.tables.Store`, which is a Corpus); ``data_dir`` is a corpus folder or manifest,
    loaded with :func:`load_corpus`. With both, the store is used and ``data_dir`` is not read, so a
    notebook keeps its default ``data_dir`` beside a ``store`` parameter. None or an empty string
    counts as not given.

    Raises:
        ValueError: when neither is given.
        StoreError: when ``store`` does not exist or holds no complete snapshot.
        CorpusError: when ``data_dir`` does not exist or its manifest is unusable.
    """
    if store:
        from newsdesk.store.tables import StoreError, open_store

        path = Path(store).expanduser()
        if not path.exists():
            raise StoreError(
                f"store {path} does not exist; write it with `newsdesk annotate --data DIR --store {path}`"
            )
        return open_store(path, cache_dir=cache_dir)
    if not data_dir:
        raise ValueError(
            "open_corpus needs data_dir (a corpus folder) or store (a store written by `newsdesk annotate`)"
        )
    return load_corpus(data_dir, cache_dir=cache_dir)


def _unique_id(file_path: Path, name: str, used_ids: set[str]) -> str:
    """The file name's stem, else its relative path without suffix, else that with ``~2``, ``~3`` ..."""
    for candidate in (file_path.stem, str(Path(name).with_suffix(""))):
        if candidate not in used_ids:
            return candidate
    number = 2
    while f"{file_path.stem}~{number}" in used_ids:
        number += 1
    return f"{file_path.stem}~{number}"


def _read_row(
    row: ManifestRow, root: Path, *, in_manifest: bool, max_bytes: int
) -> tuple[dict | None, list[Problem]]:
    name = _display_name(row.path, root)
    result = read_article_file(row.path, max_bytes=max_bytes)
    problems = [p.located(file=name, article_id=row.article_id) for p in result.problems]
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
