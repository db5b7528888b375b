"""Spread independent work (reading files, extracting documents) over the machine's cores."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
# Below this many items a pool costs more than it saves.
MIN_ITEMS_FOR_POOL = 64


def worker_count() -> int:
    """CCHC_WORKERS, else one worker per core."""
    configured = os.environ.get("CCHC_WORKERS")
    return max(1, int(configured)) if configured else os.cpu_count() or 1


def parallel_map(
    function: Callable[[Item], Result], items: Sequence[Item], min_items: int = MIN_ITEMS_FOR_POOL
) -> list[Result]:
    """`[function(item) for item in items]`, in order, over worker processes when it pays: from
    `min_items` items (fewer when each takes a tenth of a second or more).

    Workers are forked, so they start at once and share what the parent has loaded (the
    compiled vocabulary). `function` must be a module-level function.
    """
    workers = min(worker_count(), len(items) // max(1, min_items // 2) or 1)
    if workers < 2 or len(items) < min_items:
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    chunksize = max(1, len(items) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(function, items, chunksize=chunksize))
