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
# # 03 · When did things happen, according to each article, and do the articles agree?
#
# **Method**
#
# - Publication dates: the manifest's date always wins. An article without one gets the date its URL
#   and raw text give (byline, dateline, header date, the URL's path, else the latest full date moved
#   to a weekday the text mentions in the past tense), with the evidence used and a rough confidence.
#   A numeric date such as 09.04.2024 that nothing tells day-first or month-first is not used
#   (notebook 00 lists them). With `infer_all` the inference also runs on dated articles, to check it
#   against the manifest.
# - A story counts once: the dates of articles that copy another (notebook 00) are left out unless
#   `include_copies`.
# - Temporal expressions in each stripped body (notebook 01) are normalised to TIMEX3 values against the
#   article's effective date; without one, relative expressions ("on Monday") stay unresolved rather
#   than guessed, and only absolute dates ("February 2022") reach the timeline.
# - A dated event mention is a date or time naming a calendar day, week, month, quarter, season or
#   year; its event label is the subject, verb and object that the date modifies in the dependency
#   parse of its sentence ("Wang Yi visit Russia"), or the noun it modifies ("meeting in Beijing").
# - Same event, conservatively: the same named subject (one-word names joined to the corpus's only full
#   name, as for quote speakers), verb lemma and object, all three present. Reporting verbs ("say"),
#   pronoun or common-noun subjects and noun-only events are never compared. A date range in one
#   sentence counts as one mention.
# - Conflict: two mentions of one event, in different sentences of one article or in two articles,
#   whose periods do not overlap and lie at most `max_gap_days` apart (further apart they are more
#   likely two occurrences, such as two meetings, than one event dated two ways).

# %% tags=["parameters"]
data_dir = "../data"
store = None  # path of a store written by `newsdesk annotate`; when given, used instead of data_dir
title = None  # report title (used by the briefing)
since = None  # first publication date, "YYYY-MM-DD"; None: no lower bound
until = None  # last publication date, "YYYY-MM-DD"; None: no upper bound
outlets = None  # list of outlet names; None: every outlet
undated = "keep"  # with since/until: "keep" or "drop" articles without a publication date
export_dir = None  # folder for chart PNG/SVG/CSV exports (the briefing sets it)
infer_all = True
max_gap_days = 30
include_copies = False

# %%
import pandas as pd

import newsdesk
from newsdesk.analysis import chronology
from newsdesk.metadata.dates import publication_dates
from newsdesk.present import charts, describe, tables
from newsdesk.present import chronology as chronology_report

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.max_rows", 200)
corpus = newsdesk.open_corpus(data_dir, store=store).select(
    since=since, until=until, outlets=outlets, undated=undated
)
charts.use_corpus(corpus, export_dir=export_dir)
print(corpus.selection)
dates = publication_dates(corpus, infer="all" if infer_all else "missing")
timexes = chronology.corpus_timexes(corpus, dates=dates, include_copies=include_copies)
events = chronology.timeline(corpus, timexes=timexes, max_gap_days=max_gap_days)
print(describe.copies_note(corpus, include_copies=include_copies))

# %% [markdown]
# ## Publication dates: given and inferred

# %%
chronology_report.date_comparison(dates)

# %%
print(chronology_report.date_finding(dates))

# %% [markdown]
# ## Temporal expressions per article
#
# `n_dated` counts the expressions that name a calendar period once resolved; the rest are durations,
# sets, vague references ("recently") or left unresolved for want of a publication date.

# %%
chronology_report.timex_summary(timexes, dates)

# %% [markdown]
# ## The timeline
#
# One point per dated event mention at the start of its period (a bar spans periods longer than a
# day); crosses are mentions in conflict. The table below is the data behind the chart.

# %% tags=["nbval-ignore-output"]
charts.show(charts.timeline(events), "03_timeline")

# %%
tables.interactive(chronology_report.timeline_table(events), caption="Every dated event mention")

# %% [markdown]
# ## Conflicting dates for the same event

# %%
conflicts = chronology_report.conflict_table(events)
conflicts

# %%
n_events = conflicts["event_key"].nunique()
print(
    f"{n_events} event(s) are given non-overlapping dates within {max_gap_days} days of each other "
    f"({len(conflicts)} mention(s) in {conflicts['article_id'].nunique()} article(s))."
)

# %% [markdown]
# ## Findings

# %%
print(chronology_report.date_finding(dates))
print(chronology_report.timeline_finding(events, dates))

# %% [markdown]
# ## Caveats
#
# - Inferred publication dates are only as good as the evidence in the text: a caption or body date
#   gives a lower bound, and a weekday moves it forward; read `inferred_source` and `confidence`
#   before trusting one. Articles with no usable evidence keep no date, and their relative
#   expressions stay off the timeline.
# - Relative dates ("on Monday") are resolved against the publication date and the tense of their
#   verb; a wrong publication date (or a story written a day before it was posted) shifts them all.
# - Event labels come from spaCy's small English model: headlines run into the first sentence,
#   unusual sentence shapes or a date attached to the wrong word give an odd or missing label, and
#   then the mention is not compared at all.
# - "Same event" misses paraphrases ("visit Russia" versus "travel to Moscow") and can join two
#   occurrences of a recurring event less than `max_gap_days` apart: a flag asks for both sentences
#   to be read, it is not a verdict on which article is wrong.
# - Articles of unknown outlet are shown under their article id, never pooled into one outlet.
