"""Work spread over processes gives the same results, in order, as doing it in turn."""

import os
import signal

import pytest

from dagster_project.parallel import MIN_ITEMS_FOR_POOL, WORKER_DIED, isolated_map, parallel_map


def square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


@pytest.mark.parametrize("count", [3, MIN_ITEMS_FOR_POOL * 4])
def test_results_keep_their_order(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_WORKERS", "2")
    results = parallel_map(square_and_pid, list(range(count)))
    assert [square for square, _ in results] == [n * n for n in range(count)]
    in_this_process = {pid for _, pid in results} == {os.getpid()}
    assert in_this_process == (count < MIN_ITEMS_FOR_POOL)  # a pool only when it pays


def test_one_worker_means_no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_WORKERS", "1")
    results = parallel_map(square_and_pid, list(range(MIN_ITEMS_FOR_POOL * 4)))
    assert {pid for _, pid in results} == {os.getpid()}


def die_on_three(number: int) -> tuple[int, int]:
    if number == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # a reader crashing in C, or killed for its memory
    return number * number, os.getpid()


def nothing() -> None:
    pass


def test_isolated_work_runs_in_workers_and_a_dead_worker_spoils_only_its_item(monkeypatch) -> None:
    monkeypatch.setenv("CCHC_WORKERS", "2")
    results = isolated_map(square_and_pid, [1, 2], nothing)
    assert [square for square, _ in results] == [1, 4] and os.getpid() not in {pid for _, pid in results}
    results = isolated_map(die_on_three, [1, 2, 3, 4], nothing)
    assert [r if r is WORKER_DIED else r[0] for r in results] == [1, 4, WORKER_DIED, 16]
