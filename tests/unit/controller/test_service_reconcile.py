"""Service reconcile: finalizer, deploy, status, events, cleanup (over fakes)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from localnlb.controller.deploy.deployer import StackDeployer
from localnlb.controller.service.constants import SERVICE_FINALIZER, annotation_key
from localnlb.controller.service.objects import Service
from localnlb.controller.service.reconcile import ServiceReconciler
from localnlb.controller.service.view import BuildView
from tests.unit.controller.factories import SETTINGS, VIEW, workshop_service
from tests.unit.controller.fakes import FakeBindings, FakeEc2, FakeElbV2


@dataclass
class FakeServices:
    finalizers: set[str] = field(default_factory=set)
    status: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[str, str, str]] = field(default_factory=list)
    status_patches: int = 0

    async def add_finalizer(self, service: Service, finalizer: str) -> None:
        self.finalizers.add(finalizer)

    async def remove_finalizer(self, service: Service, finalizer: str) -> None:
        self.finalizers.discard(finalizer)

    async def current_load_balancer_status(self, service: Service) -> dict[str, Any]:
        return self.status

    async def patch_load_balancer_status(self, service: Service, status: dict[str, Any]) -> None:
        self.status_patches += 1
        self.status = status

    async def record_event(
        self, service: Service, *, event_type: str, reason: str, message: str
    ) -> None:
        self.events.append((event_type, reason, message))


@dataclass
class FixedView:
    view: BuildView

    async def build_view(self, service: Service) -> BuildView:
        return self.view


class FailingDeployer:
    async def deploy(self, stack: object) -> Any:
        raise RuntimeError("ValidationError: boom")


class World:
    def __init__(self) -> None:
        self.elbv2 = FakeElbV2()
        self.services = FakeServices()
        deployer = StackDeployer(
            elbv2=self.elbv2,
            ec2=FakeEc2(self.elbv2),
            bindings=FakeBindings(self.elbv2),
            settings=SETTINGS,
        )
        self.reconciler = ServiceReconciler(
            services=self.services, views=FixedView(VIEW), deployer=deployer, settings=SETTINGS
        )

    async def reconcile(self, service: Service) -> Service:
        """Reconcile, then return the Service as the API server would now hold it."""
        await self.reconciler.reconcile(service)
        return replace(service, finalizers=tuple(sorted(self.services.finalizers)))


@pytest.fixture
def world() -> World:
    return World()


async def test_create_sets_finalizer_status_and_event(world: World, workshop_dir: Path) -> None:
    await world.reconcile(workshop_service(workshop_dir, ip_mode=False))
    (lb,) = world.elbv2.load_balancers.values()
    assert world.services.finalizers == {SERVICE_FINALIZER}
    assert world.services.status == {
        "ingress": [{"hostname": lb.dns_name, "ports": [{"port": 80, "protocol": "TCP"}]}]
    }
    assert world.services.events == [
        ("Normal", "SuccessfullyReconciled", "Successfully reconciled")
    ]


async def test_status_is_patched_only_when_it_changes(world: World, workshop_dir: Path) -> None:
    service = await world.reconcile(workshop_service(workshop_dir, ip_mode=False))
    await world.reconcile(workshop_service(workshop_dir, ip_mode=True))
    await world.reconcile(service)
    assert world.services.status_patches == 1


async def test_build_error_is_a_warning_event_and_nothing_else(
    world: World, workshop_dir: Path
) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    bad = replace(
        service,
        annotations={
            **service.annotations,
            annotation_key("aws-load-balancer-healthcheck-protocol"): "udp",
        },
    )
    await world.reconcile(bad)
    assert world.services.events == [
        (
            "Warning",
            "FailedBuildModel",
            "Failed build model due to unsupported health check protocol udp",
        )
    ]
    assert (world.elbv2.load_balancers, world.services.finalizers) == ({}, set())


async def test_deploy_error_is_a_warning_event_and_a_retry(workshop_dir: Path) -> None:
    services = FakeServices()
    reconciler = ServiceReconciler(
        services=services, views=FixedView(VIEW), deployer=FailingDeployer(), settings=SETTINGS
    )
    with pytest.raises(RuntimeError):
        await reconciler.reconcile(workshop_service(workshop_dir, ip_mode=False))
    assert services.events == [
        ("Warning", "FailedDeployModel", "Failed deploy model due to ValidationError: boom")
    ]


async def test_unsupported_annotations_get_a_warning(world: World, workshop_dir: Path) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    with_cert = replace(
        service,
        annotations={**service.annotations, annotation_key("aws-load-balancer-ssl-cert"): "arn"},
    )
    await world.reconcile(with_cert)
    assert [reason for _, reason, _ in world.services.events] == [
        "UnsupportedAnnotations",
        "SuccessfullyReconciled",
    ]


async def test_delete_cleans_up_then_removes_the_finalizer(
    world: World, workshop_dir: Path
) -> None:
    service = await world.reconcile(workshop_service(workshop_dir, ip_mode=True))
    await world.reconcile(replace(service, being_deleted=True))
    assert world.elbv2.load_balancers == {}
    assert world.elbv2.target_groups == {}
    assert world.services.status == {}
    assert world.services.finalizers == set()


async def test_deletion_protection_keeps_the_finalizer(world: World, workshop_dir: Path) -> None:
    service = workshop_service(workshop_dir, ip_mode=False)
    protected = replace(
        service,
        annotations={
            **service.annotations,
            annotation_key("aws-load-balancer-attributes"): "deletion_protection.enabled=true",
        },
    )
    protected = await world.reconcile(protected)
    await world.reconcile(replace(protected, being_deleted=True))
    assert world.services.finalizers == {SERVICE_FINALIZER}
    assert world.services.events[-1] == (
        "Warning",
        "FailedBuildModel",
        "Failed build model due to deletion_protection is enabled, cannot delete the service: "
        "ui-nlb",
    )
    assert len(world.elbv2.load_balancers) == 1


async def test_services_that_were_never_ours_are_ignored(world: World, workshop_dir: Path) -> None:
    service = replace(workshop_service(workshop_dir, ip_mode=False), load_balancer_class="other")
    await world.reconcile(service)
    assert (world.services.events, world.elbv2.calls) == ([], [])
