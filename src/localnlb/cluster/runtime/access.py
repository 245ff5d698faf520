"""Small conveniences over the registry for the control loops: lists, status writes, retries.

A control loop reads the latest objects, decides with a pure function and writes the result.
Writes that lose a race (409 Conflict) raise; the work queue retries the key, which re-reads.
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects.status import ApiError
from localnlb.cluster.apiserver.storage.registry import Registry
from localnlb.cluster.apiserver.webhooks import admitted_writes
from localnlb.cluster.apiserver.webhooks.dispatch import WebhookAdmission
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]


class Access:
    def __init__(
        self, registry: Registry, manager: str, webhooks: WebhookAdmission | None = None
    ) -> None:
        self.registry = registry
        self.manager = manager
        self.webhooks = webhooks

    def find(self, rt: ResourceType, namespace: str, name: str) -> JsonObject | None:
        try:
            return self.registry.get(rt, namespace, name)
        except ApiError as error:
            if error.code == 404:
                return None
            raise

    def items(
        self, rt: ResourceType, namespace: str | None = None, *, labels: str = ""
    ) -> list[JsonObject]:
        listed = self.registry.list(rt, namespace, label_selector=labels)
        return list(listed["items"])

    def create(self, rt: ResourceType, namespace: str, obj: JsonObject) -> JsonObject:
        return self.registry.create(rt, namespace, obj, manager=self.manager)

    async def create_admitted(
        self, rt: ResourceType, namespace: str, obj: JsonObject
    ) -> JsonObject:
        """Create through the admission webhooks, as a controller's write through the API."""
        return await admitted_writes.create(
            self.webhooks, self.registry, rt, namespace, obj, manager=self.manager
        )

    def update(self, rt: ResourceType, obj: JsonObject) -> JsonObject:
        metadata = obj["metadata"]
        return self.registry.update(
            rt, metadata.get("namespace", ""), metadata["name"], obj, manager=self.manager
        )

    def write_status(self, rt: ResourceType, obj: JsonObject, status: JsonObject) -> JsonObject:
        """Write ``status`` through the status subresource when it differs from the stored one."""
        if obj.get("status") == status:
            return obj
        metadata = obj["metadata"]
        body = {**obj, "status": status}
        return self.registry.update(
            rt,
            metadata.get("namespace", ""),
            metadata["name"],
            body,
            subresource="status",
            manager=self.manager,
        )

    def delete(
        self, rt: ResourceType, namespace: str, name: str, options: JsonObject | None = None
    ) -> None:
        try:
            self.registry.delete(rt, namespace, name, options)
        except ApiError as error:
            if error.code != 404:
                raise
