"""The briefing runner: parameters, progress, failures, the output folder and its report.

These tests run small notebooks written here; tests/test_browser.py runs the project's notebooks.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from newsdesk.briefing.cli import main
from newsdesk.briefing.output import claim_output_folder
from newsdesk.briefing.runner import BriefingError, run_briefing

STANDARD_PARAMETERS = """data_dir = "../data"
title = None
since = None
until = None
outlets = None
undated = "keep"
export_dir = None"""

SELECT_AND_CHART = """import newsdesk
from newsdesk.present import charts

corpus = newsdesk.load_corpus(data_dir).select(since=since, until=until, outlets=outlets, undated=undated)
charts.use_corpus(corpus, export_dir=export_dir)
print(corpus.selection)
charts.show(charts.article_lengths(corpus.articles), "00_lengths")"""


def write_notebook(folder: Path, name: str, *cells: str, parameters: str = 'data_dir = "../data"') -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A question")]
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_failing_notebook_is_named_with_its_cell_and_the_rest_still_runs(
    tmp_path: Path, seed_corpus_dir: Path
) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_ok.ipynb", "print(data_dir)")
    write_notebook(notebooks, "01_broken.ipynb", "x = 1", "raise ValueError('no such outlet')")
    write_notebook(notebooks, "02_after.ipynb", "print('still here')")
    out = tmp_path / "out"
    lines: list[str] = []
    with pytest.raises(
        BriefingError,
        match=r"01_broken\.ipynb failed in cell 4 of 4, the cell starting "
        r"`raise ValueError\('no such outlet'\)`.*ValueError: no such outlet",
    ):
        run_briefing(seed_corpus_dir, out, notebooks_dir=notebooks, log=lines.append)
    assert [re.sub(r"\d+\.\d s$", "N s", line) for line in lines] == [
        "[1/3] 00_ok.ipynb: done in N s",
        "[2/3] 01_broken.ipynb: FAILED in N s",
        "[3/3] 02_after.ipynb: done in N s",
        "memo: done in N s",
    ]
    written = {"00_ok.ipynb", "01_broken.ipynb", "02_after.ipynb", "memo.docx"}
    assert {p.name for p in out.iterdir()} >= written
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "still here" in report, "notebooks after the failing one still run and are reported"
    assert "failed in cell 4 of 4" in report and "no such outlet" in report
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "01_broken.ipynb" in index and 'href="memo.docx"' in index


def test_unknown_parameter_is_refused(tmp_path: Path, seed_corpus_dir: Path) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_ok.ipynb", "print(data_dir)")
    with pytest.raises(BriefingError, match=r"no notebook takes the parameter\(s\) colour"):
        run_briefing(seed_corpus_dir, tmp_path / "out", notebooks_dir=notebooks, parameters={"colour": "red"})
    assert not (tmp_path / "out").exists(), "nothing runs"


def test_every_notebook_must_take_the_selection(tmp_path: Path, seed_corpus_dir: Path) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_selects.ipynb", "print(since)", parameters=STANDARD_PARAMETERS)
    write_notebook(notebooks, "01_ignores.ipynb", "print(data_dir)")
    with pytest.raises(
        BriefingError, match=r"01_ignores\.ipynb does not take the selection parameter\(s\) since"
    ):
        run_briefing(
            seed_corpus_dir, tmp_path / "out", notebooks_dir=notebooks, parameters={"since": "2025-01-01"}
        )


def test_parameters_reach_the_notebooks_the_report_and_the_exports(
    tmp_path: Path, seed_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_lengths.ipynb", SELECT_AND_CHART, parameters=STANDARD_PARAMETERS)
    out = tmp_path / "out"
    # An earlier briefing's chart, recorded in the folder's marker: this run replaces it.
    earlier = claim_output_folder(out, file_names=[], folder_names=["charts"])
    (out / "charts").mkdir()
    (out / "charts" / "99_from_an_earlier_run.png").write_bytes(b"old")
    earlier.record([out / "charts" / "99_from_an_earlier_run.png"])
    earlier.finish()
    argv = ["briefing", "--data", str(seed_corpus_dir), "--out", str(out), "--notebooks", str(notebooks)]
    argv += ["--title", "Moscow <visit>", "--since", "2025-01-01", "--undated", "drop"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "selection: 3 of 5 article(s) selected: published on or after 2025-01-01" in printed
    assert re.search(r"^\[1/1\] 00_lengths\.ipynb: done in \d+\.\d s$", printed, re.M)

    executed = nbformat.read(out / "00_lengths.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'since = "2025-01-01"' in injected.source and 'undated = "drop"' in injected.source
    assert f'export_dir = "{out / "charts"}"' in injected.source

    exported = sorted(p.name for p in (out / "charts").iterdir())
    assert exported == ["00_lengths.csv", "00_lengths.png", "00_lengths.svg"], "earlier charts are gone"
    assert len(pd.read_csv(out / "charts" / "00_lengths.csv")) == 3

    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<h1>Moscow &lt;visit&gt;</h1>" in report and "Moscow <visit>" not in report
    assert "<th>since</th><td><code>'2025-01-01'</code>" in report
    assert "<th>outlets</th><td><code>None (notebook default)</code>" in report
    assert report.count('class="newsdesk-chart"') == 1
    assert "3 of 5 article(s) selected" in report
    assert not re.search(r"<script[^>]+src=", report), "every script is inline"
    assert 'http-equiv="Content-Security-Policy"' in report and "connect-src 'none'" in report
    index = (out / "index.html").read_text(encoding="utf-8")
    for link in ("report.html", "00_lengths.ipynb", "charts/00_lengths.png", "charts/00_lengths.svg",
                 "charts/00_lengths.csv"):  # fmt: skip
        assert f'href="{link}"' in index


def test_a_bad_selection_fails_before_any_notebook_runs(
    tmp_path: Path, seed_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_lengths.ipynb", SELECT_AND_CHART, parameters=STANDARD_PARAMETERS)
    out = tmp_path / "out"
    argv = ["briefing", "--data", str(seed_corpus_dir), "--out", str(out), "--notebooks", str(notebooks)]
    assert main([*argv, "--outlet", "Xinhua"]) == 1
    assert (
        "selection: no article from outlet(s) Xinhua; outlets in the corpus: GEOPOLITIKI"
        in capsys.readouterr().err
    )
    assert not out.exists()


def test_a_date_that_is_not_iso_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["briefing", "--data", str(tmp_path), "--out", str(tmp_path / "o"), "--since", "31/03/2025"])
    assert exit_info.value.code == 2
    assert "not a date like 2025-03-31: '31/03/2025'" in capsys.readouterr().err


def test_outputs_that_run_scripts_are_kept_out_of_the_report(tmp_path: Path, seed_corpus_dir: Path) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(
        notebooks,
        "00_scripts.ipynb",
        "from IPython.display import HTML, Javascript, display\n"
        "display(HTML('<b>bold</b><script>window.injected = 1</script>'))\n"
        "display(Javascript('window.injected = 2'))\n"
        "display(HTML('<table><tr><td>plain table</td></tr></table>'))",
    )
    run_briefing(seed_corpus_dir, tmp_path / "out", notebooks_dir=notebooks, log=lambda _: None)
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "window.injected" not in report
    assert report.count("An output that runs a script is not shown") == 2
    assert "plain table" in report


def test_missing_data_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["briefing", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_no_progress_bar_reaches_the_notebooks_of_a_briefing(
    tmp_path: Path, seed_corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdesk.core.progress import QUIET_VARIABLE, show_progress

    monkeypatch.delenv(QUIET_VARIABLE, raising=False)
    assert show_progress(True, 1, 500) and show_progress(None, 600, 500) and not show_progress(None, 5, 500)
    notebooks = tmp_path / "notebooks"
    source = "from newsdesk.core.progress import show_progress\nprint('shown:', show_progress(True, 9, 1))"
    write_notebook(notebooks, "00_bars.ipynb", source)
    run_briefing(seed_corpus_dir, tmp_path / "out", notebooks_dir=notebooks, log=lambda _: None)
    executed = nbformat.read(tmp_path / "out" / "00_bars.ipynb", as_version=4)
    outputs = "".join(o.get("text", "") for cell in executed.cells for o in cell.get("outputs", []))
    assert "shown: False" in outputs
    assert QUIET_VARIABLE not in os.environ  # the caller's environment is as it was
