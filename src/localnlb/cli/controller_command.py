"""``localnlb controller``: the AWS Load Balancer Controller copy, in the foreground (one
component of ``localnlb up``).

It needs a Kubernetes API (``KUBECONFIG``) and an ELBv2/EC2 endpoint, read from ``DIR/env`` or
given as flags; any cluster works (the embedded one, kind, k3d, EKS). It announces readiness to
the supervisor once it leads, its caches are filled and its workers run; it exits 1 if it loses
the leader Lease (a supervisor restarts it as a candidate), 0 on SIGINT/SIGTERM (releasing the
Lease). Its Lease identity is ``<hostname>_<state dir hash>``, so after a crash the restarted
controller takes its own unexpired Lease back at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from localnlb.cli.options import add_state_dir_option
from localnlb.common import statedir
from localnlb.common.supervisor.announce import announce_ready

if TYPE_CHECKING:
    from localnlb.controller.runtime.controller import RuntimeSettings

DEFAULT_CLUSTER_NAME = "eks-workshop"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "controller", help="run the load balancer controller in the foreground"
    )
    add_state_dir_option(parser)
    parser.add_argument(
        "--cluster-name", default=DEFAULT_CLUSTER_NAME, help="the cluster name in AWS tags"
    )
    parser.add_argument(
        "--kubeconfig", type=Path, help="kubeconfig (default: KUBECONFIG of DIR/env)"
    )
    parser.add_argument("--elbv2-endpoint", help="ELBv2 endpoint URL (default: from DIR/env)")
    parser.add_argument("--ec2-endpoint", help="EC2 endpoint URL (default: from DIR/env)")
    parser.add_argument("--aws-vpc-id", help="the cluster's VPC (default: discovered by tags)")
    parser.add_argument("--default-target-type", choices=("instance", "ip"), default="instance")
    parser.add_argument(
        "--leader-election-namespace", default="kube-system", help="namespace of the Lease"
    )
    parser.add_argument(
        "--no-webhooks",
        action="store_true",
        help="do not serve or register the admission webhooks (pod readiness gates, the"
        " Service class default, TargetGroupBinding defaults and validation)",
    )
    parser.add_argument(
        "--webhook-port", type=int, default=0, help="port of the webhook server (default: any)"
    )
    parser.set_defaults(handler=run)


def _runtime_settings(args: argparse.Namespace, state_dir: Path) -> RuntimeSettings:
    from localnlb.controller.model.enums import TargetType
    from localnlb.controller.runtime.controller import AwsEndpoints, RuntimeSettings
    from localnlb.controller.runtime.leader import LeaderSettings, installation_identity
    from localnlb.controller.runtime.webhook_server import WebhookSettings

    env = statedir.read_env(state_dir)
    kubeconfig = args.kubeconfig or (Path(env["KUBECONFIG"]) if env.get("KUBECONFIG") else None)
    elbv2 = args.elbv2_endpoint or env.get(statedir.ELBV2_ENDPOINT_VARIABLE)
    ec2 = args.ec2_endpoint or env.get(statedir.EC2_ENDPOINT_VARIABLE) or elbv2
    return RuntimeSettings(
        kubeconfig=kubeconfig,
        aws=AwsEndpoints(
            elbv2_url=elbv2,
            ec2_url=ec2,
            region=env.get("AWS_REGION") or os.environ.get("AWS_REGION") or "us-west-2",
            access_key_id=env.get("AWS_ACCESS_KEY_ID"),
            secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
        ),
        cluster_name=args.cluster_name,
        vpc_id=args.aws_vpc_id,
        leader=LeaderSettings(
            # Stable per state dir, so a restarted controller recognises its own Lease.
            identity=installation_identity(socket.gethostname(), str(state_dir)),
            namespace=args.leader_election_namespace,
        ),
        controller_overrides={"default_target_type": TargetType(args.default_target_type)},
        webhooks=WebhookSettings(enabled=not args.no_webhooks, port=args.webhook_port),
    )


async def _serve(args: argparse.Namespace, state_dir: Path) -> int:
    from localnlb.controller.runtime.controller import LoadBalancerController

    settings = _runtime_settings(args, state_dir)
    controller = LoadBalancerController(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    code = 0
    try:
        starting = asyncio.create_task(controller.start())
        stop_wait = asyncio.create_task(stopping.wait())
        await asyncio.wait({starting, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done() and starting.exception() is not None:
            # An API unreachable or refusing us: one clear line, the supervisor retries.
            print(f"localnlb controller: cannot start: {starting.exception()}", file=sys.stderr)
            code = 1
        elif starting.done():
            announce_ready({})
            print(
                f"localnlb: controller running for cluster {settings.cluster_name} "
                f"(kubeconfig {settings.kubeconfig}, ELBv2 {settings.aws.elbv2_url})",
                flush=True,
            )
            lost = asyncio.create_task(controller.lost.wait())
            await asyncio.wait({lost, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            if controller.lost.is_set():
                print("localnlb: controller lost the leader lease", file=sys.stderr)
                code = 1
            lost.cancel()
        else:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
        stop_wait.cancel()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)
        await controller.stop()
    print("localnlb: controller stopped", flush=True)
    return code


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    state_dir = statedir.ensure_state_dir(statedir.resolve_state_dir(args.state_dir))
    env = statedir.read_env(state_dir)
    if not (args.kubeconfig or env.get("KUBECONFIG")):
        print(
            f"localnlb controller: no KUBECONFIG in {state_dir}/env; use --kubeconfig",
            file=sys.stderr,
        )
        return 2
    if not (args.elbv2_endpoint or env.get(statedir.ELBV2_ENDPOINT_VARIABLE)):
        print(
            f"localnlb controller: no ELBv2 endpoint in {state_dir}/env; use --elbv2-endpoint",
            file=sys.stderr,
        )
        return 2
    import uvloop

    return uvloop.run(_serve(args, state_dir))
