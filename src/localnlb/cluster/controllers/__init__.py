"""Cluster controllers: deployment, replicaset, endpointslice, service IP/port allocation,
namespace, gc.
"""
