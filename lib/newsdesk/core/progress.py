"""Whether long work shows a progress bar: one rule for every stage.

A bar is shown when the caller asks (``progress=True``), or by default when there are at least
``threshold`` items. ``NEWSDESK_NO_PROGRESS=1`` in the environment turns every bar off: the briefing
sets it for the notebooks it runs, so no bar reaches a stored notebook or the HTML report.
"""

from __future__ import annotations

import os

QUIET_VARIABLE = "NEWSDESK_NO_PROGRESS"


def show_progress(progress: bool | None, n_items: int, threshold: int) -> bool:
    """Whether to show a progress bar over ``n_items`` (see the module)."""
    if os.environ.get(QUIET_VARIABLE, "").strip() not in ("", "0"):
        return False
    return progress if progress is not None else n_items >= threshold
