"""What the object store refuses, as typed exceptions the API layer turns into Status objects.

The store speaks in resources and names only; the API server adds the Kubernetes wording.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base for every refusal of the object store."""


class ObjectNotFound(StoreError):
    def __init__(self, resource: str, namespace: str, name: str) -> None:
        super().__init__(f"{resource} {namespace}/{name} not found")
        self.resource = resource
        self.namespace = namespace
        self.name = name


class ObjectExists(StoreError):
    def __init__(self, resource: str, namespace: str, name: str) -> None:
        super().__init__(f"{resource} {namespace}/{name} already exists")
        self.resource = resource
        self.namespace = namespace
        self.name = name


class VersionConflict(StoreError):
    """The caller's resourceVersion is not the stored one (optimistic concurrency)."""

    def __init__(self, resource: str, namespace: str, name: str, *, stored: int) -> None:
        super().__init__(f"{resource} {namespace}/{name}: stored resourceVersion is {stored}")
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.stored = stored


class RevisionCompacted(StoreError):
    """A watch asked for history the store no longer keeps (HTTP 410 Gone)."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest
