"""Cross-resource references in a desired stack.

A listener forwards to a target group whose ARN exists only once the target group is deployed,
so the listener's spec holds a *token* for that ARN instead of the ARN. As in the AWS Load
Balancer Controller, a token names the resource (type and id within the stack) and the status
field it stands for, and serialises to JSON as
``{"$ref": "#/resources/<type>/<id>/status/<field>"}`` so a whole stack can be logged and
compared with a golden file before anything is deployed.
A plain ``str`` is a literal token (a value already known, such as a user-given security group).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class UnresolvedTokenError(LookupError):
    """A token's resource has not been deployed yet (a bug in the deploy order)."""


@dataclass(frozen=True, slots=True)
class ResourceFieldRef:
    """The value of ``status.<field>`` of resource ``<resource_type>/<resource_id>``."""

    resource_type: str
    resource_id: str
    field: str

    @property
    def ref(self) -> str:
        return f"#/resources/{self.resource_type}/{self.resource_id}/status/{self.field}"

    def to_json(self) -> dict[str, str]:
        return {"$ref": self.ref}

    def resolve(self, statuses: Mapping[tuple[str, str], Mapping[str, str]]) -> str:
        """The value once deployed; ``statuses`` maps (type, id) to that resource's status."""
        try:
            return statuses[(self.resource_type, self.resource_id)][self.field]
        except KeyError as missing:
            raise UnresolvedTokenError(self.ref) from missing


StringToken = str | ResourceFieldRef


def resolve_token(token: StringToken, statuses: Mapping[tuple[str, str], Mapping[str, str]]) -> str:
    return token if isinstance(token, str) else token.resolve(statuses)
