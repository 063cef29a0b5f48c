"""Choose the articles a briefing covers: a publication-date window and a list of outlets.

``Corpus.select(since=, until=, outlets=, undated=)`` calls ``select_articles``. Dates are the
manifest's ``published_date``; an article without one cannot be placed in a window, so ``undated``
says what happens to it (``"keep"``, the default, or ``"drop"``) and the ``Selection`` says how many
were kept or dropped that way. Nothing is left out without a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

#: What to do with articles that have no publication date when a date window is given.
UNDATED_CHOICES = ("keep", "drop")


@dataclass(frozen=True)
class Selection:
    """The rule a corpus was selected with, and how many articles it kept and left out."""

    since: date | None
    until: date | None
    outlets: tuple[str, ...] | None
    undated: str
    n_before: int
    n_selected: int
    n_out_of_window: int
    n_other_outlets: int
    n_undated_kept: int
    n_undated_dropped: int

    @property
    def is_everything(self) -> bool:
        """True when no rule was given (every article is selected)."""
        return self.since is None and self.until is None and self.outlets is None

    def __str__(self) -> str:
        if self.is_everything:
            return f"All {self.n_selected} article(s): no date window or outlet was selected."
        rules = []
        if self.since and self.until:
            rules.append(f"published {self.since} to {self.until}")
        elif self.since or self.until:
            rules.append(f"published on or {'after' if self.since else 'before'} {self.since or self.until}")
        if self.outlets is not None:
            rules.append("from " + ", ".join(self.outlets))
        left_out = []
        if self.n_out_of_window:
            left_out.append(f"{self.n_out_of_window} outside the dates")
        if self.n_other_outlets:
            left_out.append(f"{self.n_other_outlets} from other or unknown outlets")
        if self.n_undated_dropped:
            left_out.append(f"{self.n_undated_dropped} without a publication date (undated='drop')")
        sentence = f"{self.n_selected} of {self.n_before} article(s) selected: {' and '.join(rules)}"
        if left_out:
            sentence += f"; left out: {', '.join(left_out)}"
        if self.n_undated_kept:
            sentence += (
                f"; {self.n_undated_kept} article(s) without a publication date are kept (undated='keep'), "
                "since they cannot be placed in or out of the window"
            )
        return sentence + "."


def parse_day(value: str | date | datetime | None, *, name: str = "date") -> date | None:
    """``None`` or an ISO date (``2025-03-31``) as a ``date``; ValueError naming ``name`` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be a date like 2025-03-31, not {value!r}") from None


def normalise_outlets(outlets: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """``None`` (every outlet) or the outlet names given, stripped, without empties or repeats."""
    if outlets is None:
        return None
    names = [outlets] if isinstance(outlets, str) else list(outlets)
    cleaned = tuple(dict.fromkeys(str(n).strip() for n in names if str(n).strip()))
    return cleaned or None


def select_articles(
    articles: pd.DataFrame,
    *,
    since: str | date | None = None,
    until: str | date | None = None,
    outlets: str | Iterable[str] | None = None,
    undated: str = "keep",
) -> tuple[pd.DataFrame, Selection]:
    """The rows of ``articles`` published ``since``..``until`` (inclusive) by ``outlets``, and the rule.

    Outlet names match case-insensitively. Raises ValueError for a bad date, an empty window, an
    outlet the corpus does not have (naming the ones it has), or a selection that leaves nothing.
    """
    if undated not in UNDATED_CHOICES:
        raise ValueError(f"undated must be one of {', '.join(UNDATED_CHOICES)}, not {undated!r}")
    start, end = parse_day(since, name="since"), parse_day(until, name="until")
    if start and end and start > end:
        raise ValueError(f"since ({start}) is after until ({end})")
    wanted = normalise_outlets(outlets)

    keep = pd.Series(True, index=articles.index)
    n_other_outlets = 0
    if wanted is not None:
        names = articles["outlet"].astype("string").str.strip().str.casefold()
        known = {str(o).strip().casefold(): str(o).strip() for o in articles["outlet"].dropna()}
        missing = [o for o in wanted if o.casefold() not in known]
        if missing:
            have = ", ".join(sorted(set(known.values()))[:20]) or "none (no article states its outlet)"
            raise ValueError(f"no article from outlet(s) {', '.join(missing)}; outlets in the corpus: {have}")
        from_outlets = names.isin([o.casefold() for o in wanted]).fillna(False).astype(bool)
        n_other_outlets = int((~from_outlets).sum())
        keep &= from_outlets

    n_out_of_window = n_undated_kept = n_undated_dropped = 0
    if start or end:
        published = articles["published_date"]
        dated = published.notna()
        in_window = dated.copy()
        if start:
            in_window &= published >= pd.Timestamp(start)
        if end:
            in_window &= published <= pd.Timestamp(end)
        n_out_of_window = int((keep & dated & ~in_window).sum())
        undated_here = keep & ~dated
        if undated == "keep":
            n_undated_kept = int(undated_here.sum())
            keep &= in_window | ~dated
        else:
            n_undated_dropped = int(undated_here.sum())
            keep &= in_window

    selected = articles[keep].reset_index(drop=True)
    selection = Selection(
        since=start,
        until=end,
        outlets=wanted,
        undated=undated,
        n_before=len(articles),
        n_selected=len(selected),
        n_out_of_window=n_out_of_window,
        n_other_outlets=n_other_outlets,
        n_undated_kept=n_undated_kept,
        n_undated_dropped=n_undated_dropped,
    )
    if selected.empty and len(articles):
        raise ValueError(f"the selection leaves no article: {selection}")
    return selected, selection
