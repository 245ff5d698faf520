"""``localnlb`` command line: parses arguments and hands off to one command module.

Each command module exposes ``register(subparsers)``, which adds its sub-parser and sets
``handler`` (a function taking the parsed ``argparse.Namespace`` and returning an exit code).
The table below is explicit on purpose: adding a command is one line here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Protocol, cast

from localnlb import __version__
from localnlb.common.statedir import ConfigurationError


class CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


# Command name -> the module that registers it, in the order ``--help`` lists them. Only the
# chosen command's module is imported (each pulls in its subsystem), so ``localnlb env`` or
# ``localnlb down`` don't pay for the API server, the data plane and the dashboard.
COMMANDS: dict[str, str] = {
    "env": "localnlb.cli.env_command",
    "up": "localnlb.cli.up_command",
    "down": "localnlb.cli.down_command",
    "status": "localnlb.cli.status_command",
    "apiserver": "localnlb.cli.cluster_command",
    "cluster": "localnlb.cli.cluster_run_command",
    "node": "localnlb.cli.node_command",
    "elbv2": "localnlb.cli.elbv2_command",
    "controller": "localnlb.cli.controller_command",
    "dashboard": "localnlb.cli.dashboard_command",
}


def _command_modules(argv: Sequence[str] = ()) -> list[CommandModule]:
    chosen = next((a for a in argv if not a.startswith("-")), None)
    names = [COMMANDS[chosen]] if chosen in COMMANDS else list(COMMANDS.values())
    return [cast(CommandModule, importlib.import_module(name)) for name in names]


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localnlb",
        description="Kubernetes load balancing as on Amazon EKS, on one machine, real traffic.",
    )
    parser.add_argument("--version", action="version", version=f"localnlb {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules(argv):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except ConfigurationError as error:
        print(f"localnlb: {error}", file=sys.stderr)
        return 2
