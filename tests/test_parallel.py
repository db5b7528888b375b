"""Work spread over processes gives the same results, in order, as doing it in turn."""

import os

import pytest

from dagster_project.parallel import MIN_ITEMS_FOR_POOL, beside, parallel_map


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


@pytest.mark.parametrize(("workers", "forked"), [("2", True), ("1", False)])
def test_beside_runs_one_function_in_a_fork_while_this_process_works(
    workers: str, forked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_WORKERS", workers)
    (square, pid), here = beside(square_and_pid, 7, lambda: square_and_pid(3))
    assert (square, here) == (49, (9, os.getpid()))
    assert (pid != os.getpid()) == forked
