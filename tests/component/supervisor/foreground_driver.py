"""Runs sample components under a foreground supervisor (what ``localnlb up`` does), for tests
that press Ctrl-C. Usage: ``python foreground_driver.py STATE_DIR NAME...``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from localnlb.common.supervisor import RunDir, serve
from tests.component.supervisor.conftest import sample

if __name__ == "__main__":
    state_dir, *names = sys.argv[1:]
    raise SystemExit(serve(RunDir(Path(state_dir)), [sample(name) for name in names]))
