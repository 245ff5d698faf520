"""The one work queue: one entry per key, no key on two workers, re-queue after an add while
running, per-key exponential backoff, delayed adds that keep the earliest look, sync and async
handlers, several workers on one queue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from localnlb.common.workqueue import WorkQueue, run_worker

pytestmark = pytest.mark.timeout(5)


async def test_a_key_waits_once_however_often_it_is_added() -> None:
    queue: WorkQueue[str] = WorkQueue("t")
    for _ in range(3):
        queue.add("a")
    queue.add("b")
    assert len(queue) == 2
    assert [await queue.get(), await queue.get()] == ["a", "b"]
    assert len(queue) == 0


async def test_an_add_while_processing_runs_the_key_again_after() -> None:
    queue: WorkQueue[tuple[str, str]] = WorkQueue("t")
    key = ("ui", "ui-nlb")
    queue.add(key)
    taken = await queue.get()
    queue.add(key)  # changed while being reconciled
    assert len(queue) == 0  # never handed to a second worker meanwhile
    queue.done(taken)
    assert len(queue) == 1
    assert await asyncio.wait_for(queue.get(), 1) == key


async def test_backoff_doubles_per_key_and_forget_resets_it() -> None:
    queue: WorkQueue[str] = WorkQueue("t", max_delay=0.02)
    assert [queue.backoff("a") for _ in range(4)] == [0.005, 0.01, 0.02, 0.02]
    assert queue.backoff("b") == 0.005
    assert queue.failures("a") == 4
    queue.forget("a")
    assert queue.backoff("a") == 0.005


async def test_add_after_keeps_the_earliest_look() -> None:
    queue: WorkQueue[str] = WorkQueue("t")
    loop = asyncio.get_running_loop()
    queue.add_after("a", 30.0)
    queue.add_after("a", 0.01)
    queue.add_after("a", 60.0)
    started = loop.time()
    assert await asyncio.wait_for(queue.get(), 1) == "a"
    assert loop.time() - started < 1
    queue.close()


async def test_worker_retries_failures_then_honours_the_requeue() -> None:
    queue: WorkQueue[str] = WorkQueue("t")
    seen: list[str] = []
    done = asyncio.Event()

    async def handler(key: str) -> float | None:
        seen.append(key)
        if len(seen) < 3:
            raise RuntimeError("API away")
        done.set()
        return None

    queue.add("a")
    worker = asyncio.create_task(run_worker(queue, handler))
    try:
        await asyncio.wait_for(done.wait(), 2)
    finally:
        worker.cancel()
        queue.close()
    assert seen == ["a", "a", "a"]
    assert queue.failures("a") == 0  # success forgot the back-off


async def test_a_sync_handler_and_its_requeue() -> None:
    """The cluster's controllers reconcile synchronously; a returned delay looks again."""
    queue: WorkQueue[str] = WorkQueue("t")
    seen: list[str] = []
    twice = asyncio.Event()

    def handler(key: str) -> float | None:
        seen.append(key)
        if len(seen) == 2:
            twice.set()
        return 0.01 if len(seen) == 1 else None

    queue.add("a")
    worker = asyncio.create_task(run_worker(queue, handler))
    try:
        await asyncio.wait_for(twice.wait(), 2)
    finally:
        worker.cancel()
        queue.close()
    assert seen == ["a", "a"]


async def test_two_workers_never_hold_one_key_at_once() -> None:
    queue: WorkQueue[str] = WorkQueue("t")
    running: set[str] = set()
    overlaps: list[str] = []
    handled: list[str] = []
    release = {"a": asyncio.Event(), "b": asyncio.Event()}
    finished = asyncio.Event()

    async def handler(key: str) -> None:
        if key in running:
            overlaps.append(key)
        running.add(key)
        await release[key].wait()
        running.discard(key)
        handled.append(key)
        if len(handled) == 3:
            finished.set()

    async def until(condition: Callable[[], bool]) -> None:
        while not condition():
            await asyncio.sleep(0)

    workers = [asyncio.create_task(run_worker(queue, handler)) for _ in range(2)]
    try:
        queue.add("a")
        queue.add("b")
        await asyncio.wait_for(until(lambda: running == {"a", "b"}), 2)
        queue.add("a")  # changed while its first run is still going
        release["b"].set()  # a worker is free now, yet "a" must wait
        await asyncio.wait_for(until(lambda: handled == ["b"]), 2)
        for _ in range(10):
            await asyncio.sleep(0)
        assert overlaps == []
        release["a"].set()
        await asyncio.wait_for(finished.wait(), 2)
    finally:
        for worker in workers:
            worker.cancel()
        queue.close()
    assert overlaps == []
    assert handled == ["b", "a", "a"]
