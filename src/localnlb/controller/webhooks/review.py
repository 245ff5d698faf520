"""The webhook server's side of an AdmissionReview, pure: read the request, answer with
``allowed`` and, when the mutator changed something, a base64 JSONPatch. The answer speaks the
version it was asked in (admission.k8s.io/v1 or v1beta1) and echoes the request's uid.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

Raw = dict[str, Any]
SUPPORTED = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")


class BadReview(ValueError):
    """Not an AdmissionReview this server can answer."""


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    api_version: str
    uid: str
    operation: str
    namespace: str
    obj: Raw
    old: Raw | None


def parse_review(body: Any) -> ReviewRequest:
    if not isinstance(body, dict) or body.get("kind") != "AdmissionReview":
        raise BadReview("the body is not an AdmissionReview")
    api_version = str(body.get("apiVersion", ""))
    if api_version not in SUPPORTED:
        raise BadReview(f"unsupported AdmissionReview version {api_version!r}")
    request = body.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("object"), dict):
        raise BadReview("the AdmissionReview has no request object")
    old = request.get("oldObject")
    return ReviewRequest(
        api_version=api_version,
        uid=str(request.get("uid", "")),
        operation=str(request.get("operation", "")),
        namespace=str(request.get("namespace") or ""),
        obj=request["object"],
        old=old if isinstance(old, dict) else None,
    )


def allow(review: ReviewRequest, operations: list[Raw]) -> Raw:
    response: Raw = {"uid": review.uid, "allowed": True}
    if operations:
        response["patchType"] = "JSONPatch"
        response["patch"] = base64.b64encode(json.dumps(operations).encode()).decode()
    return {"apiVersion": review.api_version, "kind": "AdmissionReview", "response": response}


def deny(review: ReviewRequest, message: str, *, code: int = 400, reason: str = "") -> Raw:
    """``reason``: the Status reason kubectl shows in brackets (``Forbidden``)."""
    status: Raw = {"code": code, "message": message}
    if reason:
        status["reason"] = reason
    response: Raw = {"uid": review.uid, "allowed": False, "status": status}
    return {"apiVersion": review.api_version, "kind": "AdmissionReview", "response": response}
