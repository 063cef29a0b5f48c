"""Tables written for spreadsheets: no cell an office suite would run as a formula.

Outlet names, article ids, URLs and sentences come from untrusted corpora. A cell such as
``=HYPERLINK("http://evil", "click")`` or ``+cmd|' /C calc'!A0`` in a CSV runs when an analyst opens it
in Excel or LibreOffice. Following OWASP's rule, every text cell (and column name) that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, which spreadsheets
show as text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula."""
    safe = frame.copy()
    safe.columns = [neutralise(str(column)) if isinstance(column, str) else column for column in safe.columns]
    for column in safe.columns:
        values = safe[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)):
            safe[column] = values.map(neutralise)
    return safe


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` as CSV (UTF-8, no index) with :func:`spreadsheet_safe` cells.

    Every text cell is quoted, so a cell with a bare carriage return stays one cell.
    """
    path = Path(path)
    spreadsheet_safe(frame).to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC)
    return path
