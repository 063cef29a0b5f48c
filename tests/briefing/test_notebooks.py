"""Notebooks: paired .py files are in sync, and each notebook follows the house structure."""

from __future__ import annotations

import jupytext
import nbformat
import pytest

from newsdesk.briefing.runner import NOTEBOOK_PATTERN

from ..conftest import PROJECT

NOTEBOOKS = sorted(p for p in (PROJECT / "notebooks").glob("*.ipynb") if NOTEBOOK_PATTERN.match(p.name))


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS][:1] == ["00_corpus.ipynb"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_paired_script_matches_notebook(notebook) -> None:
    script = notebook.with_suffix(".py")
    assert script.exists(), f"{notebook.name} has no paired {script.name} (run `make sync`)"
    assert _cells(jupytext.read(script)) == _cells(jupytext.read(notebook)), (
        f"{script.name} and {notebook.name} differ: run `make sync`"
    )


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_structure(notebook) -> None:
    nb = nbformat.read(notebook, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell is the H1 question"
    assert "**Method**" in first.source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell is tagged `parameters`"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    headings = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert any(h.startswith("## Findings") for h in headings)
    assert any(h.startswith("## Caveats") for h in headings)
    for cell in code:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.output_type == "stream" else ""
            assert "it/s]" not in text and "%|" not in text, "a progress bar landed in the stored outputs"
            assert output.output_type != "error"
