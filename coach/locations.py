"""Where coach keeps the user's config and data.

``COACH_HOME`` overrides both (tests point it at a temporary directory):
the config then lives in ``$COACH_HOME/config`` and the data in
``$COACH_HOME/data``. Otherwise the platform's directories are used
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
