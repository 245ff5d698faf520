"""Service environment variables, as the kubelet injects them."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.kubelet.serviceenv import service_environment


def service(name: str, namespace: str, ip: str | None, *ports: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"ports": list(ports)}
    if ip is not None:
        spec["clusterIP"] = ip
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


KUBERNETES = service(
    "kubernetes", "default", "127.42.192.1", {"name": "https", "port": 443, "protocol": "TCP"}
)
UI = service("ui", "ui", "127.42.206.3", {"name": "http", "port": 80, "protocol": "TCP"})


def pod(namespace: str = "ui", **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": namespace}, "spec": spec}


def test_workshop_ui_pod_sees_its_service_and_the_api_server() -> None:
    env = service_environment(pod(), [KUBERNETES, UI])
    assert env == {
        "KUBERNETES_SERVICE_HOST": "127.42.192.1",
        "KUBERNETES_SERVICE_PORT": "443",
        "KUBERNETES_SERVICE_PORT_HTTPS": "443",
        "KUBERNETES_PORT": "tcp://127.42.192.1:443",
        "KUBERNETES_PORT_443_TCP": "tcp://127.42.192.1:443",
        "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
        "KUBERNETES_PORT_443_TCP_PORT": "443",
        "KUBERNETES_PORT_443_TCP_ADDR": "127.42.192.1",
        "UI_SERVICE_HOST": "127.42.206.3",
        "UI_SERVICE_PORT": "80",
        "UI_SERVICE_PORT_HTTP": "80",
        "UI_PORT": "tcp://127.42.206.3:80",
        "UI_PORT_80_TCP": "tcp://127.42.206.3:80",
        "UI_PORT_80_TCP_PROTO": "tcp",
        "UI_PORT_80_TCP_PORT": "80",
        "UI_PORT_80_TCP_ADDR": "127.42.206.3",
    }


def test_other_namespaces_headless_services_and_disabled_links() -> None:
    other = service("catalog", "catalog", "172.20.9.9", {"port": 80})
    headless = service("ui-headless", "ui", "None", {"port": 80})
    no_ip = service("pending", "ui", None, {"port": 80})
    env = service_environment(pod(), [other, headless, no_ip])
    assert env == {}
    env = service_environment(pod(enableServiceLinks=False), [KUBERNETES, UI])
    assert env == service_environment(pod(), [KUBERNETES])  # the API server's, always


def test_dashes_become_underscores_and_udp_is_lower_case_in_urls() -> None:
    dns = service(
        "kube-dns",
        "kube-system",
        "127.42.192.10",
        {"name": "dns", "port": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
    )
    env = service_environment(pod("kube-system"), [dns])
    assert env["KUBE_DNS_SERVICE_PORT_DNS_TCP"] == "53"
    assert env["KUBE_DNS_PORT"] == "udp://127.42.192.10:53"
    assert env["KUBE_DNS_PORT_53_UDP"] == "udp://127.42.192.10:53"
    assert env["KUBE_DNS_PORT_53_TCP_PROTO"] == "tcp"


def test_a_cluster_ip_off_loopback_is_never_given_to_a_pod() -> None:
    """Network safety: a Service stored with an address off 127/8 (before ClusterIPs moved into
    the VPC) gives a pod no variables that would lead it off the machine."""
    old = service("old", "ui", "172.20.14.3", {"name": "http", "port": 80, "protocol": "TCP"})
    env = service_environment(pod(), [KUBERNETES, UI, old])
    assert not any(name.startswith("OLD_") for name in env)
    assert "UI_SERVICE_HOST" in env
