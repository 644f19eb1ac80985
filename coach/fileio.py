"""Writing files so that a crash, a kill or a full disk never leaves half of one behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coach.errors import CoachError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: a temporary file beside it, flushed to disk, then renamed over it.

    A reader, or the file after a crash at any moment, is either the old file or
    the new one, never a mix. The file keeps its permissions.
    """
    path = Path(path)
    folder = path.parent
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise CoachError(f"{path}: the folder {folder} does not exist") from None
    except OSError as exc:
        raise CoachError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CoachError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_text_file(path: Path, encoding: str = "utf-8") -> str:
    """A whole text file, with every way reading it can fail turned into one clear ``InputError``."""
    from coach.errors import InputError

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (bad byte at offset {exc.start})") from None
