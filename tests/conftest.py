"""Shared fixtures: project paths, a private copy of the seed data and a store annotated from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT / "data"
SEEDS = sorted((DATA / "articles").glob("*.txt"))
#: Seconds any test of the hostile-input suite (``test_hostile_*.py``) may run: an input that makes a
#: step hang or go quadratic fails its test instead of stalling the suite.
HOSTILE_TEST_TIMEOUT = 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every hostile-input test a time limit (its own ``timeout`` mark, if any, wins)."""
    for item in items:
        if item.path.name.startswith("test_hostile_") and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(HOSTILE_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def seed_corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of data/ (manifest + seed articles) that a test may read but not change."""
    target = tmp_path_factory.mktemp("seed-data") / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, seed_corpus_dir: Path) -> Path:
    """The seed articles annotated into a store in this process (local engine, two articles per batch).

    Tests read it and never change it.
    """
    from newsdesk.store.annotate import annotate

    path = tmp_path_factory.mktemp("store") / "seeds"
    summary = annotate(seed_corpus_dir, path, batch_size=2, progress=False)
    assert summary.complete and summary.n_annotated == 5
    return path


@pytest.fixture(scope="session")
def seeds(seed_corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seed corpus loaded with a cache of its own (tests read it and never change it)."""
    import newsdesk

    return newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path_factory.mktemp("seed-cache"))
