"""Issue 13, the pod spec as the images expect it, end to end with the real kubectl.

A pod mounting a ConfigMap and a Secret reads them at its mountPaths (agnhost mounttest, as
Kubernetes' own volume tests do); an updated ConfigMap reaches the mounted file; an unknown
volume type is refused in kube-apiserver's words; an image no built-in program implements ends
in ImagePullBackOff with the kubelet's events and the pod deletes cleanly.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from localnlb.cluster.embedded import EmbeddedCluster
from localnlb.cluster.kubelet.backoff import BackoffSettings
from localnlb.cluster.kubelet.settings import KubeletSettings
from localnlb.cluster.kubelet.volume_files import pod_volumes_root
from tests.helpers.clusters import running_cluster
from tests.helpers.commands import kubectl_fails_with, kubectl_with
from tests.helpers.waiting import async_wait_until

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.47"
# Pull back-offs and retries shortened the way the kubelet's settings allow, never by sleeping.
FAST_KUBELET = KubeletSettings(
    image_backoff=BackoffSettings(initial=0.5, maximum=2.0), error_resync=0.5, volume_resync=2.0
)

READER = f"""
apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  restartPolicy: Never
  containers:
    - name: config
      image: {AGNHOST}
      args: ["mounttest", "--file_content_in_loop=/etc/config/greeting", "--retry_time=60"]
      volumeMounts:
        - name: config
          mountPath: /etc/config
    - name: secret
      image: {AGNHOST}
      args: ["mounttest", "--file_content=/etc/secret-volume/password",
             "--file_mode=/etc/secret-volume/password"]
      volumeMounts:
        - name: creds
          mountPath: /etc/secret-volume
          readOnly: true
  volumes:
    - name: config
      configMap:
        name: greetings
    - name: creds
      secret:
        secretName: db
        defaultMode: 0400
"""

UNKNOWN_VOLUME = """
apiVersion: v1
kind: Pod
metadata:
  name: odd-volume
spec:
  containers:
    - name: c
      image: busybox
  volumes:
    - name: data
      nfsv5:
        server: example.com
"""

UNKNOWN_IMAGE = """
apiVersion: v1
kind: Pod
metadata:
  name: nowhere
spec:
  terminationGracePeriodSeconds: 30
  containers:
    - name: app
      image: example.com/team/app:1.0
"""


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[EmbeddedCluster]:
    async with running_cluster(tmp_path, nodes=1, kubelet=FAST_KUBELET, dns_port=0) as embedded:
        yield embedded


async def kubectl(cluster: EmbeddedCluster, *args: str, stdin: str = "") -> str:
    return await kubectl_with(cluster.kubeconfig_path, *args, stdin=stdin)


async def kubectl_fails(cluster: EmbeddedCluster, *args: str, stdin: str = "") -> str:
    """kubectl's stderr for a command that must fail."""
    return await kubectl_fails_with(cluster.kubeconfig_path, *args, stdin=stdin)


async def test_configmap_and_secret_are_read_at_their_mount_paths_and_follow_updates(
    cluster: EmbeddedCluster,
) -> None:
    await kubectl(cluster, "create", "configmap", "greetings", "--from-literal=greeting=hello")
    await kubectl(cluster, "create", "secret", "generic", "db", "--from-literal=password=s3cret")
    await kubectl(cluster, "apply", "-f", "-", stdin=READER)

    async def log_of(container: str) -> str | None:
        try:
            return await kubectl(cluster, "logs", "reader", "-c", container)
        except AssertionError:  # not started yet
            return None

    async def shows(container: str, line: str) -> bool:
        return line in ((await log_of(container)) or "").splitlines()

    await async_wait_until(
        lambda: shows("config", 'content of file "/etc/config/greeting": hello'),
        timeout=30,
        what="the ConfigMap's file at its mountPath",
    )
    await async_wait_until(
        lambda: shows("secret", 'mode of file "/etc/secret-volume/password": -r--------'),
        timeout=30,
        what="the Secret's file at its mountPath",
    )
    secret_log = await log_of("secret")
    assert secret_log is not None
    assert 'content of file "/etc/secret-volume/password": s3cret' in secret_log.splitlines()

    await kubectl(cluster, "patch", "configmap", "greetings", "-p", '{"data":{"greeting":"bye"}}')
    await async_wait_until(
        lambda: shows("config", 'content of file "/etc/config/greeting": bye'),
        timeout=30,
        what="the updated ConfigMap in the mounted file",
    )

    pod = json.loads(await kubectl(cluster, "get", "pod", "reader", "-o", "json"))
    volumes = pod_volumes_root(cluster.settings.state_dir / "pods", pod["metadata"]["uid"])
    assert (volumes / "config" / "greeting").read_text() == "bye"
    await kubectl(cluster, "delete", "pod", "reader", "--grace-period=1", "--timeout=30s")
    assert not volumes.parent.exists()


async def test_an_unknown_volume_type_is_refused_in_kube_apiservers_words(
    cluster: EmbeddedCluster,
) -> None:
    relaxed = await kubectl_fails(
        cluster, "apply", "--validate=false", "-f", "-", stdin=UNKNOWN_VOLUME
    )
    assert (
        'The Pod "odd-volume" is invalid: spec.volumes[0]: Required value: '
        "must specify a volume type"
    ) in relaxed
    strict = await kubectl_fails(cluster, "apply", "-f", "-", stdin=UNKNOWN_VOLUME)
    assert 'unknown field "spec.volumes[0].nfsv5"' in strict, strict


async def test_an_unknown_image_backs_off_with_the_kubelets_events_and_deletes(
    cluster: EmbeddedCluster,
) -> None:
    image = "example.com/team/app:1.0"
    await kubectl(cluster, "apply", "-f", "-", stdin=UNKNOWN_IMAGE)

    async def backing_off() -> bool:
        pod = json.loads(await kubectl(cluster, "get", "pod", "nowhere", "-o", "json"))
        statuses = pod.get("status", {}).get("containerStatuses") or [{}]
        waiting = statuses[0].get("state", {}).get("waiting", {})
        return bool(waiting.get("reason") == "ImagePullBackOff")

    await async_wait_until(backing_off, timeout=30, what="ImagePullBackOff")
    events = json.loads(
        await kubectl(
            cluster,
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=nowhere",
            "-o",
            "json",
        )
    )
    seen = {(e["reason"], e["message"]) for e in events["items"]}
    messages = [message for reason, message in seen if reason == "Failed"]
    assert any(m.startswith(f'Failed to pull image "{image}": ') for m in messages), seen
    assert ("Failed", "Error: ErrImagePull") in seen
    assert ("BackOff", f'Back-off pulling image "{image}"') in seen
    assert ("Failed", "Error: ImagePullBackOff") in seen

    await kubectl(cluster, "delete", "pod", "nowhere", "--timeout=20s")
    remaining = await kubectl(cluster, "get", "pods", "-o", "name")
    assert "pod/nowhere" not in remaining
