"""Built-in defaulting a real API server does on create/update (pkg/apis/*/v1/defaults.go).

Pure functions over plain JSON objects; the registry calls :func:`apply_defaults` before
validation, so clients read back what they would read from a real cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localnlb.cluster.apiserver.admission import (
    batch_defaults,
    storage_defaults,
    webhook_config_defaults,
)

JsonObject = dict[str, Any]


def _container(container: JsonObject) -> None:
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    image = str(container.get("image", ""))
    tag = image.rsplit("/", 1)[-1]
    latest = ":" not in tag or tag.endswith(":latest")
    if "@" in tag:
        latest = False
    container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(probe_name)
        if isinstance(probe, dict):
            probe.setdefault("timeoutSeconds", 1)
            probe.setdefault("periodSeconds", 10)
            probe.setdefault("successThreshold", 1)
            probe.setdefault("failureThreshold", 3)
            if isinstance(probe.get("httpGet"), dict):
                probe["httpGet"].setdefault("scheme", "HTTP")
    for env in container.get("env") or []:
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")


def pod_spec(spec: JsonObject) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    if "serviceAccountName" in spec:
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        if isinstance(container, dict):
            _container(container)
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            for source in ("configMap", "secret"):
                if isinstance(volume.get(source), dict):
                    volume[source].setdefault("defaultMode", 420)


def _pod(obj: JsonObject) -> None:
    pod_spec(obj.setdefault("spec", {}))
    obj.setdefault("spec", {}).setdefault("enableServiceLinks", True)
    obj["spec"].setdefault("preemptionPolicy", "PreemptLowerPriority")
    obj["spec"].setdefault("priority", 0)
    tolerations = obj["spec"].setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(t.get("key") == key for t in tolerations if isinstance(t, dict)):
            tolerations.append(
                {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            )


def _template(obj: JsonObject) -> None:
    template = obj.setdefault("spec", {}).setdefault("template", {})
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    pod_spec(template.setdefault("spec", {}))


def _deployment(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(obj)


def _replicaset(obj: JsonObject) -> None:
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    _template(obj)


def _job(obj: JsonObject) -> None:
    batch_defaults.job(obj)
    _template(obj)


def _cron_job(obj: JsonObject) -> None:
    batch_defaults.cron_job(obj)
    _template(obj["spec"]["jobTemplate"])


def _daemon_set(obj: JsonObject) -> None:
    batch_defaults.daemon_set(obj)
    _template(obj)


def _service(obj: JsonObject) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] == "ExternalName":
        return
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in {"NodePort", "LoadBalancer"}:
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    obj.setdefault("status", {}).setdefault("loadBalancer", {})


def _namespace(obj: JsonObject) -> None:
    obj.setdefault("metadata", {}).setdefault("labels", {})["kubernetes.io/metadata.name"] = obj[
        "metadata"
    ].get("name", "")
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {}).setdefault("phase", "Active")


def _secret(obj: JsonObject) -> None:
    obj.setdefault("type", "Opaque")


def _endpoint_slice(obj: JsonObject) -> None:
    for port in obj.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")


def _stateful_set(obj: JsonObject) -> None:
    storage_defaults.stateful_set(obj)
    _template(obj)


DEFAULTERS: dict[str, Callable[[JsonObject], None]] = {
    "/pods": _pod,
    "/services": _service,
    "/namespaces": _namespace,
    "/secrets": _secret,
    "apps/deployments": _deployment,
    "apps/replicasets": _replicaset,
    "apps/daemonsets": _daemon_set,
    "apps/statefulsets": _stateful_set,
    "/persistentvolumeclaims": storage_defaults.claim,
    "/persistentvolumes": storage_defaults.volume,
    "storage.k8s.io/storageclasses": storage_defaults.storage_class,
    "batch/jobs": _job,
    "batch/cronjobs": _cron_job,
    "discovery.k8s.io/endpointslices": _endpoint_slice,
    "admissionregistration.k8s.io/mutatingwebhookconfigurations": (
        webhook_config_defaults.mutating_configuration
    ),
    "admissionregistration.k8s.io/validatingwebhookconfigurations": (
        webhook_config_defaults.validating_configuration
    ),
}


def apply_defaults(store_key: str, obj: JsonObject) -> None:
    defaulter = DEFAULTERS.get(store_key)
    if defaulter is not None:
        defaulter(obj)
