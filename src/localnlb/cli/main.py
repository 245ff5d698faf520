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
from localnlb.common.limits import raise_open_files_limit
from localnlb.common.statedir import ConfigurationError, resolve_state_dir, secure_state_dir


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


def _prepare_process(args: argparse.Namespace) -> None:
    """What every localnlb process does first: raise its open-files limit to the hard limit, and
    make an existing state dir private (0700, its files 0600) whatever modes it was left with."""
    raise_open_files_limit()
    if hasattr(args, "state_dir"):
        state_dir = resolve_state_dir(args.state_dir)
        if state_dir.is_dir():
            try:
                secure_state_dir(state_dir)
            except OSError as error:  # another user's files: say so, the command may still work
                print(f"localnlb: cannot make {state_dir} private: {error}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        _prepare_process(args)
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except ConfigurationError as error:
        print(f"localnlb: {error}", file=sys.stderr)
        return 2
