"""Spread independent work (reading files, extracting documents) over the machine's cores."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
# Below this many items a pool costs more than it saves.
MIN_ITEMS_FOR_POOL = 64


def worker_count() -> int:
    """CCHC_WORKERS, else one worker per core."""
    configured = os.environ.get("CCHC_WORKERS")
    return max(1, int(configured)) if configured else os.cpu_count() or 1


def parallel_map(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """`[function(item) for item in items]`, in order, over worker processes when it pays.

    Workers are forked, so they start at once and share what the parent has loaded (the
    compiled vocabulary). `function` must be a module-level function.
    """
    workers = min(worker_count(), len(items) // (MIN_ITEMS_FOR_POOL // 2) or 1)
    if workers < 2 or len(items) < MIN_ITEMS_FOR_POOL:
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    chunksize = max(1, len(items) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(function, items, chunksize=chunksize))


class WorkerDied:
    """What `isolated_map` gives for an item whose worker process died (killed, crashed)."""

    def __repr__(self) -> str:
        return "WorkerDied()"


WORKER_DIED = WorkerDied()


def isolated_map(
    function: Callable[[Item], Result], items: Sequence[Item], initializer: Callable[[], None]
) -> list[Result | WorkerDied]:
    """`[function(item) for item in items]`, in order, always in forked worker processes that
    `initializer` first confines (memory limits): a runaway item cannot take this process down.
    When a worker dies, the items are run again one process each, and the one that killed its
    worker is WORKER_DIED."""
    if not items:
        return []
    context = multiprocessing.get_context("fork")
    workers = min(worker_count(), max(1, len(items) // (MIN_ITEMS_FOR_POOL // 2)))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer) as pool:
            return list(pool.map(function, items, chunksize=max(1, len(items) // (workers * 8))))
    except BrokenProcessPool:
        return [_alone(function, item, initializer) for item in items]


def _alone(
    function: Callable[[Item], Result], item: Item, initializer: Callable[[], None]
) -> Result | WorkerDied:
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=initializer) as pool:
            return pool.submit(function, item).result()
    except BrokenProcessPool:
        return WORKER_DIED
