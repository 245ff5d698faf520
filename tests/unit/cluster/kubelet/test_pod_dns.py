"""The kubelet writes a pod's resolv.conf under the state dir and mounts it read-only over
/etc/resolv.conf; a pod that reads the node's file gets no mount."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localnlb.cluster.dns.resolv_conf import ClusterDnsConfig
from localnlb.cluster.kubelet.environment import ContainerConfigError
from localnlb.cluster.kubelet.mounts import BindMount
from localnlb.cluster.kubelet.pod_dns import resolv_conf_mount

pytestmark = pytest.mark.timeout(10)
CLUSTER = ClusterDnsConfig("127.18.192.10")


def pod(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": "ui"}, "spec": spec}


@pytest.fixture
def node_file(tmp_path: Path) -> Path:
    path = tmp_path / "node-resolv.conf"
    path.write_text("nameserver 127.0.0.53\n")
    return path


def test_cluster_first_pod_gets_its_file_mounted(tmp_path: Path, node_file: Path) -> None:
    pod_dir = tmp_path / "pods" / "ui_p_uid"
    mount = resolv_conf_mount(pod(), CLUSTER, pod_dir=pod_dir, node_file=node_file)
    assert mount == BindMount(str(pod_dir / "resolv.conf"), "/etc/resolv.conf", read_only=True)
    assert (pod_dir / "resolv.conf").read_text() == (
        "nameserver 127.18.192.10\n"
        "search ui.svc.cluster.local svc.cluster.local cluster.local\n"
        "options ndots:5\n"
    )


def test_default_policy_reads_the_nodes_file(tmp_path: Path, node_file: Path) -> None:
    pod_dir = tmp_path / "pod"
    assert (
        resolv_conf_mount(pod(dnsPolicy="Default"), CLUSTER, pod_dir=pod_dir, node_file=node_file)
        is None
    )
    assert not pod_dir.exists()


def test_off_machine_nameserver_is_a_container_config_error(
    tmp_path: Path, node_file: Path
) -> None:
    unsafe = pod(dnsPolicy="None", dnsConfig={"nameservers": ["1.1.1.1"]})
    with pytest.raises(ContainerConfigError, match=r"outside 127\.0\.0\.0/8"):
        resolv_conf_mount(unsafe, CLUSTER, pod_dir=tmp_path / "pod", node_file=node_file)
    assert not (tmp_path / "pod").exists()
