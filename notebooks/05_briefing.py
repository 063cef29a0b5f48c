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
# # 05 · Briefing: the story on one page
#
# **Method**
#
# - A summary of notebooks 00-04 for a memo, every line computed from the same tables: the corpus in
#   one line; the key quotes (direct or partial quotes with a resolved speaker, one per speaker first,
#   quotes carried by more articles first); the key dated events (labelled events mentioned by the
#   most articles); the framing differences (the first finding of each framing question).
# - A story counts once: articles that copy another (notebook 00) are left out of quotes, dates and
#   framing unless `include_copies`. Framing groups by `group_by` (the outlet by default).
# - Read the notebooks behind each section before quoting a figure: this page picks, it does not
#   qualify.

# %% tags=["parameters"]
data_dir = "../data"
store = None  # path of a store written by `newsdesk annotate`; when given, used instead of data_dir
title = None  # report title (used by the briefing)
since = None  # first publication date, "YYYY-MM-DD"; None: no lower bound
until = None  # last publication date, "YYYY-MM-DD"; None: no upper bound
outlets = None  # list of outlet names; None: every outlet
undated = "keep"  # with since/until: "keep" or "drop" articles without a publication date
export_dir = None  # folder for chart PNG/SVG/CSV exports (the briefing sets it)
n_quotes = 6
n_events = 8
include_copies = False
group_by = "outlet"  # "outlet", "source" (wire credit), "type" or "country"

# %%
import pandas as pd

import newsdesk
from newsdesk.analysis import chronology, framing, stories
from newsdesk.analysis.quotes import corpus_quotes
from newsdesk.metadata.dates import publication_dates
from newsdesk.present import charts, describe
from newsdesk.present import framing as framing_report
from newsdesk.present import memo
from newsdesk.present import stories as story_report

pd.set_option("display.max_colwidth", 160)
corpus = newsdesk.open_corpus(data_dir, store=store).select(
    since=since, until=until, outlets=outlets, undated=undated
)
charts.use_corpus(corpus, export_dir=export_dir)
dates = publication_dates(corpus)
timexes = chronology.corpus_timexes(corpus, dates=dates, include_copies=include_copies)
events = chronology.timeline(corpus, timexes=timexes)
quotes = corpus_quotes(corpus, include_copies=include_copies)
inputs = framing.collect(corpus, quotes=quotes, include_copies=include_copies, group_by=group_by)
print(describe.copies_note(corpus, include_copies=include_copies))

# %% [markdown]
# ## The corpus

# %%
print(title or "Briefing")
print(memo.corpus_line(corpus.articles, dates))
print(corpus.selection)

# %% [markdown]
# ## Key quotes

# %%
memo.key_quotes(quotes, n=n_quotes)

# %% [markdown]
# ## Key dates

# %%
key_events = memo.key_events(events, n=n_events)
key_events

# %% tags=["nbval-ignore-output"]
# the key dates only (notebook 03 draws every dated mention)
if len(key_events):
    charts.show(charts.key_dates(key_events), "05_key_dates")

# %% [markdown]
# ## How the outlets differ

# %%
articles = inputs.articles
terms = framing.term_table(inputs.matches, articles, inputs.lexicon)
voices = framing.voice_table(framing.voices(inputs.quotes, inputs.affiliations), articles)
tones = framing.tone_table(inputs.sentences, articles)
questions = [q for q in inputs.lexicon.questions if q not in ("hedges", "boosters")]
print("Lexicon coverage:", framing_report.coverage_finding(framing.lexicon_coverage(inputs)))
framing_report.leading_terms(terms, questions)

# %% [markdown]
# ## Stories and omissions

# %%
story_table = stories.corpus_stories(corpus)
claims = stories.corpus_claims(corpus)
largest = story_report.largest_story(story_table)
story_cells = stories.story_map(story_table, claims, largest or "")
print(story_report.story_finding(story_table, claims, story_cells, largest))
story_report.story_table(story_table).head(5)

# %% [markdown]
# ## Findings

# %%
for line in [
    framing_report.outlet_finding(articles, inputs.excluded_copies),
    *(framing_report.term_finding(terms, q) for q in questions),
    framing_report.voice_finding(voices),
    framing_report.tone_finding(tones),
]:
    print("-", line)

# %% [markdown]
# ## Caveats
#
# - Everything here inherits the limits stated in notebooks 01-04: stripping errors, unresolved
#   speakers, dates resolved against inferred publication dates, lexicon counts that find words and
#   not meanings, and thin outlet groups.
