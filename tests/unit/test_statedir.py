"""The state dir contract: DIR/env is sourceable shell that round-trips."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from localnlb.common import statedir


def test_env_round_trip_and_sourceable(tmp_path: Path) -> None:
    variables = {"KUBECONFIG": str(tmp_path / "kube config"), "AWS_REGION": "us-west-2"}
    env_file = statedir.write_env(tmp_path, variables)
    assert statedir.read_env(tmp_path) == variables
    printed = subprocess.run(
        ["bash", "-c", f". '{env_file}' && printf '%s|%s' \"$KUBECONFIG\" \"$AWS_REGION\""],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert printed == f"{tmp_path / 'kube config'}|us-west-2"


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(statedir.STATE_DIR_VARIABLE, str(tmp_path / "from-env"))
    assert statedir.resolve_state_dir(None) == tmp_path / "from-env"
    assert statedir.resolve_state_dir(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.delenv(statedir.STATE_DIR_VARIABLE)
    assert statedir.resolve_state_dir(None) == Path.home().resolve() / ".localnlb"


def test_vpc_octet_is_recorded(tmp_path: Path) -> None:
    first = statedir.vpc_octet_for(tmp_path)
    assert 16 <= first <= 239
    assert statedir.vpc_octet_for(tmp_path) == first


def test_new_octets_come_from_the_configured_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, "100-103")
    octets = {statedir.vpc_octet_for(tmp_path / str(i)) for i in range(40)}
    assert octets == {100, 101, 102, 103}
    monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, "200")  # a recorded octet stays
    assert statedir.vpc_octet_for(tmp_path / "0") in octets
    assert statedir.vpc_octet_for(tmp_path / "new") == 200


@pytest.mark.parametrize("bad", ["x", "5-20", "100-300", "120-110", "1-2-3"])
def test_an_unusable_octet_range_is_refused_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, bad)
    with pytest.raises(statedir.ConfigurationError, match="LOCALNLB_VPC_OCTETS"):
        statedir.vpc_octet_for(tmp_path)


def test_update_env_merges_what_components_write(tmp_path: Path) -> None:
    statedir.update_env(tmp_path, {"AWS_REGION": "us-west-2", "A": "1"})
    statedir.update_env(tmp_path, {"KUBECONFIG": "/k", "A": "2"})
    assert statedir.read_env(tmp_path) == {"AWS_REGION": "us-west-2", "A": "2", "KUBECONFIG": "/k"}


def test_a_new_state_dir_passes_over_unavailable_octets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, "100-102")
    held = {100: "is in use by the localnlb running for /a", 101: "is in use by … /b"}
    assert statedir.vpc_octet_for(tmp_path / "new", unavailable=held.get) == 102


def test_when_no_octet_is_free_the_refusal_names_every_holder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(statedir.VPC_OCTETS_VARIABLE, "100")
    with pytest.raises(statedir.ConfigurationError) as refused:
        statedir.vpc_octet_for(
            tmp_path / "new", unavailable=lambda _o: "is in use by the localnlb running for /a"
        )
    assert "127.100.0.0/16 is in use by the localnlb running for /a" in str(refused.value)
    assert not (tmp_path / "new" / statedir.NETWORK_FILE).exists()


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_loose_existing_state_dir_is_forced_private(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    (state_dir / "pki").mkdir(parents=True)
    state_dir.chmod(0o755)
    (state_dir / "pki").chmod(0o755)
    loose = [
        state_dir / "cluster.sqlite",
        state_dir / "kubeconfig",
        state_dir / "env",
        state_dir / "apiserver-token",
        state_dir / "pki" / "ca.key",
    ]
    for path in loose:
        path.write_text("secret")
        path.chmod(0o644)
    (state_dir / "pods" / "uid" / "volumes").mkdir(parents=True)
    (state_dir / "pods" / "uid" / "volumes" / "config").write_text("pod data")
    (state_dir / "pods" / "uid" / "volumes" / "config").chmod(0o644)
    outside = tmp_path / "outside"
    outside.write_text("not ours")
    outside.chmod(0o644)
    (state_dir / "link").symlink_to(outside)

    changed = statedir.secure_state_dir(state_dir)

    assert _mode(state_dir) == 0o700
    assert _mode(state_dir / "pki") == 0o700
    assert all(_mode(path) == 0o600 for path in loose)
    assert set(changed) == {state_dir, state_dir / "pki", *loose}
    # A pod's volume keeps the mode its spec asked for; a symlink's target is not ours to change.
    assert _mode(state_dir / "pods" / "uid" / "volumes" / "config") == 0o644
    assert _mode(outside) == 0o644
    assert statedir.secure_state_dir(state_dir) == []


def test_new_state_dir_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o755)
    state_dir.chmod(0o755)
    previous = os.umask(0o022)
    try:
        statedir.update_env(state_dir, {"A": "1"})
        statedir.vpc_octet_for(state_dir)
        store = statedir.create_private_file(state_dir / "store.sqlite")
    finally:
        os.umask(previous)
    assert _mode(state_dir) == 0o700
    for path in (state_dir / statedir.ENV_FILE, state_dir / statedir.NETWORK_FILE, store):
        assert _mode(path) == 0o600, path


def test_both_stores_are_created_private(tmp_path: Path) -> None:
    from localnlb.cluster.store.object_store import ObjectStore
    from localnlb.elbv2.store.database import Database

    previous = os.umask(0o022)
    try:
        ObjectStore(tmp_path / "cluster.sqlite")
        Database(tmp_path / "elbv2.sqlite3")
    finally:
        os.umask(previous)
    stores = sorted(tmp_path.glob("*.sqlite*"))
    assert {p.name for p in stores} >= {"cluster.sqlite", "elbv2.sqlite3", "cluster.sqlite-wal"}
    assert {p.name: _mode(p) for p in stores} == {p.name: 0o600 for p in stores}
