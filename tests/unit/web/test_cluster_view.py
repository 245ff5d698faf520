"""Kubernetes objects as the API serves them → the dashboard's values."""

from __future__ import annotations

from localnlb.web.cluster_view import event_from, node_from, pod_from, service_from


def test_node_zone_address_instance_and_readiness() -> None:
    node = node_from(
        {
            "metadata": {"name": "n1", "labels": {"topology.kubernetes.io/zone": "us-west-2b"}},
            "spec": {"providerID": "aws:///us-west-2b/i-0abc"},
            "status": {
                "addresses": [
                    {"type": "Hostname", "address": "n1"},
                    {"type": "InternalIP", "address": "127.30.16.10"},
                ],
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
    )
    assert (node.zone, node.address, node.instance_id, node.ready) == (
        "us-west-2b",
        "127.30.16.10",
        "i-0abc",
        True,
    )


def test_a_bare_node_is_not_an_error() -> None:
    node = node_from({"metadata": {"name": "n"}})
    assert (node.zone, node.address, node.instance_id, node.ready) == ("", "", "", False)


def test_pod_ip_node_readiness_and_termination() -> None:
    pod = pod_from(
        {
            "metadata": {
                "namespace": "ui",
                "name": "ui-1",
                "labels": {"app": "ui"},
                "deletionTimestamp": "2026-11-26T10:00:00Z",
            },
            "spec": {"nodeName": "n1"},
            "status": {
                "phase": "Running",
                "podIP": "127.30.8.1",
                "conditions": [{"type": "Ready", "status": "False"}],
            },
        }
    )
    assert (pod.ip, pod.node_name, pod.ready, pod.terminating) == ("127.30.8.1", "n1", False, True)
    assert pod.labels == (("app", "ui"),)


def test_service_ports_hostname_and_selection() -> None:
    service = service_from(
        {
            "metadata": {"namespace": "ui", "name": "ui-nlb"},
            "spec": {
                "type": "LoadBalancer",
                "selector": {"app": "ui"},
                "externalTrafficPolicy": "Local",
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30549}],
            },
            "status": {"loadBalancer": {"ingress": [{"hostname": "x.elb.amazonaws.com"}]}},
        }
    )
    assert service.ports[0].node_port == 30549
    assert service.hostnames == ("x.elb.amazonaws.com",)
    assert service.external_traffic_policy == "Local"
    pod = pod_from({"metadata": {"namespace": "ui", "name": "p", "labels": {"app": "ui"}}})
    other = pod_from({"metadata": {"namespace": "other", "name": "p", "labels": {"app": "ui"}}})
    assert service.selects(pod)
    assert not service.selects(other)


def test_core_and_events_api_shapes() -> None:
    core = event_from(
        {
            "metadata": {"namespace": "ui", "name": "e1", "uid": "u"},
            "involvedObject": {"kind": "Service", "name": "ui-nlb"},
            "reason": "SuccessfullyReconciled",
            "message": "Successfully reconciled",
            "lastTimestamp": "2026-11-26T10:00:00Z",
            "type": "Normal",
        }
    )
    assert (core.kind, core.name, core.reason) == ("Service", "ui-nlb", "SuccessfullyReconciled")
    assert core.at == 1795687200.0
    newer = event_from(
        {
            "metadata": {"namespace": "ui", "name": "e2"},
            "regarding": {"kind": "Service", "name": "ui-nlb"},
            "note": "n",
            "eventTime": "not a time",
        }
    )
    assert (newer.message, newer.at, newer.uid) == ("n", 0.0, "e2")
