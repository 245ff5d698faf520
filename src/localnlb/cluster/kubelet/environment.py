"""A container's environment, built the way the kubelet builds it (``makeEnvironmentVariables``).

``envFrom`` sources first, in order (``prefix`` + key; keys that cannot be variable names are
skipped), then ``env`` in order: a ``value`` is ``$(VAR)``-expanded against what is defined so far
(and the service variables); ``valueFrom`` (downward API fieldRef, configMapKeyRef,
secretKeyRef) is taken verbatim. ConfigMaps and Secrets are inputs (``PodContext``): the shell
fetches them. A missing non-optional source is a :class:`ContainerConfigError` with the kubelet's
message, reported as ``CreateContainerConfigError``. Pure.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field

from localnlb.cluster.kubelet.expansion import expand
from localnlb.cluster.kubelet.podspec import JsonObject
from localnlb.cluster.kubelet.resource_fields import resource_field_value

DEFAULT_ALLOCATABLE = {"cpu": "2", "memory": "8Gi", "ephemeral-storage": "20Gi", "pods": "110"}


class ContainerConfigError(Exception):
    """The container cannot be created as specified; the kubelet retries it later."""


@dataclass(frozen=True, slots=True)
class PodContext:
    """What the kubelet knows about a pod beyond its spec: where it runs and what it refers to."""

    node_name: str
    host_ip: str
    pod_ip: str
    availability_zone: str
    config_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    secrets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # values decoded
    service_env: Mapping[str, str] = field(default_factory=dict)
    # what volumes see: ConfigMaps' data+binaryData and Secrets' data as bytes, by name
    config_map_files: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)
    secret_files: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)
    service_account_token: str = ""  # written by serviceAccountToken projections
    # persistent volume claims: claim name → the directory of the volume it is bound to
    claim_directories: Mapping[str, str] = field(default_factory=dict)
    # the node's status.allocatable: what an unset limit means to resourceFieldRef
    node_allocatable: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ALLOCATABLE))


def decode_secret_data(secret: JsonObject) -> dict[str, str]:
    """A Secret's ``data`` (base64) and ``stringData`` as the plain strings a container sees."""
    decoded = {
        key: base64.b64decode(value).decode(errors="replace")
        for key, value in (secret.get("data") or {}).items()
    }
    decoded.update(secret.get("stringData") or {})
    return decoded


def object_files(obj: JsonObject, kind: str) -> dict[str, bytes]:
    """A ConfigMap's ``data`` and ``binaryData`` (``kind`` "configMap") or a Secret's ``data``
    and ``stringData`` as the bytes its volume's files hold."""
    files = {key: str(value).encode() for key, value in (obj.get("data") or {}).items()}
    if kind == "configMap":
        files.update(
            (key, base64.b64decode(value)) for key, value in (obj.get("binaryData") or {}).items()
        )
        return files
    files = {key: base64.b64decode(value) for key, value in (obj.get("data") or {}).items()}
    files.update((key, str(value).encode()) for key, value in (obj.get("stringData") or {}).items())
    return files


def build_environment(
    pod: JsonObject, container: JsonObject, context: PodContext
) -> dict[str, str]:
    namespace = pod.get("metadata", {}).get("namespace") or "default"
    defined: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix") or ""
        for key, value in _env_from_source(source, namespace, context).items():
            name = prefix + key
            if _valid_name(name):
                defined[name] = value
    for variable in container.get("env") or []:
        name = variable.get("name") or ""
        if variable.get("valueFrom") is not None:
            resolved = _value_from(variable["valueFrom"], pod, container, namespace, context)
            if resolved is None:  # an optional reference that is absent
                continue
            defined[name] = resolved
        else:
            defined[name] = expand(variable.get("value") or "", defined, context.service_env)
    return {**context.service_env, **defined}


def _valid_name(name: str) -> bool:
    """Since Kubernetes 1.34 any printable ASCII but ``=`` is a valid variable name."""
    return bool(name) and "=" not in name and all(" " <= c <= "~" for c in name)


def _env_from_source(source: JsonObject, namespace: str, context: PodContext) -> Mapping[str, str]:
    if source.get("configMapRef") is not None:
        ref, kind, store = source["configMapRef"], "configmap", context.config_maps
    elif source.get("secretRef") is not None:
        ref, kind, store = source["secretRef"], "secret", context.secrets
    else:
        return {}
    name = ref.get("name") or ""
    if name in store:
        return store[name]
    if ref.get("optional"):
        return {}
    raise ContainerConfigError(f'{kind} "{name}" not found')


def _value_from(
    source: JsonObject,
    pod: JsonObject,
    container: JsonObject,
    namespace: str,
    context: PodContext,
) -> str | None:
    if source.get("fieldRef") is not None:
        return field_value(source["fieldRef"].get("fieldPath") or "", pod, context)
    for ref_key, kind, label, store in (
        ("configMapKeyRef", "configmap", "ConfigMap", context.config_maps),
        ("secretKeyRef", "secret", "Secret", context.secrets),
    ):
        if source.get(ref_key) is not None:
            ref = source[ref_key]
            name, key = ref.get("name") or "", ref.get("key") or ""
            if name not in store:
                if ref.get("optional"):
                    return None
                raise ContainerConfigError(f'{kind} "{name}" not found')
            if key not in store[name]:
                if ref.get("optional"):
                    return None
                raise ContainerConfigError(f"couldn't find key {key} in {label} {namespace}/{name}")
            return store[name][key]
    if source.get("resourceFieldRef") is not None:
        ref = source["resourceFieldRef"]
        try:
            return resource_field_value(
                str(ref.get("resource") or ""),
                container,
                divisor=ref.get("divisor"),
                node_allocatable=context.node_allocatable,
            )
        except ValueError as exc:
            raise ContainerConfigError(str(exc)) from exc
    raise ContainerConfigError("valueFrom has no source")


def field_value(path: str, pod: JsonObject, context: PodContext) -> str:
    """The downward API: ``fieldRef.fieldPath`` against this pod, as the kubelet resolves it."""
    metadata = pod.get("metadata", {})
    spec = pod.get("spec", {})
    simple = {
        "metadata.name": metadata.get("name", ""),
        "metadata.namespace": metadata.get("namespace") or "default",
        "metadata.uid": metadata.get("uid", ""),
        "spec.nodeName": spec.get("nodeName") or context.node_name,
        "spec.serviceAccountName": spec.get("serviceAccountName") or "default",
        "status.podIP": context.pod_ip,
        "status.podIPs": context.pod_ip,
        "status.hostIP": context.host_ip,
        "status.hostIPs": context.host_ip,
    }
    if path in simple:
        return str(simple[path])
    for prefix in ("metadata.labels", "metadata.annotations"):
        values: Mapping[str, str] = metadata.get(prefix.split(".")[1]) or {}
        if path == prefix:
            return "\n".join(f'{k}="{_go_escape(v)}"' for k, v in sorted(values.items()))
        if path.startswith(f"{prefix}['") and path.endswith("']"):
            return values.get(path[len(prefix) + 2 : -2], "")
    raise ContainerConfigError(f"unsupported fieldPath: {path}")


def _go_escape(value: str) -> str:
    """Go's %q-style escaping as used by the downward API's label/annotation dumps."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
