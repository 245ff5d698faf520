"""Which Services this controller owns, and the load balancer class its webhook defaults.

The rules are the real controller's (reference §2.1), in this order: a Service being deleted is
not supported (its cleanup runs through the finalizer); with the ServiceTypeLoadBalancerOnly
gate only ``type: LoadBalancer`` counts; a set ``spec.loadBalancerClass`` decides alone (ours or
not ours, whatever the annotations say); otherwise the annotations decide:
``aws-load-balancer-type`` ``nlb-ip``, or ``external`` together with an ``nlb-target-type``
of ``ip`` or ``instance``.
"""

from __future__ import annotations

from localnlb.controller.service.annotations import AnnotationReader
from localnlb.controller.service.constants import (
    LB_TYPE,
    LB_TYPE_EXTERNAL,
    LB_TYPE_NLB_IP,
    SERVICE_FINALIZER,
    TARGET_TYPE,
)
from localnlb.controller.service.objects import SERVICE_TYPE_LOAD_BALANCER, Service
from localnlb.controller.service.settings import ControllerSettings

_TARGET_TYPES = frozenset({"ip", "instance"})


def is_service_supported(service: Service, settings: ControllerSettings) -> bool:
    if service.being_deleted:
        return False
    if settings.service_type_load_balancer_only and service.type != SERVICE_TYPE_LOAD_BALANCER:
        return False
    if service.load_balancer_class:
        return service.load_balancer_class == settings.load_balancer_class
    annotations = AnnotationReader(service.annotations)
    lb_type = annotations.string(LB_TYPE)
    if lb_type == LB_TYPE_NLB_IP:
        return True
    return lb_type == LB_TYPE_EXTERNAL and annotations.string(TARGET_TYPE) in _TARGET_TYPES


def has_finalizer(service: Service) -> bool:
    return SERVICE_FINALIZER in service.finalizers


def should_reconcile(service: Service, settings: ControllerSettings) -> bool:
    """Enqueue it: ours now, or ours before (the finalizer is still there to clean up)."""
    return is_service_supported(service, settings) or has_finalizer(service)


def is_pending_finalization(service: Service) -> bool:
    return service.being_deleted and has_finalizer(service)


def default_load_balancer_class(
    service: Service, settings: ControllerSettings, *, previous: Service | None = None
) -> str | None:
    """The ``spec.loadBalancerClass`` the service mutating webhook (``mservice.elbv2.k8s.aws``)
    sets, or None to leave the Service as it is.

    On create (``previous`` None): a LoadBalancer Service without a class gets ours. On update:
    a class the old object had is kept when the new object drops it.
    """
    if service.type != SERVICE_TYPE_LOAD_BALANCER or service.load_balancer_class:
        return None
    if previous is None:
        return settings.load_balancer_class
    return previous.load_balancer_class or None
