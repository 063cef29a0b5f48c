"""The Word memo: its sections, charts, links to evidence, fingerprint, template, and LibreOffice.

LibreOffice is Debian's (``make office`` installs it, as ``make browser`` installs Chromium); the
test converts the memo to PDF with it, as an analyst's word processor would open it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from newsdesk.briefing.cli import main
from newsdesk.briefing.docx_writer import house_template, web_address, xml_text
from newsdesk.briefing.word_memo import MEMO_MARKER, PACKAGE_TEMPLATE, TEMPLATE_NAME, corpus_memo

SOFFICE = Path(os.environ.get("NEWSDESK_SOFFICE", "/usr/bin/soffice"))
SECTIONS = ["The corpus", "Key quotes", "Key dates", "How the outlets differ", "Stories and omissions"]


@pytest.fixture(scope="module")
def memo_path(tmp_path_factory: pytest.TempPathFactory, seed_corpus_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("memo") / "memo.docx"
    corpus_memo(seed_corpus_dir, path, parameters={"title": "Seeds memo", "group_by": "outlet"})
    return path


def _internal_links(document) -> list[str]:
    return [link.get(qn("w:anchor")) for link in document.element.body.iter(qn("w:hyperlink"))
            if link.get(qn("w:anchor"))]  # fmt: skip


def _bookmarks(document) -> set[str]:
    return {mark.get(qn("w:name")) for mark in document.element.body.iter(qn("w:bookmarkStart"))}


def _web_links(document) -> list[str]:
    return [rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("/hyperlink")]


def test_the_memo_has_every_section_its_charts_and_the_marker(memo_path: Path) -> None:
    document = Document(str(memo_path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for section in SECTIONS:
        assert section in headings
    assert document.paragraphs[0].text == "Seeds memo"
    images = document.inline_shapes
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert len(images) >= 3 and len(captions) == len(images)
    assert all(caption.startswith(f"Figure {n}.") for n, caption in enumerate(captions, start=1))
    assert document.core_properties.keywords == MEMO_MARKER
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Wang Yi" in cells


def test_every_evidence_link_lands_on_an_appendix_entry_and_web_links_are_http(memo_path: Path) -> None:
    document = Document(str(memo_path))
    anchors = _internal_links(document)
    assert len(anchors) >= 8  # the corpus line, quotes, dates, framing findings, the story
    assert set(anchors) <= _bookmarks(document)
    appendix = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert len(appendix) == len(_bookmarks(document)) and appendix[0].startswith("E1.")
    for target in _web_links(document):
        assert web_address(target) == target


def test_the_footer_carries_the_fingerprint_equal_on_the_same_inputs(
    memo_path: Path, tmp_path: Path, seed_corpus_dir: Path
) -> None:
    footer = Document(str(memo_path)).sections[0].footer.paragraphs[0].text
    again = tmp_path / "again.docx"
    corpus_memo(seed_corpus_dir, again, parameters={"title": "Seeds memo"})
    assert "fingerprint" in footer
    assert Document(str(again)).sections[0].footer.paragraphs[0].text == footer


def test_the_fingerprint_changes_when_one_article_changes(
    memo_path: Path, tmp_path: Path, seed_corpus_dir: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(seed_corpus_dir, data)
    article = sorted(data.rglob("*.txt"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    changed = tmp_path / "changed.docx"
    corpus_memo(data, changed, parameters={"title": "Seeds memo"})
    before = Document(str(memo_path)).sections[0].footer.paragraphs[0].text
    assert Document(str(changed)).sections[0].footer.paragraphs[0].text != before


def test_a_corpus_template_gives_the_memo_its_styles(tmp_path: Path, seed_corpus_dir: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(seed_corpus_dir, data)
    template = Document(str(PACKAGE_TEMPLATE))
    template.styles["Normal"].font.name = "Courier New"
    template.styles["Normal"].font.size = Pt(13)
    template.add_paragraph("Sample text of the newsroom's template, not part of any memo.")
    template.save(str(data / TEMPLATE_NAME))
    path = tmp_path / "memo.docx"
    corpus_memo(data, path, parameters={"title": "House style"})
    document = Document(str(path))
    assert document.styles["Normal"].font.name == "Courier New"
    assert document.styles["Normal"].font.size == Pt(13)
    assert all("Sample text" not in p.text for p in document.paragraphs)


def test_a_template_without_the_memos_styles_falls_back_with_a_warning(
    tmp_path: Path, seed_corpus_dir: Path
) -> None:
    template = Document(str(PACKAGE_TEMPLATE))
    for name in ("Table Grid", "Caption", "List Bullet"):
        template.styles.element.remove(template.styles[name].element)
    chosen = tmp_path / "bare.docx"
    template.save(str(chosen))
    path = tmp_path / "memo.docx"
    with pytest.warns(UserWarning, match="lacks the styles"):
        corpus_memo(seed_corpus_dir, path, parameters={"title": "Bare"}, template=chosen)
    document = Document(str(path))
    assert len(document.tables) >= 3 and len(document.inline_shapes) >= 3


def test_the_memo_never_replaces_a_file_newsdesk_did_not_write(tmp_path: Path, seed_corpus_dir: Path) -> None:
    foreign = tmp_path / "notes.docx"
    foreign.write_bytes(b"an analyst's own file")
    argv = ["memo", "--data", str(seed_corpus_dir)]
    assert main([*argv, "--out", str(foreign)]) == 1
    assert foreign.read_bytes() == b"an analyst's own file"
    assert main([*argv, "--out", str(tmp_path)]) == 1  # a folder
    assert main([*argv, "--out", str(tmp_path / "memo.pdf")]) == 1
    assert main([*argv, "--out", str(tmp_path / "missing" / "memo.docx")]) == 1
    assert main(["memo", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "m.docx")]) == 1


def test_article_text_with_characters_xml_forbids_is_written(tmp_path: Path, seed_corpus_dir: Path) -> None:
    assert xml_text("a\x00b\x1bc\ud800d\tE") == "abcd\tE"
    data = tmp_path / "data"
    shutil.copytree(seed_corpus_dir, data)
    article = sorted(data.rglob("*.txt"))[0]
    text = article.read_text(encoding="utf-8")
    hostile = text.replace("Wang Yi", "Wang\x0b Yi", 1) + '\n"<script>x</script>\x01" said Wang Yi.\n'
    article.write_text(hostile, encoding="utf-8")
    path = tmp_path / "memo.docx"
    corpus_memo(data, path, parameters={"title": "Hostile \x07 title"})
    document = Document(str(path))
    assert document.paragraphs[0].text == "Hostile  title"


def test_web_addresses_are_only_http_links_with_a_host() -> None:
    assert web_address("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "http://", "example.org", None, "http://a b"):
        assert web_address(bad) is None


def test_the_shipped_template_is_the_house_template(tmp_path: Path) -> None:
    made = tmp_path / "template.docx"
    house_template(made)
    shipped, fresh = Document(str(PACKAGE_TEMPLATE)), Document(str(made))
    for name in ("Normal", "Title", "Heading 1", "Caption"):
        assert shipped.styles[name].font.name == fresh.styles[name].font.name == "Source Sans Pro"


def test_libreoffice_opens_the_memo_and_renders_every_chart(memo_path: Path, tmp_path: Path) -> None:
    if not SOFFICE.exists():
        pytest.fail(f"{SOFFICE} is missing: run `make office` (installs Debian's libreoffice-writer-nogui)")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(memo_path)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    pdf = tmp_path / "memo.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    n_images = len(Document(str(memo_path)).inline_shapes)
    assert content.count(b"/Subtype /Image") + content.count(b"/Subtype/Image") >= n_images


def test_a_corpus_with_nothing_to_report_still_gets_a_memo(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "note.txt").write_text(
        "Weather notes\n\nThe morning was grey and the afternoon mild along the coast.\n", encoding="utf-8"
    )
    path = tmp_path / "memo.docx"
    assert main(["memo", "--data", str(data), "--out", str(path)]) == 0
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "No direct or partial quote with a resolved speaker was found." in text
    assert "No labelled dated event was found." in text
    assert set(_internal_links(document)) <= _bookmarks(document)


def test_a_memo_from_a_store_says_what_the_memo_from_the_folder_says(
    memo_path: Path, tmp_path: Path, seed_store: Path
) -> None:
    path = tmp_path / "memo.docx"
    corpus_memo(None, path, store=seed_store, parameters={"title": "Seeds memo"})
    from_store, from_folder = Document(str(path)), Document(str(memo_path))
    headings = [p.text for p in from_store.paragraphs if p.style.name == "Heading 2"]
    assert headings == [p.text for p in from_folder.paragraphs if p.style.name == "Heading 2"]
    footer = from_store.sections[0].footer.paragraphs[0].text
    assert footer == from_folder.sections[0].footer.paragraphs[0].text
