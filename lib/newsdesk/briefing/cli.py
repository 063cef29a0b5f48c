"""Command line: ``newsdesk briefing (--data DIR | --store DIR) --out DIR ...`` (also ``python -m newsdesk``).

Each subcommand has an ``add_<name>_parser`` function that declares its options and a ``run_<name>``
function that carries it out; ``build_parser`` and ``main`` only wire them together.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from newsdesk.briefing.base import DEFAULT_CELL_TIMEOUT


def _iso_date(value: str) -> str:
    """argparse type: an ISO date (``2025-03-31``), returned as text for the notebooks."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2025-03-31: {value!r}") from None


def _seconds(value: str) -> float:
    """argparse type: a number of seconds, 0 or more (0: no limit)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds (0 or more): {value!r}")
    return seconds


def _add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """``--data DIR`` or ``--store DIR`` (one of them)."""
    corpus = parser.add_mutually_exclusive_group(required=True)
    corpus.add_argument(
        "--data", default=None, metavar="DIR", help="corpus folder (articles.csv + text files, or just *.txt)"
    )
    corpus.add_argument(
        "--store",
        default=None,
        metavar="DIR",
        help="a store written by `newsdesk annotate`, read instead of a corpus folder",
    )


def _add_selection_options(parser: argparse.ArgumentParser) -> None:
    """The title, the selection (dates, outlets, undated), the framing groups and copies."""
    parser.add_argument("--title", default=None, help="title of the report and the memo")
    parser.add_argument("--since", type=_iso_date, default=None, help="first publication date (YYYY-MM-DD)")
    parser.add_argument("--until", type=_iso_date, default=None, help="last publication date (YYYY-MM-DD)")
    parser.add_argument(
        "--outlet",
        dest="outlets",
        action="append",
        default=None,
        metavar="NAME",
        help="only articles from this outlet (repeat for several; case-insensitive)",
    )
    parser.add_argument(
        "--undated",
        choices=("keep", "drop"),
        default=None,
        help="with --since/--until: keep (default) or drop articles without a publication date",
    )
    parser.add_argument(
        "--group-by",
        choices=("outlet", "source", "type", "country"),
        default=None,
        help="framing groups: the outlet (default), the wire source, the outlet's type or its country",
    )
    parser.add_argument(
        "--include-copies",
        action="store_true",
        help="count copies of other articles (mirrors, wire re-edits) instead of each story once",
    )


def _selection_parameters(args: argparse.Namespace) -> dict[str, object]:
    """The notebook parameters of :func:`_add_selection_options` (None: not given)."""
    return {
        "title": args.title,
        "since": args.since,
        "until": args.until,
        "outlets": args.outlets,
        "undated": args.undated,
        "group_by": args.group_by,
        "include_copies": True if args.include_copies else None,
    }


def add_briefing_parser(commands: argparse._SubParsersAction) -> None:
    """``newsdesk briefing``: run every notebook on a corpus and write a briefing folder."""
    briefing = commands.add_parser(
        "briefing",
        help="run every notebook on a corpus and write a briefing folder",
        description="Run every numbered notebook on a corpus with papermill; write the executed notebooks, "
        "one offline HTML report, every chart as PNG, SVG and CSV, and an index.html.",
    )
    _add_corpus_options(briefing)
    briefing.add_argument(
        "--out",
        required=True,
        help="output folder of the briefing: new, empty, or one an earlier briefing wrote (its files are "
        "replaced; no other file is deleted)",
    )
    _add_selection_options(briefing)
    briefing.add_argument(
        "--notebooks", default=None, help="notebook folder (default: the notebooks that come with newsdesk)"
    )
    briefing.add_argument(
        "--cell-timeout",
        type=_seconds,
        default=DEFAULT_CELL_TIMEOUT,
        metavar="SECONDS",
        help=f"fail a notebook when one of its cells runs longer than this (default {DEFAULT_CELL_TIMEOUT}; "
        "0: no limit)",
    )
    briefing.set_defaults(run=run_briefing_command)


def run_briefing_command(args: argparse.Namespace) -> int:
    """Carry out ``newsdesk briefing``; 0 on success, 1 with the error on stderr, 130 on Ctrl-C."""
    from newsdesk.briefing.runner import BriefingError, run_briefing

    parameters = _selection_parameters(args)
    try:
        written = run_briefing(
            args.data,
            args.out,
            store=args.store,
            notebooks_dir=args.notebooks,
            parameters=parameters,
            cell_timeout=args.cell_timeout,
        )
    except BriefingError as exc:
        print(f"newsdesk briefing: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the output folder or disk failed mid-run (full, unmounted, made read-only)
        print(f"newsdesk briefing: error: cannot write the briefing: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "newsdesk briefing: interrupted; the files written so far are recorded in the output folder's "
            "marker, and the next run into it replaces them",
            file=sys.stderr,
        )
        return 130
    print(f"briefing written to {written[-1].parent} (open index.html or report.html)")
    return 0


def add_annotate_parser(commands: argparse._SubParsersAction) -> None:
    """``newsdesk annotate``: annotate a corpus into a Parquet store (only new or changed articles)."""
    annotate = commands.add_parser(
        "annotate",
        help="annotate a corpus into a Parquet store, locally or on a Dask cluster",
        description="Strip, parse, and find quotes, dates and entities in every new or changed article of a "
        "corpus; write them to a partitioned Parquet store, which the notebooks (parameter store) and "
        "`newsdesk briefing --store` read. Interrupted runs resume where they stopped.",
    )
    annotate.add_argument("--data", required=True, help="corpus folder (articles.csv + text files, or *.txt)")
    annotate.add_argument("--store", required=True, help="store folder (created if missing)")
    annotate.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="run in this process (default) or on Dask",
    )
    annotate.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address (default: a local cluster)",
    )
    annotate.add_argument(
        "--workers", type=int, default=None, metavar="N", help="local Dask cluster: N worker processes"
    )
    annotate.add_argument("--batch-size", type=int, default=None, metavar="N", help="articles per task")
    annotate.add_argument(
        "--infer-dates",
        choices=("missing", "all"),
        default="missing",
        help="infer publication dates where the manifest has none (default) or for every article",
    )
    annotate.add_argument(
        "--batch-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="seconds one batch may take before it is reported and left out (default 600; 0: no limit)",
    )
    annotate.add_argument(
        "--allow-outside",
        action="store_true",
        help="let the manifest and links name article files outside the corpus folder (refused by default)",
    )
    annotate.add_argument("--no-progress", action="store_true", help="no progress bars")
    annotate.set_defaults(run=run_annotate_command)


def run_annotate_command(args: argparse.Namespace) -> int:
    """Carry out ``newsdesk annotate``; 0 when the store is complete, 1 on failure, 130 on Ctrl-C."""
    from newsdesk.ingest.problems import CorpusError
    from newsdesk.store.annotate import DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TIMEOUT, AnnotateError, annotate
    from newsdesk.store.format import StoreError

    batch_timeout = DEFAULT_BATCH_TIMEOUT if args.batch_timeout is None else (args.batch_timeout or None)
    try:
        summary = annotate(
            args.data,
            args.store,
            engine=args.engine,
            scheduler=args.scheduler,
            workers=args.workers,
            batch_size=args.batch_size or DEFAULT_BATCH_SIZE,
            infer_dates=args.infer_dates,
            progress=False if args.no_progress else None,
            batch_timeout=batch_timeout,
            allow_outside=args.allow_outside,
        )
    except (AnnotateError, StoreError, CorpusError) as exc:
        print(f"newsdesk annotate: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsdesk annotate: interrupted; finished batches are kept, rerun to resume", file=sys.stderr)
        return 130
    print(summary)
    for batch_id, message in summary.failures[:5]:
        print(f"  batch {batch_id}: {message}", file=sys.stderr)
    return 0 if summary.complete else 1


def add_memo_parser(commands: argparse._SubParsersAction) -> None:
    """``newsdesk memo``: write the Word memo of a corpus alone."""
    memo = commands.add_parser(
        "memo",
        help="write the editable Word memo of a corpus (memo.docx) without running the notebooks",
        description="Write the memo a briefing writes: key quotes, key dates, framing findings, the story "
        "map and their charts, each figure linked to its evidence in an appendix, and a fingerprint of "
        "the inputs in the footer. Styles come from --template, else <data>/memo-template.docx, else "
        "the package's template.",
    )
    _add_corpus_options(memo)
    memo.add_argument(
        "--out", required=True, metavar="FILE.docx", help="the memo file (new, or one newsdesk wrote)"
    )
    memo.add_argument("--template", default=None, metavar="FILE.docx", help="a Word file whose styles to use")
    _add_selection_options(memo)
    memo.set_defaults(run=run_memo_command)


def run_memo_command(args: argparse.Namespace) -> int:
    """Carry out ``newsdesk memo``; 0 on success, 1 with the error on stderr."""
    from newsdesk.briefing.base import BriefingError
    from newsdesk.briefing.runner import check_corpus
    from newsdesk.briefing.word_memo import check_memo_target, corpus_memo

    parameters = _selection_parameters(args)
    given = {k: v for k, v in parameters.items() if v is not None}
    try:
        check_memo_target(Path(args.out))
        check_corpus(args.data, given, store=args.store)
        written = corpus_memo(args.data, args.out, store=args.store, parameters=given, template=args.template)
    except BriefingError as exc:
        print(f"newsdesk memo: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"newsdesk memo: error: cannot write the memo: {exc}", file=sys.stderr)
        return 1
    print(f"memo written to {written}")
    return 0


#: One function per subcommand that adds its parser (and sets ``run``).
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_briefing_parser,
    add_memo_parser,
    add_annotate_parser,
]


def build_parser() -> argparse.ArgumentParser:
    """The ``newsdesk`` parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="newsdesk", description="Compare how news outlets cover one story.")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsdesk`` command."""
    args = build_parser().parse_args(argv)
    return args.run(args)
