"""StatefulSet decisions: ordered start, reverse-order stop, Parallel, rolling update by
partition, claims before pods and kept after, stable identities and honest status counts."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.controllers import statefulset_identity as identity
from localnlb.cluster.controllers.statefulset import plan_stateful_set

NOW = 1_800_000_000.0


def stateful_set(replicas: int, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "shop", "uid": "sts-1", "generation": 2},
        "spec": {
            "replicas": replicas,
            "serviceName": "db-headless",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {
                    "containers": [{"name": "db", "image": "agnhost"}],
                    "volumes": [{"name": "scratch", "emptyDir": {}}],
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data", "labels": {"tier": "storage"}},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
            **spec,
        },
    }


def pod_of(
    sts: dict[str, Any],
    ordinal: int,
    *,
    ready: bool = True,
    phase: str = "Running",
    terminating: bool = False,
    revision: str | None = None,
) -> dict[str, Any]:
    pod = identity.new_pod(sts, ordinal)
    pod["metadata"]["uid"] = f"uid-{ordinal}"
    if revision is not None:
        pod["metadata"]["labels"][identity.REVISION_LABEL] = revision
    if terminating:
        pod["metadata"]["deletionTimestamp"] = "2027-01-15T08:00:00Z"
    pod["status"] = {
        "phase": phase,
        "conditions": [
            {
                "type": "Ready",
                "status": "True" if ready else "False",
                "lastTransitionTime": "2027-01-15T07:00:00Z",
            }
        ],
    }
    return pod


def claims_of(sts: dict[str, Any], *ordinals: int) -> list[dict[str, Any]]:
    return [identity.new_claim(sts, sts["spec"]["volumeClaimTemplates"][0], o) for o in ordinals]


def names(objects: list[dict[str, Any]]) -> list[str]:
    return [o["metadata"]["name"] for o in objects]


def test_a_new_set_creates_ordinal_zero_and_its_claim_first_and_nothing_else() -> None:
    sts = stateful_set(3)
    plan = plan_stateful_set(sts, [], [], now=NOW)
    assert names(plan.create_claims) == ["data-db-0"]
    assert names(plan.create_pods) == ["db-0"]
    assert plan.delete_pods == []


def test_the_next_ordinal_waits_until_the_previous_is_running_and_ready() -> None:
    sts = stateful_set(3)
    waiting = plan_stateful_set(sts, [pod_of(sts, 0, ready=False)], claims_of(sts, 0), now=NOW)
    assert waiting.create_pods == []
    assert waiting.create_claims == []
    pending = plan_stateful_set(sts, [pod_of(sts, 0, phase="Pending")], claims_of(sts, 0), now=NOW)
    assert pending.create_pods == []
    moving = plan_stateful_set(sts, [pod_of(sts, 0)], claims_of(sts, 0), now=NOW)
    assert names(moving.create_pods) == ["db-1"]
    assert names(moving.create_claims) == ["data-db-1"]


def test_parallel_creates_every_missing_pod_at_once() -> None:
    sts = stateful_set(3, podManagementPolicy="Parallel")
    plan = plan_stateful_set(sts, [pod_of(sts, 1, ready=False)], claims_of(sts, 1), now=NOW)
    assert names(plan.create_pods) == ["db-0", "db-2"]
    assert names(plan.create_claims) == ["data-db-0", "data-db-2"]


def test_pod_identity_is_stable_with_hostname_subdomain_labels_and_its_claim() -> None:
    sts = stateful_set(2)
    pod = identity.new_pod(sts, 1)
    assert pod["metadata"]["name"] == "db-1"
    assert pod["spec"]["hostname"] == "db-1"
    assert pod["spec"]["subdomain"] == "db-headless"
    labels = pod["metadata"]["labels"]
    assert labels[identity.POD_NAME_LABEL] == "db-1"
    assert labels[identity.POD_INDEX_LABEL] == "1"
    assert labels[identity.REVISION_LABEL] == identity.update_revision(sts)
    assert pod["metadata"]["ownerReferences"][0]["uid"] == "sts-1"
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["data"] == {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-1"}}
    assert "emptyDir" in volumes["scratch"]


def test_claims_carry_template_and_selector_labels_and_no_owner_under_retain() -> None:
    sts = stateful_set(1)
    [claim] = claims_of(sts, 0)
    assert claim["metadata"]["labels"] == {"tier": "storage", "app": "db"}
    assert "ownerReferences" not in claim["metadata"]
    assert claim["spec"]["resources"] == {"requests": {"storage": "1Gi"}}
    deleting = stateful_set(1, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete"})
    [owned] = claims_of(deleting, 0)
    assert owned["metadata"]["ownerReferences"][0]["uid"] == "sts-1"


def test_scale_down_deletes_the_highest_ordinal_first_one_at_a_time() -> None:
    sts = stateful_set(1)
    pods = [pod_of(sts, 0), pod_of(sts, 1), pod_of(sts, 2)]
    first = plan_stateful_set(sts, pods, claims_of(sts, 0, 1, 2), now=NOW)
    assert first.delete_pods == ["db-2"]
    assert first.create_claims == []
    pods[2] = pod_of(sts, 2, terminating=True)
    waiting = plan_stateful_set(sts, pods, claims_of(sts, 0, 1, 2), now=NOW)
    assert waiting.delete_pods == []
    then = plan_stateful_set(sts, pods[:2], claims_of(sts, 0, 1, 2), now=NOW)
    assert then.delete_pods == ["db-1"]


def test_parallel_scale_down_deletes_all_condemned_pods_at_once() -> None:
    sts = stateful_set(1, podManagementPolicy="Parallel")
    pods = [pod_of(sts, 0), pod_of(sts, 1), pod_of(sts, 2)]
    plan = plan_stateful_set(sts, pods, claims_of(sts, 0, 1, 2), now=NOW)
    assert plan.delete_pods == ["db-2", "db-1"]


def test_scale_down_waits_for_an_unready_pod_below() -> None:
    sts = stateful_set(1)
    pods = [pod_of(sts, 0, ready=False), pod_of(sts, 1)]
    assert plan_stateful_set(sts, pods, claims_of(sts, 0, 1), now=NOW).delete_pods == []


def test_a_failed_pod_is_deleted_to_be_made_again() -> None:
    sts = stateful_set(2)
    pods = [pod_of(sts, 0, phase="Failed", ready=False)]
    plan = plan_stateful_set(sts, pods, claims_of(sts, 0), now=NOW)
    assert plan.delete_pods == ["db-0"]
    assert plan.create_pods == []


def test_rolling_update_goes_from_the_highest_ordinal_down_to_the_partition() -> None:
    sts = stateful_set(
        3, updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}
    )
    old = [pod_of(sts, o, revision="db-old") for o in range(3)]
    claims = claims_of(sts, 0, 1, 2)
    assert plan_stateful_set(sts, old, claims, now=NOW).delete_pods == ["db-2"]
    renewed = [old[0], old[1], pod_of(sts, 2)]
    assert plan_stateful_set(sts, renewed, claims, now=NOW).delete_pods == ["db-1"]
    done = [old[0], pod_of(sts, 1), pod_of(sts, 2)]
    assert plan_stateful_set(sts, done, claims, now=NOW).delete_pods == []  # 0 < partition
    unready = [old[0], old[1], pod_of(sts, 2, ready=False)]
    assert plan_stateful_set(sts, unready, claims, now=NOW).delete_pods == []


def test_on_delete_never_replaces_an_old_pod() -> None:
    sts = stateful_set(1, updateStrategy={"type": "OnDelete"})
    plan = plan_stateful_set(sts, [pod_of(sts, 0, revision="db-old")], claims_of(sts, 0), now=NOW)
    assert plan.delete_pods == []


def test_a_missing_claim_of_a_running_pod_is_made_again() -> None:
    sts = stateful_set(1)
    plan = plan_stateful_set(sts, [pod_of(sts, 0)], [], now=NOW)
    assert names(plan.create_claims) == ["data-db-0"]


def test_pods_of_another_owner_or_name_are_not_the_sets() -> None:
    sts = stateful_set(1)
    stranger = pod_of(sts, 0)
    stranger["metadata"]["ownerReferences"][0]["uid"] = "other"
    plan = plan_stateful_set(sts, [stranger], claims_of(sts, 0), now=NOW)
    assert names(plan.create_pods) == ["db-0"]


def test_status_counts_revisions_and_completes_the_rollout() -> None:
    sts = stateful_set(2)
    sts["status"] = {"currentRevision": "db-old"}
    update = identity.update_revision(sts)
    mixed = [pod_of(sts, 0, revision="db-old"), pod_of(sts, 1, ready=False)]
    status = plan_stateful_set(sts, mixed, claims_of(sts, 0, 1), now=NOW).status
    assert status["replicas"] == 2
    assert status["readyReplicas"] == 1
    assert status["currentReplicas"] == 1
    assert status["updatedReplicas"] == 1
    assert status["currentRevision"] == "db-old"
    assert status["updateRevision"] == update
    assert status["observedGeneration"] == 2
    done = [pod_of(sts, 0), pod_of(sts, 1)]
    status = plan_stateful_set(sts, done, claims_of(sts, 0, 1), now=NOW).status
    assert status["currentRevision"] == update
    assert status["currentReplicas"] == 2
    assert status["availableReplicas"] == 2


def test_ordinals_start_where_spec_ordinals_says() -> None:
    sts = stateful_set(2, ordinals={"start": 5})
    plan = plan_stateful_set(sts, [], [], now=NOW)
    assert names(plan.create_pods) == ["db-5"]
