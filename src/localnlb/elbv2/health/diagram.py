"""Render the transition table for ``docs/target-health.md``: a Mermaid state diagram, the full
table, and what each state reports. The page's generated blocks come only from here.

``python -m localnlb.elbv2.health.diagram docs/target-health.md`` rewrites the blocks between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``; a unit test fails when
the page is stale, so the docs can't drift from :data:`~.state.TRANSITIONS`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from localnlb.elbv2.health.state import REPORTED, TRANSITIONS, State


def render_mermaid() -> str:
    """A ``stateDiagram-v2`` of every state change (self-loops are left to the table)."""
    edges: dict[tuple[State, State], list[str]] = {}
    for (state, event), outcome in TRANSITIONS.items():
        if outcome.state is not state:
            edges.setdefault((state, outcome.state), []).append(event.value)
    lines = ["```mermaid", "stateDiagram-v2"]
    for state in State:
        health = REPORTED[state]
        label = health.state.value + (f" ({health.reason.value})" if health.reason else "")
        lines.append(f'    state "{label}" as {state.name}')
    lines.append(f"    [*] --> {State.REGISTERING.name}")
    for (old, new), events in edges.items():
        lines.append(f"    {old.name} --> {new.name} : {'<br/>'.join(events)}")
    lines.append("```")
    return "\n".join(lines)


def render_table() -> str:
    lines = ["| state | event | new state | actions |", "|---|---|---|---|"]
    for (state, event), outcome in TRANSITIONS.items():
        actions = ", ".join(action.value for action in outcome.actions) or "—"
        lines.append(f"| {state.value} | {event.value} | {outcome.state.value} | {actions} |")
    return "\n".join(lines)


def render_reported() -> str:
    lines = [
        "| machine state | State | Reason | Description |",
        "|---|---|---|---|",
    ]
    for state, health in REPORTED.items():
        reason = f"`{health.reason.value}`" if health.reason else "—"
        description = f'"{health.description}"' if health.description else "—"
        lines.append(f"| {state.value} | `{health.state.value}` | {reason} | {description} |")
    return "\n".join(lines)


BLOCKS: dict[str, Callable[[], str]] = {
    "diagram": render_mermaid,
    "transitions": render_table,
    "reported": render_reported,
}


def regenerate(text: str) -> str:
    """``text`` with every generated block replaced by its current rendering."""
    for name, render in BLOCKS.items():
        text = _replace_block(text, name, render())
    return text


def _replace_block(text: str, name: str, rendered: str) -> str:
    begin, end = f"<!-- BEGIN GENERATED: {name} -->", f"<!-- END GENERATED: {name} -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"the page has no generated block named {name!r}")
    return pattern.sub(lambda _: f"{begin}\n{rendered}\n{end}", text)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(
            "usage: python -m localnlb.elbv2.health.diagram docs/target-health.md", file=sys.stderr
        )
        return 2
    page = Path(argv[0])
    page.write_text(regenerate(page.read_text()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
