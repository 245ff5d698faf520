"""``localnlb`` command line: parses arguments and hands off to one command module.

Each command module exposes ``register(subparsers)``, which adds its sub-parser and sets
``handler`` (a function taking the parsed ``argparse.Namespace`` and returning an exit code).
The table below is explicit on purpose: adding a command is one line here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

from localnlb import __version__


class CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


def _command_modules() -> list[CommandModule]:
    # Imported here so that ``localnlb --version`` does not pay for every subsystem.
    from localnlb.cli import (
        cluster_command,
        cluster_run_command,
        controller_command,
        dashboard_command,
        down_command,
        elbv2_command,
        env_command,
        status_command,
        up_command,
    )

    return [
        env_command,
        up_command,
        down_command,
        status_command,
        cluster_command,
        cluster_run_command,
        elbv2_command,
        controller_command,
        dashboard_command,
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localnlb",
        description="Kubernetes load balancing as on Amazon EKS, on one machine, real traffic.",
    )
    parser.add_argument("--version", action="version", version=f"localnlb {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
