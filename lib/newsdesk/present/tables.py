"""Interactive tables (sort, search, filter per column) in JupyterLab and in the briefing's report, offline.

In a notebook, ``tables.interactive(frame, caption="...")`` as a cell's last line displays ``frame`` as a
DataTables table. Its output carries three views of one table:

- ``text/html``: itables' table in its offline form. JupyterLab runs its script once the output is
  trusted (a cell run in this session); the first table of a kernel session also carries the DataTables
  bundle that itables ships (gzip-compressed, base64), which the other tables wait for. A notebook opened
  from disk (untrusted) shows itables' static copy of the table instead.
- ``TABLE_MIMETYPE``: the table as JSON (columns, rows, caption). The briefing's report (which runs no
  script from a notebook) writes it as an escaped HTML table, readable as it is, and turns it into a
  DataTables table with the same bundle, inlined once (:func:`report_scripts`).
- ``text/plain``: the frame's own text.

At most ``MAX_ROWS`` rows are embedded; the caption says when a table was cut. Cells are text or numbers:
article text is escaped in both views, never read as HTML.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Mimetype under which :func:`interactive` stores the table's data for the briefing's report.
TABLE_MIMETYPE = "application/vnd.newsdesk.table.v1+json"
#: Rows embedded at most (the first ones); more would make the notebook and the report heavy.
MAX_ROWS = 1000
#: Rows per page; a table that fits on one page gets no search box, paging or column filters.
PAGE_ROWS = 10
#: Class of the report's table wrappers (``data-ready`` is set on them once DataTables drew the table).
WRAPPER_CLASS = "newsdesk-table"

_LOADER_JS = """(function () {
  "use strict";
  if (window.newsdeskDataTables) { return; }
  function unpack(text) {
    var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  var ready = Promise.all([unpack("%(css)s"), unpack("%(js)s")]).then(function (parts) {
    var style = document.createElement("style");
    style.textContent = parts[0];
    document.head.appendChild(style);
    return new Function(parts[1])();
  });
  window.newsdeskDataTables = ready;
  if (!window["%(itables)s"]) {
    window["%(itables)s"] = ready;
    ready.then(function () { window.dispatchEvent(new Event("%(event)s")); });
  }
})();"""

_ENHANCE_JS = """(function () {
  "use strict";
  var wrappers = document.querySelectorAll(".%(wrapper)s");
  if (!wrappers.length) { return; }
  var controls = {topStart: "pageLength", topEnd: "search", bottomStart: "info", bottomEnd: "paging"};
  var none = {topStart: null, topEnd: null, bottomStart: null, bottomEnd: null};
  function addFilters(table) {
    var row = table.createTFoot().insertRow();
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header) {
      var input = document.createElement("input");
      input.type = "search";
      input.placeholder = header.textContent;
      input.setAttribute("aria-label", "Filter " + header.textContent);
      row.appendChild(document.createElement("th")).appendChild(input);
    });
  }
  window.newsdeskDataTables.then(function (bundle) {
    wrappers.forEach(function (wrapper) {
      var table = wrapper.querySelector("table");
      var long = table.tBodies[0].rows.length > %(page)d;
      if (long) { addFilters(table); }
      var api = new bundle.default(table, {
        order: [], autoWidth: false, pageLength: %(page)d, paging: long, layout: long ? controls : none
      });
      if (long) {
        api.columns().every(function () {
          var column = this;
          var input = column.footer().querySelector("input");
          input.addEventListener("input", function () {
            if (column.search() !== input.value) { column.search(input.value).draw(); }
          });
        });
      }
      wrapper.setAttribute("data-ready", "true");
    });
  }).catch(function (error) {
    wrappers.forEach(function (wrapper) { wrapper.setAttribute("data-ready", "error"); });
    console.error(error);
  });
})();"""

#: CSS of a table in JupyterLab, whose own table CSS right-aligns every cell: text left, numbers right.
_NOTEBOOK_CSS = (
    "#ID caption { text-align: left; font-weight: bold; } "
    "#ID th, #ID td { text-align: left; vertical-align: top; } "
    "#ID th.dt-type-numeric, #ID td.dt-type-numeric { text-align: right; }"
)
#: CSS of the report's tables (DataTables' own comes with the bundle); scoped to beat JupyterLab's table CSS
#: (right-aligned cells, fixed layout), which nbconvert writes after it.
_SCOPE = f"body .jp-RenderedHTMLCommon .{WRAPPER_CLASS}"
REPORT_CSS = f"""
{_SCOPE} {{ overflow-x: auto; margin: 0.5em 0 1.5em; }}
{_SCOPE} table {{ table-layout: auto; width: 100%; margin: 0; }}
{_SCOPE} th, {_SCOPE} td {{ text-align: left; vertical-align: top; }}
{_SCOPE} caption {{ caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0; }}
{_SCOPE} tfoot input {{ width: 100%; box-sizing: border-box; font-weight: normal; }}
"""


@dataclass
class _Session:
    """What this kernel already displayed: whether the bundle went out, and the table ids used."""

    bundle_sent: bool = False
    ids: dict[str, int] = field(default_factory=dict)


_SESSION = _Session()


def reset() -> None:
    """Forget what this kernel displayed (the next table carries the bundle again); for tests."""
    _SESSION.bundle_sent = False
    _SESSION.ids = {}


@dataclass(frozen=True)
class InteractiveTable:
    """A table shown by :func:`interactive`; ``frame`` is the frame it was given."""

    frame: pd.DataFrame
    caption: str | None = None
    max_rows: int = MAX_ROWS

    def payload(self) -> dict[str, Any]:
        """The JSON under ``TABLE_MIMETYPE``: caption, columns, the first ``max_rows`` rows, the row count."""
        frame = _flat(self.frame)
        shown = frame.head(self.max_rows)
        return {
            "caption": self.caption,
            "columns": [str(column) for column in frame.columns],
            "data": [[json_value(value) for value in row] for row in shown.itertuples(index=False)],
            "n_rows": len(frame),
        }

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        payload = self.payload()
        with_bundle = not _SESSION.bundle_sent
        _SESSION.bundle_sent = True
        return {
            "text/plain": repr(self.frame),
            "text/html": notebook_html(payload, _table_id(payload), with_bundle=with_bundle),
            TABLE_MIMETYPE: payload,
        }


def interactive(
    frame: pd.DataFrame, *, caption: str | None = None, max_rows: int = MAX_ROWS
) -> InteractiveTable:
    """``frame`` as a sortable, searchable table (display it as a cell's last line); see the module."""
    if max_rows < 1:
        raise ValueError(f"max_rows must be at least 1, not {max_rows}")
    return InteractiveTable(frame, caption, max_rows)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a meaningful index as columns and one level of column names."""
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.set_axis([" / ".join(map(str, c)) for c in frame.columns], axis=1)
    return frame


def json_value(value: Any) -> str | int | float | bool | None:
    """A cell as JSON: numbers stay numbers, missing is None, dates are ISO text, anything else its text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def caption_text(payload: dict[str, Any]) -> str:
    """The caption, with a note when rows were left out (plain text, to be escaped)."""
    caption = str(payload.get("caption") or "")
    shown, total = len(payload["data"]), int(payload.get("n_rows", len(payload["data"])))
    if shown < total:
        note = f"the first {shown:,} of {total:,} rows"
        caption = f"{caption} ({note})" if caption else note[0].upper() + note[1:]
    return caption


def _table_id(payload: dict[str, Any]) -> str:
    """An id from the table's content (stable across runs), numbered when the same table comes again."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    seen = _SESSION.ids[digest] = _SESSION.ids.get(digest, 0) + 1
    return f"newsdesk_{digest}" if seen == 1 else f"newsdesk_{digest}_{seen}"


# --- the two views: itables in JupyterLab, an escaped table in the report -----------------------------------


def notebook_html(payload: dict[str, Any], table_id: str, *, with_bundle: bool) -> str:
    """itables' offline HTML for ``payload`` (cells escaped), after the bundle's loader if ``with_bundle``."""
    import itables

    columns = payload["columns"]
    frame = pd.DataFrame(payload["data"] or None, columns=columns)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(object).fillna("")
    long = len(frame) > PAGE_ROWS
    options: dict[str, Any] = {"column_filters": "footer"} if long else {}
    table = itables.to_html_datatable(
        frame,
        caption=html.escape(caption_text(payload)) or None,
        connected=False,
        table_id=table_id,
        maxBytes=0,
        maxColumns=0,
        pageLength=PAGE_ROWS,
        display_logo_when_loading=False,
        allow_html=False,
        classes="display compact",
        style="table-layout:auto;width:100%;margin:0;caption-side:top",
        css=_NOTEBOOK_CSS.replace("#ID", f"#{table_id}"),
        **options,
    )
    return (f"<script>{loader_js()}</script>\n" if with_bundle else "") + table


def static_html(payload: Any, table_id: str) -> str | None:
    """The report's table for ``payload``: every cell escaped, one per column (DataTables refuses ragged
    rows); None when ``payload`` is not a table."""
    try:
        columns = [str(column) for column in payload["columns"]]
        rows = [[*row, *[None] * len(columns)][: len(columns)] for row in payload["data"]]
        caption = caption_text(payload)
    except (TypeError, KeyError, ValueError):
        return None
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row) + "</tr>" for row in rows)
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table_id = html.escape(table_id, quote=True)
    return (
        f'<div class="{WRAPPER_CLASS}"><table class="display compact" id="{table_id}">'
        f"{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".6g")
    return html.escape(str(value))


# --- the DataTables bundle ----------------------------------------------------------------------------------


def report_scripts() -> list[str]:
    """The report's two scripts for tables: the bundle's loader, and the one that draws every table."""
    return [loader_js(), _ENHANCE_JS % {"wrapper": WRAPPER_CLASS, "page": PAGE_ROWS}]


@cache
def loader_js() -> str:
    """A script that unpacks itables' DataTables bundle and its CSS, once per page.

    The bundle is an ES module; its one ``export`` becomes a ``return`` and the module runs as a function
    (no ``blob:`` or ``import``, so the report's CSP needs nothing new beyond its script hashes). The
    resulting promise is ``window.newsdeskDataTables`` and, for itables' own tables, itables' global.
    """
    import itables
    from itables.javascript import _itables_ready_event, _itables_underscore_version

    bundle = Path(itables.__file__).parent / "html" / "dt_bundle.js"
    module = bundle.read_text(encoding="utf-8")
    body, count = _EXPORT.subn(_as_return, module)
    if count != 1:
        raise RuntimeError(f"{bundle} should have one export statement, it has {count}")
    return _LOADER_JS % {
        "css": _packed(bundle.with_suffix(".css").read_text(encoding="utf-8")),
        "js": _packed('"use strict";\n' + body),
        "itables": _itables_underscore_version(),
        "event": _itables_ready_event(),
    }


_EXPORT = re.compile(r"\bexport\s*\{([^{}]*)\};?")


def _as_return(match: re.Match[str]) -> str:
    names: Sequence[str] = [part.strip() for part in match.group(1).split(",") if part.strip()]
    pairs = []
    for name in names:
        local, _, exported = name.partition(" as ")
        pairs.append(f"{json.dumps((exported or local).strip())}: {local.strip()}")
    return "return {" + ", ".join(pairs) + "};"


def _packed(text: str) -> str:
    """``text`` gzip-compressed (no timestamp) and base64-encoded."""
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")
