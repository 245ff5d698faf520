"""ELBv2's modelled error codes (reference Appendix B), one class each; the code is the model's
``error.code`` (what boto3 maps to ``client.exceptions.<Shape>``), not the shape name."""

from __future__ import annotations

from localnlb.elbv2.api.errors import AwsError


class LoadBalancerNotFound(AwsError):
    code = "LoadBalancerNotFound"

    def __init__(self, message: str = "One or more load balancers not found") -> None:
        super().__init__(message)


class TargetGroupNotFound(AwsError):
    code = "TargetGroupNotFound"

    def __init__(self, message: str = "One or more target groups not found") -> None:
        super().__init__(message)


class ListenerNotFound(AwsError):
    code = "ListenerNotFound"

    def __init__(self, message: str = "One or more listeners not found") -> None:
        super().__init__(message)


class DuplicateLoadBalancerName(AwsError):
    code = "DuplicateLoadBalancerName"


class DuplicateTargetGroupName(AwsError):
    code = "DuplicateTargetGroupName"


class DuplicateListener(AwsError):
    code = "DuplicateListener"


class DuplicateTagKeys(AwsError):
    code = "DuplicateTagKeys"


class TooManyTags(AwsError):
    code = "TooManyTags"


class TooManyLoadBalancers(AwsError):
    code = "TooManyLoadBalancers"


class TooManyListeners(AwsError):
    code = "TooManyListeners"


class TooManyTargetGroups(AwsError):
    code = "TooManyTargetGroups"


class TooManyTargets(AwsError):
    code = "TooManyTargets"


class TooManyActions(AwsError):
    code = "TooManyActions"


class TooManyCertificates(AwsError):
    code = "TooManyCertificates"


class InvalidConfigurationRequest(AwsError):
    code = "InvalidConfigurationRequest"


class IncompatibleProtocols(AwsError):
    code = "IncompatibleProtocols"


class InvalidTarget(AwsError):
    code = "InvalidTarget"


class ResourceInUse(AwsError):
    code = "ResourceInUse"


class OperationNotPermitted(AwsError):
    code = "OperationNotPermitted"


class SubnetNotFound(AwsError):
    code = "SubnetNotFound"


class InvalidSubnet(AwsError):
    code = "InvalidSubnet"


class InvalidSecurityGroup(AwsError):
    code = "InvalidSecurityGroup"


class InvalidScheme(AwsError):
    code = "InvalidScheme"


class UnsupportedProtocol(AwsError):
    code = "UnsupportedProtocol"


class SSLPolicyNotFound(AwsError):
    code = "SSLPolicyNotFound"


class CertificateNotFound(AwsError):
    code = "CertificateNotFound"


class InvalidLoadBalancerAction(AwsError):
    code = "InvalidLoadBalancerAction"


class TargetGroupAssociationLimit(AwsError):
    code = "TargetGroupAssociationLimit"


class AvailabilityZoneNotSupported(AwsError):
    code = "AvailabilityZoneNotSupported"


class ALPNPolicyNotFound(AwsError):
    code = "ALPNPolicyNotFound"


class RuleNotFound(AwsError):
    code = "RuleNotFound"


class AllocationIdNotFound(AwsError):
    code = "AllocationIdNotFound"
