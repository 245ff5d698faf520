"""The AdmissionReview exchange with one webhook, pure: the request the API server sends and
what it makes of the answer.

The answer either allows (a mutating webhook may return a base64 JSONPatch, applied with the
``jsonpatch`` library), or denies, which becomes Kubernetes' own denial Status ("admission
webhook "<name>" denied the request: <message>", the code from the answer, at least 400). A
malformed answer (wrong kind or uid, a patch that does not apply) is a failure to call the
webhook, handled by its failurePolicy like a refused connection or a timeout.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import jsonpatch

from localnlb.cluster.apiserver.admission.webhook_matching import (
    REVIEW_VERSIONS,
    AdmissionAttributes,
    Webhook,
)
from localnlb.cluster.apiserver.objects.status import ApiError

JsonObject = dict[str, Any]
REVIEW_GROUP = "admission.k8s.io"


class WebhookCallFailed(Exception):
    """The webhook could not be called or answered nonsense (its failurePolicy decides)."""


def review_version(hook: Webhook) -> str:
    for version in hook.review_versions:
        if version in REVIEW_VERSIONS:
            return version
    raise WebhookCallFailed(
        f"webhook does not accept v1 or v1beta1 AdmissionReview (accepts {hook.review_versions})"
    )


def _kind(group: str, version: str, kind: str) -> JsonObject:
    return {"group": group, "version": version, "kind": kind}


def build_review(hook: Webhook, attributes: AdmissionAttributes, *, uid: str) -> JsonObject:
    rt = attributes.rt
    resource = {"group": rt.group, "version": rt.version, "resource": rt.plural}
    request: JsonObject = {
        "uid": uid,
        "kind": _kind(rt.group, rt.version, rt.kind),
        "resource": resource,
        "requestKind": _kind(rt.group, rt.version, rt.kind),
        "requestResource": resource,
        "name": attributes.name,
        "operation": attributes.operation.value,
        "userInfo": {"username": attributes.user, "groups": ["system:authenticated"]},
        "object": attributes.obj,
        "oldObject": attributes.old,
        "dryRun": attributes.dry_run,
        "options": {
            "kind": f"{attributes.operation.value.title()}Options",
            "apiVersion": "meta.k8s.io/v1",
        },
    }
    if rt.namespaced:
        request["namespace"] = attributes.namespace
    if attributes.subresource:
        request["subResource"] = attributes.subresource
        request["requestSubResource"] = attributes.subresource
    return {
        "kind": "AdmissionReview",
        "apiVersion": f"{REVIEW_GROUP}/{review_version(hook)}",
        "request": request,
    }


def denial(hook: Webhook, result: Any) -> ApiError:
    """Kubernetes' words for a webhook that said no (webhookerrors.ToStatusErr)."""
    result = result if isinstance(result, dict) else {}
    denied_by = f'admission webhook "{hook.name}" denied the request'
    message, reason = str(result.get("message") or ""), str(result.get("reason") or "")
    if message:
        text = f"{denied_by}: {message}"
    elif reason:
        text = f"{denied_by}: {reason}"
    else:
        text = f"{denied_by} without explanation"
    code = result.get("code")
    code = code if isinstance(code, int) and code >= 400 else 400
    return ApiError(code, reason, text, dict(result.get("details") or {}))


def _response(hook: Webhook, answer: Any, uid: str) -> JsonObject:
    if not isinstance(answer, dict) or answer.get("kind") != "AdmissionReview":
        raise WebhookCallFailed(
            "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview"
        )
    response = answer.get("response")
    if not isinstance(response, dict):
        raise WebhookCallFailed("webhook response was absent")
    if review_version(hook) == "v1" and response.get("uid") != uid:
        raise WebhookCallFailed(f'expected response.uid="{uid}", got "{response.get("uid")}"')
    return response


def answer_to_object(
    hook: Webhook, answer: Any, *, uid: str, obj: JsonObject | None, mutating: bool
) -> JsonObject | None:
    """The object after this webhook: ``obj`` itself, or patched. Raises the denial
    :class:`ApiError`, or :class:`WebhookCallFailed` for an answer that cannot be used."""
    response = _response(hook, answer, uid)
    if not response.get("allowed"):
        raise denial(hook, response.get("status"))
    patch_text = response.get("patch")
    if not patch_text:
        return obj
    if not mutating:
        raise WebhookCallFailed("validating webhook may not return a patch")
    if response.get("patchType") != "JSONPatch":
        raise WebhookCallFailed(f'unsupported patch type "{response.get("patchType")}"')
    try:
        operations = json.loads(base64.b64decode(str(patch_text), validate=True))
        patched = jsonpatch.apply_patch(obj, operations, in_place=False)
    except (
        binascii.Error,
        ValueError,
        TypeError,
        jsonpatch.JsonPatchException,
        jsonpatch.JsonPointerException,
    ) as error:
        raise WebhookCallFailed(f"JSON Patch: {error}") from None
    if not isinstance(patched, dict):
        raise WebhookCallFailed("the patched object is not a JSON object")
    return patched
