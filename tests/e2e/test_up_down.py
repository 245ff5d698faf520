"""``localnlb up --detach`` then ``localnlb down``: everything starts, and nothing is left.

The README's promise and issue 7's: after ``down`` no component process, no pod process, no
listener on the state dir's VPC addresses or endpoints, and no hosts-file block remain.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from localnlb.common import statedir
from localnlb.dataplane.kernel.netfilter import kernel_table_name, unavailable_reason

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


def localnlb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localnlb", *args],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )


def vpc_processes(octet: int) -> list[int]:
    marker = f"LOCALNLB_POD_IP=127.{octet}.".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def listening_addresses() -> set[tuple[str, int]]:
    """(ip, port) of every listening TCP socket (IPv4), from /proc/net/tcp."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] != "0A":  # LISTEN
            continue
        address, port = fields[1].split(":")
        octets = [str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)]
        found.add((".".join(octets), int(port, 16)))
    return found


def test_up_runs_the_workshop_app_and_down_leaves_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    started = localnlb("up", "--detach", "--state-dir", str(state))
    try:
        assert started.returncode == 0, started.stderr + started.stdout
        assert "workshop: deployed the workshop's ui application" in started.stdout
        env = statedir.read_env(state)
        octet = statedir.vpc_octet_for(state)
        kubectl_env = {**os.environ, "KUBECONFIG": env["KUBECONFIG"]}
        pods = subprocess.run(
            ["kubectl", "get", "pods", "-n", "ui", "-o", "jsonpath={.items[*].status.phase}"],
            env=kubectl_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert pods == "Running"
        assert vpc_processes(octet), "the ui pod should run as a process"
        endpoints = [
            urllib.parse.urlsplit(env[name])
            for name in ("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "LOCALNLB_DASHBOARD_URL")
        ]
        assert all((u.hostname, u.port) in listening_addresses() for u in endpoints)
        status = localnlb("status", "--state-dir", str(state))
        assert status.returncode == 0
        assert "dashboard" in status.stdout
        table = kernel_table_name(str(state))
        if unavailable_reason() is None:  # as root with nftables: auto picks the kernel
            assert f"data plane: kernel engine (nftables table {table})" in status.stdout
            assert f"table ip {table}" in nft_tables()
        else:
            assert "data plane: user-space engine" in status.stdout
    finally:
        stopped = localnlb("down", "--state-dir", str(state))
    assert stopped.returncode == 0, stopped.stderr
    assert vpc_processes(octet) == []
    left = {a for a in listening_addresses() if a[0].startswith(f"127.{octet}.")}
    assert left == set()
    assert not any((u.hostname, u.port) in listening_addresses() for u in endpoints)
    assert localnlb("status", "--state-dir", str(state)).returncode == 3
    assert f"table ip {kernel_table_name(str(state))}" not in nft_tables()
    hosts = Path(os.environ["LOCALNLB_HOSTS_FILE"])
    assert not hosts.exists() or f"localnlb {state}" not in hosts.read_text()


def nft_tables() -> str:
    if unavailable_reason() is not None:
        return ""
    return subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
