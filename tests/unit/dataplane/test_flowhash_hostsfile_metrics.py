"""Flow hash spread and stickiness, the hosts-file block, and metric families."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from localnlb.dataplane.flowhash import TCP, UDP, choose, flow_hash, flow_key, jhash
from localnlb.dataplane.hostsfile import HostsFile, render_block, replace_block
from localnlb.dataplane.metrics import ACTIVE, NEW, FlowCounters, FlowMetricsCollector

CLIENT, LISTENER = ("127.0.0.1", 40000), ("127.9.0.100", 80)


def test_one_client_address_spreads_over_targets_connection_by_connection() -> None:
    picks = Counter(
        choose("abc", flow_key(protocol=TCP, client=CLIENT, listener=LISTENER, sticky=False))
        for _ in range(3000)
    )
    assert set(picks) == {"a", "b", "c"}
    assert min(picks.values()) > 800


def test_udp_flows_and_sticky_clients_keep_their_key_and_sticky_ignores_the_port() -> None:
    udp = flow_key(protocol=UDP, client=CLIENT, listener=LISTENER, sticky=False)
    assert udp == flow_key(protocol=UDP, client=CLIENT, listener=LISTENER, sticky=False)
    assert udp != flow_key(protocol=UDP, client=("127.0.0.1", 1), listener=LISTENER, sticky=False)
    other_port = flow_key(protocol=TCP, client=("127.0.0.1", 1), listener=LISTENER, sticky=True)
    assert other_port == flow_key(protocol=TCP, client=CLIENT, listener=LISTENER, sticky=True)
    assert other_port == flow_hash(protocol=TCP, client=CLIENT, listener=LISTENER, sticky=True)
    assert choose((), udp) is None


def test_the_hash_is_lookup3_as_the_kernel_computes_it() -> None:
    # Bob Jenkins' published test values for hashlittle (lookup3.c, driver5).
    assert jhash(b"", seed=0) == 0xDEADBEEF
    assert jhash(b"Four score and seven years ago", seed=0) == 0x17770551
    assert jhash(b"Four score and seven years ago", seed=1) == 0xCD628161
    # nftables' "jhash … mod N" maps a hash to hash * N >> 32, not hash % N.
    assert choose("abc", 0xFFFFFFFF) == "c"
    assert choose("abc", 0x55555555) == "a"
    assert choose("abc", 0x55555556) == "b"


def test_hosts_block_is_replaced_and_removed_without_touching_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "hosts"
    path.write_text("127.0.0.1 localhost\n")
    hosts = HostsFile(path, owner="/state/a")
    assert hosts.publish({"lb.example": ("127.9.0.100", "127.9.16.100")})
    text = path.read_text()
    assert text.startswith("127.0.0.1 localhost\n# BEGIN localnlb /state/a\n")
    assert "127.9.0.100 lb.example\n127.9.16.100 lb.example\n# END localnlb /state/a\n" in text
    other = replace_block(text, "/state/b", render_block("/state/b", {"x": ("127.1.1.1",)}))
    assert replace_block(other, "/state/a", None) == (
        "127.0.0.1 localhost\n" + render_block("/state/b", {"x": ("127.1.1.1",)})
    )
    hosts.remove()
    assert path.read_text() == "127.0.0.1 localhost\n"


def test_rewrites_keep_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "hosts"
    path.write_text("127.0.0.1 localhost\n")
    path.chmod(0o755)
    HostsFile(path, owner="x").publish({"lb": ("127.9.0.100",)})
    assert path.stat().st_mode & 0o777 == 0o755


def test_unwritable_hosts_file_is_reported_not_raised(tmp_path: Path) -> None:
    hosts = HostsFile(tmp_path / "missing-dir" / "hosts", owner="x")
    assert not hosts.publish({"lb": ("127.9.0.100",)})


def test_metrics_sum_workers_and_include_in_flight_bytes() -> None:
    counters = FlowCounters()
    slot = counters.slot(("lb", "tg", "127.9.1.1:80", "us-west-2a"))
    slot[NEW] += 2
    slot[ACTIVE] += 1
    counters.reject("lb", "us-west-2a", "no_target")
    export = counters.export([(slot, 10, 20, True)])
    registry = CollectorRegistry()
    registry.register(FlowMetricsCollector(lambda: [export, export]))
    text = generate_latest(registry).decode()
    labels = (
        'availability_zone="us-west-2a",load_balancer="lb",target="127.9.1.1:80",target_group="tg"'
    )
    assert f"localnlb_flows_new_total{{{labels}}} 4.0" in text
    assert f"localnlb_flows_active{{{labels}}} 2.0" in text
    assert f"localnlb_bytes_client_to_target_total{{{labels}}} 20.0" in text
    assert f"localnlb_bytes_cross_zone_total{{{labels}}} 60.0" in text
    assert (
        'localnlb_flows_rejected_total{availability_zone="us-west-2a",'
        'load_balancer="lb",reason="no_target"} 2.0' in text
    )
