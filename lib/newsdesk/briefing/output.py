"""The briefing's output folder: a folder the briefing owns, marked by the file ``.newsdesk-briefing``.

The marker is a small JSON manifest of every file the briefing wrote into the folder. A run claims a
new or empty folder by writing the marker. It refuses a folder that holds other files and no marker, a
file, a folder it cannot write, and the notebooks, the newsdesk package and the corpus (or any folder
inside them). In a folder it owns, a run deletes only the files the marker lists (the previous run's
output) and refuses to overwrite a file it did not write; files the user added elsewhere are kept.

Files are recorded as they are written (each notebook before it runs, its charts after it ran, also
when it fails or is interrupted with Ctrl-C). Only a run killed outright in the middle of a notebook
leaves charts it did not record: the next run refuses them like any file it did not write.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from newsdesk.briefing.base import BriefingError

MARKER_NAME = ".newsdesk-briefing"
MARKER_FORMAT = "newsdesk-briefing/1"
#: How many file names an error message lists.
SHOWN_NAMES = 5


def _names(paths: Iterable[Path], root: Path) -> str:
    listed = sorted(p.relative_to(root).as_posix() for p in paths)
    more = f" and {len(listed) - SHOWN_NAMES} more" if len(listed) > SHOWN_NAMES else ""
    return ", ".join(listed[:SHOWN_NAMES]) + more


def _files_below(folder: Path) -> list[Path]:
    """Every file (or symlink) below ``folder``, not following symlinked folders."""
    found = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        found += [base / name for name in files]
        found += [base / name for name in dirs if (base / name).is_symlink()]
    return found


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_output_folder(out: str | Path, protected: Sequence[tuple[str, Path]]) -> Path:
    """``out`` resolved, if a briefing may write there; otherwise BriefingError says why.

    ``protected`` names folders the briefing never writes into, nor into any folder inside them
    (``("the notebooks folder", path)``). Nothing is created or changed here.
    """
    try:
        return _checked_output_folder(Path(out).expanduser(), protected)
    except OSError as exc:  # a folder on the way that cannot be listed or resolved
        raise BriefingError(f"--out {out} cannot be used: {exc.strerror or exc} ({exc.filename})") from None


def _checked_output_folder(path: Path, protected: Sequence[tuple[str, Path]]) -> Path:
    if path.exists() and not path.is_dir():
        raise BriefingError(f"--out {path} is a file, not a folder: give a new or empty folder")
    path = path.resolve()
    for label, folder in protected:
        folder = folder.resolve()
        if path == folder or path.is_relative_to(folder):
            where = "is" if path == folder else "is inside"
            raise BriefingError(
                f"--out {path} {where} {label} {folder}; the briefing would overwrite or mix with its "
                "files: give a new or empty folder elsewhere"
            )
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise BriefingError(f"--out {path} cannot be created: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BriefingError(f"--out {path} cannot be written: {existing} is read-only for you")
    if (path / MARKER_NAME).exists():
        BriefingFolder.read(path)  # refuses a marker that cannot be read, before anything runs
    elif path.is_dir():
        others = list(path.iterdir())
        if others:
            legacy = (path / "report.html").exists() and (path / "index.html").exists()
            hint = (
                " It looks like a briefing of an earlier newsdesk version, which did not mark its folders: "
                "delete it (`make clean` deletes reports/) or choose another folder."
                if legacy
                else " Give a new or empty folder; the briefing marks the folders it writes with "
                f"{MARKER_NAME} and deletes only its own files there."
            )
            raise BriefingError(
                f"--out {path} already holds files the briefing did not write ({_names(others, path)}) and "
                f"no {MARKER_NAME} marker.{hint}"
            )
    return path


@dataclass
class BriefingFolder:
    """An output folder the briefing owns, with the files it wrote there (relative POSIX paths)."""

    path: Path
    files: set[str] = field(default_factory=set)
    #: ``time.time()`` when the current (or an interrupted) run started; None once a run finished.
    running_since: float | None = None

    @property
    def marker(self) -> Path:
        return self.path / MARKER_NAME

    @classmethod
    def read(cls, path: Path) -> BriefingFolder:
        """The folder as its marker describes it (a folder without a marker owns no file yet)."""
        marker = path / MARKER_NAME
        if not marker.exists():
            return cls(path)
        try:
            content = json.loads(marker.read_text(encoding="utf-8"))
            if not isinstance(content, dict) or content.get("format") != MARKER_FORMAT:
                raise ValueError(f"not a {MARKER_FORMAT} marker")
            files = {str(name) for name in content.get("files", [])}
            since = content.get("running_since")
            running_since = float(since) if since is not None else None
        except (OSError, ValueError, TypeError) as exc:
            raise BriefingError(
                f"the marker {marker} cannot be read ({exc}); the briefing cannot tell its own files from "
                "others there: choose another --out, or delete the folder"
            ) from None
        return cls(path, files, running_since)

    def save(self) -> None:
        """Write the marker (atomically: a crash leaves the old one or the new one)."""
        content = {"format": MARKER_FORMAT, "files": sorted(self.files), "running_since": self.running_since}
        partial = self.marker.with_name(MARKER_NAME + ".partial")
        partial.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
        os.replace(partial, self.marker)

    def _owned_path(self, name: str) -> Path | None:
        """The file ``name`` (a recorded entry) inside the folder, or None if it points elsewhere."""
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            return None
        candidate = self.path.joinpath(*relative.parts)
        if not candidate.parent.resolve().is_relative_to(self.path.resolve()):
            return None  # a recorded path that now leads through a symlinked folder out of this one
        return candidate

    def owns(self, path: Path) -> bool:
        return path.relative_to(self.path).as_posix() in self.files

    def record(self, paths: Iterable[Path]) -> None:
        """Add files this run writes (or wrote) to the marker."""
        before = len(self.files)
        self.files |= {p.relative_to(self.path).as_posix() for p in paths}
        if len(self.files) != before:
            self.save()

    def finish(self) -> None:
        """Mark the run as finished (its files stay recorded for the next run to replace)."""
        self.running_since = None
        self.save()


def claim_output_folder(
    out: Path, *, file_names: Sequence[str], folder_names: Sequence[str]
) -> BriefingFolder:
    """Create or reuse ``out`` (checked by :func:`check_output_folder`) for a new run.

    Refuses, before deleting anything, when a file the briefing did not write is where this run writes:
    one of ``file_names`` (the executed notebooks, ``report.html`` ...) or anything inside one of
    ``folder_names`` (``charts``). Then deletes the files the previous run recorded and marks the folder
    as running.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        folder = BriefingFolder.read(out)
        _refuse_foreign_files_in_the_way(folder, file_names, folder_names)
        for name in sorted(folder.files):
            path = folder._owned_path(name)
            if path is not None and (path.is_file() or path.is_symlink()):
                path.unlink()
        folder.files = set()
        folder.running_since = time.time()
        folder.save()
    except PermissionError as exc:
        raise BriefingError(f"--out {out} cannot be written: {exc.strerror} ({exc.filename})") from None
    except OSError as exc:
        raise BriefingError(f"--out {out} cannot be used: {exc.strerror or exc} ({exc.filename})") from None
    return folder


def _refuse_foreign_files_in_the_way(
    folder: BriefingFolder, file_names: Sequence[str], folder_names: Sequence[str]
) -> None:
    out = folder.path
    in_the_way: list[Path] = []
    for name in file_names:
        path = out / name
        if (path.exists() or path.is_symlink()) and not folder.owns(path):
            in_the_way.append(path)
    for name in folder_names:
        path = out / name
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            in_the_way.append(path)
        elif path.is_dir():
            in_the_way += [p for p in _files_below(path) if not folder.owns(p)]
    if in_the_way:
        killed = (
            " (or an earlier run that was killed wrote them before it could record them)"
            if folder.running_since is not None
            else ""
        )
        raise BriefingError(
            f"--out {out} holds files the briefing did not write{killed} where it writes its own "
            f"({_names(in_the_way, out)}); move them away, or choose another folder"
        )
