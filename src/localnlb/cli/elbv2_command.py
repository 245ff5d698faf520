"""``localnlb elbv2``: the ELBv2 + EC2 API alone, in the foreground, no cluster.

It composes the API with the real health checker (``localnlb.elbv2.health``), so target health
is what probes on real sockets find (``--timing`` picks the registration timing profile).

Writes ``DIR/env`` (both endpoint variables point at the one server), prints what to do next and
stops cleanly on SIGINT/SIGTERM. Without ``--port`` it reuses the port recorded in ``DIR/env``
when that port is free, so clients that sourced the file keep working across restarts.
With ``--require-auth`` requests must be SigV4-signed with the key pair ``DIR/env`` exports
(``LOCALNLB_AWS_ACCESS_KEY_ID``/``LOCALNLB_AWS_SECRET_ACCESS_KEY`` choose another one).
``--detach`` runs this same command under the generic supervisor (``localnlb down`` stops it)
and returns once it serves.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import urllib.parse
from pathlib import Path

from localnlb.cli.foreground import wait_for_stop_signal
from localnlb.cli.options import (
    add_dataplane_engine_option,
    add_state_dir_option,
)
from localnlb.common import statedir
from localnlb.common.addressing import in_loopback_network
from localnlb.common.octet_claims import octet_refusal
from localnlb.dataplane.kernel.netfilter import KernelPathError
from localnlb.dataplane.service import start_dataplane
from localnlb.elbv2.api.context import DEFAULT_CLUSTER_NAME, ApiSettings
from localnlb.elbv2.health.scheduler import scheduler_factory
from localnlb.elbv2.health.timing import PROFILES, profile_named
from localnlb.elbv2.service import Elbv2Server, Elbv2Settings

DEFAULT_HOST = "127.0.0.1"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "elbv2", help="run the ELBv2 + EC2 API (a local NLB control plane) in the foreground"
    )
    add_state_dir_option(parser)
    parser.add_argument(
        "--port", type=int, default=None, help="port to bind (default: as before, else any)"
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="127.x address to bind")
    parser.add_argument(
        "--region", default=None, help="AWS region (default: $AWS_REGION or us-west-2)"
    )
    parser.add_argument(
        "--cluster-name", default=DEFAULT_CLUSTER_NAME, help="EKS cluster name in subnet tags"
    )
    parser.add_argument("--require-auth", action="store_true", help="verify SigV4 signatures")
    parser.add_argument(
        "--timing",
        choices=sorted(PROFILES),
        default="fast",
        help="health-check timing profile: fast (default) or aws (registration takes minutes)",
    )
    parser.add_argument(
        "--detach", action="store_true", help="run under a background supervisor; return once ready"
    )
    parser.add_argument(
        "--hosts-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="where LB DNS names are published (default: $LOCALNLB_HOSTS_FILE or /etc/hosts)",
    )
    parser.add_argument(
        "--dataplane-workers",
        type=int,
        default=None,
        metavar="N",
        help="data-plane worker processes sharing each listener (default 2; 0: in-process)",
    )
    add_dataplane_engine_option(parser)
    parser.set_defaults(handler=run)


def _own_options(args: argparse.Namespace) -> tuple[str, ...]:
    """This command's options, for the supervised foreground process that --detach starts."""
    options: list[str] = ["--host", args.host, "--cluster-name", args.cluster_name]
    options += ["--timing", args.timing]
    if args.port is not None:
        options += ["--port", str(args.port)]
    if args.region:
        options += ["--region", args.region]
    if args.require_auth:
        options.append("--require-auth")
    if args.hosts_file is not None:
        options += ["--hosts-file", str(args.hosts_file)]
    if args.dataplane_workers is not None:
        options += ["--dataplane-workers", str(args.dataplane_workers)]
    options += ["--dataplane-engine", args.dataplane_engine]
    return tuple(options)


def _previous_port(state_dir: Path) -> int | None:
    url = statedir.read_env(state_dir).get(statedir.ELBV2_ENDPOINT_VARIABLE)
    if not url:
        return None
    return urllib.parse.urlsplit(url).port


def _settings(args: argparse.Namespace, state_dir: Path, port: int) -> Elbv2Settings:
    key = os.environ.get("LOCALNLB_AWS_ACCESS_KEY_ID", "localnlb")
    secret = os.environ.get("LOCALNLB_AWS_SECRET_ACCESS_KEY", "localnlb")
    region = args.region or os.environ.get("AWS_REGION") or "us-west-2"
    api = ApiSettings(
        region=region,
        cluster_name=args.cluster_name,
        require_auth=args.require_auth,
        credentials={key: secret},
    )
    return Elbv2Settings(state_dir=state_dir, host=args.host, port=port, api=api)


async def _start(args: argparse.Namespace, state_dir: Path) -> Elbv2Server | None:
    candidates = [args.port] if args.port is not None else [_previous_port(state_dir), 0]
    for port in [p for p in candidates if p is not None]:
        try:
            server = Elbv2Server(
                _settings(args, state_dir, port),
                probed_health_factory=scheduler_factory(profile=profile_named(args.timing)),
            )
        except statedir.ConfigurationError as error:  # another installation took the octet
            print(f"localnlb: {error}", file=sys.stderr)
            return None
        try:
            await server.start()
        except OSError as error:
            await server.stop()
            print(f"localnlb: cannot bind {args.host}:{port}: {error}", file=sys.stderr)
            continue
        return server
    return None


async def _serve(args: argparse.Namespace, state_dir: Path) -> int:
    server = await _start(args, state_dir)
    if server is None:
        return 1
    try:
        dataplane = await start_dataplane(
            server.url,
            state_dir=state_dir,
            hosts_path=args.hosts_file,
            workers=args.dataplane_workers,
            engine=args.dataplane_engine,
        )
    except KernelPathError as error:
        await server.stop()
        print(f"localnlb: --dataplane-engine kernel: {error}", file=sys.stderr)
        return 1
    settings = server.settings.api
    env = statedir.aws_client_env(elbv2_url=server.url, ec2_url=server.url, region=settings.region)
    ((key, secret),) = settings.credentials.items()
    env.update({"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})
    env[statedir.DATAPLANE_METRICS_VARIABLE] = dataplane.metrics_url or ""
    # Keep what other components wrote (KUBECONFIG with ``up``); ours replace only our keys.
    env_file = statedir.update_env(state_dir, env)
    print(f"localnlb: ELBv2 and EC2 API at {server.url} (state in {state_dir})")
    print(f"localnlb: data plane: {ENGINE_SUMMARY[dataplane.settings.engine]}")
    print(f"localnlb: wrote {env_file}; in another shell run:")
    print(f"    source {env_file}")
    print("    aws elbv2 describe-load-balancers")
    print("localnlb: Ctrl-C stops it", flush=True)
    try:
        await wait_for_stop_signal()
    finally:
        await dataplane.stop()
        await server.stop()
    print("localnlb: stopped", flush=True)
    return 0


ENGINE_SUMMARY = {
    "kernel": "kernel engine (nftables DNAT + conntrack; PROXY v2 listeners in user space)",
    "user": "user-space engine (LB node worker processes)",
}


def run(args: argparse.Namespace) -> int:
    if not in_loopback_network(args.host):
        print(
            f"localnlb: --host must be an address in 127.0.0.0/8, not {args.host!r}",
            file=sys.stderr,
        )
        return 2
    state_dir = statedir.ensure_state_dir(statedir.resolve_state_dir(args.state_dir))
    refusal = octet_refusal(state_dir)
    if refusal:
        print(f"localnlb: {refusal}", file=sys.stderr)
        return 2
    if args.detach:
        from localnlb.cli.supervisor_components import elbv2_alone
        from localnlb.cli.supervisor_progress import run_detached

        return run_detached(state_dir, elbv2_alone(state_dir, _own_options(args)))
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a declared dependency
        return asyncio.run(_serve(args, state_dir))
    return uvloop.run(_serve(args, state_dir))
