"""Body offsets -> offsets in the loaded text: one article at a time and many at once agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import newsdesk
from newsdesk.stripping.corpus import corpus_bodies, strip_corpus
from newsdesk.stripping.offsets import map_spans, to_original_offsets, to_original_spans


def test_every_word_of_every_body_maps_to_the_same_word_in_the_loaded_text(seed_corpus_dir: Path) -> None:
    corpus = newsdesk.load_corpus(seed_corpus_dir)
    lines = strip_corpus(corpus).lines
    texts = corpus.articles.set_index("article_id")["text"]
    ids, starts, ends = [], [], []
    for article_id, body in zip(*(corpus_bodies(corpus)[c] for c in ("article_id", "body")), strict=True):
        for word in body.split()[:200]:
            start = body.index(word, starts[-1] + 1 if ids and ids[-1] == article_id else 0)
            ids.append(article_id)
            starts.append(start)
            ends.append(start + len(word))
            assert body[start : start + len(word)] == word
    spans = np.array(ids, dtype=object), np.array(starts), np.array(ends)
    mapped_starts, mapped_ends = to_original_spans(lines, *spans)
    bodies = corpus_bodies(corpus).set_index("article_id")["body"]
    for article_id, start, end, text_start, text_end in zip(
        ids, starts, ends, mapped_starts, mapped_ends, strict=True
    ):
        assert texts[article_id][text_start:text_end] == bodies[article_id][start:end]
    one = [i for i, a in enumerate(ids) if a == ids[0]]
    single = to_original_offsets(lines, ids[0], np.array(starts)[one])
    assert single.tolist() == mapped_starts[one].tolist()


def test_spans_of_an_article_without_body_lines_map_to_minus_one(seed_corpus_dir: Path) -> None:
    lines = strip_corpus(newsdesk.load_corpus(seed_corpus_dir)).lines
    unknown = np.array(["no-such-article"], dtype=object)
    starts, ends = to_original_spans(lines, unknown, np.array([0]), np.array([3]))
    assert starts.tolist() == [-1] and ends.tolist() == [-1]
    empty = np.array([], dtype=np.int64)
    mapped = map_spans(empty, empty, np.array([0, 5]), np.array([2, 9]))
    assert [a.tolist() for a in mapped] == [[-1, -1], [-1, -1]]


def test_a_span_moves_by_its_lines_shift() -> None:
    # Two body lines: body offsets 0.. start at text offset 10, body offsets 6.. at text offset 40.
    starts, ends = map_spans(np.array([0, 6]), np.array([10, 40]), np.array([1, 6, 7]), np.array([5, 8, 9]))
    assert starts.tolist() == [11, 40, 41] and ends.tolist() == [15, 42, 43]
