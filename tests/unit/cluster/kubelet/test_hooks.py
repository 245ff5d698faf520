"""Lifecycle hook lookup and the kubelet's wording for failed hooks."""

from __future__ import annotations

from localnlb.cluster.kubelet.hooks import PRE_STOP, describe_failure, hook_of
from localnlb.cluster.kubelet.probes import ProbeOutcome


def test_hooks_are_found_only_when_well_formed() -> None:
    hook = {"exec": {"command": ["sleep", "5"]}}
    assert hook_of({"lifecycle": {"preStop": hook}}, PRE_STOP) == hook
    assert hook_of({}, PRE_STOP) is None
    assert hook_of({"lifecycle": "bad"}, PRE_STOP) is None
    assert hook_of({"lifecycle": {"preStop": {}}}, PRE_STOP) is None


def test_failed_hooks_are_described_as_the_kubelet_does() -> None:
    exec_hook = {"exec": {"command": ["sh", "-c", "exit 1"]}}
    assert describe_failure(
        exec_hook, container="ui", pod_label="ui-1_ui(u)", outcome=ProbeOutcome(False, "out")
    ) == (
        'Exec lifecycle hook ([sh -c exit 1]) for Container "ui" in Pod "ui-1_ui(u)" failed - '
        "error: command 'sh -c exit 1' exited with non-zero status, message: \"out\""
    )
    http_hook = {"httpGet": {"path": "/drain", "port": 8080}}
    assert describe_failure(
        http_hook,
        container="ui",
        pod_label="ui-1_ui(u)",
        outcome=ProbeOutcome(False, "HTTP probe failed with statuscode: 500"),
    ) == (
        'HTTP lifecycle hook (/drain) for Container "ui" in Pod "ui-1_ui(u)" failed - error: '
        "HTTP probe failed with statuscode: 500"
    )
