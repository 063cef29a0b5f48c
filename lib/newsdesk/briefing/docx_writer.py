"""Writing the Word memo with python-docx: styles from a template, links, bookmarks, tables, images.

python-docx has no call for hyperlinks or bookmarks, so the two are written as the WordprocessingML
elements Word itself writes (``w:hyperlink`` with a relationship id for a web address, with
``w:anchor`` for a bookmark in the document; ``w:bookmarkStart``/``w:bookmarkEnd`` around a
heading). Every string passes :func:`xml_text` first: article text may hold characters XML forbids.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

#: The styles the memo uses; a template lacking one falls back to the template's "Normal".
STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Normal", "Caption", "List Bullet", "Table Grid")
#: Characters XML 1.0 forbids (C0 controls but tab, newline and carriage return; surrogates; U+FFFE/F).
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: A bookmark name Word accepts: a letter, then letters, digits and underscores, at most 40 characters.
_BOOKMARK_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
#: The house colours of the chart theme (newsdesk.present.charts), for link text.
LINK_COLOUR = RGBColor(0x1F, 0x4E, 0x79)


def xml_text(value: object) -> str:
    """``value`` as text XML can hold: forbidden control characters removed."""
    return _NOT_XML_RE.sub("", "" if value is None else str(value))


def web_address(value: object) -> str | None:
    """``value`` when it is an http(s) address with a host (the only links the memo makes), else None."""
    if not isinstance(value, str) or not value.strip() or len(value) > 2000:
        return None
    address = value.strip()
    try:
        parts = urlsplit(address)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if any(c.isspace() or ord(c) < 32 for c in address):
        return None
    return address


class MemoDocument:
    """A memo being written: a python-docx Document opened from a template, with helpers."""

    def __init__(self, template: Path | None):
        self.document: DocumentObject = Document(str(template)) if template else Document()
        self._clear_body()
        available = {style.name for style in self.document.styles}
        self.missing_styles = [name for name in STYLES if name not in available]
        self._available = available
        self._bookmark_id = 0

    def _clear_body(self) -> None:
        """Drop a template's own body text (its sample paragraphs), keeping its section settings."""
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    def _style(self, name: str) -> str:
        return name if name in self._available else "Normal"

    def heading(self, text: str, level: int, *, bookmark: str | None = None) -> Paragraph:
        """A heading (level 0: the title), optionally the target of a bookmark."""
        style = "Title" if level == 0 else f"Heading {level}"
        paragraph = self.document.add_paragraph(style=self._style(style))
        run = paragraph.add_run(xml_text(text))
        if bookmark:
            self._bookmark(paragraph, run, bookmark)
        return paragraph

    def paragraph(self, text: str = "", *, style: str = "Normal", italic: bool = False) -> Paragraph:
        paragraph = self.document.add_paragraph(style=self._style(style))
        if text:
            paragraph.add_run(xml_text(text)).italic = italic or None
        return paragraph

    def _bookmark(self, paragraph: Paragraph, run: object, name: str) -> None:
        if not _BOOKMARK_RE.fullmatch(name):
            raise ValueError(f"bookmark name {name!r} is not one Word accepts")
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(self._bookmark_id))
        start.set(qn("w:name"), name)
        end.set(qn("w:id"), str(self._bookmark_id))
        self._bookmark_id += 1
        run_element = run._r  # type: ignore[attr-defined]
        run_element.addprevious(start)
        run_element.addnext(end)

    def link(
        self, paragraph: Paragraph, text: str, *, url: str | None = None, anchor: str | None = None
    ) -> None:
        """Append linked ``text`` to ``paragraph``: to a web ``url`` or to a bookmark ``anchor``."""
        hyperlink = OxmlElement("w:hyperlink")
        if url is not None:
            relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            hyperlink.set(qn("r:id"), relation)
        elif anchor is not None:
            hyperlink.set(qn("w:anchor"), anchor)
        else:
            raise ValueError("a link needs a url or an anchor")
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), str(LINK_COLOUR))
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.append(colour)
        properties.append(underline)
        run.append(properties)
        text_element = OxmlElement("w:t")
        text_element.text = xml_text(text)
        text_element.set(qn("xml:space"), "preserve")
        run.append(text_element)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

    def table(self, header: list[str], rows: list[list[object]]) -> Table:
        """A table with a bold header row; a cell value is text, or a (text, target) pair for a link
        (target: a web address, ``#name`` for a bookmark, or None for no link)."""
        table = self.document.add_table(rows=1, cols=len(header))
        if "Table Grid" in self._available:  # a template without it: the table takes Word's default
            table.style = "Table Grid"
        table.autofit = False
        for cell, name in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].add_run(xml_text(name)).bold = True
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                paragraph = cell.paragraphs[0]
                if isinstance(value, tuple):
                    text, target = value
                    if isinstance(target, str) and target.startswith("#"):
                        self.link(paragraph, str(text), anchor=target[1:])
                        continue
                    if target:
                        self.link(paragraph, str(text), url=target)
                        continue
                    value = text
                paragraph.add_run(xml_text(value))
        widths = _column_widths(header, self.text_width())
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # the grid, which LibreOffice reads; Word reads the cells'
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
        return table

    def text_width(self) -> int:
        """The width between the margins of the last section (EMU)."""
        section = self.document.sections[-1]
        return int(section.page_width - section.left_margin - section.right_margin)

    def image(self, png: bytes, *, width_inches: float = 6.0) -> None:
        """A chart image at ``width_inches`` wide (height by its aspect ratio)."""
        self.document.add_picture(BytesIO(png), width=Inches(width_inches))

    def footer(self, text: str) -> None:
        """``text`` in every section's footer (small type)."""
        for section in self.document.sections:
            footer = section.footer
            paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            paragraph.text = ""
            run = paragraph.add_run(xml_text(text))
            run.font.size = Pt(7)

    def page_break(self) -> None:
        self.document.add_page_break()

    def save(self, path: Path, *, title: str, marker: str) -> None:
        """Write the file; the core properties carry the title and ``marker`` (what wrote it)."""
        properties = self.document.core_properties
        properties.title = xml_text(title)[:250]
        properties.keywords = marker
        properties.comments = marker
        self.document.save(str(path))


#: Relative column widths by header (others: 1.5): sentences wide, counts narrow.
COLUMN_WEIGHTS = {"quote": 5.0, "sentence": 5.0, "example": 4.0, "text": 5.0, "value": 4.0, "articles": 1.4,
                  "date": 1.8, "dates conflict": 1.2, "article": 2.0}  # fmt: skip


def _column_widths(header: list[str], total: int) -> list[int]:
    weights = [COLUMN_WEIGHTS.get(name, 1.5) for name in header]
    return [int(total * weight / sum(weights)) for weight in weights]


def house_template(path: Path) -> None:
    """Write the package's memo template: python-docx's default styles in the house font and colours.

    The shipped ``templates/memo-template.docx`` was written by this function; a newsroom replaces
    it with its own (``<data>/memo-template.docx``), keeping the style names of :data:`STYLES`.
    """
    document = Document()
    styles = document.styles
    for name in ("Normal", "Caption", "List Bullet"):
        styles[name].font.name = "Source Sans Pro"
    styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2"):
        styles[name].font.name = "Source Sans Pro"
        styles[name].font.color.rgb = LINK_COLOUR
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(1))
    document.core_properties.title = "newsdesk memo template"
    document.core_properties.author = "newsdesk"
    document.save(str(path))
