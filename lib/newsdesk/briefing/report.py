"""The briefing's output pages: one self-contained HTML report and an ``index.html`` that links everything.

The report holds every executed notebook (code hidden, outputs shown) in one page that works offline:
Vega, Vega-Lite and vega-embed are inlined from vl-convert's JavaScript bundle, the font is embedded,
and a Content-Security-Policy lets only the report's own scripts run and forbids every request
(``connect-src 'none'``; images and fonts only from ``data:`` URLs). Charts are drawn from the
Vega-Lite specs that the ``newsdesk`` Altair renderer stores in the notebook outputs, and interactive
tables from the rows that ``newsdesk.present.tables`` stores beside its HTML: each becomes an escaped
HTML table (readable without scripts) that the DataTables bundle itables ships, inlined once, turns into
a sortable, searchable table. Outputs cannot add scripts: script-bearing HTML and JavaScript outputs are
replaced by a note, and article text reaches the page only escaped (tables, printed text, script-safe
JSON for chart data).
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from newsdesk.briefing.base import MEMO_NAME
from newsdesk.present import charts, tables

#: Output mimetypes that would run code in the page; they are dropped from the report.
SCRIPT_MIMETYPES = ("application/javascript", "application/vnd.jupyter.widget-view+json")

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<meta http-equiv="Content-Security-Policy" content="{{ resources.newsdesk.csp }}">
<style type="text/css">{{ resources.newsdesk.css }}</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.newsdesk.header }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.newsdesk.scripts }}
{{ super() }}
{%- endblock body_footer -%}
"""

_CSS = """
body.jp-Notebook { --jp-content-font-family: %(font)s; --jp-ui-font-family: %(font)s;
  font-family: %(font)s; max-width: 1100px; margin: 0 auto; padding: 1.5em 2em 4em; }
.newsdesk-header a, .newsdesk-notebook-start a { color: #1f5f99; text-decoration: underline; }
.newsdesk-header code { font-size: 0.95em; }
.newsdesk-header h1 { font-size: 2em; margin-bottom: 0.2em; }
.newsdesk-header table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.95em; }
.newsdesk-header th, .newsdesk-header td { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; }
.newsdesk-header .failed { color: #b00020; font-weight: bold; }
.newsdesk-notebook-start { border-top: 3px solid #4e79a7; margin-top: 3em; padding-top: 0.5em;
  font-size: 0.85em; color: #666; }
.newsdesk-chart { min-height: 40px; margin: 0.5em 0; }
.newsdesk-blocked { color: #b00020; font-style: italic; }
"""

_EMBED_JS = """(function () {
  "use strict";
  var specs = %(specs)s;
  var options = {renderer: "svg", actions: false};
  document.querySelectorAll(".newsdesk-chart").forEach(function (element) {
    var spec = specs[element.id];
    if (!spec) { return; }
    vegaEmbed(element, spec, options).then(function () {
      element.setAttribute("data-drawn", "true");
    }).catch(function (error) {
      element.setAttribute("data-drawn", "error");
      element.textContent = "This chart could not be drawn: " + error;
      console.error(error);
    });
  });
})();"""


@dataclass(frozen=True)
class NotebookRun:
    """One notebook of a briefing: its executed copy, and the error if it failed."""

    name: str
    path: Path
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _csp(scripts: Sequence[str]) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") + "'"
        for s in scripts
    )
    # Vega compiles its expressions with Function(), and the DataTables bundle (inside a hashed script)
    # runs as one, hence 'unsafe-eval'; inline handlers stay blocked.
    return (
        f"default-src 'none'; script-src {hashes} 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )


@dataclass
class PreparedOutputs:
    """What :func:`prepare_outputs` did to a notebook's outputs."""

    blocked: int = 0
    tables: int = 0


def prepare_outputs(nb: nbformat.NotebookNode, prefix: str, specs: dict[str, Any]) -> PreparedOutputs:
    """Swap chart outputs for placeholders (specs go to ``specs``) and interactive tables for escaped HTML
    tables; replace outputs that carry scripts by a note. Returns how many of each."""
    done = PreparedOutputs()
    for index, cell in enumerate(nb.cells):
        for number, output in enumerate(cell.get("outputs", [])):
            data = output.get("data")
            if not data:
                continue
            table = (
                tables.static_html(data[tables.TABLE_MIMETYPE], f"table-{prefix}-{index}-{number}")
                if tables.TABLE_MIMETYPE in data
                else None
            )
            if table is not None:
                done.tables += 1
                output["data"] = {"text/html": table}
            elif charts.SPEC_MIMETYPE in data:
                chart_id = f"chart-{prefix}-{index}-{number}"
                specs[chart_id] = data[charts.SPEC_MIMETYPE]
                label = html.escape(_plain(data.get("text/plain", "chart")), quote=True)
                output["data"] = {
                    "text/html": f'<div class="newsdesk-chart" id="{chart_id}" role="figure" '
                    f'aria-label="{label}"></div>'
                }
            elif (
                any(m in data for m in SCRIPT_MIMETYPES)
                or "<script" in str(data.get("text/html", "")).lower()
            ):
                done.blocked += 1
                output["data"] = {
                    "text/html": '<p class="newsdesk-blocked">An output that runs a script is not shown in '
                    "this report (open the executed notebook). Display charts with the newsdesk renderer.</p>"
                }
            output.pop("metadata", None)
            output["metadata"] = {}
    return done


def _plain(text: Any) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def _header(
    title: str, parameters: dict[str, str], runs: Sequence[NotebookRun], selection: str | None
) -> str:
    rows = "\n".join(
        f"<tr><th>{html.escape(str(k))}</th><td><code>{html.escape(str(v))}</code></td></tr>"
        for k, v in parameters.items()
    )
    items = []
    for run in runs:
        status = (
            f'<span class="failed">failed: {html.escape(run.error or "")}</span>'
            if not run.ok
            else f"ran in {run.seconds:.1f} s"
        )
        items.append(f'<li><a href="#{_anchor(run.name)}">{html.escape(run.name)}</a>: {status}</li>')
    chosen = f"<p>{html.escape(selection)}</p>" if selection else ""
    return (
        '<header class="newsdesk-header">'
        f"<h1>{html.escape(title)}</h1>{chosen}"
        f"<h2>Parameters</h2><table>{rows}</table>"
        f"<h2>Notebooks</h2><ul>{''.join(items)}</ul>"
        '<p><a href="index.html">All files of this briefing</a></p>'
        "</header>"
    )


def _anchor(name: str) -> str:
    return "nb-" + "".join(c if c.isalnum() else "-" for c in Path(name).stem)


def build_report(
    runs: Sequence[NotebookRun],
    target: Path,
    *,
    title: str,
    parameters: dict[str, str],
    selection: str | None = None,
) -> Path:
    """Write the one-page report of ``runs`` (executed notebooks, in order) to ``target``."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    merged = nbformat.v4.new_notebook()
    specs: dict[str, Any] = {}
    n_tables = 0
    for run in runs:
        if not run.path.exists():
            continue
        nb = nbformat.read(run.path, as_version=4)
        merged.metadata = merged.metadata or nb.metadata
        n_tables += prepare_outputs(nb, _anchor(run.name), specs).tables
        start = nbformat.v4.new_markdown_cell(
            f'<div class="newsdesk-notebook-start" id="{_anchor(run.name)}">{html.escape(run.name)}</div>'
        )
        merged.cells += [start, *nb.cells]
    merged.metadata = dict(merged.metadata, title=title)

    bundle = _javascript_bundle()
    embed = _EMBED_JS % {"specs": charts.script_json(specs)}
    scripts = [bundle, embed, *(tables.report_scripts() if n_tables else [])]
    resources = {
        "newsdesk": {
            "csp": _csp(scripts),
            "css": charts.font_face_css() + _CSS % {"font": charts.FONT_STACK} + tables.REPORT_CSS,
            "header": _header(title, parameters, runs, selection),
            "scripts": "\n".join(f"<script>{script}</script>" for script in scripts),
        }
    }
    exporter = HTMLExporter(
        template_name="lab",
        template_file="newsdesk_report.html.j2",
        extra_loaders=[DictLoader({"newsdesk_report.html.j2": _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(merged, resources=resources)
    target.write_text(body, encoding="utf-8")
    return target


def _javascript_bundle() -> str:
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=charts._vl_version())


def build_index(
    out: Path, runs: Sequence[NotebookRun], *, title: str, report: Path | None, chart_dir: Path
) -> Path:
    """Write ``out/index.html``: the report, each executed notebook, and each chart's PNG, SVG and CSV."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if report is not None and report.exists():
        parts.append(
            f'<p><a href="{html.escape(report.name)}"><strong>Report</strong></a>'
            " (every notebook on one page; works offline)</p>"
        )
    memo = out / MEMO_NAME
    if memo.exists():
        parts.append(
            f'<p><a href="{html.escape(memo.name)}"><strong>Memo</strong></a>'
            " (an editable Word file: key quotes, dates, findings, charts, and the evidence behind each)</p>"
        )
    parts.append("<h2>Executed notebooks</h2><ul>")
    for run in runs:
        status = "" if run.ok else f' <span class="failed">failed: {html.escape(run.error or "")}</span>'
        parts.append(
            f'<li><a href="{html.escape(run.path.name)}">{html.escape(run.path.name)}</a>{status}</li>'
        )
    parts.append("</ul>")
    names = sorted({p.stem for p in chart_dir.glob("*.png")}) if chart_dir.is_dir() else []
    parts.append(f"<h2>Charts ({len(names)})</h2>")
    if names:
        parts.append("<table><tr><th>chart</th><th>files</th><th>preview</th></tr>")
        folder = html.escape(chart_dir.name)
        for name in names:
            stem = html.escape(name)
            links = " ".join(
                f'<a href="{folder}/{stem}.{ext}">{ext.upper()}</a>'
                for ext in ("png", "svg", "csv")
                if (chart_dir / f"{name}.{ext}").exists()
            )
            preview = f'<img src="{folder}/{stem}.png" alt="{stem}" width="{charts.WIDTH // 2}">'
            parts.append(f"<tr><td>{stem}</td><td>{links}</td><td>{preview}</td></tr>")
        parts.append("</table>")
    page = (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}"
        "td,th{padding:4px 12px 4px 0;text-align:left;vertical-align:top}.failed{color:#b00020}</style>"
        "</head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
