"""The stacks built for the workshop's ui-nlb, instance mode then ip mode, against golden JSON.

Regenerate the golden files after an intended change with ``LOCALNLB_UPDATE_GOLDEN=1`` and
review the diff: it is exactly what the change does to what users get.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from localnlb.controller.model.enums import Scheme, TargetType
from localnlb.controller.service.builder import build_stack
from tests.unit.controller.factories import SETTINGS, VIEW, workshop_service

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "golden" / "controller"


@pytest.mark.parametrize(
    ("ip_mode", "golden"), [(False, "ui-nlb-instance.json"), (True, "ui-nlb-ip.json")]
)
def test_workshop_stack_matches_golden(workshop_dir: Path, ip_mode: bool, golden: str) -> None:
    stack = build_stack(
        workshop_service(workshop_dir, ip_mode=ip_mode), view=VIEW, settings=SETTINGS
    )
    path = GOLDEN_DIR / golden
    if os.environ.get("LOCALNLB_UPDATE_GOLDEN") == "1":
        path.write_text(stack.to_json_text())
    assert stack.to_json() == json.loads(path.read_text())


def test_instance_mode_registers_nodes_on_the_node_port(workshop_dir: Path) -> None:
    stack = build_stack(workshop_service(workshop_dir, ip_mode=False), view=VIEW, settings=SETTINGS)
    (group,) = stack.target_groups
    assert (group.spec.target_type, group.spec.port) == (TargetType.INSTANCE, 30549)
    assert stack.load_balancers[0].spec.scheme is Scheme.INTERNET_FACING


def test_ip_mode_registers_pods_on_the_target_port(workshop_dir: Path) -> None:
    stack = build_stack(workshop_service(workshop_dir, ip_mode=True), view=VIEW, settings=SETTINGS)
    (group,) = stack.target_groups
    assert (group.spec.target_type, group.spec.port) == (TargetType.IP, 8080)
    (binding,) = stack.target_group_bindings
    assert binding.spec.networking[0].ports[0].port == 8080


def test_switching_to_ip_mode_keeps_the_load_balancer_and_renames_the_target_group(
    workshop_dir: Path,
) -> None:
    instance = build_stack(
        workshop_service(workshop_dir, ip_mode=False), view=VIEW, settings=SETTINGS
    )
    ip = build_stack(workshop_service(workshop_dir, ip_mode=True), view=VIEW, settings=SETTINGS)
    assert instance.load_balancers[0].spec.name == ip.load_balancers[0].spec.name
    assert instance.target_groups[0].id == ip.target_groups[0].id == "ui/ui-nlb:80"
    assert instance.target_groups[0].spec.name != ip.target_groups[0].spec.name
