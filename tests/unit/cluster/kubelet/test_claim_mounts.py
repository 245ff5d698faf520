"""Persistent volume claims as mounts: claim → bound volume → its directory at the mountPath."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.kubelet.claim_mounts import claim_directories, claim_mounts
from localnlb.cluster.kubelet.mounts import BindMount

POD: dict[str, Any] = {
    "metadata": {"name": "db-0", "namespace": "shop"},
    "spec": {
        "containers": [
            {
                "name": "db",
                "volumeMounts": [
                    {"name": "scratch", "mountPath": "/tmp/scratch"},
                    {"name": "data", "mountPath": "/var/lib/mysql"},
                    {"name": "data", "mountPath": "/etc/db", "subPath": "conf", "readOnly": True},
                    {"name": "pending", "mountPath": "/pending"},
                ],
            }
        ],
        "volumes": [
            {"name": "scratch", "emptyDir": {}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}},
            {"name": "pending", "persistentVolumeClaim": {"claimName": "unbound"}},
        ],
    },
}
CLAIMS = [
    {"metadata": {"name": "data-db-0"}, "spec": {"volumeName": "pvc-1"}},
    {"metadata": {"name": "unbound"}, "spec": {}},
    {"metadata": {"name": "someone-elses"}, "spec": {"volumeName": "pvc-2"}},
]
VOLUMES = [
    {"metadata": {"name": "pvc-1"}, "spec": {"hostPath": {"path": "/state/volumes/pvc-1"}}},
    {"metadata": {"name": "pvc-2"}, "spec": {"hostPath": {"path": "/state/volumes/pvc-2"}}},
]


def test_only_the_pods_bound_claims_have_directories() -> None:
    assert claim_directories(POD, CLAIMS, VOLUMES) == {"data-db-0": "/state/volumes/pvc-1"}


def test_each_mount_of_a_bound_claim_binds_its_directory_in_mount_order() -> None:
    directories = claim_directories(POD, CLAIMS, VOLUMES)
    assert claim_mounts(POD, POD["spec"]["containers"][0], directories) == [
        BindMount("/state/volumes/pvc-1", "/var/lib/mysql", read_only=False),
        BindMount("/state/volumes/pvc-1/conf", "/etc/db", read_only=True),
    ]


def test_a_read_only_claim_volume_is_mounted_read_only_everywhere() -> None:
    pod = {
        **POD,
        "spec": {
            **POD["spec"],
            "volumes": [
                {
                    "name": "data",
                    "persistentVolumeClaim": {"claimName": "data-db-0", "readOnly": True},
                }
            ],
        },
    }
    directories = {"data-db-0": "/d"}
    mounts = claim_mounts(pod, pod["spec"]["containers"][0], directories)
    assert [m.read_only for m in mounts] == [True, True]
