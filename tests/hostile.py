"""Helpers the hostile-input tests of several stages share."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable: ``chmod``, and as root (whom ``chmod`` does not stop) the immutable
    flag (``chattr +i``); skip the test when neither can make it read-only."""
    folder.chmod(0o555)
    immutable = False
    try:
        if os.geteuid() == 0:
            try:
                done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
            except FileNotFoundError:
                pytest.skip("running as root (chmod does not stop writes) and chattr is not installed")
            if done.returncode != 0:
                pytest.skip(f"running as root (chmod does not stop writes), chattr +i failed: {done.stderr}")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)
