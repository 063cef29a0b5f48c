"""A damaged or unusable store (issue #20): ``annotate`` heals it, readers name what is wrong.

Each test copies the session's seed store (``seed_store`` in ``conftest.py``) into ``tmp_path`` and
damages the copy: garbage over a part, a truncated snapshot, a read-only folder, a file for a folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from newsdesk.analysis.quotes import corpus_quotes
from newsdesk.briefing import cli
from newsdesk.store.annotate import annotate
from newsdesk.store.corpus import open_corpus, open_store
from newsdesk.store.format import (
    PARTS_KEY,
    Layout,
    StoreError,
    committed_batches,
    current_snapshot_id,
    file_sha256,
    vacuum,
)
from newsdesk.store.task import AnnotateError
from tests.hostile import read_only
from tests.store.test_store import assert_same_store


def copied(seed_store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(seed_store, target)
    return target


def annotated_batch(store: Path) -> tuple[str, dict]:
    """A committed batch of the current snapshot that holds annotated articles, and its marker."""
    return next((b, m) for b, m in sorted(committed_batches(store).items()) if m["units"])


def test_batch_markers_record_each_parts_size_and_checksum(seed_store: Path) -> None:
    layout = Layout(seed_store)
    batch, marker = annotated_batch(seed_store)
    for table, recorded in marker[PARTS_KEY].items():
        part = layout.part(table, batch)
        assert recorded == {"bytes": part.stat().st_size, "sha256": file_sha256(part)}


def test_a_part_overwritten_with_garbage_is_named_and_its_batch_redone(
    tmp_path: Path, seed_store: Path, seed_corpus_dir: Path
) -> None:
    store = copied(seed_store, tmp_path)
    batch, marker = annotated_batch(store)
    part = Layout(store).part("quotes", batch)
    part.write_bytes(b"this is not parquet" * 7)

    with pytest.raises(StoreError, match=rf"tables/quotes/part-{batch}\.parquet.*rerun `newsdesk annotate`"):
        open_store(store, check=False)

    summary = annotate(seed_corpus_dir, store, batch_size=2, progress=False)
    assert summary.complete
    assert summary.n_annotated == len(marker["units"])  # only the damaged batch is redone
    assert_same_store(store, seed_store)


def test_garbage_of_the_same_size_is_found_by_the_checksum(
    tmp_path: Path, seed_store: Path, seed_corpus_dir: Path
) -> None:
    store = copied(seed_store, tmp_path)
    batch, marker = annotated_batch(store)
    part = Layout(store).part("quotes", batch)
    part.write_bytes(os.urandom(part.stat().st_size))

    opened = open_store(store, check=False)  # sizes agree: the damage shows when the part is read
    with pytest.raises(StoreError, match=rf"part tables/quotes/part-{batch}\.parquet is damaged"):
        corpus_quotes(opened)

    summary = annotate(seed_corpus_dir, store, batch_size=2, progress=False)
    assert summary.complete and summary.n_annotated == len(marker["units"])
    assert_same_store(store, seed_store)


def test_a_missing_part_is_named_by_open_store(tmp_path: Path, seed_store: Path) -> None:
    store = copied(seed_store, tmp_path)
    batch, _ = annotated_batch(store)
    Layout(store).part("docs", batch).unlink()
    with pytest.raises(StoreError, match=rf"tables/docs/part-{batch}\.parquet: missing"):
        open_store(store, check=False)


def test_a_truncated_previous_snapshot_is_skipped_by_vacuum(
    tmp_path: Path, seed_store: Path, seed_corpus_dir: Path
) -> None:
    store = copied(seed_store, tmp_path)
    layout = Layout(store)
    current = current_snapshot_id(store)
    previous = layout.snapshots / "0123456789abcdef"
    shutil.copytree(layout.snapshots / str(current), previous)
    index = previous / "articles.parquet"
    index.write_bytes(index.read_bytes()[:100])
    (store / "PREVIOUS").write_text(previous.name)

    assert vacuum(store) == 0  # the current snapshot's batches are all kept
    summary = annotate(seed_corpus_dir, store, batch_size=2, progress=False)
    assert summary.complete and summary.n_annotated == 0
    assert_same_store(store, seed_store)


def test_a_damaged_current_snapshot_is_written_again(
    tmp_path: Path, seed_store: Path, seed_corpus_dir: Path
) -> None:
    store = copied(seed_store, tmp_path)
    folder = Layout(store).snapshots / str(current_snapshot_id(store))
    (folder / "problems.parquet").write_bytes(b"PAR1 truncated")
    with pytest.raises(StoreError, match=r"problems\.parquet of the current snapshot is damaged"):
        open_store(store, check=False)
    batches = set(committed_batches(store))
    assert vacuum(store) == 0

    (folder / "articles.parquet").write_bytes(b"PAR1 truncated")
    assert vacuum(store) == 0  # an unreadable current snapshot: no batch is deleted
    assert set(committed_batches(store)) == batches

    summary = annotate(seed_corpus_dir, store, batch_size=2, progress=False)
    assert summary.complete and summary.n_annotated == 0
    assert summary.snapshot == folder.name
    assert len(open_store(store, check=False).articles) == 5


# --- clear messages instead of tracebacks -----------------------------------------------------------------


def test_a_store_that_is_a_file_is_refused_with_a_message(
    tmp_path: Path, seed_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store.parquet"
    path.write_bytes(b"not a folder")
    with pytest.raises(StoreError, match="is a file"):
        annotate(seed_corpus_dir, path, progress=False)
    with pytest.raises(StoreError, match="is a file"):
        open_corpus(store=path)
    assert cli.main(["annotate", "--data", str(seed_corpus_dir), "--store", str(path), "--no-progress"]) == 1
    assert "is a file" in capsys.readouterr().err
    assert path.read_bytes() == b"not a folder"


def test_a_read_only_store_is_refused_before_any_work_and_still_read(
    tmp_path: Path, seed_store: Path, seed_corpus_dir: Path
) -> None:
    store = copied(seed_store, tmp_path)
    with read_only(store):
        started = time.perf_counter()
        with pytest.raises(StoreError, match=rf"cannot write to the store folder {store}"):
            annotate(seed_corpus_dir, store, progress=False)
        assert time.perf_counter() - started < 5
        assert len(open_store(store, check=False).articles) == 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{port}", "tcp://127.0.0.1:{port}:extra"])
def test_an_unreachable_scheduler_fails_fast_naming_its_address(
    tmp_path: Path, seed_corpus_dir: Path, address: str
) -> None:
    pytest.importorskip("distributed")
    address = address.format(port=free_port())
    started = time.perf_counter()
    with pytest.raises(AnnotateError, match=rf"Dask scheduler at {address}"):
        annotate(seed_corpus_dir, tmp_path / "store", engine="dask", scheduler=address, progress=False)
    assert time.perf_counter() - started < 5


def test_a_corpus_without_usable_articles_is_refused_with_the_reasons(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(AnnotateError, match=r"no usable articles.*2 file\(s\) refused.*empty\.txt"):
        annotate(corpus, tmp_path / "store", progress=False, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "store" / "CURRENT").exists()


# --- a time budget per batch --------------------------------------------------------------------------


def test_a_batch_over_its_time_budget_is_reported_with_its_articles(
    tmp_path: Path, seed_corpus_dir: Path, seed_store: Path
) -> None:
    store = tmp_path / "store"
    summary = annotate(seed_corpus_dir, store, batch_size=2, progress=False, batch_timeout=1e-6)
    assert not summary.complete and summary.snapshot is None
    assert len(summary.over_budget) == len(summary.failures) == 3  # five articles, two per batch
    ids = sorted(article for _, articles in summary.over_budget for article in articles)
    assert ids == sorted(open_store(seed_store, check=False).articles["article_id"])
    assert all("over its time budget of 1e-06 s" in message for _, message in summary.failures)
    assert "over the time budget, articles" in str(summary) and ids[0] in str(summary)
    with pytest.raises(StoreError, match="no complete snapshot"):
        open_store(store, check=False)
    with pytest.raises(AnnotateError, match="batch_timeout"):
        annotate(seed_corpus_dir, store, progress=False, batch_timeout=0)

    assert annotate(seed_corpus_dir, store, batch_size=2, progress=False).complete
    assert_same_store(store, seed_store)


def test_on_dask_a_batch_that_does_not_finish_in_time_is_cancelled(
    tmp_path: Path, seed_corpus_dir: Path
) -> None:
    pytest.importorskip("distributed")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = [path.read_text(encoding="utf-8") for path in sorted(seed_corpus_dir.glob("articles/*.txt"))]
    (corpus / "long.txt").write_text("\n\n".join(seeds * 3), encoding="utf-8")  # a few seconds to annotate
    summary = annotate(
        corpus, tmp_path / "store", engine="dask", workers=1, progress=False, batch_timeout=0.5
    )
    assert not summary.complete
    assert summary.over_budget == [(summary.failures[0][0], ["long"])]
    assert "cancelled: no batch finished within the time budget of 0.5 s" in summary.failures[0][1]


def test_annotate_refuses_a_manifest_file_outside_the_corpus_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("Wang Yi met Sergey Lavrov in Moscow on Monday to discuss the war in Ukraine.\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "articles.csv").write_text("id,file,outlet\nx1,../elsewhere.txt,Alpha\n", encoding="utf-8")
    command = ["annotate", "--data", str(data), "--store", str(tmp_path / "store"), "--no-progress"]
    assert cli.main(command) == 1
    error = capsys.readouterr().err
    assert "articles.csv" in error and "outside the corpus folder" in error
    assert cli.main([*command, "--allow-outside"]) == 0
    assert open_store(tmp_path / "store").articles["article_id"].tolist() == ["x1"]
