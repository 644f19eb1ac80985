"""Regular expressions compiled once per machine, not once per process.

The reader's word families and patterns are hundreds of long regular
expressions; parsing and compiling them in pure Python took about half of a
``coach score`` process. ``compile`` keeps what the stdlib's compiler made of
each pattern (its opcode list) in a cache file, and later processes hand that
list straight to the regex engine, skipping the parse. The engine validates
the code it is given, and the file is keyed by the interpreter's cache tag and
the engine's version, so a cache from another Python is never read. Anything
unexpected (no cache folder, a corrupt file, a change in the stdlib's private
compiler) falls back to ``re.compile``: the result is the same pattern either
way, only slower to make.
"""

from __future__ import annotations

import atexit
import marshal
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

try:  # the stdlib's own compiler: private, so every use below has a fallback
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - another Python implementation
    _sre = None

_lock = threading.Lock()
_table: dict[tuple[str, int], tuple] | None = None
_derived: dict[tuple[str, str], Any] = {}
_dirty = False
# Patterns no longer in use (an older words.yaml) stay in the file until it holds this many; then it is rewritten
# with only what this process used. The reader uses about 400.
_MAX_ENTRIES = 1000
_used: set[tuple[str, int]] = set()


def cache_file() -> Path:
    from coach.locations import cache_dir

    return cache_dir() / f"regex-{sys.implementation.cache_tag}-{getattr(_sre, 'MAGIC', 0)}.marshal"


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - the name re users expect
    """``re.compile(pattern, flags)``, remembered across processes."""
    if _sre is None:
        return re.compile(pattern, flags)
    flags = int(flags)
    table = _load()
    key = (pattern, flags)
    made = table.get(key)
    _used.add(key)
    if made is None:
        made = _make(pattern, flags)  # raises re.error for a bad pattern, as re.compile does
        if made is None:
            return re.compile(pattern, flags)
        _remember(table, key, made)
    try:
        return _sre.compile(pattern, *made)
    except Exception:  # a code list this engine refuses: compile afresh
        table.pop(key, None)
        return re.compile(pattern, flags)


def derived(kind: str, pattern: str, make: Any) -> Any:
    """``make(pattern)`` (a value marshal can store), remembered across processes under ``kind``."""
    _load()
    key = (kind, pattern)
    if key not in _derived:
        global _dirty
        with _lock:
            _derived[key] = make(pattern)
            _dirty = True
    return _derived[key]


def _make(pattern: str, flags: int) -> tuple | None:
    parsed = _parser.parse(pattern, flags)
    try:
        code = [int(op) for op in _compiler._code(parsed, flags)]
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        return (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
    except Exception:  # the private compiler changed shape: fall back to re.compile
        return None


def _remember(table: dict, key: tuple[str, int], made: tuple) -> None:
    global _dirty
    with _lock:
        table[key] = made
        _dirty = True


def _load() -> dict[tuple[str, int], tuple]:
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                try:
                    stored = marshal.loads(cache_file().read_bytes())
                    table, derived_ = stored
                    if not isinstance(table, dict) or not isinstance(derived_, dict):
                        raise ValueError("not a regex cache")
                    _derived.update(derived_)
                except Exception:  # missing, unreadable or from an older coach: start empty
                    table = {}
                _table = table
                atexit.register(save)
    return _table


def save() -> None:
    """Write the cache if this process compiled anything new (atomically: a reader never sees half a file)."""
    global _dirty
    if not _dirty or _table is None:
        return
    try:
        path = cache_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:
            kept = _table if len(_table) <= _MAX_ENTRIES else {k: v for k, v in _table.items() if k in _used}
            data = marshal.dumps((kept, _derived))
            _dirty = False
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".regex-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:  # a read-only home or a full disk costs speed, never a run
        pass
