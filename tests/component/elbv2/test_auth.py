"""``--require-auth``: SigV4 signatures are recomputed with botocore's signer; the configured key
pair works, an unknown key id gets InvalidClientTokenId and a wrong secret SignatureDoesNotMatch
(both 403, AWS's messages), for ELBv2 and EC2 alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localnlb.elbv2.api.context import ApiSettings
from tests.contract.elbv2.conftest import RunningElbv2, run_elbv2_in_thread


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[RunningElbv2]:
    api = ApiSettings(require_auth=True, credentials={"AKIDLOCAL": "s3cr3t"})
    running = run_elbv2_in_thread(tmp_path / "state", api=api)
    try:
        yield running
    finally:
        running.stop()


def _client(service: str, url: str, key: str, secret: str) -> Any:
    factory: Any = boto3.client
    return factory(
        service,
        endpoint_url=url,
        region_name="us-west-2",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def test_signed_requests_pass_and_bad_ones_get_403(secured: RunningElbv2) -> None:
    assert (
        _client("elbv2", secured.url, "AKIDLOCAL", "s3cr3t").describe_load_balancers()[
            "LoadBalancers"
        ]
        == []
    )
    assert (
        len(_client("ec2", secured.url, "AKIDLOCAL", "s3cr3t").describe_subnets()["Subnets"]) == 3
    )

    with pytest.raises(ClientError) as unknown:
        _client("elbv2", secured.url, "AKIDOTHER", "s3cr3t").describe_load_balancers()
    assert unknown.value.response["Error"] == {
        "Type": "Sender",
        "Code": "InvalidClientTokenId",
        "Message": "The security token included in the request is invalid.",
    }
    assert unknown.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    with pytest.raises(ClientError) as wrong:
        _client("ec2", secured.url, "AKIDLOCAL", "guess").describe_vpcs()
    assert wrong.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert wrong.value.response["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    assert wrong.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
