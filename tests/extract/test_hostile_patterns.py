"""Patterns from a data folder's lexicons cannot stall the workbook (regular-expression denial of service)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.analysis import framing
from newsdesk.extract.lexicons import LexiconError, read_affiliations

HEADER = "field,pattern,affiliation\n"


def _rules(folder: Path, rows: str):
    (folder / "affiliations.csv").write_text(HEADER + rows, encoding="utf-8")
    return read_affiliations(folder)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("field", ["name", "role", "any"])
def test_a_catastrophic_pattern_runs_in_linear_time(field: str, tmp_path: Path) -> None:
    rules = _rules(tmp_path, f"{field},([\\w\\s]+)+!,Evil\n")
    speaker = "a" * 5_000 + " " + "b" * 5_000  # backtracking engines take astronomically long here
    assert framing.affiliation_of(speaker, "x " * 2_000, None, rules) == ("other", "no rule")
    assert framing.affiliation_of("Wang Yi", None, None, rules)[0] == "Chinese officials"


@pytest.mark.parametrize("pattern", ["(?<!x)Wang", "(a)\\1", "x" * 3_000])
def test_a_pattern_the_safe_engine_cannot_run_names_its_file_and_line(pattern: str, tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"affiliations\.csv line 3: bad pattern"):
        _rules(tmp_path, f"name,Jane Roe,experts\nname,{pattern},Evil\n")


def test_rules_keep_their_meaning_on_the_safe_engine(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "role,Québécois,Canadian officials\nname,J\\.D\\. Vance,US officials\n")
    minister = framing.affiliation_of("Jean Tremblay", "Québécois minister", None, rules)
    assert minister[0] == "Canadian officials"
    assert framing.affiliation_of("Jean Tremblay", "anti-Québécoisement", None, rules)[0] == "other"
    assert framing.affiliation_of("j.d. vance", None, None, rules)[0] == "US officials"
    # role rules keep case and whole words: "us" in running text is not the United States
    assert framing.affiliation_of("people like us", None, None, rules)[0] == "other"
    assert framing.affiliation_of("Jane Roe", "U.S. envoy", None, rules)[0] == "US officials"
