"""What the supervisor reports: one immutable snapshot, written to ``DIR/run/supervisor.json``.

``localnlb status`` renders it; ``up --detach`` polls it to show progress and to know when every
component is ready (or which one failed, and where its log is).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from localnlb.common.supervisor.runfiles import RunDir, read_json, write_atomically

if TYPE_CHECKING:
    from localnlb.common.supervisor.component import RunningComponent


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    name: str
    phase: str
    pid: int | None
    restarts: int
    consecutive_crashes: int
    last_exit: int | None
    detail: str
    endpoints: Mapping[str, str]
    log: str


@dataclass(frozen=True, slots=True)
class SupervisorStatus:
    pid: int
    phase: str
    error: str | None
    failed_component: str | None
    updated_at: float
    components: tuple[ComponentStatus, ...]

    @property
    def all_ready(self) -> bool:
        return self.phase == "running" and all(c.phase == "ready" for c in self.components)

    def component(self, name: str) -> ComponentStatus | None:
        return next((c for c in self.components if c.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SupervisorStatus:
        return cls(
            pid=int(data["pid"]),
            phase=str(data["phase"]),
            error=data.get("error"),
            failed_component=data.get("failed_component"),
            updated_at=float(data.get("updated_at", 0.0)),
            components=tuple(
                ComponentStatus(
                    name=str(c["name"]),
                    phase=str(c["phase"]),
                    pid=c.get("pid"),
                    restarts=int(c.get("restarts", 0)),
                    consecutive_crashes=int(c.get("consecutive_crashes", 0)),
                    last_exit=c.get("last_exit"),
                    detail=str(c.get("detail", "")),
                    endpoints={str(k): str(v) for k, v in dict(c.get("endpoints", {})).items()},
                    log=str(c.get("log", "")),
                )
                for c in data.get("components", [])
            ),
        )


def snapshot(
    *,
    pid: int,
    phase: str,
    error: str | None,
    failed_component: str | None,
    components: Sequence[RunningComponent],
    run_dir: RunDir,
    updated_at: float,
) -> SupervisorStatus:
    return SupervisorStatus(
        pid=pid,
        phase=phase,
        error=error,
        failed_component=failed_component,
        updated_at=updated_at,
        components=tuple(
            ComponentStatus(
                name=c.spec.name,
                phase=str(c.tracker.phase),
                pid=c.pid,
                restarts=c.tracker.restarts,
                consecutive_crashes=c.tracker.consecutive_crashes,
                last_exit=c.tracker.last_exit,
                detail=c.tracker.detail,
                endpoints=dict(c.endpoints),
                log=str(run_dir.log_file(c.spec.name)),
            )
            for c in components
        ),
    )


def write_status(run_dir: RunDir, status: SupervisorStatus) -> None:
    write_atomically(run_dir.status, json.dumps(status.to_json(), indent=2) + "\n")


def read_status(run_dir: RunDir) -> SupervisorStatus | None:
    data = read_json(run_dir.status)
    if data is None:
        return None
    try:
        return SupervisorStatus.from_json(data)
    except (KeyError, TypeError, ValueError):
        return None
