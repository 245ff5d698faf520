"""``python -m bench [NAME ...]``: run benchmark modules of this package (each has ``main()``
returning an exit code); with no names, run every one. ``make bench`` calls this."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def _available() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])]
    return sorted(n for n in names if not n.startswith("_") and hasattr(_load(n), "main"))


def _load(name: str) -> object:
    return importlib.import_module(f"bench.{name}")


def main(argv: list[str]) -> int:
    names = argv or _available()
    worst = 0
    for name in names:
        print(f"== bench.{name}", flush=True)
        run = getattr(_load(name), "main", None)
        if run is None:
            print(f"bench.{name} has no main()", file=sys.stderr)
            return 2
        worst = max(worst, int(run() or 0))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
