"""agnhost mounttest: the lines Kubernetes' volume tests read, and the no-root path map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localnlb.cluster.images.agnhost import main
from localnlb.cluster.images.mounttest import PATH_MAP_VARIABLE, host_path


def test_file_content_and_mode_are_printed_as_agnhost_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data-1"
    data.write_text("value-1")
    data.chmod(0o400)
    assert main(["mounttest", f"--file_content={data}", f"--file_mode={data}"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f'content of file "{data}": value-1',
        f'mode of file "{data}": -r--------',
    ]


def test_a_missing_file_is_reported_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mounttest", f"--file_content={tmp_path / 'absent'}"]) == 1
    assert "Error reading file" in capsys.readouterr().out


def test_paths_under_a_mount_target_resolve_through_the_path_map(tmp_path: Path) -> None:
    environ = {PATH_MAP_VARIABLE: json.dumps({"/etc/config": str(tmp_path), "/etc": "/other"})}
    assert host_path("/etc/config/key", environ) == f"{tmp_path}/key"
    assert host_path("/etc/config", environ) == str(tmp_path)
    assert host_path("/etc/configuration", environ) == "/other/configuration"
    assert host_path("/var/x", environ) == "/var/x"
    assert host_path("/var/x", {}) == "/var/x"
