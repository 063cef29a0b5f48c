"""Where a corpus may read from: its own folder, symbolic links resolved, unless explicitly allowed.

A manifest ``file`` cell such as ``../../../../etc/passwd`` or ``/etc/hostname``, a ``passwd.txt``
symbolic link to ``/etc/passwd`` or a linked subfolder would otherwise put files from elsewhere on
the machine into ``corpus.articles``, the notebooks and the store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from newsdesk.ingest.problems import CorpusError, Problem

#: How the user allows files outside the corpus folder (named in every refusal).
ALLOW_HINT = "load_corpus(..., allow_outside=True) allows it"


def is_inside(resolved: Path, root: Path) -> bool:
    """True when the resolved ``resolved`` is ``root`` (also resolved) or lies below it."""
    return resolved == root or resolved.is_relative_to(root)


def outside_message(what: str, resolved: Path) -> str:
    """The refusal for ``what`` (e.g. ``file '../x.txt'``), which resolves to ``resolved``."""
    return f"{what} resolves to {resolved}, outside the corpus folder; not loaded ({ALLOW_HINT})"


@dataclass(frozen=True)
class FoundFile:
    """A text file found below the corpus folder: its path there and where it really is."""

    path: Path
    resolved: Path


@dataclass(frozen=True)
class LinkedFolder:
    """A subfolder that is a symbolic link to a folder outside the corpus; not searched."""

    path: Path
    resolved: Path


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def discover_text_files(
    root: Path, *, allow_outside: bool = False
) -> tuple[list[FoundFile], list[LinkedFolder]]:
    """Every ``*.txt`` file below ``root`` (hidden folders skipped), sorted by resolved path.

    Linked subfolders are followed when they point inside ``root`` (their files are found through
    the real folder anyway) or when ``allow_outside``; otherwise they are returned as
    :class:`LinkedFolder` so the caller can report them. Each real folder is searched once, so a
    link loop ends. Linked files are returned whatever they point to; the caller checks them.
    """
    files: list[FoundFile] = []
    outside_folders: list[LinkedFolder] = []
    searched: set[str] = set()

    def search(folder: Path) -> None:
        real = os.path.realpath(folder)
        if real in searched:
            return
        searched.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = folder / entry.name
            if _hidden(path, root):
                continue
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:
                continue
            if is_dir:
                if entry.is_symlink():
                    resolved = path.resolve()
                    if not is_inside(resolved, root) and not allow_outside:
                        outside_folders.append(LinkedFolder(path, resolved))
                        continue
                search(path)
            elif path.suffix.lower() == ".txt" and path.is_file():
                files.append(FoundFile(path, path.resolve()))

    search(root)
    return sorted(files, key=lambda found: found.resolved), outside_folders


def settings_file(path: Path, root: Path) -> Path | None:
    """``path``, a settings file of the corpus at ``root`` (a lexicon, ``outlets.csv``), if it is a file.

    Raises CorpusError when it resolves outside the corpus folder (a symbolic link to ``/etc/passwd``
    named ``lexicons/speaker_aliases.csv``): settings files are read from the corpus folder only.
    """
    if not path.is_file():
        return None
    resolved = path.resolve()
    if not is_inside(resolved, Path(root).resolve()):
        message = f"resolves to {resolved}, outside the corpus folder; settings files are read from it only"
        raise CorpusError([Problem("error", message, str(path))])
    return path
