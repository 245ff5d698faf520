"""A registration of one target (id and port) with a target group, including its draining phase."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Registration:
    target_group_arn: str
    target_id: str
    port: int
    # As registered: None (derived), a zone name, or "all" for out-of-VPC ip targets.
    availability_zone: str | None
    registered_at: float  # wall-clock seconds
    # Set on deregistration: wall-clock time at which the deregistration delay ends.
    draining_until: float | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.target_id, self.port)

    def is_gone(self, now: float) -> bool:
        return self.draining_until is not None and now >= self.draining_until
