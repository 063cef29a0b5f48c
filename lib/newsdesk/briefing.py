"""Run the numbered notebooks against a corpus with papermill and render them to HTML."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Notebooks are run in file-name order: ``00_corpus.ipynb``, ``01_boilerplate.ipynb`` ...
NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[\w-]+\.ipynb$")


class BriefingError(RuntimeError):
    """A notebook failed; the message names the notebook and the cell."""


def default_notebooks_dir() -> Path:
    """The project's ``notebooks/`` folder (next to ``lib/``)."""
    return Path(__file__).resolve().parents[2] / "notebooks"


def list_notebooks(folder: Path) -> list[Path]:
    """The numbered notebooks in ``folder``, in order."""
    if not folder.is_dir():
        raise BriefingError(f"notebook folder {folder} does not exist (pass --notebooks)")
    found = sorted(p for p in folder.iterdir() if NOTEBOOK_PATTERN.match(p.name))
    if not found:
        raise BriefingError(f"no numbered notebooks (NN_name.ipynb) in {folder}")
    return found


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def run_briefing(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Execute every numbered notebook on ``data_dir``; write executed notebooks and HTML to ``out_dir``.

    Each notebook receives the parameters it declares (``data_dir`` always, as an absolute path).
    Returns the written files. Raises BriefingError naming the notebook and cell that failed;
    what was written before the failure is kept.
    """
    import papermill

    data_dir = Path(data_dir).resolve()
    if not data_dir.exists():
        raise BriefingError(f"data folder {data_dir} does not exist")
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    notebooks = list_notebooks(Path(notebooks_dir) if notebooks_dir else default_notebooks_dir())
    given = {"data_dir": str(data_dir), **(parameters or {})}
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    unknown = set(given) - set().union(*declared.values())
    if unknown:
        raise BriefingError(f"no notebook takes the parameter(s) {', '.join(sorted(unknown))}")

    written: list[Path] = []
    for notebook in notebooks:
        target = out / notebook.name
        started = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(notebook),
                str(target),
                parameters={k: v for k, v in given.items() if k in declared[notebook]},
                cwd=str(notebook.parent),
                progress_bar=False,
                log_output=False,
            )
        except papermill.PapermillExecutionError as exc:
            written.append(target)
            first_line = (exc.source or "").strip().splitlines()[0] if (exc.source or "").strip() else ""
            raise BriefingError(
                f"{notebook.name} failed in the cell starting `{first_line}` (execution count "
                f"[{exc.exec_count}]): {exc.ename}: {exc.evalue} (partial output kept in {target})"
            ) from exc
        page = target.with_suffix(".html")
        page.write_text(notebook_to_html(target), encoding="utf-8")
        written += [target, page]
        log(f"{notebook.name}: done in {time.perf_counter() - started:.1f} s")
    index = out / "index.html"
    index.write_text(_index_html([p for p in written if p.suffix == ".html"]), encoding="utf-8")
    written.append(index)
    return written


def notebook_to_html(path: Path) -> str:
    """Render an executed notebook as a standalone HTML page."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    return body


def _index_html(pages: list[Path]) -> str:
    items = "\n".join(f'<li><a href="{html.escape(p.name)}">{html.escape(p.stem)}</a></li>' for p in pages)
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>newsdesk briefing</title></head>\n"
        f"<body><h1>newsdesk briefing</h1>\n<ul>\n{items}\n</ul>\n</body></html>\n"
    )
