"""Plain descriptions of a loaded corpus: tables and one-sentence findings for notebook 00."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from newsdesk.parsing.parse import corpus_docs

if TYPE_CHECKING:
    from newsdesk.ingest.corpus import Corpus

#: Label used in tables for articles whose outlet the manifest does not state.
UNSTATED = "(not stated)"


def outlet_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Per outlet: type and country (registry), articles, dated articles, date range, how the outlet
    was told (``url 3, credit 1``) and copies of other articles; largest outlet first."""
    date = "effective_date" if "effective_date" in articles.columns else "published_date"
    frame = articles.assign(outlet=articles["outlet"].fillna(UNSTATED))
    for column in ("outlet_type", "outlet_country", "outlet_source"):
        if column not in frame.columns:
            frame[column] = None
    copies = frame["copy_of"].notna() if "copy_of" in frame.columns else pd.Series(False, index=frame.index)
    table = (
        frame.assign(_copy=copies)
        .groupby("outlet", sort=False, dropna=False)
        .agg(
            type=("outlet_type", "first"),
            country=("outlet_country", "first"),
            n_articles=("article_id", "size"),
            n_dated=(date, "count"),
            first=(date, "min"),
            last=(date, "max"),
            told_by=("outlet_source", _counts),
            copies=("_copy", "sum"),
        )
    )
    table["first"] = pd.to_datetime(table["first"]).dt.date
    table["last"] = pd.to_datetime(table["last"]).dt.date
    return table.reset_index().sort_values(
        ["n_articles", "outlet"], ascending=[False, True], ignore_index=True
    )


def _counts(values: pd.Series) -> str:
    counts = values.dropna().astype(str).value_counts()
    return ", ".join(f"{name} {count}" for name, count in counts.items())


#: The metadata columns notebook 00 shows per article, where the corpus has them.
METADATA_COLUMNS = [
    "article_id", "outlet", "outlet_source", "outlet_evidence", "source", "outlet_type", "outlet_country",
    "effective_date", "date_source", "date_confidence", "date_conflict", "ambiguous_date", "copy_of",
    "copy_kind",
]  # fmt: skip


def metadata_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Per article: outlet, wire source, type and country, date and their evidence, copy of what."""
    return articles[[c for c in METADATA_COLUMNS if c in articles.columns]].reset_index(drop=True)


def metadata_finding(articles: pd.DataFrame) -> str:
    """One sentence: how outlets and dates were told, conflicts, ambiguous dates and copies."""
    n = len(articles)
    if n == 0 or "outlet_source" not in articles.columns:
        return "Outlets and dates are the manifest's only (the corpus was not resolved)."
    told = _counts(articles["outlet_source"]) or "none"
    wires = int((articles["source"].notna() & (articles["source"] != articles["outlet"])).sum())
    dates = _counts(articles["date_source"]) if "date_source" in articles.columns else "manifest only"
    conflicts = int(articles.get("date_conflict", pd.Series(dtype=bool)).fillna(False).astype(bool).sum())
    ambiguous = int(articles.get("ambiguous_date", pd.Series(dtype=object)).notna().sum())
    copies = articles["copy_kind"].dropna() if "copy_kind" in articles.columns else pd.Series(dtype=object)
    copy_part = (
        f"{len(copies)} copy(ies) of other articles ({_counts(copies)})" if len(copies) else "no copies"
    )
    return (
        f"Outlets of {n} article(s) told by: {told}; {wires} carry another outlet's wire story. "
        f"Publication dates: {dates}; {conflicts} URL date(s) contradicted by the text, {ambiguous} "
        f"numeric date(s) left unread as ambiguous; {copy_part}, counted once in notebooks 02 to 05."
    )


def problem_summary(problems: pd.DataFrame) -> pd.DataFrame:
    """Number of files and problems per severity."""
    table = problems.groupby("severity").agg(n_problems=("message", "size"), n_files=("file", "nunique"))
    return table.reindex(["error", "warning"], fill_value=0).reset_index()


def corpus_finding(articles: pd.DataFrame, problems: pd.DataFrame) -> str:
    """One sentence: how many articles, outlets, dates and problems the corpus has."""
    n = len(articles)
    outlets = articles["outlet"].dropna().nunique()
    dated = articles["published_date"].dropna()
    errors = problems.loc[problems["severity"] == "error", "file"].nunique()
    repaired = int((articles["status"] == "repaired").sum())
    other_language = int((articles["status"] == "not-english").sum())
    dates = f" ({dated.min():%Y-%m-%d} to {dated.max():%Y-%m-%d})" if len(dated) else ""
    unstated = int(articles["outlet"].isna().sum())
    return (
        f"{n} usable article(s), {int(articles['n_chars'].sum()):,} characters in all, from {outlets} named "
        f"outlet(s) ({unstated} unstated); {len(dated)} of {n} have a publication "
        f"date{dates}; {errors} file(s) could not be used, {repaired} were repaired and {other_language} "
        "are not in English."
    )


def corpus_overview(corpus: Corpus, *, progress: bool | None = None) -> pd.DataFrame:
    """Per article: outlet, date, characters of the loaded text; tokens, sentences, entities of its body.

    The counts come from the parsed stripped bodies, which every later stage reuses from the cache (a
    store gives the counts it holds).
    """
    counts = corpus.stored("overview")
    if counts is None:
        counts = pd.DataFrame(
            [
                (doc._.newsdesk_article_id, len(doc), sum(1 for _ in doc.sents), len(doc.ents))
                for doc in corpus_docs(corpus, progress=progress)
            ],
            columns=["article_id", "n_tokens", "n_sentences", "n_entities"],
        )
    columns = ["article_id", "outlet", "published", "n_chars", "status"]
    table = corpus.articles[columns].merge(counts, on="article_id", how="left")
    for column in ("n_tokens", "n_sentences", "n_entities"):
        table[column] = table[column].astype("Int64")
    return table[[*columns[:-1], "n_tokens", "n_sentences", "n_entities", "status"]]


def copies_note(corpus: Corpus, *, include_copies: bool = False) -> str:
    """One sentence for a notebook: which outlet column it groups by and the copies it leaves out."""
    from newsdesk.metadata.syndication import corpus_copies
    from newsdesk.present.framing import copies_sentence

    copies = corpus_copies(corpus)
    copies = copies[copies["copy_of"].notna()]
    grouping = "Outlets are the publishers (the site), not the wire agency a story credits."
    if include_copies or copies.empty:
        kept = f" {len(copies)} copy(ies) of other articles are counted too." if len(copies) else ""
        return f"{grouping}{kept or ' No article copies another.'}"
    return f"{grouping} {copies_sentence(copies)}"


def corpus_caveats(articles: pd.DataFrame, *, thin: int = 3) -> list[str]:
    """Caveats computed from this corpus: thin outlets, unknown outlets and dates, inferred values."""
    n = len(articles)
    if n == 0:
        return ["The corpus has no usable article: there is nothing to compare."]
    notes = []
    named = articles["outlet"].dropna()
    named = named[named.astype(str).str.strip() != ""]
    sizes = named.value_counts()
    if len(sizes):
        small = int((sizes < thin).sum())
        if small:
            notes.append(
                f"{small} of {len(sizes)} named outlet(s) have fewer than {thin} articles: their "
                "per-outlet figures rest on one or two texts."
            )
    unknown = n - len(named)
    if unknown:
        notes.append(f"{unknown} of {n} article(s) have no known outlet and are compared one by one.")
    date = "effective_date" if "effective_date" in articles.columns else "published_date"
    undated = int(articles[date].isna().sum())
    if undated:
        notes.append(
            f"{undated} of {n} article(s) have no publication date: their relative dates stay unresolved."
        )
    if "date_source" in articles.columns:
        inferred = articles[articles["date_source"] == "inferred"]
        weak = int((inferred["date_confidence"] < 0.5).sum()) if len(inferred) else 0
        if len(inferred):
            notes.append(
                f"{len(inferred)} publication date(s) are inferred from the text or URL ({weak} with "
                "confidence under 0.5); check `date_source` before quoting a date."
            )
    if "outlet_source" in articles.columns:
        inferred_from_text = ["credit", "site-line", "wire-credit", "shared-chrome"]
        told = int(articles["outlet_source"].isin(inferred_from_text).sum())
        if told:
            notes.append(
                f"{told} outlet(s) are inferred from the text; `outlet_evidence` shows what was read."
            )
    return notes
