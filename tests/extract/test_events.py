"""Events dated by timexes: each expression with its sentence and subject, verb and object."""

import datetime as dt

import newsdesk
from newsdesk.extract.events import events_from_doc


def test_odd_input_gives_no_rows() -> None:
    frame = events_from_doc(newsdesk.nlp()(""), dt.date(2025, 3, 28))
    assert frame.empty and {"start", "value", "sentence", "event"} <= set(frame.columns)
    frame = events_from_doc(newsdesk.nlp()("No dates here at all, just words."), None)
    assert frame.empty
