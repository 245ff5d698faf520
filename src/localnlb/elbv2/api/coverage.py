"""Generate ``docs/api-coverage.md`` from the ACTIONS tables and botocore's models.

Run ``python -m localnlb.elbv2.api.coverage`` to rewrite the page; a unit test fails when the
committed page differs from what this module renders (so the page cannot go stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

from localnlb.elbv2.api.actions import EC2_ACTIONS, ELBV2_ACTIONS, Support
from localnlb.elbv2.api.service_model import elbv2_model

DOC_PATH = Path("docs") / "api-coverage.md"


def render_coverage() -> str:
    lines = [
        "# API coverage",
        "",
        "Generated from the ACTIONS tables in `src/localnlb/elbv2/api/actions.py` by",
        "`python -m localnlb.elbv2.api.coverage`; do not edit by hand.",
        "",
    ]
    elbv2_ops = sorted(elbv2_model().operation_names)
    supported = sum(1 for op in elbv2_ops if _support(op) is Support.SUPPORTED)
    lines += [
        f"## ELBv2 (`Version=2015-12-01`): {supported} of {len(elbv2_ops)} operations",
        "",
        "| operation | status |",
        "|---|---|",
    ]
    lines += [f"| {op} | {_status(_support(op))} |" for op in elbv2_ops]
    # EC2 grows by dozens of operations a year: its total would make this page stale with every
    # botocore release, so the page names only what is served.
    lines += [
        "",
        f"## EC2 (`Version=2016-11-15`): {len(EC2_ACTIONS)} operations",
        "",
        "Only what the load balancer controller and the embedded cluster need (of EC2's several",
        "hundred); any other EC2 action answers `InvalidAction`.",
        "",
        "| operation | status |",
        "|---|---|",
    ]
    lines += [f"| {op} | supported |" for op in sorted(EC2_ACTIONS)]
    return "\n".join(lines) + "\n"


def _support(operation: str) -> Support | None:
    action = ELBV2_ACTIONS.get(operation)
    return action.support if action is not None else None


def _status(support: Support | None) -> str:
    return "missing: answers InvalidAction" if support is None else support.value


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else DOC_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_coverage())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
