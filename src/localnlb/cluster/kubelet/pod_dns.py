"""The kubelet's DNS set-up for a pod: its resolv.conf written under the state dir, and the bind
mount that shows it to the pod's processes as ``/etc/resolv.conf``.

The text is :func:`localnlb.cluster.dns.resolv_conf.pod_resolv_conf`'s (per ``dnsPolicy``); the
file lives in the pod's directory (``DIR/pods/<pod>/resolv.conf``) and is mounted read-only
over ``/etc/resolv.conf`` in the container's own mount namespace (:mod:`.mounts`), so the rest of
the machine goes on resolving as before. Without root there is no mount namespace: the process
reads the machine's file, and so has no cluster DNS. A dnsConfig nameserver off 127/8 is a
:class:`ContainerConfigError` (``CreateContainerConfigError``): never written, never asked.
"""

from __future__ import annotations

from pathlib import Path

from localnlb.cluster.dns.resolv_conf import ClusterDnsConfig, UnsafeNameserver, pod_resolv_conf
from localnlb.cluster.kubelet.environment import ContainerConfigError
from localnlb.cluster.kubelet.mounts import BindMount
from localnlb.cluster.kubelet.podspec import JsonObject

RESOLV_CONF = "/etc/resolv.conf"
NODE_RESOLV_CONF = Path(RESOLV_CONF)


def resolv_conf_mount(
    pod: JsonObject,
    cluster: ClusterDnsConfig | None,
    *,
    pod_dir: Path,
    node_file: Path = NODE_RESOLV_CONF,
) -> BindMount | None:
    """The mount that gives ``pod`` its resolv.conf, or None when it reads the node's."""
    try:
        node_text = node_file.read_text()
    except OSError:
        node_text = ""
    try:
        text = pod_resolv_conf(pod, cluster, node_resolv_conf=node_text)
    except UnsafeNameserver as exc:
        raise ContainerConfigError(str(exc)) from None
    if text is None:
        return None
    path = pod_dir / "resolv.conf"
    if not path.is_file() or path.read_text() != text:
        pod_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return BindMount(str(path), RESOLV_CONF, read_only=True)
