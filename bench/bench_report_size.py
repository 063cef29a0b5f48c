"""How much interactive tables add to the briefing's report: prints its size with them and without.

Runs a briefing on a corpus (default ``data/``) into a temporary folder, then builds the report again
from the same executed notebooks with every interactive table (``newsdesk.present.tables``) swapped
for the pandas HTML table of the same rows, as the report showed before tables became interactive.
Target: the report with interactive tables is at most 20 % larger. Usage (from the project root)::

    .venv/bin/python bench/bench_report_size.py [--data DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import nbformat
import pandas as pd

from newsdesk.briefing.report import NotebookRun, build_report
from newsdesk.briefing.runner import run_briefing
from newsdesk.present import tables

TARGET_GROWTH = 0.20


def plain_tables(executed: Path, target: Path) -> Path:
    """A copy of notebook ``executed`` with each interactive table as a pandas HTML table."""
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            payload = data.get(tables.TABLE_MIMETYPE)
            if payload is not None:
                frame = pd.DataFrame(payload["data"], columns=payload["columns"])
                output["data"] = {"text/html": frame.to_html(), "text/plain": data.get("text/plain", "")}
    nbformat.write(nb, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "briefing"
        run_briefing(args.data, out, log=lambda _: None)
        executed = sorted(out.glob("[0-9][0-9]_*.ipynb"))
        plain_dir = Path(scratch) / "plain"
        plain_dir.mkdir()
        runs = [NotebookRun(p.name, plain_tables(p, plain_dir / p.name), 0.0, None) for p in executed]
        plain = build_report(runs, plain_dir / "report.html", title="newsdesk briefing", parameters={})
        with_tables, without = (out / "report.html").stat().st_size, plain.stat().st_size
    growth = with_tables / without - 1
    print(f"report with interactive tables {with_tables:,} bytes; with plain tables {without:,} bytes")
    print(f"growth {growth:.1%} (target <= {TARGET_GROWTH:.0%})")


if __name__ == "__main__":
    main()
