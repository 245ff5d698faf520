"""Which components ``localnlb up`` and ``localnlb elbv2 --detach`` run, declared as one table.

Each entry is a localnlb sub-command that runs one component in the foreground, and how to tell
it is ready. Adding a component (the cluster API server, kubelets, the controller) is one entry;
an entry whose command module is not in this build yet is left out, so ``up`` starts what exists.
Order matters: each component is ready before the next one starts.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

from localnlb.common import statedir
from localnlb.common.supervisor import ComponentSpec, EnvEndpoint, Readiness, ReadyFile


@dataclass(frozen=True, slots=True)
class ComponentDefinition:
    name: str
    command: str
    module: str
    readiness: Readiness
    extra_args: tuple[str, ...] = ()
    ready_timeout: float = 30.0

    def available(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def spec(self, state_dir: Path) -> ComponentSpec:
        argv = (sys.executable, "-m", "localnlb", self.command, "--state-dir", str(state_dir))
        return ComponentSpec(
            name=self.name,
            argv=argv + self.extra_args,
            readiness=self.readiness,
            ready_timeout=self.ready_timeout,
        )


ELBV2 = ComponentDefinition(
    name="elbv2",
    command="elbv2",
    module="localnlb.cli.elbv2_command",
    # Ready once it rewrote DIR/env with its endpoint and that endpoint answers.
    readiness=EnvEndpoint(variable=statedir.ELBV2_ENDPOINT_VARIABLE),
)

CLUSTER = ComponentDefinition(
    name="cluster",
    command="cluster",
    module="localnlb.cli.cluster_run_command",
    # Announces its API server once every node registered (TLS: no plain GET to probe).
    readiness=ReadyFile(),
    ready_timeout=90.0,
)

CONTROLLER = ComponentDefinition(
    name="controller",
    command="controller",
    module="localnlb.cli.controller_command",
    # Announces once it leads, its caches are filled and its workers run.
    readiness=ReadyFile(),
    ready_timeout=60.0,
)

DASHBOARD = ComponentDefinition(
    name="dashboard",
    command="dashboard",
    module="localnlb.cli.dashboard_command",
    # Announces its URL (also LOCALNLB_DASHBOARD_URL in DIR/env) once it serves.
    readiness=ReadyFile(),
)

# The ELBv2/EC2 API first (the cluster's nodes are EC2 instances of this state dir), then the
# controller (it needs both APIs), the dashboard last (it reads all of them).
EMBEDDED_DEFAULT: tuple[ComponentDefinition, ...] = (ELBV2, CLUSTER, CONTROLLER, DASHBOARD)
ELBV2_ALONE: tuple[ComponentDefinition, ...] = (ELBV2,)


def elbv2_alone(state_dir: Path, extra_args: tuple[str, ...] = ()) -> list[ComponentSpec]:
    """What ``localnlb elbv2 --detach`` runs: the foreground ``elbv2`` command with its options
    (``extra_args``, e.g. ``("--port", "4566")``), under a supervisor."""
    return [dataclasses.replace(ELBV2, extra_args=extra_args).spec(state_dir)]


def specs_for(definitions: tuple[ComponentDefinition, ...], state_dir: Path) -> list[ComponentSpec]:
    return [d.spec(state_dir) for d in definitions if d.available()]


def missing_from(definitions: tuple[ComponentDefinition, ...]) -> list[str]:
    return [d.name for d in definitions if not d.available()]
