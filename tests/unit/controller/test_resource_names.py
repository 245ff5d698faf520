"""Names are the real controller's: same format, same hash inputs, same results.

The expected names below are the real controller's own test vectors (its model-builder tests
use cluster ``my-cluster``), so a match proves the hashing recipe, not just the format.
"""

from __future__ import annotations

import pytest

from localnlb.controller.service.naming import (
    backend_security_group_name,
    load_balancer_name,
    managed_security_group_name,
    sanitize,
    target_group_name,
)

REAL_UID = "bdca2bd0-bfc6-449a-88a3-03451f05f18c"
MULTI_PORT_UID = "7ab4be33-11c2-4a7b-b655-7add8affab36"


@pytest.mark.parametrize(
    ("name", "uid", "scheme", "expected"),
    [
        ("nlb-ip-svc-tls", REAL_UID, "internal", "k8s-default-nlbipsvc-6b0ba8ff70"),
        ("nlb-ip-svc-tls", REAL_UID, "internet-facing", "k8s-default-nlbipsvc-4d831c6ca6"),
        ("nlb-ip-svc", MULTI_PORT_UID, "internal", "k8s-default-nlbipsvc-518cdfc227"),
    ],
)
def test_load_balancer_name_matches_the_real_controller(
    name: str, uid: str, scheme: str, expected: str
) -> None:
    got = load_balancer_name(
        cluster_name="my-cluster", namespace="default", name=name, uid=uid, scheme=scheme
    )
    assert got == expected


@pytest.mark.parametrize(
    ("name", "uid", "hc_protocol", "expected"),
    [
        ("nlb-ip-svc-tls", REAL_UID, "TCP", "k8s-default-nlbipsvc-d4818dcd51"),
        ("nlb-ip-svc", MULTI_PORT_UID, "HTTP", "k8s-default-nlbipsvc-62f81639fc"),
    ],
)
def test_target_group_name_matches_the_real_controller(
    name: str, uid: str, hc_protocol: str, expected: str
) -> None:
    got = target_group_name(
        cluster_name="my-cluster",
        namespace="default",
        name=name,
        uid=uid,
        target_group_port=80,
        service_port=80,
        target_type="ip",
        protocol="TCP",
        health_check_protocol=hc_protocol,
        health_check_interval=10,
    )
    assert got == expected


def test_workshop_service_names_read_like_the_workshop_output() -> None:
    name = load_balancer_name(
        cluster_name="eks-workshop",
        namespace="ui",
        name="ui-nlb",
        uid="u",
        scheme="internet-facing",
    )
    assert name.startswith("k8s-ui-uinlb-")
    assert len(name) == len("k8s-ui-uinlb-e1c1ebaeb4")


def test_sanitize_drops_every_non_alphanumeric_character() -> None:
    assert sanitize("ui-nlb_v2.x") == "uinlbv2x"


def test_long_names_are_cut_to_eight_characters_each_and_fit_32() -> None:
    name = load_balancer_name(
        cluster_name="c",
        namespace="very-long-namespace",
        name="very-long-service",
        uid="u",
        scheme="internal",
    )
    assert name.startswith("k8s-verylong-verylong-")
    assert len(name) == 32


def _tg(**overrides: object) -> str:
    fields: dict[str, object] = {
        "cluster_name": "c",
        "namespace": "ui",
        "name": "ui-nlb",
        "uid": "u",
        "target_group_port": 30549,
        "service_port": 80,
        "target_type": "instance",
        "protocol": "TCP",
        "health_check_protocol": "TCP",
        "health_check_interval": 10,
    }
    fields.update(overrides)
    return target_group_name(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"target_type": "ip", "target_group_port": 8080},
        {"target_group_port": 30550},
        {"protocol": "UDP"},
        {"health_check_protocol": "HTTP"},
        {"health_check_interval": 30},
        {"uid": "recreated"},
    ],
)
def test_target_group_name_changes_with_every_hashed_field(change: dict[str, object]) -> None:
    assert _tg(**change) != _tg()


def test_scheme_is_in_the_load_balancer_name_and_target_type_is_not() -> None:
    def lb(scheme: str) -> str:
        return load_balancer_name(
            cluster_name="c", namespace="ui", name="ui-nlb", uid="u", scheme=scheme
        )

    assert lb("internal") != lb("internet-facing")


def test_security_group_names() -> None:
    managed = managed_security_group_name(cluster_name="c", namespace="ui", name="ui-nlb", uid="u")
    assert managed.startswith("k8s-ui-uinlb-")
    assert len(managed) == 23
    assert backend_security_group_name("eks-workshop").startswith("k8s-traffic-eksworkshop-")
