"""The Service status the controller writes once the stack is deployed.

``status.loadBalancer.ingress`` holds one entry: the load balancer's DNS name, lower-cased, with
the Service's ports; never an ``ip``. It is written as soon as the load balancer exists (AWS
assigns the DNS name at creation), not when it becomes active. Cleanup resets it to ``{}``.
"""

from __future__ import annotations

from typing import Any

from localnlb.controller.service.objects import Service


def build_load_balancer_status(service: Service, dns_name: str) -> dict[str, Any]:
    ports = [{"port": p.port, "protocol": p.protocol} for p in service.ports]
    return {"ingress": [{"hostname": dns_name.lower(), "ports": ports}]}


def empty_load_balancer_status() -> dict[str, Any]:
    return {}
