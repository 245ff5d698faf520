"""The inputs of one build, bundled: the Service, its annotations, the settings and the view.

Each ``build_*`` module reads what it needs from here; nothing in it changes during a build.
"""

from __future__ import annotations

from dataclasses import dataclass

from localnlb.controller.model.enums import IpAddressType, Scheme
from localnlb.controller.service import constants as c
from localnlb.controller.service.annotations import AnnotationReader
from localnlb.controller.service.errors import BuildError
from localnlb.controller.service.objects import Service, ServicePort
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.view import BuildView


@dataclass(frozen=True, slots=True)
class BuildContext:
    service: Service
    settings: ControllerSettings
    view: BuildView
    annotations: AnnotationReader
    scheme: Scheme
    ip_address_type: IpAddressType
    additional_tags: dict[str, str]

    @property
    def stack_id(self) -> str:
        return self.service.key

    def lookup_port(self, name_or_number: int | str) -> ServicePort:
        """``k8s.LookupServicePort``: a Service port by number or by name."""
        for port in self.service.ports:
            if name_or_number in (port.port, port.name):
                return port
        raise BuildError(f"unable to find port {name_or_number} on service {self.service.key}")


def build_scheme(
    annotations: AnnotationReader, view: BuildView, settings: ControllerSettings
) -> Scheme:
    """``-scheme``; else the deprecated ``-internal``; else the existing LB's; else the default."""
    raw = annotations.string(c.SCHEME)
    if raw is not None:
        if raw not in (Scheme.INTERNAL, Scheme.INTERNET_FACING):
            raise BuildError(f"unknown scheme: {raw}")
        return Scheme(raw)
    internal = annotations.boolean(c.INTERNAL)
    if internal is not None:
        return Scheme.INTERNAL if internal else Scheme.INTERNET_FACING
    if view.existing_load_balancer is not None:
        return view.existing_load_balancer.scheme
    return settings.default_scheme


def build_ip_address_type(annotations: AnnotationReader) -> IpAddressType:
    raw = annotations.string(c.IP_ADDRESS_TYPE)
    if raw is None:
        return IpAddressType.IPV4
    if raw not in (IpAddressType.IPV4, IpAddressType.DUALSTACK):
        raise BuildError(f"unknown IPAddressType: {raw}")
    return IpAddressType(raw)


def build_additional_tags(
    annotations: AnnotationReader, settings: ControllerSettings
) -> dict[str, str]:
    """User tags for every resource; ``--default-tags`` win over the annotation's."""
    tags = annotations.string_map(c.ADDITIONAL_TAGS) or {}
    for key in tags:
        if key in settings.external_managed_tags:
            raise BuildError(f"external managed tag key {key} cannot be specified on Service")
    return {**tags, **settings.default_tags}


def new_build_context(
    service: Service, *, view: BuildView, settings: ControllerSettings
) -> BuildContext:
    annotations = AnnotationReader(service.annotations)
    scheme = build_scheme(annotations, view, settings)
    return BuildContext(
        service=service,
        settings=settings,
        view=view,
        annotations=annotations,
        scheme=scheme,
        ip_address_type=build_ip_address_type(annotations),
        additional_tags=build_additional_tags(annotations, settings),
    )
