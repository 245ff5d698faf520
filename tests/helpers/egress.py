"""A watch on every packet the test run sends off loopback (issue 13, acceptance 2).

Nothing localnlb starts may send a packet outside 127.0.0.0/8. To check it for everything a test
run starts (localnlb processes, pods, kube-proxy, probes, kubectl, the aws CLI), the pytest worker
moves itself into a cgroup (v2) of its own, which every process it starts inherits, and an
nftables table of its own counts, in the output hook, every packet a socket of that cgroup sends
through an interface other than ``lo``. The same table counts the cgroup's packets on ``lo``, so
a self-check proves the match is live before the run relies on a zero.

Needs root, ``nft`` and a writable cgroup2 mount; :func:`unavailable_reason` says what is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

_CGROUP2_FS = "cgroup2"


def _cgroup2_mount() -> Path | None:
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2] == _CGROUP2_FS:
            return Path(fields[1])
    return None


def unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "not root"
    if shutil.which("nft") is None:
        return "no nft"
    mount = _cgroup2_mount()
    if mount is None or not os.access(mount, os.W_OK):
        return "no writable cgroup2 mount"
    return None


class EgressWatch:
    def __init__(self, name: str) -> None:
        mount = _cgroup2_mount()
        assert mount is not None
        self.name = name
        self.table = name.replace("-", "_")
        self._root = mount
        self._cgroup = mount / name
        # nft names a cgroup by its path below /sys/fs/cgroup (the unified mount may sit lower).
        self._nft_path = str(self._cgroup.relative_to("/sys/fs/cgroup"))
        self._level = len(self._cgroup.relative_to(mount).parts)

    def start(self) -> None:
        self._forget_dead_runs()
        self._cgroup.mkdir(exist_ok=True)
        (self._cgroup / "cgroup.procs").write_text(str(os.getpid()))
        match = f'socket cgroupv2 level {self._level} "{self._nft_path}"'
        remember = "update @destinations { ip daddr . meta l4proto . th dport }"
        ruleset = f"""
table inet {self.table} {{
  counter egress {{}}
  counter loopback {{}}
  set destinations {{
    type ipv4_addr . inet_proto . inet_service; flags dynamic; size 4096;
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    {match} oifname != "lo" counter name "egress"
    {match} oifname != "lo" meta nfproto ipv4 {remember}
    {match} oifname "lo" counter name "loopback"
  }}
}}
"""
        subprocess.run(["nft", "-f", "-"], input=ruleset, text=True, check=True)

    def _forget_dead_runs(self) -> None:
        """Tables and cgroups of earlier runs that were killed before their teardown."""
        prefix = self.table.rsplit("_", 1)[0] + "_"
        listed = subprocess.run(
            ["nft", "list", "tables", "inet"], capture_output=True, text=True, check=False
        ).stdout
        for line in listed.splitlines():
            name = line.split()[-1] if line.startswith("table inet ") else ""
            pid = name.removeprefix(prefix)
            if name.startswith(prefix) and pid.isdigit() and not Path(f"/proc/{pid}").exists():
                subprocess.run(["nft", "delete", "table", "inet", name], check=False)
                with contextlib.suppress(OSError):
                    (self._root / name.replace("_", "-")).rmdir()

    def packets(self, counter: str = "egress") -> int:
        listed = subprocess.run(
            ["nft", "-j", "list", "counter", "inet", self.table, counter],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = [e["counter"] for e in json.loads(listed)["nftables"] if "counter" in e]
        return int(found[0]["packets"])

    def destinations(self) -> list[str]:
        """``address proto port`` of each (IPv4, TCP/UDP) destination the watched packets had."""
        listed = subprocess.run(
            ["nft", "-j", "list", "set", "inet", self.table, "destinations"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found: list[str] = []
        for entry in json.loads(listed)["nftables"]:
            for element in (entry.get("set") or {}).get("elem") or ():
                parts = element.get("concat") if isinstance(element, dict) else None
                found.append(" ".join(str(p) for p in parts) if parts else str(element))
        return found

    def self_check(self) -> None:
        """One datagram to 127.0.0.1 from this (watched) process must be counted on ``lo``."""
        before = self.packets("loopback")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.sendto(b"egress-watch", ("127.0.0.1", 9))
        if self.packets("loopback") <= before:
            raise RuntimeError("the egress watch does not see this process's packets")

    def stop(self) -> None:
        subprocess.run(["nft", "delete", "table", "inet", self.table], check=False)
        for pid in (self._cgroup / "cgroup.procs").read_text().split():
            try:
                (self._root / "cgroup.procs").write_text(pid)
            except OSError:
                continue  # gone already
        with contextlib.suppress(OSError):  # a straggler still in it; the next run's name differs
            self._cgroup.rmdir()
