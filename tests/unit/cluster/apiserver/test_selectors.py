"""Label and field selector parsing and matching."""

from __future__ import annotations

import pytest

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.selectable_fields import supported_fields
from localnlb.cluster.apiserver.storage.selectors import (
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)

LABELS = {"app": "web", "tier": "front", "version": "3"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("app in (web,api)", True),
        ("app notin (web)", False),
        ("tier", True),
        ("!tier", False),
        ("!missing", True),
        ("missing!=x", True),
        ("app=web,tier=back", False),
        ("app.kubernetes.io/name=ui", False),
        ("version gt 2", True),
        ("version lt 2", False),
        ("", True),
    ],
)
def test_label_selectors(selector: str, matches: bool) -> None:
    assert labels_match(parse_label_selector(selector), LABELS) is matches


@pytest.mark.parametrize(
    "selector",
    ["app in (web", "=web", "app=web,", "a b", "app=Bad Value", "-bad=x", "version gt x"],
)
def test_bad_label_selectors_are_400(selector: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_label_selector(selector)
    assert raised.value.code == 400
    assert raised.value.reason == "BadRequest"


def test_field_selectors_per_kind() -> None:
    pods = supported_fields("/pods")
    pod = {
        "metadata": {"name": "p", "namespace": "ui"},
        "spec": {"nodeName": "n1"},
        "status": {"phase": "Running"},
    }
    assert fields_match(
        parse_field_selector("spec.nodeName=n1,status.phase!=Failed", pods), pod, pods
    )
    assert not fields_match(parse_field_selector("metadata.name=q", pods), pod, pods)
    assert fields_match(parse_field_selector("spec.hostNetwork=false", pods), pod, pods)
    with pytest.raises(ApiError, match=r"field label not supported: spec\.nodeName"):
        parse_field_selector("spec.nodeName=n1", supported_fields("/configmaps"))
    with pytest.raises(ApiError):
        parse_field_selector("nonsense", pods)
