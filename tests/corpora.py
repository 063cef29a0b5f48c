"""Small corpora written for the tests, shared by the test modules of several stages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import newsdesk
from newsdesk.extract.registry import Step, StepInputs, schema
from newsdesk.ingest.corpus import Corpus

MANIFEST = """id,file,outlet,url,published,language
a1,articles/a1.txt,Alpha,,2025-03-28,en
b1,articles/b1.txt,Beta,,,en
c1,articles/c1.txt,,,,en
e1,articles/e1.txt,Gamma,,2025-05-01,en
"""
ARTICLES = {
    # Dated by the manifest (Friday 28 March 2025); its byline says 20 March, which must not win.
    "a1": """China and Russia plan talks in Moscow

Published: March 20, 2025

Chinese Foreign Minister Wang Yi will visit Russia on Monday, the foreign ministry in Beijing said.

Wang Yi met Sergei Lavrov in Moscow on April 1, 2025, according to the ministry.

Putin visited China on May 9, 2025 for the commemorations of the war.

Xi Jinping met Donald Trump in Osaka in June 2019, when trade talks resumed.
""",
    # No manifest date: the byline gives Monday 18 August 2025.
    "b1": """Ministers meet in Moscow

Published: 18 Aug 2025

Wang Yi met Sergei Lavrov in Moscow on April 2, 2025, the Russian side said in a statement.

Putin visited China in May 2025, and the talks there lasted three days.

Xi Jinping met Donald Trump in Busan on April 3, 2025 to discuss tariffs.

The ministers spoke again on Monday about the summit in Alaska.
""",
    # No publication date to infer (no full date): "on Monday" stays unresolved; months still resolve.
    "c1": """A busy week at the trade fair

The ministers spoke on Monday about trade, and no further meetings are planned for now.

Wang Yi opened the Harbin trade fair in June 2025, with delegations from twelve countries.

Later in the week, reports said Wang Yi opened the Harbin trade fair in July 2025 instead.
""",
    # Dated, but without any temporal expression.
    "e1": """Officials keep quiet on talks

Officials in both capitals declined to comment on the talks or their timing.

Diplomats said the two sides would keep their positions private and avoid public statements.
""",
}


def small_dated_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """:data:`ARTICLES` under :data:`MANIFEST`, loaded with a cache of its own."""
    root = tmp_path_factory.mktemp("chrono-small")
    (root / "articles").mkdir()
    (root / "articles.csv").write_text(MANIFEST, encoding="utf-8")
    for name, text in ARTICLES.items():
        (root / "articles" / f"{name}.txt").write_text(text, encoding="utf-8")
    return newsdesk.load_corpus(root, cache_dir=tmp_path_factory.mktemp("chrono-cache"))


def one_row(frame: pd.DataFrame, article_id: str) -> pd.Series:
    """The only row of ``frame`` for ``article_id`` (fails when there is none or more than one)."""
    rows = frame[frame["article_id"] == article_id]
    assert len(rows) == 1
    return rows.iloc[0]


def long_words(doc, inputs: StepInputs) -> pd.DataFrame:
    """A toy step written for the registry tests: words of twelve letters or more, with the date given."""
    rows = [(t.idx, t.idx + len(t), t.text, inputs.date) for t in doc if t.is_alpha and len(t) >= 12]
    return pd.DataFrame(rows, columns=["start", "end", "text", "date"])


#: The toy step, registered by the tests that use it (and removed after them).
TOY_STEP = Step(
    "long_words",
    long_words,
    schema(start="int", end="int", text="str", date="str"),
    version=lambda: "long-words-1",
    needs_date=True,
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8 with its line ends kept, or bytes) to ``folder / name``."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path
