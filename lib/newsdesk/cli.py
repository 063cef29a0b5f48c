"""Command line: ``newsdesk briefing --data DIR --out DIR`` (also ``python -m newsdesk``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description="Compare how news outlets cover one story.")
    commands = parser.add_subparsers(dest="command", required=True)
    briefing = commands.add_parser("briefing", help="run every notebook on a corpus and write a briefing")
    briefing.add_argument(
        "--data", required=True, help="corpus folder (articles.csv + text files, or just *.txt)"
    )
    briefing.add_argument("--out", required=True, help="output folder for executed notebooks and HTML")
    briefing.add_argument(
        "--notebooks", default=None, help="notebook folder (default: the project's notebooks/)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "briefing":
        from .briefing import BriefingError, run_briefing

        try:
            written = run_briefing(args.data, args.out, notebooks_dir=args.notebooks)
        except BriefingError as exc:
            print(f"newsdesk briefing: error: {exc}", file=sys.stderr)
            return 1
        print(f"briefing written to {written[-1].parent} (open index.html)")
    return 0
