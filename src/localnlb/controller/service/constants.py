"""The strings the AWS Load Balancer Controller shows users: annotation names, its load
balancer class, finalizer, tracking tags, labels, and the Service events' reasons and messages.
Spelled exactly as the real controller spells them (reference: aws-load-balancer-controller.md
§2.1–§2.3), because users grep for them and tools filter on them.
"""

from __future__ import annotations

from typing import Final

ANNOTATION_PREFIX: Final = "service.beta.kubernetes.io"

# --- ownership ----------------------------------------------------------------------------
DEFAULT_LOAD_BALANCER_CLASS: Final = "service.k8s.aws/nlb"
SERVICE_FINALIZER: Final = "service.k8s.aws/resources"
TARGET_GROUP_BINDING_FINALIZER: Final = "elbv2.k8s.aws/resources"
LB_TYPE_EXTERNAL: Final = "external"
LB_TYPE_NLB_IP: Final = "nlb-ip"

# --- annotation suffixes (after "service.beta.kubernetes.io/") ---------------------------
SOURCE_RANGES: Final = "load-balancer-source-ranges"
LB_TYPE: Final = "aws-load-balancer-type"
TARGET_TYPE: Final = "aws-load-balancer-nlb-target-type"
LB_NAME: Final = "aws-load-balancer-name"
SCHEME: Final = "aws-load-balancer-scheme"
INTERNAL: Final = "aws-load-balancer-internal"
PROXY_PROTOCOL: Final = "aws-load-balancer-proxy-protocol"
PROXY_PROTOCOL_PER_TARGET_GROUP: Final = "aws-load-balancer-proxy-protocol-per-target-group"
IP_ADDRESS_TYPE: Final = "aws-load-balancer-ip-address-type"
ACCESS_LOG_ENABLED: Final = "aws-load-balancer-access-log-enabled"
ACCESS_LOG_BUCKET: Final = "aws-load-balancer-access-log-s3-bucket-name"
ACCESS_LOG_PREFIX: Final = "aws-load-balancer-access-log-s3-bucket-prefix"
CROSS_ZONE: Final = "aws-load-balancer-cross-zone-load-balancing-enabled"
ADDITIONAL_TAGS: Final = "aws-load-balancer-additional-resource-tags"
HC_PROTOCOL: Final = "aws-load-balancer-healthcheck-protocol"
HC_PORT: Final = "aws-load-balancer-healthcheck-port"
HC_PATH: Final = "aws-load-balancer-healthcheck-path"
HC_HEALTHY_THRESHOLD: Final = "aws-load-balancer-healthcheck-healthy-threshold"
HC_UNHEALTHY_THRESHOLD: Final = "aws-load-balancer-healthcheck-unhealthy-threshold"
HC_TIMEOUT: Final = "aws-load-balancer-healthcheck-timeout"
HC_INTERVAL: Final = "aws-load-balancer-healthcheck-interval"
HC_SUCCESS_CODES: Final = "aws-load-balancer-healthcheck-success-codes"
TARGET_GROUP_ATTRIBUTES: Final = "aws-load-balancer-target-group-attributes"
SUBNETS: Final = "aws-load-balancer-subnets"
TARGET_NODE_LABELS: Final = "aws-load-balancer-target-node-labels"
LB_ATTRIBUTES: Final = "aws-load-balancer-attributes"
SECURITY_GROUPS: Final = "aws-load-balancer-security-groups"
MANAGE_BACKEND_SG_RULES: Final = "aws-load-balancer-manage-backend-security-group-rules"
SG_PREFIX_LISTS: Final = "aws-load-balancer-security-group-prefix-lists"
LISTENER_ATTRIBUTES: Final = "aws-load-balancer-listener-attributes"  # ".<PROTOCOL>-<port>"
MULTI_CLUSTER_TARGET_GROUP: Final = "aws-load-balancer-multi-cluster-target-group"
DISABLE_NLB_SG: Final = "aws-load-balancer-disable-nlb-sg"
EIP_ALLOCATIONS: Final = "aws-load-balancer-eip-allocations"
PRIVATE_IPV4_ADDRESSES: Final = "aws-load-balancer-private-ipv4-addresses"

# --- AWS tags and Kubernetes labels (tracking) --------------------------------------------
TAG_CLUSTER: Final = "elbv2.k8s.aws/cluster"
TAG_STACK: Final = "service.k8s.aws/stack"
TAG_RESOURCE: Final = "service.k8s.aws/resource"
LABEL_STACK_NAMESPACE: Final = "service.k8s.aws/stack-namespace"
LABEL_STACK_NAME: Final = "service.k8s.aws/stack-name"

RESOURCE_ID_LOAD_BALANCER: Final = "LoadBalancer"
RESOURCE_ID_MANAGED_SECURITY_GROUP: Final = "ManagedLBSecurityGroup"
MANAGED_SG_DESCRIPTION: Final = "[k8s] Managed SecurityGroup for LoadBalancer"
BACKEND_SG_DESCRIPTION: Final = "[k8s] Shared Backend SecurityGroup for LoadBalancer"

# --- Service events (recorder "service") --------------------------------------------------
EVENT_SUCCESSFULLY_RECONCILED: Final = "SuccessfullyReconciled"
EVENT_FAILED_BUILD_MODEL: Final = "FailedBuildModel"
EVENT_FAILED_DEPLOY_MODEL: Final = "FailedDeployModel"
EVENT_FAILED_ADD_FINALIZER: Final = "FailedAddFinalizer"
EVENT_FAILED_REMOVE_FINALIZER: Final = "FailedRemoveFinalizer"
EVENT_FAILED_UPDATE_STATUS: Final = "FailedUpdateStatus"
EVENT_FAILED_CLEANUP_STATUS: Final = "FailedCleanupStatus"
MESSAGE_SUCCESSFULLY_RECONCILED: Final = "Successfully reconciled"
MESSAGE_FAILED_BUILD_MODEL: Final = "Failed build model due to {error}"
MESSAGE_FAILED_DEPLOY_MODEL: Final = "Failed deploy model due to {error}"
EVENT_TYPE_NORMAL: Final = "Normal"
EVENT_TYPE_WARNING: Final = "Warning"
# Not a real-controller reason: localnlb's Warning for annotations it accepts but cannot honour.
EVENT_UNSUPPORTED_ANNOTATIONS: Final = "UnsupportedAnnotations"

# --- TargetGroupBinding events ------------------------------------------------------------
EVENT_BACKEND_NOT_FOUND: Final = "BackendNotFound"
EVENT_FAILED_NETWORK_RECONCILE: Final = "FailedNetworkReconcile"
EVENT_FAILED_RECONCILE: Final = "FailedReconcile"
EVENT_FAILED_CLEANUP: Final = "FailedCleanup"

# --- pod readiness gate -------------------------------------------------------------------
READINESS_GATE_PREFIX: Final = "target-health.elbv2.k8s.aws/"
READINESS_GATE_INJECT_LABEL: Final = "elbv2.k8s.aws/pod-readiness-gate-inject"


def annotation_key(suffix: str) -> str:
    return f"{ANNOTATION_PREFIX}/{suffix}"
