"""Run the numbered notebooks on a corpus with papermill and write a briefing folder.

The folder holds the executed notebooks, ``report.html`` (every notebook on one offline page, see
``newsdesk.briefing.report``), ``charts/`` (each chart as PNG, SVG and the CSV behind it, written by
``newsdesk.present.charts.show``) and ``index.html`` linking them all.

Every notebook's ``parameters`` cell declares the briefing parameters: ``data_dir`` or ``store``
(the corpus: a folder, or a store written by ``newsdesk annotate``; the notebooks open it with
``newsdesk.open_corpus``), ``title``, ``since``, ``until``, ``outlets``, ``undated`` (the selection,
see ``Corpus.select``) and ``export_dir`` (set by the runner to ``<out>/charts``). A parameter no
notebook declares is refused; a selection parameter, or ``store``, that some notebook does not declare
is refused too, so that every notebook covers the same articles.

Before any notebook runs, the output folder is checked (``newsdesk.briefing.output``: the briefing
writes only into a folder it owns and deletes only its own files) and the corpus is opened once: one
without a usable or an English article, or a selection that leaves none, is refused. Each cell may run
for ``cell_timeout`` seconds; a cell that runs out fails its notebook, named like any failing cell.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsdesk.briefing.base import DEFAULT_CELL_TIMEOUT, MEMO_NAME, BriefingError
from newsdesk.briefing.output import BriefingFolder, check_output_folder, claim_output_folder
from newsdesk.briefing.report import NotebookRun, build_index, build_report
from newsdesk.core.progress import QUIET_VARIABLE

#: Notebooks are run in file-name order: ``00_corpus.ipynb``, ``01_boilerplate.ipynb`` ...
NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[\w-]+\.ipynb$")
#: Parameters that choose the articles: every notebook must take them.
SELECTION_PARAMETERS = ("since", "until", "outlets", "undated")
#: Parameters the runner sets itself, passed to the notebooks that declare them: the corpus (a folder
#: or a store, never both) and the chart folder.
RUNNER_PARAMETERS = ("data_dir", "store", "export_dir")
DEFAULT_TITLE = "newsdesk briefing"
CHART_DIR = "charts"
REPORT_NAME = "report.html"
INDEX_NAME = "index.html"


def default_notebooks_dir() -> Path:
    """The numbered notebooks that come with newsdesk: the package data folder ``newsdesk/notebooks/``.

    A wheel carries the repository's ``notebooks/`` folder there (``pyproject.toml`` maps it). An
    editable install (``pip install -e``) or a checkout imports newsdesk from ``lib/``, which has no such
    folder: setuptools' editable finder cannot import a folder without ``__init__.py`` mapped outside
    ``lib/``. There the notebooks are the repository's ``notebooks/``, next to ``lib/``.
    """
    from importlib.resources import files

    packaged = files("newsdesk") / "notebooks"
    if isinstance(packaged, Path) and packaged.is_dir():  # an installed wheel
        return packaged
    return Path(__file__).resolve().parents[3] / "notebooks"


def list_notebooks(folder: Path) -> list[Path]:
    """The numbered notebooks in ``folder``, in order."""
    if not folder.is_dir():
        raise BriefingError(f"notebook folder {folder} does not exist (pass --notebooks)")
    found = sorted(p for p in folder.iterdir() if NOTEBOOK_PATTERN.match(p.name))
    if not found:
        raise BriefingError(f"no numbered notebooks (NN_name.ipynb) in {folder}")
    return found


def declared_parameters(notebook: Path) -> dict[str, str]:
    """Names assigned in the notebook's ``parameters`` cell, with their default as written there."""
    import papermill

    return {name: str(info["default"]) for name, info in papermill.inspect_notebook(str(notebook)).items()}


def check_parameters(given: dict[str, Any], declared: dict[Path, dict[str, str]]) -> None:
    """Refuse parameters no notebook takes, and selection parameters (or ``store``) that some notebook
    does not take."""
    unknown = set(given) - set().union(*declared.values())
    if unknown:
        raise BriefingError(f"no notebook takes the parameter(s) {', '.join(sorted(unknown))}")
    for notebook, names in declared.items():
        missing = sorted(set(given) & set(SELECTION_PARAMETERS) - set(names))
        if missing:
            raise BriefingError(
                f"{notebook.name} does not take the selection parameter(s) {', '.join(missing)}: every "
                "notebook must declare them in its parameters cell, so that all cover the same articles"
            )
        if "store" in given and "store" not in names:
            raise BriefingError(
                f"{notebook.name} does not take the parameter store: every notebook must declare it in its "
                "parameters cell (and open the corpus with newsdesk.open_corpus), so that all read the store"
            )


def effective_parameters(given: dict[str, Any], declared: dict[Path, dict[str, str]]) -> dict[str, str]:
    """The briefing parameters as the notebooks ran with them: given values, else the notebooks' default."""
    shown: dict[str, str] = {}
    corpus = "store" if "store" in given else "data_dir"  # the corpus the notebooks read
    names = [corpus, "title", *SELECTION_PARAMETERS, "export_dir"]
    for name in dict.fromkeys([*names, *given]):
        if name in given:
            shown[name] = repr(given[name])
            continue
        defaults = {params[name] for params in declared.values() if name in params}
        if defaults:
            shown[name] = " or ".join(sorted(defaults)) + " (notebook default)"
    return shown


def corpus_parameters(data_dir: str | Path | None, store: str | Path | None) -> dict[str, str]:
    """``{"data_dir": path}`` or ``{"store": path}`` (absolute), checked: exactly one, and it exists.

    A store must hold a complete snapshot (a finished ``newsdesk annotate`` run).
    """
    if store is None:
        if data_dir is None:
            raise BriefingError("no corpus given: give a data folder or a store")
        folder = Path(data_dir).resolve()
        if not folder.exists():
            raise BriefingError(f"data folder {folder} does not exist")
        return {"data_dir": str(folder)}
    if data_dir is not None:
        raise BriefingError("give the corpus as a data folder or as a store, not both")
    from newsdesk.store.format import current_snapshot_id

    path = Path(store).expanduser().resolve()
    if not path.exists():
        raise BriefingError(
            f"store {path} does not exist (write it with `newsdesk annotate --data DIR --store {path}`)"
        )
    if current_snapshot_id(path) is None:
        raise BriefingError(
            f"store {path} holds no complete snapshot; run `newsdesk annotate --store {path}`"
        )
    return {"store": str(path)}


def protected_folders(notebooks_dir: Path, source: dict[str, str]) -> list[tuple[str, Path]]:
    """Folders the briefing never writes into: the notebooks, newsdesk's own, and the corpus."""
    import newsdesk

    corpus = [("the corpus", Path(path)) for path in source.values()]
    return [
        ("the notebooks folder", notebooks_dir),
        ("the notebooks that come with newsdesk", default_notebooks_dir()),
        ("the newsdesk package", Path(newsdesk.__file__).parent),
        *[(label, path if path.is_dir() else path.parent) for label, path in corpus],
    ]


def selection_warnings(given: dict[str, Any]) -> list[str]:
    """Selection parameters that have no effect as given."""
    if given.get("undated") == "drop" and not (given.get("since") or given.get("until")):
        return [
            "--undated drop has no effect without --since or --until: only a date window leaves out "
            "articles without a publication date"
        ]
    return []


def refuse_unusable_corpus(corpus: Any, where: str) -> None:
    """BriefingError when ``corpus`` has no usable article, or none in English, with the reason."""
    if len(corpus.articles) == 0:
        problems = corpus.problems
        errors = problems[problems["severity"] == "error"]
        if errors.empty:
            raise BriefingError(
                f"{where} has no article: no text file (*.txt) and no manifest row (articles.csv) found"
            )
        files = errors["file"].nunique()
        shown = "; ".join(f"{row.file}: {row.message}" for row in errors.head(3).itertuples())
        more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
        raise BriefingError(
            f"{where} has no usable article: {files} file(s) could not be used ({shown}{more})"
        )
    if len(corpus.annotatable) == 0:
        languages = corpus.articles["language"].fillna("unknown").value_counts()
        counts = ", ".join(f"{language}: {n}" for language, n in languages.items())
        raise BriefingError(
            f"{where} has no English article: its {len(corpus.articles)} article(s) are in other "
            f"languages ({counts}), and only English is analysed"
        )


def check_corpus(
    data_dir: str | Path | None, given: dict[str, Any], *, store: str | Path | None = None
) -> str | None:
    """Open the corpus (the store when given, else ``data_dir``) once before any notebook runs.

    Refuses a corpus without a usable or an English article, and applies the selection (when one is
    given), so that a bad one fails here too. Returns the selection as a sentence, or None.
    """
    from newsdesk.ingest.corpus import load_corpus
    from newsdesk.metadata.resolve import resolve_metadata
    from newsdesk.store.corpus import open_store
    from newsdesk.store.format import StoreError

    where = f"the store {store}" if store else f"the corpus {data_dir}"
    try:
        loaded = open_store(store, check=False) if store else load_corpus(data_dir)
    except (ValueError, StoreError) as exc:
        raise BriefingError(f"{where}: {exc}") from None
    except OSError as exc:
        raise BriefingError(f"{where} cannot be read: {exc.strerror or exc} ({exc.filename})") from None
    refuse_unusable_corpus(loaded, where)
    if not set(given) & set(SELECTION_PARAMETERS):
        return None
    try:
        corpus = resolve_metadata(loaded).select(
            since=given.get("since"),
            until=given.get("until"),
            outlets=given.get("outlets"),
            undated=given.get("undated") or "keep",
        )
    except (ValueError, StoreError) as exc:
        raise BriefingError(f"selection: {exc}") from None
    if len(corpus.annotatable) == 0:
        raise BriefingError(
            f"selection: {corpus.selection}, none of them in English (only English is analysed)"
        )
    return str(corpus.selection)


def _warn(message: str) -> None:
    print(f"newsdesk briefing: warning: {message}", file=sys.stderr)


def run_briefing(
    data_dir: str | Path | None,
    out_dir: str | Path,
    *,
    store: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    log: Callable[[str], None] = print,
    warn: Callable[[str], None] = _warn,
) -> list[Path]:
    """Execute every numbered notebook on a corpus and write the briefing folder ``out_dir``.

    The corpus is a data folder (``data_dir``) or a store written by ``newsdesk annotate`` (``store``,
    with ``data_dir=None``): exactly one, passed to the notebooks as that parameter. ``parameters``
    (``title``, ``since``, ``until``, ``outlets``, ``undated`` or any a notebook declares) are passed to
    the notebooks that declare them. Logs one line per notebook with its time; ``warn`` gets parameters
    that have no effect. ``out_dir`` must be new, empty or a briefing folder of an earlier run (see
    ``newsdesk.briefing.output``); the files that run wrote are deleted first, no other.
    A cell running longer than ``cell_timeout`` seconds (None or 0: no limit) fails its notebook.
    A failing notebook does not stop the others; after the report and index are written, BriefingError
    names each failed notebook and cell. Returns the written files, ``index.html`` last.
    """
    user = {k: v for k, v in (parameters or {}).items() if v is not None}
    for message in selection_warnings(user):
        warn(message)
    source = corpus_parameters(data_dir, store)
    notebooks_folder = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    notebooks = list_notebooks(notebooks_folder)
    out = check_output_folder(out_dir, protected_folders(notebooks_folder, source))
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    check_parameters({**source, **user}, declared)
    selection = check_corpus(source.get("data_dir"), user, store=source.get("store"))
    if selection:
        log(f"selection: {selection}")

    folder = claim_output_folder(
        out,
        file_names=[nb.name for nb in notebooks] + [REPORT_NAME, MEMO_NAME, INDEX_NAME],
        folder_names=[CHART_DIR],
    )
    chart_dir = out / CHART_DIR
    given = {**source, "export_dir": str(chart_dir), **user}
    runs: list[NotebookRun] = []
    # no progress bar may reach a stored notebook or the report: the kernels inherit this
    quiet = os.environ.get(QUIET_VARIABLE)
    os.environ[QUIET_VARIABLE] = "1"
    try:
        _run_notebooks(notebooks, folder, given, declared, runs, log, cell_timeout=cell_timeout)
    finally:
        if quiet is None:
            os.environ.pop(QUIET_VARIABLE, None)
        else:
            os.environ[QUIET_VARIABLE] = quiet

    title = str(user.get("title") or DEFAULT_TITLE)
    shown = effective_parameters(given, declared)
    folder.record([out / REPORT_NAME, out / MEMO_NAME, out / INDEX_NAME])
    memo_error = _write_memo(source, {**user, "title": title}, out / MEMO_NAME, log)
    report = build_report(runs, out / REPORT_NAME, title=title, parameters=shown, selection=selection)
    index = build_index(out, runs, title=title, report=report, chart_dir=chart_dir)
    folder.finish()
    written = [run.path for run in runs if run.path.exists()]
    written += sorted(p for p in chart_dir.iterdir() if folder.owns(p)) if chart_dir.is_dir() else []
    written += [path for path in (out / MEMO_NAME,) if path.exists()] + [report, index]
    failed = [f"{run.error} (partial output kept in {run.path})" for run in runs if not run.ok]
    failed += [memo_error] if memo_error else []
    if failed:
        raise BriefingError("; ".join(failed) + f". The other outputs are in {out}")
    return written


def _write_memo(
    source: dict[str, str], given: dict[str, Any], path: Path, log: Callable[[str], None]
) -> str | None:
    """Write the Word memo (``newsdesk.briefing.word_memo``); the error as text when it fails."""
    started = time.perf_counter()
    try:
        from newsdesk.briefing.word_memo import corpus_memo

        corpus_memo(source.get("data_dir"), path, store=source.get("store"), parameters=given)
    except Exception as exc:  # the notebooks' outputs stand without the memo: report it, keep them
        log(f"memo: FAILED in {time.perf_counter() - started:.1f} s")
        return f"the memo ({path.name}) failed: {type(exc).__name__}: {exc}"
    log(f"memo: done in {time.perf_counter() - started:.1f} s")
    return None


def _cell_position(notebook: Path, source: str) -> str:
    """`` cell N of M,`` for the cell of ``notebook`` with this source, or empty if none matches."""
    try:
        import nbformat

        cells = nbformat.read(notebook, as_version=4).cells
    except (OSError, ValueError):
        return ""
    numbers = [i for i, c in enumerate(cells, start=1) if c.source.strip() == source.strip()]
    return f" cell {numbers[0]} of {len(cells)}," if numbers else ""


def _first_line(source: str) -> str:
    stripped = (source or "").strip()
    return stripped.splitlines()[0] if stripped else ""


def _describe_failure(notebook: Path, exc: Any) -> str:
    """``"<notebook> failed in cell N, the cell starting `...` ([count]): Error: message"``."""
    source = exc.source or ""
    return (
        f"{notebook.name} failed in{_cell_position(notebook, source)} the cell starting "
        f"`{_first_line(source)}` (execution count [{exc.exec_count}]): {exc.ename}: {exc.evalue}"
    )


def _describe_timeout(notebook: Path, executed: Path, cell_timeout: float | None) -> str:
    """``"<notebook> ran out of time in cell N of M, the cell starting `...`: ..."``.

    The cell is the last one papermill started in the executed copy ``executed``; N and M count the
    cells of ``notebook`` itself (without the cell of injected parameters).
    """
    where = "in a cell"
    try:
        import nbformat

        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        cells = []
    own = [c for c in cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    started = [
        number
        for number, cell in enumerate(own, start=1)
        if cell.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    if started:
        number = started[-1]
        where = f"in cell {number} of {len(own)}, the cell starting `{_first_line(own[number - 1].source)}`"
    limit = f"{cell_timeout:g} s" if cell_timeout else "its time limit"
    return (
        f"{notebook.name} ran out of time {where}: it ran longer than {limit} (the cell timeout; "
        "raise it with --cell-timeout SECONDS, or 0 for no limit)"
    )


def _run_notebooks(
    notebooks: list[Path],
    folder: BriefingFolder,
    given: dict[str, Any],
    declared: dict[Path, dict[str, str]],
    runs: list[NotebookRun],
    log: Callable[[str], None],
    *,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
) -> None:
    """Execute each notebook into ``folder`` with the parameters it declares; record each run in
    ``runs`` and each file written in the folder's marker."""
    import papermill
    from nbclient.exceptions import CellTimeoutError

    chart_dir = folder.path / CHART_DIR
    for position, notebook in enumerate(notebooks, start=1):
        target = folder.path / notebook.name
        folder.record([target])
        started = time.perf_counter()
        error = None
        try:
            papermill.execute_notebook(
                str(notebook),
                str(target),
                parameters={k: v for k, v in given.items() if k in declared[notebook]},
                cwd=str(notebook.parent),
                progress_bar=False,
                log_output=False,
                # nbclient counts whole seconds
                execution_timeout=math.ceil(cell_timeout) if cell_timeout else None,
                # The kernel's own log would drown the one progress line per notebook: its start-up
                # warnings, and on Ctrl-C a traceback of the reply it could not send. A failing cell is
                # reported from the notebook, a kernel that died by the exception papermill raises.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        except papermill.PapermillExecutionError as exc:
            error = _describe_failure(notebook, exc)
        except CellTimeoutError:
            error = _describe_timeout(notebook, target, cell_timeout)
        except Exception as exc:  # a kernel that died or did not start: report it, run the rest
            error = f"{notebook.name} failed: {type(exc).__name__}: {exc}"
        finally:
            if chart_dir.is_dir():
                folder.record(p for p in chart_dir.rglob("*") if p.is_file() or p.is_symlink())
        seconds = time.perf_counter() - started
        runs.append(NotebookRun(notebook.name, target, seconds, error))
        status = "done" if error is None else "FAILED"
        log(f"[{position}/{len(notebooks)}] {notebook.name}: {status} in {seconds:.1f} s")
