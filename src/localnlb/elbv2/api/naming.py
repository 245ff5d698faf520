"""Name rules for load balancers and target groups, and the tag rules, with AWS's messages.

Names: at most 32 characters, alphanumerics and hyphens, not starting or ending with a hyphen;
load balancer names must not start with ``internal-`` (reference §3.1).
"""

from __future__ import annotations

import re
from typing import Any

from localnlb.elbv2.api.elbv2_errors import DuplicateTagKeys, TooManyTags
from localnlb.elbv2.api.errors import ValidationError
from localnlb.elbv2.model.tags import MAX_TAGS_PER_RESOURCE

MAX_NAME_LENGTH = 32
_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9-]+")


def check_load_balancer_name(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"The load balancer name '{name}' cannot be longer than '{MAX_NAME_LENGTH}' characters"
        )
    if not _NAME_CHARACTERS.fullmatch(name):
        raise ValidationError(
            "LoadBalancer name cannot contain characters that are not letters, or digits or "
            "the dash."
        )
    if name.startswith("-") or name.endswith("-"):
        raise ValidationError(f"Load balancer name '{name}' cannot begin or end with '-'")
    if name.startswith("internal-"):
        raise ValidationError(f"Load balancer name '{name}' cannot begin with 'internal-'")


def check_target_group_name(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"Target group name '{name}' cannot be longer than '{MAX_NAME_LENGTH}' characters"
        )
    if not _NAME_CHARACTERS.fullmatch(name):
        raise ValidationError(
            f"Target group name '{name}' can only contain characters that are alphanumeric "
            "characters or hyphens(-)"
        )
    if name.startswith("-") or name.endswith("-"):
        raise ValidationError(f"Target group name '{name}' cannot begin or end with '-'")


def tags_from_params(tags: list[dict[str, Any]] | None, *, existing: int = 0) -> dict[str, str]:
    """``[{Key, Value}]`` → dict, refusing duplicate keys, ``aws:`` keys and too many tags."""
    result: dict[str, str] = {}
    for tag in tags or []:
        key = tag["Key"]
        if key in result:
            raise DuplicateTagKeys(f"Tag key '{key}' was specified more than once")
        if key.lower().startswith("aws:"):
            raise ValidationError(f"Tag key '{key}' cannot start with the reserved prefix 'aws:'")
        result[key] = tag.get("Value", "")
    if existing + len(result) > MAX_TAGS_PER_RESOURCE:
        raise TooManyTags(
            f"You've reached the limit on the number of tags ({MAX_TAGS_PER_RESOURCE}) for "
            "this resource"
        )
    return result
