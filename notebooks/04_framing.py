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
# # 04 · How did each outlet frame the story?
#
# **Method**
#
# - Groups (`group_by`): the outlet (the publisher: the manifest's, else its URL's site, else what the
#   text credits; notebook 00), the wire `source` a story credits, or the outlet's registry `type` or
#   `country`. Outlets with one article and a known type are pooled as "<type> (1-article outlets)"
#   unless `pool_single` is off. An article whose outlet cannot be told is its own group,
#   `(unknown: <article id>)`: unknown articles are compared one by one, never pooled. Groups with
#   fewer than 3 articles are marked thin. Copies of another article (notebook 00) are left out
#   unless `include_copies` is set.
# - Term choice, hedges and boosters: phrases from editable lexicons (`lexicons/*_terms.yaml` and
#   `lexicons/hedges.yaml` beside the data, over newsdesk's defaults), matched on words and lemmas in
#   the stripped bodies; shares within a question carry 95% Wilson intervals.
# - Attribution verbs and voices: from the quotes of notebook 02; each verb's class (neutral,
#   emphatic, contested, evaluative) and each speaker's affiliation come from editable tables
#   (`lexicons/attribution_verbs.yaml`, `lexicons/affiliations.csv`).
# - Distinctive terms: weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi
#   and Quinn 2008), each group against all others, the prior being the pooled corpus; |z| >= 1.96
#   marks a term as over- or under-used.
# - Tone: VADER's compound score per sentence (-1 to +1), averaged per group and per named entity.

# %% tags=["parameters"]
data_dir = "../data"
store = None  # path of a store written by `newsdesk annotate`; when given, used instead of data_dir
title = None  # report title (used by the briefing)
since = None  # first publication date, "YYYY-MM-DD"; None: no lower bound
until = None  # last publication date, "YYYY-MM-DD"; None: no upper bound
outlets = None  # list of outlet names; None: every outlet
undated = "keep"  # with since/until: "keep" or "drop" articles without a publication date
export_dir = None  # folder for chart PNG/SVG/CSV exports (the briefing sets it)
lexicon_dir = None  # lexicons beside the data by default (<data_dir>/lexicons, or the store's copy)
include_copies = False
group_by = "outlet"  # "outlet", "source" (wire credit), "type" or "country"
pool_single = True  # pool 1-article outlets by their type
max_groups = 9  # groups shown in charts (tables show all)
max_funnels = 3  # groups that get a distinctive-terms chart
min_count = 5

# %%
import pandas as pd

import newsdesk
from newsdesk.analysis import framing
from newsdesk.present import charts, tables
from newsdesk.present import framing_charts
from newsdesk.present import framing as framing_report
from newsdesk.stripping.corpus import corpus_bodies

pd.set_option("display.max_colwidth", 110)
pd.set_option("display.max_rows", 60)
corpus = newsdesk.open_corpus(data_dir, store=store).select(
    since=since, until=until, outlets=outlets, undated=undated
)
charts.use_corpus(corpus, export_dir=export_dir)
print(corpus.selection)
inputs = framing.collect(
    corpus, lexicon_dir=lexicon_dir, include_copies=include_copies, group_by=group_by, pool_single=pool_single
)
print(f"Groups are articles' {group_by}.")
articles = inputs.articles
groups = framing_report.top_groups(articles, max_groups)
n_groups = articles["group"].nunique()
print(framing_report.outlet_finding(articles, inputs.excluded_copies))
if len(groups) < articles["group"].nunique():
    print(f"Charts show the {len(groups)} largest of {articles['group'].nunique()} groups; tables show all.")
print("Lexicons:", "; ".join(inputs.lexicon.sources))

# %% [markdown]
# ## Outlets: given and inferred

# %%
articles[["article_id", "group", "outlet_source", "outlet_evidence", "n_words", "thin"]]

# %% [markdown]
# ## Term choice: how the war, the peace efforts and the relation are named

# %%
terms = framing.term_table(inputs.matches, articles, inputs.lexicon)
term_questions = [q for q in inputs.lexicon.questions if q not in ("hedges", "boosters")]
for question in term_questions:
    print(framing_report.term_finding(terms, question))

# %% tags=["nbval-ignore-output"]
for question in term_questions:
    answering = framing_report.groups_answering(terms, question, max_groups)
    if not answering:
        print(f"No group uses the terms of {question!r}: no chart.")
        continue
    n_answering = int((terms[terms["question"] == question].groupby("group")["n_mentions"].sum() > 0).sum())
    chart = framing_charts.term_choice(terms, answering, question)
    if n_answering > len(answering):
        chart = charts.annotate(chart, f"The {len(answering)} of {n_answering} groups using these terms most")
    charts.show(chart, framing_charts.chart_name("04_terms", question))

# %%
used = terms[terms["n_mentions"] > 0]
used[["group", "question", "term", "n_mentions", "n_own", "n_quoted", "n_articles_using", "share", "share_low",
      "share_high", "per_10k_words", "thin"]].round(3)

# %% [markdown]
# The sentences behind the counts (two per group and term):

# %%
examples = framing.term_examples(inputs.matches[inputs.matches["question"].isin(term_questions)])
tables.interactive(examples, caption="Example sentences per group and term")

# %% [markdown]
# ## Attribution verbs: said, stressed, claimed

# %%
verbs = framing.verb_table(inputs.quotes, articles, inputs.verb_classes)
classes = framing.verb_class_table(verbs)
print(framing_report.verb_finding(classes))

# %% tags=["nbval-ignore-output"]
charts.show(framing_charts.of_groups(framing_charts.verb_classes(classes, groups), groups, n_groups), "04_verbs")

# %%
not_neutral = verbs[verbs["verb_class"] != "neutral"]
not_neutral[["group", "verb", "verb_class", "n_quotes", "group_quotes", "share"]].round(3)

# %% [markdown]
# ## Hedges and boosters

# %%
hedges = framing.hedge_table(inputs.matches, articles, inputs.lexicon)
print(framing_report.hedge_finding(hedges))

# %% tags=["nbval-ignore-output"]
charts.show(framing_charts.of_groups(framing_charts.hedges(hedges, groups), groups, n_groups), "04_hedges")

# %%
examples = framing.term_examples(inputs.matches[inputs.matches["question"].isin(["hedges", "boosters"])], per_cell=1)
tables.interactive(examples, caption="Example sentences of hedges and boosters")

# %% [markdown]
# ## Whose voices appear

# %%
voiced = framing.voices(inputs.quotes, inputs.affiliations)
voice_table = framing.voice_table(voiced, articles)
print(framing_report.voice_finding(voice_table))

# %% tags=["nbval-ignore-output"]
charts.show(framing_charts.of_groups(framing_charts.voices(voice_table, groups), groups, n_groups), "04_voices")

# %%
voice_table.round(3)

# %% [markdown]
# ## Lexicon coverage
#
# What the lexicons miss on this corpus: the most quoted speakers no affiliation rule knows (add them
# to `lexicons/affiliations.csv` beside the data), questions no article answers, terms that never
# matched.

# %%
coverage = framing.lexicon_coverage(inputs)
print(framing_report.coverage_finding(coverage))
coverage.unaffiliated

# %% [markdown]
# ## Distinctive terms per group

# %%
bodies = articles.merge(corpus_bodies(corpus)[["article_id", "body"]], on="article_id")
key_terms = framing.keyness(bodies, "group", "body", min_count=min_count)
print(framing_report.keyness_finding(key_terms))

# %% tags=["nbval-ignore-output"]
groups_with_terms = set(key_terms["group"])
funnel_groups = [group for group in groups if group in groups_with_terms][:max_funnels]
for group in funnel_groups:
    chart = framing_charts.keyness_funnel(key_terms, group)
    charts.show(chart, framing_charts.chart_name("04_distinctive", group))
if not funnel_groups:
    print("No terms to plot: see the finding above.")

# %%
framing.top_distinctive(key_terms, per_group=8).round(2)

# %% [markdown]
# ## Tone

# %%
tones = framing.tone_table(inputs.sentences, articles)
print(framing_report.tone_finding(tones))

# %% tags=["nbval-ignore-output"]
charts.show(framing_charts.of_groups(framing_charts.tone(tones, groups), groups, n_groups), "04_tone")

# %%
entities = framing.entity_tone(inputs.sentences)
entities.round(3)

# %% tags=["nbval-ignore-output"]
if len(entities):
    chart = framing_charts.of_groups(framing_charts.entity_tone(entities, groups), groups, n_groups)
    charts.show(chart, "04_entity_tone")
else:
    print("No entity is named in two sentences of one group.")

# %%
framing.tone_examples(inputs.sentences)

# %% [markdown]
# ## Findings

# %%
for line in [
    framing_report.outlet_finding(articles, inputs.excluded_copies),
    *(framing_report.term_finding(terms, q) for q in term_questions),
    framing_report.verb_finding(classes),
    framing_report.hedge_finding(hedges),
    framing_report.voice_finding(voice_table),
    framing_report.keyness_finding(key_terms),
    framing_report.tone_finding(tones),
]:
    print("-", line)

# %% [markdown]
# ## Caveats
#
# - Lexicon counts find words, not meanings: "conflict" in "conflict of interest" counts as naming the
#   war (a question's `not:` phrases leave out known other wars, such as "World War II"). `n_own`
#   counts a term in the outlet's own words, `n_quoted` inside quotation marks; the share mixes both.
#   Read the example sentences before quoting a figure; extend the lexicons beside the data.
# - Affiliations come from the speaker's name, role and organisation as the quotes notebook resolved
#   them; a speaker resolved wrongly (or not at all) lands in the wrong voice or in "other".
# - VADER was built for social media text. News prose is mostly neutral, diplomatic language is
#   positive-sounding by convention ("fruitful talks"), and a sentence's score is not its tone toward
#   any one entity in it. Treat tone as a rough signal and read the extreme sentences.
# - With few articles per group, log-odds z-scores are shrunk towards zero by the pooled prior, and a
#   single article's topic can dominate its group's distinctive terms.
