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
# # 00 · What is in the corpus?
#
# Which articles do we have, from which outlets and dates, how long are they, and what could not be
# read or had to be repaired?
#
# **Method**
#
# - Load `data_dir` with `newsdesk.load_corpus`: the manifest `articles.csv` wins; a `.txt` file it does
#   not list is loaded too, with a warning, so nothing is dropped unseen. Given a `store` (written by
#   `newsdesk annotate`), every notebook reads it instead: the same articles and problems, annotated once.
# - Every file that could not be used (empty, binary, missing) or was repaired (encoding, byte-order
#   mark, mojibake, odd spaces, HTML) is listed under *Problems* with its file and line.
# - **Outlets** (the publisher) come from the manifest, else the article's URL (redirect and AMP links
#   unwrapped, the site named as the outlet registry names it), else the text's own credits
#   ("Published in Dawn", "© 2023 CGTN"). A wire credit ("(Reuters) -", "/TASS/") printed by another
#   site is the article's **source**; notebooks 02 to 05 group by the outlet. Type and country come
#   from the registry (the package's, overlaid by `outlets.csv` beside the data).
# - **Publication dates** come from the manifest, else the URL's path and the text (byline, dateline,
#   header date), each with its source and a confidence. A URL date the text contradicts is flagged; a
#   numeric date such as 09.04.2024 that nothing tells day-first or month-first is left unread.
# - **Copies** (the same page twice, a mirror on another site, a wire story re-edited) point to their
#   original; notebooks 02 to 05 count a story once.
# - A briefing can select articles by publication date (`since`, `until`) and outlet (`outlets`).
#   Articles without a date cannot be placed in a date window: they are kept unless
#   `undated = "drop"`, and the selection line below says how many were kept or left out.
# - Annotation uses spaCy's small English model; parses are cached by text hash and pipeline version,
#   so a rerun parses nothing again. Articles detected as another language are reported, not parsed.

# %% tags=["parameters"]
data_dir = "../data"
store = None  # path of a store written by `newsdesk annotate`; when given, used instead of data_dir
title = None  # report title (used by the briefing)
since = None  # first publication date, "YYYY-MM-DD"; None: no lower bound
until = None  # last publication date, "YYYY-MM-DD"; None: no upper bound
outlets = None  # list of outlet names; None: every outlet
undated = "keep"  # with since/until: "keep" or "drop" articles without a publication date
export_dir = None  # folder for chart PNG/SVG/CSV exports (the briefing sets it)

# %%
import pandas as pd

import newsdesk
from newsdesk.present import charts, describe

pd.set_option("display.max_colwidth", 120)
corpus = newsdesk.open_corpus(data_dir, store=store).select(
    since=since, until=until, outlets=outlets, undated=undated
)
charts.use_corpus(corpus, export_dir=export_dir)
print(corpus.selection)
corpus

# %% [markdown]
# ## Articles
#
# One row per usable article: outlet and date as the manifest gives them, size of the dump in
# characters, and the token, sentence and entity counts of its stripped body.

# %%
overview = describe.corpus_overview(corpus)
overview

# %% tags=["nbval-ignore-output"]
charts.show(charts.article_lengths(overview), "00_article_lengths")

# %% [markdown]
# ## Outlets and dates
#
# Per outlet: its registry type and country, articles, dated articles, and how the outlet was told.

# %%
describe.outlet_table(corpus.articles)

# %% [markdown]
# Per article: the outlet and the wire source with their evidence, the date with its source and
# confidence, URL/text conflicts, ambiguous numeric dates, and the original an article copies.

# %%
describe.metadata_table(corpus.articles)

# %%
print(describe.metadata_finding(corpus.articles))

# %% [markdown]
# ## Problems
#
# Errors mean the file is not in the corpus; warnings mean it is, after the repair described.

# %%
describe.problem_summary(corpus.problems)

# %%
corpus.problems

# %% [markdown]
# ## Findings

# %%
print(describe.corpus_finding(corpus.articles, corpus.problems))

# %% [markdown]
# ## Caveats
#
# Computed from this corpus:

# %%
for caveat in describe.corpus_caveats(corpus.articles):
    print("-", caveat)

# %% [markdown]
# And always:
#
# - An outlet told by a credit or a date inferred from the text can be wrong: `outlet_evidence` and
#   `date_source` say what was read, so check them before quoting a per-outlet figure. Outlets the
#   registry does not know have no type or country; add them to `outlets.csv` beside the data.
# - `n_chars` counts the raw dumps, chrome included; tokens, sentences and entities count the
#   stripped bodies (notebook 01 shows what stripping removed).
