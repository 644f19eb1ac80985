"""Benchmark: time from `coach` starting to the first screen painted, offline. Target: under 1 s.

Starts the real app (``coach.tui.app.run``) in a pseudo-terminal of 80x24,
the way a user's terminal would, and reads what it writes until the question
library's title bar has been drawn; then quits it with Ctrl+Q. The clock runs
from just before the process is spawned, so interpreter start-up and imports
count. The history goes to a temporary COACH_HOME and no model is configured.

    .venv/bin/python benchmarks/bench_tui_startup.py [--runs 5] [--target 1.0]

Prints each run and the median; exits 1 when the median misses the target.
Also reported, not gated: when the question library (loaded in a worker after
the first paint) is listed.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time

MARKER = "coach · practice".encode()
LIBRARY = re.compile(rb"[1-9][0-9]* questions, ")  # the title bar once the library has loaded
CODE = "from coach.tui.app import run; run()"


def one_run(home: str, timeout: float = 15.0) -> tuple[float, float]:
    """Seconds to the first screen painted, and to the question library listed."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "COACH_MODEL", "NO_COLOR")}
    env.update(COACH_HOME=home, COACH_OFFLINE="1", TERM="xterm-256color", COLUMNS="80", LINES="24")
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        os.execve(sys.executable, [sys.executable, "-c", CODE], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    elapsed = listed = float("nan")
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if elapsed != elapsed and MARKER in seen:  # nan: not painted yet
                elapsed = time.perf_counter() - start
            if LIBRARY.search(seen):
                listed = time.perf_counter() - start
                break
        os.write(fd, b"\x11")  # Ctrl+Q
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    pass
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return elapsed, listed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=float, default=1.0, help="seconds")
    args = parser.parse_args()
    times, listed = [], []
    with tempfile.TemporaryDirectory() as home:
        for i in range(args.runs):
            t, lib = one_run(home)
            times.append(t)
            listed.append(lib)
            print(f"run {i + 1}: first screen {t:.3f} s, library listed {lib:.3f} s")
    median = statistics.median(times)
    ok = median < args.target
    print(f"median time to first screen: {median:.3f} s (target < {args.target:.1f} s): {'ok' if ok else 'MISSED'}")
    print(
        f"median time to the library listed (loaded in a worker after the first paint): {statistics.median(listed):.3f} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
