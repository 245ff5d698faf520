"""Why endpoints could not be resolved (the binding controller records ``BackendNotFound`` when
the Service or its port is gone, ``FailedReconcile`` otherwise)."""

from __future__ import annotations


class BackendNotFoundError(LookupError):
    """The Service or the Service port the binding refers to does not exist."""


class ResolveError(ValueError):
    """The cluster's objects cannot be turned into targets (e.g. a node without providerID)."""
