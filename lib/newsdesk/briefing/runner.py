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
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
#: Files in ``<out>/charts`` that each run replaces.
CHART_SUFFIXES = (".png", ".svg", ".csv")
REPORT_NAME = "report.html"


class BriefingError(RuntimeError):
    """The briefing could not run, or a notebook failed (the message names the notebook and the cell)."""


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


def preview_selection(
    data_dir: str | Path | None, given: dict[str, Any], *, store: str | Path | None = None
) -> str:
    """Open the corpus (the store when given, else ``data_dir``) once and apply the selection, so that a
    bad one fails before any notebook runs."""
    from newsdesk.store.corpus import open_corpus
    from newsdesk.store.format import StoreError

    try:
        corpus = open_corpus(data_dir, store).select(
            since=given.get("since"),
            until=given.get("until"),
            outlets=given.get("outlets"),
            undated=given.get("undated") or "keep",
        )
    except (ValueError, StoreError) as exc:
        raise BriefingError(f"selection: {exc}") from exc
    return str(corpus.selection)


def run_briefing(
    data_dir: str | Path | None,
    out_dir: str | Path,
    *,
    store: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Execute every numbered notebook on a corpus and write the briefing folder ``out_dir``.

    The corpus is a data folder (``data_dir``) or a store written by ``newsdesk annotate`` (``store``,
    with ``data_dir=None``): exactly one, passed to the notebooks as that parameter. ``parameters``
    (``title``, ``since``, ``until``, ``outlets``, ``undated`` or any a notebook declares) are passed to
    the notebooks that declare them. Logs one line per notebook with its time.
    A failing notebook does not stop the others; after the report and index are written, BriefingError
    names each failed notebook and cell. Chart files of an earlier run in ``<out>/charts`` are removed
    first. Returns the written files, ``index.html`` last.
    """
    source = corpus_parameters(data_dir, store)
    out = Path(out_dir).resolve()
    notebooks = list_notebooks(Path(notebooks_dir) if notebooks_dir else default_notebooks_dir())
    user = {k: v for k, v in (parameters or {}).items() if v is not None}
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    check_parameters({**source, **user}, declared)
    selection = None
    if set(user) & set(SELECTION_PARAMETERS):
        selection = preview_selection(source.get("data_dir"), user, store=source.get("store"))
    if selection:
        log(f"selection: {selection}")

    out.mkdir(parents=True, exist_ok=True)
    chart_dir = out / CHART_DIR
    for stale in chart_dir.glob("*.*") if chart_dir.is_dir() else []:
        if stale.suffix in CHART_SUFFIXES:  # charts of an earlier run would mix with this one's
            stale.unlink()
    given = {**source, "export_dir": str(chart_dir), **user}
    runs: list[NotebookRun] = []
    # no progress bar may reach a stored notebook or the report: the kernels inherit this
    quiet = os.environ.get(QUIET_VARIABLE)
    os.environ[QUIET_VARIABLE] = "1"
    try:
        _run_notebooks(notebooks, out, given, declared, runs, log)
    finally:
        if quiet is None:
            os.environ.pop(QUIET_VARIABLE, None)
        else:
            os.environ[QUIET_VARIABLE] = quiet

    title = str(user.get("title") or DEFAULT_TITLE)
    shown = effective_parameters(given, declared)
    report = build_report(runs, out / REPORT_NAME, title=title, parameters=shown, selection=selection)
    index = build_index(out, runs, title=title, report=report, chart_dir=chart_dir)
    written = [run.path for run in runs if run.path.exists()]
    written += sorted(chart_dir.iterdir()) if chart_dir.is_dir() else []
    written += [report, index]
    failed = [run for run in runs if not run.ok]
    if failed:
        raise BriefingError(
            "; ".join(f"{run.error} (partial output kept in {run.path})" for run in failed)
            + f". The other outputs are in {out}"
        )
    return written


def _describe_failure(notebook: Path, exc: Any) -> str:
    """``"<notebook> failed in cell N, the cell starting `...` ([count]): Error: message"``."""
    source = (exc.source or "").strip()
    first_line = source.splitlines()[0] if source else ""
    where = ""
    try:
        import nbformat

        cells = nbformat.read(notebook, as_version=4).cells
        numbers = [i for i, c in enumerate(cells, start=1) if c.source.strip() == source]
        where = f" cell {numbers[0]} of {len(cells)}," if numbers else ""
    except (OSError, ValueError):
        pass
    return (
        f"{notebook.name} failed in{where} the cell starting `{first_line}` (execution count "
        f"[{exc.exec_count}]): {exc.ename}: {exc.evalue}"
    )


def _run_notebooks(
    notebooks: list[Path],
    out: Path,
    given: dict[str, Any],
    declared: dict[Path, dict[str, str]],
    runs: list[NotebookRun],
    log: Callable[[str], None],
) -> None:
    """Execute each notebook into ``out`` with the parameters it declares; record each run in ``runs``."""
    import papermill

    for position, notebook in enumerate(notebooks, start=1):
        target = out / notebook.name
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
                # The kernel's own start-up warnings would drown the one progress line per notebook.
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
        except papermill.PapermillExecutionError as exc:
            error = _describe_failure(notebook, exc)
        except Exception as exc:  # a kernel that died or did not start: report it, run the rest
            error = f"{notebook.name} failed: {type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        runs.append(NotebookRun(notebook.name, target, seconds, error))
        status = "done" if error is None else "FAILED"
        log(f"[{position}/{len(notebooks)}] {notebook.name}: {status} in {seconds:.1f} s")
