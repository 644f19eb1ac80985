"""Fixtures for every test: a private COACH_HOME, and no network beyond this machine."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import settings

from coach.settings import ENV

# The property tests check behaviour, not speed. Hypothesis's default 200 ms deadline per example measures wall
# time, which a garbage collection of a large heap or another process on a 2-core machine can exceed on its own,
# failing a correct test as "Flaky".
settings.register_profile("coach", deadline=None)
settings.load_profile("coach")

# A developer's model settings would switch coach from offline to a model: every test starts without them,
# except the live ones, which exist to use them.
MODEL_ENV = (*ENV.values(), "COACH_NO_CACHE", "COACH_CONFIG", "OPENAI_API_BASE")


@pytest.fixture(scope="session")
def _shared_cache(tmp_path_factory):
    # What coach can rebuild (compiled patterns) is shared by the whole run, so each subprocess does not rebuild it.
    return tmp_path_factory.mktemp("coach-cache")


@pytest.fixture(autouse=True)
def _coach_home(tmp_path, monkeypatch, request, _shared_cache):
    """User data (history, settings, the LLM log) goes to a temp dir; coach/locations.py honours COACH_HOME."""
    home = tmp_path / "coach-home"
    home.mkdir()
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_CACHE_DIR", str(_shared_cache))
    monkeypatch.delenv("COACH_DEBUG", raising=False)
    if request.node.get_closest_marker("live") is None:
        for var in MODEL_ENV:
            monkeypatch.delenv(var, raising=False)
    return home


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths and the like
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need DNS: not allowed


class NetworkBlocked(OSError):
    pass


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any connection to a non-loopback address raises, so no test can reach the network by accident."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self, address):
        if not _is_local(address):
            raise NetworkBlocked(f"tests may not use the network (tried to connect to {address!r})")
        return real_connect(self, address)

    def connect_ex(self, address):
        if not _is_local(address):
            raise NetworkBlocked(f"tests may not use the network (tried to connect to {address!r})")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
