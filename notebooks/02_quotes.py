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
# # 02 · Who is quoted, how, by which outlet, and which quotes travel?
#
# **Method**
#
# - Quotes are found in each article's stripped body (notebook 01): direct quotes (a whole quoted
#   utterance), partial quotes (a few quoted words inside a paraphrase) and reported speech
#   ("Wang said Beijing is ready to ..."), each with its attribution cue from an editable lexicon.
# - Speakers are resolved within an article (a surname or pronoun to the full name mentioned
#   earlier, with the role attached; "the president", "the Chinese diplomat" to the one person of the
#   article holding such a role; "the statement" to whoever issued it), then across the corpus:
#   spelling variants merge ("Sergei"/"Sergey Lavrov", "Zelensky"/"Zelenskyy"), and a one-word name
#   becomes the only full name in the corpus that starts or ends with it;
#   `lexicons/speaker_aliases.csv` beside the data wins over both.
# - "Label: text" lines count as quotes only when the label can speak (a person, an organisation, a
#   role), never a headline, dateline or section label. "..., Lavrov said, according to TASS": Lavrov
#   speaks and TASS is recorded as `relayed_by`.
# - The same or nearly the same quoted words in several articles share a `quote_id` (word 3-gram
#   Jaccard >= 0.5, or 80% of the shorter quote inside the longer): where it first appeared (earliest
#   publication date), who repeated it, and whether it was shortened or reworded.
# - Quoted terms with no speaker (scare quotes such as the "no limits" partnership) are listed apart.
# - A story counts once: articles that copy another (the same page twice, a mirror, a wire story
#   re-edited; notebook 00) are left out unless `include_copies`, and the line below says how many.

# %% tags=["parameters"]
data_dir = "../data"
store = None  # path of a store written by `newsdesk annotate`; when given, used instead of data_dir
title = None  # report title (used by the briefing)
since = None  # first publication date, "YYYY-MM-DD"; None: no lower bound
until = None  # last publication date, "YYYY-MM-DD"; None: no upper bound
outlets = None  # list of outlet names; None: every outlet
undated = "keep"  # with since/until: "keep" or "drop" articles without a publication date
export_dir = None  # folder for chart PNG/SVG/CSV exports (the briefing sets it)
top_speakers = 15
include_copies = False

# %%
import pandas as pd

import newsdesk
from newsdesk.analysis.quotes import corpus_quoted_terms, corpus_quotes
from newsdesk.present import charts, describe, tables
from newsdesk.present import quotes as quote_report

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.max_rows", 200)
corpus = newsdesk.open_corpus(data_dir, store=store).select(
    since=since, until=until, outlets=outlets, undated=undated
)
charts.use_corpus(corpus, export_dir=export_dir)
print(corpus.selection)
quotes = corpus_quotes(corpus, include_copies=include_copies)
print(describe.copies_note(corpus, include_copies=include_copies))

# %% [markdown]
# ## The quote table

# %%
tables.interactive(quote_report.quote_table(quotes), caption="Every quote (sort, search, filter)")

# %% [markdown]
# ## Who is quoted, how often, per outlet

# %%
speakers = quote_report.speaker_counts(quotes, top=top_speakers)
speakers

# %% tags=["nbval-ignore-output"]
charts.show(charts.speaker_counts(speakers), "02_speaker_counts")

# %% [markdown]
# ## Direct, partial and reported speech per outlet

# %%
quote_report.kind_shares(quotes)

# %% [markdown]
# ## Quotes shared across articles

# %%
quote_report.shared_quotes(quotes)

# %% [markdown]
# ## Quoted terms without a speaker

# %%
corpus_quoted_terms(corpus)

# %% [markdown]
# ## Findings

# %%
print(quote_report.quote_finding(quotes))

# %% [markdown]
# ## Caveats
#
# - Speakers are resolved by rules over spaCy's small English model: an unusual sentence shape or a
#   pronoun far from its antecedent can get the wrong speaker (or none); quotes without a resolved
#   speaker are counted as "(unresolved)".
# - Articles of unknown outlet are shown under their article id, never pooled into one outlet.
# - With a handful of articles per outlet, shares are counts in disguise: read the counts beside them.
