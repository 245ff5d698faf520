"""Why a desired stack could not be deployed (``FailedDeployModel``)."""

from __future__ import annotations


class DeployError(RuntimeError):
    """Deploying failed; the reconcile is retried with backoff."""
