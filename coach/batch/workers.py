"""Offline grading in input order, in this process or in a bounded window of worker processes."""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from coach.batch.records import Config, RowOutcome, grade_item
from coach.batch.rows import Item

if TYPE_CHECKING:
    pass

CHUNK_SIZE = 16
WINDOW_PER_JOB = 4


_WORKER_CONFIG: Config | None = None


def _init_worker(cfg: Config) -> None:
    global _WORKER_CONFIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _WORKER_CONFIG = cfg


def _grade_chunk(items: list[Item]) -> list[RowOutcome]:
    assert _WORKER_CONFIG is not None
    return [grade_item(it, _WORKER_CONFIG) for it in items]


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for it in items:
        chunk.append(it)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ordered_results(items: Iterable[Item], cfg: Config, jobs: int) -> Iterator[RowOutcome]:
    """Outcomes in input order. With jobs > 1, chunks go to a process pool, a bounded window at a time."""
    if jobs <= 1:
        for it in items:
            yield grade_item(it, cfg)
        return
    import multiprocessing as mp

    # fork (Linux) lets the workers share the grader the parent already loaded; elsewhere the
    # platform default (spawn) re-imports it in each worker, which costs start-up time only.
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context()
    pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(cfg,))
    try:
        pending: deque = deque()
        window = jobs * WINDOW_PER_JOB
        for chunk in _chunks(items, CHUNK_SIZE):
            pending.append(pool.apply_async(_grade_chunk, (chunk,)))
            while len(pending) >= window:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
