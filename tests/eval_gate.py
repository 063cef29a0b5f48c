"""The evaluation gate: run the evaluation kits and compare their figures with docs/evaluation.json.

    python tests/eval_gate.py --check    # fail when a figure is more than 0.01 below docs/evaluation.json
    python tests/eval_gate.py --write    # check, then (if none fell) write the new figures into
                                         # docs/evaluation.json and re-render the tables from it
    python tests/eval_gate.py --render   # only re-render the tables from docs/evaluation.json
    python tests/eval_gate.py --write --accept-drops   # write even though a figure fell: a deliberate
                                         # trade (say which and why in the commit message)

docs/evaluation.json holds the committed figures (kit -> metric -> value) and the targets; the tables
between the eval-table markers in README.md and docs/evaluation.md are rendered from it
(tests/test_eval_table.py checks that they match). The kits live outside the repository
(``../shared/eval`` from the project root, or ``--kits``); their data is read there at run time and
never copied here. Without the kits the run is skipped. This file is a script, not a test module.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FIGURES = PROJECT / "docs" / "evaluation.json"
#: Files whose table block is rendered from FIGURES.
TABLE_FILES = (PROJECT / "README.md", PROJECT / "docs" / "evaluation.md")
TABLE_START = "<!-- eval-table:start -->"
TABLE_END = "<!-- eval-table:end -->"
#: A figure may fall this far below the committed one before the check fails.
TOLERANCE = 0.01


@dataclass(frozen=True)
class Metric:
    """One figure: its name in the table, the regex that reads it from the scorer, and its target."""

    name: str
    pattern: str
    target: float


@dataclass(frozen=True)
class Kit:
    name: str
    scorer: str
    gold: str
    metrics: tuple[Metric, ...]
    #: A change made to every dump before scoring (a scraper's way of writing it), or None.
    transform: Callable[[str], str] | None = None


def without_blank_lines(dump: str) -> str:
    """The dump as a scraper that writes no blank line between blocks would write it."""
    return "\n".join(line for line in dump.split("\n") if line.strip())


#: How score_boilerplate.py prints its figures (the same for every dump shape).
_BOILERPLATE_F1 = r"^F1 \(of mean P, mean R\)\s+([\d.]+)"
_BOILERPLATE_RECALL = r"^recall\s+([\d.]+)"
_BOILERPLATE_PER_DOC = r"^mean per-doc F1\s+([\d.]+)"

KITS = (
    Kit(
        "boilerplate",
        "score_boilerplate.py",
        "boilerplate/dev.jsonl.gz",
        (
            Metric("F1", _BOILERPLATE_F1, 0.93),
            Metric("precision", r"^precision\s+([\d.]+)", 0.0),
            Metric("recall", _BOILERPLATE_RECALL, 0.93),
            Metric("mean per-doc F1", _BOILERPLATE_PER_DOC, 0.90),
        ),
    ),
    *(
        Kit(
            f"boilerplate ({shape})",
            "score_boilerplate.py",
            f"boilerplate/shapes/dev_{shape}.jsonl.gz",
            (
                Metric("F1", _BOILERPLATE_F1, target),
                Metric("recall", _BOILERPLATE_RECALL, 0.90),
                Metric("mean per-doc F1", _BOILERPLATE_PER_DOC, 0.90),
            ),
        )
        # The same dev pages as other scrapers dump them; targets are the bars of every dump shape.
        for shape, target in (("inscriptis", 0.93), ("html2text", 0.90), ("blob", 0.85), ("excerpt", 0.80))
    ),
    Kit(
        "boilerplate (no blank lines)",
        "score_boilerplate.py",
        "boilerplate/dev.jsonl.gz",
        (
            Metric("F1", _BOILERPLATE_F1, 0.93),
            Metric("recall", _BOILERPLATE_RECALL, 0.90),
            Metric("mean per-doc F1", _BOILERPLATE_PER_DOC, 0.90),
        ),
        without_blank_lines,  # the html-text dev pages, as layout text written without blank lines
    ),
    Kit(
        "quotes",
        "score_quotes.py",
        "quotes/dev.jsonl.gz",
        (
            Metric("F1@30", r"^all @30%\s+[\d.]+\s+[\d.]+\s+([\d.]+)", 0.75),
            Metric("direct+partial F1@30", r"^direct\+partial @30%\s+[\d.]+\s+[\d.]+\s+([\d.]+)", 0.90),
            Metric("speaker accuracy", r"^speaker ([\d.]+)", 0.88),
            Metric("F1@80", r"^all @80%\s+[\d.]+\s+[\d.]+\s+([\d.]+)", 0.0),
        ),
    ),
    Kit(
        "timex",
        "score_timex.py",
        "timex/dev.jsonl.gz",
        (
            Metric("strict span F1", r"^strict ([\d.]+) relaxed", 0.85),
            Metric("relaxed span F1", r"^strict [\d.]+ relaxed ([\d.]+)", 0.92),
            Metric("value F1", r"^strict [\d.]+ relaxed [\d.]+ value ([\d.]+)", 0.80),
            Metric("type F1", r"^strict [\d.]+ relaxed [\d.]+ value [\d.]+ type ([\d.]+)", 0.0),
        ),
    ),
)


def kit_targets() -> dict[str, dict[str, float]]:
    """The targets of KITS as stored in the figures file: kit -> metric -> target (metrics with one)."""
    return {kit.name: {m.name: m.target for m in kit.metrics if m.target} for kit in KITS}


def run_kit(kit: Kit, kits_dir: Path) -> dict[str, float]:
    """Run one scorer with ``--api`` in this Python and read its figures (on the kit's gold file, or on
    a transformed copy of it in a temporary folder: kit data never enters the repository)."""
    with tempfile.TemporaryDirectory() as scratch:
        gold = kits_dir / kit.gold
        if kit.transform is not None:
            gold = Path(scratch) / Path(kit.gold).name
            with gzip.open(kits_dir / kit.gold, "rt", encoding="utf-8") as src:
                records = [json.loads(line) for line in src if line.strip()]
            with gzip.open(gold, "wt", encoding="utf-8") as out:
                for record in records:
                    out.write(json.dumps({**record, "dump": kit.transform(record["dump"])}) + "\n")
        command = [sys.executable, str(kits_dir / kit.scorer), str(gold), "--api"]
        result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{kit.name}: scorer failed ({result.returncode}):\n{result.stderr[-2000:]}")
    figures = {}
    for metric in kit.metrics:
        match = re.search(metric.pattern, result.stdout, re.M)
        if not match:
            raise SystemExit(f"{kit.name}: could not read {metric.name!r} from the scorer's output")
        figures[metric.name] = float(match.group(1))
    return figures


def read_figures(path: Path | None = None) -> dict:
    """The committed figures file: ``{"figures": {kit: {metric: value}}, "targets": {kit: {metric: t}}}``."""
    return json.loads((path or FIGURES).read_text(encoding="utf-8"))


def render_table(data: dict) -> str:
    """The table block (markers included) for a figures file's contents, rows in the file's order."""
    targets = data.get("targets", {})
    lines = [TABLE_START, "| kit | metric | target | dev |", "|---|---|---|---|"]
    for kit, figures in data["figures"].items():
        for metric, value in figures.items():
            target = targets.get(kit, {}).get(metric)
            shown = f">= {target:.2f}" if target else ""
            lines.append(f"| {kit} | {metric} | {shown} | {value:.3f} |")
    lines.append(TABLE_END)
    return "\n".join(lines)


def table_block(text: str) -> str | None:
    """The table block (markers included) in a file's text, or None when it has none."""
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(TABLE_END)]


def render_files(data: dict) -> None:
    """Replace the table block of every file in TABLE_FILES with the one rendered from ``data``."""
    table = render_table(data)
    for path in TABLE_FILES:
        text = path.read_text(encoding="utf-8")
        block = table_block(text)
        if block is None:
            raise SystemExit(f"{path.relative_to(PROJECT)} has no {TABLE_START} ... {TABLE_END} block")
        if block != table:
            path.write_text(text.replace(block, table, 1), encoding="utf-8")
            print(f"{path.relative_to(PROJECT)}: evaluation table updated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kits", type=Path, default=PROJECT.parent / "shared" / "eval")
    parser.add_argument(
        "--write", action="store_true", help="if no figure fell, write docs/evaluation.json and the tables"
    )
    parser.add_argument("--check", action="store_true", help="fail on a drop below docs/evaluation.json")
    parser.add_argument(
        "--accept-drops", action="store_true", help="with --write: write even though a figure fell"
    )
    parser.add_argument("--render", action="store_true", help="only re-render the tables from the JSON")
    args = parser.parse_args(argv)
    if args.render:
        render_files(read_figures())
        return 0
    if not args.kits.is_dir():
        print(f"evaluation kits not found at {args.kits}: skipped")
        return 0

    if FIGURES.is_file():
        data = read_figures()
    elif args.write:
        data = {"figures": {}, "targets": {}}
    else:
        raise SystemExit(f"{FIGURES.relative_to(PROJECT)} not found: run `make eval` to write it")
    committed = data["figures"]
    results: dict[str, dict[str, float]] = {}
    failures = []
    for kit in KITS:
        if not (args.kits / kit.scorer).is_file():
            print(f"{kit.name}: no scorer in {args.kits}: skipped")
            continue
        results[kit.name] = run_kit(kit, args.kits)
        for metric in kit.metrics:
            value = results[kit.name][metric.name]
            before = committed.get(kit.name, {}).get(metric.name)
            status = ""
            if before is not None and value < before - TOLERANCE:
                status = f"  FELL from {before:.3f}"
                failures.append(f"{kit.name} {metric.name}: {value:.3f} < {before:.3f} - {TOLERANCE}")
            print(f"{kit.name:24} {metric.name:20} {value:.3f}{status}")

    if args.write and failures and args.accept_drops:
        print("accepted drops (deliberate):\n  " + "\n  ".join(failures))
        failures = []
    if args.write and not failures:
        # Kits whose scorer was missing keep their committed figures.
        figures = {kit.name: results.get(kit.name, committed.get(kit.name)) for kit in KITS}
        data = {
            "figures": {name: values for name, values in figures.items() if values},
            "targets": kit_targets(),
        }
        FIGURES.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"{FIGURES.relative_to(PROJECT)} written")
        render_files(data)
    if failures:
        print(f"evaluation figures fell below {FIGURES.relative_to(PROJECT)}:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
