"""What people see: the status table and start-up progress lines."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from localnlb.cli.supervisor_progress import ProgressPrinter, status_table
from localnlb.common.supervisor import ComponentStatus, SupervisorStatus


def status(*components: ComponentStatus) -> SupervisorStatus:
    return SupervisorStatus(
        pid=10,
        phase="running",
        error=None,
        failed_component=None,
        updated_at=0.0,
        components=components,
    )


def component(phase: str, *, restarts: int = 0, detail: str = "") -> ComponentStatus:
    return ComponentStatus(
        name="elbv2",
        phase=phase,
        pid=11,
        restarts=restarts,
        consecutive_crashes=0,
        last_exit=None,
        detail=detail,
        endpoints={"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "http://127.0.0.1:40331"},
        log="/state/logs/elbv2.log",
    )


def render(renderable: object) -> str:
    out = io.StringIO()
    Console(file=out, width=80, soft_wrap=True).print(renderable)
    return out.getvalue()


def test_the_table_shows_endpoints_whole_and_logs_relative_to_the_state_dir() -> None:
    text = render(status_table(status(component("ready")), running=True, state_dir=Path("/state")))
    assert "http://127.0.0.1:40331" in text
    assert "logs/elbv2.log" in text
    assert "11" in text


def test_a_stopped_localnlb_shows_no_pids() -> None:
    text = render(status_table(status(component("ready")), running=False))
    assert "not running; last known state" in text
    assert "stopped" in text
    assert " 11 " not in text


def test_progress_prints_each_transition_once() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(Console(file=out, width=120, soft_wrap=True))
    for update in [
        component("starting"),
        component("starting", detail="has not written env yet"),
        component("ready"),
        component("ready"),
        component("backing-off", restarts=0, detail="killed by signal 9"),
        component("ready", restarts=1),
    ]:
        printer(status(update))
    assert out.getvalue().splitlines() == [
        "  elbv2        starting",
        "  elbv2        ready http://127.0.0.1:40331",
        "  elbv2        backing-off killed by signal 9",
        "  elbv2        ready http://127.0.0.1:40331",
    ]
