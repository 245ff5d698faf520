"""Identifiers in the shapes AWS and Kubernetes use.

ELBv2 resource ids are 16 lower-case hex characters (``loadbalancer/net/NAME/5d1b75f4f1cee11e``),
EC2 ids are a prefix and 17 hex characters (``i-03d705cd2404b089d``), request ids are UUIDs.
"""

from __future__ import annotations

import secrets
import uuid


def hex_id(length: int = 16) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]


def ec2_id(prefix: str) -> str:
    """An EC2-style id such as ``i-0abc…`` (prefix ``i``), ``sg-…``, ``subnet-…``, ``vpc-…``."""
    return f"{prefix}-{hex_id(17)}"


def request_id() -> str:
    return str(uuid.uuid4())
