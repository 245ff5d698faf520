"""Run a supervisor in this process until SIGTERM or SIGINT (Ctrl-C), holding the state dir's lock.

Both ``localnlb up`` in the foreground and the detached supervisor process (:mod:`.daemon`) come
here. Signals only ask the loop to stop; the components are then stopped in
reverse order before this returns, so Ctrl-C never leaves a process behind.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence

from localnlb.common.supervisor.backoff import BackoffPolicy
from localnlb.common.supervisor.runfiles import RunDir, SupervisorLock
from localnlb.common.supervisor.runner import Supervisor
from localnlb.common.supervisor.spec import ComponentSpec
from localnlb.common.supervisor.status import SupervisorStatus
from localnlb.common.supervisor.stopping import stop_state_dir

EXIT_ALREADY_RUNNING = 3


def serve(
    run_dir: RunDir,
    specs: Sequence[ComponentSpec],
    *,
    policy: BackoffPolicy | None = None,
    on_change: Callable[[SupervisorStatus], None] | None = None,
) -> int:
    run_dir.prepare()
    lock = SupervisorLock(run_dir)
    if not lock.acquire():
        return EXIT_ALREADY_RUNNING
    try:
        # Holding the lock, this is the only supervisor: what a killed predecessor left behind
        # (orphaned components, stale pid files) is ours to clean up, with no race against
        # another starting supervisor.
        stop_state_dir(run_dir)
        return asyncio.run(_serve(run_dir, specs, policy=policy, on_change=on_change))
    finally:
        lock.release()


async def _serve(
    run_dir: RunDir,
    specs: Sequence[ComponentSpec],
    *,
    policy: BackoffPolicy | None,
    on_change: Callable[[SupervisorStatus], None] | None,
) -> int:
    supervisor = Supervisor(run_dir, specs, policy=policy, on_change=on_change)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, supervisor.request_stop)
    try:
        return await supervisor.run()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(signum)
