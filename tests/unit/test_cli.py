"""The CLI entry points answer without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from localnlb.cli.main import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("localnlb ")


def test_env_without_state_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "--state-dir", str(tmp_path)]) == 1
    assert "start localnlb first" in capsys.readouterr().err


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "localnlb", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("localnlb ")
