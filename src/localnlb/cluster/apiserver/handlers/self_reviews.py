"""Self reviews (``kubectl auth whoami``, ``kubectl auth can-i``): answered, never stored.

There is one identity, the kubeconfig's bearer token, and it may do everything (as
``system:masters`` may on a real cluster).
"""

from __future__ import annotations

from typing import Any

from localnlb.cluster.apiserver.objects import status
from localnlb.cluster.schema.kinds import ResourceType

JsonObject = dict[str, Any]
USER = {"username": "localnlb-admin", "groups": ["system:masters", "system:authenticated"]}


def answer(rt: ResourceType, body: Any) -> JsonObject:
    if not isinstance(body, dict):
        raise status.bad_request("the object provided is not a JSON object")
    review = {key: value for key, value in body.items() if key != "status"}
    review["apiVersion"], review["kind"] = rt.group_version, rt.kind
    review.setdefault("metadata", {})
    if rt.plural == "selfsubjectreviews":
        review["status"] = {"userInfo": USER}
    elif rt.plural == "selfsubjectaccessreviews":
        spec = review.get("spec") or {}
        if not spec.get("resourceAttributes") and not spec.get("nonResourceAttributes"):
            raise status.invalid(
                rt.kind,
                rt.group,
                "",
                [
                    status.Cause(
                        "spec.resourceAttributes",
                        'Invalid value: "null": exactly one of'
                        " nonResourceAttributes or resourceAttributes must be specified",
                    )
                ],
            )
        review["status"] = {
            "allowed": True,
            "reason": "localnlb: the admin token may do everything",
        }
    else:
        review["status"] = {
            "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": False,
        }
    return review
