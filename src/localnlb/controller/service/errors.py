"""Why a Service could not be turned into a desired stack.

A :class:`BuildError` carries the message the real controller would put in its
``FailedBuildModel`` Warning event (the texts are the real controller's). Building is pure, so a
build error is permanent until the Service changes: the shell records the event and waits for
the next Service update rather than retrying.
"""

from __future__ import annotations


class BuildError(ValueError):
    """The Service's spec or annotations cannot be built into a stack."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def wrapped(self, context: str) -> BuildError:
        """The error with ``context: `` in front, as Go's errors.Wrap does."""
        return BuildError(f"{context}: {self.message}")
