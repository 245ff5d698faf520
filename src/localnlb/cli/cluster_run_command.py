"""``localnlb cluster``: the embedded Kubernetes cluster in the foreground (one component of
``localnlb up``): API server, control loops and worker nodes whose pods are real processes.

Nodes are EC2 instances of the node group when the EC2 API of this state dir is up (``DIR/env``
names it), so each Node's providerID is an instance ``aws ec2 describe-instances`` lists;
without it they are laid out on the address plan directly. Adds ``KUBECONFIG`` to ``DIR/env``
and ``LOCALNLB_CLUSTER_METRICS_URL`` (kube-proxy's counters, in Prometheus format) to DIR/env
and tells the supervisor where the API listens once every node is registered.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from localnlb.cli.foreground import wait_for_stop_signal
from localnlb.cli.options import DATAPLANE_ENGINE_VARIABLE, add_state_dir_option
from localnlb.cluster.embedded import ClusterSettings, EmbeddedCluster
from localnlb.cluster.nodes.fargate import FargateProfile
from localnlb.cluster.nodes.objects import NodeIdentity
from localnlb.cluster.nodes.provisioning import Ec2NodeProvisioner, planned_identities
from localnlb.common import statedir
from localnlb.common.addressing import AddressPlan, build_address_plan
from localnlb.common.metrics_http import MetricsServer
from localnlb.common.octet_claims import claim_vpc_octet
from localnlb.common.supervisor.announce import announce_ready

DEFAULT_NODES = 3
DEFAULT_CLUSTER_NAME = "eks-workshop"
FARGATE_VARIABLE = "LOCALNLB_FARGATE_PROFILES"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "cluster", help="run the embedded Kubernetes cluster in the foreground"
    )
    add_state_dir_option(parser)
    parser.add_argument("--nodes", type=int, default=DEFAULT_NODES, help="worker nodes (1-30)")
    parser.add_argument("--port", type=int, default=0, help="API server port (default: any)")
    parser.add_argument(
        "--cluster-name", default=DEFAULT_CLUSTER_NAME, help="the EKS cluster name in tags"
    )
    parser.add_argument(
        "--fargate-profile",
        action="append",
        default=[],
        metavar="NAMESPACE[:k=v,...]",
        help="pods in NAMESPACE (with these labels) run on Fargate nodes of their own; repeatable"
        f" (also ${FARGATE_VARIABLE}, profiles separated by ';')",
    )
    parser.set_defaults(handler=run)


def fargate_profiles(args: argparse.Namespace) -> tuple[FargateProfile, ...]:
    texts = list(args.fargate_profile)
    texts += [t for t in os.environ.get(FARGATE_VARIABLE, "").split(";") if t.strip()]
    return tuple(FargateProfile.parse(t.strip()) for t in texts)


def node_identities(
    state_dir: Path, plan: AddressPlan, *, count: int, cluster_name: str
) -> tuple[NodeIdentity, ...]:
    env = statedir.read_env(state_dir)
    endpoint = env.get(statedir.EC2_ENDPOINT_VARIABLE)
    if not endpoint:
        return planned_identities(plan, seed=str(state_dir), count=count)
    import boto3

    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name=env.get("AWS_REGION", plan.region),
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID", "localnlb"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY", "localnlb"),
    )
    return Ec2NodeProvisioner(ec2, plan, cluster_name=cluster_name).ensure(count)


async def _serve(args: argparse.Namespace, state_dir: Path, octet: int) -> int:
    region = statedir.read_env(state_dir).get("AWS_REGION", "us-west-2")
    plan = build_address_plan(vpc_octet=octet, region=region)
    nodes = node_identities(state_dir, plan, count=args.nodes, cluster_name=args.cluster_name)
    cluster = EmbeddedCluster(
        ClusterSettings(
            state_dir=state_dir,
            plan=plan,
            nodes=nodes,
            port=args.port,
            fargate_profiles=args.profiles,
            # `up` hands its --dataplane-engine to both components: LB nodes and kube-proxy.
            kube_proxy_engine=os.environ.get(DATAPLANE_ENGINE_VARIABLE) or "auto",
        )
    )
    await cluster.start()
    assert cluster.proxies is not None
    metrics = MetricsServer(cluster.proxies.metrics.registry)
    await metrics.start()
    statedir.update_env(
        state_dir,
        {
            "KUBECONFIG": str(cluster.kubeconfig_path),
            statedir.CLUSTER_METRICS_VARIABLE: metrics.url,
        },
    )
    announce_ready({"https": cluster.api.url})
    print(f"localnlb: Kubernetes API at {cluster.api.url}, {len(nodes)} nodes", flush=True)
    print(f"localnlb: export KUBECONFIG={cluster.kubeconfig_path}", flush=True)
    try:
        await wait_for_stop_signal()
    finally:
        await metrics.stop()
        await cluster.stop()
    print("localnlb: cluster stopped", flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.nodes <= 30:
        print("localnlb cluster: --nodes must be 1..30", file=sys.stderr)
        return 2
    try:
        args.profiles = fargate_profiles(args)
    except ValueError as error:
        print(f"localnlb cluster: {error}", file=sys.stderr)
        return 2
    state_dir = statedir.ensure_state_dir(statedir.resolve_state_dir(args.state_dir))
    try:
        claim = claim_vpc_octet(state_dir)  # held while the nodes and pods hold its addresses
    except statedir.ConfigurationError as error:
        print(f"localnlb cluster: {error}", file=sys.stderr)
        return 2
    import uvloop

    with claim:
        return uvloop.run(_serve(args, state_dir, claim.octet))
