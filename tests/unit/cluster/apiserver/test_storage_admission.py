"""StatefulSet, PersistentVolumeClaim, StorageClass and pod-volume admission: upstream defaults
and kube-apiserver's refusals, word for word."""

from __future__ import annotations

import copy
from typing import Any

from localnlb.cluster.apiserver.admission.defaults import apply_defaults
from localnlb.cluster.apiserver.admission.validation import validate


def stateful_set(**spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "catalog-mysql", "namespace": "catalog"},
        "spec": {
            "serviceName": "catalog-mysql",
            "selector": {"matchLabels": {"app": "mysql"}},
            "template": {
                "metadata": {"labels": {"app": "mysql"}},
                "spec": {
                    "containers": [
                        {
                            "name": "mysql",
                            "image": "mysql:8.0",
                            # a claim template is a volume of the pods
                            "volumeMounts": [{"name": "data", "mountPath": "/var/lib/mysql"}],
                        }
                    ]
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
            **spec,
        },
    }
    apply_defaults("apps/statefulsets", body)
    return body


def messages(store_key: str, obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    return [f"{c.field}: {c.message}" for c in validate(store_key, obj, old)]


def test_statefulset_defaults_are_upstreams() -> None:
    spec = stateful_set()["spec"]
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    claim = spec["volumeClaimTemplates"][0]
    assert claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["status"] == {"phase": "Pending"}
    assert messages("apps/statefulsets", stateful_set()) == []


def test_a_selector_that_does_not_match_the_template_is_refused() -> None:
    body = stateful_set(selector={"matchLabels": {"app": "other"}})
    assert messages("apps/statefulsets", body) == [
        "spec.template.metadata.labels: Invalid value: {'app': 'mysql'}:"
        " `selector` does not match template `labels`"
    ]


def test_updates_other_than_the_mutable_fields_are_forbidden() -> None:
    old = stateful_set()
    scaled = copy.deepcopy(old)
    scaled["spec"]["replicas"] = 3
    scaled["spec"]["template"]["spec"]["containers"][0]["image"] = "mysql:8.1"
    assert messages("apps/statefulsets", scaled, old) == []
    renamed = copy.deepcopy(old)
    renamed["spec"]["serviceName"] = "elsewhere"
    assert messages("apps/statefulsets", renamed, old) == [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas',"
        " 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy'"
        " and 'minReadySeconds' are forbidden"
    ]


def test_a_claim_template_without_storage_request_is_refused() -> None:
    body = stateful_set()
    body["spec"]["volumeClaimTemplates"][0]["spec"]["resources"] = {}
    assert messages("apps/statefulsets", body) == [
        "spec.volumeClaimTemplates[0].spec.resources[storage]: Required value"
    ]


def test_claims_need_an_access_mode_and_a_storage_request() -> None:
    claim: dict[str, Any] = {"metadata": {"name": "data"}, "spec": {}}
    assert messages("/persistentvolumeclaims", claim) == [
        "spec.accessModes: Required value: at least 1 access mode is required",
        "spec.resources[storage]: Required value",
    ]


def test_a_bound_claim_may_grow_but_not_change_its_spec() -> None:
    old: dict[str, Any] = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    bound = copy.deepcopy(old)
    bound["spec"]["volumeName"] = "pvc-1"  # set once, by the controller
    bound["spec"]["storageClassName"] = "local-path"
    assert messages("/persistentvolumeclaims", bound, old) == []
    grown = copy.deepcopy(bound)
    grown["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert messages("/persistentvolumeclaims", grown, bound) == []
    changed = copy.deepcopy(bound)
    changed["spec"]["accessModes"] = ["ReadWriteMany"]
    assert messages("/persistentvolumeclaims", changed, bound) == [
        "spec: Forbidden: spec is immutable after creation except resources.requests and"
        " volumeAttributesClassName for bound claims"
    ]


def test_a_pod_volume_needs_exactly_one_known_type() -> None:
    pod = {
        "metadata": {"name": "p"},
        "spec": {
            "containers": [{"name": "c", "image": "busybox"}],
            "volumes": [{"name": "a"}, {"name": "b", "emptyDir": {}, "hostPath": {"path": "/x"}}],
        },
    }
    assert messages("/pods", pod) == [
        "spec.volumes[0]: Required value: must specify a volume type",
        "spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type",
    ]


def test_storage_class_provisioner_may_not_change() -> None:
    old = {"metadata": {"name": "local-path"}, "provisioner": "rancher.io/local-path"}
    apply_defaults("storage.k8s.io/storageclasses", old)
    assert old["reclaimPolicy"] == "Delete"
    assert old["volumeBindingMode"] == "Immediate"
    changed = {**old, "provisioner": "ebs.csi.aws.com"}
    assert messages("storage.k8s.io/storageclasses", changed, old) == [
        "provisioner: Forbidden: updates to provisioner are forbidden."
    ]
