"""The README's tour of the library runs as written, on the seed data."""

from __future__ import annotations

import re

import pytest

from .conftest import PROJECT


def test_the_readme_tour_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"## A tour of the library\n\n```python\n(.*?)```", readme, re.DOTALL)
    assert found, "README.md has no tour code block"
    monkeypatch.chdir(PROJECT)
    namespace: dict = {}
    exec(compile(found.group(1), "README.md tour", "exec"), namespace)
    assert len(namespace["corpus"]) == 5 and len(namespace["quotes"]) and len(namespace["events"])
