"""newsdesk as a normal (non-editable) install: a wheel built from the project runs a briefing on its own.

The wheel is built without build isolation from a copy of the project (so no stale ``build/`` folder
leaks in, and the work tree is left alone) and installed with ``--no-deps`` into a fresh venv. That venv
reaches the project venv's installed dependencies (spaCy and the rest, nothing downloaded) through a
``.pth`` file, which puts their folder on ``sys.path`` after its own site-packages: the fresh venv imports
the wheel's newsdesk, not ``lib/`` (the project venv's editable-install hook is not run from there). The
dependencies' Jupyter data (nbconvert's templates, the kernel spec), which an install puts under its
venv's ``share/jupyter``, is reached the same way through ``JUPYTER_PATH``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from newsdesk.core.cache import default_cache_dir

from ..conftest import DATA, PROJECT

NOTEBOOKS = tuple(sorted(p.name for p in (PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
#: Top-level folders left out of the copy the wheel is built from: environments, caches, generated output
#: and earlier build output (setuptools' build/ would bring back deleted modules).
NOT_COPIED = {
    ".venv", ".git", ".cache", "reports", "build", "dist", ".hypothesis", ".ruff_cache", ".pytest_cache",
}  # fmt: skip
#: The briefing takes about a minute with a warm cache; the whole module stays well under three.
BRIEFING_TIMEOUT = 150
#: Run in the fresh venv: where newsdesk and the default notebooks come from, and each kernel's command.
PROBE = """
import json, sys
import newsdesk
from jupyter_client.manager import KernelManager
from newsdesk.briefing.runner import default_notebooks_dir
kernels = {name: KernelManager(kernel_name=name).format_kernel_cmd() for name in sys.argv[1:]}
found = {"newsdesk": newsdesk.__file__, "notebooks": str(default_notebooks_dir()), "kernels": kernels}
print(json.dumps(found))
"""


def run(*command: str | Path, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output if it exits non-zero."""
    argv = [str(part) for part in command]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def not_copied(folder: str, names: list[str]) -> set[str]:
    """``shutil.copytree``'s ignore: NOT_COPIED at the top, byte code and egg-info anywhere."""
    skipped = set(shutil.ignore_patterns("__pycache__", "*.egg-info")(folder, names))
    return skipped | (set(names) & NOT_COPIED if Path(folder) == PROJECT else set())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(wheel file, the project copy it was built from)``."""
    if int(version("setuptools").split(".")[0]) < 77:
        pytest.fail("the build needs setuptools>=77 in this venv (a dev dependency): run `make install`")
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(PROJECT, source, ignore=not_copied)
    dist = root / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
        "-w", dist, source)  # fmt: skip
    (built,) = dist.glob("newsdesk-*.whl")
    return built, source


@pytest.fixture(scope="module")
def fresh_venv(wheel: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel, with the project venv's packages visible behind its own."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    # Installed before the .pth exists, so pip sees an empty venv (not the project's editable newsdesk).
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel[0])
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    project_site = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site) / "_newsdesk_project_venv.pth").write_text("\n".join(project_site) + "\n", encoding="utf-8")
    return venv


def fresh_env(venv: Path) -> dict[str, str]:
    """The environment of a shell in the fresh venv, with the tests' annotation cache."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # The cache the other tests use ($NEWSDESK_CACHE_DIR from the Makefile, else the user's): a warm run.
    env["NEWSDESK_CACHE_DIR"] = str(default_cache_dir())
    # The dependencies' share/jupyter, as an install of them into the fresh venv would have it.
    jupyter_path = [str(Path(sys.prefix) / "share" / "jupyter"), env.get("JUPYTER_PATH")]
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, jupyter_path))
    return env


def test_wheel_carries_every_module_and_the_notebooks(wheel: tuple[Path, Path]) -> None:
    """Every file of lib/newsdesk (modules and package data) and every numbered notebook is in the wheel.

    A subpackage missing from ``[tool.setuptools] packages`` in pyproject.toml shows up here.
    """
    built, source = wheel
    names = set(zipfile.ZipFile(built).namelist())
    package = source / "lib" / "newsdesk"
    expected = {
        f"newsdesk/{path.relative_to(package).as_posix()}"
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    expected |= {f"newsdesk/notebooks/{name}" for name in NOTEBOOKS}
    assert sorted(expected - names) == [], "missing from the wheel (list new subpackages in pyproject.toml)"
    assert not any(name.startswith(("lib/", "notebooks/", "tests/")) for name in names)


def test_installed_wheel_runs_a_briefing_from_outside_the_project(fresh_venv: Path, tmp_path: Path) -> None:
    """``newsdesk briefing`` of the installed wheel, run from a folder outside the project, executes the
    notebooks the wheel carries, with a kernel that imports the wheel's newsdesk, and writes the briefing.
    """
    installed = fresh_venv.resolve()
    env = fresh_env(fresh_venv)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    metadata = [
        json.loads((PROJECT / "notebooks" / name).read_text("utf-8"))["metadata"] for name in NOTEBOOKS
    ]
    kernel_names = sorted({meta["kernelspec"]["name"] for meta in metadata})
    probe = json.loads(
        run(fresh_venv / "bin" / "python", "-c", PROBE, *kernel_names, cwd=elsewhere, env=env).stdout
    )
    assert Path(probe["newsdesk"]).resolve().is_relative_to(installed), probe["newsdesk"]
    notebooks = Path(probe["notebooks"]).resolve()
    assert notebooks.is_relative_to(installed), f"default notebooks folder {notebooks} is not the wheel's"
    assert sorted(p.name for p in notebooks.glob("[0-9][0-9]_*.ipynb")) == list(NOTEBOOKS)
    for name, command in probe["kernels"].items():
        imported = run(command[0], "-c", "import newsdesk; print(newsdesk.__file__)", cwd=elsewhere, env=env)
        assert Path(imported.stdout.strip()).resolve().is_relative_to(installed), f"kernel {name}: {command}"

    out = tmp_path / "out"
    done = subprocess.run(
        [str(fresh_venv / "bin" / "newsdesk"), "briefing", "--data", str(DATA), "--out", str(out)],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=BRIEFING_TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"newsdesk briefing exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    for position, name in enumerate(NOTEBOOKS, start=1):
        assert f"[{position}/{len(NOTEBOOKS)}] {name}: done" in done.stdout
        executed = json.loads((out / name).read_text(encoding="utf-8"))
        assert Path(executed["metadata"]["papermill"]["input_path"]).resolve() == notebooks / name
    assert (out / "report.html").is_file() and (out / "index.html").is_file()
    assert list(elsewhere.iterdir()) == [], "the briefing wrote into its working directory"
