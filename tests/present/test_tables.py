"""Interactive tables: the JSON the report reads, escaped cells in both views, the bundle once per kernel."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from IPython.core.formatters import DisplayFormatter
from itables.javascript import _itables_underscore_version

from newsdesk.present import tables

IMAGE = "<img src=x onerror=alert(1)>"
CLOSER = "</script><img src=y onerror=alert(2)>"


@pytest.fixture(autouse=True)
def fresh_session() -> Iterator[None]:
    tables.reset()
    yield
    tables.reset()


def hostile(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outlet": ["TASS", "CGTN", None][:n] + ["TASS"] * max(0, n - 3),
            "sentence": [IMAGE, CLOSER, "=HYPERLINK(1)"][:n] + ["plain"] * max(0, n - 3),
            "share": [0.25, float("nan"), 1.0][:n] + [0.5] * max(0, n - 3),
            "n": np.arange(n, dtype=np.int64),
            "date": [pd.Timestamp("2025-03-28"), pd.NaT, pd.Timestamp("2025-04-01 10:30")][:n]
            + [pd.NaT] * max(0, n - 3),
        }
    )


def test_payload_holds_json_values_and_the_row_count() -> None:
    payload = tables.interactive(hostile(), caption="Quotes").payload()
    assert payload["columns"] == ["outlet", "sentence", "share", "n", "date"]
    assert payload["data"] == [
        ["TASS", IMAGE, 0.25, 0, "2025-03-28"],
        ["CGTN", CLOSER, None, 1, None],
        [None, "=HYPERLINK(1)", 1.0, 2, "2025-04-01 10:30:00"],
    ]
    assert payload["n_rows"] == 3 and payload["caption"] == "Quotes"


def test_json_value_of_other_cells() -> None:
    assert tables.json_value(dt.date(2025, 3, 28)) == "2025-03-28"
    assert tables.json_value(np.bool_(True)) is True
    assert tables.json_value(float("inf")) is None and tables.json_value(pd.NA) is None
    assert tables.json_value(["a", "b"]) == "['a', 'b']"


def test_long_tables_are_cut_and_the_caption_says_so() -> None:
    payload = tables.interactive(hostile(30), caption="Quotes", max_rows=25).payload()
    assert len(payload["data"]) == 25 and payload["n_rows"] == 30
    assert tables.caption_text(payload) == "Quotes (the first 25 of 30 rows)"
    assert tables.caption_text({**payload, "caption": None}) == "The first 25 of 30 rows"
    with pytest.raises(ValueError, match="max_rows"):
        tables.interactive(hostile(), max_rows=0)


def test_an_index_becomes_columns() -> None:
    counts = hostile().groupby("outlet").size()
    payload = tables.interactive(counts.to_frame("n_rows")).payload()
    assert payload["columns"] == ["outlet", "n_rows"] and payload["data"] == [["CGTN", 1], ["TASS", 1]]


def test_a_cell_displays_text_html_and_the_table_json() -> None:
    table = tables.interactive(hostile(), caption="Quotes")
    data, _ = DisplayFormatter().format(table)
    assert set(data) == {"text/plain", "text/html", tables.TABLE_MIMETYPE}
    assert data["text/plain"] == repr(table.frame)
    assert data[tables.TABLE_MIMETYPE] == table.payload()


def test_article_text_stays_escaped_in_jupyterlab() -> None:
    frame = hostile().rename(columns={"outlet": "<b>outlet</b>"})
    page = tables.interactive(frame, caption="<i>Quotes</i>")._repr_mimebundle_()["text/html"]
    assert "<img src=" not in page and "</script><img" not in page
    assert "<b>outlet" not in page and "<i>Quotes" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page, "the static copy shows the markup as text"


def test_article_text_stays_escaped_in_the_report() -> None:
    frame = hostile().rename(columns={"outlet": "<b>outlet</b>"})
    payload = tables.interactive(frame, caption="<i>Q</i>").payload()
    page = tables.static_html(payload, 'x" onmouseover="alert(3)')
    assert page is not None
    assert "<img" not in page and "<b>" not in page and "<i>" not in page and "</script>" not in page
    assert 'id="x&quot; onmouseover=&quot;alert(3)"' in page
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in page
    assert "<td>=HYPERLINK(1)</td>" in page, "formulas are a CSV matter; the page shows the text as it is"
    assert page.count("<tr>") == 4 and "<caption>&lt;i&gt;Q&lt;/i&gt;</caption>" in page


@pytest.mark.parametrize("payload", [None, [], {"columns": ["a"]}, {"columns": ["a"], "data": 3}])
def test_a_payload_that_is_not_a_table_is_refused(payload: object) -> None:
    assert tables.static_html(payload, "t") is None


def test_the_bundle_goes_out_with_the_first_table_of_a_kernel_only() -> None:
    first, second = (tables.interactive(hostile())._repr_mimebundle_()["text/html"] for _ in range(2))
    assert first.count(tables.loader_js()) == 1 and tables.loader_js() not in second
    tables.reset()
    assert tables.loader_js() in tables.interactive(hostile())._repr_mimebundle_()["text/html"]


def test_table_ids_are_stable_across_runs_and_unique_within_one() -> None:
    def ids() -> list[str]:
        frames = (hostile(), hostile(), hostile(2))
        pages = [tables.interactive(frame)._repr_mimebundle_()["text/html"] for frame in frames]
        return [re.search(r'<table id="([^"]+)"', page).group(1) for page in pages]

    run = ids()
    assert len(set(run)) == 3 and run[1] == run[0] + "_2"
    tables.reset()
    assert ids() == run


def test_the_loader_carries_the_itables_module_as_a_function() -> None:
    loader = tables.loader_js()
    packed = re.findall(r'unpack\("([^"]+)"\)', loader)
    css, js = (gzip.decompress(base64.b64decode(text)).decode("utf-8") for text in packed)
    assert "dataTable" in css
    assert js.startswith('"use strict";') and "export{" not in js
    assert re.search(r'return \{"DateTime": \w+, "ITable": \w+, "default": \w+, "jQuery": \w+', js)
    assert f'window["{_itables_underscore_version()}"] = ready' in loader, "itables' tables wait for it too"


def test_report_scripts_draw_the_tables_with_the_bundle() -> None:
    loader, enhance = tables.report_scripts()
    assert loader == tables.loader_js()
    assert f'document.querySelectorAll(".{tables.WRAPPER_CLASS}")' in enhance
    assert "new bundle.default(table" in enhance and "data-ready" in enhance
