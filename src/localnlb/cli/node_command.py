"""``localnlb node``: look at the worker nodes and rehearse what happens to them.

``list`` shows each node with its AZ, EC2 instance, readiness and schedulability; ``cordon`` /
``uncordon`` set ``spec.unschedulable`` as ``kubectl cordon`` does; ``notready`` makes the node's
kubelet report ``Ready=False`` (the node lifecycle controller then takes its pods out of service,
and an instance-mode load balancer's health checks see the node fail) and ``ready`` brings it
back. Everything goes through the Kubernetes API of the state dir (``DIR/kubeconfig``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from localnlb.cli.options import add_state_dir_option
from localnlb.common import statedir

READY_ANNOTATION = "localnlb.dev/kubelet-ready"
ACTIONS = ("list", "cordon", "uncordon", "notready", "ready")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("node", help="list nodes; cordon them or make them NotReady")
    add_state_dir_option(parser)
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("name", nargs="?", help="the node (not for list)")
    parser.set_defaults(handler=run)


def _client(state_dir: Path) -> Any:
    from lightkube import Client, KubeConfig

    kubeconfig = statedir.read_env(state_dir).get("KUBECONFIG") or str(state_dir / "kubeconfig")
    if not Path(kubeconfig).is_file():
        raise FileNotFoundError(f"no {kubeconfig}: start localnlb first (localnlb up)")
    return Client(config=KubeConfig.from_file(kubeconfig))


def _condition(node: Any, kind: str) -> str:
    for entry in (node.status.conditions if node.status else None) or ():
        if entry.type == kind:
            return str(entry.status)
    return "Unknown"


def _list(client: Any, console: Console) -> int:
    from lightkube.resources.core_v1 import Node, Pod

    pods = list(client.list(Pod, namespace="*"))
    table = Table("NODE", "ZONE", "INSTANCE", "READY", "SCHEDULING", "PODS", box=None)
    for node in client.list(Node):
        labels = node.metadata.labels or {}
        provider = (node.spec.providerID or "") if node.spec else ""
        on_node = sum(1 for p in pods if p.spec and p.spec.nodeName == node.metadata.name)
        table.add_row(
            node.metadata.name,
            labels.get("topology.kubernetes.io/zone", ""),
            provider.rsplit("/", 1)[-1],
            _condition(node, "Ready"),
            "Disabled" if node.spec and node.spec.unschedulable else "Enabled",
            str(on_node),
        )
    console.print(table)
    return 0


def _change(client: Any, action: str, name: str) -> str:
    from lightkube.resources.core_v1 import Node

    if action in ("cordon", "uncordon"):
        client.patch(Node, name, {"spec": {"unschedulable": action == "cordon"}})
        return f"node/{name} {'cordoned' if action == 'cordon' else 'uncordoned'}"
    value = "false" if action == "notready" else None
    client.patch(Node, name, {"metadata": {"annotations": {READY_ANNOTATION: value}}})
    return f"node/{name}: kubelet reports {'NotReady' if value else 'Ready'}"


def run(args: argparse.Namespace) -> int:
    from lightkube import ApiError

    # Full names even when piped (rich would otherwise fit the table to 80 columns).
    console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
    state_dir = statedir.resolve_state_dir(args.state_dir)
    if args.action != "list" and not args.name:
        print(f"localnlb node {args.action}: name the node", file=sys.stderr)
        return 2
    try:
        client = _client(state_dir)
        if args.action == "list":
            return _list(client, console)
        console.print(_change(client, args.action, args.name))
    except FileNotFoundError as error:
        print(f"localnlb node: {error}", file=sys.stderr)
        return 1
    except ApiError as error:
        print(f"localnlb node: {error.status.message}", file=sys.stderr)
        return 1
    return 0
