"""The process supervisor: runs localnlb's components for one state dir, keeps them running,
and stops all of them (also after its own sudden death).

Public surface:

- :class:`ComponentSpec` with a readiness probe (:class:`ReadyFile`, :class:`HttpGet`,
  :class:`EnvEndpoint`): what to run.
- :func:`serve`: run them in this process until SIGINT/SIGTERM (``localnlb up``).
- :func:`detach`: run them under a background supervisor, return once all are ready
  (``localnlb up --detach``, ``localnlb elbv2 --detach``).
- :func:`stop_state_dir`: stop everything for a state dir (``localnlb down``).
- :func:`read_status`, :func:`is_supervisor_running`: what runs (``localnlb status``).
- :func:`announce_ready`: called by a component once it listens.
"""

from localnlb.common.supervisor.announce import announce_ready
from localnlb.common.supervisor.backoff import BackoffPolicy, Phase
from localnlb.common.supervisor.detach import DetachResult, Outcome, detach
from localnlb.common.supervisor.runfiles import RunDir, is_supervisor_running
from localnlb.common.supervisor.serve import EXIT_ALREADY_RUNNING, serve
from localnlb.common.supervisor.spec import (
    ComponentSpec,
    EnvEndpoint,
    HttpGet,
    Readiness,
    ReadyFile,
)
from localnlb.common.supervisor.status import ComponentStatus, SupervisorStatus, read_status
from localnlb.common.supervisor.stopping import StopReport, stop_state_dir

__all__ = [
    "EXIT_ALREADY_RUNNING",
    "BackoffPolicy",
    "ComponentSpec",
    "ComponentStatus",
    "DetachResult",
    "EnvEndpoint",
    "HttpGet",
    "Outcome",
    "Phase",
    "Readiness",
    "ReadyFile",
    "RunDir",
    "StopReport",
    "SupervisorStatus",
    "announce_ready",
    "detach",
    "is_supervisor_running",
    "read_status",
    "serve",
    "stop_state_dir",
]
