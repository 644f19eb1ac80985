"""Where coach keeps the user's config and data.

``COACH_HOME`` overrides all three (tests point it at a temporary directory):
the config then lives in ``$COACH_HOME/config``, the data in
``$COACH_HOME/data`` and what can be rebuilt at any time in ``$COACH_HOME/cache``
(``COACH_CACHE_DIR`` names that last folder on its own, so processes with separate
homes can share it). Otherwise the platform's directories are used
(platformdirs), e.g. ``~/.config/coach`` and ``~/.local/share/coach`` on Linux.
Nothing is created here: callers make the folder when they first write to it.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "coach"


def _home() -> Path | None:
    value = os.environ.get("COACH_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    home = _home()
    if home is not None:
        return home / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    shared = os.environ.get("COACH_CACHE_DIR")
    if shared:
        return Path(shared).expanduser()
    home = _home()
    if home is not None:
        return home / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP))
