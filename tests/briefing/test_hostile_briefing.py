"""Hostile and careless input to ``newsdesk briefing`` (issue #20, items 5, 7 and 10).

No user file is lost: the briefing writes only into a folder it owns (marked by ``.newsdesk-briefing``)
and deletes only the files it recorded writing there. A cell that runs out of time is named. A bad
``--out`` or an unusable corpus is refused with a message before any notebook runs. Most tests stop
before a kernel starts; three run a one-cell notebook written here, two run the command in a
subprocess (Ctrl-C, and a read-only bind mount when the tests run as root).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from newsdesk.briefing.cli import main
from newsdesk.briefing.output import MARKER_NAME, BriefingFolder, claim_output_folder
from newsdesk.briefing.runner import BriefingError, default_notebooks_dir, run_briefing, selection_warnings

from .test_briefing import STANDARD_PARAMETERS, write_notebook

ENGLISH = (
    "The foreign minister arrived in Moscow on Monday for a three-day visit. He told reporters that "
    "both countries would sign new agreements on trade and energy before the end of the week.\n"
)
GERMAN = (
    "Die Bundesregierung hat am Montag in Berlin erklärt, dass sie die neuen Maßnahmen zur Unterstützung "
    "der Landwirtschaft unterstützen wird. Der Minister sagte, man werde die Vorschläge prüfen und im "
    "nächsten Monat eine Entscheidung treffen. Die Opposition kritisierte den Plan scharf.\n"
)
#: A notebook cell that writes one file into the chart folder, as charts.show does.
WRITE_CHART = """from pathlib import Path
Path(export_dir).mkdir(exist_ok=True)
(Path(export_dir) / chart_name).write_text("x,y\\n1,2\\n")"""


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    """A folder with one quick notebook that takes the standard parameters."""
    folder = tmp_path / "notebooks"
    write_notebook(folder, "00_quick.ipynb", "print(data_dir)", parameters=STANDARD_PARAMETERS)
    return folder


def briefing_argv(data: Path, out: Path, notebooks: Path, *more: str) -> list[str]:
    return ["briefing", "--data", str(data), "--out", str(out), "--notebooks", str(notebooks), *more]


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the command line, expect exit code 1 without a traceback; the error printed."""
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "newsdesk briefing: error: " in err
    return err


# --- 7: no user data lost -------------------------------------------------------------------------------


def test_a_folder_with_other_files_and_no_marker_is_refused_and_kept_as_it_was(
    tmp_path: Path, seed_corpus_dir: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "my-work"
    (out / "charts").mkdir(parents=True)
    mine = {"charts/figure.png": b"my figure", "charts/table.csv": b"a,b\n", "notes.svg": b"<svg/>"}
    for name, content in mine.items():
        (out / name).write_bytes(content)
    err = refused(briefing_argv(seed_corpus_dir, out, notebooks), capsys)
    assert f"--out {out} already holds files the briefing did not write" in err
    assert f"no {MARKER_NAME} marker" in err
    assert {name: (out / name).read_bytes() for name in mine} == mine
    assert not (out / MARKER_NAME).exists() and not (out / "00_quick.ipynb").exists()


def test_the_notebooks_folder_and_folders_inside_the_sources_are_refused(
    tmp_path: Path, seed_corpus_dir: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import newsdesk

    source = (notebooks / "00_quick.ipynb").read_bytes()
    packaged = default_notebooks_dir()
    for out, message in (
        (notebooks, f"is the notebooks folder {notebooks.resolve()}"),
        (notebooks / "briefing", "is inside the notebooks folder"),
        (packaged / "briefing", f"is inside the notebooks that come with newsdesk {packaged.resolve()}"),
        (Path(newsdesk.__file__).parent / "out", "is inside the newsdesk package"),
        (seed_corpus_dir / "briefing", f"is inside the corpus {seed_corpus_dir.resolve()}"),
    ):
        assert message in refused(briefing_argv(seed_corpus_dir, out, notebooks), capsys)
        assert out == notebooks or not out.exists(), "nothing is created"
    assert sorted(p.name for p in notebooks.iterdir()) == ["00_quick.ipynb"]
    assert (notebooks / "00_quick.ipynb").read_bytes() == source


def test_a_second_claim_deletes_only_the_recorded_files(tmp_path: Path) -> None:
    out = tmp_path / "briefing"
    first = claim_output_folder(out, file_names=["report.html"], folder_names=["charts"])
    (out / "charts").mkdir()
    for name in ("report.html", "charts/a.png", "charts/a.csv"):
        (out / name).write_text("written by the briefing")
    first.record([out / "report.html", out / "charts" / "a.png", out / "charts" / "a.csv"])
    first.finish()
    (out / "notes.txt").write_text("the user's own notes")  # added by the user, not in the charts folder

    second = claim_output_folder(out, file_names=["report.html"], folder_names=["charts"])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        MARKER_NAME,
        "notes.txt",
    ]
    assert second.files == set() and second.running_since is not None
    second.finish()

    # A file the user put where the briefing writes is not overwritten: the run is refused first.
    (out / "charts" / "mine.csv").write_text("the user's table")
    (out / "report.html").write_text("the user's report")
    with pytest.raises(BriefingError, match=r"did not write where it writes its own \(charts/mine\.csv, "):
        claim_output_folder(out, file_names=["report.html"], folder_names=["charts"])
    assert (out / "charts" / "mine.csv").read_text() == "the user's table"
    assert (out / "report.html").read_text() == "the user's report"


def test_a_hostile_marker_deletes_nothing_outside_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.png").write_text("keep me too")
    out = tmp_path / "briefing"
    out.mkdir()
    listed = ["../outside.txt", str(outside), "charts/a.png", "", "."]
    (out / MARKER_NAME).write_text(json.dumps({"format": "newsdesk-briefing/1", "files": listed}))
    (out / "charts").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(BriefingError, match=r"holds files the briefing did not write .*\(charts\)"):
        claim_output_folder(out, file_names=[], folder_names=["charts"])
    (out / "charts").unlink()
    (out / "link.png").symlink_to(elsewhere / "a.png")
    BriefingFolder(out, {*listed, "link.png"}).save()
    claim_output_folder(out, file_names=[], folder_names=["charts"])
    assert outside.read_text() == "keep me" and (elsewhere / "a.png").read_text() == "keep me too"
    assert not (out / "link.png").is_symlink(), "the recorded link itself is removed, not its target"


def test_an_unreadable_marker_is_refused_first(
    tmp_path: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "briefing"
    out.mkdir()
    (out / MARKER_NAME).write_bytes(b"\x00garbage{")
    (out / "report.html").write_text("kept")
    empty = write_corpus(tmp_path / "empty", {})  # refused too, but only after the output folder
    err = refused(briefing_argv(empty, out, notebooks), capsys)
    assert f"the marker {out / MARKER_NAME} cannot be read" in err
    assert (out / "report.html").read_text() == "kept"


def test_charts_a_killed_run_did_not_record_are_refused_not_deleted(tmp_path: Path) -> None:
    out = tmp_path / "briefing"
    killed = claim_output_folder(out, file_names=[], folder_names=["charts"])
    assert killed.running_since is not None
    (out / "charts").mkdir()
    (out / "charts" / "half_written.png").write_text("written, then the run was killed before recording it")
    message = r"or an earlier run that was killed .*\(charts/half_written\.png\)"
    with pytest.raises(BriefingError, match=message):
        claim_output_folder(out, file_names=[], folder_names=["charts"])
    assert (out / "charts" / "half_written.png").exists()


def test_a_rerun_replaces_its_own_output_and_keeps_the_users_files(
    tmp_path: Path, seed_corpus_dir: Path
) -> None:
    notebooks = tmp_path / "notebooks"
    notebook = write_notebook(
        notebooks, "00_chart.ipynb", WRITE_CHART, parameters=STANDARD_PARAMETERS + '\nchart_name = "a.csv"'
    )
    out = tmp_path / "briefing"
    run_briefing(seed_corpus_dir, out, notebooks_dir=notebooks, log=lambda _: None)
    marker = json.loads((out / MARKER_NAME).read_text())
    assert marker["files"] == ["00_chart.ipynb", "charts/a.csv", "index.html", "memo.docx", "report.html"]
    assert marker["running_since"] is None
    (out / "my notes.md").write_text("mine")

    written = run_briefing(
        seed_corpus_dir, out, notebooks_dir=notebooks, parameters={"chart_name": "b.csv"}, log=lambda _: None
    )
    assert [p.name for p in (out / "charts").iterdir()] == ["b.csv"], "the first run's chart is gone"
    assert (out / "my notes.md").read_text() == "mine"
    assert [p.relative_to(out).as_posix() for p in written] == [
        "00_chart.ipynb",
        "charts/b.csv",
        "memo.docx",
        "report.html",
        "index.html",
    ]
    assert notebook.exists()


def test_ctrl_c_leaves_a_folder_the_next_run_takes_over(tmp_path: Path, seed_corpus_dir: Path) -> None:
    notebooks = tmp_path / "notebooks"
    parameters = STANDARD_PARAMETERS + '\nchart_name = "a.csv"'
    hang = "import time\ntime.sleep(120)"
    write_notebook(notebooks, "00_hangs.ipynb", WRITE_CHART, hang, parameters=parameters)
    out = tmp_path / "briefing"
    argv = briefing_argv(seed_corpus_dir, out, notebooks)
    with subprocess.Popen(
        [sys.executable, "-m", "newsdesk", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    ) as process:  # fmt: skip
        deadline = time.monotonic() + 60
        while not (out / "charts" / "a.csv").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal: the command and its kernel
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "newsdesk briefing: interrupted" in err and "Traceback" not in err
    marker = json.loads((out / MARKER_NAME).read_text())
    assert marker["files"] == ["00_hangs.ipynb", "charts/a.csv"] and marker["running_since"] is not None
    claim_output_folder(out, file_names=["00_hangs.ipynb"], folder_names=["charts"])
    assert list((out / "charts").iterdir()) == [] and not (out / "00_hangs.ipynb").exists()


# --- 5: timeouts ----------------------------------------------------------------------------------------


def test_a_cell_that_runs_out_of_time_is_named(
    tmp_path: Path, seed_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebooks = tmp_path / "notebooks"
    # The same cell twice: the second one hangs, and is the one named.
    hang = "time.sleep(pause)  # a hang\npause = 120"
    write_notebook(notebooks, "00_slow.ipynb", "import time\npause = 0", hang, hang)
    write_notebook(notebooks, "01_after.ipynb", "print('still here')")
    out = tmp_path / "out"
    started = time.monotonic()
    err = refused(briefing_argv(seed_corpus_dir, out, notebooks, "--cell-timeout", "1.5"), capsys)
    assert time.monotonic() - started < 90, "the cell was stopped"
    assert (
        "00_slow.ipynb ran out of time in cell 5 of 5, the cell starting `time.sleep(pause)  # a hang`: "
        "it ran longer than 1.5 s (the cell timeout; raise it with --cell-timeout SECONDS, or 0 for no limit)"
    ) in err
    assert "01_after" not in err, "the next notebook still ran"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "ran out of time in cell 5 of 5" in report and "still here" in report
    assert nbformat.read(out / "00_slow.ipynb", as_version=4).cells[-1].source == hang


def test_the_cell_timeout_must_be_a_number_of_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in ("soon", "-5", "nan"):
        with pytest.raises(SystemExit) as exit_info:
            main(["briefing", "--data", str(tmp_path), "--out", str(tmp_path / "o"), "--cell-timeout", value])
        assert exit_info.value.code == 2
        assert f"not a number of seconds (0 or more): '{value}'" in capsys.readouterr().err


# --- 10: messages instead of tracebacks -----------------------------------------------------------------


def test_an_out_that_is_a_file_is_refused(
    tmp_path: Path, seed_corpus_dir: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "report.pdf"
    existing.write_bytes(b"%PDF my report")
    err = refused(briefing_argv(seed_corpus_dir, existing, notebooks), capsys)
    assert f"--out {existing} is a file, not a folder" in err
    err = refused(briefing_argv(seed_corpus_dir, existing / "briefing", notebooks), capsys)
    assert f"cannot be created: {existing} is a file, not a folder" in err
    assert existing.read_bytes() == b"%PDF my report"


#: Runs a command with the folder $1 read-only: a bind mount in a mount namespace of its own, so that
#: root (who may write into any folder whatever its mode) meets a read-only file system.
READ_ONLY_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'


def test_a_read_only_out_is_refused(
    tmp_path: Path, seed_corpus_dir: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for out in (locked, locked / "briefing"):
            argv = briefing_argv(seed_corpus_dir, out, notebooks)
            if not os.access(locked, os.W_OK):  # an ordinary user: the folder's mode is enough
                err = refused(argv, capsys)
            else:
                if shutil.which("unshare") is None:
                    pytest.skip("root may write into a read-only folder, and unshare is missing")
                command = ["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, "sh", str(locked)]
                done = subprocess.run(
                    [*command, sys.executable, "-m", "newsdesk", *argv],
                    capture_output=True, text=True, timeout=120, check=False,
                )  # fmt: skip
                if "mount:" in done.stderr or "unshare:" in done.stderr:
                    pytest.skip(f"no read-only bind mount here: {done.stderr.strip()}")
                assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
                err = done.stderr
            assert f"--out {out} cannot be written: {locked} is read-only for you" in err
            assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def write_corpus(folder: Path, files: dict[str, str | bytes], manifest: str | None = None) -> Path:
    folder.mkdir(parents=True)
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if manifest is not None:
        (folder / "articles.csv").write_text(manifest, encoding="utf-8")
    return folder


def test_a_corpus_without_usable_or_english_articles_is_refused_before_any_notebook_runs(
    tmp_path: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    empty = write_corpus(tmp_path / "empty", {})
    binary = write_corpus(tmp_path / "binary", {"scan.txt": bytes(range(256)) * 20})
    german = write_corpus(
        tmp_path / "german", {"a.txt": GERMAN, "b.txt": GERMAN.replace("Montag", "Dienstag")}
    )
    for corpus, message in (
        (empty, f"the corpus {empty} has no article: no text file (*.txt) and no manifest row"),
        (binary, f"the corpus {binary} has no usable article: 1 file(s) could not be used (scan.txt: "),
        (
            german,
            f"the corpus {german} has no English article: its 2 article(s) are in other languages (de: 2)",
        ),
    ):
        assert message in refused(briefing_argv(corpus, out, notebooks), capsys)
        assert not out.exists(), "no notebook ran"


def test_a_selection_without_english_articles_is_refused(
    tmp_path: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = "id,file,outlet,url,published,language\nen,en.txt,Herald,,,en\nde,de.txt,Zeitung,,,de\n"
    corpus = write_corpus(tmp_path / "mixed", {"en.txt": ENGLISH, "de.txt": GERMAN}, manifest)
    out = tmp_path / "out"
    err = refused(briefing_argv(corpus, out, notebooks, "--outlet", "Zeitung"), capsys)
    assert "selection: 1 of 2 article(s) selected" in err and "none of them in English" in err
    assert not out.exists()


def test_undated_drop_without_a_date_window_warns(
    tmp_path: Path, notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert selection_warnings({"undated": "drop", "since": "2025-01-01"}) == []
    assert selection_warnings({"undated": "keep"}) == []
    empty = write_corpus(tmp_path / "empty", {})
    err = refused(briefing_argv(empty, tmp_path / "out", notebooks, "--undated", "drop"), capsys)
    assert (
        "newsdesk briefing: warning: --undated drop has no effect without --since or --until" in err
    )
