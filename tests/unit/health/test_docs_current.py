"""docs/target-health.md shows the transition table as it is (generated blocks not stale)."""

from __future__ import annotations

from pathlib import Path

import pytest

from localnlb.elbv2.health.diagram import regenerate, render_mermaid
from localnlb.elbv2.health.state import TRANSITIONS, State

PAGE = Path(__file__).resolve().parents[3] / "docs" / "target-health.md"


def test_generated_blocks_are_current() -> None:
    text = PAGE.read_text()
    assert regenerate(text) == text, (
        "docs/target-health.md is stale: run "
        "`.venv/bin/python -m localnlb.elbv2.health.diagram docs/target-health.md`"
    )


def test_diagram_has_every_state_change_and_every_state() -> None:
    diagram = render_mermaid()
    for state in State:
        assert f" as {state.name}" in diagram
    for (state, event), outcome in TRANSITIONS.items():
        if outcome.state is not state:
            edge = f"{state.name} --> {outcome.state.name} : "
            (line,) = [line for line in diagram.splitlines() if edge in line]
            assert event.value in line


def test_a_page_without_the_blocks_is_refused() -> None:
    with pytest.raises(ValueError, match="no generated block named 'diagram'"):
        regenerate("# nothing generated here\n")
