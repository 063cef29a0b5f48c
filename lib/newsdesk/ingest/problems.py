"""Problems found while loading a corpus: one record per issue, never a silent drop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning"]

PROBLEM_COLUMNS = ["file", "line", "severity", "article_id", "message"]


@dataclass(frozen=True)
class Problem:
    """One issue with an input file.

    ``line`` is the 1-based line in ``file`` (the manifest line for manifest problems), or None
    when the issue concerns the whole file. ``error`` means the article could not be used;
    ``warning`` means it was used, possibly after a repair the message describes.
    """

    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    article_id: str | None = None

    def located(self, *, file: str, article_id: str | None) -> Problem:
        """The same problem, attributed to a file and article."""
        return Problem(self.severity, self.message, file, self.line, article_id)

    def __str__(self) -> str:
        where = self.file or "<text>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.severity}: {self.message}"


class CorpusError(ValueError):
    """Raised by ``load_corpus(..., strict=True)`` (or for an unusable manifest); names the file."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in the corpus:\n{shown}{more}")


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a tidy frame sorted by file and line (errors first within a line)."""
    frame = pd.DataFrame(
        [(p.file, p.line, p.severity, p.article_id, p.message) for p in problems],
        columns=PROBLEM_COLUMNS,
    )
    frame["line"] = frame["line"].astype("Int64")
    order = frame.assign(_sev=frame["severity"].map({"error": 0, "warning": 1}))
    order = order.sort_values(["file", "line", "_sev", "message"], na_position="first", kind="stable")
    return order.drop(columns="_sev").reset_index(drop=True)
