"""The briefing's editable Word memo (``memo.docx``): the story on a few pages, every number traceable.

Sections follow notebook 05: title and parameters, the corpus line, key quotes (speaker, role,
outlet, date, the article's address as a link), key dates, how the outlets differ, stories and
omissions, each with its chart (title and source line drawn in the image, a caption under it). Each
figure links to an **evidence** entry in the appendix, which lists the sentences and articles behind
it. The footer carries a **fingerprint** of the inputs (article ids and text hashes, the newsdesk
version, the spaCy model and the pipeline), so a figure can be traced and reproduced: the same inputs
give the same fingerprint, any changed article another.

Styles come from ``<data>/memo-template.docx`` when the corpus has one, else from the package's
template (:func:`newsdesk.briefing.docx_writer.house_template`).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from newsdesk import __version__
from newsdesk.analysis import chronology, framing, stories
from newsdesk.analysis.quotes import corpus_quotes
from newsdesk.briefing.base import MEMO_NAME, BriefingError
from newsdesk.briefing.docx_writer import MemoDocument, web_address, xml_text
from newsdesk.core.text import shortened
from newsdesk.metadata.dates import publication_dates
from newsdesk.parsing.pipeline import MODEL_NAME, pipeline_fingerprint
from newsdesk.present import charts, framing_charts
from newsdesk.present import framing as framing_report
from newsdesk.present import memo as memo_tables
from newsdesk.present import quotes as quote_report
from newsdesk.present import stories as story_report
from newsdesk.present.quotes import quote_finding

if TYPE_CHECKING:
    import altair as alt

    from newsdesk.ingest.corpus import Corpus

#: Written into the memo's core properties: a file with it was written by newsdesk and may be replaced.
MEMO_MARKER = "written by newsdesk memo"
TEMPLATE_NAME = "memo-template.docx"
PACKAGE_TEMPLATE = Path(__file__).resolve().parent / "templates" / TEMPLATE_NAME
#: Rows of one evidence entry listed in the appendix; the entry says how many more there are.
EVIDENCE_ROWS = 25
#: Characters of a sentence shown in a table cell.
CELL_CHARS = 300
EVIDENCE_COLUMNS = ["article_id", "outlet", "date", "url", "text"]
#: The outlet cell of an article whose outlet is not known.
NO_OUTLET = "(not stated)"
#: Groups (outlets) a memo chart draws at most.
MEMO_GROUPS = 8


@dataclass
class Evidence:
    """What one figure of the memo rests on: its finding and the sentences and articles behind it."""

    anchor: str
    finding: str
    rows: pd.DataFrame


@dataclass
class MemoChart:
    """A chart for the memo: its PNG (title and source line drawn in) and a caption."""

    png: bytes
    caption: str


@dataclass
class Memo:
    """Everything the memo says, before it is written."""

    title: str
    parameters: dict[str, str]
    selection: str | None
    fingerprint: str
    fingerprint_parts: dict[str, str]
    sections: list[tuple[str, list[Any]]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def cite(self, finding: str, rows: pd.DataFrame) -> str:
        """Register evidence for ``finding``; returns its anchor (a bookmark in the appendix)."""
        anchor = f"evidence_{len(self.evidence) + 1}"
        self.evidence.append(Evidence(anchor, finding, rows.reindex(columns=EVIDENCE_COLUMNS)))
        return anchor


@dataclass
class Finding:
    """A paragraph (or bullet) with a link to its evidence."""

    text: str
    anchor: str | None
    bullet: bool = False


@dataclass
class TableBlock:
    """A table: header and rows (a cell is text, or a (text, url) or (text, "#anchor") pair)."""

    header: list[str]
    rows: list[list[object]]


def inputs_fingerprint(articles: pd.DataFrame) -> tuple[str, dict[str, str]]:
    """A SHA-256 over the articles' ids and text hashes, the newsdesk version, the spaCy model and
    the parse pipeline; with its parts, for the memo's appendix."""
    try:
        model = f"{MODEL_NAME} {version(MODEL_NAME.replace('_', '-'))}"
    except PackageNotFoundError:  # the name alone still tells models apart
        model = MODEL_NAME
    pairs = sorted(zip(articles["article_id"].astype(str), articles["sha256"].astype(str), strict=True))
    digest = hashlib.sha256()
    for article_id, sha in pairs:
        digest.update(f"{article_id}\t{sha}\n".encode())
    articles_digest = digest.hexdigest()
    parts = {
        "articles": f"{len(pairs):,}; sha256 of their ids and text hashes {articles_digest}",
        "newsdesk": __version__,
        "model": model,
        "pipeline": pipeline_fingerprint(),
    }
    whole = hashlib.sha256("\n".join(f"{k}={v}" for k, v in sorted(parts.items())).encode()).hexdigest()
    return whole, parts


def find_template(data_dir: str | Path | None) -> Path:
    """``<data>/memo-template.docx`` when the corpus folder has one (a plain file inside it), else the
    package's."""
    if data_dir is not None:
        candidate = Path(data_dir) / TEMPLATE_NAME
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return PACKAGE_TEMPLATE


def check_memo_target(path: Path) -> None:
    """Refuse to replace a file newsdesk did not write (or a folder) with the memo."""
    if path.is_dir():
        raise BriefingError(f"{path} is a folder; give the memo's file name, e.g. {path / MEMO_NAME}")
    if path.suffix.lower() != ".docx":
        raise BriefingError(f"{path}: the memo is a Word file; give a name ending in .docx")
    ours = path.exists() and not path.is_symlink() and _written_by_newsdesk(path)
    if (path.exists() or path.is_symlink()) and not ours:
        raise BriefingError(
            f"{path} exists and was not written by newsdesk; choose another file name or remove it"
        )
    if not path.parent.is_dir():
        raise BriefingError(f"{path.parent} does not exist; create the folder first")


def _written_by_newsdesk(path: Path) -> bool:
    try:
        from docx import Document

        return Document(str(path)).core_properties.keywords == MEMO_MARKER
    except Exception:
        return False


# --- content ---------------------------------------------------------------------------------------


def _date(value: object) -> str:
    stamp = pd.to_datetime(value, errors="coerce") if value is not None else pd.NaT
    return "" if pd.isna(stamp) else f"{stamp:%Y-%m-%d}"


def _article_rows(info: pd.DataFrame, frame: pd.DataFrame, text_column: str | None) -> pd.DataFrame:
    """Evidence rows for ``frame``'s articles (``info``: the articles by id): id, outlet, date, address
    and the sentence."""
    rows = pd.DataFrame({"article_id": frame["article_id"].to_numpy()})
    rows["outlet"] = rows["article_id"].map(info["outlet_name"])
    rows["date"] = [_date(d) for d in rows["article_id"].map(info["effective_date"])]
    rows["url"] = rows["article_id"].map(info["url"])
    rows["text"] = [shortened(t, CELL_CHARS) for t in frame[text_column]] if text_column else ""
    return rows


def build_memo(
    corpus: Corpus,
    *,
    title: str,
    parameters: dict[str, str] | None = None,
    include_copies: bool = False,
    group_by: str = "outlet",
    n_quotes: int = 6,
    n_events: int = 8,
) -> Memo:
    """Compute the memo's sections from ``corpus`` with the functions the notebooks use."""
    charts.use_corpus(corpus)
    articles = corpus.articles.copy()
    named = articles["outlet"].where(articles["outlet"].map(lambda o: isinstance(o, str) and bool(o.strip())))
    articles["outlet_name"] = named.fillna(NO_OUTLET)  # a reader's name: the id is in its own column
    fingerprint, parts = inputs_fingerprint(articles)
    result = Memo(title, dict(parameters or {}), corpus.selection or None, fingerprint, parts)
    dates = publication_dates(corpus)
    articles["effective_date"] = articles["article_id"].map(dates.set_index("article_id")["effective_date"])
    inputs = _Inputs(corpus, articles, dates, result, include_copies)
    quotes = corpus_quotes(corpus, include_copies=include_copies)
    result.sections += [
        ("The corpus", _corpus_section(inputs)),
        ("Key quotes", _quote_section(inputs, quotes, n_quotes)),
        ("Key dates", _date_section(inputs, n_events)),
        ("How the outlets differ", _framing_section(inputs, quotes, group_by)),
        ("Stories and omissions", _story_section(inputs)),
        ("Caveats", [Finding(CAVEATS, None)]),
    ]
    return result


@dataclass
class _Inputs:
    corpus: Corpus
    articles: pd.DataFrame  # with outlet_name and effective_date
    dates: pd.DataFrame
    memo: Memo
    include_copies: bool

    @cached_property
    def by_id(self) -> pd.DataFrame:
        """The articles indexed by their id."""
        return self.articles.set_index("article_id")

    def cite(self, finding: str, frame: pd.DataFrame, text_column: str | None) -> str:
        """Register ``frame``'s rows (article_id and ``text_column``) as the evidence of ``finding``."""
        return self.memo.cite(finding, _article_rows(self.by_id, frame, text_column))


def _corpus_section(inputs: _Inputs) -> list[Any]:
    line = memo_tables.corpus_line(inputs.corpus.articles, inputs.dates)
    first_lines = inputs.articles["text"].map(lambda t: shortened(str(t).strip().split("\n", 1)[0], 120))
    return [Finding(line, inputs.cite(line, inputs.articles.assign(text=first_lines), "text"))]


def _quote_section(inputs: _Inputs, quotes: pd.DataFrame, n_quotes: int) -> list[Any]:
    info = inputs.by_id
    rows: list[list[object]] = []
    for quote in memo_tables.key_quotes(quotes, n=n_quotes).itertuples(index=False):
        finding = f"{quote.speaker}: \u201c{shortened(quote.quote, 120)}\u201d"
        evidence = inputs.cite(finding, _carrying(quotes, quote.article_id, quote.quote), "text")
        rows.append([
            quote.speaker,
            quote.role if isinstance(quote.role, str) else "",
            (info.at[quote.article_id, "outlet_name"], web_address(info.at[quote.article_id, "url"])),
            _date(info.at[quote.article_id, "effective_date"]),
            shortened(quote.quote, CELL_CHARS),
            (f"{int(quote.n_articles):,}", f"#{evidence}"),
        ])  # fmt: skip
    finding = quote_finding(quotes)
    blocks: list[Any] = [Finding(finding, inputs.cite(finding, quotes, "text") if len(quotes) else None)]
    if not rows:
        return [*blocks, Finding("No direct or partial quote with a resolved speaker was found.", None)]
    blocks.append(TableBlock(["speaker", "role", "outlet", "date", "quote", "articles"], rows))
    speakers = charts.speaker_counts(quote_report.speaker_counts(quotes, top=10))
    return [*blocks, _chart(speakers, "Quotes per named speaker and outlet (notebook 02).")]


def _date_section(inputs: _Inputs, n_events: int) -> list[Any]:
    copies = inputs.include_copies
    timexes = chronology.corpus_timexes(inputs.corpus, dates=inputs.dates, include_copies=copies)
    events = chronology.timeline(inputs.corpus, timexes=timexes)
    key_events = memo_tables.key_events(events, n=n_events)
    if key_events.empty:
        return [Finding("No labelled dated event was found.", None)]
    labelled = events[events["event"].notna()]
    # each key event's mentions: its group's, the group named by its first label (as key_events names it)
    groups = memo_tables.event_groups(labelled)
    label_of_group = labelled.groupby(groups, sort=False)["event"].transform("first")
    rows: list[list[object]] = []
    for event in key_events.itertuples(index=False):
        mentions = labelled[label_of_group == event.event]
        evidence = inputs.cite(f"{event.date}: {event.event}", mentions, "sentence")
        count = (f"{int(event.n_articles):,}", f"#{evidence}")
        conflict = "yes" if event.conflict else ""
        rows.append([str(event.date), event.event, count, conflict, shortened(event.example, CELL_CHARS)])
    caption = "The key dated events and the articles that give them (notebook 03)."
    return [
        TableBlock(["date", "event", "articles", "dates conflict", "example"], rows),
        _chart(charts.key_dates(key_events), caption),
    ]


def _framing_section(inputs: _Inputs, quotes: pd.DataFrame, group_by: str) -> list[Any]:
    found = framing.collect(
        inputs.corpus, quotes=quotes, include_copies=inputs.include_copies, group_by=group_by
    )
    framed = found.articles
    terms = framing.term_table(found.matches, framed, found.lexicon)
    voices = framing.voice_table(framing.voices(found.quotes, found.affiliations), framed)
    tones = framing.tone_table(found.sentences, framed)
    questions = [q for q in found.lexicon.questions if q not in ("hedges", "boosters")]
    quoted = found.quotes.dropna(subset=["speaker_canonical"]) if len(found.quotes) else found.quotes
    strongest = found.sentences["tone"].abs().sort_values(ascending=False, kind="stable").index
    findings = [
        (framing_report.outlet_finding(framed, found.excluded_copies), framed, None),
        *(
            (framing_report.term_finding(terms, q), found.matches[found.matches["question"] == q], "sentence")
            for q in questions
        ),
        (framing_report.voice_finding(voices), quoted, "text"),
        (framing_report.tone_finding(tones), found.sentences.loc[strongest], "text"),
    ]
    blocks: list[Any] = [
        Finding(text, inputs.cite(text, frame, column), bullet=True) for text, frame, column in findings
    ]
    groups = framing_report.top_groups(framed, MEMO_GROUPS)
    answering = framing_report.groups_answering(terms, questions[0], MEMO_GROUPS) if questions else []
    if answering:
        caption = f"Which terms each group uses: {questions[0].replace('_', ' ')} (notebook 04)."
        blocks.append(_chart(framing_charts.term_choice(terms, answering, questions[0]), caption))
    if len(voices):
        chart = framing_charts.voices(voices, groups)
        chart = framing_charts.of_groups(chart, groups, framed["group"].nunique())
        caption = "Whose voices each group quotes, by the speaker's affiliation (notebook 04)."
        blocks.append(_chart(chart, caption))
    return blocks


def _story_section(inputs: _Inputs) -> list[Any]:
    story_table = stories.corpus_stories(inputs.corpus)
    claims = stories.corpus_claims(inputs.corpus)
    largest = story_report.largest_story(story_table)
    cells = stories.story_map(story_table, claims, largest or "")
    finding = story_report.story_finding(story_table, claims, cells, largest)
    of_story = claims[claims["story_id"] == largest] if largest else claims.iloc[:0]
    blocks: list[Any] = [Finding(finding, inputs.cite(finding, of_story, "sentence"))]
    if len(cells):
        caption = "Which outlet carried which claim of the largest story (notebook 06)."
        blocks.append(_chart(story_report.map_chart(cells, claims), caption))
    return blocks


CAVEATS = (
    "Every figure inherits the limits stated in the notebooks: stripping errors, unresolved speakers, "
    "dates resolved against inferred publication dates, lexicon counts that find words and not meanings, "
    "thin outlet groups, and claims matched by shared words (paraphrases are missed). Read the evidence "
    "behind a figure before quoting it."
)


def _carrying(quotes: pd.DataFrame, article_id: str, text: str) -> pd.DataFrame:
    """The quotes of every article that carries this quote (the same ``quote_id``), else the one."""
    own = quotes[(quotes["article_id"] == article_id) & (quotes["text"] == text)]
    if own.empty or "quote_id" not in quotes or pd.isna(own["quote_id"].iloc[0]):
        return own
    return quotes[quotes["quote_id"] == own["quote_id"].iloc[0]]


def _chart(chart: alt.TopLevelMixin, caption: str) -> MemoChart:
    return MemoChart(charts.to_png(charts.style(chart), scale=2), caption)


# --- writing ---------------------------------------------------------------------------------------


def write_memo(memo: Memo, path: str | Path, *, template: Path | None = None) -> Path:
    """Write ``memo`` as a Word file at ``path`` (see :func:`check_memo_target`)."""
    target = Path(path)
    check_memo_target(target)
    document = MemoDocument(template or PACKAGE_TEMPLATE)
    if document.missing_styles:
        warnings.warn(
            f"the memo template lacks the styles {', '.join(document.missing_styles)}; "
            "Normal is used instead",
            stacklevel=2,
        )
    document.heading(memo.title, 0)
    if memo.selection:
        document.paragraph(f"Selection: {memo.selection}", italic=True)
    if memo.parameters:
        document.table(["parameter", "value"], [[k, v] for k, v in memo.parameters.items()])
    figure = 0
    for heading, blocks in memo.sections:
        document.heading(heading, 1)
        for block in blocks:
            if isinstance(block, Finding):
                paragraph = document.paragraph(block.text, style="List Bullet" if block.bullet else "Normal")
                if block.anchor:
                    paragraph.add_run(" ")
                    document.link(paragraph, "[evidence]", anchor=block.anchor)
            elif isinstance(block, TableBlock):
                document.table(block.header, block.rows)
            elif isinstance(block, MemoChart):
                figure += 1
                document.image(block.png)
                document.paragraph(f"Figure {figure}. {block.caption}", style="Caption")
    _write_appendix(document, memo)
    document.footer(f"newsdesk {__version__} \u00b7 inputs fingerprint {memo.fingerprint[:16]}")
    document.save(target, title=memo.title, marker=MEMO_MARKER)
    return target


def _write_appendix(document: MemoDocument, memo: Memo) -> None:
    document.page_break()
    document.heading("Appendix: evidence", 1)
    document.paragraph(
        "Each entry lists the sentences and articles behind one figure of the memo "
        f"(at most {EVIDENCE_ROWS} rows each; the notebooks list all)."
    )
    for number, entry in enumerate(memo.evidence, start=1):
        document.heading(f"E{number}. {shortened(entry.finding, 200)}", 2, bookmark=entry.anchor)
        shown = entry.rows.head(EVIDENCE_ROWS)
        if shown.empty:
            document.paragraph("No sentence or article stands behind this figure.", italic=True)
            continue
        rows = [
            [row.article_id, (row.outlet, web_address(row.url)), row.date, row.text]
            for row in shown.itertuples(index=False)
        ]
        document.table(["article", "outlet", "date", "sentence"], rows)
        if len(entry.rows) > EVIDENCE_ROWS:
            document.paragraph(f"\u2026 and {len(entry.rows) - EVIDENCE_ROWS:,} more.", italic=True)
    document.heading("Reproducing this memo", 1)
    document.paragraph(f"Inputs fingerprint: {memo.fingerprint}")
    document.table(["input", "value"], [[k, v] for k, v in memo.fingerprint_parts.items()])
    document.paragraph(xml_text("The same articles, newsdesk version and model give the same fingerprint."))


def corpus_memo(
    data_dir: str | Path | None,
    path: str | Path,
    *,
    store: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    template: str | Path | None = None,
) -> Path:
    """Open the corpus (``store`` or ``data_dir``), apply the selection in ``parameters`` (``since``,
    ``until``, ``outlets``, ``undated``), build the memo and write it to ``path``.

    ``parameters`` may also give ``title``, ``include_copies`` and ``group_by``; all given ones are
    listed in the memo. The template is ``template``, else ``<data_dir>/memo-template.docx``, else
    the package's.
    """
    from newsdesk.store.corpus import open_corpus

    target = Path(path)
    check_memo_target(target)
    given = {k: v for k, v in (parameters or {}).items() if v is not None}
    corpus = open_corpus(data_dir, store=store).select(
        since=given.get("since"), until=given.get("until"), outlets=given.get("outlets"),
        undated=given.get("undated") or "keep",
    )  # fmt: skip
    shown = {"corpus": str(store or data_dir), **{k: _shown(v) for k, v in given.items() if k != "title"}}
    memo = build_memo(
        corpus,
        title=str(given.get("title") or "newsdesk memo"),
        parameters=shown,
        include_copies=bool(given.get("include_copies")),
        group_by=str(given.get("group_by") or "outlet"),
    )
    chosen = Path(template) if template else find_template(None if store else data_dir)
    if not chosen.is_file():
        raise BriefingError(f"the memo template {chosen} does not exist")
    return write_memo(memo, target, template=chosen)


def _shown(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
