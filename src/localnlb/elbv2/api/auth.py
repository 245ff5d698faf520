"""SigV4 verification for ``--require-auth``: recompute the signature with botocore's own signer
and compare, answering AWS's 403 errors (unknown key id, bad signature, missing header).

Only the headers the client listed in ``SignedHeaders`` take part, exactly as the client signed
them; the timestamp comes from ``X-Amz-Date`` and the region/service from the credential scope.
A signature dated more than 15 minutes from ``now`` (either way) is refused as AWS refuses it,
so a captured request cannot be replayed later. ``now`` is a parameter: this module stays pure.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localnlb.elbv2.api.errors import (
    IncompleteSignature,
    InvalidClientTokenId,
    MissingAuthenticationToken,
    SignatureDoesNotMatch,
)

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request,\s*SignedHeaders=(?P<headers>[^,]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)
SKEW = timedelta(minutes=15)  # how far AWS lets X-Amz-Date stray from its clock
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


def verify_signature(
    *,
    method: str,
    path_qs: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Mapping[str, str],
    now: float,
) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    header = lowered.get("authorization")
    if not header:
        raise MissingAuthenticationToken("Request is missing Authentication Token")
    found = _AUTHORIZATION.fullmatch(header.strip())
    if found is None:
        raise IncompleteSignature(f"Authorization header requires proper fields: '{header}'")
    secret = credentials.get(found["key"])
    if secret is None:
        raise InvalidClientTokenId("The security token included in the request is invalid.")
    timestamp = lowered.get("x-amz-date", "")
    signed = found["headers"].split(";")
    request = AWSRequest(
        method=method,
        url=f"http://{lowered.get('host', '')}{path_qs}",
        data=body,
        headers={name: lowered.get(name, "") for name in signed},
    )
    request.context["timestamp"] = timestamp
    signer = SigV4Auth(Credentials(found["key"], secret), found["service"], found["region"])
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not timestamp.startswith(found["date"]) or not hmac.compare_digest(
        expected, found["signature"]
    ):
        raise SignatureDoesNotMatch(SIGNATURE_MISMATCH)
    _check_freshness(timestamp, datetime.fromtimestamp(now, UTC))


def _check_freshness(timestamp: str, now: datetime) -> None:
    try:
        signed_at = datetime.strptime(timestamp, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise IncompleteSignature(
            f"Date must be in ISO-8601 'basic format'. Got '{timestamp}'."
        ) from None
    clock = now.strftime(_AMZ_DATE)
    if signed_at < now - SKEW:
        earliest = (now - SKEW).strftime(_AMZ_DATE)
        raise SignatureDoesNotMatch(
            f"Signature expired: {timestamp} is now earlier than {earliest} ({clock} - 15 min.)"
        )
    if signed_at > now + SKEW:
        latest = (now + SKEW).strftime(_AMZ_DATE)
        raise SignatureDoesNotMatch(
            f"Signature not yet current: {timestamp} is still later than {latest}"
            f" ({clock} + 15 min.)"
        )
