"""The import-circle check of ``make lint`` (tools/import_cycles.py) on small packages."""

from __future__ import annotations

from pathlib import Path

import pytest
from tools import import_cycles


def _package(root: Path, name: str, modules: dict[str, str]) -> None:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(source)


def test_a_circle_through_a_type_checking_import_is_found_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _package(
        tmp_path,
        "circled",
        {
            "planner": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from circled.registry import Registry\n",
            "registry": "from circled import planner\n",
            "leaf": "",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles.main(["circled"]) == 1
    report = capsys.readouterr().out
    assert "circled.planner -> circled.registry (line 3)" in report
    assert "circled.registry -> circled.planner (line 1)" in report
    assert "circled.leaf" not in report


def test_a_package_without_circles_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _package(tmp_path, "layered", {"top": "from layered import low\n", "low": ""})
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles.main(["layered"]) == 0


def test_every_circle_is_reported_once_with_all_its_members() -> None:
    imports = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}, "f": {"d"}}
    assert import_cycles.cycles(imports, lambda module: imports[module]) == [
        ["a", "b", "c"],
        ["e"],
    ]
