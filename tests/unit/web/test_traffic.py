"""Traffic: the real exporters' text parsed, and rates over the sliding window."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from localnlb.cluster.kubeproxy.metrics import PortLabels, ProxyMetrics
from localnlb.dataplane.metrics import BYTES_IN, BYTES_OUT, NEW, FlowCounters, FlowMetricsCollector
from localnlb.web.traffic import (
    Counters,
    LbTargetKey,
    ProxyKey,
    TrafficHistory,
    TrafficSample,
    parse_dataplane,
    parse_kubeproxy,
)

KEY = LbTargetKey("k8s-ui-uinlb-x", "k8s-ui-uinlb-y", "127.30.0.10:30549", "us-west-2a")


def test_data_plane_counters_parse_per_target_and_lb_node_zone() -> None:
    counters = FlowCounters()
    slot = counters.slot((KEY.load_balancer, KEY.target_group, KEY.target, KEY.zone))
    slot[NEW] += 3
    slot[BYTES_IN] += 100
    slot[BYTES_OUT] += 900
    counters.reject(KEY.load_balancer, KEY.zone, "no_target")
    registry = CollectorRegistry()
    registry.register(FlowMetricsCollector(lambda: [counters.export()]))
    parsed = parse_dataplane(generate_latest(registry).decode())
    assert parsed == {KEY: Counters(flows=3, bytes=1000, active=0)}


def test_kube_proxy_counters_parse_per_node_and_cross_node() -> None:
    metrics = ProxyMetrics(CollectorRegistry())
    labels = PortLabels("node-a", "ui", "ui-nlb", "http", "TCP")
    metrics.flow_opened(labels, cross_node=True)
    metrics.flow_closed(labels, cross_node=True, to_endpoint=50, to_client=450)
    metrics.flow_opened(labels, cross_node=False)
    parsed = parse_kubeproxy(generate_latest(metrics.registry).decode())
    assert parsed[ProxyKey("node-a", "ui", "ui-nlb", "http", True)] == Counters(1, 500, 0)
    assert parsed[ProxyKey("node-a", "ui", "ui-nlb", "http", False)] == Counters(1, 0, 1)


def test_bad_text_is_a_value_error() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the parser's own error
        parse_dataplane("localnlb_flows_new_total{ this is not prometheus\n")


def sample(at: float, flows: float, moved: float = 0.0, active: float = 0.0) -> TrafficSample:
    return TrafficSample(at=at, lb={KEY: Counters(flows, moved, active)})


def test_rates_are_deltas_over_the_window_and_fall_to_zero_after_it() -> None:
    history = TrafficHistory(window=5.0)
    history.add(sample(100.0, 10))
    assert history.rates().lb[KEY].flows_per_second == 0.0
    history.add(sample(101.0, 12, 2000))
    rate = history.rates().lb[KEY]
    assert rate.flows_per_second == pytest.approx(2.0)
    assert rate.bytes_per_second == pytest.approx(2000.0)
    assert rate.lit
    assert rate.last_flow_at == 101.0
    for second in range(102, 108):
        history.add(sample(float(second), 12, 2000))
    quiet = history.rates().lb[KEY]
    assert not quiet.lit
    assert quiet.last_flow_at == 101.0


def test_a_restarted_exporter_counts_from_zero() -> None:
    history = TrafficHistory(window=5.0)
    history.add(sample(100.0, 50))
    history.add(sample(101.0, 3))
    assert history.rates().lb[KEY].flows_per_second == pytest.approx(3.0)


def test_open_flows_keep_an_edge_lit_without_new_ones() -> None:
    history = TrafficHistory(window=5.0)
    history.add(sample(100.0, 1, active=1))
    history.add(sample(101.0, 1, active=1))
    assert history.rates().lb[KEY].lit


def test_a_failed_scrape_is_no_drop_to_zero_and_recovery_is_no_spike() -> None:
    history = TrafficHistory(window=5.0)
    history.add(sample(100.0, 1000))
    history.add(TrafficSample(at=101.0))  # the data plane did not answer
    assert history.rates().lb[KEY].flows_per_second == 0.0
    history.add(sample(102.0, 1002))
    assert history.rates().lb[KEY].flows_per_second == pytest.approx(1.0)


def test_a_source_first_read_late_is_a_baseline_not_a_burst() -> None:
    history = TrafficHistory(window=5.0)
    history.add(TrafficSample(at=100.0))
    history.add(sample(101.0, 5000, 10**6))
    rate = history.rates().lb[KEY]
    assert (rate.flows_per_second, rate.lit, rate.last_flow_at) == (0.0, False, None)


def test_a_source_unread_for_a_whole_window_has_no_rates() -> None:
    history = TrafficHistory(window=5.0)
    history.add(sample(100.0, 1))
    history.add(sample(101.0, 3))
    for second in range(102, 108):
        history.add(TrafficSample(at=float(second)))
    assert history.rates().lb == {}
