"""Writing a file so that a crash never leaves half of it: a temporary file in the same
folder, renamed over the target once complete. The file gets the permissions the umask
gives a new file (``mkstemp`` alone would make it private, 0600)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(fh)`` on a temporary binary file beside ``path``, then rename it to
    ``path`` (creating the folder). On any error the target is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        try:
            os.chmod(tmp, new_file_mode())
        except PermissionError:  # a file system without Unix modes: keep mkstemp's
            pass
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def new_file_mode() -> int:
    """0o666 less the process's umask: the mode ``open`` would give a new file."""
    mask = os.umask(0)  # the only way to read the umask: set it, then put it back
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """``atomic_write`` of UTF-8 text."""
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))
