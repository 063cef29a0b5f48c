"""Publishers and wire sources named in a dump's own lines."""

from __future__ import annotations

import pytest

from newsdesk.metadata.credits import text_credits
from newsdesk.metadata.registry import load_registry

REGISTRY = load_registry()


@pytest.mark.parametrize(
    ("unit", "credits"),
    [
        ("MOSCOW, February 20. /TASS/. Russian Foreign Minister Sergey Lavrov said", [("wire", "TASS")]),
        ("BEIJING, March 28 (Reuters) - China's foreign minister", [("wire", "Reuters")]),
        ("WASHINGTON (AP) — The State Department", [("wire", "Associated Press")]),
        ("BEIJING, Jan. 2 (Xinhua) -- Chinese President", [("wire", "Xinhua")]),
        ("Source: Xinhua", [("wire", "Xinhua")]),
        ("By AFP", [("wire", "Agence France-Presse")]),
        ("Reuters Published 3 hours ago", [("wire", "Reuters")]),
        ("(Reporting by Laurie Chen; Editing by Kim Coghill)", [("wire", "Reuters")]),
        ("Published in Dawn, April 8th, 2024", [("publisher", "Dawn")]),
        ("Copyright © 2020 CGTN. Beijing ICP prepared NO.16065310-3", [("publisher", "CGTN")]),
        ("Follow Sputnik's Live Feed", [("publisher", "Sputnik")]),
        ("Download the CGTN app", [("publisher", "CGTN")]),
        ("Visit www.globaltimes.cn for more", [("publisher", "Global Times")]),
        # a credit at the end of a caption is the photo's, and a bracketed word is not a credit
        ("Xi and Putin in Moscow on Tuesday. (Reuters)", []),
        ("The talks (Moscow) - said to be long", []),
        ("Published in the morning edition", []),
    ],
)
def test_credits_of_one_unit(unit: str, credits: list[tuple[str, str]]) -> None:
    assert [(c.kind, c.name) for c in text_credits([unit], REGISTRY)] == credits


def test_an_unknown_publisher_is_kept_as_written() -> None:
    (credit,) = text_credits(["Published in The Valley Ledger, May 3, 2024"], REGISTRY)
    assert (credit.kind, credit.name, credit.known) == ("publisher", "Valley Ledger", False)


def test_credits_read_only_the_start_of_a_long_unit() -> None:
    long_unit = "word " * 10_000 + "(Reuters) - late"
    assert text_credits([long_unit], REGISTRY) == []
