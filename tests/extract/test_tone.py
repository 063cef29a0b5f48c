"""Sentences of a parsed body with VADER tone and the named entities in them."""

import newsdesk
from newsdesk.extract.tone import sentence_frame


def test_tone_of_sentences_and_entities() -> None:
    doc = newsdesk.nlp()("Wang Yi praised the excellent talks. Wang condemned the brutal attack.")
    frame = sentence_frame(doc)
    assert frame["tone"].iloc[0] > 0.3 and frame["tone"].iloc[1] < -0.3
    assert frame["entities"].tolist() == [["Wang Yi"], ["Wang Yi"]]  # "Wang" is the article's Wang Yi
