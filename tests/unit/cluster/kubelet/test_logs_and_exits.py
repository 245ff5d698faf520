"""Log file locations (the contract with the API server) and container exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from localnlb.cluster.kubelet.logs import container_log_path, pod_log_dir, rotate_for_restart
from localnlb.cluster.kubelet.runner import exit_code_of

POD = {"metadata": {"name": "ui-1", "namespace": "ui", "uid": "0d6c-11"}}


def test_log_paths_follow_the_contract(tmp_path: Path) -> None:
    assert pod_log_dir(tmp_path, POD) == tmp_path / "ui_ui-1_0d6c-11"
    assert container_log_path(tmp_path, POD, "ui") == tmp_path / "ui_ui-1_0d6c-11" / "ui.log"
    assert container_log_path(tmp_path, POD, "ui", previous=True) == (
        tmp_path / "ui_ui-1_0d6c-11" / "ui.previous.log"
    )
    assert (
        pod_log_dir(tmp_path, {"metadata": {"name": "p", "uid": "u"}}) == tmp_path / "default_p_u"
    )


def test_a_restart_keeps_exactly_the_last_instance_as_previous(tmp_path: Path) -> None:
    current = container_log_path(tmp_path, POD, "ui")
    current.parent.mkdir(parents=True)
    rotate_for_restart(current)  # nothing yet: nothing to keep
    assert not container_log_path(tmp_path, POD, "ui", previous=True).exists()
    for run in ("first\n", "second\n"):
        current.write_text(run)
        rotate_for_restart(current)
    assert container_log_path(tmp_path, POD, "ui", previous=True).read_text() == "second\n"
    assert not current.exists()


@pytest.mark.parametrize(("returncode", "exit_code"), [(0, 0), (3, 3), (-15, 143), (-9, 137)])
def test_killed_by_signal_n_is_exit_code_128_plus_n(returncode: int, exit_code: int) -> None:
    assert exit_code_of(returncode) == exit_code
