"""``localnlb _supervise``: the detached supervisor process (internal; started by ``--detach``).

It reads the component specs as JSON on stdin (so two racing starts cannot overwrite each other's
file), takes the state dir's lock and runs them until SIGTERM. Exit codes: 0 stopped, 1 the start
failed, 3 another supervisor already runs this state dir.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from localnlb.cli.options import add_state_dir_option
from localnlb.common import statedir
from localnlb.common.supervisor import RunDir, serve
from localnlb.common.supervisor.detach import SUPERVISE_COMMAND
from localnlb.common.supervisor.spec import spec_from_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # No help text: internal commands stay out of ``localnlb --help``.
    parser = subparsers.add_parser(SUPERVISE_COMMAND)
    add_state_dir_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        specs = [spec_from_json(item) for item in json.load(sys.stdin)]
    except (ValueError, KeyError, TypeError) as exc:
        print(f"localnlb _supervise: bad component specs on stdin: {exc}", file=sys.stderr)
        return 2
    return serve(RunDir(statedir.resolve_state_dir(args.state_dir)), specs)
