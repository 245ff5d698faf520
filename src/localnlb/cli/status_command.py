"""``localnlb status``: what runs for the state dir, then its load balancers, listeners, target
groups and targets with their health and traffic paths (instance: LB node -> node:NodePort ->
pod; ip: LB node -> pod; hops that cross AZs marked), as tables.

Exit code 0 while localnlb runs for DIR, 3 when it does not (as ``systemctl status`` does), so
scripts can ask ``localnlb status >/dev/null``.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from localnlb.cli.options import add_state_dir_option
from localnlb.cli.status_paths import build_target_lines, path_crosses_az, render_path
from localnlb.cli.supervisor_progress import status_table
from localnlb.common import statedir
from localnlb.common.limits import open_files_limit_of
from localnlb.common.snapshot import SNAPSHOT_PATH, RoutingSnapshot, TargetState
from localnlb.common.supervisor import (
    RunDir,
    SupervisorStatus,
    is_supervisor_running,
    read_status,
)

EXIT_NOT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status", help="components, load balancers, target groups and target health"
    )
    add_state_dir_option(parser)
    parser.add_argument(
        "--output", "-o", choices=("table", "json"), default="table", help="output format"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    state_dir = statedir.resolve_state_dir(args.state_dir)
    run_dir = RunDir(state_dir)
    running = is_supervisor_running(run_dir)
    status = read_status(run_dir)
    if args.output == "json":
        document = {
            "state_dir": str(state_dir),
            "running": running,
            "supervisor": status.to_json() if status is not None else None,
            "open_files_limits": _open_files_limits(status) if status is not None else {},
        }
        print(json.dumps(document, indent=2))
        return 0 if running else EXIT_NOT_RUNNING
    console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
    if running:
        console.print(f"localnlb is running for {state_dir}")
    else:
        console.print(f"localnlb is not running for {state_dir}")
    if status is not None:
        console.print(status_table(status, running=running, state_dir=state_dir))
    if running and status is not None:
        console.print(open_files_line(_open_files_limits(status)))
    if running:
        _print_dataplane_engine(state_dir, console)
        _print_load_balancers(state_dir, console)
    return 0 if running else EXIT_NOT_RUNNING


def _open_files_limits(status: SupervisorStatus) -> dict[str, int | None]:
    """Each running component's soft open-files limit, as its kernel reports it."""
    return {c.name: open_files_limit_of(c.pid) for c in status.components if c.pid is not None}


def open_files_line(limits: Mapping[str, int | None]) -> str:
    """One line for the components' soft open-files limits (each raised it to the hard limit
    at start; a low one here explains refused connections under load)."""
    known = {name: limit for name, limit in limits.items() if limit is not None}
    if not known:
        return "open files limit: unknown"
    if len(set(known.values())) == 1:
        return f"open files limit: {next(iter(known.values()))} per component"
    return "open files limit: " + ", ".join(f"{name} {limit}" for name, limit in known.items())


ENGINES = {"kernel": "kernel engine (nftables table {nftables_table})", "user": "user-space engine"}


def _print_dataplane_engine(state_dir: Path, console: Console) -> None:
    """Which engine forwards, from the data plane's ``localnlb_dataplane_info`` metric."""
    url = statedir.read_env(state_dir).get(statedir.DATAPLANE_METRICS_VARIABLE)
    if not url:
        return
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            text = reply.read().decode()
    except (OSError, ValueError):
        return
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "localnlb_dataplane_info":
                labels = sample.labels
                template = ENGINES.get(labels.get("engine", ""), "{engine} engine")
                console.print(f"data plane: {template.format_map(labels)}")
                return


STATE_STYLES = {
    TargetState.HEALTHY: "green",
    TargetState.INITIAL: "yellow",
    TargetState.DRAINING: "cyan",
    TargetState.UNUSED: "dim",
}


def _print_load_balancers(state_dir: Path, console: Console) -> None:
    """Load balancers -> listeners -> target groups -> targets, health and traffic paths."""
    env = statedir.read_env(state_dir)
    endpoint = env.get(statedir.ELBV2_ENDPOINT_VARIABLE)
    if not endpoint:
        return
    try:
        with urllib.request.urlopen(endpoint + SNAPSHOT_PATH, timeout=5) as reply:
            snapshot = RoutingSnapshot.from_json(reply.read().decode())
        objects = _cluster_objects(env.get("KUBECONFIG"))
    except (OSError, ValueError) as error:
        console.print(f"load balancers: not available ({error})")
        return
    lines = build_target_lines(snapshot, **objects)
    if not snapshot.load_balancers:
        console.print("load balancers: none yet")
        return
    tree = Tree("load balancers")
    branches: dict[tuple[str, ...], Tree] = {}

    def branch(key: tuple[str, ...], parent: Tree, label: str) -> Tree:
        if key not in branches:
            branches[key] = parent.add(label)
        return branches[key]

    for line in lines:
        lb = branch((line.load_balancer,), tree, line.load_balancer)
        listener = branch((line.load_balancer, line.listener), lb, f"listener {line.listener}")
        group = branch(
            (line.load_balancer, line.listener, line.target_group),
            listener,
            f"target group {line.target_group}",
        )
        label = Text(f"{line.target}  {line.zone}  ")
        label.append(line.state, style=STATE_STYLES.get(line.state, "red"))
        if line.reason:
            label.append(f" ({line.reason})", style="dim")
        target = group.add(label)
        for path in line.paths:
            style = "bold magenta" if path_crosses_az(path) else ""
            target.add(Text(render_path(path), style=style))
    console.print(tree)


def _cluster_objects(kubeconfig: str | None) -> dict[str, list[dict[str, Any]]]:
    empty: dict[str, list[dict[str, Any]]] = {"nodes": [], "services": [], "slices": [], "pods": []}
    if not kubeconfig or not Path(kubeconfig).is_file():
        return empty
    from lightkube import Client, KubeConfig
    from lightkube.resources.core_v1 import Node, Pod, Service
    from lightkube.resources.discovery_v1 import EndpointSlice

    client = Client(config=KubeConfig.from_file(kubeconfig))

    def listed(kind: Any) -> list[dict[str, Any]]:
        return [item.to_dict() for item in client.list(kind, namespace="*")]

    return {
        "nodes": [item.to_dict() for item in client.list(Node)],
        "services": listed(Service),
        "slices": listed(EndpointSlice),
        "pods": listed(Pod),
    }
