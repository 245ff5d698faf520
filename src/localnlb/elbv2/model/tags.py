"""Tags of one resource (an ELBv2 ARN or an EC2 id), in the order they were first added."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_TAGS_PER_RESOURCE = 50


@dataclass(frozen=True, slots=True)
class ResourceTags:
    resource_id: str
    tags: Mapping[str, str] = field(default_factory=dict)
