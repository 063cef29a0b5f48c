"""A corpus's settings files (lexicons, outlets.csv) are read from the corpus folder only."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.analysis.quotes import read_aliases, read_officeholders
from newsdesk.extract.lexicons import read_affiliations, read_term_lexicon
from newsdesk.ingest.problems import CorpusError
from newsdesk.metadata.registry import load_registry


@pytest.fixture
def corpus_with_links(tmp_path: Path) -> Path:
    """A corpus folder whose settings files are links to a secret file outside it."""
    secret = tmp_path / "secret.csv"
    secret.write_text("alias,canonical\nroot,x:0:0:root\n", encoding="utf-8")
    root = tmp_path / "data"
    (root / "lexicons").mkdir(parents=True)
    for name in ("lexicons/speaker_aliases.csv", "lexicons/officeholders.csv", "lexicons/affiliations.csv",
                 "lexicons/war_terms.yaml", "outlets.csv"):  # fmt: skip
        (root / name).symlink_to(secret)
    return root


def test_lexicon_files_linked_to_outside_are_refused_naming_the_file(corpus_with_links: Path) -> None:
    lexicons = corpus_with_links / "lexicons"
    with pytest.raises(CorpusError, match=r"speaker_aliases\.csv: error: resolves to .*secret\.csv, outside"):
        read_aliases(corpus_with_links)
    with pytest.raises(CorpusError, match=r"officeholders\.csv: error: resolves to"):
        read_officeholders(corpus_with_links)
    with pytest.raises(CorpusError, match=r"affiliations\.csv: error: resolves to"):
        read_affiliations(lexicons)
    with pytest.raises(CorpusError, match=r"war_terms\.yaml: error: resolves to"):
        read_term_lexicon(lexicons)


def test_an_outlet_registry_linked_to_outside_is_reported_and_not_read(corpus_with_links: Path) -> None:
    registry = load_registry(corpus_with_links)
    refused = [p for p in registry.problems if "outside the corpus folder" in p.message]
    assert [(p.severity, Path(p.file).name) for p in refused] == [("error", "outlets.csv")]
    assert registry.by_name("root") is None


def test_settings_files_inside_the_corpus_are_read(tmp_path: Path) -> None:
    (tmp_path / "lexicons").mkdir()
    table = tmp_path / "shared.csv"
    table.write_text("alias,canonical\nSergey Lavrov,Sergei Lavrov\n", encoding="utf-8")
    (tmp_path / "lexicons" / "speaker_aliases.csv").symlink_to(table)  # a link that stays inside
    assert read_aliases(tmp_path) == {"Sergey Lavrov": "Sergei Lavrov"}
