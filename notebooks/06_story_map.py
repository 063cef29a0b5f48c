# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Story map: which outlet carried which claim, who left it out, and where it sits
#
# **Method**
#
# - **Stories.** Articles that report the same specific event (the same meeting, the same vote) form
#   a story: their words and names (places folded to their country: "Beijing", "Chinese" are China),
#   weighted by how rare they are in the corpus, are similar (cosine >= 0.23); they were published at
#   most 7 days apart; and a story, merged most similar first, stays about one thing (its groups'
#   centroids are that similar too) and spans at most 14 days. Copies of another article (notebook
#   00) join their original's story and are marked.
# - **Claims.** Within a story, sentences of different articles that share rare content words and
#   names (weighted Jaccard >= 0.15) state the same claim; a claim takes at most one sentence per
#   article and needs two articles.
# - Each claim sentence has its **position** (headline, lede = the first two paragraphs after the
#   headline, body) and its **voice**: the outlet's own words, inside a quotation ("only in quotes",
#   with the speaker) or reported speech.
# - **The map** shows one story's claims against the outlets that covered it: carried in their own
#   words, carried only in quotes, or not carried (an omission: the outlet covered the story but not
#   the claim). **Figures that disagree** are claims whose sentences state different numbers of one
#   size ("26 countries" vs "more than 20").

# %% tags=["parameters"]
data_dir = "../data"
store = None  # path of a store written by `newsdesk annotate`; when given, used instead of data_dir
title = None  # report title (used by the briefing)
since = None  # first publication date, "YYYY-MM-DD"; None: no lower bound
until = None  # last publication date, "YYYY-MM-DD"; None: no upper bound
outlets = None  # list of outlet names; None: every outlet
undated = "keep"  # with since/until: "keep" or "drop" articles without a publication date
export_dir = None  # folder for chart PNG/SVG/CSV exports (the briefing sets it)
story_id = None  # the story to map (see the story table); None: the largest
claim_id = None  # a claim to read sentence by sentence; None: the map's most carried claim
group_by = "outlet"  # columns of the map: "outlet", "type", "country" or "source" (wire credit)

# %%
import pandas as pd

import newsdesk
from newsdesk.analysis import framing, stories
from newsdesk.present import charts, tables
from newsdesk.present import stories as story_report

pd.set_option("display.max_colwidth", 120)
pd.set_option("display.max_rows", 100)
corpus = newsdesk.open_corpus(data_dir, store=store).select(
    since=since, until=until, outlets=outlets, undated=undated
)
charts.use_corpus(corpus, export_dir=export_dir)
print(corpus.selection)
story_table = stories.corpus_stories(corpus)
claims = stories.corpus_claims(corpus)
chosen = story_id or story_report.largest_story(story_table)
cells = stories.story_map(story_table, claims, chosen or "", group=group_by, articles=corpus.articles)
print(f"Story mapped: {chosen}")

# %% [markdown]
# ## The stories in the corpus

# %%
story_report.story_table(story_table)

# %% [markdown]
# ## Which outlet carried which claim

# %% tags=["nbval-ignore-output"]
if len(cells):
    charts.show(story_report.map_chart(cells, claims), "06_story_map")
else:
    print("No claim of this story is carried by two or more articles.")

# %% [markdown]
# ## Omissions: claims most other outlets carried and this one did not

# %%
story_report.omission_table(stories.omissions(cells), claims)

# %% [markdown]
# ## Figures that disagree

# %%
stories.disagreeing_figures(claims[claims["story_id"] == chosen])

# %% [markdown]
# ## Headline, lede or body: where each outlet puts the claims it carries

# %%
stories.placement(claims, chosen)

# %% [markdown]
# ## Framing terms up front: what each outlet says in its headline and lede (notebook 04's lexicon)

# %%
matches = framing.collect(corpus).matches
placed = stories.term_placement(matches, stories.match_positions(corpus, matches))
placed[placed["headline"] + placed["lede"] > 0].sort_values("share_up_front", ascending=False)

# %% [markdown]
# ## Every claim of the story, sentence by sentence

# %%
tables.interactive(story_report.claim_sentences(claims, chosen), caption=f"Claims of story {chosen}")

# %% [markdown]
# ## One claim, sentence by sentence

# %%
carried = cells[cells["state"] != stories.NOT_CARRIED]
first_claim = claim_id or (carried.groupby("claim_id").size().idxmax() if len(carried) else None)
drill = story_report.drill_down(claims, first_claim) if first_claim else "No claim to show."
tables.interactive(drill, caption=f"Claim {first_claim}") if first_claim else drill

# %% [markdown]
# ## Findings

# %%
print(story_report.story_finding(story_table, claims, cells, chosen))

# %% [markdown]
# ## Caveats
#
# - Claims are matched by shared words, not meanings: two outlets that state one fact in different
#   words ("rejected the claim as a smear" / "called the allegation false") are two claims, so an
#   "omission" may be a paraphrase. Read the sentences (drill-down) before reporting one.
# - Stories need shared rare words and close dates: a follow-up article weeks later, or one that
#   covers two events at once, may stand alone or join only one of them.
# - The thresholds were set on a small hand-made gold set (`tests/stories/gold`); see
#   `bench/eval_stories.py` for the figures on it.
