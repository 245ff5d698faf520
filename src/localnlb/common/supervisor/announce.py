"""The component's side of readiness: "I am ready, and here is where I listen".

The supervisor starts each component with ``LOCALNLB_READY_FILE`` set; a component that serves
(an HTTP API, a listener) calls :func:`announce_ready` once it accepts connections. Run by hand,
outside a supervisor, the variable is absent and announcing does nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

READY_FILE_VARIABLE = "LOCALNLB_READY_FILE"
COMPONENT_VARIABLE = "LOCALNLB_COMPONENT"


def announce_ready(
    endpoints: Mapping[str, str], *, environ: Mapping[str, str] | None = None
) -> Path | None:
    """Record ``endpoints`` (e.g. ``{"http": "http://127.0.0.1:4566"}``) for the supervisor."""
    target = (os.environ if environ is None else environ).get(READY_FILE_VARIABLE)
    if not target:
        return None
    path = Path(target)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"pid": os.getpid(), "endpoints": dict(endpoints)}) + "\n")
    temporary.replace(path)
    return path
