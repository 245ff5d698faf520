"""docs/api-coverage.md is generated from the ACTIONS tables and must not go stale."""

from __future__ import annotations

from pathlib import Path

from localnlb.elbv2.api.actions import ELBV2_ACTIONS
from localnlb.elbv2.api.coverage import render_coverage
from localnlb.elbv2.api.service_model import elbv2_model

DOC = Path(__file__).resolve().parents[3] / "docs" / "api-coverage.md"


def test_the_coverage_page_matches_the_actions_tables() -> None:
    assert DOC.read_text() == render_coverage(), (
        "docs/api-coverage.md is stale: run `python -m localnlb.elbv2.api.coverage`"
    )


def test_every_elbv2_operation_has_an_entry() -> None:
    assert set(ELBV2_ACTIONS) == set(elbv2_model().operation_names)
