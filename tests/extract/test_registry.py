"""The step registry: declarations, keys and namespaces, schemas, and the in-memory runner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import newsdesk
from newsdesk.core.cache import content_hash
from newsdesk.extract import registry
from newsdesk.extract.registry import Step, StepInputs, conform, register, schema, unregister
from newsdesk.extract.run import step_frames
from newsdesk.extract.steps import all_steps
from newsdesk.stripping.corpus import corpus_bodies

from ..corpora import TOY_STEP, long_words

BUILT_IN = [
    "timexes", "quotes", "terms", "sentences", "entities", "framing_sentences", "framing_terms", "claim_keys",
]


@pytest.fixture
def toy_step():
    register(TOY_STEP)
    yield TOY_STEP
    unregister(TOY_STEP.name)


def test_every_built_in_step_is_registered_once_in_dependency_order() -> None:
    names = [step.name for step in all_steps()]
    assert sorted(names) == sorted(BUILT_IN)
    assert names.index("quotes") < names.index("terms")  # terms run after quotes


def test_keys_and_namespaces_follow_what_a_step_depends_on() -> None:
    quotes, timexes, terms = registry.get("quotes"), registry.get("timexes"), registry.get("framing_terms")
    sha = content_hash("A body.")
    assert quotes.key(sha, "2025-01-01") == quotes.key(sha, None) == sha  # the body's hash alone
    assert timexes.key(sha, "2025-01-01") != timexes.key(sha, "2025-01-02") != sha
    assert quotes.namespace("v1") == "quotes/v1"
    assert terms.namespace("v1", "lex") == "framing_terms/v1-lex"
    with pytest.raises(ValueError, match="lexicon"):
        terms.namespace("v1")


def test_registering_checks_prerequisites_and_span_columns() -> None:
    with pytest.raises(ValueError, match="not registered"):
        register(Step("orphan", long_words, TOY_STEP.schema, version=lambda: "1", after=("nothing",)))
    with pytest.raises(ValueError, match="no start"):
        register(Step("spanless", long_words, schema(text="str"), version=lambda: "1"))
    assert "orphan" not in [step.name for step in all_steps()]
    with pytest.raises(KeyError, match="no step 'orphan'"):
        registry.get("orphan")


def test_conform_gives_the_schema_dtypes_whatever_the_frame_had() -> None:
    quotes = registry.get("quotes")
    fresh = quotes.compute(newsdesk.nlp()('"We agree," Wang Yi said.'), StepInputs())
    empty = quotes.compute(newsdesk.nlp()("Nothing quoted here."), StepInputs())
    assert len(fresh) == 1 and len(empty) == 0
    for frame in (conform(quotes, fresh), conform(quotes, empty), quotes.empty()):
        assert list(frame.columns) == quotes.columns
        assert str(frame["speaker_start"].dtype) == "Int64"  # may be missing: always nullable
        assert str(frame["start"].dtype) == "int64"
        assert frame["unbalanced"].dtype == bool
    assert conform(quotes, fresh).dtypes.equals(conform(quotes, empty).dtypes)
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError, ValueError)):
        conform(quotes, fresh.assign(start=None))  # a column that may not be missing


def test_step_frames_are_the_same_fresh_and_from_the_cache(seed_corpus_dir: Path, tmp_path: Path) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path / "cache")
    fresh = step_frames(corpus, ["quotes", "entities"], progress=False)
    again = newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path / "cache")
    cached = step_frames(again, ["quotes", "entities"], progress=False)
    assert list(tmp_path.glob("cache/quotes/*/*/*.parquet"))
    for name in ("quotes", "entities"):
        assert len(fresh[name]) == len(corpus.annotatable)
        for one, two in zip(fresh[name], cached[name], strict=True):
            pd.testing.assert_frame_equal(one, two)



def test_step_frames_of_chosen_articles_come_in_their_order(seed_corpus_dir: Path, tmp_path: Path) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path / "cache")
    every = step_frames(corpus, ["claim_keys"], progress=False)["claim_keys"]
    chosen = step_frames(corpus, ["claim_keys"], progress=False, articles=[3, 0])["claim_keys"]
    assert len(chosen) == 2
    pd.testing.assert_frame_equal(chosen[0], every[3])
    pd.testing.assert_frame_equal(chosen[1], every[0])
    assert not every[3].equals(every[0])

def test_a_toy_step_runs_in_memory_with_one_registration(
    toy_step: Step, seed_corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path / "cache")
    bodies = corpus_bodies(corpus)
    dates = ["2025-03-28"] * len(bodies)
    frames = step_frames(corpus, ["long_words"], dates=dates, progress=False)["long_words"]
    assert len(frames) == len(bodies)
    found = pd.concat(frames, ignore_index=True)
    assert len(found) and (found["date"] == "2025-03-28").all()
    for body, frame in zip(bodies["body"], frames, strict=True):
        spans = zip(frame["start"], frame["end"], strict=True)
        assert [body[start:end] for start, end in spans] == frame["text"].tolist()
    with pytest.raises(ValueError, match="need the articles' dates"):
        step_frames(corpus, ["long_words"])
