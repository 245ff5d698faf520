"""Data-plane settings: one frozen value passed down from the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from localnlb.dataplane.hostsfile import default_hosts_path

# An NLB's UDP flow idle timeout: fixed at 120 s (reference §0.16).
UDP_IDLE_TIMEOUT_SECONDS = 120.0
# "user": every flow relayed by the LB node workers. "kernel": flows forwarded by Linux
# (nftables DNAT + conntrack, root only), the workers serving what the kernel cannot (PROXY v2).
ENGINES = ("user", "kernel")


@dataclass(frozen=True, slots=True)
class DataPlaneSettings:
    # Worker processes sharing every listener with SO_REUSEPORT; 0 runs the LB nodes inside the
    # calling event loop (tests, and one-core machines).
    workers: int = 2
    engine: str = "user"
    udp_idle_timeout: float = UDP_IDLE_TIMEOUT_SECONDS
    connect_timeout: float = 10.0
    # Where LB DNS names are published ($LOCALNLB_HOSTS_FILE, else /etc/hosts); None: nowhere.
    hosts_path: Path | None = field(default_factory=default_hosts_path)
    # The block's owner in the hosts file: the state dir, as ``localnlb down`` expects.
    hosts_owner: str = "default"
    # Prometheus metrics endpoint; port 0 picks a free port, None serves none.
    metrics_address: tuple[str, int] | None = ("127.0.0.1", 0)
    # How often workers send their counters to the parent (coarse batches, never per packet).
    metrics_export_seconds: float = 1.0
    # Snapshot long poll: how long the server may hold one request, and the back-off cap. Short
    # because the ELBv2 server's shutdown waits for requests it holds (a stop takes this long).
    poll_timeout_seconds: float = 5.0
    retry_max_seconds: float = 2.0
