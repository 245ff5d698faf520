"""Kubernetes timestamps: RFC 3339 in UTC, whole seconds (``2026-11-26T09:46:00Z``)."""

from __future__ import annotations

import time


def rfc3339(wall: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall))
