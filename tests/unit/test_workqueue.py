"""The work queue: one entry per key, no key on two workers, re-queue after an add while
running, per-key exponential backoff, delayed adds that keep the earliest look."""

from __future__ import annotations

import asyncio

import pytest

from localnlb.controller.runtime.workqueue import WorkQueue, run_worker

pytestmark = pytest.mark.timeout(5)


async def test_a_key_waits_once_however_often_it_is_added() -> None:
    queue = WorkQueue("t")
    for _ in range(3):
        queue.add("a")
    queue.add("b")
    assert [await queue.get(), await queue.get()] == ["a", "b"]
    assert queue._queue.empty()


async def test_an_add_while_processing_runs_the_key_again_after() -> None:
    queue = WorkQueue("t")
    queue.add("a")
    key = await queue.get()
    queue.add("a")  # changed while being reconciled
    assert queue._queue.empty()  # never handed to a second worker meanwhile
    queue.done(key)
    assert await asyncio.wait_for(queue.get(), 1) == "a"


async def test_backoff_doubles_per_key_and_forget_resets_it() -> None:
    queue = WorkQueue("t", max_delay=0.02)
    assert [queue.backoff("a") for _ in range(4)] == [0.005, 0.01, 0.02, 0.02]
    assert queue.backoff("b") == 0.005
    queue.forget("a")
    assert queue.backoff("a") == 0.005


async def test_add_after_keeps_the_earliest_look() -> None:
    queue = WorkQueue("t")
    loop = asyncio.get_running_loop()
    queue.add_after("a", 30.0)
    queue.add_after("a", 0.01)
    queue.add_after("a", 60.0)
    started = loop.time()
    assert await asyncio.wait_for(queue.get(), 1) == "a"
    assert loop.time() - started < 1
    queue.close()


async def test_worker_retries_failures_then_honours_the_requeue() -> None:
    queue = WorkQueue("t")
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
    assert "a" not in queue._failures
