"""Manifests and set-ups the controller e2e tests share: a LoadBalancer Service of the ui app,
a Deployment labelled ``app: web``, and a namespace whose ip Service's binding asks for a
readiness gate.
"""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.controller.conftest import Stack
from tests.helpers.waiting import async_wait_until

INJECT = "elbv2.k8s.aws/pod-readiness-gate-inject=enabled"
IP_TARGETS = {"aws-load-balancer-type": "external", "aws-load-balancer-nlb-target-type": "ip"}

A = "service.beta.kubernetes.io/"


def service_manifest(
    name: str,
    *,
    annotations: dict[str, str] | None = None,
    spec: dict[str, Any] | None = None,
    namespace: str = "ui",
) -> str:
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {A + k: v for k, v in (annotations or {}).items()},
        },
        "spec": {
            "type": "LoadBalancer",
            "ports": [{"port": 80, "targetPort": 8080, "name": "http"}],
            "selector": {"app.kubernetes.io/name": "ui"},
            **(spec or {}),
        },
    }
    return json.dumps(body)


def web_deployment(namespace: str, *, replicas: int = 1) -> str:
    """A Deployment of the ui app labelled ``app: web``, with no readiness gate of its own: in
    a namespace labelled for injection the controller's pod webhook adds the gate."""
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "ui",
                            "image": "public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.1",
                            "ports": [{"containerPort": 8080}],
                        }
                    ],
                },
            },
        },
    }
    return json.dumps(deployment)


async def gated_namespace_with_ip_service(
    stack: Stack,
    namespace: str = "gated",
    *,
    inject: bool = True,
    annotations: dict[str, str] | None = None,
) -> str:
    """A namespace (labelled for injection, or not) with an ip Service ``web`` selecting
    ``app: web`` (``annotations``: its own, instead of the external + ip ones); the readiness
    gate its binding asks for."""
    await stack.kubectl("create", "namespace", namespace)
    if inject:
        await stack.kubectl("label", "namespace", namespace, INJECT)
    manifest = service_manifest(
        "web",
        namespace=namespace,
        spec={"selector": {"app": "web"}},
        annotations=annotations or IP_TARGETS,
    )
    await stack.apply(manifest)

    async def binding_name() -> str | None:
        items = (await stack.kubectl_json("get", "targetgroupbindings", "-n", namespace))["items"]
        return str(items[0]["metadata"]["name"]) if items else None

    name = await async_wait_until(binding_name, timeout=15, what="the service's binding")
    return f"target-health.elbv2.k8s.aws/{name}"
