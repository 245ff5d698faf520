"""Acceptance 2: kubectl get (default, wide, yaml, json, jsonpath) and describe print what a
real cluster prints: the same headers and the key fields."""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pytest
from lightkube.resources.core_v1 import Node, Pod

from tests.contract.kubectl.conftest import Cluster

pytestmark = pytest.mark.timeout(90)


def _header(output: str) -> list[str]:
    return output.splitlines()[0].split()


def _pod_manifest() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-0", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "containers": [
                {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 8080}]}
            ],
            "readinessGates": [{"conditionType": "target-health.elbv2.k8s.aws/x"}],
        },
    }


def _seed(cluster: Cluster) -> None:
    client = cluster.client
    client.create(
        cast(
            Node,
            Node.from_dict(
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {
                        "name": "ip-127-16-0-10.us-west-2.compute.internal",
                        "labels": {"topology.kubernetes.io/zone": "us-west-2a"},
                    },
                    "status": {
                        "conditions": [{"type": "Ready", "status": "True"}],
                        "addresses": [{"type": "InternalIP", "address": "127.16.0.10"}],
                        "nodeInfo": {
                            "kubeletVersion": "v1.31.4-eks-localnlb",
                            "osImage": "localnlb",
                            "kernelVersion": "6.1",
                            "containerRuntimeVersion": "localnlb://1",
                            "architecture": "amd64",
                            "bootID": "",
                            "kubeProxyVersion": "",
                            "machineID": "",
                            "operatingSystem": "linux",
                            "systemUUID": "",
                        },
                    },
                }
            ),
        )
    )
    pod = client.create(cast(Pod, Pod.from_dict(_pod_manifest())))
    pod_status = {
        "status": {
            "phase": "Running",
            "podIP": "127.16.0.21",
            "podIPs": [{"ip": "127.16.0.21"}],
            "hostIP": "127.16.0.10",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {
                    "name": "web",
                    "ready": True,
                    "restartCount": 0,
                    "image": "nginx:1.27",
                    "imageID": "",
                    "started": True,
                    "state": {"running": {"startedAt": "2026-11-26T10:00:00Z"}},
                }
            ],
        }
    }
    cluster.kubectl(
        "patch",
        "pod",
        "web-0",
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps(pod_status),
    )
    cluster.kubectl("patch", "pod", "web-0", "--type=merge", "-p", "{}")
    assert pod.metadata is not None
    cluster.kubectl("create", "service", "nodeport", "web", "--tcp=80:8080")
    cluster.kubectl("create", "configmap", "settings", "--from-literal=a=1", "--from-literal=b=2")
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "web-0.1", "namespace": "default"},
        "involvedObject": {
            "kind": "Pod",
            "name": "web-0",
            "namespace": "default",
            "uid": pod.metadata.uid,
            "apiVersion": "v1",
        },
        "reason": "Scheduled",
        "message": "Successfully assigned default/web-0",
        "type": "Normal",
        "source": {"component": "default-scheduler"},
        "firstTimestamp": "2026-11-26T10:00:00Z",
        "lastTimestamp": "2026-11-26T10:00:00Z",
        "count": 1,
    }
    cluster.kubectl("create", "-f", "-", stdin=json.dumps(event))


def test_get_columns_for_core_kinds(cluster: Cluster) -> None:
    _seed(cluster)
    nodes = cluster.kubectl("get", "nodes").stdout
    assert _header(nodes) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert "Ready    <none>" in nodes
    pods = cluster.kubectl("get", "pods").stdout
    assert _header(pods) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert pods.splitlines()[1].split()[:4] == ["web-0", "1/1", "Running", "0"]
    wide = cluster.kubectl("get", "pods", "-o", "wide").stdout
    assert wide.splitlines()[0].split() == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED",
        "NODE",
        "READINESS",
        "GATES",
    ]
    assert wide.splitlines()[1].split()[5:] == ["127.16.0.21", "<none>", "<none>", "0/1"]
    services = cluster.kubectl("get", "svc").stdout
    assert _header(services) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    row = next(line.split() for line in services.splitlines() if line.startswith("web "))
    assert row[1] == "NodePort"
    assert row[3] == "<none>"
    assert row[4].startswith("80:")
    assert row[4].endswith("/TCP")
    configmaps = cluster.kubectl("get", "cm", "settings").stdout
    assert _header(configmaps) == ["NAME", "DATA", "AGE"]
    assert configmaps.splitlines()[1].split()[:2] == ["settings", "2"]
    events = cluster.kubectl("get", "events").stdout
    assert _header(events) == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert "Normal   Scheduled   pod/web-0   Successfully assigned default/web-0" in events
    namespaces = cluster.kubectl("get", "ns", "--all-namespaces").stdout
    assert _header(namespaces) == ["NAME", "STATUS", "AGE"]


def test_output_formats_and_describe(cluster: Cluster) -> None:
    _seed(cluster)
    as_yaml = cluster.kubectl("get", "pod", "web-0", "-o", "yaml").stdout
    assert "kind: Pod" in as_yaml
    assert "podIP: 127.16.0.21" in as_yaml
    as_json = json.loads(cluster.kubectl("get", "pods", "-o", "json").stdout)
    assert as_json["kind"] == "List"
    assert as_json["items"][0]["metadata"]["name"] == "web-0"
    ip = cluster.kubectl("get", "pod", "web-0", "-o", "jsonpath={.status.podIP}").stdout
    assert ip == "127.16.0.21"
    described = cluster.kubectl("describe", "pod", "web-0").stdout
    for expected in (
        r"Name:\s+web-0\n",
        r"Namespace:\s+default\n",
        r"Status:\s+Running\n",
        r"IP:\s+127.16.0.21\n",
        r"Image:\s+nginx:1.27\n",
        r"QoS Class:\s+BestEffort",
        r"Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned",
    ):
        assert re.search(expected, described), (expected, described)
    service = cluster.kubectl("describe", "svc", "web").stdout
    assert re.search(r"Type:\s+NodePort\n", service)
    assert re.search(r"TargetPort:\s+8080/TCP\n", service)
    assert re.search(r"NodePort:\s+80-8080\s+3\d{4}/TCP\n", service), service


def test_custom_resource_printer_columns(cluster: Cluster) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "targetgroupbindings.elbv2.k8s.aws"},
        "spec": {
            "group": "elbv2.k8s.aws",
            "scope": "Namespaced",
            "names": {
                "kind": "TargetGroupBinding",
                "plural": "targetgroupbindings",
                "singular": "targetgroupbinding",
                "listKind": "TargetGroupBindingList",
            },
            "versions": [
                {
                    "name": "v1beta1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [
                        {
                            "name": "SERVICE-NAME",
                            "type": "string",
                            "jsonPath": ".spec.serviceRef.name",
                        },
                        {
                            "name": "SERVICE-PORT",
                            "type": "string",
                            "jsonPath": ".spec.serviceRef.port",
                        },
                        {"name": "TARGET-TYPE", "type": "string", "jsonPath": ".spec.targetType"},
                        {
                            "name": "ARN",
                            "type": "string",
                            "jsonPath": ".spec.targetGroupARN",
                            "priority": 1,
                        },
                        {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {
                                        "targetGroupARN": {"type": "string"},
                                        "targetType": {
                                            "type": "string",
                                            "enum": ["instance", "ip"],
                                        },
                                        "serviceRef": {
                                            "type": "object",
                                            "properties": {
                                                "name": {"type": "string"},
                                                "port": {"x-kubernetes-int-or-string": True},
                                            },
                                        },
                                    },
                                },
                                "status": {
                                    "type": "object",
                                    "properties": {"observedGeneration": {"type": "integer"}},
                                },
                            },
                        }
                    },
                }
            ],
        },
    }
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(crd))
    binding: dict[str, Any] = {
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": "k8s-ui-uinlb", "namespace": "default"},
        "spec": {
            "serviceRef": {"name": "ui-nlb", "port": 80},
            "targetType": "ip",
            "targetGroupARN": "arn:aws:elasticloadbalancing:tg/x",
        },
    }
    created = cluster.kubectl("apply", "-f", "-", stdin=json.dumps(binding))
    assert created.stdout.strip() == ("targetgroupbinding.elbv2.k8s.aws/k8s-ui-uinlb created")
    listed = cluster.kubectl("get", "targetgroupbindings").stdout
    assert _header(listed) == ["NAME", "SERVICE-NAME", "SERVICE-PORT", "TARGET-TYPE", "AGE"]
    assert listed.splitlines()[1].split()[:4] == ["k8s-ui-uinlb", "ui-nlb", "80", "ip"]
    wide = cluster.kubectl("get", "targetgroupbindings", "-o", "wide").stdout
    assert "arn:aws:elasticloadbalancing:tg/x" in wide
    explained = cluster.kubectl("explain", "targetgroupbindings.spec").stdout
    assert re.search(r"targetGroupARN\s+<string>", explained)
    builtin = cluster.kubectl("explain", "pods.spec.containers.ports").stdout
    assert re.search(r"containerPort\s+<integer> -required-", builtin)
    again = cluster.kubectl("apply", "-f", "-", stdin=json.dumps(binding))
    assert again.stdout.strip().endswith("unchanged")
    bad = {**binding, "spec": {**binding["spec"], "targetType": "pod"}}
    refused = cluster.kubectl("apply", "-f", "-", stdin=json.dumps(bad), check=False)
    assert refused.returncode != 0
    assert 'Unsupported value: "pod"' in refused.stderr


def test_workload_and_network_columns(cluster: Cluster) -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "ui", "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "ui"}},
            "template": {
                "metadata": {"labels": {"app": "ui"}},
                "spec": {"containers": [{"name": "ui", "image": "ui:1"}]},
            },
        },
    }
    replica_set = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "ui-5d8f7", "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "ui", "hash": "5d8f7"}},
            "template": {
                "metadata": {"labels": {"app": "ui", "hash": "5d8f7"}},
                "spec": {"containers": [{"name": "ui", "image": "ui:1"}]},
            },
        },
    }
    endpoint_slice = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": "ui-abcde",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": "ui"},
        },
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        "endpoints": [
            {"addresses": ["127.16.0.21"], "conditions": {"ready": True}},
            {"addresses": ["127.16.16.22"], "conditions": {"ready": True}},
        ],
    }
    for manifest in (deployment, replica_set, endpoint_slice):
        cluster.kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
    cluster.kubectl(
        "patch",
        "deployment",
        "ui",
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps(
            {
                "status": {
                    "replicas": 2,
                    "readyReplicas": 1,
                    "updatedReplicas": 2,
                    "availableReplicas": 1,
                }
            }
        ),
    )
    deployments = cluster.kubectl("get", "deploy", "-o", "wide").stdout
    assert deployments.splitlines()[0].split() == [
        "NAME",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "AGE",
        "CONTAINERS",
        "IMAGES",
        "SELECTOR",
    ]
    row = deployments.splitlines()[1].split()
    assert row[:4] == ["ui", "1/2", "2", "1"]
    assert row[5:] == ["ui", "ui:1", "app=ui"]
    replica_sets = cluster.kubectl("get", "rs").stdout
    assert _header(replica_sets) == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert replica_sets.splitlines()[1].split()[:4] == ["ui-5d8f7", "2", "0", "0"]
    slices = cluster.kubectl("get", "endpointslices").stdout
    assert _header(slices) == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    assert slices.splitlines()[1].split()[:4] == [
        "ui-abcde",
        "IPv4",
        "8080",
        "127.16.0.21,127.16.16.22",
    ]
    scaled = cluster.kubectl("get", "deploy", "ui", "-o", "jsonpath={.spec.replicas}").stdout
    assert scaled == "2"
    described = cluster.kubectl("describe", "deployment", "ui").stdout
    assert re.search(r"Replicas:\s+2 desired \| 2 updated \| 2 total \| 1 available", described)
    assert re.search(r"StrategyType:\s+RollingUpdate\n", described)
    assert re.search(r"RollingUpdateStrategy:\s+25% max unavailable, 25% max surge", described)
