"""EC2 ``Filter.N.Name``/``Filter.N.Value.M`` matching, shared by every Describe* operation.

A resource matches when every filter matches (AND); a filter matches when any of its values
matches any of the resource's values for that name (OR). Values may use ``*`` and ``?``
wildcards. ``tag:<key>``, ``tag-key`` and ``tag-value`` work on every resource kind. An unknown
filter name is refused, as EC2 does.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from typing import Any

from localnlb.elbv2.api.ec2_errors import InvalidParameterValue

FieldValues = Mapping[str, Callable[[], list[str]]]


def check_filter_names(filters: list[dict[str, Any]] | None, known: FieldValues) -> None:
    for f in filters or []:
        name = f.get("Name", "")
        if name.startswith("tag:") or name in ("tag-key", "tag-value") or name in known:
            continue
        raise InvalidParameterValue(f"The filter '{name}' is invalid")


def matches(
    filters: list[dict[str, Any]] | None, *, fields: FieldValues, tags: Mapping[str, str]
) -> bool:
    for f in filters or []:
        name = f.get("Name", "")
        wanted = f.get("Values") or []
        if name.startswith("tag:"):
            key = name[4:]
            have = [tags[key]] if key in tags else []
        elif name == "tag-key":
            have = list(tags)
        elif name == "tag-value":
            have = list(tags.values())
        else:
            have = fields[name]()
        if not any(fnmatch.fnmatchcase(h, w) for h in have for w in wanted):
            return False
    return True


def tags_from(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    """EC2 ``Tag.N.Key``/``Tag.N.Value`` → dict; the model leaves ``Key`` optional, EC2 does not."""
    result: dict[str, str] = {}
    for tag in tags or []:
        key = tag.get("Key")
        if not key:
            raise InvalidParameterValue("Tag keys must be specified and cannot be empty")
        if key.lower().startswith("aws:"):
            raise InvalidParameterValue(f"Tag keys starting with 'aws:' are reserved: '{key}'")
        result[key] = tag.get("Value", "")
    return result


def present_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]
