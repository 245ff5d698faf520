"""Pod volumes and volumeMounts refused in kube-apiserver's words (volumes.go)."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.admission.validation import validate


def messages(spec: dict[str, Any]) -> list[str]:
    pod = {"metadata": {"name": "p"}, "spec": spec}
    return [f"{cause.field}: {cause.message}" for cause in validate("/pods", pod, None)]


def container(*mounts: dict[str, Any]) -> dict[str, Any]:
    return {"name": "c", "image": "busybox", "volumeMounts": list(mounts)}


def test_a_well_formed_pod_volume_set_passes() -> None:
    spec = {
        "containers": [
            container(
                {"name": "cfg", "mountPath": "/etc/config"},
                {"name": "cfg", "mountPath": "/etc/app.conf", "subPath": "a.conf"},
                {"name": "all", "mountPath": "/var/run/all", "readOnly": True},
            )
        ],
        "volumes": [
            {
                "name": "cfg",
                "configMap": {"name": "app", "items": [{"key": "a", "path": "a.conf"}]},
            },
            {
                "name": "all",
                "projected": {
                    "defaultMode": 0o440,
                    "sources": [
                        {"secret": {"name": "s"}},
                        {"serviceAccountToken": {"path": "token"}},
                    ],
                },
            },
        ],
    }
    assert messages(spec) == []


def test_volume_names_modes_and_paths() -> None:
    spec = {
        "containers": [container()],
        "volumes": [
            {"name": "Bad_Name", "emptyDir": {}},
            {"name": "s", "secret": {"defaultMode": 0o1000}},
            {"name": "s", "emptyDir": {}},
            {
                "name": "cfg",
                "configMap": {
                    "name": "app",
                    "items": [
                        {"path": "a"},
                        {"key": "b", "path": "/etc/b"},
                        {"key": "c", "path": "x/../../c"},
                        {"key": "d", "path": "..d", "mode": -1},
                    ],
                },
            },
        ],
    }
    assert messages(spec) == [
        'spec.volumes[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must '
        "consist of lower case alphanumeric characters or '-', and must start and end with an "
        "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        "spec.volumes[1].secret.secretName: Required value",
        "spec.volumes[1].secret.defaultMode: Invalid value: 512: "
        "must be a number between 0 and 0777 (octal), both inclusive",
        'spec.volumes[2].name: Duplicate value: "s"',
        "spec.volumes[3].configMap.items[0].key: Required value",
        'spec.volumes[3].configMap.items[1].path: Invalid value: "/etc/b": must be a relative path',
        'spec.volumes[3].configMap.items[2].path: Invalid value: "x/../../c": '
        "must not contain '..'",
        "spec.volumes[3].configMap.items[3].path: Invalid value: \"..d\": must not start with '..'",
        "spec.volumes[3].configMap.items[3].mode: Invalid value: -1: "
        "must be a number between 0 and 0777 (octal), both inclusive",
    ]


def test_mount_paths_and_sub_paths() -> None:
    spec = {
        "containers": [
            container(
                {"name": "v", "mountPath": ""},
                {"name": "v", "mountPath": "/data"},
                {"name": "v", "mountPath": "/data"},
                {"name": "v", "mountPath": "/x", "subPath": "/abs"},
                {"name": "v", "mountPath": "/y", "subPath": "a/../../b"},
            )
        ],
        "volumes": [{"name": "v", "emptyDir": {}}],
    }
    assert messages(spec) == [
        "spec.containers[0].volumeMounts[0].mountPath: Required value",
        'spec.containers[0].volumeMounts[2].mountPath: Invalid value: "/data": must be unique',
        'spec.containers[0].volumeMounts[3].subPath: Invalid value: "/abs": '
        "must be a relative path",
        'spec.containers[0].volumeMounts[4].subPath: Invalid value: "a/../../b": '
        "must not contain '..'",
    ]


def test_a_projected_source_names_one_projection() -> None:
    spec = {
        "containers": [container()],
        "volumes": [
            {
                "name": "p",
                "projected": {
                    "sources": [
                        {"configMap": {"name": "a"}, "secret": {"name": "b"}},
                        {"serviceAccountToken": {"path": "/token", "expirationSeconds": 60}},
                    ]
                },
            }
        ],
    }
    assert messages(spec) == [
        "spec.volumes[0].projected.sources[0]: Forbidden: may not specify more than 1 volume type",
        "spec.volumes[0].projected.sources[1].serviceAccountToken.expirationSeconds: "
        "Invalid value: 60: may not specify a duration less than 10 minutes",
        'spec.volumes[0].projected.path: Invalid value: "/token": must be a relative path',
    ]
