"""Pod volumes planned as the kubelet lays them out: files, modes, mounts and its errors."""

from __future__ import annotations

from typing import Any

import pytest

from localnlb.cluster.kubelet.environment import PodContext, object_files
from localnlb.cluster.kubelet.mounts import BindMount
from localnlb.cluster.kubelet.volumes import (
    PlannedVolume,
    VolumeFile,
    VolumeSetupError,
    plan_mounts,
    plan_volume,
    planned_volumes,
    referenced_objects,
)

CONTEXT = PodContext(
    node_name="node-a",
    host_ip="127.20.0.10",
    pod_ip="127.20.1.7",
    availability_zone="us-west-2a",
    config_map_files={"app": {"a.conf": b"a=1", "b.conf": b"b=2"}},
    secret_files={"creds": {"password": b"s3cr\xffet"}},
    service_account_token="the-token",
)


def pod(*volumes: dict[str, Any], containers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "labels": {"app": "web"}},
        "spec": {"volumes": list(volumes), "containers": containers or [{"name": "c"}]},
    }


def plan(volume: dict[str, Any]) -> PlannedVolume | None:
    return plan_volume(volume, pod(volume), CONTEXT)


def test_a_configmap_volume_has_one_file_per_key_with_the_default_mode() -> None:
    planned = plan({"name": "cfg", "configMap": {"name": "app"}})
    assert planned == PlannedVolume(
        "cfg",
        "configMap",
        (VolumeFile("a.conf", b"a=1", 0o644), VolumeFile("b.conf", b"b=2", 0o644)),
    )


def test_items_choose_keys_paths_and_modes() -> None:
    volume = {
        "name": "cfg",
        "configMap": {
            "name": "app",
            "defaultMode": 0o400,
            "items": [
                {"key": "b.conf", "path": "sub/b"},
                {"key": "a.conf", "path": "a", "mode": 0o600},
            ],
        },
    }
    assert plan(volume) == PlannedVolume(
        "cfg", "configMap", (VolumeFile("sub/b", b"b=2", 0o400), VolumeFile("a", b"a=1", 0o600))
    )


def test_a_secret_volume_holds_the_decoded_bytes() -> None:
    planned = plan({"name": "s", "secret": {"secretName": "creds", "defaultMode": 0o440}})
    assert planned is not None
    assert planned.files == (VolumeFile("password", b"s3cr\xffet", 0o440),)


def test_secret_and_configmap_bytes_come_from_data_binary_data_and_string_data() -> None:
    secret = {"data": {"a": "aGk="}, "stringData": {"b": "plain"}}
    assert object_files(secret, "secret") == {"a": b"hi", "b": b"plain"}
    config_map = {"data": {"a": "text"}, "binaryData": {"b": "AP8="}}
    assert object_files(config_map, "configMap") == {"a": b"text", "b": b"\x00\xff"}


@pytest.mark.parametrize(
    ("volume", "message"),
    [
        (
            {"name": "cfg", "configMap": {"name": "absent"}},
            'MountVolume.SetUp failed for volume "cfg" : configmap "absent" not found',
        ),
        (
            {"name": "s", "secret": {"secretName": "absent"}},
            'MountVolume.SetUp failed for volume "s" : secret "absent" not found',
        ),
        (
            {"name": "cfg", "configMap": {"name": "app", "items": [{"key": "x", "path": "x"}]}},
            'MountVolume.SetUp failed for volume "cfg" : '
            "configmap references non-existent config key: x",
        ),
        (
            {"name": "s", "secret": {"secretName": "creds", "items": [{"key": "x", "path": "x"}]}},
            'MountVolume.SetUp failed for volume "s" : references non-existent secret key: x',
        ),
    ],
)
def test_a_missing_source_is_the_kubelets_mount_failure(
    volume: dict[str, Any], message: str
) -> None:
    with pytest.raises(VolumeSetupError) as raised:
        plan(volume)
    assert str(raised.value) == message


def test_an_optional_missing_source_is_an_empty_volume() -> None:
    planned = plan({"name": "cfg", "configMap": {"name": "absent", "optional": True}})
    assert planned == PlannedVolume("cfg", "configMap", ())


def test_downward_api_and_projected_sources() -> None:
    volume = {
        "name": "all",
        "projected": {
            "defaultMode": 0o444,
            "sources": [
                {"configMap": {"name": "app", "items": [{"key": "a.conf", "path": "a"}]}},
                {"secret": {"name": "creds"}},
                {
                    "downwardAPI": {
                        "items": [
                            {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
                            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                        ]
                    }
                },
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
            ],
        },
    }
    planned = plan(volume)
    assert planned is not None
    assert planned.files == (
        VolumeFile("a", b"a=1", 0o444),
        VolumeFile("password", b"s3cr\xffet", 0o444),
        VolumeFile("name", b"web", 0o444),
        VolumeFile("labels", b'app="web"', 0o444),
        VolumeFile("token", b"the-token", 0o444),
    )
    downward = plan(
        {
            "name": "d",
            "downwardAPI": {
                "items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]
            },
        }
    )
    assert downward is not None
    assert downward.files == (VolumeFile("ns", b"shop", 0o644),)


def test_empty_dir_and_volumes_planned_elsewhere() -> None:
    memory = {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}
    assert plan(memory) == PlannedVolume(
        "scratch", "emptyDir", medium="Memory", size_limit=64 * 1024 * 1024
    )
    claim = {"name": "data", "persistentVolumeClaim": {"claimName": "data-0"}}
    assert plan(claim) is None
    assert planned_volumes(pod(claim), CONTEXT) == []


def test_mounts_bind_each_volume_at_its_mount_path_read_only_for_file_volumes() -> None:
    container = {
        "name": "c",
        "volumeMounts": [
            {"name": "cfg", "mountPath": "/etc/config"},
            {"name": "scratch", "mountPath": "/cache"},
            {"name": "scratch", "mountPath": "/ro-cache", "readOnly": True},
            {"name": "cfg", "mountPath": "/etc/app.conf", "subPath": "a.conf"},
            {"name": "data", "mountPath": "/data"},  # someone else's volume kind
        ],
    }
    spec = pod(
        {"name": "cfg", "configMap": {"name": "app"}},
        {"name": "scratch", "emptyDir": {}},
        {"name": "data", "persistentVolumeClaim": {"claimName": "d"}},
        containers=[container],
    )
    dirs = {"cfg": "/state/pods/u-1/volumes/cfg", "scratch": "/state/pods/u-1/volumes/scratch"}
    assert plan_mounts(container, spec, dirs) == [
        BindMount("/state/pods/u-1/volumes/cfg", "/etc/config", read_only=True),
        BindMount("/state/pods/u-1/volumes/scratch", "/cache", read_only=False),
        BindMount("/state/pods/u-1/volumes/scratch", "/ro-cache", read_only=True),
        BindMount("/state/pods/u-1/volumes/cfg/a.conf", "/etc/app.conf", read_only=True),
    ]


def test_referenced_objects_name_volume_and_projected_sources() -> None:
    spec = pod(
        {"name": "a", "configMap": {"name": "cm-1"}},
        {"name": "b", "secret": {"secretName": "s-1"}},
        {
            "name": "c",
            "projected": {
                "sources": [{"configMap": {"name": "cm-2"}}, {"secret": {"name": "s-2"}}]
            },
        },
    )
    assert referenced_objects(spec, "configMap") == {"cm-1", "cm-2"}
    assert referenced_objects(spec, "secret") == {"s-1", "s-2"}
