"""SigV4 under ``--require-auth``: a signature dated more than 15 minutes from the server's
clock, either way, is refused with AWS's words (issue 21, item 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localnlb.elbv2.api.auth import verify_signature
from localnlb.elbv2.api.errors import IncompleteSignature, SignatureDoesNotMatch

SIGNED_AT = datetime(2026, 12, 8, 12, 0, 0, tzinfo=UTC)
BODY = b"Action=DescribeLoadBalancers&Version=2015-12-01"
KEYS = {"AKIDLOCAL": "s3cr3t"}


def signed_headers(at: datetime) -> dict[str, str]:
    """The headers botocore's signer gives a request signed at ``at``."""
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    headers = {"host": "127.0.0.1:4566", "x-amz-date": stamp}
    request = AWSRequest(method="POST", url="http://127.0.0.1:4566/", data=BODY, headers=headers)
    request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials("AKIDLOCAL", "s3cr3t"), "elasticloadbalancing", "us-west-2")
    signature = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    scope = f"AKIDLOCAL/{stamp[:8]}/us-west-2/elasticloadbalancing/aws4_request"
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date, Signature={signature}"
    )
    return {**headers, "Authorization": authorization}


def verify(now: datetime, headers: dict[str, str] | None = None) -> None:
    verify_signature(
        method="POST",
        path_qs="/",
        headers=headers or signed_headers(SIGNED_AT),
        body=BODY,
        credentials=KEYS,
        now=now.timestamp(),
    )


@pytest.mark.parametrize("offset", [-14, 0, 14])
def test_a_signature_within_15_minutes_passes(offset: int) -> None:
    verify(SIGNED_AT + timedelta(minutes=offset))


def test_an_old_signature_is_expired() -> None:
    with pytest.raises(SignatureDoesNotMatch) as refused:
        verify(SIGNED_AT + timedelta(minutes=16))
    assert refused.value.message == (
        "Signature expired: 20261208T120000Z is now earlier than 20261208T120100Z"
        " (20261208T121600Z - 15 min.)"
    )
    with pytest.raises(SignatureDoesNotMatch):
        verify(SIGNED_AT + timedelta(days=400))


def test_a_signature_from_the_future_is_not_yet_current() -> None:
    with pytest.raises(SignatureDoesNotMatch, match="Signature not yet current: 20261208T120000Z"):
        verify(SIGNED_AT - timedelta(days=1))


def test_a_date_that_is_no_date_is_refused() -> None:
    headers = signed_headers(SIGNED_AT)
    with pytest.raises((IncompleteSignature, SignatureDoesNotMatch)):
        verify(SIGNED_AT, {**headers, "x-amz-date": "20261208T999999Z"})
