"""Written findings for the framing notebook, each computed from the framing tables.

Every sentence is built from the numbers it reports, so it stays true on other data; groups with
fewer than :data:`newsdesk.analysis.framing.THIN_GROUP_ARTICLES` articles are named as thin.
"""

from __future__ import annotations

import pandas as pd

from newsdesk.analysis.framing import THIN_GROUP_ARTICLES, Z_DISTINCTIVE


def _names(values, limit: int = 4) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _thin_note(groups: pd.DataFrame) -> str:
    thin = groups.loc[groups["thin"], "group"].tolist()
    if not thin:
        return ""
    if len(thin) == len(groups):
        return (
            f" Every group has fewer than {THIN_GROUP_ARTICLES} articles (thin), so differences are "
            "between single articles, not outlet habits."
        )
    return f" Thin groups (< {THIN_GROUP_ARTICLES} articles): {_names(thin)}."


def group_summary(articles: pd.DataFrame) -> pd.DataFrame:
    """Per group: articles, words, how its outlet was found, thin or not; largest group first."""
    table = articles.groupby("group", as_index=False).agg(
        n_articles=("article_id", "size"),
        n_words=("n_words", "sum"),
        outlet_source=("outlet_source", lambda s: ", ".join(sorted(set(s)))),
        thin=("thin", "first"),
    )
    return table.sort_values(["n_articles", "group"], ascending=[False, True], ignore_index=True)


def top_groups(articles: pd.DataFrame, limit: int) -> list[str]:
    """The ``limit`` largest groups (most articles, then name): the ones charts show."""
    return group_summary(articles)["group"].head(limit).tolist()


def groups_answering(terms: pd.DataFrame, question: str, limit: int) -> list[str]:
    """The ``limit`` groups that use a question's terms most (mentions, then articles, then name)."""
    rows = terms[(terms["question"] == question) & (terms["question_mentions"] > 0)]
    per_group = rows.drop_duplicates("group")[["group", "question_mentions", "n_articles"]]
    ordered = per_group.sort_values(
        ["question_mentions", "n_articles", "group"], ascending=[False, False, True]
    )
    return ordered["group"].head(limit).tolist()


def outlet_finding(articles: pd.DataFrame, excluded_copies: pd.DataFrame) -> str:
    """Articles, groups, where outlets came from, unknown and thin groups, copies left out."""
    groups = group_summary(articles)
    sources = articles["outlet_source"].value_counts()
    named = articles.loc[articles["outlet"].notna(), "outlet"].nunique()
    unknown = int(sources.get("unknown", 0))
    inferred = articles[~articles["outlet_source"].isin(["manifest", "unknown"])]
    parts = [
        f"{len(articles)} article(s) in {len(groups)} group(s): {named} named outlet(s) "
        f"({int(sources.get('manifest', 0))} article(s) with the outlet from the manifest, "
        f"{len(inferred)} inferred"
    ]
    if len(inferred):
        how = inferred.groupby("outlet_source")["article_id"].size()
        parts.append(" from " + ", ".join(f"{source} ({n})" for source, n in how.items()))
    parts.append(f") and {unknown} article(s) of unknown outlet, each compared on its own.")
    if len(excluded_copies):
        parts.append(f" {copies_sentence(excluded_copies)}")
    return "".join(parts) + _thin_note(groups)


def term_finding(terms: pd.DataFrame, question: str) -> str:
    """Which term answers ``question`` most often overall and per group."""
    rows = terms[terms["question"] == question]
    if rows.empty:
        return f"The lexicon has no question {question!r}."
    title = rows["question_title"].iloc[0]
    overall = rows.groupby("term")["n_mentions"].sum().sort_values(ascending=False, kind="stable")
    total = int(overall.sum())
    if total == 0:
        return f"{title}: no term of this question occurs in any article."
    leader, count = overall.index[0], int(overall.iloc[0])
    used = rows[rows["n_mentions"] > 0]
    text = (
        f"{title}: {total} mention(s) in {used['group'].nunique()} of {rows['group'].nunique()} group(s); "
        f"'{leader}' is the most common ({count}, {count / total:.0%})."
    )
    differing = _other_leaders(used, "term", "n_mentions", leader, quote="'")
    if differing:
        return text + f" Groups whose most used term differs: {differing}."
    return text + " It is the most used term in every group that answers the question."


def _other_leaders(table: pd.DataFrame, category: str, count: str, leader: str, quote: str = "") -> str:
    """Groups whose top ``category`` (by ``count``, ties by name) is not ``leader``, as "G ('x', n)"."""
    ordered = table.sort_values(["group", count, category], ascending=[True, False, True])
    tops = ordered.groupby("group").head(1)
    differing = tops[tops[category] != leader]
    shown = [
        f"{group} ({quote}{value}{quote}, {n})"
        for group, value, n in differing[["group", category, count]].itertuples(index=False)
    ]
    return _names(shown, 3) if shown else ""


def verb_finding(classes: pd.DataFrame) -> str:
    """Share of neutral attribution overall and which groups use contested or evaluative verbs most."""
    if classes.empty:
        return "No quotes with an attribution verb were found, so attribution cannot be compared."
    totals = classes.groupby("verb_class")["n_quotes"].sum()
    total = int(totals.sum())
    neutral, contested, evaluative = (int(totals.get(c, 0)) for c in ("neutral", "contested", "evaluative"))
    text = (
        f"{total} attributed quote(s): {neutral} ({neutral / total:.0%}) with neutral verbs (say, tell, "
        f"state ...), {contested} with verbs that cast doubt (claim, allege ...), {evaluative} with "
        "evaluative verbs (warn, condemn ...)."
    )
    loaded = classes[classes["verb_class"].isin(["contested", "evaluative"])]
    if len(loaded):
        by_group = loaded.groupby("group").agg(n=("n_quotes", "sum"), of=("group_quotes", "first"))
        by_group = by_group.assign(share=by_group["n"] / by_group["of"]).sort_values("share", ascending=False)
        top = by_group.index[0]
        text += (
            f" The highest share of doubting or evaluative attribution is in {top} "
            f"({int(by_group['n'].iloc[0])} of {int(by_group['of'].iloc[0])} quotes)."
        )
    return text


def hedge_finding(hedges: pd.DataFrame) -> str:
    """Hedge and booster rates: the groups with the highest of each."""
    parts = []
    for question, label in (("hedges", "hedges"), ("boosters", "boosters")):
        rows = hedges[(hedges["question"] == question) & hedges["n_words"].gt(0)]
        if rows.empty or rows["n_mentions"].sum() == 0:
            parts.append(f"No {label} found.")
            continue
        top = rows.sort_values(["per_1k_words", "group"], ascending=[False, True]).iloc[0]
        parts.append(
            f"{int(rows['n_mentions'].sum())} {label} in all; most per word in {top['group']} "
            f"({int(top['n_mentions'])}, {top['per_1k_words']:.1f} per 1,000 words, "
            f"95% interval {top['per_1k_low']:.1f}-{top['per_1k_high']:.1f})."
        )
    return " ".join(parts)


def voice_finding(voices: pd.DataFrame) -> str:
    """Whose voices dominate overall and in each group."""
    if voices.empty:
        return "No quotes, so no voices to compare."
    overall = voices.groupby("affiliation")["n_quotes"].sum().sort_values(ascending=False, kind="stable")
    total = int(overall.sum())
    leader = overall.index[0]
    count = int(overall.iloc[0])
    text = f"{total} quote(s); the largest voice overall is {leader} ({count}, {count / total:.0%})."
    differing = _other_leaders(voices, "affiliation", "n_quotes", leader)
    text += f" Groups where another voice leads: {differing}." if differing else " It leads in every group."
    unnamed = int(overall.get("unnamed", 0))
    if unnamed:
        text += f" {unnamed} quote(s) come from unnamed sources."
    return text


def keyness_finding(table: pd.DataFrame, *, z_min: float = Z_DISTINCTIVE) -> str:
    """Which groups have distinctive terms (z >= ``z_min``) and the strongest of them."""
    if table.empty:
        return (
            "Distinctive terms need at least two groups and terms used at least min_count times; "
            "this corpus has neither enough groups nor enough repeated words."
        )
    strong = table[table["z"] >= z_min].sort_values("z", ascending=False)
    if strong.empty:
        return (
            f"No term is distinctive for any group at z >= {z_min}: the groups use the shared vocabulary "
            "at rates the pooled prior cannot tell apart (usually too few words per group)."
        )
    per_group = strong.groupby("group", sort=False)["term"].apply(lambda terms: _names(terms, 3))
    shown = [f"{group}: {terms}" for group, terms in per_group.head(4).items()]
    return (
        f"{strong['group'].nunique()} of {table['group'].nunique()} group(s) have terms with z >= {z_min}; "
        + "; ".join(shown)
        + ("; ..." if len(per_group) > 4 else "")
        + "."
    )


def tone_finding(tones: pd.DataFrame) -> str:
    """The range of mean sentence tone across groups, and whether the extremes' intervals overlap."""
    rows = tones.dropna(subset=["tone"])
    if rows.empty:
        return "No sentences to score."
    ordered = rows.sort_values(["tone", "group"])
    low, high = ordered.iloc[0], ordered.iloc[-1]
    text = (
        f"Mean sentence tone (VADER, -1 to +1) ranges from {low['tone']:+.2f} in {low['group']} to "
        f"{high['tone']:+.2f} in {high['group']} over {int(rows['n_sentences'].sum())} sentences."
    )
    if len(rows) > 1 and pd.notna(low["tone_high"]) and pd.notna(high["tone_low"]):
        if low["tone_high"] < high["tone_low"]:
            text += " Their 95% intervals do not overlap."
        else:
            text += " Their 95% intervals overlap, so the difference may be noise."
    return text


def leading_terms(terms: pd.DataFrame, questions: list[str]) -> pd.DataFrame:
    """Per group and question: the term it uses most (ties by name), its share and the mentions,
    as one wide table (a row per group, a column per question) for the briefing."""
    used = terms[terms["question"].isin(questions) & (terms["n_mentions"] > 0)]
    if used.empty:
        return pd.DataFrame(columns=["group", *questions])
    top = used.sort_values(["group", "question", "n_mentions", "term"], ascending=[True, True, False, True])
    top = top.drop_duplicates(["group", "question"])
    rows = zip(top["term"], top["share"], top["question_mentions"], strict=True)
    cells = top.assign(cell=[f"{term} ({share:.0%} of {int(n)})" for term, share, n in rows])
    wide = cells.pivot(index="group", columns="question", values="cell").reindex(columns=questions)
    return wide.fillna("").reset_index().rename_axis(columns=None)


def coverage_finding(coverage) -> str:
    """The lexicon coverage check in sentences: what an analyst should add to the lexicons."""
    parts = []
    if coverage.n_quotes:
        share = coverage.n_unaffiliated_quotes / coverage.n_quotes
        parts.append(
            f"{coverage.n_unaffiliated_quotes} of {coverage.n_quotes} quotes ({share:.0%}) are by speakers "
            "no affiliation rule knows"
            + (
                f" (most quoted: {', '.join(coverage.unaffiliated['speaker'].head(5))}); add them to "
                "lexicons/affiliations.csv beside the data."
                if len(coverage.unaffiliated)
                else "."
            )
        )
    if coverage.silent_questions:
        parts.append(f"No article answers {', '.join(coverage.silent_questions)}.")
    if coverage.unused_terms:
        shown = ", ".join(f"{term!r}" for _, term in coverage.unused_terms[:8])
        parts.append(f"{len(coverage.unused_terms)} term(s) never matched: {shown}.")
    everything = "Every question is answered, every term matched and every quoted speaker affiliated."
    return " ".join(parts) or everything


def copies_sentence(left_out: pd.DataFrame) -> str:
    """"3 copies of other articles (2 wire re-edits, 1 mirror) are left out of the counts." or ""."""
    if left_out.empty:
        return ""
    kinds = left_out["copy_kind"].value_counts()
    detail = ", ".join(f"{count} {kind}{'s' if count > 1 else ''}" for kind, count in kinds.items())
    noun = "copy" if len(left_out) == 1 else "copies"
    verb = "is" if len(left_out) == 1 else "are"
    return f"{len(left_out)} {noun} of other articles ({detail}) {verb} left out of the counts."
