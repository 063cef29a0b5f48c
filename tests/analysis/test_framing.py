"""Framing: keyness against the formula by hand, lexicon matching, outlets, voices, tables and charts."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import newsdesk
from newsdesk.analysis import framing
from newsdesk.extract.lexicons import LexiconError, TermMatcher, read_affiliations, read_term_lexicon
from newsdesk.metadata.credits import copyright_holder
from newsdesk.metadata.outlets import infer_outlets
from newsdesk.present import framing as framing_report
from newsdesk.present import framing_charts
from newsdesk.stripping.corpus import corpus_bodies, strip_corpus

# --- keyness -------------------------------------------------------------------------------------


def _tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {"outlet": ["A", "B", "C"], "text": ["war war peace", "war crisis crisis", "crisis peace talks"]}
    )


def test_keyness_matches_the_formula_by_hand() -> None:
    # Pooled counts: war 3, peace 2, crisis 3, talks 1 (N = 9); prior a_w = pooled count, a_0 = 9.
    table = framing.keyness(_tiny(), "outlet", "text", min_count=1).set_index(["group", "term"])
    # "war" in A: y_i = 2, n_i = 3, a = 3; rest (B + C): y_j = 1, n_j = 6.
    delta = math.log((2 + 3) / (3 + 9 - 2 - 3)) - math.log((1 + 3) / (6 + 9 - 1 - 3))
    z = delta / math.sqrt(1 / (2 + 3) + 1 / (1 + 3))
    assert table.loc[("A", "war"), "log_odds"] == pytest.approx(delta)
    assert table.loc[("A", "war"), "z"] == pytest.approx(z)
    assert table.loc[("A", "war"), "count"] == 2
    # "talks" in A (absent): y_i = 0, a = 1; rest: y_j = 1, n_j = 6.
    delta = math.log((0 + 1) / (3 + 9 - 0 - 1)) - math.log((1 + 1) / (6 + 9 - 1 - 1))
    z = delta / math.sqrt(1 / (0 + 1) + 1 / (1 + 1))
    assert table.loc[("A", "talks"), "z"] == pytest.approx(z)
    assert table.loc[("A", "talks"), "z"] < 0


def test_keyness_with_a_background_prior_and_min_count() -> None:
    background = pd.Series({"war": 10, "peace": 5, "crisis": 1})  # "talks" missing: prior 1
    table = framing.keyness(_tiny(), "outlet", "text", min_count=2, prior=background)
    assert set(table["term"]) == {"war", "peace", "crisis"}  # talks (1 use) is below min_count
    assert list(table.columns) == ["term", "group", "count", "log_odds", "z"]
    row = table.set_index(["group", "term"]).loc[("B", "crisis")]
    a_0 = 10 + 5 + 1 + 1
    delta = math.log((2 + 1) / (3 + a_0 - 2 - 1)) - math.log((1 + 1) / (6 + a_0 - 1 - 1))
    assert row["log_odds"] == pytest.approx(delta)
    assert row["z"] == pytest.approx(delta / math.sqrt(1 / 3 + 1 / 2))


def test_keyness_two_groups_are_mirror_images_and_texts_may_be_token_lists() -> None:
    df = pd.DataFrame(
        {"g": ["x", "y"], "tokens": [["war", "war", "war", "talks"], ["talks", "talks", "war"]]}
    )
    table = framing.keyness(df, "g", "tokens", min_count=1).set_index(["term", "group"])["z"]
    assert table[("war", "x")] == pytest.approx(-table[("war", "y")])
    assert table[("war", "x")] > 0 > table[("talks", "x")]


def test_keyness_needs_two_groups() -> None:
    assert framing.keyness(_tiny().assign(outlet="A"), "outlet", "text", min_count=1).empty


def test_tokenize_lowercases_and_drops_stop_words_and_numbers() -> None:
    assert framing.tokenize("The Kremlin’s 2 envoys met in Beijing") == [
        "kremlin's",
        "envoys",
        "met",
        "beijing",
    ]


def test_wilson_interval_known_values() -> None:
    low, high = framing.wilson_interval([5, 0, 3], [10, 0, 3])
    assert low[0] == pytest.approx(0.2366, abs=1e-4) and high[0] == pytest.approx(0.7634, abs=1e-4)
    assert math.isnan(low[1]) and math.isnan(high[1])
    assert high[2] == pytest.approx(1.0) and low[2] == pytest.approx(0.4385, abs=1e-4)


# --- lexicon matching ----------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def matcher_lexicon(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("lexicons")
    _write(
        folder / "story_terms.yaml",
        "war_naming:\n  title: Naming\n  terms:\n"
        "    operation: [operation]\n    special military operation: [special military operation]\n"
        "    invasion: [invade, invasion]\n    war: [war]\n",
    )
    return read_term_lexicon(folder)


def _matches(lexicon, text: str) -> pd.DataFrame:
    return TermMatcher(lexicon, newsdesk.nlp())(newsdesk.nlp()(text))


def test_user_lexicon_replaces_a_default_question_and_keeps_the_others(matcher_lexicon) -> None:
    questions = matcher_lexicon.questions
    assert set(questions["war_naming"].terms) == {
        "operation",
        "special military operation",
        "invasion",
        "war",
    }
    assert {"peace_naming", "hedges", "boosters"} <= set(questions)
    assert any(s.endswith("/story_terms.yaml (beside the data)") for s in matcher_lexicon.sources)


def test_lemma_multiword_and_case_matching(matcher_lexicon) -> None:
    text = "Russia invaded Ukraine. Moscow calls the WAR a Special Military Operation, not an operation."
    found = _matches(matcher_lexicon, text)
    war = found[found["question"] == "war_naming"]
    assert war[["term", "text"]].values.tolist() == [
        ["invasion", "invaded"],
        ["war", "WAR"],
        ["special military operation", "Special Military Operation"],
        ["operation", "operation"],
    ]
    first = war.iloc[0]
    assert text[first["sentence_start"] : first["sentence_end"]] == "Russia invaded Ukraine."


def test_part_of_speech_restriction_keeps_the_month_out_of_hedges(matcher_lexicon) -> None:
    text = "In May the talks may resume, and they might fail."
    hedges = _matches(matcher_lexicon, text).query("question == 'hedges'")
    assert hedges["text"].tolist() == ["may", "might"]
    assert hedges["start"].tolist() == [text.index("may"), text.index("might")]


def test_the_term_listed_first_wins_where_two_terms_share_a_phrase(tmp_path: Path) -> None:
    _write(
        tmp_path / "tie_terms.yaml",
        "naming:\n  title: Naming\n  terms:\n    crisis: [crisis, standoff]\n    dispute: [standoff, row]\n",
    )
    found = _matches(read_term_lexicon(tmp_path), "The standoff became a row, then a crisis.")
    naming = found[found["question"] == "naming"]
    assert naming[["term", "text"]].values.tolist() == [
        ["crisis", "standoff"],
        ["dispute", "row"],
        ["crisis", "crisis"],
    ]


def test_matches_on_a_stored_doc_equal_those_on_the_fresh_parse(matcher_lexicon) -> None:
    from spacy.tokens import DocBin

    language = newsdesk.nlp()
    doc = language("Officials said the invasion was a war of choice. Talks may resume in May.")
    stored = next(DocBin(docs=[doc]).from_bytes(DocBin(docs=[doc]).to_bytes()).get_docs(language.vocab))
    matcher = TermMatcher(matcher_lexicon, language)
    assert len(matcher(doc)) >= 3
    pd.testing.assert_frame_equal(matcher(stored), matcher(doc))


def test_doc_text_is_the_docs_text_and_built_once() -> None:
    from newsdesk.parsing.pipeline import doc_text

    doc = newsdesk.nlp()("Wang Yi met Sergei Lavrov.\n\nThey spoke for an hour.")
    assert doc_text(doc) == doc.text
    assert doc_text(doc) is doc_text(doc)
    other = newsdesk.nlp()("Another text.")
    assert doc_text(other) == "Another text."


def test_bad_lexicon_names_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path / "bad_terms.yaml", "q:\n  terms:\n    war: [war\n  title: x\n")
    with pytest.raises(LexiconError, match=r"bad_terms\.yaml line \d+"):
        read_term_lexicon(tmp_path)
    _write(tmp_path / "bad_terms.yaml", "q:\n  title: no terms\n")
    with pytest.raises(LexiconError, match="needs a non-empty 'terms'"):
        read_term_lexicon(tmp_path)


# --- voices --------------------------------------------------------------------------------------


def test_affiliation_rules_in_order_with_user_rows_first(tmp_path: Path) -> None:
    _write(tmp_path / "affiliations.csv", "field,pattern,affiliation\nname,Wang Yi,Chinese officials\n")
    rules = read_affiliations(tmp_path)
    assert rules["rule"].iloc[0] == "affiliations.csv:2"
    assert framing.affiliation_of("Wang Yi", None, None, rules)[0] == "Chinese officials"
    assert framing.affiliation_of("Mao Ning", "Chinese Foreign Ministry spokesperson", None, rules)[0] == (
        "Chinese officials"
    )
    assert framing.affiliation_of("Kremlin", None, None, rules)[0] == "Russian officials"
    assert framing.affiliation_of("Jane Roe", "senior fellow", "Carnegie", rules)[0] == "experts"
    assert framing.affiliation_of(None, None, None, rules) == ("unnamed", "no speaker")
    assert framing.affiliation_of("Jane Roe", None, None, rules) == ("other", "no rule")
    # role rules are case-sensitive: "us" in running text is not the United States
    assert framing.affiliation_of("people like us", None, None, rules)[0] == "other"


def test_the_office_held_that_day_gives_an_affiliation_where_the_text_names_no_role(tmp_path: Path) -> None:
    rules = read_affiliations(tmp_path)
    quotes = pd.DataFrame({
        "speaker_canonical": ["Anna Bianchi", "Anna Bianchi", "Jane Roe"],
        "speaker_role": [None, None, "senior fellow"],
        "speaker_org": [None, None, None],
        "speaker_office": ["Italian Prime Minister", None, "Italian Prime Minister"],
        "text": ["a", "b", "c"],
    })
    assert framing.voices(quotes, rules)["affiliation"].tolist() == ["European officials", "other", "experts"]


def test_bad_affiliation_row_names_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path / "affiliations.csv", "field,pattern,affiliation\nname,Wang,Chinese\nrank,x,y\n")
    with pytest.raises(LexiconError, match=r"affiliations\.csv line 3"):
        read_affiliations(tmp_path)


# --- outlets -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_corpus(seed_corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    return newsdesk.load_corpus(seed_corpus_dir, cache_dir=tmp_path_factory.mktemp("cache"))


def test_outlets_of_the_seeds(seed_corpus) -> None:
    lines = strip_corpus(seed_corpus).lines
    articles = seed_corpus.annotatable
    given = infer_outlets(articles, lines).set_index("article_id")
    assert given.loc["002_c2998331b654bcfb", ["outlet", "outlet_source"]].tolist() == [
        "GEOPOLITIKI",
        "manifest",
    ]
    # 003's slogan ("Tech Souls, Connected.") names no site: it stays unknown
    assert given.loc["003_78216b02c8886212", "outlet_source"] == "unknown"
    assert given["outlet"].isna().sum() == 4

    blanked = infer_outlets(articles.assign(outlet=None), lines).set_index("article_id")
    row = blanked.loc["002_c2998331b654bcfb"]
    assert (row["outlet"], row["outlet_source"]) == ("geopolitiki.com", "site-line")
    assert "GEOPOLITIKI.COM" in row["outlet_evidence"]
    assert blanked.drop(index="002_c2998331b654bcfb")["outlet"].isna().all()

    # a URL gives the site; an inferred site matching a manifest outlet takes the manifest's spelling
    mixed = articles.assign(outlet=None, url=None)
    mixed.loc[mixed["article_id"] == "000_ea60f509096378bf", ["outlet"]] = "Geopolitiki"
    mixed.loc[mixed["article_id"] == "004_01061795cba05c0d", ["url"]] = (
        "https://www.globaltimes.cn/page/1.html"
    )
    inferred = infer_outlets(mixed, lines).set_index("article_id")
    assert inferred.loc["002_c2998331b654bcfb", "outlet"] == "Geopolitiki"
    # the registry names the site
    assert inferred.loc["004_01061795cba05c0d", ["outlet", "outlet_source", "site"]].tolist() == [
        "Global Times",
        "url",
        "globaltimes.cn",
    ]


@pytest.mark.parametrize(
    ("line", "holder"),
    [
        ("Copyright © 2025 Example Culinary Prep. Terms of Service.", "Example Culinary Prep"),
        ("© Copyright 1998-2025 by Help Net Example", "Help Net Example"),
        ("© Everfit 2025 - All Rights Reserved.", "Everfit"),
        ("Copyright (c) 2024 The Example Times, Inc.", "The Example Times"),
        ("Copyright Policy", None),
        ("Report Copyright Violation", None),
        ("© 2025 All Rights Reserved", None),
    ],
)
def test_copyright_holder(line: str, holder: str | None) -> None:
    assert copyright_holder(line) == holder


def test_shared_chrome_assigns_one_known_outlet_only() -> None:
    footer = ["Tech Souls, Connected.", "Subscribe to the Daily Brief newsletter"]
    articles = pd.DataFrame(
        {"article_id": ["a", "b", "c"], "outlet": ["TechSouls", None, None], "url": [None, None, None]}
    )
    rows = [("a", t) for t in footer] + [("b", t) for t in footer] + [("c", footer[0])]
    lines = pd.DataFrame(rows, columns=["article_id", "text"]).assign(kept=False, reason="navigation")
    result = infer_outlets(articles, lines).set_index("article_id")
    assert result.loc["b", ["outlet", "outlet_source"]].tolist() == ["TechSouls", "shared-chrome"]
    assert result.loc["c", "outlet_source"] == "unknown"  # one shared line is not enough


# --- corpus tables and charts ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_inputs(seed_corpus) -> framing.FramingInputs:
    return framing.collect(seed_corpus)


def test_collect_on_the_seeds(seed_inputs) -> None:
    articles = seed_inputs.articles
    assert len(articles) == 5 and articles["thin"].all()
    assert articles["group"].is_unique  # four unknown outlets are never pooled
    assert (articles["n_words"] > 200).all()
    # the story lexicon beside the data is in force: the relation question is answered
    matches = seed_inputs.matches
    relation = matches[matches["question"] == "china_russia_relation"]
    assert ("000_ea60f509096378bf", "no-limits partnership") in set(
        zip(relation["article_id"], relation["term"], strict=True)
    )
    # every match carries its sentence, and the sentence contains the matched words
    assert all(text in sentence for text, sentence in zip(matches["text"], matches["sentence"], strict=True))


def test_term_table_counts_and_grid(seed_inputs) -> None:
    table = framing.term_table(seed_inputs.matches, seed_inputs.articles, seed_inputs.lexicon)
    n_terms = sum(len(q.terms) for q in seed_inputs.lexicon.questions.values())
    assert len(table) == 5 * n_terms
    assert table["n_mentions"].sum() == len(seed_inputs.matches)
    answered = table[table["question_mentions"] > 0]
    shares = answered.groupby(["group", "question"])["share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)
    assert (answered["share_low"] <= answered["share"]).all() and (
        answered["share"] <= answered["share_high"]
    ).all()


def test_groups_answering_a_question_come_first(seed_inputs) -> None:
    terms = framing.term_table(seed_inputs.matches, seed_inputs.articles, seed_inputs.lexicon)
    answering = framing_report.groups_answering(terms, "china_position", 5)
    rows = terms[terms["question"] == "china_position"].groupby("group")["n_mentions"].sum()
    assert set(answering) == set(rows[rows > 0].index) and len(answering) == 3
    assert rows[answering].is_monotonic_decreasing
    assert framing_report.groups_answering(terms, "china_position", 1) == answering[:1]


def test_verb_voice_and_tone_tables(seed_inputs) -> None:
    verbs = framing.verb_table(seed_inputs.quotes, seed_inputs.articles, seed_inputs.verb_classes)
    assert verbs.groupby("group")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert verbs["n_quotes"].sum() == seed_inputs.quotes["cue"].notna().sum()
    said = verbs[verbs["verb"] == "say"]
    assert (said["verb_class"] == "neutral").all() and len(said)
    voiced = framing.voices(seed_inputs.quotes, seed_inputs.affiliations)
    mao = voiced[voiced["speaker_name"] == "Mao Ning"]
    assert len(mao) and (mao["affiliation"] == "Chinese officials").all()
    trump = voiced[voiced["speaker_name"] == "Donald Trump"]
    assert len(trump) and (trump["affiliation"] == "US officials").all()
    voices = framing.voice_table(voiced, seed_inputs.articles)
    assert voices.groupby("group")["quote_share"].sum().to_numpy() == pytest.approx(1.0)
    tones = framing.tone_table(seed_inputs.sentences, seed_inputs.articles)
    assert tones["n_sentences"].sum() == len(seed_inputs.sentences)
    assert ((tones["tone"] >= -1) & (tones["tone"] <= 1)).all()




def _chart_rows(chart) -> int:
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    return max((len(rows) for rows in datasets.values()), default=0)


def test_every_chart_draws_from_its_table(seed_inputs, seed_corpus) -> None:
    articles = seed_inputs.articles
    groups = framing_report.top_groups(articles, 3)
    assert len(groups) == 3
    terms = framing.term_table(seed_inputs.matches, articles, seed_inputs.lexicon)
    n_war_terms = len(seed_inputs.lexicon.questions["war_naming"].terms)
    assert _chart_rows(framing_charts.term_choice(terms, groups, "war_naming")) == 3 * n_war_terms
    verbs = framing.verb_table(seed_inputs.quotes, articles, seed_inputs.verb_classes)
    classes = framing.verb_class_table(verbs)
    assert _chart_rows(framing_charts.verb_classes(classes, groups)) == classes["group"].isin(groups).sum()
    hedges = framing.hedge_table(seed_inputs.matches, articles, seed_inputs.lexicon)
    assert _chart_rows(framing_charts.hedges(hedges, groups)) == 3 * 2
    voices = framing.voice_table(framing.voices(seed_inputs.quotes, seed_inputs.affiliations), articles)
    assert _chart_rows(framing_charts.voices(voices, groups)) == voices["group"].isin(groups).sum()
    bodies = articles.merge(corpus_bodies(seed_corpus)[["article_id", "body"]], on="article_id")
    key_terms = framing.keyness(bodies, "group", "body", min_count=3)
    funnel = framing_charts.keyness_funnel(key_terms, groups[0])
    expected = min((key_terms["group"] == groups[0]).sum(), framing_charts.FUNNEL_POINTS)
    assert _chart_rows(funnel) == expected > 0
    tones = framing.tone_table(seed_inputs.sentences, articles)
    assert _chart_rows(framing_charts.tone(tones, groups)) == 3
    entities = framing.entity_tone(seed_inputs.sentences)
    assert _chart_rows(framing_charts.entity_tone(entities, groups)) == entities["group"].isin(groups).sum()


def test_chart_names_are_file_stems_and_distinct_labels_get_distinct_names() -> None:
    assert framing_charts.chart_name("04_terms", "war_naming") == "04_terms_war_naming"
    labels = ["(unknown: 000_ea60)", "Le Monde / Paris", "Le Monde Paris", "新华社", "人民日报", "x" * 80]
    names = [framing_charts.chart_name("04_x", label) for label in labels]
    assert names[0].startswith("04_x_unknown_000_ea60_") and names[1].startswith("04_x_Le_Monde_Paris_")
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[\w.-]+", name, flags=re.ASCII) and len(name) <= 80 for name in names)
    assert framing_charts.chart_name("04_x", "新华社") == names[3]  # the same label, the same file


def test_near_duplicates_are_left_out_unless_asked(tmp_path: Path, seed_corpus_dir: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(seed_corpus_dir, folder)
    (folder / "articles.csv").unlink()
    source = folder / "articles" / "004_01061795cba05c0d.txt"
    (folder / "articles" / "zz_copy.txt").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    corpus = newsdesk.load_corpus(folder, cache_dir=tmp_path / "cache")
    inputs = framing.collect(corpus)
    assert len(inputs.articles) == 5 and len(inputs.excluded_copies) == 1
    assert not inputs.matches["article_id"].isin(inputs.excluded_copies["article_id"]).any()
    assert "1 copy of other articles (1 verbatim) is left out" in framing_report.outlet_finding(
        inputs.articles, inputs.excluded_copies
    )
    assert len(framing.collect(corpus, include_copies=True).articles) == 6


# --- findings ------------------------------------------------------------------------------------


def test_findings_follow_the_numbers() -> None:
    terms = pd.DataFrame(
        {
            "group": ["A", "A", "B", "B"],
            "question": ["q"] * 4,
            "question_title": ["How it is named"] * 4,
            "term": ["war", "conflict", "war", "conflict"],
            "n_mentions": [5, 1, 0, 3],
        }
    )
    text = framing_report.term_finding(terms, "q")
    assert text.startswith(
        "How it is named: 9 mention(s) in 2 of 2 group(s); 'war' is the most common (5, 56%)"
    )
    assert "B ('conflict', 3)" in text and "A (" not in text
    tones = pd.DataFrame(
        {"group": ["A", "B"], "n_sentences": [10, 10], "tone": [-0.5, 0.5],
         "tone_low": [-0.7, 0.3], "tone_high": [-0.3, 0.7]}
    )  # fmt: skip
    assert framing_report.tone_finding(tones).endswith("do not overlap.")
    assert framing_report.keyness_finding(
        pd.DataFrame(columns=["term", "group", "count", "log_odds", "z"])
    ).startswith("Distinctive terms need")


# --- whose words a match is, and what it is not ----------------------------------------------------


def test_a_term_inside_an_excluded_phrase_is_not_counted() -> None:
    from newsdesk.extract.lexicons import TermMatcher

    language = newsdesk.nlp()
    matcher = TermMatcher(read_term_lexicon(), language)
    doc = language(
        "Putin marked the end of World War II while the war in Ukraine went on. The Cold War ended long ago. "
        "China's peace plan is not a peace deal."
    )
    found = matcher(doc)
    war = found[found["question"] == "war_naming"]
    assert war["text"].tolist() == ["war"] and doc.text[war["start"].iloc[0] :].startswith("war in Ukraine")
    peace = found[found["question"] == "peace_naming"]
    assert peace["term"].tolist() == ["peace plan", "peace deal"]


def test_matches_inside_quotes_are_the_quoted_voice_and_counts_add_up() -> None:
    body = (
        "The outlet called it a war on Monday.\n"
        "“This crisis must end,” Wang Yi said, calling it a “conflict” that harms everyone.\n"
    )
    matches = pd.DataFrame(
        {
            "article_id": ["a", "a", "a"],
            "question": ["war_naming"] * 3,
            "term": ["war", "crisis", "conflict"],
            "start": [body.index("war"), body.index("crisis"), body.index("conflict")],
            "end": [body.index("war") + 3, body.index("crisis") + 6, body.index("conflict") + 8],
            "group": ["A"] * 3,
        }
    )
    quote_start = body.index("“This")
    quotes = pd.DataFrame(
        {
            "article_id": ["a"],
            "kind": ["direct"],
            "start": [quote_start],
            "end": [body.index("” Wang") + 1],
            "speaker_canonical": ["Wang Yi"],
        }
    )
    voiced = framing.match_voices(matches, pd.DataFrame({"article_id": ["a"], "body": [body]}), quotes)
    assert voiced["voice"].tolist() == ["own", "quoted", "quoted"]
    speakers = [v if isinstance(v, str) else None for v in voiced["voiced_by"]]
    assert speakers == [None, "Wang Yi", None]  # the scare quote has no speaker
    affiliated = framing.match_voices(
        matches,
        pd.DataFrame({"article_id": ["a"], "body": [body]}),
        quotes.assign(affiliation=["Chinese officials"]),
    )
    assert affiliated["voiced_affiliation"].iloc[1] == "Chinese officials"
    lexicon = read_term_lexicon()
    articles = pd.DataFrame({"article_id": ["a"], "group": ["A"], "n_words": [30], "thin": [True]})
    table = framing.term_table(voiced, articles, lexicon)
    assert (table["n_own"] + table["n_quoted"] == table["n_mentions"]).all()
    row = table.set_index(["question", "term"]).loc[("war_naming", "crisis")]
    assert (row["n_own"], row["n_quoted"]) == (0, 1)


def test_leading_terms_is_one_row_per_group_with_the_most_used_term(seed_inputs) -> None:
    terms = framing.term_table(seed_inputs.matches, seed_inputs.articles, seed_inputs.lexicon)
    questions = ["war_naming", "peace_naming"]
    table = framing_report.leading_terms(terms, questions)
    assert table["group"].is_unique and list(table.columns) == ["group", *questions]
    used = terms[(terms["question"] == "war_naming") & (terms["n_mentions"] > 0)]
    for group, cell in zip(table["group"], table["war_naming"], strict=True):
        rows = used[used["group"] == group]
        if rows.empty:
            assert cell == ""
            continue
        best = rows.sort_values(["n_mentions", "term"], ascending=[False, True]).iloc[0]
        assert cell.startswith(f"{best['term']} (") and cell.endswith(f"of {int(best['question_mentions'])})")


def test_example_tables_print_sentences_on_one_line(seed_inputs) -> None:
    examples = framing.term_examples(seed_inputs.matches)
    tones = framing.tone_examples(seed_inputs.sentences)
    assert len(examples) and len(tones)
    assert not examples["sentence"].str.contains("\n").any()
    assert not tones["text"].str.contains("\n").any()
