"""Notebooks and briefings on an annotated store: ``newsdesk.open_corpus``, the notebooks' ``store``
parameter and ``newsdesk briefing --store``.

The store is the seed articles annotated once per session (``seed_store`` in ``conftest.py``). Two of
the project's notebooks are run by the briefing runner on the seed folder and on the store, and must
show the same tables and findings; the runner's own checks use small notebooks written here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

import newsdesk
from newsdesk.briefing.cli import main
from newsdesk.briefing.runner import (
    BriefingError,
    check_parameters,
    declared_parameters,
    default_notebooks_dir,
    list_notebooks,
    run_briefing,
)
from newsdesk.ingest.corpus import Corpus
from newsdesk.ingest.problems import CorpusError
from newsdesk.metadata.resolve import resolve_metadata
from newsdesk.store.corpus import Store
from newsdesk.store.format import StoreError

from ..store.test_store import assert_same
from .test_briefing import STANDARD_PARAMETERS, write_notebook

#: Project notebooks run on both the folder and the store (the quickest that cover loading, the
#: per-article tables read from the store, and the corpus-level timeline computed when reading).
ON_BOTH = ("00_corpus.ipynb", "03_chronology.ipynb")

STORE_PARAMETERS = STANDARD_PARAMETERS + "\nstore = None"
OPEN_AND_SELECT = """import newsdesk

whole = newsdesk.open_corpus(data_dir, store=store)
corpus = whole.select(since=since, until=until, outlets=outlets, undated=undated)
print(type(whole).__name__, len(corpus), corpus.selection)"""


# --- open_corpus ----------------------------------------------------------------------------------------


def test_open_corpus_loads_the_folder(seed_corpus_dir: Path) -> None:
    corpus = newsdesk.open_corpus(seed_corpus_dir)
    assert type(corpus) is Corpus and len(corpus) == 5
    # open_corpus is load_corpus with the metadata resolved (outlets and dates, see newsdesk.metadata).
    assert_same(corpus.articles, resolve_metadata(newsdesk.load_corpus(seed_corpus_dir)).articles)
    assert newsdesk.open_corpus(str(seed_corpus_dir), store=None).root == corpus.root


def test_open_corpus_reads_the_store_instead_of_the_folder(
    seed_store: Path, seed_corpus_dir: Path, tmp_path: Path
) -> None:
    # data_dir is not read when a store is given: a folder that does not exist is no error.
    corpus = newsdesk.open_corpus(tmp_path / "no-such-folder", store=seed_store)
    assert isinstance(corpus, Store) and corpus.path == seed_store.resolve()
    loaded = resolve_metadata(newsdesk.load_corpus(seed_corpus_dir))
    assert_same(corpus.articles, loaded.articles)
    assert_same(corpus.problems, loaded.problems)
    chosen = newsdesk.open_corpus(store=str(seed_store)).select(since="2025-01-01", undated="drop")
    assert len(chosen) == 3
    assert str(chosen.selection) == str(loaded.select(since="2025-01-01", undated="drop").selection)


def test_open_corpus_needs_a_folder_or_a_store() -> None:
    for arguments in ({}, {"data_dir": None, "store": None}, {"data_dir": "", "store": ""}):
        with pytest.raises(ValueError, match=r"needs data_dir \(a corpus folder\) or store"):
            newsdesk.open_corpus(**arguments)


def test_open_corpus_names_a_missing_folder_or_store(tmp_path: Path, seed_corpus_dir: Path) -> None:
    with pytest.raises(CorpusError, match="corpus path does not exist"):
        newsdesk.open_corpus(tmp_path / "no-such-folder")
    missing = tmp_path / "no-such-store"
    with pytest.raises(StoreError, match=rf"store {re.escape(str(missing))} does not exist; write it with"):
        newsdesk.open_corpus(seed_corpus_dir, store=missing)
    (tmp_path / "not-a-store").mkdir()
    with pytest.raises(StoreError, match="no complete snapshot"):
        newsdesk.open_corpus(seed_corpus_dir, store=tmp_path / "not-a-store")


def test_every_project_notebook_takes_the_store_and_opens_its_corpus_with_open_corpus() -> None:
    notebooks = list_notebooks(default_notebooks_dir())
    declared = {notebook: declared_parameters(notebook) for notebook in notebooks}
    for notebook, names in declared.items():
        assert names.get("store") == "None", f"{notebook.name} declares store = None"
        assert names.get("data_dir") == '"../data"', f"{notebook.name} keeps its data_dir"
        cells = nbformat.read(notebook, as_version=4).cells
        code = "\n".join(c.source for c in cells if c.cell_type == "code")
        assert "newsdesk.open_corpus(data_dir, store=store)" in code
        assert "load_corpus(" not in code and "open_store(" not in code
    check_parameters({"store": "path", "since": "2025-01-01", "undated": "drop"}, declared)  # no error


# --- the briefing runner and its command line ------------------------------------------------------------


def test_data_and_store_are_exclusive_and_one_is_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ["--out", str(tmp_path / "out")]
    for argv, message in (
        ([*out], "one of the arguments --data --store is required"),
        (["--data", str(tmp_path), "--store", str(tmp_path), *out], "argument --store: not allowed with"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["briefing", *argv])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err
    with pytest.raises(BriefingError, match="not both"):
        run_briefing(tmp_path, tmp_path / "out", store=tmp_path)
    with pytest.raises(BriefingError, match="no corpus given"):
        run_briefing(None, tmp_path / "out")


def test_a_missing_or_unfinished_store_is_refused_before_any_notebook_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_open.ipynb", OPEN_AND_SELECT, parameters=STORE_PARAMETERS)
    (tmp_path / "unfinished" / "batches").mkdir(parents=True)
    out = tmp_path / "out"
    for store, message in (("no-such-store", "does not exist"), ("unfinished", "holds no complete snapshot")):
        argv = ["briefing", "--store", str(tmp_path / store), "--out", str(out)]
        assert main([*argv, "--notebooks", str(notebooks)]) == 1
        assert message in capsys.readouterr().err
        assert not out.exists(), "nothing runs"


def test_a_notebook_that_does_not_take_the_store_is_refused(tmp_path: Path, seed_store: Path) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_open.ipynb", OPEN_AND_SELECT, parameters=STORE_PARAMETERS)
    write_notebook(notebooks, "01_folder_only.ipynb", "print(data_dir)", parameters=STANDARD_PARAMETERS)
    with pytest.raises(BriefingError, match=r"01_folder_only\.ipynb does not take the parameter store"):
        run_briefing(None, tmp_path / "out", store=seed_store, notebooks_dir=notebooks)
    assert not (tmp_path / "out").exists(), "nothing runs"


def test_the_store_reaches_every_notebook_and_the_selection(
    tmp_path: Path, seed_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "00_open.ipynb", OPEN_AND_SELECT, parameters=STORE_PARAMETERS)
    write_notebook(notebooks, "01_store.ipynb", "print('store:', store)", parameters=STORE_PARAMETERS)
    out = tmp_path / "out"
    argv = ["briefing", "--store", str(seed_store), "--out", str(out), "--notebooks", str(notebooks)]
    assert main([*argv, "--outlet", "Xinhua"]) == 1  # the selection is checked on the store's articles
    assert "selection: no article from outlet(s) Xinhua; outlets in the corpus: GEOPOLITIKI" in (
        capsys.readouterr().err
    )
    assert main([*argv, "--since", "2025-01-01", "--undated", "drop"]) == 0
    assert "selection: 3 of 5 article(s) selected" in capsys.readouterr().out

    for name in ("00_open.ipynb", "01_store.ipynb"):
        executed = nbformat.read(out / name, as_version=4)
        injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'store = "{seed_store.resolve()}"' in injected.source
        assert "data_dir" not in injected.source, "the notebooks keep their own (unused) data_dir"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Store 3 3 of 5 article(s) selected" in report, "the notebook read the store and selected from it"
    assert f"store: {seed_store.resolve()}" in report
    assert f"<th>store</th><td><code>'{seed_store.resolve()}'</code>" in report
    assert "<th>data_dir</th>" not in report


# --- the project's notebooks on the folder and on the store -----------------------------------------------


@pytest.fixture(scope="module")
def briefings(tmp_path_factory: pytest.TempPathFactory, seed_corpus_dir: Path, seed_store: Path) -> dict:
    """Notebooks ``ON_BOTH`` run by the briefing runner on the seed folder and on the seed store."""
    root = tmp_path_factory.mktemp("briefings")
    # No data folder beside the copies: a notebook that read its default data_dir ("../data") would fail.
    notebooks = root / "notebooks"
    notebooks.mkdir()
    for name in ON_BOTH:
        shutil.copy(default_notebooks_dir() / name, notebooks / name)
    folder, store = root / "on-folder", root / "on-store"
    run_briefing(seed_corpus_dir, folder, notebooks_dir=notebooks, log=lambda _: None)
    argv = ["briefing", "--store", str(seed_store), "--out", str(store), "--notebooks", str(notebooks)]
    assert main([*argv, "--title", "On the store"]) == 0
    return {"folder": folder, "store": store, "seed_store": seed_store.resolve()}


def key_outputs(path: Path) -> list[tuple[str, list[str]]]:
    """Each code cell's source with its outputs as text (stream text, else a result's HTML or plain text,
    else the error), leaving out the injected parameters and chart cells (``nbval-ignore-output``).

    Consecutive writes to one stream are joined (the kernel may split them anywhere), and a Store's repr
    is written as a Corpus's: both name the same counts.
    """
    cells = []
    for cell in nbformat.read(path, as_version=4).cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or {"injected-parameters", "nbval-ignore-output"} & set(tags):
            continue
        texts: list[str] = []
        previous_stream = None
        for output in cell.outputs:
            if output.output_type == "stream":
                if previous_stream == output.name:
                    texts[-1] += output.text
                else:
                    texts.append(output.text)
                previous_stream = output.name
                continue
            previous_stream = None
            if output.output_type == "error":
                texts.append(f"{output.ename}: {output.evalue}")
            else:
                text = output.data.get("text/html") or output.data.get("text/plain", "")
                texts.append(re.sub(r"<Store (.*); snapshot \w+>", r"<Corpus \1>", text))
        cells.append((cell.source, texts))
    return cells


@pytest.mark.parametrize("notebook", ON_BOTH)
def test_a_notebook_shows_the_same_on_the_store_as_on_the_folder(briefings: dict, notebook: str) -> None:
    on_folder = key_outputs(briefings["folder"] / notebook)
    on_store = key_outputs(briefings["store"] / notebook)
    assert sum(len(texts) for _, texts in on_folder) >= 6, "the notebook shows its tables and findings"
    assert not any(text.startswith(("CorpusError", "StoreError")) for _, t in on_store for text in t)
    assert [source for source, _ in on_store] == [source for source, _ in on_folder]
    for (source, store_texts), (_, folder_texts) in zip(on_store, on_folder, strict=True):
        assert store_texts == folder_texts, f"the cell starting {source.splitlines()[0]!r} differs"
    executed = nbformat.read(briefings["store"] / notebook, as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f'store = "{briefings["seed_store"]}"' in injected.source and "data_dir" not in injected.source


def test_the_corpus_view_of_notebook_00_is_the_store(briefings: dict) -> None:
    executed = nbformat.read(briefings["store"] / "00_corpus.ipynb", as_version=4)
    shown = [o.data["text/plain"] for c in executed.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "execute_result"]  # fmt: skip
    assert any(text.startswith("<Store 5 articles") for text in shown)


def test_the_report_names_the_corpus_the_notebooks_read(briefings: dict) -> None:
    on_store = (briefings["store"] / "report.html").read_text(encoding="utf-8")
    assert "<h1>On the store</h1>" in on_store
    assert f"<th>store</th><td><code>'{briefings['seed_store']}'</code>" in on_store
    assert "<th>data_dir</th>" not in on_store
    on_folder = (briefings["folder"] / "report.html").read_text(encoding="utf-8")
    assert "<th>data_dir</th>" in on_folder and "<th>store</th>" not in on_folder
    for out in (briefings["folder"], briefings["store"]):
        assert {p.name for p in (out / "charts").iterdir()} >= {"00_article_lengths.png", "03_timeline.csv"}
