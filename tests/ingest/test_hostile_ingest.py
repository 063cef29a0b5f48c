"""Hostile and careless input to the ingest layer (issue #20): each test builds the bad input in tmp_path.

Files outside the corpus folder, lossy decoding, bidi control characters, broken manifests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from newsdesk import CorpusError, load_corpus
from newsdesk.ingest.problems import PROBLEM_COLUMNS
from tests.corpora import write

GENEVA = "Foreign ministers met in Geneva on Tuesday.\nThey agreed to resume ceasefire talks next week.\n"
VIENNA = "Envoys from both sides arrived in Vienna on Monday.\nA joint statement is expected on Friday.\n"
SECRET = "root:x:0:0:secret outside the corpus\n"

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX links")


def problem_rows(corpus) -> list[tuple]:
    """Problems as plain tuples (file, line, severity, article_id, message), NA as None."""
    return [
        tuple(None if pd.isna(value) else value for value in row)
        for row in corpus.problems[PROBLEM_COLUMNS].itertuples(index=False)
    ]


@pytest.fixture
def outside_and_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A secret file beside (not in) a corpus folder that holds one good article."""
    secret = write(tmp_path / "private", "passwd", SECRET)
    corpus = tmp_path / "corpus"
    write(corpus, "geneva.txt", GENEVA)
    return secret, corpus


# --- 1. files outside the corpus folder -------------------------------------------------------


@pytest.mark.parametrize("how", ["dotdot", "absolute"])
def test_manifest_file_outside_the_corpus_is_refused_on_its_line(outside_and_corpus, how):
    secret, corpus = outside_and_corpus
    cell = "../private/passwd" if how == "dotdot" else str(secret)
    write(corpus, "articles.csv", f"id,file,outlet\ngen,geneva.txt,Le Temps\npw,{cell},Evil\n")

    loaded = load_corpus(corpus)

    assert list(loaded.articles["article_id"]) == ["gen"]
    assert not loaded.articles["text"].str.contains("secret").any()
    [refusal] = [row for row in problem_rows(loaded) if row[2] == "error"]
    assert refusal[:4] == ("articles.csv", 3, "error", "pw")
    assert f"resolves to {secret.resolve()}, outside the corpus folder" in refusal[4]
    assert "allow_outside=True" in refusal[4]
    with pytest.raises(CorpusError, match=r"articles.csv:3: error: file .* outside the corpus folder"):
        load_corpus(corpus, strict=True)


def test_allow_outside_loads_a_manifest_file_outside_the_corpus(outside_and_corpus):
    secret, corpus = outside_and_corpus
    write(corpus, "articles.csv", f"id,file\ngen,geneva.txt\npw,{secret}\n")

    loaded = load_corpus(corpus, allow_outside=True)

    assert list(loaded.articles["article_id"]) == ["gen", "pw"]
    assert loaded.articles.set_index("article_id").loc["pw", "text"] == SECRET
    assert not [row for row in problem_rows(loaded) if row[2] == "error"]


@needs_symlinks
@pytest.mark.parametrize("with_manifest", [False, True])
def test_symlinked_file_to_outside_is_refused_naming_the_link(outside_and_corpus, with_manifest):
    secret, corpus = outside_and_corpus
    (corpus / "passwd.txt").symlink_to(secret)
    if with_manifest:
        write(corpus, "articles.csv", "id,file\ngen,geneva.txt\npw,passwd.txt\n")

    loaded = load_corpus(corpus)

    assert list(loaded.articles["article_id"]) == ["gen" if with_manifest else "geneva"]
    [refusal] = [row for row in problem_rows(loaded) if row[2] == "error"]
    if with_manifest:
        assert refusal[:4] == ("articles.csv", 3, "error", "pw")
    else:
        assert refusal[:2] == ("passwd.txt", None)
    assert "outside the corpus folder" in refusal[4]
    assert str(secret.resolve()) in refusal[4]

    allowed = load_corpus(corpus, allow_outside=True)
    assert SECRET in set(allowed.articles["text"])


@needs_symlinks
def test_symlinked_subfolder_to_outside_is_refused_and_not_searched(tmp_path, outside_and_corpus):
    _, corpus = outside_and_corpus
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "notes.txt", VIENNA)
    (corpus / "linked").symlink_to(elsewhere, target_is_directory=True)
    (corpus / "loop").symlink_to(tmp_path, target_is_directory=True)  # an ancestor: must not recurse forever

    loaded = load_corpus(corpus)

    assert list(loaded.articles["article_id"]) == ["geneva"]
    refusals = {row[0]: row[4] for row in problem_rows(loaded) if row[2] == "error"}
    assert set(refusals) == {"linked", "loop"}
    assert "folder is a symbolic link to" in refusals["linked"]
    assert "its files are not loaded" in refusals["linked"]

    allowed = load_corpus(corpus, allow_outside=True)
    assert VIENNA in set(allowed.articles["text"])


@needs_symlinks
def test_links_that_stay_inside_the_corpus_are_fine(outside_and_corpus):
    _, corpus = outside_and_corpus
    write(corpus, "2025/vienna.txt", VIENNA)
    (corpus / "latest").symlink_to(corpus / "2025", target_is_directory=True)
    write(corpus, "articles.csv", "id,file\ngen,geneva.txt\nvie,latest/vienna.txt\n")

    loaded = load_corpus(corpus)

    assert sorted(loaded.articles["article_id"]) == ["gen", "vie"]
    assert problem_rows(loaded) == []


# --- 8. manifest CSV robustness ---------------------------------------------------------------


@pytest.fixture
def four_articles(tmp_path: Path) -> Path:
    for name in "abcd":
        write(tmp_path, f"{name}.txt", f"Envoys met in city {name} on Monday.\n")
    return tmp_path


def test_unclosed_quote_does_not_swallow_the_later_rows(four_articles):
    write(
        four_articles,
        "articles.csv",
        'id,file,outlet,published\na,a.txt,"Le Temps,2025-01-01\nb,b.txt,BBC,2025-01-02\n'
        'c,c.txt,"CNN, Inc",2025-01-03\nd,d.txt,DW,2025-01-04\n',
    )

    loaded = load_corpus(four_articles)

    by_id = loaded.articles.set_index("article_id")
    assert by_id["outlet"].to_dict() == {"a": "Le Temps,2025-01-01", "b": "BBC", "c": "CNN, Inc", "d": "DW"}
    assert by_id.loc["d", "published"] == "2025-01-04"
    assert by_id["in_manifest"].all()
    [quote] = [row for row in problem_rows(loaded) if "quote" in row[4]]
    assert quote[:3] == ("articles.csv", 2, "warning")
    assert "not closed" in quote[4] and "lines 3-4" in quote[4]
    assert not [row for row in problem_rows(loaded) if "not listed in the manifest" in row[4]]


def test_unclosed_quote_in_the_last_cell_of_a_row_is_reported(four_articles):
    write(four_articles, "articles.csv", 'id,file,note\na,a.txt,"checked by\nb,b.txt,ok\nc,c.txt\nd,d.txt\n')

    loaded = load_corpus(four_articles)

    notes = loaded.articles.set_index("article_id")["note"]
    assert notes.dropna().to_dict() == {"a": "checked by", "b": "ok"}
    assert loaded.articles["in_manifest"].all()
    assert [row[:3] for row in problem_rows(loaded) if "quote" in row[4]] == [("articles.csv", 2, "warning")]


def test_a_quoted_note_over_two_lines_is_still_one_cell(four_articles):
    note = "first line\nsecond, with, commas"  # three fields, as a row would have
    write(four_articles, "articles.csv", f'id,file,note\na,a.txt,"{note}"\nb,b.txt,ok\n')

    loaded = load_corpus(four_articles)

    assert loaded.articles.set_index("article_id").loc["a", "note"] == note
    assert not [row for row in problem_rows(loaded) if row[0] == "articles.csv"]


def test_oversized_manifest_cell_is_an_error_on_its_line_not_a_csv_traceback(four_articles):
    huge = "x" * 200_000
    write(
        four_articles,
        "articles.csv",
        f'id,file,outlet\na,a.txt,BBC\nb,b.txt,"{huge}"\nc,c.txt,CNN\nd,d.txt,{huge}\n',
    )

    loaded = load_corpus(four_articles)

    errors = [row for row in problem_rows(loaded) if row[2] == "error"]
    assert [row[:2] for row in errors] == [("articles.csv", 3), ("articles.csv", 5)]
    assert all("longer than the CSV limit" in row[4] for row in errors)
    assert loaded.articles.set_index("article_id").loc[["a", "c"], "outlet"].tolist() == ["BBC", "CNN"]
    # the files of the refused rows are still loaded (as not listed), never silently dropped
    assert set(loaded.articles["article_id"]) == {"a", "b", "c", "d"}
    with pytest.raises(CorpusError, match=r"articles\.csv:3: error: row cannot be read"):
        load_corpus(four_articles, strict=True)


def test_oversized_header_is_a_corpus_error(four_articles):
    write(four_articles, "articles.csv", f"id,file,{'n' * 200_000}\na,a.txt,x\n")
    with pytest.raises(CorpusError, match=r"articles\.csv:1: error: row cannot be read"):
        load_corpus(four_articles)


def test_extra_columns_named_like_internal_ones_are_kept_with_a_prefix(four_articles):
    write(
        four_articles,
        "articles.csv",
        "id,file,outlet,Text,sha256,status,,outlet,outlet_source\na,a.txt,BBC,T,S,ST,E,O2,wire\n",
    )

    loaded = load_corpus(four_articles)

    article = loaded.articles.set_index("article_id").loc["a"]
    assert article["text"] == "Envoys met in city a on Monday.\n"
    assert article["outlet"] == "BBC"
    assert (article["status"], article["sha256"]) != ("ST", "S")
    kept = {
        "manifest_text": "T", "manifest_sha256": "S", "manifest_status": "ST", "manifest_column_7": "E",
        "manifest_outlet": "O2", "manifest_outlet_source": "wire",
    }  # fmt: skip
    assert {name: article[name] for name in kept} == kept
    renames = [row for row in problem_rows(loaded) if row[0] == "articles.csv"]
    assert [row[1:3] for row in renames] == [(1, "warning")] * 6
    assert any("column 7 has no name; kept as 'manifest_column_7'" in row[4] for row in renames)


def test_reserved_manifest_names_cover_every_column_the_library_adds():
    from newsdesk.ingest.corpus import ARTICLE_COLUMNS
    from newsdesk.ingest.manifest import KNOWN_COLUMNS, RESERVED_COLUMNS
    from newsdesk.metadata.resolve import DATE_COLUMNS, OUTLET_COLUMNS
    from newsdesk.metadata.syndication import COPY_COLUMNS

    added = {*ARTICLE_COLUMNS, *OUTLET_COLUMNS, *DATE_COLUMNS, *COPY_COLUMNS} - set(KNOWN_COLUMNS)
    assert added <= RESERVED_COLUMNS


# --- 6. lossy decoding ------------------------------------------------------------------------

# A seed-like article full of typographic marks, ending in one.
TYPOGRAPHIC = (
    "The minister\u2019s \u201cplan\u201d was rejected \u2014 again, officials said on Tuesday.\n" * 12
    + "Talks resume next week \u2014"
)


@pytest.mark.parametrize("cut", [1, 2], ids=["one-byte-short", "two-bytes-short"])
def test_utf8_file_cut_inside_its_last_character_stays_utf8(tmp_path, cut):
    data = TYPOGRAPHIC.encode("utf-8")[:-cut]  # the final dash loses its last byte(s)
    write(tmp_path, "cut.txt", data)

    loaded = load_corpus(tmp_path)

    text = loaded.articles.set_index("article_id").loc["cut", "text"]
    assert text == TYPOGRAPHIC[:-1] + "\ufffd"
    assert "\u00e2\u20ac" not in text  # no mojibake ("â€™")
    [warning] = problem_rows(loaded)
    assert warning[:4] == ("cut.txt", 13, "warning", "cut")
    assert "ends in the middle of a UTF-8 character" in warning[4]


def test_utf8_file_with_a_few_bad_bytes_keeps_its_utf8_characters(tmp_path):
    lines = TYPOGRAPHIC.split("\n")
    lines[3] = lines[3].replace("again", "caf\u00e9").encode("utf-8").decode("utf-8")
    data = "\n".join(lines).encode("utf-8").replace("caf\u00e9".encode(), b"caf\xe9")  # one Latin-1 byte
    write(tmp_path, "mixed.txt", data)

    loaded = load_corpus(tmp_path)

    text = loaded.articles.loc[0, "text"]
    assert "caf\ufffd" in text
    assert text.count("\u2019") == 12 and text.count("\u2014") == 13
    [warning] = problem_rows(loaded)
    assert warning[1:3] == (4, "warning")
    assert "not valid UTF-8 in 1 place(s) (first on line 4)" in warning[4]


def test_genuine_windows_1252_still_decodes_as_windows_1252(tmp_path):
    cp1252 = "The caf\u00e9 near the \u201cPalais\u201d was closed \u2014 again.\n" * 20 + "Na\u00efve \u2014"
    write(tmp_path, "legacy.txt", cp1252.encode("cp1252"))

    loaded = load_corpus(tmp_path)

    assert loaded.articles.loc[0, "text"] == cp1252
    assert [row[4] for row in problem_rows(loaded)] == [
        "not valid UTF-8 (first bad byte on line 1); decoded as Windows-1252"
    ]


CHINESE = (
    "中国外交部发言人在北京表示，双方将于2025年3月28日在日内瓦恢复谈判。\n"
    "会谈预计持续三天，联合国特使也将出席。\n"
)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [CHINESE, CHINESE * 20, CHINESE.split("\n")[0] + "\n", GENEVA], ids=[
    "chinese", "long-chinese", "one-line-chinese", "english",
])  # fmt: skip
def test_utf16_without_bom_in_any_script_is_decoded_not_refused_as_binary(tmp_path, encoding, text):
    write(tmp_path, "zh.txt", text.encode(encoding))

    loaded = load_corpus(tmp_path)

    assert loaded.articles.loc[0, "text"] == text
    assert [row[2:] for row in problem_rows(loaded) if "UTF-16" in row[4]] == [
        ("warning", "zh", f"decoded as {encoding.upper()} (no byte-order mark)")
    ]
    assert not [row for row in problem_rows(loaded) if row[2] == "error"]


def test_binary_with_nul_bytes_is_still_refused(tmp_path):
    import struct

    write(tmp_path, "table.txt", struct.pack("<2000H", *range(2000)))  # little-endian integers
    write(tmp_path, "noise.txt", bytes(range(256)) * 8)

    loaded = load_corpus(tmp_path)

    assert len(loaded.articles) == 0
    assert {row[0] for row in problem_rows(loaded) if row[2] == "error"} == {"table.txt", "noise.txt"}


def test_utf8_text_with_a_few_stray_nuls_is_not_taken_for_utf16(tmp_path):
    data = ("Envoys met in Geneva on Tuesday \u2014 again.\n" * 4).encode("utf-8")
    data = data[:11] + b"\x00" + data[11:41] + b"\x00" + data[41:]
    write(tmp_path, "nul.txt", data)

    loaded = load_corpus(tmp_path)

    assert loaded.articles.loc[0, "text"] == "Envoys met in Geneva on Tuesday \u2014 again.\n" * 4
    assert [row[4] for row in problem_rows(loaded)] == ["removed 2 NUL byte(s)"]


def test_a_single_line_of_8_mb_of_prose_is_loaded_whole(tmp_path):
    sentence = "The minister said the talks would resume next week in Geneva, and diplomats were cautious. "
    text = sentence * (8_000_000 // len(sentence) + 1) + "\n"
    write(tmp_path, "one-line.txt", text)

    loaded = load_corpus(tmp_path)

    assert loaded.articles.loc[0, "n_chars"] == len(text)
    assert loaded.articles.loc[0, "status"] == "ok"
    assert problem_rows(loaded) == []


# --- 3b. bidirectional control characters -----------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_controls_are_removed_from_article_text_with_a_warning(tmp_path):
    text = "Envoys met in Geneva.\nThe vote was \u202e52 to 48\u202c, officials said.\n" + BIDI + "End.\n"
    write(tmp_path, "bidi.txt", text)

    loaded = load_corpus(tmp_path)

    clean = loaded.articles.loc[0, "text"]
    assert clean == "Envoys met in Geneva.\nThe vote was 52 to 48, officials said.\nEnd.\n"
    assert not any(ch in clean for ch in BIDI)
    assert loaded.articles.loc[0, "status"] == "repaired"
    [warning] = problem_rows(loaded)
    assert warning[:4] == ("bidi.txt", 2, "warning", "bidi")
    assert warning[4].startswith("removed 14 bidirectional control character(s)")


def test_bidi_controls_are_removed_from_manifest_cells_and_file_name_ids(tmp_path):
    write(tmp_path, "a.txt", GENEVA)
    write(tmp_path, "invoice\u202etxt.exe.txt", VIENNA)
    write(tmp_path, "articles.csv", "id,file,outlet\n\u202ea,a.txt,\u202eBBC\u202c\n")

    loaded = load_corpus(tmp_path)

    by_file = loaded.articles.set_index("file")
    assert by_file.loc["a.txt", ["article_id", "outlet"]].tolist() == ["a", "BBC"]
    assert by_file.loc["invoice\u202etxt.exe.txt", "article_id"] == "invoicetxt.exe"
    warnings = [row for row in problem_rows(loaded) if "bidirectional" in row[4]]
    assert [row[:4] for row in warnings] == [
        ("articles.csv", 2, "warning", "a"),
        ("invoice\u202etxt.exe.txt", None, "warning", "invoicetxt.exe"),
    ]
