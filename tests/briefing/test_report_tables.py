"""Interactive tables in the report: escaped HTML tables, the DataTables bundle once, scripts by hash only."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import nbformat
import pandas as pd

from newsdesk.briefing.report import NotebookRun, build_report
from newsdesk.present import tables

IMAGE = "<img src=x onerror=\"window.__newsdeskInjected = 'img'\">"


def executed(path: Path, *outputs: dict) -> NotebookRun:
    """A notebook whose one code cell has ``outputs`` (display data), as papermill would have left it."""
    cell = nbformat.v4.new_code_cell("shown()")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in outputs]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    return NotebookRun(path.name, path, 1.0)


def report(tmp_path: Path, *outputs: dict) -> str:
    run = executed(tmp_path / "00_tables.ipynb", *outputs)
    target = build_report([run], tmp_path / "report.html", title="Tables", parameters={})
    return target.read_text(encoding="utf-8")


def quotes(n: int) -> dict:
    texts = [IMAGE, *(f"quote {i}" for i in range(1, n))]
    frame = pd.DataFrame({"speaker": ["Guo Jiakun"] * n, "text": texts})
    tables.reset()
    return tables.interactive(frame, caption="Quotes")._repr_mimebundle_()


def test_tables_become_escaped_html_and_the_bundle_is_inlined_once(tmp_path: Path) -> None:
    page = report(tmp_path, quotes(12), quotes(3))
    assert page.count('<div class="newsdesk-table">') == 2
    assert page.count(tables.loader_js()) == 1
    assert page.count("<td>&lt;img src=x onerror=\"window.__newsdeskInjected = 'img'\"&gt;</td>") == 2
    assert "<img src=x" not in page and "Loading ITables" not in page, "itables' own HTML stays out"
    csp = re.search(r'<meta content="([^"]+)" http-equiv="Content-Security-Policy"', page).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 4, "Vega, the chart embedder, the tables' loader and the tables' drawer"
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in csp
    assert "connect-src 'none'" in csp and "blob:" not in csp.split("script-src")[1].split(";")[0]


def test_a_forged_table_output_is_escaped_and_a_broken_one_runs_nothing(tmp_path: Path) -> None:
    forged = {
        tables.TABLE_MIMETYPE: {"columns": ["<script>", "n"], "data": [[IMAGE], [{"a": "<b>"}, 1, 2]]},
        "text/html": "<script>window.__newsdeskInjected = 'html'</script>",
    }
    broken = {tables.TABLE_MIMETYPE: {"columns": 3}, "text/html": "<script>window.x = 1</script>"}
    page = report(tmp_path, forged, broken)
    assert "<th>&lt;script&gt;</th><th>n</th>" in page
    assert "<td>{'a': '&lt;b&gt;'}</td><td>1</td></tr>" in page, "one cell a column: the extra one goes"
    assert "</td><td></td></tr>" in page, "a missing cell is an empty one"
    assert "window.__newsdeskInjected = 'html'" not in page and "window.x = 1" not in page
    assert page.count("An output that runs a script is not shown") == 1


def test_a_report_without_tables_carries_no_bundle(tmp_path: Path) -> None:
    page = report(tmp_path, {"text/plain": "no table here"})
    assert tables.loader_js() not in page and "newsdeskDataTables" not in page
