"""Names of the AWS resources, exactly as the real controller derives them.

Every name is ``k8s-<ns8>-<name8>-<hash10>``: the namespace and Service name with every
non-alphanumeric character removed, each cut to 8 characters, and the first 10 hex digits of a
SHA-256 over the fields that make the resource what it is. A field in the hash that changes
gives a new name, so a resource that must be replaced gets a fresh, unique one:

* load balancer: cluster name + Service UID + scheme (target type is *not* in it, so switching
  instance → ip keeps the load balancer, its ARN and its DNS name);
* target group: cluster name + [base Service UID] + Service UID + target-group port + Service
  port + target type + protocol + health-check protocol + health-check interval;
* managed security group: cluster name + Service name + namespace + Service UID;
* shared backend security group: ``k8s-traffic-<cluster, sanitised, ≤232>-<hash10 of cluster>``.

The inputs are concatenated with no separator, as the Go code writes them into one hash.
"""

from __future__ import annotations

import hashlib
import re

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def sanitize(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


def _hash10(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()[:10]


def _k8s_name(namespace: str, name: str, hash10: str) -> str:
    return f"k8s-{sanitize(namespace)[:8]}-{sanitize(name)[:8]}-{hash10}"


def load_balancer_name(
    *, cluster_name: str, namespace: str, name: str, uid: str, scheme: str
) -> str:
    return _k8s_name(namespace, name, _hash10(cluster_name, uid, scheme))


def target_group_name(
    *,
    cluster_name: str,
    namespace: str,
    name: str,
    uid: str,
    target_group_port: int,
    service_port: int | str,
    target_type: str,
    protocol: str,
    health_check_protocol: str,
    health_check_interval: int,
    base_service_uid: str = "",
) -> str:
    return _k8s_name(
        namespace,
        name,
        _hash10(
            cluster_name,
            base_service_uid,
            uid,
            str(target_group_port),
            str(service_port),
            target_type,
            protocol,
            health_check_protocol,
            str(health_check_interval),
        ),
    )


def managed_security_group_name(*, cluster_name: str, namespace: str, name: str, uid: str) -> str:
    return _k8s_name(namespace, name, _hash10(cluster_name, name, namespace, uid))


def backend_security_group_name(cluster_name: str) -> str:
    return f"k8s-traffic-{sanitize(cluster_name)[:232]}-{_hash10(cluster_name)}"
