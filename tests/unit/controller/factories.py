"""Small builders for the controller's unit tests: a Service, a view, settings, a stack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from localnlb.controller.model.stack import DesiredStack
from localnlb.controller.service.builder import build_stack
from localnlb.controller.service.constants import annotation_key
from localnlb.controller.service.objects import Service, ServicePort, service_from_object
from localnlb.controller.service.settings import ControllerSettings
from localnlb.controller.service.view import BuildView, SubnetInfo

CLUSTER = "eks-workshop"
VPC_ID = "vpc-0a1b2c3d4e5f60718"
BACKEND_SG = "sg-0b4c5d6e7f8091a2b"
UI_UID = "6f1e3c5a-2b4d-4e8f-9a0b-1c2d3e4f5a6b"
NODE_PORT = 30549
INBOUND_CIDRS = "127.0.0.0/8,192.0.2.0/24"
NLB_MANIFEST = Path("manifests/modules/exposing/load-balancer/nlb/nlb.yaml")
IP_MODE_PATCH = Path("manifests/modules/exposing/load-balancer/ip-mode/nlb.yaml")

SETTINGS = ControllerSettings(cluster_name=CLUSTER, vpc_id=VPC_ID)
VIEW = BuildView(
    subnets=tuple(
        SubnetInfo(f"subnet-0{i}aa{i}bb{i}cc{i}dd{i}ee", f"us-west-2{zone}", f"127.1.{16 * i}.0/20")
        for i, zone in enumerate("abc")
    ),
    vpc_cidrs=("127.1.0.0/16",),
    backend_security_group_id=BACKEND_SG,
)


def lb_service(
    annotations: Mapping[str, str] | None = None,
    *,
    ports: tuple[ServicePort, ...] = (
        ServicePort(port=80, name="http", target_port=8080, node_port=NODE_PORT),
    ),
    **fields: Any,
) -> Service:
    """A LoadBalancer Service ``ui/ui-nlb`` owned through our class; annotations by suffix."""
    merged = {annotation_key(k): v for k, v in (annotations or {}).items()}
    base = Service(
        namespace="ui",
        name="ui-nlb",
        uid=UI_UID,
        type="LoadBalancer",
        ports=ports,
        annotations=merged,
        load_balancer_class="service.k8s.aws/nlb",
    )
    return replace(base, **fields)


def build(service: Service, **settings_fields: Any) -> DesiredStack:
    return build_stack(service, view=VIEW, settings=replace(SETTINGS, **settings_fields))


def workshop_service(workshop_dir: Path, *, ip_mode: bool) -> Service:
    """ui-nlb as the workshop applies it (envsubst, then the API server defaults and the
    controller's webhook: uid, nodePort, loadBalancerClass)."""
    text = (workshop_dir / NLB_MANIFEST).read_text().replace("$INBOUND_CIDRS", INBOUND_CIDRS)
    obj = yaml.safe_load(text)
    if ip_mode:
        patch = yaml.safe_load((workshop_dir / IP_MODE_PATCH).read_text())
        obj["metadata"]["annotations"].update(patch["metadata"]["annotations"])
    obj["metadata"]["uid"] = UI_UID
    obj["spec"]["ports"][0].update(protocol="TCP", nodePort=NODE_PORT)
    obj["spec"]["loadBalancerClass"] = "service.k8s.aws/nlb"
    return service_from_object(obj)
