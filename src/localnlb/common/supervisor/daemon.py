"""The detached supervisor process: ``python -m localnlb.common.supervisor --state-dir DIR``.

It reads the component specs as JSON on stdin (so two racing starts cannot overwrite each other's
file), takes the state dir's lock and runs them until SIGTERM. It is started through this module
rather than the ``localnlb`` command line so that it imports only what it needs: it starts fast,
and a subsystem that fails to import cannot take the supervisor down with it. Exit codes: 0
stopped, 1 the start failed, 2 bad specs, 3 another supervisor already runs this state dir.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from localnlb.common import statedir
from localnlb.common.limits import raise_open_files_limit
from localnlb.common.supervisor.runfiles import RunDir
from localnlb.common.supervisor.serve import serve
from localnlb.common.supervisor.spec import spec_from_json

EXIT_BAD_SPECS = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localnlb.common.supervisor")
    parser.add_argument("--state-dir", metavar="DIR", default=None)
    args = parser.parse_args(argv)
    raise_open_files_limit()  # its components inherit the raised limit (and raise their own)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        specs = [spec_from_json(item) for item in json.load(sys.stdin)]
    except (ValueError, KeyError, TypeError) as exc:
        print(f"localnlb supervisor: bad component specs on stdin: {exc}", file=sys.stderr)
        return EXIT_BAD_SPECS
    return serve(RunDir(statedir.resolve_state_dir(args.state_dir)), specs)
