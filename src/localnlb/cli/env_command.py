"""``localnlb env``: print the export lines of ``DIR/env`` so that ``eval "$(localnlb env)"``
works.
"""

from __future__ import annotations

import argparse
import sys

from localnlb.cli.options import add_state_dir_option
from localnlb.common import statedir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("env", help="print the export lines of DIR/env")
    add_state_dir_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    state_dir = statedir.resolve_state_dir(args.state_dir)
    env_file = state_dir / statedir.ENV_FILE
    if not env_file.exists():
        print(
            f"localnlb: no {env_file}: start localnlb first (localnlb up or localnlb elbv2)",
            file=sys.stderr,
        )
        return 1
    sys.stdout.write(statedir.render_env(statedir.read_env(state_dir)))
    return 0
