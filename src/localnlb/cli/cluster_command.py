"""``localnlb apiserver``: the embedded Kubernetes API server alone, in the foreground.

A development command: it serves the API (no controllers, no kubelet) and writes
``DIR/kubeconfig``, so ``KUBECONFIG=DIR/kubeconfig kubectl ...`` works against it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from localnlb.cli.options import add_state_dir_option
from localnlb.cluster.apiserver.serving.server import ApiServer, StateDirBusy
from localnlb.common import statedir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "apiserver", help="serve the embedded Kubernetes API alone (foreground, for development)"
    )
    add_state_dir_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.set_defaults(handler=run)


async def _serve(server: ApiServer) -> None:
    await server.start()
    print(f"localnlb apiserver: serving {server.url}", flush=True)
    print(f"export KUBECONFIG={server.kubeconfig_path}", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await server.stop()


def run(args: argparse.Namespace) -> int:
    if not str(args.host).startswith("127."):
        print("localnlb apiserver: --host must be a 127.0.0.0/8 address", file=sys.stderr)
        return 2
    state_dir = statedir.ensure_state_dir(statedir.resolve_state_dir(args.state_dir))
    try:
        asyncio.run(_serve(ApiServer(state_dir, host=args.host, port=args.port)))
    except StateDirBusy as error:
        print(f"localnlb apiserver: {error}", file=sys.stderr)
        return 1
    return 0
