"""Shared fixtures: project paths and a per-session annotation cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT / "data"
SEEDS = sorted((DATA / "articles").glob("*.txt"))


@pytest.fixture(scope="session")
def seed_corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of data/ (manifest + seed articles) that a test may read but not change."""
    target = tmp_path_factory.mktemp("seed-data") / "data"
    shutil.copytree(DATA, target)
    return target
