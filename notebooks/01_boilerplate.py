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
# # 01 · What did boilerplate stripping remove from each dump, and why?
#
# Scraped dumps mix the article with site chrome. Every later notebook reads the stripped body, so
# the analyst needs to see, line by line, what was kept, what was dropped and for which reason.
#
# **Method**
#
# - Each dump is first read in its **shape**: layout text (one block per line), Markdown (headings,
#   lists and links read, link targets left out of the body), one blob without line breaks (cut
#   into sentence-sized units, also where a sentence opens right after a menu) or an excerpt (a
#   page's first characters, cut inside a sentence: no footer is assumed, and the cut line is
#   dropped). The table below names each article's shape; a "line" is a unit of it.
# - Each line of each dump is scored by a line classifier (cheap line and neighbourhood features,
#   two passes, trained on a public benchmark of scraped pages) and a few high-precision rules
#   (share bars, "Read more:" lines, captions); every dropped line gets a reason from a fixed list.
#   A blob has no layout to tell the article from a sidebar, so its kept text that chrome cuts off
#   from the article (teasers, a shop's blurbs after the footer) is dropped as `outside-article`.
#   Chrome between paragraphs ("- Advertisement -", "Read more: ...") is set aside before the
#   article is scored, the lead paragraph under a cluttered header is kept, a site's copyright line
#   is dropped, and layout text written without blank lines is read as if each line were a block.
# - A paragraph that repeats an earlier one (at least 8 words, 85% of its word triples seen before) is
#   kept once; the copy is dropped as `duplicate-paragraph`. The bar is high because real articles
#   repeat phrases on purpose (a standfirst echoed in the body).
# - Near-duplicate articles (5-word shingles, Jaccard >= `duplicate_threshold`) are marked
#   `duplicate_of` the earliest copy, so later counts can include or exclude them knowingly.
# - A line that recurs in at least `min_articles` articles and `min_share` of an outlet's articles
#   (the whole corpus where the outlet is unknown) is site chrome, `repeated-across-site`; only
#   groups of at least `min_group` articles are judged, since fewer cannot tell chrome from chance.

# %% tags=["parameters"]
data_dir = "../data"
store = None  # path of a store written by `newsdesk annotate`; when given, used instead of data_dir
title = None  # report title (used by the briefing)
since = None  # first publication date, "YYYY-MM-DD"; None: no lower bound
until = None  # last publication date, "YYYY-MM-DD"; None: no upper bound
outlets = None  # list of outlet names; None: every outlet
undated = "keep"  # with since/until: "keep" or "drop" articles without a publication date
export_dir = None  # folder for chart PNG/SVG/CSV exports (the briefing sets it)
min_articles = 3
min_share = 0.2
min_group = 5
duplicate_threshold = 0.7
example_article = None

# %%
import pandas as pd

import newsdesk
from newsdesk.present import boilerplate, charts
from newsdesk.stripping.corpus import SiteSettings, strip_corpus

pd.set_option("display.max_colwidth", 100)
pd.set_option("display.max_rows", 200)
corpus = newsdesk.open_corpus(data_dir, store=store).select(
    since=since, until=until, outlets=outlets, undated=undated
)
charts.use_corpus(corpus, export_dir=export_dir)
print(corpus.selection)
settings = SiteSettings(
    min_articles=min_articles, min_share=min_share, min_group=min_group, duplicate_threshold=duplicate_threshold
)
stripping = strip_corpus(corpus, settings)

# %% [markdown]
# ## Kept and dropped, per article

# %%
boilerplate.article_summary(stripping, shapes=boilerplate.dump_shapes(corpus.annotatable))

# %% tags=["nbval-ignore-output"]
charts.show(charts.stripping_by_reason(boilerplate.reason_counts(stripping.lines)), "01_stripping_by_reason")

# %%
print(boilerplate.stripping_finding(stripping))

# %% [markdown]
# ## Every dropped line, with its reason

# %%
boilerplate.dropped_lines(stripping.lines)

# %% [markdown]
# ## Before and after: one article
#
# The article that lost the largest share of its characters, unless `example_article` names another.

# %%
example = example_article or boilerplate.most_stripped_article(stripping)
print(f"Article {example}")
boilerplate.before_after(stripping.lines, example)

# %% [markdown]
# ## Repeated paragraphs and near-duplicate articles

# %%
repeats = boilerplate.dropped_lines(stripping.lines).query("reason == 'duplicate-paragraph'")
repeats

# %%
stripping.duplicates.dropna(subset=["duplicate_of"])

# %% [markdown]
# ## Lines repeated across a site
#
# The groups compared: each named outlet, and the whole corpus (for articles of unknown outlet).
# Groups smaller than `min_group` are too thin to judge.

# %%
stripping.site_groups

# %%
print(
    f"{len(stripping.repeated)} line(s) recur in at least {min_articles} articles and {min_share:.0%} of a "
    f"group of at least {min_group} articles."
)
stripping.repeated

# %% [markdown]
# ## Findings

# %%
print(boilerplate.stripping_finding(stripping))
print(boilerplate.repeat_finding(stripping))

# %% [markdown]
# ## Caveats
#
# - The classifier was trained on other sites' pages; chrome that reads like prose (reader comments,
#   related-story teasers, author bios) and short body lines (subheadings, list items) are where it
#   errs. The audit table above is there to check it.
# - With fewer than `min_group` articles per outlet (or in the corpus, for unknown outlets) lines
#   repeated across a site cannot be detected; the seed corpus is below that size.
