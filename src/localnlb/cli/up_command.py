"""``localnlb up``: start the embedded default (the components in
:mod:`localnlb.cli.supervisor_components`) under a supervisor for the state dir.

In the foreground it runs until Ctrl-C (or SIGTERM, or ``localnlb down``) and then stops every
component. With ``--detach`` it returns once all components are ready and leaves a background
supervisor. Either way a second ``up`` for a running state dir only says so.
"""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path

from rich.console import Console

from localnlb.cli.options import (
    DATAPLANE_ENGINE_VARIABLE,
    add_dataplane_engine_option,
    add_state_dir_option,
)
from localnlb.cli.supervisor_components import EMBEDDED_DEFAULT, missing_from, specs_for
from localnlb.cli.supervisor_progress import ProgressPrinter, run_detached, status_table
from localnlb.cli.workshop_setup import prepare_workshop
from localnlb.common import statedir
from localnlb.common.octet_claims import octet_refusal
from localnlb.common.supervisor import (
    EXIT_ALREADY_RUNNING,
    RunDir,
    SupervisorStatus,
    is_supervisor_running,
    read_status,
    serve,
)
from localnlb.common.supervisor.runfiles import tail


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "up", help="start the embedded default: cluster, ELBv2/EC2 API, controller, data plane"
    )
    add_state_dir_option(parser)
    parser.add_argument(
        "--detach", action="store_true", help="return once every component is ready"
    )
    parser.add_argument(
        "--empty",
        action="store_true",
        help="deploy no sample workload (default: the workshop's ui application, 1 replica)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="with --detach: how long to wait for readiness (default: the components' own)",
    )
    add_dataplane_engine_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    state_dir = statedir.resolve_state_dir(args.state_dir)
    refusal = octet_refusal(state_dir)
    if refusal:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"[bold red]localnlb cannot start:[/] {refusal}"
        )
        return 2
    os.environ[DATAPLANE_ENGINE_VARIABLE] = args.dataplane_engine  # the elbv2 component's
    specs = specs_for(EMBEDDED_DEFAULT, state_dir)
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    missing = missing_from(EMBEDDED_DEFAULT)
    if missing:
        errors.print(f"note: not in this build yet, not started: {', '.join(missing)}")
    if args.detach:
        code = run_detached(state_dir, specs, console=console, errors=errors, timeout=args.timeout)
        if code == 0:
            _next_steps(state_dir, console, empty=args.empty)
        return code
    run_dir = RunDir(state_dir)
    run_dir.prepare()
    if is_supervisor_running(run_dir):
        return _already_running(run_dir, console)
    console.print(f"starting localnlb for {state_dir} (Ctrl-C stops it)")
    printer = ProgressPrinter(console)
    announced = False

    def on_change(status: SupervisorStatus) -> None:
        nonlocal announced
        printer(status)
        if status.all_ready and not announced:
            announced = True
            console.print(f"localnlb is running: source {state_dir / statedir.ENV_FILE}")
            # kubectl takes seconds: never hold the supervisor's loop for it.
            threading.Thread(
                target=_next_steps,
                args=(state_dir, console),
                kwargs={"empty": args.empty},
                daemon=True,
            ).start()

    code = serve(run_dir, specs, on_change=on_change)
    if code == EXIT_ALREADY_RUNNING:
        return _already_running(run_dir, console)
    status = read_status(run_dir)
    if code != 0 and status is not None and status.failed_component:
        log = run_dir.log_file(status.failed_component)
        errors.print(f"[bold red]localnlb did not start:[/] {status.error}")
        errors.print(f"last lines of {log}:")
        errors.print(tail(log) or "(empty)", markup=False)
    console.print("localnlb stopped")
    return code


def _next_steps(state_dir: Path, console: Console, *, empty: bool) -> None:
    """Prepare the workshop (unless ``--empty``) and say what to do next."""
    if not empty:
        console.print(f"workshop: {prepare_workshop(state_dir)}")
    env = state_dir / statedir.ENV_FILE
    dashboard = statedir.read_env(state_dir).get(statedir.DASHBOARD_VARIABLE)
    if dashboard:
        console.print(f"dashboard: {dashboard}")
    console.print(
        "next:\n"
        f"  source {env}\n"
        "  kubectl get nodes -L topology.kubernetes.io/zone\n"
        "  kubectl get pods -n ui -o wide\n"
        "  then follow docs/tutorial/ (the EKS Workshop's load balancer chapter)"
    )


def _already_running(run_dir: RunDir, console: Console) -> int:
    console.print(f"localnlb is already running for {run_dir.state_dir}")
    status = read_status(run_dir)
    if status is not None:
        console.print(status_table(status, running=True, state_dir=run_dir.state_dir))
    return 0
