"""The controller's Lease identity: stable per installation, distinct between installations."""

from __future__ import annotations

from localnlb.controller.runtime.leader import installation_identity


def test_one_installation_keeps_its_identity_and_two_differ() -> None:
    first = installation_identity("host", "/home/me/.localnlb")
    assert first == installation_identity("host", "/home/me/.localnlb")
    assert first.startswith("host_")
    assert first != installation_identity("host", "/tmp/other")
    assert first != installation_identity("other-host", "/home/me/.localnlb")
