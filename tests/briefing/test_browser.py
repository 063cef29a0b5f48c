"""A briefing of the project's notebooks, opened from disk in headless Chromium with the network off.

The corpus is the seeds plus one article written here whose text carries HTML that would run if it
were not escaped. Chromium is Debian's (``make browser`` installs it); Playwright only drives it.
"""

from __future__ import annotations

import re
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from newsdesk.briefing.runner import run_briefing
from newsdesk.present import charts, tables
from newsdesk.present.framing_charts import chart_name

from ..conftest import PROJECT
from .chromium import launch

#: Every notebook of a briefing (each costs ~10 s) and some of the charts they export.
NOTEBOOKS = tuple(sorted(p.name for p in (PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
EXPECTED_CHARTS = (
    "00_article_lengths", "01_stripping_by_reason", "02_speaker_counts", "03_timeline",
    "04_terms_war_naming", chart_name("04_distinctive", "(unknown: 000_ea60f509096378bf)"), "04_voices",
    "04_tone", "05_key_dates",
)  # fmt: skip

SCRIPT = "<script>window.__newsdeskInjected = 'script'</script>"
IMAGE = "<img src=x onerror=\"window.__newsdeskInjected = 'img'\">"
UNSAFE_ARTICLE = f"""Beijing rejects "interference" claims ahead of Moscow talks

BEIJING, April 1, 2025 - China's foreign ministry on Tuesday dismissed what it called outside interference
in its ties with Russia, a day after Foreign Minister Wang Yi arrived in Moscow.

"Those who paste {SCRIPT} into their statements will not change our policy," foreign ministry
spokesperson Guo Jiakun said at a regular news briefing in Beijing.

Guo said a post that showed the markup {IMAGE} had been shared online by accounts he did not name.

Wang Yi is expected to meet Russian Foreign Minister Sergey Lavrov in Moscow on Wednesday, the ministry said.
"""


@pytest.fixture(scope="module")
def briefing(tmp_path_factory: pytest.TempPathFactory, seed_corpus_dir: Path) -> Path:
    """Every notebook run on the seeds plus the unsafe article (once for this module)."""
    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    shutil.copytree(seed_corpus_dir, data)
    (data / "articles" / "900_unsafe_markup.txt").write_text(UNSAFE_ARTICLE, encoding="utf-8")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(PROJECT / "notebooks" / name, notebooks / name)
    out = root / "briefing"
    title = {"title": "Browser test <briefing>"}
    run_briefing(data, out, notebooks_dir=notebooks, parameters=title, log=lambda _: None)
    return out


@pytest.fixture(scope="module")
def browser_page(briefing: Path) -> Iterator[dict]:
    """The report opened from disk: the page, console errors, page errors and blocked requests."""
    playwright = pytest.importorskip("playwright.sync_api")
    seen: dict = {"console": [], "errors": [], "blocked": []}
    with playwright.sync_playwright() as p:
        context = launch(p, briefing.parent / "chromium-profile")

        def route(r) -> None:
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                seen["blocked"].append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.goto((briefing / "report.html").as_uri())
        page.wait_for_function(
            "[...document.querySelectorAll('.newsdesk-chart')].every(e => e.hasAttribute('data-drawn'))",
            timeout=30_000,
        )
        page.wait_for_function(
            "[...document.querySelectorAll('.newsdesk-table')].every(e => e.hasAttribute('data-ready'))",
            timeout=30_000,
        )
        seen["page"] = page
        yield seen
        context.close()


def test_every_chart_draws_without_errors_or_requests(browser_page: dict, briefing: Path) -> None:
    page = browser_page["page"]
    drawn = page.evaluate(
        """[...document.querySelectorAll('.newsdesk-chart')].map(e => ({
            id: e.id, drawn: e.getAttribute('data-drawn'),
            marks: e.querySelectorAll('svg [role="graphics-symbol"]').length}))"""
    )
    specs = sum(
        charts.SPEC_MIMETYPE in output.get("data", {})
        for nb in sorted(briefing.glob("*.ipynb"))
        for cell in nbformat.read(nb, as_version=4).cells
        for output in cell.get("outputs", [])
    )
    assert len(drawn) == specs >= len(EXPECTED_CHARTS)
    assert [c["id"] for c in drawn if c["drawn"] != "true" or c["marks"] == 0] == []
    assert browser_page["console"] == [] and browser_page["errors"] == []
    assert browser_page["blocked"] == [], "the report asked another host for something"


def test_article_markup_is_shown_as_text_and_nothing_ran(browser_page: dict) -> None:
    page = browser_page["page"]
    text = page.inner_text("body")
    assert SCRIPT in text, "the article's <script> is shown as text"
    assert page.evaluate("window.__newsdeskInjected") is None
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.title() == "Browser test <briefing>"


def test_exports_exist_with_the_theme_size(briefing: Path) -> None:
    folder = briefing / "charts"
    for name in EXPECTED_CHARTS:
        png = (folder / f"{name}.png").read_bytes()
        assert struct.unpack(">II", png[16:24]) == (charts.WIDTH * charts.SCALE, charts.HEIGHT * charts.SCALE)
        svg = (folder / f"{name}.svg").read_text(encoding="utf-8")
        assert f'width="{charts.WIDTH}" height="{charts.HEIGHT}"' in svg
        assert (folder / f"{name}.csv").stat().st_size > 0
    index = (briefing / "index.html").read_text(encoding="utf-8")
    assert all(f'href="charts/{name}.svg"' in index for name in EXPECTED_CHARTS)


#: Whether cells are in ascending order as DataTables sorts text (``localeCompare``).
IN_ORDER = "cells => cells.every((c, i) => !i || cells[i - 1].textContent.localeCompare(c.textContent) <= 0)"


def _table_payloads(briefing: Path) -> list[dict]:
    return [
        output["data"][tables.TABLE_MIMETYPE]
        for nb in sorted(briefing.glob("*.ipynb"))
        for cell in nbformat.read(nb, as_version=4).cells
        for output in cell.get("outputs", [])
        if tables.TABLE_MIMETYPE in output.get("data", {})
    ]


def test_long_tables_sort_search_and_filter(browser_page: dict, briefing: Path) -> None:
    from playwright.sync_api import expect

    page = browser_page["page"]
    payloads = _table_payloads(briefing)
    ready = page.evaluate("[...document.querySelectorAll('.newsdesk-table')].map(e => e.dataset.ready)")
    assert ready == ["true"] * len(payloads) and len(payloads) >= 6, "quotes, timeline, examples, claims"
    quotes = page.locator(".newsdesk-table", has_text="Every quote")
    rows, info = quotes.locator("tbody tr"), quotes.locator(".dt-info")
    unfiltered = info.inner_text()
    assert rows.count() == tables.PAGE_ROWS and "filtered" not in unfiltered, "one page of all the quotes"

    search = quotes.locator(".dt-search input")
    search.fill("onerror")
    expect(info).to_contain_text("filtered from")
    found = rows.all_inner_texts()
    assert len(found) == 1 and "<img src=x onerror=" in found[0], "the article's markup is a cell's text"
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    search.fill("")
    expect(info).to_have_text(unfiltered)

    speaker = quotes.locator("tfoot input[placeholder='speaker']")
    speaker.fill("Guo Jiakun")
    expect(info).to_contain_text("filtered from")
    speakers = quotes.locator("tbody tr td:nth-child(3)")
    assert set(speakers.all_inner_texts()) == {"Guo Jiakun"}
    speaker.fill("")
    expect(info).to_have_text(unfiltered)

    assert not speakers.evaluate_all(IN_ORDER), "the quotes do not start sorted by speaker"
    quotes.locator("thead th", has_text="speaker").first.click()
    expect(speakers.first).to_have_class(re.compile(r"\bsorting_1\b"))
    assert speakers.count() == tables.PAGE_ROWS and speakers.evaluate_all(IN_ORDER)
    assert page.evaluate("window.__newsdeskInjected") is None
    assert browser_page["console"] == [] and browser_page["errors"] == [] and browser_page["blocked"] == []
