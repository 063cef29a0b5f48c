"""Run the evaluation kits, compare with the README's evaluation table, and optionally rewrite it.

    python bench/run_evals.py --check    # fail when a figure is more than 0.01 below the README's
    python bench/run_evals.py --write    # check, then write the new figures into the README (if none fell)

The kits live outside the repository (``../shared/eval`` from the project root, or ``--kits``);
their data is read there at run time and never copied here. Without the kits the run is skipped.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
README = PROJECT / "README.md"
TABLE_START = "<!-- eval-table:start -->"
TABLE_END = "<!-- eval-table:end -->"
#: A figure may fall this far below the committed table before the check fails.
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


KITS = (
    Kit(
        "boilerplate",
        "score_boilerplate.py",
        "boilerplate/dev.jsonl.gz",
        (
            Metric("F1", r"^F1 \(of mean P, mean R\)\s+([\d.]+)", 0.93),
            Metric("precision", r"^precision\s+([\d.]+)", 0.0),
            Metric("recall", r"^recall\s+([\d.]+)", 0.93),
            Metric("mean per-doc F1", r"^mean per-doc F1\s+([\d.]+)", 0.90),
        ),
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


def run_kit(kit: Kit, kits_dir: Path) -> dict[str, float]:
    """Run one scorer with ``--api`` in this Python and read its figures."""
    command = [sys.executable, str(kits_dir / kit.scorer), str(kits_dir / kit.gold), "--api"]
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


def read_table(text: str) -> dict[tuple[str, str], float]:
    """Figures in the README's table, keyed by (kit, metric)."""
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < 0:
        return {}
    committed = {}
    for row in text[start:end].splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[\d.]+", cells[3]):
            committed[(cells[0], cells[1])] = float(cells[3])
    return committed


def render_table(results: dict[str, dict[str, float]]) -> str:
    lines = [TABLE_START, "| kit | metric | target | dev |", "|---|---|---|---|"]
    for kit in KITS:
        for metric in kit.metrics:
            if kit.name in results:
                target = f">= {metric.target:.2f}" if metric.target else ""
                lines.append(
                    f"| {kit.name} | {metric.name} | {target} | {results[kit.name][metric.name]:.3f} |"
                )
    lines.append(TABLE_END)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kits", type=Path, default=PROJECT.parent / "shared" / "eval")
    parser.add_argument("--write", action="store_true", help="write the figures into README.md if none fell")
    parser.add_argument("--check", action="store_true", help="fail on a drop below the README (default)")
    args = parser.parse_args(argv)
    if not args.kits.is_dir():
        print(f"evaluation kits not found at {args.kits}: skipped")
        return 0

    readme = README.read_text(encoding="utf-8")
    committed = read_table(readme)
    results: dict[str, dict[str, float]] = {}
    failures = []
    for kit in KITS:
        if not (args.kits / kit.scorer).is_file():
            print(f"{kit.name}: no scorer in {args.kits}: skipped")
            continue
        results[kit.name] = run_kit(kit, args.kits)
        for metric in kit.metrics:
            value = results[kit.name][metric.name]
            before = committed.get((kit.name, metric.name))
            status = ""
            if before is not None and value < before - TOLERANCE:
                status = f"  FELL from {before:.3f}"
                failures.append(f"{kit.name} {metric.name}: {value:.3f} < {before:.3f} - {TOLERANCE}")
            print(f"{kit.name:12} {metric.name:18} {value:.3f}{status}")

    if args.write and not failures:
        table = render_table(results)
        start, end = readme.find(TABLE_START), readme.find(TABLE_END)
        if start < 0 or end < 0:
            raise SystemExit(f"README.md has no {TABLE_START} ... {TABLE_END} block")
        README.write_text(readme[:start] + table + readme[end + len(TABLE_END) :], encoding="utf-8")
        print("README.md evaluation table updated")
    if failures:
        print("evaluation figures fell below the committed table:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
