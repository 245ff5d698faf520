"""Validation causes worded as kube-apiserver words them (field.ErrorList)."""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects import names
from localnlb.cluster.apiserver.objects.status import Cause

JsonObject = dict[str, Any]


def required(path: str) -> Cause:
    return Cause(path, "Required value", "FieldValueRequired")


def invalid_value(path: str, value: Any, why: str) -> Cause:
    rendered = f'"{value}"' if isinstance(value, str) else str(value)
    return Cause(path, f"Invalid value: {rendered}: {why}", "FieldValueInvalid")


def duplicate(path: str, value: str) -> Cause:
    return Cause(path, f'Duplicate value: "{value}"', "FieldValueDuplicate")


def unsupported(path: str, value: Any, allowed: tuple[str, ...]) -> Cause:
    options = ", ".join(f'"{option}"' for option in allowed)
    return Cause(
        path, f'Unsupported value: "{value}": supported values: {options}', "FieldValueNotSupported"
    )


def name_causes(name: str, *, rule: str = "subdomain") -> list[Cause]:
    check = {
        "subdomain": names.subdomain_errors,
        "label": names.label_errors,
        "dns1035": names.dns1035_errors,
    }[rule]
    return [invalid_value("metadata.name", name, error) for error in check(name)]


def unique_label_name(name: Any, where: str, seen: set[str]) -> list[Cause]:
    """A list entry's ``name`` (a container's, a volume's): required, a DNS label, unique in
    its list (``seen`` collects the names so far)."""
    if not name:
        return [required(f"{where}.name")]
    causes = [invalid_value(f"{where}.name", name, e) for e in names.label_errors(name)]
    if name in seen:
        causes.append(duplicate(f"{where}.name", name))
    seen.add(name)
    return causes


def port_number(path: str, value: Any) -> list[Cause]:
    if not isinstance(value, int) or not 1 <= value <= 65535:
        return [invalid_value(path, value, "must be between 1 and 65535, inclusive")]
    return []
