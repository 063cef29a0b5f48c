"""What the runner and the command line share, importable without the runner's heavy dependencies."""

from __future__ import annotations

#: Seconds one cell may run before its notebook fails (papermill's ``execution_timeout``); None or 0:
#: no limit. An hour parses some 20,000 articles in a notebook; larger corpora are read from a store.
DEFAULT_CELL_TIMEOUT = 3600


class BriefingError(RuntimeError):
    """The briefing could not run, or a notebook failed (the message names the notebook and the cell)."""


#: The briefing's Word memo (newsdesk.briefing.word_memo), in the briefing folder.
MEMO_NAME = "memo.docx"
