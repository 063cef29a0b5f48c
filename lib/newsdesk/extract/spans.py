"""spaCy's sentences and named entities of a parsed body, as step frames (stored for reuse at scale)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from newsdesk.extract.registry import Step, StepInputs, register, schema
from newsdesk.parsing.pipeline import doc_text, pipeline_fingerprint

if TYPE_CHECKING:
    from spacy.tokens import Doc

SENTENCE_SCHEMA = schema(start="int", end="int", text="str", n_tokens="int")
ENTITY_SCHEMA = schema(start="int", end="int", text="str", label="str")


def sentence_spans(doc: Doc, inputs: StepInputs | None = None) -> pd.DataFrame:
    """One row per spaCy sentence: body offsets, text and number of tokens."""
    text = doc_text(doc)
    rows = [(s.start_char, s.end_char, text[s.start_char : s.end_char], len(s)) for s in doc.sents]
    return pd.DataFrame(rows, columns=SENTENCE_SCHEMA.names)


def entity_spans(doc: Doc, inputs: StepInputs | None = None) -> pd.DataFrame:
    """One row per named entity: body offsets, text and spaCy's label."""
    rows = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
    return pd.DataFrame(rows, columns=ENTITY_SCHEMA.names)


register(Step("sentences", sentence_spans, SENTENCE_SCHEMA, version=pipeline_fingerprint))
register(Step("entities", entity_spans, ENTITY_SCHEMA, version=pipeline_fingerprint))
