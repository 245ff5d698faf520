"""The MutatingWebhookConfiguration the controller registers for itself (what the real
controller's Helm chart installs, reference §2.1, §2.10, §2.11): ``mpod.elbv2.k8s.aws`` (pods,
CREATE, failurePolicy Ignore, only in namespaces labelled
``elbv2.k8s.aws/pod-readiness-gate-inject=enabled``), ``mservice.elbv2.k8s.aws`` (services,
CREATE, failurePolicy Fail; both leave out the controller's own objects) and
``mtargetgroupbinding.elbv2.k8s.aws`` (targetgroupbindings, CREATE, failurePolicy Fail); and
the ValidatingWebhookConfiguration of the same name with ``vtargetgroupbinding.elbv2.k8s.aws``
(targetgroupbindings, CREATE and UPDATE, failurePolicy Fail).
"""

from __future__ import annotations

import base64
from typing import Any

from localnlb.controller.service.constants import READINESS_GATE_INJECT_LABEL

Raw = dict[str, Any]
CONFIGURATION_NAME = "aws-load-balancer-webhook"
POD_WEBHOOK = "mpod.elbv2.k8s.aws"
SERVICE_WEBHOOK = "mservice.elbv2.k8s.aws"
POD_PATH = "/mutate-v1-pod"
SERVICE_PATH = "/mutate-v1-service"
BINDING_WEBHOOK = "mtargetgroupbinding.elbv2.k8s.aws"
BINDING_PATH = "/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
BINDING_VALIDATOR = "vtargetgroupbinding.elbv2.k8s.aws"
BINDING_VALIDATOR_PATH = "/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
CONTROLLER_NAME = "aws-load-balancer-controller"
_NOT_THE_CONTROLLER = {
    "matchExpressions": [
        {"key": "app.kubernetes.io/name", "operator": "NotIn", "values": [CONTROLLER_NAME]}
    ]
}


def _webhook(
    name: str,
    *,
    url: str,
    ca_bundle: str,
    resource: str,
    failure_policy: str,
    group: str = "",
    version: str = "v1",
) -> Raw:
    return {
        "name": name,
        "admissionReviewVersions": ["v1"],
        "clientConfig": {"url": url, "caBundle": ca_bundle},
        "failurePolicy": failure_policy,
        "sideEffects": "None",
        "timeoutSeconds": 10,
        "objectSelector": _NOT_THE_CONTROLLER,
        "rules": [
            {
                "apiGroups": [group],
                "apiVersions": [version],
                "operations": ["CREATE"],
                "resources": [resource],
            }
        ],
    }


def webhook_configuration(
    base_url: str,
    ca_pem: bytes,
    *,
    pod_readiness: bool = True,
    service_class: bool = True,
    bindings: bool = True,
) -> Raw:
    ca_bundle = base64.b64encode(ca_pem).decode()
    webhooks = []
    if pod_readiness:
        pod = _webhook(
            POD_WEBHOOK,
            url=f"{base_url}{POD_PATH}",
            ca_bundle=ca_bundle,
            resource="pods",
            failure_policy="Ignore",
        )
        pod["namespaceSelector"] = {
            "matchExpressions": [
                {"key": READINESS_GATE_INJECT_LABEL, "operator": "In", "values": ["enabled"]}
            ]
        }
        webhooks.append(pod)
    if service_class:
        webhooks.append(
            _webhook(
                SERVICE_WEBHOOK,
                url=f"{base_url}{SERVICE_PATH}",
                ca_bundle=ca_bundle,
                resource="services",
                failure_policy="Fail",
            )
        )
    if bindings:
        binding = _webhook(
            BINDING_WEBHOOK,
            url=f"{base_url}{BINDING_PATH}",
            ca_bundle=ca_bundle,
            resource="targetgroupbindings",
            failure_policy="Fail",
            group="elbv2.k8s.aws",
            version="v1beta1",
        )
        del binding["objectSelector"]
        webhooks.append(binding)
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {
            "name": CONFIGURATION_NAME,
            "labels": {"app.kubernetes.io/name": CONTROLLER_NAME},
        },
        "webhooks": webhooks,
    }


def validating_configuration(base_url: str, ca_pem: bytes) -> Raw:
    """The binding validator; no objectSelector: the controller's own bindings are checked
    too, as the real chart does."""
    validator = _webhook(
        BINDING_VALIDATOR,
        url=f"{base_url}{BINDING_VALIDATOR_PATH}",
        ca_bundle=base64.b64encode(ca_pem).decode(),
        resource="targetgroupbindings",
        failure_policy="Fail",
        group="elbv2.k8s.aws",
        version="v1beta1",
    )
    del validator["objectSelector"]
    validator["rules"][0]["operations"] = ["CREATE", "UPDATE"]
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {
            "name": CONFIGURATION_NAME,
            "labels": {"app.kubernetes.io/name": CONTROLLER_NAME},
        },
        "webhooks": [validator],
    }
