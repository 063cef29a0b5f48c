"""A disk cache that cannot be written (issue #20): results are computed without caching, with one warning."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from newsdesk import load_corpus
from newsdesk.core.cache import DiskCache
from newsdesk.stripping.corpus import strip_corpus
from tests.hostile import read_only


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "cannot write to the cache folder" in r.getMessage()]


def stripped_lines(data: Path, cache_dir: Path) -> pd.DataFrame:
    return strip_corpus(load_corpus(data, cache_dir=cache_dir)).lines


def test_a_read_only_cache_folder_computes_without_caching_and_warns_once(
    tmp_path: Path, seed_corpus_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = stripped_lines(seed_corpus_dir, tmp_path / "writable")
    cache = tmp_path / "read-only"
    cache.mkdir()
    with read_only(cache), caplog.at_level(logging.WARNING):
        lines = stripped_lines(seed_corpus_dir, cache)
        again = stripped_lines(seed_corpus_dir, cache)
    pd.testing.assert_frame_equal(lines, expected)
    pd.testing.assert_frame_equal(again, expected)
    warned = cache_warnings(caplog)
    assert len(warned) == 1 and str(cache) in warned[0]
    assert not any(cache.iterdir())


def test_a_file_in_place_of_the_cache_folder_computes_without_caching(
    tmp_path: Path, seed_corpus_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = stripped_lines(seed_corpus_dir, tmp_path / "writable")
    cache = tmp_path / "cache"
    cache.write_text("a file, not a folder")
    with caplog.at_level(logging.WARNING):
        lines = stripped_lines(seed_corpus_dir, cache)
        DiskCache(cache).write_frame("other/1", "ab" * 32, pd.DataFrame({"x": [1]}))
    pd.testing.assert_frame_equal(lines, expected)
    assert len(cache_warnings(caplog)) == 1
    assert DiskCache(cache).read_frame("other/1", "ab" * 32) is None
    assert cache.read_text() == "a file, not a folder"
