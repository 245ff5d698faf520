"""Ages and Table cells as kubectl shows them."""

from __future__ import annotations

import pytest

from localnlb.cluster.apiserver.objects.meta import parse_timestamp
from localnlb.cluster.apiserver.printers.ages import human_duration
from localnlb.cluster.apiserver.printers.pod_status import pod_status_reason
from localnlb.cluster.apiserver.printers.tables import to_table
from localnlb.cluster.schema.kinds import builtin_by_kind


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (119, "119s"),
        (120, "2m"),
        (185, "3m5s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600 + 60, "3h1m"),
        (8 * 3600, "8h"),
        (49 * 3600, "2d1h"),
        (10 * 86400, "10d"),
        (800 * 86400, "2y70d"),
        (9 * 365 * 86400, "9y"),
    ],
)
def test_human_duration(seconds: float, shown: str) -> None:
    assert human_duration(seconds) == shown


def test_service_row_shows_load_balancer_hostname_and_node_port() -> None:
    service_type = builtin_by_kind("", "Service")
    assert service_type is not None
    service = {
        "metadata": {"name": "ui-nlb", "creationTimestamp": "2026-11-26T10:00:00Z"},
        "spec": {
            "type": "LoadBalancer",
            "clusterIP": "127.42.205.201",
            "ports": [{"port": 80, "nodePort": 30549, "protocol": "TCP"}],
        },
        "status": {"loadBalancer": {"ingress": [{"hostname": "k8s-ui-uinlb-x.elb.amazonaws.com"}]}},
    }
    now = parse_timestamp("2026-11-26T10:01:45Z")
    table = to_table(service_type, [service], now=now)
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name",
        "Type",
        "Cluster-IP",
        "External-IP",
        "Port(s)",
        "Age",
        "Selector",
    ]
    assert table["rows"][0]["cells"] == [
        "ui-nlb",
        "LoadBalancer",
        "127.42.205.201",
        "k8s-ui-uinlb-x.elb.amazonaws.com",
        "80:30549/TCP",
        "105s",
        "<none>",
    ]
    pending = {**service, "status": {"loadBalancer": {}}}
    assert to_table(service_type, [pending], now=now)["rows"][0]["cells"][3] == "<pending>"


@pytest.mark.parametrize(
    ("status", "deleting", "shown"),
    [
        ({"phase": "Pending"}, False, "Pending"),
        (
            {
                "phase": "Pending",
                "containerStatuses": [{"state": {"waiting": {"reason": "ContainerCreating"}}}],
            },
            False,
            "ContainerCreating",
        ),
        (
            {"phase": "Running", "containerStatuses": [{"ready": True, "state": {"running": {}}}]},
            False,
            "Running",
        ),
        (
            {
                "phase": "Running",
                "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff"}}}],
            },
            False,
            "CrashLoopBackOff",
        ),
        (
            {"phase": "Failed", "containerStatuses": [{"state": {"terminated": {"exitCode": 3}}}]},
            False,
            "ExitCode:3",
        ),
        ({"phase": "Running"}, True, "Terminating"),
    ],
)
def test_pod_status_column(status: dict[str, object], deleting: bool, shown: str) -> None:
    metadata = {"deletionTimestamp": "2026-11-26T10:00:00Z"} if deleting else {}
    assert pod_status_reason({"metadata": metadata, "status": status}) == shown
