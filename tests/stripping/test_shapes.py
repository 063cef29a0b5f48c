"""Dump shapes: Markdown read, blobs cut into sentences, offsets kept into the loaded text."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import newsdesk
from newsdesk.core.cache import DiskCache
from newsdesk.present.boilerplate import article_summary, dump_shapes
from newsdesk.stripping import shapes, sitechrome, stripper
from newsdesk.stripping.corpus import strip_articles

DATA = Path(__file__).resolve().parents[2] / "data"
SEEDS = sorted((DATA / "articles").glob("*.txt"))

ARTICLE = (
    "China's foreign minister Wang Yi arrived in Moscow on Monday for two days of talks. "
    "Mr. Wang told reporters that relations between the two countries were at their best. "
    "Russian Foreign Minister Sergei Lavrov said the talks would cover trade, energy and security. "
    "The visit follows a phone call between the two presidents last month, officials said. "
    "Analysts in Beijing said the trip was meant to show that ties remain close despite sanctions."
)

MARKDOWN_PAGE = f"""[Skip to content](#main)

* [Home](https://news.example.org/)
* [World](https://news.example.org/world)
* [Business](https://news.example.org/business)

# Wang Yi arrives in Moscow for talks

By [Jane Doe](https://news.example.org/authors/jane-doe)

![Wang Yi in Moscow](https://img.example.org/wang.jpg)

{ARTICLE.replace("Russian Foreign Minister", "[Russian Foreign Minister](https://en.wikipedia.org/wiki/Lavrov)")}

The two ministers are due to meet again in **September**, a _Kremlin_ spokesman said on Tuesday, \
adding that a date for the next summit had not been set and that both sides wanted it this year.

Trade between the two countries reached a record last year, according to Chinese customs data, \
and officials in both capitals said they expected it to grow further as new routes open.

* * *

[Share on Facebook](https://facebook.com/share?u=x) [Share on X](https://x.com/intent)

[Privacy policy](https://news.example.org/privacy) [Terms](https://news.example.org/terms)
"""


def _pieces_map_back(text: str, result: newsdesk.Stripped) -> None:
    frame = result.lines
    for start, end, piece in zip(frame["start"], frame["end"], frame["text"], strict=True):
        assert text[start:end] == piece


def test_seeds_are_layout_text() -> None:
    assert {shapes.detect_shape(path.read_text(encoding="utf-8")) for path in SEEDS} == {"lines"}


def test_markdown_is_read_and_link_targets_leave_the_body() -> None:
    assert shapes.detect_shape(MARKDOWN_PAGE) == "markdown"
    result = newsdesk.strip(MARKDOWN_PAGE)
    assert result.shape == "markdown"
    _pieces_map_back(MARKDOWN_PAGE, result)
    assert "](" not in result.body and "http" not in result.body and "wikipedia" not in result.body
    assert "Russian Foreign Minister Sergei Lavrov said the talks" in result.body  # link text stays
    assert "meet again in September, a Kremlin spokesman said" in result.body  # emphasis marks go
    assert result.title == "Wang Yi arrives in Moscow for talks"  # "# " left out of the headline
    assert "Privacy policy" not in result.body


def test_markdown_pieces_give_exact_offsets_around_a_link() -> None:
    view = shapes.read_shape(MARKDOWN_PAGE)
    at = view.text.index("Russian Foreign Minister Sergei")
    piece = int(np.searchsorted(view.view_starts, at, side="right") - 1)
    start = int(view.starts[piece] + (at - view.view_starts[piece]))
    assert MARKDOWN_PAGE[start : start + len("Russian Foreign Minister")] == "Russian Foreign Minister"
    after = view.text.index("Sergei Lavrov")
    piece = int(np.searchsorted(view.view_starts, after, side="right") - 1)
    start = int(view.starts[piece] + (after - view.view_starts[piece]))
    assert MARKDOWN_PAGE[start : start + len("Sergei Lavrov")] == "Sergei Lavrov"  # past the link target


def test_a_shape_can_be_forced_and_an_unknown_one_is_refused() -> None:
    assert shapes.read_shape(MARKDOWN_PAGE, "lines").text == MARKDOWN_PAGE  # read as layout text
    with pytest.raises(ValueError, match="unknown dump shape 'pdf'"):
        shapes.read_shape(MARKDOWN_PAGE, "pdf")


def test_layout_text_with_list_bullets_is_not_markdown() -> None:
    layout = "Menu\n  * World\n  * Business\n\n" + ARTICLE.replace(". ", ".\n\n") + "\n  * A bullet point."
    assert shapes.detect_shape(layout) == "lines"


def test_a_blob_is_cut_into_sentences_and_chrome_at_its_ends_can_go() -> None:
    blob = (
        "Home World Business Sport Subscribe Log in Already a subscriber? Log in "
        f"Wang Yi arrives in Moscow for talks {ARTICLE} {ARTICLE.replace('Monday', 'Tuesday')} "
        "Follow us on Telegram. Join us on Telegram. Copyright © 2024 Example News. All rights reserved."
    )
    assert "\n" not in blob
    result = newsdesk.strip(blob)
    assert result.shape == "blob"
    _pieces_map_back(blob, result)
    units = result.lines.groupby("line_no")["text"].agg(lambda pieces: "".join(pieces)).tolist()
    assert "Mr. Wang told reporters that relations between the two countries were at their best." in units
    assert len(units) >= 10
    assert "relations between the two countries were at their best" in result.body
    assert "All rights reserved" not in result.body
    assert newsdesk.strip(result.body).body == result.body


def test_a_blobs_body_is_read_as_a_blob_and_decided_by_the_blobs_model() -> None:
    sentences = [f"{s} (note {k})." for k, s in enumerate(ARTICLE.rstrip(".").split(". ") * 4)]
    blob = "Home World Business Sport Subscribe Log in " + " ".join(sentences) + " All rights reserved."
    result = newsdesk.strip(blob)
    assert result.shape == "blob" and "\n\n" not in result.body
    # its sentences, one a line and no blank line between them: a blob's body, read as a blob again,
    # so the layout model (which reads a paragraph a line) never re-decides it
    assert shapes.blob_body(result.body)
    again = newsdesk.strip(result.body)
    assert again.shape == "blob" and again.body == result.body
    assert stripper._body_shape(result._detail.view, result._detail.doc, result._detail.keep) == "blob"


def test_layout_text_of_paragraphs_without_blank_lines_is_no_blobs_body() -> None:
    paragraphs = "\n".join([ARTICLE] + [ARTICLE.replace("Monday", day) for day in ("Tuesday", "Friday")])
    assert not shapes.blob_body(paragraphs)  # several sentences a line
    assert shapes.detect_shape(paragraphs) == "lines"
    assert shapes.detect_shape("Home\n\n" + "\n\n".join(ARTICLE.split(". "))) == "lines"  # blank lines
    sentences = [f"{sentence}." for sentence in ARTICLE.rstrip(".").split(". ")]
    assert shapes.detect_shape("\n".join(sentences)) == "blob"  # a sentence a line
    # a page written without blank lines is no blob's body: its menus and headings end no sentence
    menu = ["Menu", "Home", "World", "Business", "Opinion", "Sport", "Wang Yi in Moscow", "By Staff Reporter"]
    assert shapes.detect_shape("\n".join(menu + sentences)) == "lines"


def test_a_huge_one_line_dump_is_segmented_not_dropped() -> None:
    sentences = [line.strip() for path in SEEDS for line in path.read_text(encoding="utf-8").split("\n")]
    prose = " ".join(s for s in sentences if len(s.split()) >= 12)
    assert len(prose) > shapes.MAX_LINE_CHARS  # the seeds' prose on one line, ~13 KB
    spans = shapes.unit_spans(prose)
    assert max(end - start for start, end in spans) <= shapes.MAX_UNIT_CHARS
    result = newsdesk.strip(prose)
    assert result.shape == "blob"
    assert len(result.body) > 0.5 * len(prose)
    # twenty megabytes without one sentence end: units of bounded size, offsets still exact
    words = "word " * 4_000_000
    spans = shapes.unit_spans(words)
    assert max(end - start for start, end in spans) <= shapes.MAX_UNIT_CHARS
    assert all(words[end] == " " for _, end in spans[:-1])


def test_notebook_summary_names_each_articles_shape(tmp_path: Path) -> None:
    articles = pd.DataFrame(
        {
            "article_id": ["md", "blob", "seed"],
            "text": [MARKDOWN_PAGE, " ".join([ARTICLE] * 4), SEEDS[0].read_text(encoding="utf-8")],
            "sha256": ["a" * 64, "b" * 64, "c" * 64],
            "outlet": [None, None, None],
            "published_date": [None, None, None],
        }
    )
    stripping = strip_articles(articles, DiskCache(tmp_path))
    summary = article_summary(stripping, shapes=dump_shapes(articles)).set_index("article_id")
    assert summary["shape"].to_dict() == {"md": "markdown", "blob": "blob", "seed": "lines"}
    md_body = stripping.bodies.set_index("article_id").loc["md", "body"]
    assert md_body == newsdesk.strip(MARKDOWN_PAGE).body and "http" not in md_body


def test_a_piece_of_a_markdown_line_is_never_site_chrome() -> None:
    # six articles of one outlet: "Subscribe" and "Reuters" are whole lines in each; "Reuters" is also
    # the link text inside "By [Reuters](...), in Moscow." (a piece of a unit), which must stay
    rows = []
    for k in range(6):
        article = f"a{k}"
        rows += [
            (article, 1, "By ", True, "body"),
            (article, 1, "Reuters", True, "body"),
            (article, 1, ", in Moscow.", True, "body"),
            (article, 2, "Subscribe", True, "body"),
            (article, 3, "Reuters", True, "body"),
        ]
    lines = pd.DataFrame(rows, columns=["article_id", "line_no", "text", "kept", "reason"])
    articles = pd.DataFrame({"article_id": [f"a{k}" for k in range(6)], "outlet": ["Wire"] * 6})
    repeated = sitechrome.repeated_lines(lines, articles)
    assert set(repeated["line"]) == {"subscribe", "reuters"}
    marked = sitechrome.mark_repeated(lines, articles, repeated)
    dropped = marked[~marked["kept"]]
    assert set(dropped["line_no"]) == {2, 3}
    assert marked[marked["line_no"] == 1]["kept"].all()


def test_long_lines_are_cut_alike_in_a_page_and_in_its_body() -> None:
    long_paragraph = " ".join([ARTICLE] * 3)  # one line of ~1,450 characters among short chrome lines
    teasers = "".join(f"Teaser headline number {k}\n" for k in range(100))
    page = "Home\nWorld\nSubscribe\n\n" + long_paragraph + "\n\n" + teasers
    result = newsdesk.strip(page)
    assert result.shape == "lines"
    units = result.lines.groupby("line_no")["text"].agg(lambda pieces: "".join(pieces)).tolist()
    assert "Mr. Wang told reporters that relations between the two countries were at their best." in units
    assert newsdesk.strip(result.body).body == result.body


def test_a_long_markdown_line_is_read_and_cut() -> None:
    linked = ARTICLE.replace("Moscow", "[Moscow](https://example.org/moscow)")
    page = "# Wang Yi in Moscow\n\n" + " ".join([linked] * 3) + "\n\n[Home](/) [News](/n) [World](/w)\n"
    view = shapes.read_shape(page)
    assert view.shape == "markdown" and "https" not in view.text
    sentence = "Mr. Wang told reporters that relations between the two countries were at their best."
    assert sentence in view.text.split("\n")
    for k in range(len(view.units)):
        piece = page[view.starts[k] : view.starts[k] + view.lengths[k]]
        assert piece == view.text[view.view_starts[k] : view.view_starts[k] + view.lengths[k]]
    result = newsdesk.strip(page)
    _pieces_map_back(page, result)
    assert newsdesk.strip(result.body).body == result.body


def test_page_size_features_are_read_within_the_training_range() -> None:
    # a page with far more units than any training page: its features stop at the range's edge
    from newsdesk.stripping import features as sf
    from newsdesk.stripping.stripper import default_model

    model = default_model()
    assert model.base_range is not None
    page = "\n".join(f"Line number {k} of a very long page." for k in range(5000))
    doc = sf.split_lines(page)
    _, aux = model.predict(sf.line_stats(doc, model.lexicon), doc.nonblank)
    low, high = model.base_range[0], model.base_range[1]
    assert ((aux["x"] >= low) & (aux["x"] <= high)).all()
    # and no feature measures the whole page: a block is measured up to a fixed size
    block = sf.BASE_NAMES.index("blk_log_lines")
    assert aux["x"][block].max() <= np.log(32) + 1e-9


def test_a_long_one_blob_article_is_kept_whatever_its_length() -> None:
    # The seeds' sentences, numbered so that none repeats, on one line: a long article in one blob.
    # A model that learnt "big pages carry much chrome" kept a third of such a blob at 100 KB.
    sentences = [
        s
        for path in SEEDS
        for line in path.read_text(encoding="utf-8").split("\n")
        for s in re.split(r"(?<=[.!?])\s+", " ".join(line.split()))
        if len(s.split()) >= 6
    ]

    def kept_share(size: int) -> float:
        parts, length = [], 0
        while length < size:
            parts.append(f"{sentences[len(parts) % len(sentences)].rstrip('.!?')} (note {len(parts)}).")
            length += len(parts[-1]) + 1
        lines = newsdesk.strip(" ".join(parts)).lines
        first = lines[lines["line_no"] <= len(sentences)]  # the first copy of every sentence
        return float(first["kept"].mean())

    small, large = kept_share(15_000), kept_share(150_000)
    assert small >= 0.75 and large >= 0.75
    assert abs(small - large) <= 0.15
    # an 8 MB single line of prose is read as sentences like any blob, never dropped whole
    assert kept_share(8_000_000) >= 0.75


# ---------------------------------------------------------------- excerpts (a page's beginning)
_EXCERPT_HEAD = (
    "Home\nWorld\nBusiness\nSport\nSubscribe\n\nWang Yi arrives in Moscow for talks\n\nBy Jane Doe\n\n"
)
_CUT_LINE = "The two ministers are due to meet again in September, a Kremlin spokesman said on Tuesday, add"


@pytest.mark.parametrize(
    ("line", "cut"),
    [
        (_CUT_LINE, True),
        (_CUT_LINE[: _CUT_LINE.rindex(",")] + ".", False),  # the sentence ends
        ("Officials said the talks would cover the following:", False),  # a colon opens what follows
        ("Wang Yi Arrives In Moscow For Two Days Of Talks With Lavrov", False),  # a headline
        ("the talks would cover trade", False),  # too few words to tell
    ],
)
def test_a_line_cut_inside_a_sentence_reads_as_cut_short(line: str, cut: bool) -> None:
    assert shapes.cut_short(line) is cut


def test_a_short_dump_ending_inside_a_sentence_is_an_excerpt() -> None:
    excerpt = _EXCERPT_HEAD + ARTICLE.replace(". ", ".\n\n") + "\n\n" + _CUT_LINE
    assert len(excerpt) <= shapes.EXCERPT_MAX_CHARS
    assert shapes.detect_shape(excerpt) == "excerpt"
    # a short dump that ends a sentence, a long one and a one-line one are no excerpt
    assert shapes.detect_shape(excerpt[: -len(_CUT_LINE)].rstrip()) == "lines"
    assert len(excerpt * 4) > shapes.EXCERPT_MAX_CHARS
    assert shapes.detect_shape(excerpt * 4) == "lines"
    assert shapes.detect_shape(excerpt.replace("\n", " ")) == "blob"
    assert shapes.read_shape(excerpt).text == excerpt  # read as layout text: a unit is a line


def test_an_excerpt_keeps_its_article_and_drops_the_cut_line() -> None:
    excerpt = _EXCERPT_HEAD + ARTICLE.replace(". ", ".\n\n") + "\n\n" + _CUT_LINE
    result = newsdesk.strip(excerpt)
    assert result.shape == "excerpt"
    _pieces_map_back(excerpt, result)
    for sentence in ARTICLE.split(". "):
        assert sentence.rstrip(".") in result.body  # no footer assumed: the article's end stays
    last = result.lines[result.lines["text"] == _CUT_LINE]
    assert last["reason"].tolist() == ["fragment"] and not last["kept"].any()
    assert "add" not in result.body.split()
    again = newsdesk.strip(result.body)
    assert again.body == result.body and again.shape == "lines"


def test_each_shape_has_its_model_file() -> None:
    from newsdesk.stripping import stripper

    assert stripper.model_path("excerpt") == stripper.EXCERPT_MODEL_PATH
    assert stripper.model_path("lines") == stripper.MODEL_PATH
    assert stripper.model_path("blob") == stripper.model_path("markdown") == stripper.SHAPES_MODEL_PATH
    assert stripper.default_model("excerpt").cut_tail and not stripper.default_model("lines").cut_tail


def _units(line: str) -> list[str]:
    return [line[start:end] for start, end in shapes.unit_spans(line)]


def test_a_sentence_glued_to_the_menu_before_it_is_a_unit_of_its_own() -> None:
    opening = "When the two ministers met in Moscow, they spoke for three hours about trade and energy."
    blob = f"Home World Business Sport Contact Us Privacy Policy {opening} {ARTICLE} {ARTICLE}"
    assert len(blob) > shapes.MAX_LINE_CHARS
    units = _units(blob)
    assert units[0] == "Home World Business Sport Contact Us Privacy Policy"
    assert units[1] == opening
    result = newsdesk.strip(blob)
    assert opening in result.body.split("\n")
    assert newsdesk.strip(result.body).body == result.body
    # a gerund opens a sentence too
    gerund = "Giving any room a fresh look can be overwhelming, but a plan helps a lot."
    assert gerund in _units(f"Home Shop Guides Interior Design {gerund} {ARTICLE} {ARTICLE} {ARTICLE}")


@pytest.mark.parametrize(
    "sentence",
    [
        # a name is never taken for the start of a sentence: it may belong to the sentence
        "Chinese Foreign Minister Wang Yi met his Russian counterpart in Beijing on Tuesday afternoon.",
        # an opening word after lower-case text is inside a sentence
        "The minister told CNN If the talks fail there will be no deal before the end of the year.",
        # a title in title case has no lower-case words after its opening word
        "Ten Things To Know About The Summit In Beijing This Week And Next Month.",
    ],
)
def test_no_cut_inside_names_sentences_or_titles(sentence: str) -> None:
    blob = f"Home World Business Sport {sentence} {ARTICLE} {ARTICLE} {ARTICLE}"
    assert len(blob) > shapes.MAX_LINE_CHARS
    assert any(unit.endswith(sentence) for unit in _units(blob))  # no cut inside the sentence


def test_a_blobs_kept_text_cut_off_from_the_article_by_chrome_is_outside_it() -> None:
    menu = "Home News World Politics Business Sport Opinion Video Subscribe Log in Search "
    footer = (
        "Sign up for our newsletter Enter your email address Subscribe Privacy Policy Terms of Use "
        "Cookie Settings Contact Us Advertise With Us Careers Sitemap Follow us on Facebook Twitter "
        "Instagram YouTube LinkedIn © 2025 Example Media Group. All rights reserved. "
    )
    teaser = (
        "Japan's central bank kept interest rates unchanged on Friday, citing weak consumer spending "
        "at home. The decision surprised some economists, who had expected a small rise before the end "
        "of the year. "
        "The bank's governor said wages needed to grow faster before policy could be tightened again. "
        "Shares in Tokyo rose slightly after the announcement, while the yen weakened against the dollar."
    )
    blob = f"{menu}{ARTICLE} {ARTICLE.replace('Monday', 'Tuesday')} {footer}{teaser}"
    result = newsdesk.strip(blob)
    assert result.shape == "blob"
    lines = result.lines
    after_footer = lines[lines["start"] >= blob.index(teaser)]
    assert (after_footer["reason"] == "outside-article").sum() >= 2
    # a unit the model is sure of stays wherever it is
    assert (after_footer.loc[after_footer["kept"], "score"] >= stripper._OUTSIDE_SURE).all()
    assert after_footer["kept"].sum() <= 1
    assert "The visit follows a phone call between the two presidents last month" in result.body
    assert newsdesk.strip(result.body).body == result.body


def test_an_article_continued_after_a_short_chrome_box_is_kept_whole() -> None:
    box = "Advertisement Read more: Xi and Putin sign energy deal Sign up for our newsletter "
    second = ARTICLE.replace("Monday", "Thursday").replace("Analysts in Beijing", "Diplomats in Moscow")
    blob = f"Home World Business Sport Subscribe Log in {ARTICLE} {box}{second} All rights reserved."
    result = newsdesk.strip(blob)
    assert result.shape == "blob"
    assert "Diplomats in Moscow said the trip was meant to show" in result.body
    assert "outside-article" not in set(result.lines["reason"])
