"""A Service in its Kubernetes object form becomes the controller's Service value."""

from __future__ import annotations

from localnlb.controller.service.objects import ServicePort, service_from_object


def test_defaults_follow_the_api_server() -> None:
    service = service_from_object(
        {
            "metadata": {"name": "ui-nlb", "namespace": "ui", "uid": "u-1"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]},
        }
    )
    assert service.ports == (ServicePort(port=80, protocol="TCP", target_port=80),)
    assert service.external_traffic_policy == "Cluster"
    assert service.load_balancer_class is None
    assert not service.being_deleted
    assert service.key == "ui/ui-nlb"


def test_every_field_the_controller_reads() -> None:
    service = service_from_object(
        {
            "metadata": {
                "name": "s",
                "namespace": "n",
                "uid": "u",
                "annotations": {"a": "b"},
                "finalizers": ["service.k8s.aws/resources"],
                "deletionTimestamp": "2026-11-26T10:00:00Z",
            },
            "spec": {
                "type": "LoadBalancer",
                "loadBalancerClass": "service.k8s.aws/nlb",
                "externalTrafficPolicy": "Local",
                "healthCheckNodePort": 32001,
                "loadBalancerSourceRanges": ["10.0.0.0/8"],
                "allocateLoadBalancerNodePorts": False,
                "ipFamilies": ["IPv4"],
                "selector": {"app": "x"},
                "ports": [
                    {"name": "http", "port": 80, "targetPort": "web", "nodePort": 30080},
                    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 5353},
                ],
            },
        }
    )
    assert service.ports == (
        ServicePort(80, "TCP", "http", "web", 30080),
        ServicePort(53, "UDP", "dns", 5353, 0),
    )
    assert (service.health_check_node_port, service.allocate_load_balancer_node_ports) == (
        32001,
        False,
    )
    assert service.being_deleted
    assert service.finalizers == ("service.k8s.aws/resources",)
    assert service.load_balancer_source_ranges == ("10.0.0.0/8",)
