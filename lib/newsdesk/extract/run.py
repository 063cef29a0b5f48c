"""Run registered steps over a corpus in memory, through the disk cache (which a store answers too)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from newsdesk.core.cache import content_hash
from newsdesk.extract.registry import Step, StepInputs, conform, get
from newsdesk.extract.steps import all_steps
from newsdesk.parsing.parse import parse_cached
from newsdesk.stripping.corpus import corpus_bodies

if TYPE_CHECKING:
    from newsdesk.extract.lexicons import TermLexicon
    from newsdesk.ingest.corpus import Corpus


def step_frames(
    corpus: Corpus,
    names: Sequence[str],
    *,
    dates: Sequence[str | None] | None = None,
    lexicon: TermLexicon | None = None,
    progress: bool | None = None,
    description: str = "Annotating",
    articles: Sequence[int] | None = None,
) -> dict[str, list[pd.DataFrame]]:
    """Each named step's frame for every article, in ``corpus_bodies(corpus)`` order (or for the
    articles at the positions ``articles`` of that order, in their order).

    A frame comes from ``corpus.cache`` (the disk cache, or the store a corpus was opened from) under
    the step's namespace and key; the articles missing any are parsed once (through the Doc cache)
    and what was missing is computed, conformed to the step's schema and cached.

    Args:
        names: registered step names.
        dates: each article's effective date (ISO day or None), for steps that need it.
        lexicon: the framing lexicon, for steps that need it.
    """
    steps = [get(name) for name in names]
    texts = corpus_bodies(corpus)["body"].fillna("").astype(str).tolist()
    if any(step.needs_date for step in steps) and dates is None:
        raise ValueError(f"steps {', '.join(s.name for s in steps if s.needs_date)} need the articles' dates")
    if any(step.needs_lexicon for step in steps) and lexicon is None:
        raise ValueError(f"steps {', '.join(s.name for s in steps if s.needs_lexicon)} need a lexicon")
    day = list(dates) if dates is not None else [None] * len(texts)
    if articles is not None:
        texts, day = [texts[i] for i in articles], [day[i] for i in articles]
    shas = [content_hash(text) for text in texts]
    fingerprint = lexicon.fingerprint if lexicon is not None else None
    cache = corpus.cache
    order = _with_prerequisites(steps)
    namespaces = {step.name: step.namespace(lexicon=fingerprint) for step in order}

    def cached(step: Step, index: int) -> pd.DataFrame | None:
        return cache.read_frame(namespaces[step.name], step.key(shas[index], day[index]))

    found = {step.name: [cached(step, i) for i in range(len(texts))] for step in steps}
    missing = [i for i in range(len(texts)) if any(found[step.name][i] is None for step in steps)]
    if missing:
        matcher = _matcher(lexicon) if any(step.needs_lexicon for step in order) else None
        docs = parse_cached(
            [texts[i] for i in missing], cache=cache, progress=progress, description=description
        )
        for index, doc in zip(missing, docs, strict=True):
            computed: dict[str, pd.DataFrame] = {}
            for step in order:  # a step's prerequisites come first, from the cache where it has them
                have = found[step.name][index] if step.name in found else cached(step, index)
                if have is None:
                    inputs = StepInputs(date=day[index], matcher=matcher, frames=computed)
                    have = conform(step, step.compute(doc, inputs))
                    cache.write_frame(namespaces[step.name], step.key(shas[index], day[index]), have)
                    if step.name in found:
                        found[step.name][index] = have
                computed[step.name] = have
    return {name: [frame for frame in frames if frame is not None] for name, frames in found.items()}


def _with_prerequisites(steps: Sequence[Step]) -> list[Step]:
    """``steps`` and the steps they run after, in registration order."""
    wanted = {step.name for step in steps}
    for step in reversed(all_steps()):
        if step.name in wanted:
            wanted.update(step.after)
    return [step for step in all_steps() if step.name in wanted]


def _matcher(lexicon: TermLexicon | None) -> Any:
    from newsdesk.extract.lexicons import TermMatcher
    from newsdesk.parsing.pipeline import nlp

    if lexicon is None:
        raise ValueError("a step needs the framing lexicon")
    return TermMatcher(lexicon, nlp())
