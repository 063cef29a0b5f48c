"""``newsdesk.load_corpus``: folders with and without a manifest, and every kind of bad input.

The corpora are built in ``tmp_path``; the articles are short invented news items.
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pandas as pd
import pytest

from newsdesk import CorpusError, load_corpus
from newsdesk.core.cache import content_hash
from newsdesk.ingest.corpus import ARTICLE_COLUMNS, STATUSES
from newsdesk.ingest.language import MIN_CONFIDENCE, detect_language
from newsdesk.ingest.problems import PROBLEM_COLUMNS
from newsdesk.parsing.parse import corpus_docs
from newsdesk.present.describe import corpus_overview
from tests.corpora import write

# Short English items (under 200 letters, so language detection leaves them alone).
GENEVA = "Foreign ministers met in Geneva on Tuesday.\nThey agreed to resume ceasefire talks next week.\n"
VIENNA = "Envoys from both sides arrived in Vienna on Monday.\nA joint statement is expected on Friday.\n"
CAIRO = "Mediators in Cairo said a prisoner exchange was close.\nNeither side confirmed the report.\n"

# A longer English article: enough letters for language detection to run.
LONG_ENGLISH = (
    "Foreign ministers from France and Germany met their counterparts in Geneva on Tuesday to discuss "
    "a proposal for a ceasefire along the disputed border. Diplomats said the talks were constructive "
    "but cautious, and both delegations agreed to meet again next week. A joint statement is expected "
    "on Friday, after consultations with neighbouring governments and the United Nations envoy.\n"
)
GERMAN = (
    "Die Außenminister Frankreichs und Deutschlands trafen sich am Dienstag in Genf, um über einen "
    "Vorschlag für einen Waffenstillstand an der umstrittenen Grenze zu beraten. Nach Angaben von "
    "Diplomaten verliefen die Gespräche konstruktiv, aber vorsichtig. Beide Delegationen vereinbarten, "
    "sich in der kommenden Woche erneut zu treffen; eine gemeinsame Erklärung wird für Freitag erwartet.\n"
)
FRENCH = (
    "Les ministres des Affaires étrangères de la France et de l'Allemagne se sont réunis mardi à Genève "
    "pour discuter d'une proposition de cessez-le-feu le long de la frontière contestée. Selon les "
    "diplomates, les discussions ont été constructives mais prudentes, et les deux délégations ont "
    "convenu de se retrouver la semaine prochaine.\n"
)
HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Talks | Example News</title>"
    "<script>window.tracker = 1;</script></head>\n<body><h1>Talks resume</h1>\n"
    "<p>Envoys met in Geneva on Tuesday.</p>\n<p>More talks are planned.</p></body></html>\n"
)
PROSE_WITH_TAG = "Investigators said the hackers hid a <script> tag in the ministry's press page on Monday.\n"
MANIFEST_HEADER = "id,file,outlet,url,published,language"
NOT_ISO = "is not an ISO 8601 date (YYYY-MM-DD, optionally with time and zone); left empty"


def write_manifest(
    folder: Path, *rows: str, header: str = MANIFEST_HEADER, name: str = "articles.csv"
) -> Path:
    return write(folder, name, "\n".join([header, *rows]) + "\n")


def problem_rows(corpus) -> list[tuple]:
    """Problems as plain tuples (file, line, severity, article_id, message), NA as None."""
    return [
        tuple(None if pd.isna(value) else value for value in row)
        for row in corpus.problems[PROBLEM_COLUMNS].itertuples(index=False)
    ]


def problems_for(corpus, file: str) -> list[tuple]:
    return [row for row in problem_rows(corpus) if row[0] == file]


def article(corpus, article_id: str) -> pd.Series:
    rows = corpus.articles[corpus.articles["article_id"] == article_id]
    assert len(rows) == 1, f"{article_id!r} not loaded exactly once: {corpus.articles['article_id'].tolist()}"
    return rows.iloc[0]


# --- a folder without a manifest -------------------------------------------------------------------


def test_folder_without_manifest_loads_every_txt_with_its_name_as_id(tmp_path):
    write(tmp_path, "geneva.txt", GENEVA)
    write(tmp_path, "vienna.txt", VIENNA)
    write(tmp_path, "middle-east/cairo.txt", CAIRO)
    write(tmp_path, "readme.md", "Notes for the desk, not an article.\n")
    write(tmp_path, ".ipynb_checkpoints/geneva-checkpoint.txt", GENEVA)

    corpus = load_corpus(tmp_path)

    assert corpus.articles["article_id"].tolist() == ["geneva", "cairo", "vienna"]
    assert corpus.articles["file"].tolist() == ["geneva.txt", "middle-east/cairo.txt", "vienna.txt"]
    assert corpus.articles["text"].tolist() == [GENEVA, CAIRO, VIENNA]
    assert corpus.articles["status"].tolist() == ["ok", "ok", "ok"]
    assert corpus.articles["language"].tolist() == ["en", "en", "en"]
    assert not corpus.articles["in_manifest"].any()
    assert corpus.articles["n_chars"].tolist() == [len(GENEVA), len(CAIRO), len(VIENNA)]
    assert corpus.articles["sha256"].tolist() == [content_hash(t) for t in (GENEVA, CAIRO, VIENNA)]
    assert corpus.articles["outlet"].isna().all()
    assert corpus.articles["published_date"].isna().all()
    assert list(corpus.articles.columns) == ARTICLE_COLUMNS
    assert corpus.problems.empty
    assert list(corpus.problems.columns) == PROBLEM_COLUMNS
    assert corpus.root == tmp_path.resolve()
    assert len(corpus) == 3


def test_same_file_name_in_two_folders_gets_a_path_id(tmp_path):
    write(tmp_path, "2024/briefing.txt", GENEVA)
    write(tmp_path, "2025/briefing.txt", VIENNA)
    corpus = load_corpus(tmp_path)
    assert corpus.articles["article_id"].tolist() == ["briefing", "2025/briefing"]
    assert corpus.articles["text"].tolist() == [GENEVA, VIENNA]
    assert corpus.problems.empty


def test_a_single_text_file_can_be_loaded(tmp_path):
    write(tmp_path, "geneva.txt", GENEVA)
    write(tmp_path, "vienna.txt", VIENNA)
    corpus = load_corpus(tmp_path / "geneva.txt")
    assert corpus.articles["article_id"].tolist() == ["geneva"]
    assert corpus.articles["text"].tolist() == [GENEVA]


def test_path_that_does_not_exist_raises_naming_it(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(CorpusError, match="corpus path does not exist") as caught:
        load_corpus(missing)
    assert str(missing) in str(caught.value)
    assert caught.value.problems[0].file == str(missing)


def test_repr_counts_articles_errors_and_warnings(tmp_path):
    write(tmp_path, "geneva.txt", GENEVA)
    write(tmp_path, "bom.txt", codecs.BOM_UTF8 + VIENNA.encode())
    write(tmp_path, "empty.txt", b"")
    assert repr(load_corpus(tmp_path)) == "<Corpus 2 articles, 1 error(s), 1 warning(s)>"


# --- each bad file on its own, through the loader --------------------------------------------------

REPAIRED_CASES = {
    "bom": (codecs.BOM_UTF8 + GENEVA.encode(), GENEVA, [(None, "removed UTF-8 byte-order mark")]),
    "crlf": (
        GENEVA.replace("\n", "\r\n").encode(),
        GENEVA,
        [(None, "converted 2 Windows (CRLF) line end(s) to LF")],
    ),
    "cr": (
        GENEVA.replace("\n", "\r").encode(),
        GENEVA,
        [(None, "converted 2 old Mac (CR) line end(s) to LF")],
    ),
    "cp1252": (
        "Envoys met in Geneva.\nThe caf\u00e9 near the \u201cPalais\u201d was closed.\n".encode("cp1252"),
        "Envoys met in Geneva.\nThe caf\u00e9 near the \u201cPalais\u201d was closed.\n",
        [(2, "not valid UTF-8 (first bad byte on line 2); decoded as Windows-1252")],
    ),
    "mojibake": (
        "Envoys met in Geneva.\nThe caf\u00e9 talks went well.\n".encode().decode("cp1252").encode(),
        "Envoys met in Geneva.\nThe caf\u00e9 talks went well.\n",
        [(2, "repaired mojibake (text decoded with the wrong encoding)")],
    ),
    "nul": (
        (GENEVA + VIENNA).encode().replace(b"Vienna", b"Vie\x00nna"),
        GENEVA + VIENNA,
        [(3, "removed 1 NUL byte(s)")],
    ),
    "nbsp": (
        "Envoys met in Geneva.\nThe minister\u00a0said talks\u2009would resume.\n".encode(),
        "Envoys met in Geneva.\nThe minister said talks would resume.\n",
        [(2, "replaced 2 non-breaking, invisible or unusual space character(s)")],
    ),
    "html": (
        HTML_PAGE.encode(),
        "Talks resume\n\nEnvoys met in Geneva on Tuesday.\n\nMore talks are planned.\n",
        [(None, "HTML document given as text: converted to its visible text")],
    ),
    "utf16": (GENEVA.encode("utf-16"), GENEVA, [(None, "decoded as UTF-16 (byte-order mark found)")]),
}


@pytest.mark.parametrize("case", sorted(REPAIRED_CASES))
def test_repaired_file_is_loaded_with_status_repaired_and_a_warning_naming_it(tmp_path, case):
    data, clean_text, expected = REPAIRED_CASES[case]
    write(tmp_path, "geneva.txt", GENEVA)
    write(tmp_path, f"{case}.txt", data)

    corpus = load_corpus(tmp_path)

    row = article(corpus, case)
    assert row["text"] == clean_text
    assert row["status"] == "repaired"
    assert row["file"] == f"{case}.txt"
    assert problems_for(corpus, f"{case}.txt") == [
        (f"{case}.txt", line, "warning", case, message) for line, message in expected
    ]
    assert article(corpus, "geneva")["status"] == "ok"


UNUSABLE_CASES = {
    "empty": (b"", "empty file (0 bytes)"),
    "blank": (b"  \r\n\t\n", "file contains only whitespace"),
    "report": (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n",
        "binary file: looks like a PDF document, not text",
    ),
    "photo": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01",
        "binary file: looks like a PNG image, not text",
    ),
    "nuls": (
        b"\x00".join(GENEVA.encode()[i : i + 4] for i in range(0, 80, 4)),
        "binary file: contains many NUL bytes",
    ),
}


@pytest.mark.parametrize("case", sorted(UNUSABLE_CASES))
def test_unusable_file_has_one_error_row_and_no_article(tmp_path, case):
    data, message = UNUSABLE_CASES[case]
    write(tmp_path, "geneva.txt", GENEVA)
    write(tmp_path, f"{case}.txt", data)

    corpus = load_corpus(tmp_path)

    assert corpus.articles["article_id"].tolist() == ["geneva"]
    assert problem_rows(corpus) == [(f"{case}.txt", None, "error", case, message)]


def test_random_binary_noise_is_refused_not_loaded(tmp_path):
    write(tmp_path, "noise.txt", random.Random(7).randbytes(2048))
    corpus = load_corpus(tmp_path)
    assert corpus.articles.empty
    errors = [row for row in problems_for(corpus, "noise.txt") if row[2] == "error"]
    assert len(errors) == 1
    assert errors[0][3] == "noise"
    assert errors[0][4].startswith("binary file:")


def test_prose_mentioning_a_script_tag_is_plain_text(tmp_path):
    write(tmp_path, "hack.txt", PROSE_WITH_TAG)
    corpus = load_corpus(tmp_path)
    row = article(corpus, "hack")
    assert row["text"] == PROSE_WITH_TAG
    assert row["status"] == "ok"
    assert corpus.problems.empty


def test_file_above_max_bytes_is_refused_with_an_error_naming_it(tmp_path):
    write(tmp_path, "geneva.txt", GENEVA)
    write(tmp_path, "wire-dump.txt", (VIENNA * 40).encode())
    corpus = load_corpus(tmp_path, max_bytes=1000)
    assert corpus.articles["article_id"].tolist() == ["geneva"]
    [(file, line, severity, article_id, message)] = problem_rows(corpus)
    assert (file, line, severity, article_id) == ("wire-dump.txt", None, "error", "wire-dump")
    assert "above the" in message
    assert "raise max_bytes" in message


# --- language ---------------------------------------------------------------------------------------


def test_detect_language_recognises_german_and_english():
    code, probability = detect_language(GERMAN)
    assert code == "de"
    assert probability >= MIN_CONFIDENCE
    assert detect_language(LONG_ENGLISH)[0] == "en"


def test_detect_language_declines_to_guess_on_a_short_text():
    assert detect_language("Talks resumed in Geneva.") == (None, 0.0)


@pytest.mark.parametrize(("name", "text", "code"), [("berlin", GERMAN, "de"), ("paris", FRENCH, "fr")])
def test_non_english_article_is_kept_reported_and_marked_not_english(tmp_path, name, text, code):
    write(tmp_path, "geneva.txt", LONG_ENGLISH)
    write(tmp_path, f"{name}.txt", text)

    corpus = load_corpus(tmp_path)

    row = article(corpus, name)
    assert row["status"] == "not-english"
    assert row["language"] == code
    assert row["text"] == text
    [(file, line, severity, article_id, message)] = problem_rows(corpus)
    assert (file, line, severity, article_id) == (f"{name}.txt", None, "warning", name)
    assert message.startswith(f"text looks like language {code!r} (p=")
    assert message.endswith("not English; not annotated")
    english = article(corpus, "geneva")
    assert (english["status"], english["language"]) == ("ok", "en")
    assert corpus.annotatable["article_id"].tolist() == ["geneva"]


def test_manifest_language_is_trusted_over_detection(tmp_path):
    write(tmp_path, "berlin.txt", GERMAN)
    write(tmp_path, "geneva.txt", LONG_ENGLISH)
    write_manifest(tmp_path, "berlin,berlin.txt,,,,de-DE", "geneva,geneva.txt,,,,EN_gb")

    corpus = load_corpus(tmp_path)

    assert article(corpus, "berlin")["status"] == "not-english"
    assert article(corpus, "berlin")["language"] == "de"
    assert article(corpus, "geneva")["status"] == "ok"
    assert article(corpus, "geneva")["language"] == "en"
    assert problem_rows(corpus) == [
        (
            "berlin.txt",
            None,
            "warning",
            "berlin",
            "manifest gives language 'de'; only English is analysed, so it is not annotated",
        )
    ]


# --- with a manifest --------------------------------------------------------------------------------


def test_manifest_rows_give_ids_metadata_and_order(tmp_path):
    write(tmp_path, "texts/g.txt", GENEVA)
    write(tmp_path, "texts/v.txt", VIENNA)
    write_manifest(
        tmp_path,
        "vie-1,texts/v.txt,Daily Courier,https://courier.example/vienna,2024-03-04T09:30:00+01:00,en,Vienna,wire",
        "gen-1,texts/g.txt,The Observer,https://observer.example/geneva,2024-03-05,,Geneva,",
        header=MANIFEST_HEADER + ",dateline,note",
    )

    corpus = load_corpus(tmp_path)

    articles = corpus.articles
    assert articles["article_id"].tolist() == ["vie-1", "gen-1"]
    assert articles["file"].tolist() == ["texts/v.txt", "texts/g.txt"]
    assert articles["text"].tolist() == [VIENNA, GENEVA]
    assert articles["outlet"].tolist() == ["Daily Courier", "The Observer"]
    assert articles["url"].tolist() == ["https://courier.example/vienna", "https://observer.example/geneva"]
    assert articles["published"].tolist() == ["2024-03-04T09:30:00+01:00", "2024-03-05"]
    assert articles["published_date"].tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-03-05")]
    assert pd.api.types.is_datetime64_any_dtype(articles["published_date"])
    assert articles["note"].tolist()[0] == "wire"
    assert articles["dateline"].tolist() == ["Vienna", "Geneva"]
    assert articles["in_manifest"].all()
    assert articles["status"].tolist() == ["ok", "ok"]
    assert list(articles.columns) == [*ARTICLE_COLUMNS, "dateline"]
    assert corpus.problems.empty


def test_manifest_path_can_be_given_directly_under_any_name(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write_manifest(tmp_path, "gen,g.txt,,,2024-13-01,", name="batch-7.csv")
    corpus = load_corpus(tmp_path / "batch-7.csv")
    assert corpus.articles["article_id"].tolist() == ["gen"]
    [(file, line, severity, article_id, message)] = problem_rows(corpus)
    assert (file, line, severity, article_id) == ("batch-7.csv", 2, "warning", "gen")
    assert message.startswith("published '2024-13-01' is not a valid date")


def test_manifest_row_whose_file_is_missing_is_an_error_naming_file_and_line(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "v.txt", VIENNA)
    write_manifest(tmp_path, "gen,g.txt,,,,", "lost,archive/lost.txt,,,,", "vie,v.txt,,,,")

    corpus = load_corpus(tmp_path)

    assert corpus.articles["article_id"].tolist() == ["gen", "vie"]
    assert problem_rows(corpus) == [
        ("articles.csv", 3, "error", "lost", "file 'archive/lost.txt' does not exist"),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "05/03/2024",
            f"published '05/03/2024' {NOT_ISO}",
        ),
        (
            "2024-02-30",
            "published '2024-02-30' is not a valid date: day is out of range for month; left empty",
        ),
        ("1066-10-14", "published '1066-10-14' has an implausible year; left empty"),
        (
            "last Tuesday",
            f"published 'last Tuesday' {NOT_ISO}",
        ),
    ],
)
def test_bad_date_is_a_warning_on_its_manifest_line_and_the_article_is_kept(tmp_path, value, message):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "v.txt", VIENNA)
    write_manifest(tmp_path, "gen,g.txt,,,2024-03-05,", f"vie,v.txt,,,{value},")

    corpus = load_corpus(tmp_path)

    row = article(corpus, "vie")
    assert pd.isna(row["published"])
    assert pd.isna(row["published_date"])
    assert row["status"] == "ok"
    assert article(corpus, "gen")["published"] == "2024-03-05"
    [(file, line, severity, article_id, text)] = problem_rows(corpus)
    assert (file, line, severity, article_id) == ("articles.csv", 3, "warning", "vie")
    assert text == message


def test_duplicate_id_is_an_error_on_the_second_line_and_names_both(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "v.txt", VIENNA)
    write_manifest(tmp_path, "talks,g.txt,,,,", "talks,v.txt,,,,")

    corpus = load_corpus(tmp_path)

    assert corpus.articles["article_id"].tolist() == ["talks"]
    assert corpus.articles["text"].tolist() == [GENEVA]
    assert problem_rows(corpus) == [
        (
            "articles.csv",
            3,
            "error",
            "talks",
            "duplicate id 'talks' (first used on line 2); this row (v.txt) is not loaded",
        )
    ]


def test_file_not_in_manifest_is_loaded_with_a_warning(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "late/cairo.txt", CAIRO)
    write_manifest(tmp_path, "gen,g.txt,,,,")

    corpus = load_corpus(tmp_path)

    row = article(corpus, "cairo")
    assert row["file"] == "late/cairo.txt"
    assert not row["in_manifest"]
    assert row["status"] == "ok"
    assert row["text"] == CAIRO
    assert bool(article(corpus, "gen")["in_manifest"])
    assert problem_rows(corpus) == [
        ("late/cairo.txt", None, "warning", "cairo", "not listed in the manifest; loaded with id 'cairo'")
    ]


def test_unlisted_file_whose_name_is_a_manifest_id_gets_its_path_as_id(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "extra/gen.txt", VIENNA)
    write_manifest(tmp_path, "gen,g.txt,,,,")

    corpus = load_corpus(tmp_path)

    assert article(corpus, "extra/gen")["text"] == VIENNA
    assert problem_rows(corpus) == [
        (
            "extra/gen.txt",
            None,
            "warning",
            "extra/gen",
            "not listed in the manifest; loaded with id 'extra/gen'",
        )
    ]


def test_unlisted_file_whose_name_is_taken_gets_a_numbered_id(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "gen.txt", VIENNA)
    write_manifest(tmp_path, "gen,g.txt,,,,")

    corpus = load_corpus(tmp_path)

    assert corpus.articles["article_id"].tolist() == ["gen", "gen~2"]
    assert corpus.articles["text"].tolist() == [GENEVA, VIENNA]
    assert problem_rows(corpus) == [
        ("gen.txt", None, "warning", "gen~2", "not listed in the manifest; loaded with id 'gen~2'")
    ]


def test_manifest_problems_name_their_exact_line_past_blank_lines_and_multiline_fields(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "v.txt", VIENNA)
    write(tmp_path, "c.txt", CAIRO)
    write(
        tmp_path,
        "articles.csv",
        "id,file,published,note\r\n"
        'gen,g.txt,2024-03-05,"Two-line note:\r\nsecond line"\r\n'
        "\r\n"
        "vie,v.txt,yesterday,\r\n"
        ",c.txt,2024-03-06,\r\n"
        "gen,c.txt,,\r\n",
    )

    corpus = load_corpus(tmp_path)

    assert article(corpus, "gen")["note"] == "Two-line note:\r\nsecond line"
    assert article(corpus, "c")["text"] == CAIRO
    assert problem_rows(corpus) == [
        (
            "articles.csv",
            5,
            "warning",
            "vie",
            f"published 'yesterday' {NOT_ISO}",
        ),
        ("articles.csv", 6, "warning", "c", "empty id; using the file name 'c'"),
        (
            "articles.csv",
            7,
            "error",
            "gen",
            "duplicate id 'gen' (first used on line 2); this row (c.txt) is not loaded",
        ),
    ]


def test_other_manifest_row_problems_are_reported_by_line(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "v.txt", VIENNA)
    write_manifest(
        tmp_path,
        "gen,g.txt,,ftp://files.example/g,,",
        "again,g.txt,,,,",
        "nofile,,,,,",
        ",,Reuters,,,",
        "vie,v.txt",
    )

    corpus = load_corpus(tmp_path)

    assert corpus.articles["article_id"].tolist() == ["gen", "again", "vie"]
    assert problem_rows(corpus) == [
        ("articles.csv", 2, "warning", "gen", "url 'ftp://files.example/g' is not an http(s) address"),
        ("articles.csv", 3, "warning", "again", "file 'g.txt' is also listed on line 2"),
        ("articles.csv", 4, "error", None, "no file given for id 'nofile'"),
        ("articles.csv", 5, "error", None, "row has neither id nor file"),
        ("articles.csv", 6, "warning", None, "row has 2 fields but the header has 6"),
    ]


def test_manifest_in_windows_1252_is_read_with_a_warning_on_the_first_bad_line(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "v.txt", VIENNA)
    write(
        tmp_path,
        "articles.csv",
        "id,file,outlet\ngen,g.txt,Le Temps\nvie,v.txt,S\u00fcddeutsche Zeitung\n".encode("cp1252"),
    )

    corpus = load_corpus(tmp_path)

    assert article(corpus, "vie")["outlet"] == "S\u00fcddeutsche Zeitung"
    assert problem_rows(corpus) == [
        ("articles.csv", 3, "warning", None, "manifest is not valid UTF-8; decoded as Windows-1252")
    ]


def test_manifest_with_bom_crlf_and_odd_header_case_loads_cleanly(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "articles.csv", codecs.BOM_UTF8 + b" ID , File ,Outlet\r\ngen,g.txt,Le Temps\r\n")
    corpus = load_corpus(tmp_path)
    assert article(corpus, "gen")["outlet"] == "Le Temps"
    assert corpus.problems.empty


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "articles.csv:1: error: manifest is empty (no header row)"),
        (b"id,path\na,g.txt\n", "articles.csv:1: error: manifest has no 'file' column (header: id, path)"),
        (b"name,path\n", "articles.csv:1: error: manifest has no 'id' or 'file' column (header: name, path)"),
    ],
)
def test_unusable_manifest_raises_naming_it(tmp_path, content, message):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "articles.csv", content)
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert message in str(caught.value)


def test_manifest_columns_named_like_computed_ones_do_not_overwrite_them(tmp_path):
    # BUG: extra manifest columns are spread into the article record *after* the computed
    # fields, so a manifest column called "status", "text", "n_chars", "sha256" ... replaces
    # them. A newsroom "status" column (draft/published) hides that an article is not English
    # from corpus_docs(), and a "text" column (e.g. a teaser) replaces the article text.
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "b.txt", GERMAN)
    write_manifest(
        tmp_path,
        "gen,g.txt,,,,en,published,Teaser: talks resume",
        "ber,b.txt,,,,de,draft,",
        header=MANIFEST_HEADER + ",status,text",
    )

    corpus = load_corpus(tmp_path)

    assert article(corpus, "gen")["text"] == GENEVA
    assert article(corpus, "gen")["status"] == "ok"
    assert article(corpus, "ber")["status"] == "not-english"
    assert set(corpus.articles["status"]) <= set(STATUSES)
    assert corpus.annotatable["article_id"].tolist() == ["gen"]


# --- strict mode ------------------------------------------------------------------------------------


def test_strict_raises_corpus_error_naming_each_file_and_manifest_line(tmp_path):
    write(tmp_path, "g.txt", GENEVA)
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "scan.txt", b"%PDF-1.5 ...")
    write_manifest(tmp_path, "gen,g.txt,,,,", "lost,lost.txt,,,,", "emp,empty.txt,,,,", "scan,scan.txt,,,,")

    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path, strict=True)

    text = str(caught.value)
    assert text.startswith("3 problem(s) in the corpus:")
    assert "articles.csv:3: error: file 'lost.txt' does not exist" in text
    assert "empty.txt: error: empty file (0 bytes)" in text
    assert "scan.txt: error: binary file: looks like a PDF document, not text" in text
    assert {(p.file, p.article_id) for p in caught.value.problems} == {
        ("articles.csv", "lost"),
        ("empty.txt", "emp"),
        ("scan.txt", "scan"),
    }
    assert isinstance(caught.value, ValueError)


def test_strict_loads_a_corpus_that_has_only_warnings(tmp_path):
    write(tmp_path, "g.txt", codecs.BOM_UTF8 + GENEVA.encode())
    write(tmp_path, "v.txt", VIENNA)
    write_manifest(tmp_path, "gen,g.txt,,,not-a-date,")
    corpus = load_corpus(tmp_path, strict=True)
    assert len(corpus) == 2
    assert set(corpus.problems["severity"]) == {"warning"}


def test_strict_error_lists_at_most_twenty_problems(tmp_path):
    for i in range(25):
        write(tmp_path, f"empty-{i:02d}.txt", b"")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path, strict=True)
    assert len(caught.value.problems) == 25
    assert "empty-00.txt: error: empty file (0 bytes)" in str(caught.value)
    assert str(caught.value).endswith("... and 5 more")


# --- nothing usable at all --------------------------------------------------------------------------


def test_folder_with_only_unusable_files_gives_an_empty_corpus(tmp_path):
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "scan.txt", b"%PDF-1.5 ...")
    corpus = load_corpus(tmp_path, cache_dir=tmp_path / ".cache")
    assert len(corpus) == 0
    assert list(corpus.articles.columns) == ARTICLE_COLUMNS
    assert [row[0] for row in problem_rows(corpus)] == ["empty.txt", "scan.txt"]
    assert list(corpus_docs(corpus)) == []


def test_overview_of_an_empty_corpus_is_an_empty_table(tmp_path):
    # BUG: with no usable article, _articles_frame builds every column as float64 (reindex of an
    # empty frame), so corpus_overview()'s merge on article_id (float64 vs object) raises ValueError.
    write(tmp_path, "empty.txt", b"")
    corpus = load_corpus(tmp_path, cache_dir=tmp_path / ".cache")
    table = corpus_overview(corpus)
    assert table.empty
    assert list(table.columns) == [
        "article_id",
        "outlet",
        "published",
        "n_chars",
        "n_tokens",
        "n_sentences",
        "n_entities",
        "status",
    ]


# --- all bad cases at once: nothing is dropped silently ---------------------------------------------


def _build_everything(folder: Path) -> dict[str, str]:
    """One folder with every kind of bad input; returns the expected status per usable article id."""
    files = {
        "good.txt": GENEVA,
        "long.txt": LONG_ENGLISH,
        "bom.txt": codecs.BOM_UTF8 + VIENNA.encode(),
        "crlf.txt": CAIRO.replace("\n", "\r\n").encode(),
        "cr.txt": VIENNA.replace("\n", "\r").encode(),
        "cp1252.txt": "The caf\u00e9 near the \u201cPalais\u201d was closed.\n".encode("cp1252"),
        "mojibake.txt": "The caf\u00e9 talks went well.\n".encode().decode("cp1252").encode(),
        "nul.txt": (GENEVA + VIENNA).encode().replace(b"Vienna", b"Vie\x00nna"),
        "nbsp.txt": "The minister\u00a0said talks would resume.\n".encode(),
        "utf16.txt": CAIRO.encode("utf-16"),
        "page.txt": HTML_PAGE.encode(),
        "prose.txt": PROSE_WITH_TAG,
        "german.txt": GERMAN,
        "empty.txt": b"",
        "blank.txt": b" \n\t\n",
        "scan.txt": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "noise.txt": random.Random(3).randbytes(1024),
        "huge.txt": (LONG_ENGLISH * 20).encode(),
        "baddate.txt": VIENNA,
        "dup.txt": CAIRO,
        "unlisted.txt": GENEVA.replace("Geneva", "Oslo"),
        "late/unlisted-2.txt": VIENNA.replace("Vienna", "Doha"),
    }
    for name, content in files.items():
        write(folder, name, content)
    listed = [n for n in files if n not in ("unlisted.txt", "late/unlisted-2.txt", "dup.txt", "baddate.txt")]
    rows = [f"{Path(n).stem},{n},Wire,,2024-03-01," for n in listed]
    rows += ["baddate,baddate.txt,Wire,,31/02/2024,", "good,dup.txt,Wire,,,", "missing,missing.txt,Wire,,,"]
    write_manifest(folder, *rows)
    repaired = ["bom", "crlf", "cr", "cp1252", "mojibake", "nul", "nbsp", "utf16", "page"]
    return {
        "good": "ok",
        "long": "ok",
        "prose": "ok",
        "baddate": "ok",
        "unlisted": "ok",
        "unlisted-2": "ok",
        "german": "not-english",
        **dict.fromkeys(repaired, "repaired"),
    }


def test_every_input_file_and_manifest_line_is_accounted_for(tmp_path):
    expected_status = _build_everything(tmp_path)
    manifest_lines = (tmp_path / "articles.csv").read_text().splitlines()

    corpus = load_corpus(tmp_path, max_bytes=4000)

    articles, problems = corpus.articles, problem_rows(corpus)
    assert dict(zip(articles["article_id"], articles["status"], strict=True)) == expected_status
    assert set(articles["status"]) <= set(STATUSES)
    assert list(corpus.problems.columns) == PROBLEM_COLUMNS

    # Every text file on disk is an article or is named by a problem (its own row, or the message
    # of the manifest row that lists it).
    on_disk = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.txt"))
    for name in on_disk:
        as_article = name in set(articles["file"])
        as_problem = any(row[0] == name or name in row[4] for row in problems)
        assert as_article or as_problem, f"{name} was dropped silently"

    # Every manifest data line is an article, has a problem on that exact line, or its file has a
    # problem row carrying the line's article id.
    for number, line in enumerate(manifest_lines[1:], start=2):
        article_id, file = line.split(",")[:2]
        loaded = article_id in set(articles["article_id"]) and file in set(articles["file"])
        on_line = any(row[0] == "articles.csv" and row[1] == number for row in problems)
        by_file = any(row[0] == file and row[3] == article_id for row in problems)
        assert loaded or on_line or by_file, f"manifest line {number} ({line}) vanished"

    # Unusable files: an error row naming the file (and its article id), and no article.
    unusable = {"empty", "blank", "scan", "photo", "noise", "huge"}
    for article_id in unusable:
        errors = [row for row in problems if row[3] == article_id and row[2] == "error"]
        assert [row[0] for row in errors] == [f"{article_id}.txt"], (article_id, problems)
        assert article_id not in set(articles["article_id"])

    # Repaired files: status 'repaired' and at least one warning row for that file and id.
    for article_id, status in expected_status.items():
        file = article(corpus, article_id)["file"]
        warnings = [
            row for row in problems if row[0] == file and row[3] == article_id and row[2] == "warning"
        ]
        if status == "repaired":
            assert warnings, article_id
        errors = [row for row in problems if row[0] == file and row[2] == "error"]
        assert not errors, (article_id, errors)

    # The manifest's own problems, on their lines.
    by_line = {row[1]: row for row in problems if row[0] == "articles.csv"}
    n = len(manifest_lines)
    assert by_line[n - 2][2:4] == ("warning", "baddate")
    assert by_line[n - 1][2:] == (
        "error",
        "good",
        "duplicate id 'good' (first used on line 2); this row (dup.txt) is not loaded",
    )
    assert by_line[n][2:] == ("error", "missing", "file 'missing.txt' does not exist")

    # Unlisted files are loaded with a warning; the German article is reported and set aside.
    assert (
        "unlisted.txt",
        None,
        "warning",
        "unlisted",
        "not listed in the manifest; loaded with id 'unlisted'",
    ) in problems
    assert any(row[0] == "german.txt" and row[2] == "warning" and "'de'" in row[4] for row in problems)
    assert "german" not in set(corpus.annotatable["article_id"])

    # Problems come sorted by file, then line.
    keys = [(row[0], -1 if row[1] is None else row[1]) for row in problems]
    assert keys == sorted(keys)

    # strict mode refuses the same folder, naming the files.
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path, max_bytes=4000, strict=True)
    message = str(caught.value)
    for name in ("empty.txt", "blank.txt", "scan.txt", "photo.txt", "noise.txt", "huge.txt"):
        assert f"{name}: error:" in message
    assert f"articles.csv:{n}: error: file 'missing.txt' does not exist" in message
