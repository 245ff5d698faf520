"""The Column type and the cells every kind shares (name, age, selectors, lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localnlb.cluster.apiserver.printers.ages import age

JsonObject = dict[str, Any]
CellFn = Callable[[JsonObject, float], Any]
_NAME_DOC = "Name must be unique within a namespace."


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    cell: CellFn
    type: str = "string"
    format: str = ""
    priority: int = 0
    description: str = ""


def get(obj: JsonObject, *path: str) -> Any:
    value: Any = obj
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


NAME = Column("Name", lambda o, _n: o["metadata"]["name"], format="name", description=_NAME_DOC)
AGE = Column(
    "Age",
    lambda o, now: age(o, now),
    description="CreationTimestamp is a timestamp"
    " representing the server time when this object was created.",
)


def or_none(value: Any) -> str:
    return str(value) if value not in (None, "", []) else "<none>"


def labels_text(labels: dict[str, str] | None) -> str:
    if not labels:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def selector_text(selector: JsonObject | None) -> str:
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        values = ",".join(expr.get("values") or [])
        op = {"In": "in", "NotIn": "notin"}.get(expr.get("operator", ""), "")
        if op:
            parts.append(f"{expr['key']} {op} ({values})")
        elif expr.get("operator") == "Exists":
            parts.append(expr["key"])
        else:
            parts.append(f"!{expr['key']}")
    return ",".join(parts) or "<none>"


def containers_images(obj: JsonObject) -> tuple[str, str]:
    containers = get(obj, "spec", "template", "spec", "containers") or []
    return (
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    )


def more(items: list[str], limit: int = 3, empty: str = "<unset>") -> str:
    if not items:
        return empty
    shown = ",".join(items[:limit])
    if len(items) > limit:
        shown += f" + {len(items) - limit} more..."
    return shown
