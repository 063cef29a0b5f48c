"""The Parquet store: ``newsdesk annotate`` writes it, ``newsdesk.open_store`` reads it like a corpus.

The seed articles are annotated once per session into a store (local engine, the ``seed_store`` fixture
of ``conftest.py``); every other run (an incremental one, one killed midway and resumed, one on a Dask
LocalCluster) is compared with it or with the in-memory corpus.
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
from newsdesk.analysis import chronology, framing
from newsdesk.analysis.chronology import corpus_timexes, timeline
from newsdesk.analysis.quotes import corpus_quoted_terms, corpus_quotes
from newsdesk.briefing import cli
from newsdesk.extract.lexicons import read_term_lexicon
from newsdesk.ingest.corpus import Corpus
from newsdesk.metadata.dates import publication_dates
from newsdesk.metadata.resolve import resolve_outlets
from newsdesk.parsing.parse import body_frames, corpus_docs, docs_namespace
from newsdesk.present.describe import corpus_overview
from newsdesk.store.annotate import annotate
from newsdesk.store.corpus import Store, open_store
from newsdesk.store.format import Layout, StoreError, committed_batches, table_schemas
from newsdesk.stripping.corpus import SiteSettings, corpus_bodies, strip_corpus

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


def loaded(path: Path, **options) -> Corpus:
    """The corpus as ``annotate`` sees it: loaded, with the outlets resolved before stripping."""
    return resolve_outlets(newsdesk.load_corpus(path, **options))


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
    for name in table_schemas():
        frame = store.table(name)
        order = [c for c in ("unit", "date_unit", "match_unit", "row", "line_no") if c in frame.columns]
        tables[name] = frame.sort_values(order, kind="stable").reset_index(drop=True)
    return tables


def assert_same_store(left: Path, right: Path) -> None:
    left_tables, right_tables = stored_tables(left), stored_tables(right)
    for name in table_schemas():
        pd.testing.assert_frame_equal(left_tables[name], right_tables[name], obj=f"table {name}")
    left_reader, right_reader = open_store(left).reader, open_store(right).reader
    where = ["batch", "date_batch", "match_batch"]  # names depend on how the work was cut, not on results
    pd.testing.assert_frame_equal(
        left_reader.index.drop(columns=where), right_reader.index.drop(columns=where)
    )
    for name in ("problems", "duplicates", "repeated", "site_groups"):
        # text columns are str or object depending on whether stripping came from the disk cache
        assert_same(left_reader.frame(name), right_reader.frame(name))


def test_store_round_trip_equals_the_in_memory_corpus(seed_store: Path, seed_corpus_dir: Path) -> None:
    corpus = loaded(seed_corpus_dir)
    store = newsdesk.open_store(seed_store)
    assert isinstance(store, Store) and len(store) == len(corpus) == 5
    assert store.outdated() == []

    assert_same(store.articles, corpus.articles)
    assert_same(store.problems, corpus.problems)
    for part in ("lines", "bodies", "repeated", "duplicates", "site_groups"):
        assert_same(getattr(strip_corpus(store), part), getattr(strip_corpus(corpus), part))
    assert_same(corpus_bodies(store), corpus_bodies(corpus))
    assert_same(corpus_overview(store), corpus_overview(corpus))
    assert_same(corpus_quotes(store), corpus_quotes(corpus))
    assert_same(corpus_quoted_terms(store), corpus_quoted_terms(corpus))
    assert_same(publication_dates(store), publication_dates(corpus))
    assert_same(corpus_timexes(store), corpus_timexes(corpus))
    assert_same(timeline(store), timeline(corpus))
    # Stored per-article results were served for all of that: nothing was parsed again.
    assert store.cache.misses == {}
    # The module functions the chronology notebook calls take the store as they take a corpus. This
    # store was annotated with --infer-dates missing, so inferring a date for every article works out
    # the dated ones at read time (pubdate misses); everything else is still served from the store.
    dates = publication_dates(store, infer="all")
    assert_same(dates, publication_dates(corpus, infer="all"))
    assert_same(chronology.corpus_timexes(store, dates=dates), chronology.corpus_timexes(corpus))
    assert set(store.cache.misses) <= {"pubdate"}


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists of entities as tuples: a frame just computed holds lists, one read back from Parquet arrays."""
    if "entities" not in frame.columns:
        return frame
    return frame.assign(entities=frame["entities"].map(tuple))


def assert_same_framing(left: framing.FramingInputs, right: framing.FramingInputs) -> None:
    for part in ("articles", "sentences", "matches", "quotes", "excluded_copies"):
        assert_same(comparable(getattr(left, part)), comparable(getattr(right, part)))
    assert left.lexicon == right.lexicon


def parsed_docs(store: Store) -> list[str]:
    """The bodies whose parsed Doc reached the store's disk cache (loaded to compute something)."""
    return list(store.cache.disk.keys(docs_namespace(store.versions["pipeline"]), ".spacy"))


def test_framing_frames_come_from_the_store_and_equal_the_in_memory_ones(
    seed_store: Path, seed_corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = loaded(seed_corpus_dir, cache_dir=tmp_path / "corpus-cache")
    store = newsdesk.open_store(seed_store, cache_dir=tmp_path / "store-cache")
    expected = framing.collect(corpus)
    found = framing.collect(store)
    assert_same_framing(found, expected)
    assert len(found.sentences) and len(found.matches)
    # The story lexicon beside the data went into the store with its matches.
    assert "china_russia_relation" in set(found.matches["question"])
    assert store.reader.meta["framing_lexicon"] == found.lexicon.fingerprint
    # Sentences and matches were served from the store's tables: no Doc was loaded for them.
    assert store.cache.misses == {} and parsed_docs(store) == []
    stored = store.table("framing_sentences", ["article_id", "text", "tone"])
    assert len(stored) == len(found.sentences)
    assert stored["tone"].between(-1, 1).all()


def test_a_changed_framing_lexicon_is_not_answered_from_the_stored_matches(
    seed_store: Path, seed_corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = loaded(seed_corpus_dir, cache_dir=tmp_path / "corpus-cache")
    store = newsdesk.open_store(seed_store, cache_dir=tmp_path / "store-cache")
    lexicons = tmp_path / "lexicons"
    shutil.copytree(seed_corpus_dir / "lexicons", lexicons)
    (lexicons / "pressure_terms.yaml").write_text(
        "economic_pressure:\n  title: How pressure is named\n  terms:\n    sanctions: [sanction]\n",
        encoding="utf-8",
    )
    assert read_term_lexicon(lexicons).fingerprint != store.reader.meta["framing_lexicon"]

    expected = framing.collect(corpus, lexicon_dir=lexicons)
    found = framing.collect(store, lexicon_dir=lexicons)
    assert_same_framing(found, expected)
    assert "economic_pressure" in set(found.matches["question"])  # the stored matches lack it
    # The matches were found again, on the stored Docs (nothing was parsed: the store has every Doc).
    assert sorted(parsed_docs(store)) == sorted(store.table("docs", ["body_sha"])["body_sha"])
    assert store.cache.misses == {}


def test_rerunning_annotate_after_a_lexicon_edit_only_matches_again(
    tmp_path: Path, seed_corpus_dir: Path, seed_store: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(seed_corpus_dir, data)
    store_path = tmp_path / "store"
    assert annotate(data, store_path, batch_size=2, progress=False).n_annotated == 5
    before = open_store(store_path)
    units = before.reader.index.set_index("article_id")[["unit", "match_unit"]]

    terms = data / "lexicons" / "framing_terms.yaml"
    terms.write_text(
        terms.read_text(encoding="utf-8")
        + "economic_pressure:\n  title: How pressure is named\n  terms:\n    sanctions: [sanction]\n",
        encoding="utf-8",
    )
    summary = annotate(data, store_path, batch_size=2, progress=False)
    assert summary.complete
    assert (summary.n_annotated, summary.n_rematched, summary.n_unchanged) == (0, 5, 5)
    store = open_store(store_path, cache_dir=tmp_path / "store-cache")
    after = store.reader.index.set_index("article_id")[["unit", "match_unit"]]
    assert (after["unit"] == units["unit"]).all() and (after["match_unit"] != units["match_unit"]).all()
    assert store.reader.meta["framing_lexicon"] == read_term_lexicon(data / "lexicons").fingerprint

    corpus = loaded(data, cache_dir=tmp_path / "corpus-cache")
    found = framing.collect(store)
    assert_same_framing(found, framing.collect(corpus))
    assert "economic_pressure" in set(found.matches["question"])
    assert store.cache.misses == {} and parsed_docs(store) == []
    # Nothing else changed: every other table is the first run's.
    for name in table_schemas():
        if name != "framing_terms":
            pd.testing.assert_frame_equal(store.table(name), before.table(name), obj=name)


def test_other_boilerplate_settings_are_recomputed_from_the_stored_lines(
    seed_store: Path, seed_corpus_dir: Path
) -> None:
    settings = SiteSettings(min_articles=2, min_group=3)
    corpus = loaded(seed_corpus_dir)
    store = newsdesk.open_store(seed_store)
    expected = strip_corpus(corpus, settings)
    assert len(expected.repeated), "these settings find a line repeated across the seed articles"
    for part in ("lines", "bodies", "repeated", "duplicates", "site_groups"):
        assert_same(getattr(strip_corpus(store, settings), part), getattr(expected, part))


def noun_chunks(doc) -> pd.DataFrame:
    """A per-article computation the store does not hold."""
    return pd.DataFrame(
        [(chunk.start_char, chunk.end_char, chunk.root.lemma_) for chunk in doc.noun_chunks],
        columns=["start", "end", "root"],
    )


def test_other_per_article_computations_start_from_the_stored_docs(
    seed_store: Path, seed_corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = loaded(seed_corpus_dir)
    store = newsdesk.open_store(seed_store, cache_dir=tmp_path / "cache")
    expected = body_frames(corpus, noun_chunks, namespace="test-noun-chunks/1")
    found = body_frames(store, noun_chunks, namespace="test-noun-chunks/1")
    assert len(found) == len(expected) == 5
    for left, right in zip(found, expected, strict=True):
        pd.testing.assert_frame_equal(left, right)
    # The empty cache was filled with the store's Docs, one per body, rather than by parsing.
    stored = store.table("docs", ["body_sha", "doc"])
    namespace = docs_namespace(store.versions["pipeline"])
    for body_sha, data in zip(stored["body_sha"], stored["doc"], strict=True):
        assert store.cache.path(namespace, body_sha, ".spacy").read_bytes() == data
    assert [doc.text for doc in corpus_docs(store)] == corpus_bodies(store)["body"].tolist()


def test_stored_tables_agree_with_each_other_and_the_loaded_text(seed_store: Path) -> None:
    store = newsdesk.open_store(seed_store)
    overview = corpus_overview(store).set_index("article_id")
    sentences, entities = store.sentences(), store.entities()
    assert sentences.groupby("article_id").size().to_dict() == overview["n_sentences"].to_dict()
    assert entities.groupby("article_id").size().to_dict() == overview["n_entities"].to_dict()
    texts = store.articles.set_index("article_id")["text"]
    bodies = corpus_bodies(store).set_index("article_id")["body"]
    for row in entities.itertuples():
        assert bodies[row.article_id][row.start : row.end] == row.text
        if "\n" not in row.text:  # a span across lines may have had lines dropped inside it
            assert texts[row.article_id][row.text_start : row.text_end] == row.text
    lines = store.table("lines")
    assert set(lines["reason"]) >= {"body", "title"}
    assert (lines["reason"] == lines["own_reason"]).all()  # no line of the seeds recurs across a site


# Written for these tests: five short stories of one outlet, each ending with the same line about it.
HARBOUR_STORIES = [
    ("Ferry service resumes after storm", "The ferry between Vlissingen and Breskens resumed service on "
     "Tuesday after two days of cancellations caused by the storm. Operators said about 3,000 passengers "
     "had been affected and that extra crossings would run through the weekend."),
    ("City council approves new bike lanes", "The city council voted 27 to 12 on Monday to build eleven "
     "kilometres of protected bike lanes along the harbour front. Construction is due to start in the "
     "spring and to take about eighteen months, the alderman for transport said."),
    ("Port strike talks stall", "Talks between dock unions and terminal operators broke off late on "
     "Wednesday without agreement on pay. The unions said they would decide next week whether to call a "
     "strike, while the operators described their offer as final."),
    ("Museum reopens maritime wing", "The maritime museum reopened its renovated east wing on Saturday, "
     "with a restored pilot boat and a new gallery on the history of the harbour. Visitor numbers on the "
     "first day were double the usual weekend figure, staff said."),
    ("Water levels fall after dry spring", "Water levels in the river have fallen to their lowest point "
     "in a decade after an unusually dry spring, forcing barges to sail with lighter loads. Shipping "
     "companies warned that freight prices could rise if the drought continues."),
]  # fmt: skip
HARBOUR_LINE = "The Harbour Post is an independent newspaper covering the port and the city since 1898."


def test_lines_repeated_across_a_site_keep_their_article_level_reason(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    rows = ["id,file,outlet,url,published"]
    for number, (title, body) in enumerate(HARBOUR_STORIES):
        (data / f"h{number}.txt").write_text(f"{title}\n\n{body}\n\n{HARBOUR_LINE}\n", encoding="utf-8")
        rows.append(f"h{number},h{number}.txt,Harbour Post,,2025-06-0{number + 1}")
    (data / "articles.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert annotate(data, tmp_path / "store", batch_size=2, progress=False).complete

    corpus = loaded(data, cache_dir=tmp_path / "corpus-cache")
    store = open_store(tmp_path / "store", cache_dir=tmp_path / "store-cache")
    lines = store.table("lines")
    repeated = lines[lines["reason"] == "repeated-across-site"]
    assert len(repeated) == 5, "the outlet's line is kept by each article and dropped as repeated"
    # own_reason is the article-level decision, as the stripper gives it for each text alone.
    for article_id, text in zip(corpus.articles["article_id"], corpus.articles["text"], strict=True):
        own = lines.loc[lines["article_id"] == article_id].sort_values("line_no")["own_reason"]
        assert own.tolist() == newsdesk.strip(text).lines["reason"].astype(str).tolist()
    for part in ("lines", "bodies", "repeated"):
        assert_same(getattr(strip_corpus(store), part), getattr(strip_corpus(corpus), part))
    # Other settings are recomputed from the stored article-level decisions: the line is back.
    settings = SiteSettings(min_group=10)
    assert_same(strip_corpus(store, settings).bodies, strip_corpus(corpus, settings).bodies)
    assert all(HARBOUR_LINE in body for body in strip_corpus(store, settings).bodies["body"])
    assert store.cache.misses == {}


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

    corpus = loaded(data)
    store = open_store(store_path)
    assert store.articles.set_index("article_id").loc["006_rotterdam_fr", "status"] == "not-english"
    assert_same(store.articles, corpus.articles)
    assert_same(corpus_overview(store), corpus_overview(corpus))
    assert_same(corpus_quotes(store), corpus_quotes(corpus))
    assert_same(corpus_timexes(store), corpus_timexes(corpus))
    quotes = corpus_quotes(store)
    new_quotes = quotes.loc[quotes["article_id"] == "005_rotterdam", "text"]
    assert any("protects every job" in text for text in new_quotes)


def annotated_units(path: Path) -> int:
    """Articles annotated in the committed batches (batches that only infer dates hold none)."""
    return sum(len(marker["units"]) for marker in committed_batches(path).values())


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
        while annotated_units(store_path) < 2:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the run committed no two annotated articles in time"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    committed = annotated_units(store_path)
    assert 2 <= committed < 5, "the run must be killed after its second article and before its last"
    with pytest.raises(StoreError, match="no complete snapshot"):
        open_store(store_path)
    # What a kill during a write leaves: a temporary file and a part whose batch has no marker.
    layout = Layout(store_path)
    (layout.table_dir("quotes") / ".tmp-half-written.parquet").write_bytes(b"PAR1 truncated")
    (layout.part("quotes", "0" * 24)).write_bytes(b"PAR1 truncated")
    # A committed batch that has lost a part no longer counts.
    lost = next(batch for batch, marker in sorted(committed_batches(store_path).items()) if marker["units"])
    layout.part("timexes", lost).unlink()
    assert annotated_units(store_path) == committed - 1
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
