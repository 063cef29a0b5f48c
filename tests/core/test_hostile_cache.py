"""A disk cache that cannot be written (issue #20): results are computed without caching, with one warning."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from newsdesk import load_corpus
from newsdesk.core.cache import DiskCache
from newsdesk.stripping.corpus import strip_corpus


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable: ``chmod``, and as root (whom ``chmod`` does not stop) the immutable
    flag (``chattr +i``); skip the test when neither can make it read-only."""
    folder.chmod(0o555)
    immutable = False
    try:
        if os.geteuid() == 0:
            try:
                done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
            except FileNotFoundError:
                pytest.skip("running as root (chmod does not stop writes) and chattr is not installed")
            if done.returncode != 0:
                pytest.skip(f"running as root (chmod does not stop writes), chattr +i failed: {done.stderr}")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)


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
