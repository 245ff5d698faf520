"""How supervised components look to a person: progress while starting, a status table, and the
log tail of whatever failed. ``run_detached`` is the one call behind every ``--detach``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from localnlb.common.supervisor import (
    ComponentSpec,
    DetachResult,
    Outcome,
    SupervisorStatus,
    detach,
)

PHASE_STYLES = {
    "ready": "green",
    "starting": "yellow",
    "pending": "dim",
    "backing-off": "yellow",
    "crash-looping": "bold red",
    "failed": "bold red",
    "stopping": "dim",
    "stopped": "dim",
}


def status_table(
    status: SupervisorStatus, *, running: bool, state_dir: Path | None = None
) -> Table:
    title = "components" if running else "components (not running; last known state)"
    table = Table(title=title, title_justify="left")
    urls = [url for c in status.components for url in c.endpoints.values()]
    for column in ("COMPONENT", "STATE", "PID", "RESTARTS"):
        table.add_column(column)
    # Endpoints are copied from here: never cut them short, let the other columns wrap.
    table.add_column("ENDPOINTS", no_wrap=True, min_width=max(map(len, urls), default=9))
    table.add_column("LOG", overflow="fold")
    if not status.components:
        table.add_row("(none)", "-", "-", "-", "-", "-")
    for c in status.components:
        phase = c.phase if running else "stopped" if c.phase != "failed" else c.phase
        state = f"[{PHASE_STYLES.get(phase, '')}]{phase}[/]"
        if c.detail and phase not in ("ready", "stopped"):
            state += f" ({c.detail})"
        table.add_row(
            c.name,
            state,
            str(c.pid) if running and c.pid else "-",
            str(c.restarts),
            "\n".join(dict.fromkeys(c.endpoints.values())) or "-",
            _relative(c.log, state_dir),
        )
    return table


def _relative(path: str, state_dir: Path | None) -> str:
    if state_dir is not None and Path(path).is_relative_to(state_dir):
        return str(Path(path).relative_to(state_dir))
    return path


class ProgressPrinter:
    """Prints each component's transitions once (works on a terminal and in a CI log alike)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._last: dict[str, tuple[str, int]] = {}

    def __call__(self, status: SupervisorStatus) -> None:
        for c in status.components:
            key = (c.phase, c.restarts)
            if self._last.get(c.name) == key or c.phase == "pending":
                continue
            self._last[c.name] = key
            style = PHASE_STYLES.get(c.phase, "")
            endpoints = " ".join(c.endpoints.values())
            detail = endpoints if c.phase == "ready" else c.detail
            self._console.print(f"  {c.name:<12} [{style}]{c.phase}[/] {detail}".rstrip())


def report_failure(result: DetachResult, console: Console) -> None:
    console.print(f"[bold red]localnlb did not start:[/] {result.error}")
    if result.log_path is not None:
        console.print(f"last lines of {result.log_path}:", highlight=False)
        console.print(result.log_tail or "(empty)", markup=False, highlight=False)


def run_detached(
    state_dir: Path,
    specs: Sequence[ComponentSpec],
    *,
    console: Console | None = None,
    errors: Console | None = None,
    timeout: float | None = None,
) -> int:
    """Start ``specs`` under a background supervisor for ``state_dir``; 0 once all are ready."""
    console = console or Console(highlight=False, soft_wrap=True)
    errors = errors or Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(f"starting localnlb for {state_dir}")
    result = detach(state_dir, specs, timeout=timeout, on_progress=ProgressPrinter(console))
    if result.outcome is Outcome.FAILED:
        report_failure(result, errors)
        return 1
    if result.outcome is Outcome.ALREADY_RUNNING:
        console.print(f"localnlb is already running for {state_dir}")
    if result.status is not None:
        console.print(status_table(result.status, running=True, state_dir=state_dir))
    console.print(
        f"use it: source {state_dir / 'env'}   stop it: localnlb down --state-dir {state_dir}"
    )
    return 0
