"""EC2's error codes (dotted, unmodelled in botocore's ec2 model), one class each."""

from __future__ import annotations

from localnlb.elbv2.api.errors import AwsError


class InvalidParameterValue(AwsError):
    code = "InvalidParameterValue"


class MissingParameter(AwsError):
    code = "MissingParameter"


class InvalidParameterCombination(AwsError):
    code = "InvalidParameterCombination"


class InvalidVpcIdNotFound(AwsError):
    code = "InvalidVpcID.NotFound"


class InvalidSubnetIdNotFound(AwsError):
    code = "InvalidSubnetID.NotFound"


class InvalidInstanceIdNotFound(AwsError):
    code = "InvalidInstanceID.NotFound"


class InvalidInstanceIdMalformed(AwsError):
    code = "InvalidInstanceID.Malformed"


class InvalidGroupNotFound(AwsError):
    code = "InvalidGroup.NotFound"


class InvalidGroupDuplicate(AwsError):
    code = "InvalidGroup.Duplicate"


class InvalidGroupIdMalformed(AwsError):
    code = "InvalidGroupId.Malformed"


class InvalidPermissionDuplicate(AwsError):
    code = "InvalidPermission.Duplicate"


class InvalidPermissionNotFound(AwsError):
    code = "InvalidPermission.NotFound"


class InvalidIpAddressInUse(AwsError):
    code = "InvalidIPAddress.InUse"


class InsufficientFreeAddressesInSubnet(AwsError):
    code = "InsufficientFreeAddressesInSubnet"


class DependencyViolation(AwsError):
    code = "DependencyViolation"


class InvalidId(AwsError):
    code = "InvalidID"


class UnsupportedOperation(AwsError):
    code = "UnsupportedOperation"


class DryRunOperation(AwsError):
    code = "DryRunOperation"
    http_status = 412

    def __init__(self) -> None:
        super().__init__("Request would have succeeded, but DryRun flag is set.")
