"""VPC octets for tests, one slice of 127.16-239 per pytest-xdist worker.

Tests that run at the same time must never share addresses: a cluster's pods listen on fixed
ports (8080) of 127.V.1.x, kube-proxy on NodePorts of 127.V.0.x. Each worker therefore gets its
own slice of the octets: tests/conftest.py exports it as ``$LOCALNLB_VPC_OCTETS`` (so state dirs,
in process or in a ``localnlb`` subprocess, derive their octet inside it), and fixtures that
pick an octet of their own pick it here.
"""

from __future__ import annotations

import os
import random

from localnlb.common.statedir import VPC_OCTETS


def worker_octets() -> range:
    """This worker's slice (all of 16-239 without xdist)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    size = len(VPC_OCTETS) // max(workers, 1)
    start = VPC_OCTETS.start + index * size
    return range(start, start + size)


def random_octet() -> int:
    return random.choice(worker_octets())
