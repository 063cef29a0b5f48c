"""The Parquet store: ``newsdesk annotate`` writes it, ``newsdesk.open_store`` reads it like a corpus.

The seed articles are annotated once per module into a store (local engine); every other run (an
incremental one, one killed midway and resumed, one on a Dask LocalCluster) is compared with it or
with the in-memory corpus.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import newsdesk
from newsdesk import chronology, cli, quote_report
from newsdesk.annotate_store import annotate
from newsdesk.boilerplate import SiteSettings
from newsdesk.store import TABLES, Layout, Store, StoreError, committed_batches, open_store

CHANGED_ID = "003_78216b02c8886212"
CHANGED_FROM = "A South Korean intelligence report from late February suggested"
CHANGED_TO = "A South Korean intelligence report from early March suggested"

# Written for these tests: a short wire story with a direct quote, a reported one and relative dates.
NEW_ARTICLE = """Dockworkers end three-day strike at Rotterdam container terminals

ROTTERDAM, June 12 (Wire) - Dockworkers at Rotterdam's two largest container terminals returned to work on
Thursday after a three-day strike over automation plans, the FNV union said.

"We have an agreement that protects every job until 2028," union spokeswoman Anja de Vries told reporters
outside the terminal gates. She said the deal would be put to a vote of members next week.

The port authority said about 40 ships had waited at anchor during the stoppage and that it expected the
backlog to clear by Monday.
"""
FRENCH_ARTICLE = """Les dockers de Rotterdam reprennent le travail après trois jours de grève

Les dockers des deux plus grands terminaux à conteneurs de Rotterdam ont repris le travail jeudi, après
une grève de trois jours contre des projets d'automatisation, a indiqué le syndicat FNV.
"""


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values of text columns as None: the library itself gives None or NaN there, depending on
    whether a per-article result was just computed or read back from its disk cache."""
    out = frame.reset_index(drop=True)
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column].dtype) or out[column].dtype == object:
            out[column] = pd.Series(
                [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in out[column]],
                dtype=object,
            )
    return out


def assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Same columns in the same order, same rows in the same order, same dtypes (text columns aside)."""
    pd.testing.assert_frame_equal(normalised(left), normalised(right), check_dtype=True)


def stored_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Every table of a store's current snapshot, rows in a canonical order."""
    store = open_store(path)
    tables = {}
    for name in TABLES:
        frame = store.table(name)
        order = [c for c in ("unit", "date_unit", "row", "line_no") if c in frame.columns]
        tables[name] = frame.sort_values(order, kind="stable").reset_index(drop=True)
    return tables


def assert_same_store(left: Path, right: Path) -> None:
    left_tables, right_tables = stored_tables(left), stored_tables(right)
    for name in TABLES:
        pd.testing.assert_frame_equal(left_tables[name], right_tables[name], obj=f"table {name}")
    left_reader, right_reader = open_store(left).reader, open_store(right).reader
    where = ["batch", "date_batch"]  # batch names depend on how the work was cut, not on the results
    pd.testing.assert_frame_equal(
        left_reader.index.drop(columns=where), right_reader.index.drop(columns=where)
    )
    for name in ("problems", "duplicates", "repeated", "site_groups"):
        # text columns are str or object depending on whether stripping came from the disk cache
        assert_same(left_reader.frame(name), right_reader.frame(name))


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, seed_corpus_dir: Path) -> Path:
    """The seed articles annotated in this process, two articles per batch."""
    path = tmp_path_factory.mktemp("store") / "seeds"
    summary = annotate(seed_corpus_dir, path, batch_size=2, progress=False)
    assert summary.complete and summary.n_annotated == 5
    return path


def test_store_round_trip_equals_the_in_memory_corpus(seed_store: Path, seed_corpus_dir: Path) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir)
    store = newsdesk.open_store(seed_store)
    assert isinstance(store, Store) and len(store) == len(corpus) == 5
    assert store.outdated() == []

    assert_same(store.articles, corpus.articles)
    assert_same(store.problems, corpus.problems)
    for part in ("lines", "bodies", "repeated", "duplicates", "site_groups"):
        assert_same(getattr(store.boilerplate(), part), getattr(corpus.boilerplate(), part))
    assert_same(store.bodies(), corpus.bodies())
    assert_same(store.overview(), corpus.overview())
    assert_same(store.quotes(), corpus.quotes())
    assert_same(quote_report.quoted_terms(store), quote_report.quoted_terms(corpus))
    assert_same(store.publication_dates(), corpus.publication_dates())
    assert_same(store.timexes(), corpus.timexes())
    assert_same(store.timeline(), corpus.timeline())
    # Stored per-article results were served for all of that: nothing was parsed again.
    assert store.cache.misses == {}
    # The module functions the chronology notebook calls take the store as they take a corpus. This
    # store was annotated with --infer-dates missing, so inferring a date for every article works out
    # the dated ones at read time (pubdate misses); everything else is still served from the store.
    dates = chronology.publication_dates(store, infer="all")
    assert_same(dates, chronology.publication_dates(corpus, infer="all"))
    assert_same(chronology.corpus_timexes(store, dates=dates), chronology.corpus_timexes(corpus))
    assert set(store.cache.misses) <= {"pubdate"}


def test_other_boilerplate_settings_are_recomputed_from_the_stored_lines(
    seed_store: Path, seed_corpus_dir: Path
) -> None:
    settings = SiteSettings(min_articles=2, min_group=3)
    corpus = newsdesk.load_corpus(seed_corpus_dir)
    store = newsdesk.open_store(seed_store)
    expected = corpus.boilerplate(settings)
    assert len(expected.repeated), "these settings find a line repeated across the seed articles"
    for part in ("lines", "bodies", "repeated", "duplicates", "site_groups"):
        assert_same(getattr(store.boilerplate(settings), part), getattr(expected, part))


def noun_chunks(doc) -> pd.DataFrame:
    """A per-article computation the store does not hold."""
    return pd.DataFrame(
        [(chunk.start_char, chunk.end_char, chunk.root.lemma_) for chunk in doc.noun_chunks],
        columns=["start", "end", "root"],
    )


def test_other_per_article_computations_start_from_the_stored_docs(
    seed_store: Path, seed_corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir)
    store = newsdesk.open_store(seed_store, cache_dir=tmp_path / "cache")
    expected = corpus.body_frames(noun_chunks, namespace="test-noun-chunks/1")
    found = store.body_frames(noun_chunks, namespace="test-noun-chunks/1")
    assert len(found) == len(expected) == 5
    for left, right in zip(found, expected, strict=True):
        pd.testing.assert_frame_equal(left, right)
    # The empty cache was filled with the store's Docs, one per body, rather than by parsing.
    stored = store.table("docs", ["body_sha", "doc"])
    for body_sha, data in zip(stored["body_sha"], stored["doc"], strict=True):
        assert store.cache.path(f"docs/{store.versions['pipeline']}", body_sha, ".spacy").read_bytes() == data
    assert [doc.text for doc in store.docs()] == store.bodies()["body"].tolist()


def test_stored_tables_agree_with_each_other_and_the_loaded_text(seed_store: Path) -> None:
    store = newsdesk.open_store(seed_store)
    overview = store.overview().set_index("article_id")
    sentences, entities = store.sentences(), store.entities()
    assert sentences.groupby("article_id").size().to_dict() == overview["n_sentences"].to_dict()
    assert entities.groupby("article_id").size().to_dict() == overview["n_entities"].to_dict()
    texts = store.articles.set_index("article_id")["text"]
    bodies = store.bodies().set_index("article_id")["body"]
    for row in entities.itertuples():
        assert bodies[row.article_id][row.start : row.end] == row.text
        if "\n" not in row.text:  # a span across lines may have had lines dropped inside it
            assert texts[row.article_id][row.text_start : row.text_end] == row.text
    lines = store.table("lines")
    assert set(lines["reason"]) >= {"body", "title"}
    assert (lines["reason"] == lines["own_reason"]).all()  # no line of the seeds recurs across a site


def test_incremental_run_annotates_only_new_and_changed_articles(
    tmp_path: Path, seed_corpus_dir: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(seed_corpus_dir, data)
    store_path = tmp_path / "store"
    assert annotate(data, store_path, batch_size=2, progress=False).n_annotated == 5
    before = open_store(store_path).reader.index.set_index("article_id")["unit"]

    again = annotate(data, store_path, batch_size=2, progress=False)
    assert (again.n_annotated, again.n_batches, again.n_unchanged) == (0, 0, 5)
    assert again.snapshot == open_store(store_path).reader.snapshot_id

    changed = data / "articles" / f"{CHANGED_ID}.txt"
    text = changed.read_text(encoding="utf-8")
    assert CHANGED_FROM in text
    changed.write_text(text.replace(CHANGED_FROM, CHANGED_TO), encoding="utf-8")
    (data / "articles" / "005_rotterdam.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (data / "articles" / "006_rotterdam_fr.txt").write_text(FRENCH_ARTICLE, encoding="utf-8")
    with (data / "articles.csv").open("a", encoding="utf-8") as manifest:
        manifest.write(
            "006_rotterdam_fr,articles/006_rotterdam_fr.txt,,,2025-06-12,fr,written for the tests\n"
        )

    summary = annotate(data, store_path, batch_size=2, progress=False)
    assert summary.complete
    assert summary.n_annotated == 3  # the changed article, the new English one and the French one
    after = open_store(store_path).reader.index.set_index("article_id")["unit"]
    assert {a for a in after.index if a not in before.index or after[a] != before[a]} == {
        CHANGED_ID,
        "005_rotterdam",
        "006_rotterdam_fr",
    }

    corpus = newsdesk.load_corpus(data)
    store = open_store(store_path)
    assert store.articles.set_index("article_id").loc["006_rotterdam_fr", "status"] == "not-english"
    assert_same(store.articles, corpus.articles)
    assert_same(store.overview(), corpus.overview())
    assert_same(store.quotes(), corpus.quotes())
    assert_same(store.timexes(), corpus.timexes())
    quotes = store.quotes()
    new_quotes = quotes.loc[quotes["article_id"] == "005_rotterdam", "text"]
    assert any("protects every job" in text for text in new_quotes)


def test_a_run_killed_midway_resumes_to_the_same_store(
    tmp_path: Path, seed_corpus_dir: Path, seed_store: Path
) -> None:
    store_path = tmp_path / "store"
    command = [sys.executable, "-m", "newsdesk", "annotate", "--data", str(seed_corpus_dir),
               "--store", str(store_path), "--batch-size", "1", "--no-progress"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy()
    )
    deadline = time.monotonic() + 180
    try:
        while len(committed_batches(store_path)) < 2:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the run committed no two batches in time"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    committed = len(committed_batches(store_path))
    assert 2 <= committed < 5, "the run must be killed after its second batch and before its last"
    with pytest.raises(StoreError, match="no complete snapshot"):
        open_store(store_path)
    # What a kill during a write leaves: a temporary file and a part whose batch has no marker.
    layout = Layout(store_path)
    (layout.table_dir("quotes") / ".tmp-half-written.parquet").write_bytes(b"PAR1 truncated")
    (layout.part("quotes", "0" * 24)).write_bytes(b"PAR1 truncated")
    # A committed batch that has lost a part no longer counts.
    layout.part("timexes", sorted(committed_batches(store_path))[0]).unlink()
    committed -= 1

    summary = annotate(seed_corpus_dir, store_path, batch_size=1, progress=False)
    assert summary.complete
    assert summary.n_annotated == 5 - committed  # the committed batches were kept, not redone
    assert summary.removed_uncommitted >= 2
    assert_same_store(store_path, seed_store)
    parts = {
        p.name.removeprefix("part-").removesuffix(".parquet") for p in layout.table_dir("quotes").iterdir()
    }
    assert parts == set(committed_batches(store_path))


def test_dask_engine_on_a_local_cluster_gives_the_same_tables(
    tmp_path: Path, seed_corpus_dir: Path, seed_store: Path
) -> None:
    pytest.importorskip("distributed")
    store_path = tmp_path / "store"
    summary = annotate(seed_corpus_dir, store_path, engine="dask", workers=2, batch_size=2, progress=False)
    assert summary.complete and summary.n_annotated == 5
    assert_same_store(store_path, seed_store)


def test_command_line_checks_its_options(tmp_path: Path, seed_corpus_dir: Path, capsys) -> None:
    arguments = ["annotate", "--data", str(seed_corpus_dir), "--store", str(tmp_path / "s")]
    assert cli.main([*arguments, "--workers", "2"]) == 1
    assert "use --engine dask" in capsys.readouterr().err
    assert (
        cli.main([*arguments, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"]) == 1
    )
    assert "--scheduler" in capsys.readouterr().err
    with pytest.raises(StoreError, match="no complete snapshot"):
        open_store(tmp_path / "s")
