"""The briefing runner executes every notebook with papermill and reports failures clearly."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from newsdesk.briefing import BriefingError, run_briefing
from newsdesk.cli import main


def _write_notebook(folder: Path, name: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A question")]
    parameters = nbformat.v4.new_code_cell('data_dir = "../data"')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells.append(parameters)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_briefing_runs_project_notebooks_on_seeds(seed_corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["briefing", "--data", str(seed_corpus_dir), "--out", str(out)]) == 0
    assert (out / "index.html").exists()
    executed = nbformat.read(out / "00_corpus.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and str(seed_corpus_dir) in injected[0].source
    page = (out / "00_corpus.html").read_text(encoding="utf-8")
    assert "5 usable article(s)" in page
    assert '<a href="00_corpus.html">' in (out / "index.html").read_text(encoding="utf-8")


def test_failing_notebook_is_named_with_its_cell(tmp_path: Path, seed_corpus_dir: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write_notebook(notebooks, "00_ok.ipynb", "print(data_dir)")
    _write_notebook(notebooks, "01_broken.ipynb", "x = 1", "raise ValueError('no such outlet')")
    out = tmp_path / "out"
    with pytest.raises(
        BriefingError,
        match=r"01_broken\.ipynb failed in the cell starting `raise ValueError\('no such outlet'\)`"
        r".*ValueError: no such outlet",
    ):
        run_briefing(seed_corpus_dir, out, notebooks_dir=notebooks, log=lambda _: None)
    assert (out / "00_ok.html").exists(), "outputs written before the failure are kept"
    assert (out / "01_broken.ipynb").exists(), "the partly executed notebook is kept"


def test_unknown_parameter_is_refused(tmp_path: Path, seed_corpus_dir: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write_notebook(notebooks, "00_ok.ipynb", "print(data_dir)")
    with pytest.raises(BriefingError, match=r"no notebook takes the parameter.*since"):
        run_briefing(
            seed_corpus_dir, tmp_path / "out", notebooks_dir=notebooks, parameters={"since": "2025-01-01"}
        )


def test_missing_data_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["briefing", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    assert "does not exist" in capsys.readouterr().err
