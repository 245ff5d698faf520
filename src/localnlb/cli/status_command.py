"""``localnlb status``: what runs for the state dir, as tables (later also load balancers,
listeners, target groups and target health).

Exit code 0 while localnlb runs for DIR, 3 when it does not (as ``systemctl status`` does), so
scripts can ask ``localnlb status >/dev/null``.
"""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from localnlb.cli.options import add_state_dir_option
from localnlb.cli.supervisor_progress import status_table
from localnlb.common import statedir
from localnlb.common.supervisor import RunDir, is_supervisor_running, read_status

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
        }
        print(json.dumps(document, indent=2))
        return 0 if running else EXIT_NOT_RUNNING
    console = Console(highlight=False, soft_wrap=True)
    if running:
        console.print(f"localnlb is running for {state_dir}")
    else:
        console.print(f"localnlb is not running for {state_dir}")
    if status is not None:
        console.print(status_table(status, running=running, state_dir=state_dir))
    return 0 if running else EXIT_NOT_RUNNING
