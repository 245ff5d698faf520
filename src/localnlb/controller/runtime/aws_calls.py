"""Run boto3 calls off the event loop and turn botocore's errors into the controller's.

boto3 is synchronous: every call runs in one small dedicated thread pool, so a slow API never
blocks the watches or the work queues. A ``ClientError`` becomes an :class:`AwsApiError` that
carries the AWS error *code* (decisions are made on codes, never on message texts); connection
failures become :class:`AwsUnavailableError`. Both are ``DeployError``s, so the Service
reconciler reports them as ``FailedDeployModel`` and retries with backoff.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from localnlb.common.clock import Clock, SystemClock
from localnlb.controller.deploy.errors import DeployError

ResultT = TypeVar("ResultT")


class AwsApiError(DeployError):
    """The API answered with an error code."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"operation error {operation}: {code}: {message}")
        self.operation = operation
        self.code = code
        self.aws_message = message


class AwsUnavailableError(DeployError):
    """The endpoint could not be reached (or answered with no parseable error)."""


def translate(operation: str, error: Exception) -> DeployError:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return AwsApiError(operation, str(details.get("Code", "")), str(details.get("Message", "")))
    return AwsUnavailableError(f"operation error {operation}: {error}")


class AwsCaller:
    """Calls into boto3 clients on a dedicated thread pool, with the errors translated."""

    def __init__(self, *, max_workers: int = 4, clock: Clock | None = None) -> None:
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="aws")
        self.clock = clock or SystemClock()

    async def __call__(self, client: Any, operation: str, **params: Any) -> dict[str, Any]:
        """``client.<operation>(**params)``; ``operation`` is the snake_case boto3 name."""
        method: Callable[..., dict[str, Any]] = getattr(client, operation)
        return await self.run(operation, functools.partial(method, **params))

    async def run(self, operation: str, call: Callable[[], ResultT]) -> ResultT:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, call)
        except (ClientError, BotoCoreError) as error:
            raise translate(operation, error) from error

    async def pages(
        self, client: Any, operation: str, key: str, **params: Any
    ) -> list[dict[str, Any]]:
        """Every item under ``key`` across all pages (botocore's paginator, in the pool)."""

        def collect() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            for page in client.get_paginator(operation).paginate(**params):
                items.extend(page.get(key, []))
            return items

        return await self.run(operation, collect)

    async def retry_while(
        self,
        codes: Iterable[str],
        client: Any,
        operation: str,
        *,
        give_up_after: float = 120.0,
        **params: Any,
    ) -> dict[str, Any]:
        """Repeat the call while the API answers one of ``codes`` (resource still in use),
        backing off from 0.2 s to 5 s, for at most ``give_up_after`` seconds."""
        wanted = frozenset(codes)
        deadline = self.clock.monotonic() + give_up_after
        delay = 0.2
        while True:
            try:
                return await self(client, operation, **params)
            except AwsApiError as error:
                if error.code not in wanted or self.clock.monotonic() >= deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tag_map(raw: Iterable[dict[str, Any]]) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in raw}
