"""Which Services the controller owns (reference §2.1 and Part 5 scenario 1)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from localnlb.controller.service.constants import SERVICE_FINALIZER
from localnlb.controller.service.ownership import (
    default_load_balancer_class,
    is_pending_finalization,
    is_service_supported,
    should_reconcile,
)
from tests.unit.controller.factories import SETTINGS, lb_service

EXTERNAL = {"aws-load-balancer-type": "external"}


@pytest.mark.parametrize(
    ("lb_class", "annotations", "owned"),
    [
        ("service.k8s.aws/nlb", {}, True),
        ("service.k8s.aws/nlb", {"aws-load-balancer-type": "nlb"}, True),
        ("example.com/other", {**EXTERNAL, "aws-load-balancer-nlb-target-type": "ip"}, False),
        (None, {**EXTERNAL, "aws-load-balancer-nlb-target-type": "ip"}, True),
        (None, {**EXTERNAL, "aws-load-balancer-nlb-target-type": "instance"}, True),
        (None, {**EXTERNAL, "aws-load-balancer-nlb-target-type": "alb"}, False),
        (None, EXTERNAL, False),
        (None, {"aws-load-balancer-type": "nlb-ip"}, True),
        (None, {"aws-load-balancer-type": "nlb"}, False),
        (None, {}, False),
    ],
)
def test_ownership_matrix(lb_class: str | None, annotations: dict[str, str], owned: bool) -> None:
    service = lb_service(annotations, load_balancer_class=lb_class)
    assert is_service_supported(service, SETTINGS) is owned


def test_a_service_being_deleted_is_not_supported_but_still_reconciled_for_cleanup() -> None:
    service = lb_service(being_deleted=True, finalizers=(SERVICE_FINALIZER,))
    assert not is_service_supported(service, SETTINGS)
    assert should_reconcile(service, SETTINGS)
    assert is_pending_finalization(service)


def test_a_service_that_stopped_being_ours_is_reconciled_while_it_has_the_finalizer() -> None:
    service = lb_service(load_balancer_class="example.com/other", finalizers=(SERVICE_FINALIZER,))
    assert should_reconcile(service, SETTINGS)
    assert not should_reconcile(replace(service, finalizers=()), SETTINGS)


def test_load_balancer_only_gate_ignores_other_service_types() -> None:
    service = lb_service(type="NodePort")
    assert is_service_supported(service, SETTINGS)
    assert not is_service_supported(
        service, replace(SETTINGS, service_type_load_balancer_only=True)
    )


def test_custom_controller_class() -> None:
    settings = replace(SETTINGS, load_balancer_class="example.com/mine")
    assert is_service_supported(lb_service(load_balancer_class="example.com/mine"), settings)
    assert not is_service_supported(lb_service(), settings)


class TestWebhookDefaultClass:
    def test_new_load_balancer_service_without_class_gets_ours(self) -> None:
        service = lb_service(load_balancer_class=None)
        assert default_load_balancer_class(service, SETTINGS) == "service.k8s.aws/nlb"

    def test_a_class_already_set_is_left_alone(self) -> None:
        service = lb_service(load_balancer_class="example.com/other")
        assert default_load_balancer_class(service, SETTINGS) is None

    def test_other_service_types_are_left_alone(self) -> None:
        service = lb_service(load_balancer_class=None, type="ClusterIP")
        assert default_load_balancer_class(service, SETTINGS) is None

    def test_update_keeps_the_old_class_when_the_new_object_drops_it(self) -> None:
        old = lb_service(load_balancer_class="example.com/other")
        new = lb_service(load_balancer_class=None)
        assert default_load_balancer_class(new, SETTINGS, previous=old) == "example.com/other"

    def test_update_of_a_service_that_never_had_a_class_sets_none(self) -> None:
        old = lb_service(load_balancer_class=None)
        new = lb_service(load_balancer_class=None)
        assert default_load_balancer_class(new, SETTINGS, previous=old) is None
