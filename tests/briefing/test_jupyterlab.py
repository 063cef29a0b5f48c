"""Notebook 02 in a real JupyterLab, run from the Run menu in headless Chromium, all on localhost.

The server is the project's JupyterLab on a free port with a token, its root a temporary folder with a
copy of the notebooks (outputs cleared, so everything checked comes from this run) and of the seeds
at ``data/``, where the notebooks' ``data_dir = "../data"`` finds them. Its kernel is this test's
Python (the project's ``.venv`` under ``make test``), declared in a Jupyter data folder of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_hex
from typing import Any

import nbformat
import pytest

from ..conftest import PROJECT
from .chromium import launch

NOTEBOOK = "02_quotes.ipynb"
#: Seconds for the server to answer, and for notebook 02 to run (about 15 s with a warm cache).
START_SECONDS, RUN_SECONDS = 60, 150
#: JupyterLab settings: every cell in the page (no windowing), no news or update checks.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

#: The status bar names the notebook's kernel and its state: "Python 3 (ipykernel) | Idle".
KERNEL_IDLE = """() => {
    const status = document.querySelector('.jp-StatusBar-TextItem[title^="Change kernel for"]');
    return status !== null && /^Python .*\\| Idle$/.test(status.textContent.trim());
}"""
#: Every code cell shows an execution count ("[3]:", not "[ ]:" or "[*]:"), or a cell failed (which stops
#: Run All): a traceback or anything else written to stderr.
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
ALL_CELLS_RAN = f"""() => {{
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
    const done = prompts.length > 0 && prompts.every(prompt => /\\[\\d+\\]/.test(prompt.textContent));
    return done || document.querySelector("{STDERR}") !== null;
}}"""


@dataclass
class Lab:
    """A running JupyterLab: its address (with the token) and its log."""

    url: str
    token: str
    log: Path


@dataclass
class Session:
    """What the page did: console errors, page errors and every URL it requested."""

    page: Any
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _lab_root(root: Path, seeds: Path) -> None:
    """``root/notebooks`` (the project's numbered notebooks, outputs cleared) and ``root/data`` (seeds)."""
    shutil.copytree(seeds, root / "data")
    (root / "notebooks").mkdir()
    for path in sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, root / "notebooks" / path.name)


def _jupyter_env(home: Path) -> dict[str, str]:
    """Jupyter folders of the test's own: the kernel ``python3`` is this Python, settings as ``SETTINGS``."""
    kernel = home / "data" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    for name, values in SETTINGS.items():
        target = home / "config" / "lab" / "user-settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    return {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
    }


def _wait_until_up(url: str, token: str, server: subprocess.Popen, log: Path) -> None:
    request = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)  # polling the server's port, not synchronising with the page
    pytest.fail(f"JupyterLab did not answer in {START_SECONDS} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, seed_corpus_dir: Path) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1, stopped (its whole process group) when the module's tests are done."""
    pytest.importorskip("playwright.sync_api")
    root = tmp_path_factory.mktemp("jupyterlab")
    _lab_root(root / "root", seed_corpus_dir)
    env = _jupyter_env(root / "jupyter")
    port, token = _free_port(), token_hex(16)
    log = root / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root / 'root'}", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", "--allow-root",
    ]  # fmt: skip
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, token, server, log)
        yield Lab(url, token, log)
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (the server shuts its kernels down), SIGKILL if it hangs."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def notebook_run(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """Notebook 02 opened in Chromium and run with Run > Run All Cells, until every cell has run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        profile = tmp_path_factory.mktemp("lab-chromium")
        context = launch(playwright, profile, viewport={"width": 1400, "height": 900})
        page = context.new_page()
        session = Session(page)
        page.on("console", lambda m: session.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: session.errors.append(str(e)))
        page.on("request", lambda r: session.requests.append(r.url))
        local = (lab.url + "/", "data:", "blob:")
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else r.abort())
        try:
            page.goto(f"{lab.url}/lab/tree/notebooks/{NOTEBOOK}?token={lab.token}")
            page.wait_for_function(KERNEL_IDLE, timeout=START_SECONDS * 1000)
            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
            page.wait_for_function(ALL_CELLS_RAN, timeout=RUN_SECONDS * 1000)
            page.wait_for_function(KERNEL_IDLE, timeout=RUN_SECONDS * 1000)
            failed = page.locator(STDERR).all_inner_texts()
            assert failed == [], f"a cell of {NOTEBOOK} failed or wrote to stderr:\n{failed}"
            yield session
        finally:
            context.close()


def test_a_chart_draws(notebook_run: Session) -> None:
    page = notebook_run.page
    page.wait_for_selector(".jp-OutputArea-output .vega-embed :is(svg, canvas)", timeout=30_000)


def test_the_quote_table_is_interactive(notebook_run: Session) -> None:
    from playwright.sync_api import expect

    table = notebook_run.page.locator(".jp-OutputArea-output .dt-container").first
    table.wait_for(timeout=30_000)
    rows, info = table.locator("tbody tr"), table.locator(".dt-info")
    expect(table.locator("caption")).to_have_text("Every quote (sort, search, filter)")
    assert rows.count() == 10 and "filtered" not in info.inner_text()
    table.locator(".dt-search input").fill("Lavrov")
    expect(info).to_contain_text("filtered from")
    texts = rows.all_inner_texts()
    assert texts and all("lavrov" in text.lower() for text in texts)


def test_no_console_error_and_no_request_leaves_localhost(notebook_run: Session, lab: Lab) -> None:
    assert notebook_run.console == [] and notebook_run.errors == []
    local = (lab.url + "/", "data:", "blob:")
    outside = [url for url in notebook_run.requests if not url.startswith(local)]
    assert outside == [], "the page asked another host for something"
