"""``localnlb dashboard``: the live diagram of load balancers, nodes, pods and traffic.

Runs in the foreground (one component of ``localnlb up``) and serves the page on a loopback
port: the one it had before when that port is free, so open tabs and shells that sourced
``DIR/env`` keep working across restarts (as the API servers do). It adds
``LOCALNLB_DASHBOARD_URL`` to ``DIR/env`` and announces the URL to the supervisor once it serves.
It reads every other component through ``DIR/env`` (see :mod:`localnlb.web.dashboard`), so it
may start before or after them.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import urllib.parse
from pathlib import Path

from localnlb.cli.foreground import wait_for_stop_signal
from localnlb.cli.options import add_state_dir_option
from localnlb.common import statedir
from localnlb.common.addressing import in_loopback_network
from localnlb.common.supervisor.announce import announce_ready
from localnlb.web.dashboard import Dashboard, DashboardSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dashboard", help="serve the live dashboard (load balancers, targets, traffic paths)"
    )
    add_state_dir_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="127.x address to bind")
    parser.add_argument(
        "--port", type=int, default=None, help="port (default: as before, else any free port)"
    )
    parser.add_argument(
        "--dataplane-metrics-url",
        default=None,
        metavar="URL",
        help="the data plane's /metrics (default: $LOCALNLB_DATAPLANE_METRICS_URL from DIR/env)",
    )
    parser.set_defaults(handler=run)


def _previous_port(state_dir: Path, host: str) -> int | None:
    """The port of ``DIR/env``'s dashboard URL when it was on ``host``."""
    url = statedir.read_env(state_dir).get(statedir.DASHBOARD_VARIABLE)
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    try:
        return parts.port if parts.hostname == host else None
    except ValueError:  # a hand-edited env file: start on any port
        return None


async def _start(settings: DashboardSettings, ports: list[int]) -> Dashboard | None:
    for port in ports:
        dashboard = Dashboard(dataclasses.replace(settings, port=port))
        try:
            await dashboard.start()
        except OSError as error:
            await dashboard.stop()
            print(
                f"localnlb dashboard: cannot bind {settings.host}:{port}: {error}", file=sys.stderr
            )
            continue
        return dashboard
    return None


async def _serve(settings: DashboardSettings, *, port: int | None) -> int:
    previous = _previous_port(settings.state_dir, settings.host)
    ports = [port] if port is not None else [p for p in (previous, 0) if p is not None]
    dashboard = await _start(settings, ports)
    if dashboard is None:
        return 1
    url = dashboard.url
    statedir.update_env(settings.state_dir, {statedir.DASHBOARD_VARIABLE: url})
    print(f"localnlb dashboard: {url}", flush=True)
    announce_ready({"http": url})
    try:
        await wait_for_stop_signal()
    finally:
        await dashboard.stop()
    return 0


def run(args: argparse.Namespace) -> int:
    if not in_loopback_network(args.host):
        print(
            f"localnlb dashboard: --host must be in 127.0.0.0/8, not {args.host!r}", file=sys.stderr
        )
        return 2
    state_dir = statedir.ensure_state_dir(statedir.resolve_state_dir(args.state_dir))
    settings = DashboardSettings(
        state_dir=state_dir,
        host=args.host,
        port=0,
        dataplane_metrics_url=args.dataplane_metrics_url,
    )
    return asyncio.run(_serve(settings, port=args.port))
