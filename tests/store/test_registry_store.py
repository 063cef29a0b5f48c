"""The store serves exactly the registered steps, and a step added by one registration flows through it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import newsdesk
from newsdesk.extract.registry import register, unregister
from newsdesk.extract.run import step_frames
from newsdesk.extract.steps import all_steps
from newsdesk.metadata.dates import publication_dates
from newsdesk.store.annotate import annotate
from newsdesk.store.corpus import open_store
from newsdesk.store.format import BASE_SCHEMAS, StoreError, table_schemas
from newsdesk.stripping.corpus import corpus_bodies

from ..corpora import TOY_STEP


def _dates(corpus) -> list[str | None]:
    bodies = corpus_bodies(corpus)[["article_id"]]
    effective = bodies.merge(publication_dates(corpus), on="article_id", how="left")
    return [None if pd.isna(d) else d.date().isoformat() for d in effective["effective_date"]]


def test_the_store_serves_exactly_the_registered_steps(seed_store: Path) -> None:
    store = open_store(seed_store)
    registered = {step.name for step in all_steps()}
    assert {step.name for step in store.cache.served.values()} == registered
    assert set(table_schemas()) == set(BASE_SCHEMAS) | registered
    assert set(store.versions) == {"format", "pipeline", "strip", "pubdate"} | registered


def test_a_step_registered_once_is_computed_stored_and_served(seed_corpus_dir: Path, tmp_path: Path) -> None:
    register(TOY_STEP)
    try:
        summary = annotate(seed_corpus_dir, tmp_path / "store", batch_size=3, progress=False)
        assert summary.complete
        store = open_store(tmp_path / "store")
        stored = store.table("long_words")
        assert len(stored) and set(stored["article_id"]) <= set(store.articles["article_id"])
        # Served from the store: nothing is computed (no cache miss), and it equals the in-memory run.
        served = step_frames(store, ["long_words"], dates=_dates(store), progress=False)["long_words"]
        assert store.cache.misses == {}
        corpus = newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path / "cache")
        fresh = step_frames(corpus, ["long_words"], dates=_dates(corpus), progress=False)["long_words"]
        assert len(served) == len(fresh) == len(corpus.annotatable)
        for one, two in zip(served, fresh, strict=True):
            pd.testing.assert_frame_equal(one, two)
        # The stored text offsets point at the same words in the loaded text.
        texts = store.articles.set_index("article_id")["text"]
        for row in stored.itertuples():
            assert texts[row.article_id][row.text_start : row.text_end] == row.text
    finally:
        unregister(TOY_STEP.name)


def test_a_store_of_an_older_format_is_refused_with_a_message(seed_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "old"
    shutil.copytree(seed_store, copy)
    snapshot = next(p for p in (copy / "snapshots").iterdir() if p.is_dir())
    meta = json.loads((snapshot / "snapshot.json").read_text())
    meta["format"] = "2"
    (snapshot / "snapshot.json").write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="annotate into a new store"):
        open_store(copy)
