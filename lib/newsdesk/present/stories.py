"""Tables, the claim × outlet chart and findings for the story-map notebook (06)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from newsdesk.analysis.stories import CARRIED_OWN, CARRIED_QUOTED, NOT_CARRIED
from newsdesk.core.text import counted, one_line, shortened
from newsdesk.present import charts

#: Colours of a claim × group cell: carried in the outlet's own words, only inside quotes, left out.
STATE_COLOURS = {CARRIED_OWN: "#1f5f99", CARRIED_QUOTED: "#8fb8de", NOT_CARRIED: "#d9d9d9"}
#: Claims drawn in the map at most (the most carried first); the chart says how many it leaves out.
MAP_CLAIMS = 25
LABEL_CHARS = 90


def story_table(stories: pd.DataFrame) -> pd.DataFrame:
    """One row per story: id, label, first publication, articles, outlets and copies."""
    if stories.empty:
        columns = ["story_id", "label", "first_published", "n_articles", "n_outlets", "n_copies"]
        return pd.DataFrame(columns=columns)
    grouped = stories.groupby("story_id", sort=False)
    table = grouped.agg(
        label=("label", "first"),
        first_published=("first_published", "first"),
        n_articles=("article_id", "size"),
        n_outlets=("outlet", "nunique"),
        n_copies=("is_copy", "sum"),
    ).reset_index()
    table["label"] = table["label"].map(lambda text: shortened(text, LABEL_CHARS))
    return table


def largest_story(stories: pd.DataFrame) -> str | None:
    """The id of the story with the most original articles (ties: the earliest), or None."""
    originals = stories[~stories["is_copy"]]
    if originals.empty:
        return None
    sizes = originals.groupby("story_id").agg(n=("article_id", "size"), first=("first_published", "min"))
    return str(sizes.sort_values(["n", "first"], ascending=[False, True]).index[0])


def claim_labels(claims: pd.DataFrame) -> pd.Series:
    """Each claim id's representative sentence, shortened for a chart axis."""
    first = claims.drop_duplicates("claim_id").set_index("claim_id")["representative"]
    return first.map(lambda text: shortened(text, 70))


def map_chart(cells: pd.DataFrame, claims: pd.DataFrame, *, top: int = MAP_CLAIMS) -> alt.Chart:
    """The claim × group heatmap of :func:`newsdesk.analysis.stories.story_map`: own voice, only in
    quotes, not carried; the most carried ``top`` claims, the chart says how many it leaves out."""
    carried = cells[cells["state"] != NOT_CARRIED].groupby("claim_id").size()
    order = carried.sort_values(ascending=False, kind="stable").index.tolist()
    shown = order[:top]
    data = cells[cells["claim_id"].isin(shown)].copy()
    labels = claim_labels(claims)
    data["claim"] = data["claim_id"] + " " + data["claim_id"].map(labels).fillna("")
    claim_order = [f"{c} {labels.get(c, '')}" for c in shown]
    colour = alt.Color(
        "state:N",
        scale=alt.Scale(domain=list(STATE_COLOURS), range=list(STATE_COLOURS.values())),
        title=None,
    )
    chart = (
        alt.Chart(data, title="Which outlet carried which claim")
        .mark_rect()
        .encode(
            x=alt.X("group:N", title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("claim:N", sort=claim_order, title=None, axis=alt.Axis(labelLimit=420)),
            color=colour,
            tooltip=["claim_id", "group", "state", "n_articles", "n_covering"],
        )
    )
    note = f"The {len(shown)} most carried of {len(order)} claims." if len(order) > len(shown) else None
    return charts.annotate(chart, note)


def drill_down(claims: pd.DataFrame, claim_id: str, group: str | None = None) -> pd.DataFrame:
    """The sentences behind one claim (and one outlet): article, position, voice, speaker, figures."""
    chosen = claims[claims["claim_id"] == claim_id]
    if group is not None:
        chosen = chosen[chosen["outlet"] == group]
    columns = ["outlet", "article_id", "published", "position", "voice", "speaker", "numbers", "sentence"]
    return chosen[columns].reset_index(drop=True)


def claim_sentences(claims: pd.DataFrame, story_id: str | None) -> pd.DataFrame:
    """Every sentence that carries a claim of ``story_id``: the claim, outlet, article, date, position,
    voice, speaker and the sentence, by claim then date."""
    chosen = claims[claims["story_id"] == story_id]
    table = chosen.assign(
        claim=chosen["claim_id"].map(claim_labels(claims)), sentence=chosen["sentence"].map(one_line)
    )
    columns = ["claim_id", "claim", "outlet", "article_id", "published", "position", "voice", "speaker",
               "sentence"]  # fmt: skip
    table = table.sort_values(["claim_id", "published", "article_id"], kind="stable")
    return table[columns].reset_index(drop=True)


def omission_table(omitted: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Omissions with the claim's representative sentence."""
    return omitted.assign(claim=omitted["claim_id"].map(claim_labels(claims)))


def story_finding(
    stories: pd.DataFrame, claims: pd.DataFrame, cells: pd.DataFrame, story_id: str | None
) -> str:
    """A few sentences computed from the data: stories, the largest story's claims, omissions, figures."""
    if story_id is None:
        return "No article could be compared: the corpus has no annotated article."
    originals = stories[~stories["is_copy"]]
    n_stories = originals["story_id"].nunique()
    shared = originals.groupby("story_id").size()
    multi = int((shared >= 2).sum())
    label = shortened(stories.loc[stories["story_id"] == story_id, "label"].iloc[0], LABEL_CHARS)
    of_story = claims[claims["story_id"] == story_id]
    n_claims = counted(of_story["claim_id"].nunique(), "claim")
    parts = [
        f"{counted(len(originals), 'article')} {'forms' if len(originals) == 1 else 'form'} "
        f"{counted(n_stories, 'story', 'stories')}; {multi:,} of "
        f"them {'is' if multi == 1 else 'are'} covered by two or more articles.",
        f"The largest, {story_id} (\u201c{label}\u201d), has {n_claims} carried by two or more articles.",
    ]
    missing = cells[cells["state"] == NOT_CARRIED]
    if len(missing):
        top = missing.groupby("group").size().sort_values(ascending=False, kind="stable")
        parts.append(f"{top.index[0]} leaves out the most of them ({int(top.iloc[0]):,}).")
    disagreeing = of_story.loc[of_story["figures_disagree"].astype(bool), "claim_id"].nunique()
    if disagreeing:
        parts.append(f"In {disagreeing:,} of its claims the outlets state different figures.")
    return " ".join(parts)
