"""The run's egress watch (tests/helpers/egress.py) really counts packets sent off loopback:
shown in a network namespace of the test's own, where a veth pair of its own takes the packet and
nothing leaves the machine."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.helpers import egress

pytestmark = pytest.mark.timeout(60)

COUNT_ONE_PACKET = """
import socket, sys
from tests.helpers.egress import EgressWatch
watch = EgressWatch(sys.argv[1])
watch.start()
try:
    watch.self_check()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"x", ("192.0.2.7", 9))  # routed into the namespace's veth pair only
    print(watch.packets(), *watch.destinations(), sep="|")
finally:
    watch.stop()
"""


@pytest.fixture
def namespace() -> Iterator[str]:
    if egress.unavailable_reason() is not None:
        pytest.skip(f"the egress watch needs root, nft and cgroup2: {egress.unavailable_reason()}")
    name = f"lnlb-egress-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        inside = ["ip", "netns", "exec", name]
        subprocess.run([*inside, "ip", "link", "set", "lo", "up"], check=True)
        # Both ends of the pair stay inside the namespace: the packet has nowhere further to go.
        veth = ["ip", "link", "add", "out0", "type", "veth", "peer", "name", "out1"]
        subprocess.run([*inside, *veth], check=True)
        for end in ("out0", "out1"):
            subprocess.run([*inside, "ip", "link", "set", end, "up"], check=True)
        subprocess.run([*inside, "ip", "route", "add", "192.0.2.0/24", "dev", "out0"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def test_a_packet_through_a_non_loopback_interface_is_counted(namespace: str) -> None:
    # nsenter, not `ip netns exec`: that one mounts a fresh /sys, hiding the cgroup2 mount.
    counted = subprocess.run(
        [
            "nsenter",
            f"--net=/run/netns/{namespace}",
            sys.executable,
            "-c",
            COUNT_ONE_PACKET,
            namespace,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert counted.stdout.strip() == "1|192.0.2.7 udp 9", counted.stderr
